#include <config.h>

#include "img/pngrows.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/xalloc.h"
#include "img/ahead.h"
#include "img/fit.h"

bool png_rows_supported(int bit_depth, int color_type, int interlace, bool trns)
{
	if (bit_depth != 8 || interlace != 0)
		return false;
	/* A tRNS colour key on RGB would need comparing every pixel; on RGBA
	 * it is invalid, and libpng's handling of it is its own. */
	return color_type == 3 || ((color_type == 2 || color_type == 6) && !trns);
}

/* Return the big-endian 32-bit number at p. */
static uint32_t pngrows_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The inflating side: the zlib stream of the IDAT chunks, a raw row
 * (filter byte and samples) at a time.  Runs on the read-ahead thread. */
struct pngrows_inflate {
	const unsigned char *buf;
	size_t len;
	size_t next;   /* offset of the chunk after the current IDAT's CRC */
	z_stream z;
	size_t raw_bytes;
	unsigned h;
	bool ended;    /* the zlib stream ended */
};

/* Move to the next chunk's data, which must be a whole IDAT with a right
 * CRC (libpng checks it, and takes nothing else between IDATs); 0 or -1. */
static int pngrows_next_idat(struct pngrows_inflate *s)
{
	size_t off = s->next;
	if (off > s->len || s->len - off < 12)
		return -1;
	uint32_t n = pngrows_be32(s->buf + off);
	if (memcmp(s->buf + off + 4, "IDAT", 4) != 0 || n > s->len - off - 12 || n > UINT32_MAX - 4)
		return -1;
	const unsigned char *type = s->buf + off + 4;
	if (crc32(0L, type, (uInt)n + 4) != pngrows_be32(type + 4 + n))
		return -1;
	s->z.next_in = (Bytef *)(uintptr_t)(type + 4);
	s->z.avail_in = (uInt)n;
	s->next = off + 12 + n;
	return 0;
}

/* Check the current IDAT (its header is before off) and take its data. */
static int pngrows_first_idat(struct pngrows_inflate *s, size_t off)
{
	if (off < 16 || off > s->len)
		return -1;
	s->next = off - 8;
	return pngrows_next_idat(s);
}

/* Inflate until out is full or the stream ends; 0, or -1 on any error. */
static int pngrows_inflate_into(struct pngrows_inflate *s, unsigned char *out, size_t n, size_t *got)
{
	s->z.next_out = out;
	s->z.avail_out = (uInt)n;
	while (s->z.avail_out > 0 && !s->ended) {
		while (s->z.avail_in == 0)
			if (pngrows_next_idat(s) != 0)
				return -1;
		int rc = inflate(&s->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			s->ended = true;
		else if (rc != Z_OK)
			return -1;
	}
	*got = n - s->z.avail_out;
	return 0;
}

/* The inflating side's row(): raw row y into buf (raw_bytes long). */
static const unsigned char *pngrows_raw_row(void *ctx, unsigned y, unsigned char *buf)
{
	struct pngrows_inflate *s = ctx;
	size_t got;
	if (pngrows_inflate_into(s, buf, s->raw_bytes, &got) != 0 || got != s->raw_bytes)
		return NULL;
	if (y + 1 == s->h) {
		/* The last row: the stream must end here, with nothing left in
		 * its chunk.  Anything else libpng takes its own way. */
		unsigned char extra;
		if (pngrows_inflate_into(s, &extra, 1, &got) != 0 || got != 0 || !s->ended ||
		    s->z.avail_in != 0)
			return NULL;
	}
	return buf;
}

/* The unfiltering side: raw rows in, RGBA rows out, for the scaler. */
struct pngrows_unfilter {
	struct img_rows raw; /* hands out raw rows (read ahead, or inflated here) */
	const struct png_rows_info *info;
	size_t raw_bytes;
	unsigned bpp;	      /* bytes a pixel: the filters' distance */
	unsigned char *cur, *prev; /* raw_bytes each; prev is the row above, unfiltered */
	unsigned char rgba[256][4]; /* the palette with its alpha */
};

/* Undo the Paeth filter of the n bytes at p against up, pixels of bpp
 * bytes.  The bytes of one pixel are independent of each other, so with
 * bpp a constant (inlined below) the compiler keeps them in flight
 * together and the chain of dependent work is per pixel, not per byte;
 * the predictor is written without the branches a byte's luck decides. */
static inline void pngrows_paeth(unsigned char *restrict p, const unsigned char *restrict up, size_t n,
				 unsigned bpp)
{
	size_t i;
	for (i = 0; i < bpp; i++)
		p[i] = (unsigned char)(p[i] + up[i]); /* Paeth(0, b, 0) is b */
	for (; i + bpp <= n; i += bpp)
		for (unsigned k = 0; k < bpp; k++) {
			int a = p[i + k - bpp], b = up[i + k], c = up[i + k - bpp];
			int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
			int pred = pb <= pc ? b : c;
			pred = pa <= pb && pa <= pc ? a : pred;
			p[i + k] = (unsigned char)(p[i + k] + pred);
		}
}

/* Undo the filter of the raw row r (filter byte first) against the row
 * above, prev (unfiltered, filter byte first); 0, or -1 for an unknown
 * filter type. */
static int pngrows_unfilter_row(unsigned char *restrict r, const unsigned char *restrict prev, size_t n,
				unsigned bpp)
{
	unsigned char *restrict p = r + 1;
	const unsigned char *restrict up = prev + 1;
	size_t i;
	switch (r[0]) {
	case 0:
		break;
	case 1:
		for (i = bpp; i < n; i++)
			p[i] = (unsigned char)(p[i] + p[i - bpp]);
		break;
	case 2:
		for (i = 0; i < n; i++)
			p[i] = (unsigned char)(p[i] + up[i]);
		break;
	case 3:
		for (i = 0; i < bpp; i++)
			p[i] = (unsigned char)(p[i] + (up[i] >> 1));
		for (; i < n; i++)
			p[i] = (unsigned char)(p[i] + ((p[i - bpp] + up[i]) >> 1));
		break;
	case 4:
		if (bpp == 3)
			pngrows_paeth(p, up, n, 3);
		else if (bpp == 4)
			pngrows_paeth(p, up, n, 4);
		else
			pngrows_paeth(p, up, n, 1);
		break;
	default:
		return -1;
	}
	return 0;
}

/* The scaler's row(): the next row as RGBA in buf, or NULL when the file
 * is not clean. */
static const unsigned char *pngrows_rgba_row(void *ctx, unsigned y, unsigned char *buf)
{
	struct pngrows_unfilter *u = ctx;
	const unsigned char *r = u->raw.row(u->raw.ctx, y, u->cur);
	if (!r)
		return NULL;
	if (r != u->cur)
		memcpy(u->cur, r, u->raw_bytes);
	size_t n = u->raw_bytes - 1;
	if (pngrows_unfilter_row(u->cur, u->prev, n, u->bpp) != 0)
		return NULL;
	const unsigned char *p = u->cur + 1;
	unsigned w = u->info->w;
	switch (u->info->color_type) {
	case 6:
		memcpy(buf, p, n);
		break;
	case 2:
		for (unsigned x = 0; x < w; x++, p += 3) {
			buf[4 * x] = p[0];
			buf[4 * x + 1] = p[1];
			buf[4 * x + 2] = p[2];
			buf[4 * x + 3] = 255;
		}
		break;
	default: {
		int n_palette = u->info->n_palette;
		for (unsigned x = 0; x < w; x++) {
			if (p[x] >= n_palette)
				return NULL; /* libpng's business */
			memcpy(buf + 4 * x, u->rgba[p[x]], 4);
		}
		break;
	}
	}
	unsigned char *t = u->cur;
	u->cur = u->prev;
	u->prev = t;
	return buf;
}

int png_rows_scale(const unsigned char *buf, size_t len, size_t off, const struct png_rows_info *info,
		   unsigned fw, unsigned fh, struct image *out)
{
	image_free(out);
	unsigned channels = info->color_type == 6 ? 4 : info->color_type == 2 ? 3 : 1;
	if (info->w == 0 || info->h == 0 || info->w > (UINT32_MAX - 1) / 4 ||
	    (info->color_type == 3 && (!info->palette || info->n_palette < 1 || info->n_palette > 256)))
		return -1;

	struct pngrows_inflate in;
	memset(&in, 0, sizeof in);
	in.buf = buf;
	in.len = len;
	in.raw_bytes = 1 + (size_t)info->w * channels;
	in.h = info->h;
	if (in.raw_bytes > UINT32_MAX || pngrows_first_idat(&in, off) != 0)
		return -1;
	/* Window size from the zlib header, and the Adler-32 not checked:
	 * as libpng does here (PNG_IGNORE_ADLER32). */
	if (inflateInit2(&in.z, 0) != Z_OK)
		return -1;
	inflateValidate(&in.z, 0);

	struct pngrows_unfilter u;
	memset(&u, 0, sizeof u);
	u.info = info;
	u.raw_bytes = in.raw_bytes;
	u.bpp = channels;
	u.cur = xalloc_try_malloc(in.raw_bytes);
	u.prev = xalloc_try_calloc(1, in.raw_bytes); /* the row above the first: zeros */
	for (int i = 0; info->color_type == 3 && i < info->n_palette; i++) {
		memcpy(u.rgba[i], info->palette + 3 * i, 3);
		u.rgba[i][3] = i < info->n_trans && info->trans ? info->trans[i] : 255;
	}
	int rc = -1;
	if (u.cur && u.prev) {
		struct img_rows raw = {info->w, info->h, info->alpha, pngrows_raw_row, &in};
		struct img_ahead *ahead = img_ahead_new(&raw, in.raw_bytes, &raw);
		u.raw = raw;
		struct img_rows rows = {info->w, info->h, info->alpha, pngrows_rgba_row, &u};
		rc = img_scale_rows(&rows, fw, fh, out);
		if (ahead && img_ahead_finish(ahead))
			rc = -1;
	}
	inflateEnd(&in.z);
	free(u.cur);
	free(u.prev);
	if (rc != 0)
		image_free(out);
	return rc;
}
