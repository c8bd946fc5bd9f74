# The Debian package, built by CPack's DEB generator (`make package`, or
# `cpack` in the build tree): cardd, cardctl, card-termsim and everything the
# install() rules of the tree put beside them, plus what only the package
# has, here: maintainer scripts, conffiles, the Debian changelog, the
# copyright file and lintian's overrides. Included from the top CMakeLists.txt, since CPack reads
# the variables of the top directory.
set(CARDD_PACKAGE_DIR ${CMAKE_CURRENT_LIST_DIR})

# The .deb holds the install tree as it is under /usr; paths outside it
# (/etc, /lib) come from a /usr prefix, so another prefix makes a wrong
# package: say so rather than build it.
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(WARNING "CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}: the .deb needs /usr "
                  "(cmake -DCMAKE_INSTALL_PREFIX=/usr; make package passes it)")
endif()

# Debian's Policy 12.7 and 12.8: the copyright file and a changelog
# compressed with gzip -9n in /usr/share/doc/cardd; the documents beside
# them, the docs/ folder kept so README.md's links hold.
install(FILES ${CARDD_PACKAGE_DIR}/copyright ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
file(GLOB cardd_docs ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${cardd_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
# The console's screenshots, which docs/console.md shows.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/images DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs OPTIONAL)

install(FILES ${CARDD_PACKAGE_DIR}/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
  RENAME cardd)

set(CARDD_DEB_RELEASE 1)
file(STRINGS ${CARDD_PACKAGE_DIR}/changelog changelog_head LIMIT_COUNT 1)
if(NOT changelog_head MATCHES "^cardd \\(${PROJECT_VERSION}-${CARDD_DEB_RELEASE}\\) ")
  message(FATAL_ERROR "systemd/deb/changelog begins \"${changelog_head}\", not with version "
                      "${PROJECT_VERSION}-${CARDD_DEB_RELEASE}: add an entry for it")
endif()
set(changelog_gz ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz)
add_custom_command(OUTPUT ${changelog_gz}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND gzip -9 -n -c ${CARDD_PACKAGE_DIR}/changelog > ${changelog_gz}
  DEPENDS ${CARDD_PACKAGE_DIR}/changelog
  COMMENT "Compressing the Debian changelog")
add_custom_target(cardd_changelog ALL DEPENDS ${changelog_gz})
install(FILES ${changelog_gz} DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cardd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "cardd maintainers")
set(CPACK_PACKAGE_CONTACT "cardd maintainers <maintainers@users.noreply.r-seed-173e5cf6.example>"
  CACHE STRING "The Maintainer: field of the .deb")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
# Binaries without their debug sections (Policy 10.1); the build tree keeps them.
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR})

set(CPACK_DEBIAN_PACKAGE_RELEASE ${CARDD_DEB_RELEASE})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "card centre daemon for cashless canteens")
# CPack puts the summary first and indents the rest as the control file wants.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "cardd owns a cashless canteen's card database: people, MIFARE Classic
consumption cards, a money ledger from which every balance is derived, loss
reports and devices, in SQLite or MariaDB. It pushes lost-card blacklists to
the consumption terminals over Modbus TCP or RS-485, collects their
transaction records, and drives the USB card encoder (ACR122U) that writes
the cards.

This package holds the daemon with its systemd unit, cardctl (the card centre
staff's client of its control socket) and card-termsim (a simulated CT-1
terminal, to try cardd or test a site without hardware).")
# Depends: from the libraries the binaries link (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CARDD_PACKAGE_DIR}/conffiles
  ${CARDD_PACKAGE_DIR}/postinst
  ${CARDD_PACKAGE_DIR}/prerm
  ${CARDD_PACKAGE_DIR}/postrm)
# Maintainer scripts 0755, conffiles 0644, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
