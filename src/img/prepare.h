/* The upload pipeline for one image file: decode, fit to what the model
 * uses, re-encode to the smallest candidate (img/encode.h), or keep the
 * original bytes when that is not smaller. */
#ifndef SQUINT_IMG_PREPARE_H
#define SQUINT_IMG_PREPARE_H

#include <stddef.h>

#include "core/attach.h"
#include "img/decode.h"
#include "img/encode.h"
#include "img/image.h"

struct img_upload {
	/* The file as given: its type, upright size and byte count. */
	enum image_type orig_type;
	unsigned orig_w, orig_h;
	size_t orig_bytes;
	int orientation; /* EXIF orientation of the original (1: upright) */
	enum img_kind kind;
	/* What is sent. */
	enum image_type type;
	const char *mime; /* static */
	enum img_encoder encoder; /* IMG_ENC_ORIGINAL when sent as is */
	unsigned w, h;
	unsigned char *data; /* plain malloc: a re-encoding or a copy of the original */
	size_t len;
	unsigned ncand;
	struct img_candidate cand[IMG_MAX_CANDIDATES];
	double decode_ms, scale_ms, encode_ms;
	/* "shot.png 3840×2160 356 kB → 1365×768 webp 93 kB", or
	 * "shot.png 800×600 56 kB (sent as is)": for the UI and -v. */
	char *summary;
};

/* Initialise an empty upload. */
void img_upload_init(struct img_upload *u);
/* Free what u owns; it is empty afterwards. */
void img_upload_done(struct img_upload *u);
/* Prepare the len bytes of the image file at file (called name) for
 * sending to model with detail (either may be NULL): decode it within lim
 * (NULL: defaults), fit it (max_edge: IMG_MAX_EDGE_AUTO, 0 for off, or the
 * long edge in pixels), re-encode it at q (NULL: defaults), and fill *out
 * (emptied first).  The original bytes are kept when the image needs no
 * scaling and re-encoding would not make it at least 10% smaller, and when
 * the fitted image would be no smaller than the original for a model whose
 * provider scales to the same size itself (OpenAI, Claude).  A JPEG with an
 * EXIF orientation other than 1 is always re-encoded upright, because
 * providers may ignore EXIF.  Return 0, or -1 with *err (if err is not
 * NULL) set to a newly allocated one-line message naming name. */
int img_prepare_upload(const unsigned char *file, size_t len, const char *name, const char *model,
		       const char *detail, long max_edge, const struct img_limits *lim, const struct img_quality *q,
		       struct img_upload *out, char **err);
/* Do what img_prepare_upload() does, and also hand the fitted, upright
 * pixels (the picture that was encoded) to *fitted when fitted is not NULL
 * (emptied first; the caller frees it with image_free()): previews are
 * made from them instead of decoding the file again. */
int img_prepare_upload_pixels(const unsigned char *file, size_t len, const char *name, const char *model,
			      const char *detail, long max_edge, const struct img_limits *lim,
			      const struct img_quality *q, struct img_upload *out, struct image *fitted, char **err);
/* Return a newly allocated "data:MIME;base64,..." URI of u's bytes (the
 * caller frees it), or NULL when memory runs out: plain malloc, the size
 * comes from the image. */
char *img_upload_data_uri(const struct img_upload *u);

#endif
