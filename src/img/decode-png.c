#include <config.h>

#include "img/decode-internal.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "i18n.h"
#include "img/ahead.h"
#include "img/fit.h"
#include "img/pngrows.h"

/* Return whether the chunks of a PNG run past the end of the data before
 * IEND: then a failure is truncation, not damage. */
static int decode_png_truncated(const unsigned char *buf, size_t len)
{
	size_t off = 8;
	while (off < len) {
		if (len - off < 12)
			return 1;
		size_t n = decode_be32(buf + off);
		if (memcmp(buf + off + 4, "IEND", 4) == 0)
			return 0;
		if (n > len - off - 12)
			return 1;
		off += 12 + n;
	}
	return 1;
}

/* libpng's state for one PNG, kept outside the functions that setjmp so
 * that a longjmp leaves it well defined. */
struct decode_png_state {
	png_structp png;
	png_infop info;
	const unsigned char *buf;
	size_t len, off;
	char msg[160]; /* libpng's last error, untranslated */
	bool ended;    /* libpng wanted bytes past the end of the data */
	bool rows_ok;  /* png_rows_scale() can read the pixels: ... */
	struct png_rows_info rows; /* ... what it needs from the header */
	unsigned char palette[256 * 3], trans[256];
};

/* Keep libpng's message and jump back to the caller's setjmp. */
static void decode_png_error(png_structp png, png_const_charp msg)
{
	struct decode_png_state *st = png_get_error_ptr(png);
	snprintf(st->msg, sizeof st->msg, "%s", msg ? msg : "");
	png_longjmp(png, 1);
}

/* Swallow libpng's warnings: nothing below the UI prints. */
static void decode_png_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Set the message for libpng's failure on st: truncated when libpng ran
 * out of data or the chunks run past the end, else damaged; return -1. */
static int decode_png_fail(struct decode_job *job, const struct decode_png_state *st)
{
	if (st->ended || decode_png_truncated(st->buf, st->len))
		return decode_fail_truncated(job);
	return decode_fail_damaged(job, st->msg);
}

/* Feed libpng from memory; running out is an error (a truncated file). */
static void decode_png_read(png_structp png, png_bytep data, size_t n)
{
	struct decode_png_state *st = png_get_io_ptr(png);
	if (n > st->len - st->off) {
		st->ended = true;
		png_error(png, "unexpected end of data");
	}
	memcpy(data, st->buf + st->off, n);
	st->off += n;
}

/* Note in st whether png_rows_scale() can read the pixels, and what it
 * needs to: the header as libpng read it, before any transformation. */
static void decode_png_rows_info(struct decode_png_state *st, int depth, int ct, bool trns,
				 const struct decode_job *job)
{
	st->rows_ok = png_rows_supported(depth, ct, png_get_interlace_type(st->png, st->info), trns);
	if (!st->rows_ok)
		return;
	struct png_rows_info *ri = &st->rows;
	memset(ri, 0, sizeof *ri);
	ri->w = job->info.w;
	ri->h = job->info.h;
	ri->color_type = ct;
	ri->alpha = job->info.has_alpha;
	if (ct != PNG_COLOR_TYPE_PALETTE)
		return;
	png_colorp pal = NULL;
	int npal = 0;
	if (!png_get_PLTE(st->png, st->info, &pal, &npal) || npal < 1 || npal > 256) {
		st->rows_ok = false;
		return;
	}
	for (int i = 0; i < npal; i++) {
		st->palette[3 * i] = pal[i].red;
		st->palette[3 * i + 1] = pal[i].green;
		st->palette[3 * i + 2] = pal[i].blue;
	}
	ri->palette = st->palette;
	ri->n_palette = npal;
	png_bytep alpha = NULL;
	int ntrans = 0;
	if (trns && png_get_tRNS(st->png, st->info, &alpha, &ntrans, NULL) && alpha && ntrans > 0) {
		if (ntrans > 256)
			ntrans = 256;
		memcpy(st->trans, alpha, (size_t)ntrans);
		ri->trans = st->trans;
		ri->n_trans = ntrans;
	}
}

/* Set st up and read the header with libpng, asking for 8-bit RGBA rows
 * whatever the file holds (palette, grey, 16-bit, tRNS: libpng's
 * transformations); 0, or -1 with the message set.  The zlib checksum of
 * the pixel data is not checked: it costs a few per cent of decoding, and
 * damage it would catch shows as wrong pixels anyway (chunk CRCs still
 * are). */
static int decode_png_start(struct decode_job *job, struct decode_png_state *st)
{
	st->buf = job->buf;
	st->len = job->len;
	st->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, st, decode_png_error, decode_png_warning);
	if (!st->png || !(st->info = png_create_info_struct(st->png)))
		return decode_fail_memory(job, job->info.w, job->info.h);
	if (setjmp(png_jmpbuf(st->png)))
		return decode_png_fail(job, st);
	png_set_read_fn(st->png, st, decode_png_read);
#ifdef PNG_IGNORE_ADLER32
	png_set_option(st->png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
#endif
	/* The limits were checked from IHDR already; libpng's own cap
	 * (1000000 px) would refuse what the configuration allows. */
	png_set_user_limits(st->png, 0x7fffffff, 0x7fffffff);
	png_read_info(st->png, st->info);
	int depth = png_get_bit_depth(st->png, st->info);
	int ct = png_get_color_type(st->png, st->info);
	bool trns = png_get_valid(st->png, st->info, PNG_INFO_tRNS) != 0;
	job->info.lossless = true;
	job->info.has_alpha = (ct & PNG_COLOR_MASK_ALPHA) || trns;
	if (!job->out)
		return 0;
	decode_png_rows_info(st, depth, ct, trns, job);
	if (ct == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(st->png);
	if (ct == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(st->png);
	if (trns)
		png_set_tRNS_to_alpha(st->png);
	if (depth == 16)
		png_set_strip_16(st->png);
	if (ct == PNG_COLOR_TYPE_GRAY || ct == PNG_COLOR_TYPE_GRAY_ALPHA)
		png_set_gray_to_rgb(st->png);
	if (!(ct & PNG_COLOR_MASK_ALPHA) && !trns)
		png_set_filler(st->png, 0xff, PNG_FILLER_AFTER);
	(void)png_set_interlace_handling(st->png);
	png_read_update_info(st->png, st->info);
	if (png_get_rowbytes(st->png, st->info) != (size_t)job->info.w * 4)
		return decode_fail_damaged(job, "unexpected row size");
	return 0;
}

/* Free what libpng holds for st. */
static void decode_png_finish(struct decode_png_state *st)
{
	if (st->png)
		png_destroy_read_struct(&st->png, st->info ? &st->info : NULL, NULL);
}

/* Read every row of the image st was started on into out (allocated
 * here); 0, or -1 with the message set and out empty. */
static int decode_png_pixels(struct decode_job *job, struct decode_png_state *st)
{
	unsigned w = job->info.w, h = job->info.h;
	png_bytep *rows = malloc(sizeof *rows * h);
	if (!rows || image_alloc(job->out, w, h) != 0) {
		free(rows);
		return decode_fail_memory(job, w, h);
	}
	for (unsigned y = 0; y < h; y++)
		rows[y] = job->out->rgba + (size_t)y * w * 4;
	if (setjmp(png_jmpbuf(st->png))) {
		free(rows);
		image_free(job->out);
		return decode_png_fail(job, st);
	}
	png_read_image(st->png, rows);
	free(rows);
	return 0;
}

static int decode_png_fitted(struct decode_job *job, unsigned w, unsigned h);

/* Probe or decode a PNG; return 0 or -1. */
int decode_png(struct decode_job *job)
{
	const unsigned char *buf = job->buf;
	size_t len = job->len;
	/* The size comes straight from IHDR, so that the limits are checked
	 * before libpng sees anything. */
	if (len < 33)
		return decode_fail_truncated(job);
	if (memcmp(buf + 12, "IHDR", 4) != 0 || decode_be32(buf + 8) != 13)
		return decode_fail_damaged(job, "no IHDR chunk first");
	if (decode_check_size(job, decode_be32(buf + 16), decode_be32(buf + 20)) != 0)
		return -1;

	struct decode_png_state st;
	memset(&st, 0, sizeof st);
	/* Straight into the fitted size, a row at a time, when shrinking
	 * a non-interlaced PNG: the full-size picture never exists. */
	if (job->out && job->fit_w && job->fit_w < job->info.w && job->fit_h < job->info.h && buf[28] == 0)
		return decode_png_fitted(job, job->fit_w, job->fit_h);
	int rc = decode_png_start(job, &st);
	if (rc == 0 && job->out)
		rc = decode_png_pixels(job, &st);
	decode_png_finish(&st);
	return rc;
}

/* What img_decode_fitted() hands img_scale_rows() for a PNG. */
struct decode_png_rows {
	struct decode_png_state st;
	struct decode_job *job;
	bool failed; /* the message is set */
};

/* Read the next row of r's PNG into buf; 0, or -1 with the message set. */
static int decode_png_next_row(struct decode_png_rows *r, unsigned char *buf)
{
	if (setjmp(png_jmpbuf(r->st.png))) {
		r->failed = true;
		decode_png_fail(r->job, &r->st);
		return -1;
	}
	png_read_row(r->st.png, buf, NULL);
	return 0;
}

/* Decode the next row of the PNG at ctx into buf; buf, or NULL on failure. */
static const unsigned char *decode_png_row(void *ctx, unsigned y, unsigned char *buf)
{
	(void)y; /* rows come in order */
	return decode_png_next_row(ctx, buf) == 0 ? buf : NULL;
}

/* Decode a non-interlaced PNG straight into a w×h scaling of it, one row
 * at a time; 0, or -1 with the message set. */
static int decode_png_fitted(struct decode_job *job, unsigned w, unsigned h)
{
	struct decode_png_rows r;
	memset(&r, 0, sizeof r);
	r.job = job;
	struct image *out = job->out;
	int rc = decode_png_start(job, &r.st);
	if (rc == 0 && r.st.rows_ok) {
		/* libpng read the header; the pixels are faster without it.  A
		 * file png_rows_scale() finds anything wrong with goes to
		 * libpng after all, from the start, for libpng's verdict. */
		if (png_rows_scale(job->buf, job->len, r.st.off, &r.st.rows, w, h, out) == 0) {
			decode_png_finish(&r.st);
			return 0;
		}
		decode_png_finish(&r.st);
		memset(&r, 0, sizeof r);
		r.job = job;
		rc = decode_png_start(job, &r.st);
	}
	if (rc == 0) {
		struct img_rows rows = {job->info.w, job->info.h, job->info.has_alpha, decode_png_row, &r};
		/* A big picture is inflated and unfiltered on a second thread
		 * while this one scales: for a 3840×2160 screenshot libpng and
		 * zlib take about 70% of the time, the scaling the rest. */
		struct img_ahead *ahead = img_ahead_new(&rows, (size_t)job->info.w * 4, &rows);
		rc = img_scale_rows(&rows, w, h, out);
		if (ahead)
			img_ahead_finish(ahead); /* r.failed tells */
		if (rc != 0 && !r.failed)
			rc = image_fail(job->err, job->name, _("not enough memory to scale the image to %u×%u"), w, h);
	}
	decode_png_finish(&r.st);
	return rc;
}
