# SPDX-License-Identifier: GPL-3.0-or-later
# Fails unless the newest entry of debian/changelog is VERSION (a native
# package: no Debian revision).
file(STRINGS ${CHANGELOG} first LIMIT_COUNT 1)
if(NOT first MATCHES "^faultline \\(([^)]+)\\)")
  message(FATAL_ERROR "${CHANGELOG}: first line is not 'faultline (VERSION) ...': ${first}")
endif()
if(NOT CMAKE_MATCH_1 STREQUAL VERSION)
  message(FATAL_ERROR "${CHANGELOG} says ${CMAKE_MATCH_1}, project(VERSION) says ${VERSION}")
endif()
