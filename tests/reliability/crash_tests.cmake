# Read by ctest at each run (TEST_INCLUDE_FILES, see CMakeLists.txt): the
# crash tests, one per backend, with a timeout for the number of kills in
# the environment (the program's default of 8 when unset).
set(kills "$ENV{CARDD_CRASH_KILLS}")
if(NOT kills MATCHES "^[0-9]+$")
  set(kills 8)
endif()
# A minute to start, then 6 s a kill: a kill, the restart and the checks
# take well under a second on two busy cores while the store is small, and
# grow with it (every chip is read after every kill).
math(EXPR timeout "60 + ${kills} * 6")
foreach(backend sqlite mariadb)
  set(labels reliability)
  if(backend STREQUAL "mariadb")
    list(APPEND labels mariadb)
  endif()
  add_test(reliability_crash_${backend} "${reliability_test}" "--gtest_filter=Backends/CrashRun.*/${backend}")
  set_tests_properties(reliability_crash_${backend} PROPERTIES LABELS "${labels}" TIMEOUT ${timeout}
    ENVIRONMENT "CARDD_TEST_TMPDIR=${reliability_tmpdir}")
endforeach()
