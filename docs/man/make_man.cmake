# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the man page OUT of PROGRAM with help2man from its --help and
# --version output, adding the hand-written sections of INCLUDE. With
# COMMANDS (a ;-list), each `PROGRAM COMMAND --help` that succeeds becomes a
# subsection of a COMMANDS section. VERSION_STRING is given to programs
# without --version. Run with QT_QPA_PLATFORM=offscreen for the window.
set(include_file ${OUT}.h2m)
file(READ ${INCLUDE} sections)
set(commands_text "")
foreach(cmd IN LISTS COMMANDS)
  execute_process(COMMAND ${PROGRAM} ${cmd} --help RESULT_VARIABLE rc OUTPUT_VARIABLE help ERROR_QUIET)
  if(rc EQUAL 0 AND NOT help STREQUAL "")
    # roff: a backslash is \e, and a line must not start with . or '
    string(REPLACE "\\" "\\e" help "${help}")
    string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
    string(APPEND commands_text ".SS ${cmd}\n.nf\n${help}\n.fi\n")
  endif()
endforeach()
if(NOT commands_text STREQUAL "")
  string(APPEND sections "\n[>DESCRIPTION]\n.SH COMMANDS\n${commands_text}")
endif()
file(WRITE ${include_file} "${sections}")
set(args --no-info --no-discard-stderr --include=${include_file} --output=${OUT})
if(DEFINED VERSION_STRING)
  list(APPEND args --version-string=${VERSION_STRING})
endif()
execute_process(COMMAND ${HELP2MAN} ${args} ${PROGRAM} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man ${PROGRAM} failed (${rc}): ${err}")
endif()
