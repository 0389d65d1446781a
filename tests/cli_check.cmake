# SPDX-License-Identifier: GPL-3.0-or-later
# Runs `faultline-cli check` on every session in DIR; fails on a non-zero exit
# (a failed expectation, or a session without any).
file(GLOB sessions ${DIR}/*.json)
execute_process(COMMAND ${CLI} check ${sessions} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "faultline-cli check failed (exit ${rc})")
endif()
