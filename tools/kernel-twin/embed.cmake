# SPDX-License-Identifier: GPL-3.0-or-later
# Writes OUT: the twin runtime's header and source as C++ string constants.
file(READ ${HDR} hdr)
file(READ ${SRC} src)
file(WRITE ${OUT} "// Generated from twin_rt.h and twin_rt.c by embed.cmake.\n"
  "namespace faultline::kernel {\n"
  "extern const char* const kTwinRtHeader = R\"TWRT(${hdr})TWRT\";\n"
  "extern const char* const kTwinRtSource = R\"TWRT(${src})TWRT\";\n"
  "}\n")
