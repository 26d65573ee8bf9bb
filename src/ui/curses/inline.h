/* Image previews printed straight to a terminal, outside curses (the
 * one-shot mode's --preview).  Like the rest of src/ui/curses, this is
 * code that writes escape sequences. */
#ifndef SQUINT_UI_CURSES_INLINE_H
#define SQUINT_UI_CURSES_INLINE_H

#include "img/image.h"
#include "term/probe.h"

/* Print label and a preview of img, at most max_cols x max_rows cells, to
 * fd: sixel or colour blocks as caps says, or just the label line when the
 * terminal shows neither.  Returns 0, or -1 with *err newly allocated. */
int inline_preview_print(int fd, const struct image *img, const char *label,
			 const struct term_caps *caps, int max_cols, int max_rows, char **err);

#endif
