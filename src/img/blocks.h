/* RGBA image -> a grid of coloured symbols, one per terminal cell (libchafa's
 * per-cell API), for terminals without sixel.
 *
 * No escape sequences are produced: the curses layer puts each cell's
 * symbol and colours into its own cells, so ncurses owns them and scrolling,
 * clearing and overlays need nothing special.  The grid covers the cells
 * preview_fit() reports (aspect kept for the cell shape, never enlarged
 * beyond one image pixel per cell pixel).  Transparent pixels are composited
 * on black, as for sixel.  All libchafa (and GLib) calls live here. */
#ifndef SQUINT_IMG_BLOCKS_H
#define SQUINT_IMG_BLOCKS_H

#include <stdint.h>

#include "img/image.h"

/* Flags for blocks_render(). */
#define BLOCKS_ASCII 0x1u /* the locale is not UTF-8: ASCII symbols only */

/* How the curses layer should colour the cells, chosen from its COLORS. */
enum blocks_mode {
	BLOCKS_TRUECOLOR, /* COLORS >= 2^24: use fg/bg as direct colours */
	BLOCKS_256,	  /* COLORS >= 256: use fg_idx/bg_idx (16..255) */
	BLOCKS_16,	  /* COLORS >= 16: use fg_idx/bg_idx (0..15) */
	BLOCKS_8,	  /* COLORS >= 8: use fg_idx/bg_idx (0..7) */
	BLOCKS_MONO,	  /* fewer: default colours, the symbol alone draws */
};

/* One cell: draw ch in fg on bg.  Both colours are always set (a space has
 * fg == bg), so every cell maps to one colour pair. */
struct block_cell {
	uint32_t ch;		/* Unicode code point, one column wide */
	uint32_t fg, bg;	/* 0xRRGGBB (indexed modes: the index's colour;
				   BLOCKS_MONO: white on black, meaning default) */
	int16_t fg_idx, bg_idx; /* palette index in indexed modes, else -1 */
};

/* cols x rows cells, row-major: cell (x, y) is cells[y * cols + x]. */
struct block_grid {
	int cols, rows;
	enum blocks_mode mode;
	struct block_cell *cells; /* owned */
};

/* Return the mode for a terminal with ncurses' COLORS colours. */
enum blocks_mode blocks_mode_for_colors(int colors);

/* Render img into at most max_cols x max_rows cells of cell_w x cell_h
 * pixels (the aspect ratio comes from them) in the given mode, with
 * BLOCKS_ASCII in flags for ASCII symbols.  Returns 0 with *out filled
 * (overwritten; the caller frees it with blocks_grid_free()), or -1 with
 * *err (if err is not NULL) a newly allocated message. */
int blocks_render(const struct image *img, int max_cols, int max_rows, int cell_w, int cell_h,
		  enum blocks_mode mode, unsigned flags, struct block_grid *out, char **err);

/* Free g's cells and zero it (a zeroed struct is fine). */
void blocks_grid_free(struct block_grid *g);

/* For blocks.c alone: libchafa, read as a system header.  chafa's headers
 * trip -Wpedantic (variadic macros called without variadic arguments), and
 * GCC 12 does not let "#pragma GCC diagnostic" silence preprocessor
 * warnings; "system_header" does, and applies only from here to the end of
 * this file, which is nothing but chafa. */
#ifdef SQUINT_BLOCKS_WANT_CHAFA
#pragma GCC system_header
#include <chafa.h>
#endif

#endif
