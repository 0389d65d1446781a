# SPDX-License-Identifier: GPL-3.0-or-later
# Copies a recorded session, flipping one digit of the 21st state hash.
file(READ ${IN} text)
string(REGEX MATCHALL "\"[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]\"" hashes "${text}")
list(GET hashes 20 h)
string(SUBSTRING "${h}" 1 1 first)
if(first STREQUAL "0")
  string(REGEX REPLACE "^\"0" "\"1" t "${h}")
else()
  string(REGEX REPLACE "^\"." "\"0" t "${h}")
endif()
string(REPLACE "${h}" "${t}" text "${text}")
file(WRITE ${OUT} "${text}")
