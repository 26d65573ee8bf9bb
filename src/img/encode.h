/* RGBA pixels -> the smallest file a provider accepts (the candidates and
 * the choice between them; img/prepare.h is the whole upload pipeline).
 *
 * Screenshots and flat graphics only get lossless or near-lossless
 * candidates (PNG, lossless WebP, near-lossless WebP): lossy codecs smear
 * text.  Photos get lossy WebP and JPEG (JPEG only without transparency),
 * and PNG only when 256 colours will do (a truecolour PNG of a photo is
 * never the smallest, and slow to make).  The smallest candidate wins. */
#ifndef SQUINT_IMG_ENCODE_H
#define SQUINT_IMG_ENCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/attach.h"
#include "img/decode.h"
#include "img/image.h"

enum img_kind {
	IMG_KIND_SCREENSHOT, /* few colours, large flat areas: keep it lossless */
	IMG_KIND_PHOTO,      /* continuous tone: lossy codecs do well */
};

enum img_encoder {
	IMG_ENC_PNG,
	IMG_ENC_WEBP_LOSSLESS,
	IMG_ENC_WEBP_NEAR_LOSSLESS,
	IMG_ENC_WEBP_LOSSY,
	IMG_ENC_JPEG,
	IMG_ENC_ORIGINAL, /* the file's own bytes, unchanged */
};

#define IMG_MAX_CANDIDATES 4

struct img_quality {
	int webp;          /* lossy WebP quality for photos, 0-100 */
	int jpeg;          /* JPEG quality for photos, 1-100 */
	int near_lossless; /* WebP near-lossless level for screenshots, 0-100 (100: plain lossless) */
	int png_level;     /* zlib level for PNG, 0-9: 9 is 4× slower than 6 for 1-2% */
};

/* Near-lossless 80 rather than 60: with lossless method 1 (encode.c) it
 * was as small on the 4K screenshot fitted to 1365 and 2048 px (41012 and
 * 72672 B against 41102 and 73392), 12% faster to make (medians of 9: 77
 * against 88 ms at 1365 px) and closer to the original; on two smaller
 * terminal screenshots it was 0-6% larger. */
#define IMG_QUALITY_DEFAULT {85, 85, 80, 6}

/* One encoding tried by img_encode_best(), for -v and benchmarks. */
struct img_candidate {
	enum img_encoder encoder;
	size_t bytes; /* 0 when it failed */
	double ms;    /* time it took */
};

struct img_encoded {
	unsigned char *data; /* plain malloc; the owner frees it with img_encoded_done() */
	size_t len;
	enum image_type type;
	const char *mime; /* static */
	enum img_encoder encoder;
	unsigned ncand; /* the candidates img_encode_best() tried, in order */
	struct img_candidate cand[IMG_MAX_CANDIDATES];
};

/* Fill q with the defaults (WebP 85, JPEG 85, near-lossless 80, PNG level 6). */
void img_quality_default(struct img_quality *q);
/* Return a static name for enc ("png", "webp-lossless", "webp-near-lossless",
 * "webp", "jpeg", "original"). */
const char *img_encoder_name(enum img_encoder enc);

/* Return whether img looks like a screenshot or flat graphic (from a sample:
 * few distinct colours, or many pixels equal to their left neighbour) or
 * like a photo. */
enum img_kind img_classify(const struct image *img);

/* Initialise an empty encoding. */
void img_encoded_init(struct img_encoded *e);
/* Free what e owns; it is empty afterwards. */
void img_encoded_done(struct img_encoded *e);
/* Encode img with enc (not IMG_ENC_ORIGINAL) at quality q (NULL: defaults)
 * into *out (emptied first).  Return 0, or -1 with *err (if err is not NULL)
 * set to a newly allocated message without a file name, which the caller
 * frees. */
int img_encode(const struct image *img, enum img_encoder enc, const struct img_quality *q, struct img_encoded *out,
	       char **err);
/* Encode img with every candidate allowed for kind and keep the smallest in
 * *out (emptied first), recording every candidate tried.  Return 0, or -1
 * with *err set as for img_encode() when none worked. */
int img_encode_best(const struct image *img, enum img_kind kind, const struct img_quality *q,
		    struct img_encoded *out, char **err);

#endif
