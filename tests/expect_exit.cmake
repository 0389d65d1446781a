# SPDX-License-Identifier: GPL-3.0-or-later
# Runs CMD (a ;-list) and checks its exit code is EXPECT and, if given, that
# its output contains MATCH.
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL ${EXPECT})
  message(FATAL_ERROR "exit ${rc}, expected ${EXPECT}\n${out}\n${err}")
endif()
if(DEFINED MATCH AND NOT "${out}${err}" MATCHES "${MATCH}")
  message(FATAL_ERROR "output does not match '${MATCH}':\n${out}\n${err}")
endif()
