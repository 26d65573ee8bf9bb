/* RGBA image -> sixel string in memory (libsixel), sized in whole cells.
 *
 * The image is scaled (img_scale) into the pixel box of max_cols x max_rows
 * cells, keeping its aspect ratio and never enlarged (preview_fit() in
 * preview.h gives the cells it covers, so the layout can reserve them before
 * anything is encoded).  The output may be cropped to a range of cell rows
 * for partly visible images; it never draws outside its cells: sixel paints
 * in bands of six pixel rows, so the height drawn is cut to a multiple of 6
 * that fits the rows (at most 5 pixel rows of the last cell stay blank).
 *
 * Transparency: transparent pixels are composited on black (the usual
 * terminal background) before quantising.  The alternative, P2=1 with a
 * key colour, costs a palette entry and leaves whatever the cells held
 * visible through the image, which with ncurses' idea of those cells is
 * not ours to rely on.
 *
 * The colour count is the terminal's registers (term_caps.colors), clamped
 * to 2..256.  The palette is computed once per scaled image (sixel_prep),
 * so every crop of it has the same colours and skips quantising.  There is
 * no dithering: it made the strings 1.5x (Floyd-Steinberg) to 5x
 * (positional) bigger on screenshots, and a crop then matches the
 * uncropped picture pixel for pixel.
 *
 * Output is 7-bit: ESC P ... q ... ESC \. All libsixel calls live here. */
#ifndef SQUINT_IMG_SIXEL_H
#define SQUINT_IMG_SIXEL_H

#include <stddef.h>

#include "img/image.h"

/* One encoded sixel image, ready to write at the top-left of its cells. */
struct sixel_out {
	char *data; /* the DCS string, ESC P ... ESC \, NUL-terminated; owned */
	size_t len;
	int px_w, px_h; /* pixels drawn: px_w <= cols*cell_w, px_h <= rows*cell_h */
	int cols, rows; /* cells covered (rows: the cropped rows actually drawn) */
};

/* A scaled image with its palette: encode it as many crops as needed. */
struct sixel_prep;

/* Free out's string and zero it (a zeroed struct is fine). */
void sixel_out_free(struct sixel_out *out);

/* Scale img into max_cols x max_rows cells of cell_w x cell_h pixels and
 * compute its palette of colors entries (<= 0: 256).  On success returns 0
 * and *out, which the caller frees with sixel_prep_delete(); on failure
 * returns -1 with *err (if err is not NULL) a newly allocated message. */
int sixel_prep_new(const struct image *img, int max_cols, int max_rows, int cell_w, int cell_h,
		   int colors, struct sixel_prep **out, char **err);

/* Free sp (NULL is fine). */
void sixel_prep_delete(struct sixel_prep *sp);

/* Return the cells sp covers uncropped, in *cols and *rows. */
void sixel_prep_cells(const struct sixel_prep *sp, int *cols, int *rows);

/* Return the bytes sp holds (for cache accounting). */
size_t sixel_prep_bytes(const struct sixel_prep *sp);

/* Encode cell rows crop_top .. crop_top+crop_rows-1 of sp (crop_rows <= 0:
 * all rows from crop_top on) into *out (overwritten; the caller frees it
 * with sixel_out_free()).  Returns 0, or -1 with *err set when crop_top is
 * not a row of the image or libsixel fails. */
int sixel_prep_encode(struct sixel_prep *sp, int crop_top, int crop_rows, struct sixel_out *out,
		      char **err);

/* One-shot: sixel_prep_new() + sixel_prep_encode() + sixel_prep_delete().
 * Returns 0 with *out filled (the caller frees it with sixel_out_free()),
 * or -1 with *err set. */
int sixel_render(const struct image *img, int max_cols, int max_rows, int cell_w, int cell_h,
		 int crop_top, int crop_rows, int colors, struct sixel_out *out, char **err);

#endif
