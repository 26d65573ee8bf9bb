/* Images on the curses screen: colour blocks drawn into ncurses' cells, or
 * sixel strings written to the terminal after ncurses has drawn the frame
 * (notes/terminal.md §1.3: invalidate the rows an image left, repaint,
 * then emit).  The frame's images are placements (ui/placement.h) with the
 * picture to draw them from; this module remembers what it emitted last
 * and writes a sixel again only when the placement moved, its crop
 * changed, ncurses wrote any cell on its rows, or the screen was repainted
 * (resize, Ctrl-L, after a suspend).  An image whose cells are not blank in
 * the composed frame (an overlay over it) is not emitted.
 *
 * Encoded renderings are cached (img/preview.h) by image id, box, cell
 * size, palette or block mode, and crop.  Used by screen.c alone. */
#ifndef SQUINT_UI_CURSES_IMAGES_H
#define SQUINT_UI_CURSES_IMAGES_H

#include "img/image.h"
#include "term/probe.h"
#include "ui/placement.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* One image to show this frame: where, and from what. */
struct images_item {
	struct placement p;	 /* screen cells; p.cols x p.rows from preview_fit() */
	const struct image *img; /* the picture (borrowed for the frame) */
	int max_cols, max_rows;	 /* the box p was fitted into */
	bool cells;		 /* colour blocks even on a sixel terminal */
	const char *wait_text;	 /* img NULL: shown dimmed on its first row until it
				    comes (NULL: the rows stay blank) */
};

struct images;

/* Return a new image drawer writing to out (the terminal ncurses writes
 * to) with the probed caps (copied); colour says whether blocks may use
 * colours (start_color() was called).  The caller frees it with
 * images_delete(). */
struct images *images_new(FILE *out, const struct term_caps *caps, bool colour);
/* Free im and its cache (NULL is fine). */
void images_delete(struct images *im);
/* Return the capabilities in use (borrowed). */
const struct term_caps *images_caps(const struct images *im);
/* Note the terminal's size; after a change, re-read the cell size and
 * emit everything again.  Returns true when the cell size changed. */
bool images_sync_size(struct images *im, int lines, int cols);
/* Emit every image again on the next frame (the screen is repainted). */
void images_invalidate(struct images *im);
/* Drop the cached renderings of image id. */
void images_forget(struct images *im, uint64_t id);
/* Draw the block renderings of the n items into stdscr (nothing for sixel),
 * and the wait_text of those without a picture yet. */
void images_draw_cells(struct images *im, const struct images_item *v, int n);
/* Finish the frame instead of refresh(): invalidate rows images left,
 * doupdate(), then write the sixels that need it. */
void images_refresh(struct images *im, const struct images_item *v, int n);

#endif
