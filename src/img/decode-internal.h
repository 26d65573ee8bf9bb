/* What the parts of the image decoder share: src/img/decode.c (the entry
 * points, the checks and messages, GIF and WebP), decode-png.c and
 * decode-jpeg.c.  Not for use outside them. */
#ifndef SQUINT_IMG_DECODE_INTERNAL_H
#define SQUINT_IMG_DECODE_INTERNAL_H

#include "img/decode.h"

#include <stddef.h>
#include <stdint.h>

/* What one img_probe() or img_decode() call works on. */
struct decode_job {
	const unsigned char *buf;
	size_t len;
	const char *name;
	const struct img_limits *lim;
	struct image *out; /* NULL when only probing */
	unsigned min_w, min_h; /* a JPEG may be decoded smaller, down to this (upright); 0: full size */
	unsigned fit_w, fit_h; /* a PNG may be decoded straight into this size; 0: full size */
	struct img_info info;
	char **err;
};

/* Return the big-endian 32-bit value at p. */
uint32_t decode_be32(const unsigned char *p);

/* Return the little-endian 32-bit value at p. */
uint32_t decode_le32(const unsigned char *p);

/* Set the "truncated" message for the job's type; return -1. */
int decode_fail_truncated(struct decode_job *job);

/* Set the "damaged" message for the job's type, with the library's words
 * (untranslated, English) in parentheses when there are any; return -1. */
int decode_fail_damaged(struct decode_job *job, const char *why);

/* Set the "out of memory" message for a w×h picture; return -1. */
int decode_fail_memory(struct decode_job *job, unsigned w, unsigned h);

/* Check a picture size read from a header, before anything that size is
 * allocated: no zero sizes, no more pixels than the limit.  On success,
 * record it as the stored size; return 0, or -1 with the message set. */
int decode_check_size(struct decode_job *job, unsigned w, unsigned h);

/* Probe or decode a PNG (src/img/decode-png.c); return 0 or -1. */
int decode_png(struct decode_job *job);

/* Probe or decode a JPEG with libjpeg-turbo, then turn it upright
 * (src/img/decode-jpeg.c); return 0 or -1. */
int decode_jpeg(struct decode_job *job);

#endif
