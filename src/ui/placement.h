/* Where images are on the screen: the visible part of each image among the
 * pane's lines, cropped at cell rows.  Pure: no curses, no I/O.
 *
 * An image is laid out as image_rows consecutive lines of the chat view
 * (struct cv_line with image_id set); whatever scrolling leaves of those
 * lines on screen is one placement: the screen row of its first visible
 * line, and the crop (rows hidden above the pane, rows shown). */
#ifndef SQUINT_UI_PLACEMENT_H
#define SQUINT_UI_PLACEMENT_H

#include "ui/chatview.h"

#include <stdbool.h>
#include <stdint.h>

/* One image's visible part, in screen cells. */
struct placement {
	uint64_t id;
	int row, col;	/* the top-left cell of what is shown */
	int cols, rows; /* the whole image's cells */
	int crop_top;	/* cell rows of the image above what is shown */
	int crop_rows;	/* cell rows shown */
};

/* Find the images among the n lines drawn from screen row top down, only
 * the first max_rows of them counting (the rows images may use), at column
 * col; store at most max placements in out and return how many. */
int placement_from_lines(const struct cv_line *const *lines, int n, int top, int max_rows, int col,
			 struct placement *out, int max);

/* Return whether a and b show the same thing at the same place. */
bool placement_equal(const struct placement *a, const struct placement *b);

#endif
