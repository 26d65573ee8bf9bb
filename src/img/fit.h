/* Upload sizing: how many pixels the chosen model will actually use, and a
 * downscaler good enough that text in screenshots stays legible.
 *
 * Providers scale big images down on their side anyway; sending more
 * pixels than the model sees only costs upload time and latency.  The
 * rules follow the providers' published limits:
 *   OpenAI (gpt-*, chatgpt-*, o1/o3/o4-mini...): within 2048×2048, then at
 *     most 768 px on the short side; within 512×512 with detail=low;
 *   Claude (claude-*): at most 1568 px on the long side and 1.15 megapixels;
 *   anything else: at most 2048 px on the long side.
 * A "vendor/" prefix (openrouter's "anthropic/claude-...") is ignored. */
#ifndef SQUINT_IMG_FIT_H
#define SQUINT_IMG_FIT_H

#include "img/image.h"

#define IMG_MAX_EDGE_AUTO (-1L) /* max_edge: fit to the model */

enum img_fit_rule {
	IMG_FIT_NONE,       /* max_edge 0: the original size */
	IMG_FIT_MANUAL,     /* max_edge > 0: that many pixels on the long side */
	IMG_FIT_OPENAI,     /* 2048×2048 box, then 768 px short side */
	IMG_FIT_OPENAI_LOW, /* detail=low: 512×512 box */
	IMG_FIT_CLAUDE,     /* 1568 px long side, 1.15 megapixels */
	IMG_FIT_OTHER,      /* 2048 px long side */
};

/* Return the rule max_edge (IMG_MAX_EDGE_AUTO or any negative: auto; 0:
 * off; else pixels) picks for model (may be NULL) and detail (may be NULL). */
enum img_fit_rule img_fit_rule(const char *model, const char *detail, long max_edge);
/* Return a static, untranslated phrase for rule, for -v logs ("OpenAI: 2048
 * box, 768 short side", ...). */
const char *img_fit_rule_name(enum img_fit_rule rule);
/* Store in *ow, *oh the size a w×h image is sent at for model, detail and
 * max_edge: the aspect ratio kept, never larger than w×h, never 0. */
void img_fit_size(const char *model, const char *detail, long max_edge, unsigned w, unsigned h, unsigned *ow,
		  unsigned *oh);

/* Resample src to w×h into dst (emptied first; the caller frees it with
 * image_free()).  Shrinking averages the exact area each new pixel covers
 * (a box filter with fractional coverage); enlarging interpolates
 * linearly.  Both work on premultiplied alpha, so transparent edges get no
 * dark fringes.  Return 0, or -1 when w or h is 0 or memory runs out. */
int img_scale(const struct image *src, unsigned w, unsigned h, struct image *dst);

/* Rows of a picture handed out one at a time (by a decoder, say), for
 * img_scale_rows(): row(ctx, y, buf) returns the w*4 RGBA bytes of row y,
 * either written into buf (w*4 bytes) or borrowed from elsewhere (valid
 * until the scaling ends), or NULL on failure.  Rows are asked for once
 * each, in order from 0, possibly not to the last. */
struct img_rows {
	unsigned w, h;
	bool alpha; /* any pixel may be translucent: average premultiplied */
	const unsigned char *(*row)(void *ctx, unsigned y, unsigned char *buf);
	void *ctx;
};

/* Resample the picture src hands out to w×h into dst (emptied first; the
 * caller frees it with image_free()), as img_scale() does, without needing
 * the whole source in memory.  Return 0, or -1 when w or h is 0, memory
 * runs out or a row fails (dst is then empty). */
int img_scale_rows(const struct img_rows *src, unsigned w, unsigned h, struct image *dst);

#endif
