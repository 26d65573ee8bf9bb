/* terminfo.h - what terminfo says of a terminal, without starting curses. */
#ifndef SQUINT_UI_CURSES_TERMINFO_H
#define SQUINT_UI_CURSES_TERMINFO_H

#include <stdbool.h>

/* The colours terminfo gives term, 0 or less for none; -1 with *known
 * false when terminfo has no entry for term. */
int terminfo_colours(const char *term, bool *known);

#endif
