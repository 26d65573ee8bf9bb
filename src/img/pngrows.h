#ifndef SQUINT_IMG_PNGROWS_H
#define SQUINT_IMG_PNGROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "img/image.h"

/* The pixel rows of a common PNG read without libpng, to shrink big
 * screenshots faster: zlib's inflating runs on a second thread while this
 * one unfilters the rows and scales them (libpng does both on one).  Only
 * for what screenshots are: 8 bits a sample, not interlaced, RGB, RGBA or
 * a palette.  libpng has read everything before the pixels (all of its
 * checks), and stays the reference: any file this reader does not find
 * perfectly clean (a bad CRC, a zlib error, data too short or too long, a
 * filter type or palette index out of range, no memory) is left to
 * libpng, which reports it as it always did.  So whenever this succeeds,
 * libpng would have given exactly the same pixels (the fuzzer checks). */

/* What libpng found in the header. */
struct png_rows_info {
	unsigned w, h;
	int color_type;			  /* 2 RGB, 6 RGBA, 3 palette */
	const unsigned char *palette;	  /* 3 bytes an entry (colour type 3) */
	int n_palette;
	const unsigned char *trans;	  /* alpha of the first n_trans entries */
	int n_trans;
	bool alpha;			  /* scale premultiplied */
};

/* Whether png_rows_scale() can read a PNG of this kind. */
bool png_rows_supported(int bit_depth, int color_type, int interlace, bool trns);

/* Scale the PNG in buf (len bytes) to fw×fh into out, its pixel data
 * starting at buf + off: the data of an IDAT chunk whose length and type
 * are the 8 bytes before.  Return 0, or -1 (out empty) when the file is
 * not clean or memory runs out: decode it with libpng then. */
int png_rows_scale(const unsigned char *buf, size_t len, size_t off, const struct png_rows_info *info,
		   unsigned fw, unsigned fh, struct image *out);

#endif
