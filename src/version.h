/* squint --version: the versions of squint and of every library it uses. */
#ifndef SQUINT_VERSION_H
#define SQUINT_VERSION_H

#include <stdio.h>

/* Write "squint VERSION" and then one "LIBRARY VERSION" line per library
 * to out.  Versions come from the libraries at run time where they say
 * (libcurl, json-c, ncursesw, libpng, libwebp, libunistring) and from the
 * headers or pkg-config at build time otherwise. */
void version_print(FILE *out);

#endif
