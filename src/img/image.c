#include <config.h>

#include "img/image.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"

/* Initialise an empty image. */
void image_init(struct image *img)
{
	img->w = 0;
	img->h = 0;
	img->rgba = NULL;
}

/* Free img's pixels and leave it empty. */
void image_free(struct image *img)
{
	free(img->rgba);
	image_init(img);
}

/* Return the byte size of a w×h RGBA buffer, or 0 when empty or too large. */
size_t image_buffer_size(unsigned w, unsigned h)
{
	if (w == 0 || h == 0 || w > INT_MAX / 4)
		return 0;
	size_t row = (size_t)w * 4;
	if (h > SIZE_MAX / row)
		return 0;
	return row * h;
}

/* Give img a fresh uninitialised w×h buffer; return 0 or -1. */
int image_alloc(struct image *img, unsigned w, unsigned h)
{
	image_free(img);
	size_t n = image_buffer_size(w, h);
	if (n == 0)
		return -1;
	img->rgba = malloc(n);
	if (!img->rgba)
		return -1;
	img->w = w;
	img->h = h;
	return 0;
}

/* Return whether any pixel of img is not fully opaque. */
bool image_has_alpha(const struct image *img)
{
	size_t n = (size_t)img->w * img->h;
	const unsigned char *p = img->rgba;
	/* AND the alpha bytes in blocks so that the common all-opaque case
	 * runs without a branch per pixel. */
	for (size_t i = 0; i < n;) {
		size_t end = n - i > 4096 ? i + 4096 : n;
		unsigned char all = 0xFF;
		for (; i < end; i++)
			all &= p[i * 4 + 3];
		if (all != 0xFF)
			return true;
	}
	return false;
}

/* Turn img upright for EXIF orientation o; return 0, or -1 when out of memory. */
int image_orient(struct image *img, int o)
{
	if (o < 2 || o > 8 || !img->rgba)
		return 0;
	unsigned w = img->w, h = img->h;
	bool swap = o >= 5;
	unsigned ow = swap ? h : w, oh = swap ? w : h;
	uint32_t *dst = malloc((size_t)w * h * 4);
	if (!dst)
		return -1;
	/* Pixels move as whole 32-bit words; memcpy keeps that free of
	 * aliasing and alignment questions (it compiles to one load). */
	const unsigned char *src = img->rgba;
	for (unsigned y = 0; y < oh; y++) {
		uint32_t *out = dst + (size_t)y * ow;
		for (unsigned x = 0; x < ow; x++) {
			unsigned sx, sy;
			switch (o) {
			case 2: /* mirrored */
				sx = w - 1 - x, sy = y;
				break;
			case 3: /* rotated 180° */
				sx = w - 1 - x, sy = h - 1 - y;
				break;
			case 4: /* upside down mirror */
				sx = x, sy = h - 1 - y;
				break;
			case 5: /* transposed */
				sx = y, sy = x;
				break;
			case 6: /* stored rotated 90° counter-clockwise: turn clockwise */
				sx = y, sy = h - 1 - x;
				break;
			case 7: /* transversed */
				sx = w - 1 - y, sy = h - 1 - x;
				break;
			default: /* 8: stored rotated 90° clockwise: turn counter-clockwise */
				sx = w - 1 - y, sy = x;
				break;
			}
			memcpy(&out[x], src + ((size_t)sy * w + sx) * 4, 4);
		}
	}
	free(img->rgba);
	img->rgba = (unsigned char *)dst;
	img->w = ow;
	img->h = oh;
	return 0;
}

/* Return a newly allocated human-readable byte count; the caller frees it. */
char *image_format_bytes(size_t bytes)
{
	if (bytes < 1024)
		return xasprintf(P_("%zu byte", "%zu bytes", bytes), bytes);
	if (bytes < (size_t)1024 * 1024 - 512)
		return xasprintf(_("%zu kB"), (bytes + 512) / 1024);
	/* One decimal for megabytes and up, rounded to nearest. */
	size_t tenths = (size_t)(((double)bytes * 10 / (1024.0 * 1024.0)) + 0.5);
	return xasprintf(_("%zu.%zu MB"), tenths / 10, tenths % 10);
}

/* Store "NAME: TEXT" in *err; return -1. */
int image_fail(char **err, const char *name, const char *fmt, ...)
{
	if (!err)
		return -1;
	struct strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, name ? name : _("image"));
	strbuf_puts(&sb, ": ");
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap2);
	va_end(ap2);
	if (n >= 0 && (size_t)n < sizeof tmp) {
		strbuf_append(&sb, tmp, (size_t)n);
	} else if (n > 0) {
		char *big = xmalloc((size_t)n + 1);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		strbuf_append(&sb, big, (size_t)n);
		free(big);
	}
	va_end(ap);
	*err = strbuf_detach(&sb);
	return -1;
}
