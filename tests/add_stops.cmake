# SPDX-License-Identifier: GPL-3.0-or-later
# Copies a recorded session, adding breakpoints and watchpoints to its
# recording: one that hits (ZP.3, where the bit is lost), a disabled one, one
# naming no kernel function and one of the wrong shape (both left out with a
# warning), and a watchpoint on the pte that loses its uffd-wp bit.
file(READ ${IN} text)
string(REGEX REPLACE "\"recording\": *{"
  "\"recording\": {\"breakpoints\": [\"ZP.3\", {\"at\": \"do_fault_around\", \"enabled\": false}, \"no_such_function\", {\"at\": 5}],\n  \"watchpoints\": [\"A.pte[8].uffd_wp\"],\n  "
  text "${text}")
file(WRITE ${OUT} "${text}")
