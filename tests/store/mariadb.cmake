# MariadbConnection against a private mariadbd (tests/support/mariadb_server.cpp).
# Included from tests/store/CMakeLists.txt.
add_executable(mariadb_connection_test ${CMAKE_CURRENT_LIST_DIR}/mariadb_connection_test.cpp)
target_link_libraries(mariadb_connection_test PRIVATE cardd_test_support GTest::gtest_main cardd_warnings)
add_test(NAME mariadb_connection COMMAND mariadb_connection_test)
set_tests_properties(mariadb_connection PROPERTIES
  LABELS "store;mariadb"
  ENVIRONMENT CARDD_TEST_TMPDIR=${CMAKE_CURRENT_BINARY_DIR}
  TIMEOUT 300)

# MariadbConnection across restarts of its server: reconnection outside a
# transaction, and a transaction the restart cut not half-applied.
add_executable(mariadb_reconnect_test ${CMAKE_CURRENT_LIST_DIR}/mariadb_reconnect_test.cpp)
target_link_libraries(mariadb_reconnect_test PRIVATE cardd_test_support GTest::gtest_main cardd_warnings)
add_test(NAME mariadb_reconnect COMMAND mariadb_reconnect_test)
set_tests_properties(mariadb_reconnect PROPERTIES
  LABELS "store;mariadb"
  ENVIRONMENT CARDD_TEST_TMPDIR=${CMAKE_CURRENT_BINARY_DIR}
  TIMEOUT 120)
