# SPDX-License-Identifier: GPL-3.0-or-later
# The GUI benchmark's windows journal their hand-made steps (autosave): they
# must go to the benchmark's own temporary folder, never the user's data
# folder. Runs one benchmark that journals, with HOME a fresh folder and no
# XDG_* variables (as a user's shell has), and checks the journals were
# written, elsewhere, and nothing under HOME.
file(REMOVE_RECURSE ${HOME_DIR})
file(MAKE_DIRECTORY ${HOME_DIR})
set(ENV{HOME} ${HOME_DIR})
foreach(v XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME XDG_STATE_HOME)
  unset(ENV{${v}})
endforeach()
set(ENV{QT_QPA_PLATFORM} offscreen)
execute_process(COMMAND ${BENCH} --benchmark_filter=BM_ManualStepAtDepth/1000/
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the benchmark failed (${rc}):\n${out}\n${err}")
endif()
if(NOT out MATCHES "faultline_gui_bench: ([1-9][0-9]*) autosave journal\\(s\\) in ([^\n]*)")
  message(FATAL_ERROR "the benchmark wrote no journal (the check would prove nothing):\n${out}")
endif()
set(folder "${CMAKE_MATCH_2}")
string(FIND "${folder}" "${HOME_DIR}" at)
if(at EQUAL 0)
  message(FATAL_ERROR "the journals went under HOME: ${folder}")
endif()
file(GLOB_RECURSE left "${HOME_DIR}/*autosave*")
if(left)
  message(FATAL_ERROR "left in HOME: ${left}")
endif()
