/* Image files in memory -> RGBA pixels: PNG (libpng), JPEG (libjpeg-turbo,
 * EXIF orientation applied), GIF (giflib, first frame) and WebP (libwebp).
 *
 * The type comes from the magic bytes, never from the name.  Sizes are
 * checked from the header before any pixel buffer exists, so a small file
 * that claims a huge picture is refused without allocating it.  Failures
 * are one translated line naming the file; the libraries' own messages
 * are collected, never printed. */
#ifndef SQUINT_IMG_DECODE_H
#define SQUINT_IMG_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/attach.h"
#include "img/image.h"

#define IMG_DEFAULT_MAX_PIXELS 100000000ULL            /* 100 megapixels */
#define IMG_DEFAULT_MAX_BYTES ((size_t)50 * 1024 * 1024) /* 50 MB, checked by the caller before reading */

struct img_limits {
	unsigned long long max_pixels; /* refuse pictures with more pixels than this */
	size_t max_bytes;              /* refuse files larger than this */
};

struct img_info {
	enum image_type type;
	unsigned w, h;     /* the upright size: width and height swapped for orientations 5-8 */
	int orientation;   /* EXIF orientation 1-8 of a JPEG; 1 for everything else */
	bool lossless;     /* PNG, GIF and lossless WebP: re-encoding lossily would lose detail */
	bool has_alpha;    /* the file can carry transparency (alpha channel, tRNS, GIF transparent index) */
};

/* Fill lim with the defaults (100 megapixels, 50 MB). */
void img_limits_default(struct img_limits *lim);

/* Read what the header of the len bytes at buf says (type, upright size,
 * orientation, ...) into *info without decoding any pixels, and check the
 * limits (lim NULL: the defaults).  Return 0, or -1 with *err (if err is not
 * NULL) set to a newly allocated one-line message naming name, which the
 * caller frees. */
int img_probe(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
	      struct img_info *info, char **err);

/* Decode the image file in the len bytes at buf into *out (emptied first;
 * its pixels are the caller's to free with image_free()), upright, with
 * the first frame of an animation; fill *info (may be NULL) as
 * img_probe() does.  Return 0, or -1 with out empty and *err set as for
 * img_probe(). */
int img_decode(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
	       struct image *out, struct img_info *info, char **err);

/* Decode like img_decode(), except that a JPEG may come out at 1/2, 1/4 or
 * 1/8 of its size (libjpeg scales in the inverse DCT: several times faster,
 * and a good filter) as long as it stays at least min_w×min_h upright; the
 * caller scales the rest of the way.  *info still has the full size.
 * Other formats, and 0 for min_w or min_h, decode at full size. */
int img_decode_at_least(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
			unsigned min_w, unsigned min_h, struct image *out, struct img_info *info, char **err);

/* Decode like img_decode_at_least() and scale the result to exactly w×h
 * (upright; neither 0) into *out.  A non-interlaced PNG that shrinks is
 * decoded a row at a time straight into the scaler, so its full-size
 * pixels are never held; a JPEG is first decoded at the smallest DCT
 * scale that covers w×h.  *info has the full size.  Return 0, or -1 with
 * out empty and *err set as for img_probe(). */
int img_decode_fitted(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
		      unsigned w, unsigned h, struct image *out, struct img_info *info, char **err);

#endif
