/* terminfo.c - what terminfo says of a terminal (term.h's macros stay
 * out of the screen code). */
#include <config.h>

#include "ui/curses/terminfo.h"

#include <curses.h>
#include <term.h>
#include <unistd.h>

int terminfo_colours(const char *term, bool *known)
{
	int colours = -1, errret = 0;
	if (term && setupterm(term, STDOUT_FILENO, &errret) == OK) {
		colours = tigetnum("colors");
		del_curterm(cur_term);
	}
	*known = errret == 1;
	return colours;
}
