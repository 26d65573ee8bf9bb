#include <config.h>

#include "img/decode.h"

#include <limits.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <stdlib.h>
#include <string.h>

#include <gif_lib.h>
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include <webp/decode.h>

#include "i18n.h"
#include "img/ahead.h"
#include "img/fit.h"
#include "img/pngrows.h"

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

/* Fill lim with the defaults. */
void img_limits_default(struct img_limits *lim)
{
	lim->max_pixels = IMG_DEFAULT_MAX_PIXELS;
	lim->max_bytes = IMG_DEFAULT_MAX_BYTES;
}

/* Return the big-endian 32-bit value at p. */
static uint32_t decode_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Return the little-endian 32-bit value at p. */
static uint32_t decode_le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Set the "truncated" message for the job's type; return -1. */
static int decode_fail_truncated(struct decode_job *job)
{
	return image_fail(job->err, job->name, _("the %s data is truncated"), image_type_name(job->info.type));
}

/* Set the "damaged" message for the job's type, with the library's words
 * (untranslated, English) in parentheses when there are any; return -1. */
static int decode_fail_damaged(struct decode_job *job, const char *why)
{
	const char *type = image_type_name(job->info.type);
	if (why && *why)
		return image_fail(job->err, job->name, _("the %s data is damaged (%s)"), type, why);
	return image_fail(job->err, job->name, _("the %s data is damaged"), type);
}

/* Set the "out of memory" message for a w×h picture; return -1. */
static int decode_fail_memory(struct decode_job *job, unsigned w, unsigned h)
{
	return image_fail(job->err, job->name, _("not enough memory to decode a %u×%u image"), w, h);
}

/* Write px / 1e6 to buf (size n) with at most one decimal, rounded up or
 * down as asked, so that a picture just over the limit never prints the
 * limit's own number. */
static void decode_format_mp(char *buf, size_t n, unsigned long long px, int round_up)
{
	unsigned long long tenths = round_up ? (px + 99999) / 100000 : px / 100000;
	if (tenths % 10 == 0)
		snprintf(buf, n, "%llu", tenths / 10);
	else
		snprintf(buf, n, "%llu.%llu", tenths / 10, tenths % 10);
}

/* Check that w×h is within the pixel limit; return 0, or -1 with the
 * message set. */
static int decode_check_pixels(struct decode_job *job, unsigned w, unsigned h)
{
	unsigned long long px = (unsigned long long)w * h;
	unsigned long long max = job->lim->max_pixels;
	if (px > max) {
		/* Limits under a megapixel (tests, tight configurations) would
		 * print as "0", so those are given in pixels. */
		if (max < 1000000)
			return image_fail(job->err, job->name, _("%u×%u is %llu pixels, more than the %llu pixel limit"), w,
					  h, px, max);
		char have[32], limit[32];
		decode_format_mp(have, sizeof have, px, 1);
		decode_format_mp(limit, sizeof limit, max, 0);
		return image_fail(job->err, job->name, _("%u×%u is %s megapixels, more than the %s megapixel limit"), w,
				  h, have, limit);
	}
	return 0;
}

/* Check a picture size read from a header, before anything that size is
 * allocated: no zero sizes, no more pixels than the limit.  On success,
 * record it as the stored size; return 0, or -1 with the message set. */
static int decode_check_size(struct decode_job *job, unsigned w, unsigned h)
{
	if (w == 0 || h == 0)
		return image_fail(job->err, job->name, _("the %s image has zero size (%u×%u)"),
				  image_type_name(job->info.type), w, h);
	if (decode_check_pixels(job, w, h) != 0)
		return -1;
	if (image_buffer_size(w, h) == 0)
		return decode_fail_memory(job, w, h);
	job->info.w = w;
	job->info.h = h;
	return 0;
}

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
static int decode_png(struct decode_job *job)
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

/* libjpeg's error manager, extended so that errors jump back and messages
 * are kept instead of printed. */
struct decode_jpeg_err {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	char msg[JMSG_LENGTH_MAX];
	bool eof; /* libjpeg hit the end of the data and made up the rest */
};

/* Everything decode_jpeg_run() changes after its setjmp, kept outside that
 * function's own locals so that a longjmp leaves it well defined. */
struct decode_jpeg_state {
	struct jpeg_decompress_struct cinfo;
	struct decode_jpeg_err err;
	bool created;
	bool reported; /* the message is set already */
};

/* Keep libjpeg's message and jump back to the setjmp in decode_jpeg_run(). */
static void decode_jpeg_error_exit(j_common_ptr c)
{
	struct decode_jpeg_err *e = (struct decode_jpeg_err *)c->err;
	c->err->format_message(c, e->msg);
	longjmp(e->jump, 1);
}

/* Note warnings (a premature end of data above all) without printing them. */
static void decode_jpeg_emit_message(j_common_ptr c, int level)
{
	struct decode_jpeg_err *e = (struct decode_jpeg_err *)c->err;
	if (level < 0) {
		if (c->err->msg_code == JWRN_JPEG_EOF)
			e->eof = true;
		c->err->num_warnings++;
	}
}

/* Swallow libjpeg's output: nothing below the UI prints. */
static void decode_jpeg_output_message(j_common_ptr c)
{
	(void)c;
}

/* Return the 16-bit value at p, little- or big-endian. */
static unsigned decode_exif16(const unsigned char *p, int le)
{
	return le ? (unsigned)p[1] << 8 | p[0] : (unsigned)p[0] << 8 | p[1];
}

/* Return the 32-bit value at p, little- or big-endian. */
static uint32_t decode_exif32(const unsigned char *p, int le)
{
	return le ? decode_le32(p) : decode_be32(p);
}

/* Return the orientation (1-8) in the n bytes of an APP1 segment, or 1 when
 * it is not Exif or has none.  Every offset is checked against n: the data
 * comes from the file. */
static int decode_exif_orientation(const unsigned char *d, size_t n)
{
	if (n < 6 + 8 || memcmp(d, "Exif\0\0", 6) != 0)
		return 1;
	const unsigned char *t = d + 6; /* the TIFF header; offsets count from here */
	size_t tn = n - 6;
	int le;
	if (t[0] == 'I' && t[1] == 'I')
		le = 1;
	else if (t[0] == 'M' && t[1] == 'M')
		le = 0;
	else
		return 1;
	if (decode_exif16(t + 2, le) != 42)
		return 1;
	uint32_t ifd = decode_exif32(t + 4, le);
	if (ifd < 8 || ifd > tn - 2)
		return 1;
	unsigned count = decode_exif16(t + ifd, le);
	for (unsigned i = 0; i < count; i++) {
		size_t e = (size_t)ifd + 2 + (size_t)i * 12;
		if (e > tn || tn - e < 12)
			break;
		if (decode_exif16(t + e, le) != 0x0112)
			continue;
		/* Orientation is one SHORT, stored in the first two bytes of
		 * the value field. */
		if (decode_exif16(t + e + 2, le) != 3 || decode_exif32(t + e + 4, le) < 1)
			return 1;
		unsigned v = decode_exif16(t + e + 8, le);
		return v >= 1 && v <= 8 ? (int)v : 1;
	}
	return 1;
}

/* Return the EXIF orientation among the APP1 markers libjpeg saved. */
static int decode_jpeg_orientation(j_decompress_ptr cinfo)
{
	for (jpeg_saved_marker_ptr m = cinfo->marker_list; m; m = m->next)
		if (m->marker == JPEG_APP0 + 1 && m->data && m->data_length >= 6 && memcmp(m->data, "Exif\0\0", 6) == 0)
			return decode_exif_orientation(m->data, m->data_length);
	return 1;
}

/* Turn n pixels of C, M, Y, K samples libjpeg wrote at p into RGB in
 * place.  Adobe's files (the common kind) store the inks inverted. */
static void decode_jpeg_cmyk(unsigned char *p, size_t n, int adobe)
{
	for (size_t i = 0; i < n; i++, p += 4) {
		unsigned c = p[0], m = p[1], y = p[2], k = p[3];
		if (!adobe) {
			c = 255 - c;
			m = 255 - m;
			y = 255 - y;
			k = 255 - k;
		}
		p[0] = (unsigned char)((c * k + 127) / 255);
		p[1] = (unsigned char)((m * k + 127) / 255);
		p[2] = (unsigned char)((y * k + 127) / 255);
		p[3] = 255;
	}
}

/* What decode_jpeg_fitted() hands img_scale_rows(). */
struct decode_jpeg_rows {
	struct decode_jpeg_state *st;
	unsigned w;
	bool cmyk;
	bool failed; /* libjpeg's error is in st->err (or eof is set) */
};

/* Read the next scanline into buf; 0, or -1 after libjpeg's error.  The
 * setjmp is here, on the thread that reads (maybe not the caller's). */
static int decode_jpeg_next_row(struct decode_jpeg_rows *r, unsigned char *buf)
{
	if (setjmp(r->st->err.jump)) {
		r->failed = true;
		return -1;
	}
	JSAMPROW row = buf;
	if (jpeg_read_scanlines(&r->st->cinfo, &row, 1) != 1) {
		r->st->err.eof = true; /* as in decode_jpeg_run() */
		r->failed = true;
		return -1;
	}
	return 0;
}

/* The scaler's row(): the next scanline as RGBA in buf, or NULL. */
static const unsigned char *decode_jpeg_row(void *ctx, unsigned y, unsigned char *buf)
{
	struct decode_jpeg_rows *r = ctx;
	(void)y; /* rows come in order */
	if (decode_jpeg_next_row(r, buf) != 0)
		return NULL;
	if (r->cmyk)
		decode_jpeg_cmyk(buf, r->w, r->st->cinfo.saw_Adobe_marker);
	return buf;
}

/* Scale the ow×oh scanlines libjpeg is ready to give into job->out at the
 * fitted size; 0, or -1 as decode_jpeg_run() fails. */
static int decode_jpeg_fitted(struct decode_jpeg_state *st, struct decode_job *job, unsigned ow, unsigned oh,
			      bool cmyk)
{
	struct decode_jpeg_rows r = {st, ow, cmyk, false};
	struct img_rows rows = {ow, oh, false, decode_jpeg_row, &r};
	struct img_ahead *ahead = img_ahead_new(&rows, (size_t)ow * 4, &rows);
	int rc = img_scale_rows(&rows, job->fit_w, job->fit_h, job->out);
	if (ahead)
		img_ahead_finish(ahead);
	if (rc == 0 && !r.failed)
		return 0;
	image_free(job->out);
	if (!r.failed) {
		decode_fail_memory(job, job->fit_w, job->fit_h);
		st->reported = true;
	}
	return -1;
}

/* Run libjpeg on the job; return 0, or -1 after an error (libjpeg's
 * message in st->err.msg unless st->reported says ours is set). */
static int decode_jpeg_run(struct decode_jpeg_state *st, struct decode_job *job)
{
	if (setjmp(st->err.jump))
		return -1;
	jpeg_create_decompress(&st->cinfo);
	st->created = true;
	/* Bound libjpeg's own memory too (progressive files keep every
	 * coefficient): generously above what an allowed picture needs. */
	unsigned long long px = job->lim->max_pixels, cap = px < (1ULL << 40) ? px * 16 + 64000000 : ULLONG_MAX;
	st->cinfo.mem->max_memory_to_use = cap < (unsigned long long)LONG_MAX ? (long)cap : LONG_MAX;
	jpeg_mem_src(&st->cinfo, job->buf, (unsigned long)job->len);
	jpeg_save_markers(&st->cinfo, JPEG_APP0 + 1, 0xFFFF);
	jpeg_read_header(&st->cinfo, TRUE);

	unsigned w = st->cinfo.image_width, h = st->cinfo.image_height;
	int o = decode_jpeg_orientation(&st->cinfo);
	if (decode_check_size(job, w, h) != 0) {
		st->reported = true;
		return -1;
	}
	job->info.orientation = o;
	if (o >= 5) {
		job->info.w = h;
		job->info.h = w;
	}
	if (!job->out)
		return 0;

	int cmyk = st->cinfo.jpeg_color_space == JCS_CMYK || st->cinfo.jpeg_color_space == JCS_YCCK;
	/* libjpeg-turbo writes RGBA with opaque alpha directly, from grey
	 * and YCbCr alike; CMYK is converted by hand below. */
	st->cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_EXT_RGBA;
	/* Shrinking in the inverse DCT (1/2, 1/4, 1/8) skips most of the
	 * decoding work and filters well; the caller finishes the fit. */
	unsigned need_w = o >= 5 ? job->min_h : job->min_w, need_h = o >= 5 ? job->min_w : job->min_h;
	if (need_w && need_h) {
		for (unsigned d = 8; d >= 2; d /= 2)
			if ((w + d - 1) / d >= need_w && (h + d - 1) / d >= need_h) {
				st->cinfo.scale_num = 1;
				st->cinfo.scale_denom = d;
				break;
			}
	}
	jpeg_start_decompress(&st->cinfo);
	unsigned ow = st->cinfo.output_width, oh = st->cinfo.output_height;
	if (ow == 0 || oh == 0 || ow > w || oh > h || st->cinfo.output_components != 4) {
		snprintf(st->err.msg, sizeof st->err.msg, "unexpected output format");
		return -1;
	}
	/* Upright, and still bigger than the fit asked for: straight into
	 * the scaler a row at a time (libjpeg on a second thread for a big
	 * picture), without the whole decoded picture. */
	if (o == 1 && job->fit_w && job->fit_w < ow && job->fit_h < oh)
		return decode_jpeg_fitted(st, job, ow, oh, cmyk);
	if (image_alloc(job->out, ow, oh) != 0) {
		decode_fail_memory(job, ow, oh);
		st->reported = true;
		return -1;
	}
	while (st->cinfo.output_scanline < oh) {
		JSAMPROW row = job->out->rgba + (size_t)st->cinfo.output_scanline * ow * 4;
		if (jpeg_read_scanlines(&st->cinfo, &row, 1) != 1) {
			/* Cannot happen with a memory source (it pads); never
			 * hand out rows that were not written. */
			st->err.eof = true;
			break;
		}
	}
	if (cmyk)
		decode_jpeg_cmyk(job->out->rgba, (size_t)ow * oh, st->cinfo.saw_Adobe_marker);
	return 0;
}

/* Probe or decode a JPEG with libjpeg-turbo, then turn it upright; return 0 or -1. */
static int decode_jpeg(struct decode_job *job)
{
	struct decode_jpeg_state st;
	memset(&st, 0, sizeof st);
	st.cinfo.err = jpeg_std_error(&st.err.pub);
	st.err.pub.error_exit = decode_jpeg_error_exit;
	st.err.pub.emit_message = decode_jpeg_emit_message;
	st.err.pub.output_message = decode_jpeg_output_message;

	int rc = decode_jpeg_run(&st, job);
	if (st.created)
		jpeg_destroy_decompress(&st.cinfo);
	/* A JPEG cut short still "decodes" (libjpeg pads it with grey) with
	 * a warning: sending that to a model would only confuse it. */
	if (rc == 0 && st.err.eof && job->out) {
		image_free(job->out);
		return decode_fail_truncated(job);
	}
	if (rc != 0) {
		if (job->out)
			image_free(job->out);
		if (st.reported)
			return -1;
		if (st.err.eof)
			return decode_fail_truncated(job);
		return decode_fail_damaged(job, st.err.msg);
	}
	job->info.lossless = false;
	job->info.has_alpha = false;
	if (job->out && image_orient(job->out, job->info.orientation) != 0) {
		image_free(job->out);
		return decode_fail_memory(job, job->info.w, job->info.h);
	}
	return 0;
}

/* giflib reads from memory through this cursor. */
struct decode_gif_src {
	const unsigned char *buf;
	size_t len, pos;
	bool short_read; /* giflib asked for more than was left */
};

/* giflib's input function: copy up to n bytes; fewer at the end of the data. */
static int decode_gif_read(GifFileType *g, GifByteType *dst, int n)
{
	struct decode_gif_src *s = g->UserData;
	size_t want = n > 0 ? (size_t)n : 0, avail = s->len - s->pos;
	if (want > avail) {
		want = avail;
		s->short_read = true;
	}
	memcpy(dst, s->buf + s->pos, want);
	s->pos += want;
	return (int)want;
}

/* Set the message for giflib error code e; return -1.  giflib reports a
 * short read under several codes, so the reader's own flag decides. */
static int decode_gif_fail(struct decode_job *job, const struct decode_gif_src *src, int e)
{
	if (src->short_read || e == D_GIF_ERR_READ_FAILED || e == D_GIF_ERR_EOF_TOO_SOON)
		return decode_fail_truncated(job);
	return decode_fail_damaged(job, GifErrorString(e));
}

/* Paint the first frame's pixels onto the canvas (transparent where the
 * frame does not reach or uses the transparent index); return 0 or -1. */
static int decode_gif_frame(struct decode_job *job, GifFileType *g, const struct decode_gif_src *src, int trans)
{
	struct image *img = job->out;
	memset(img->rgba, 0, (size_t)img->w * img->h * 4);
	const GifImageDesc *d = &g->Image;
	const ColorMapObject *cmap = d->ColorMap ? d->ColorMap : g->SColorMap;
	if (d->Width <= 0 || d->Height <= 0)
		return 0;
	GifPixelType *line = malloc((size_t)d->Width);
	if (!line)
		return decode_fail_memory(job, img->w, img->h);
	/* Interlaced rows arrive in four passes: every 8th row from 0, every
	 * 8th from 4, every 4th from 2, every 2nd from 1. */
	static const int start[] = {0, 4, 2, 1}, step[] = {8, 8, 4, 2};
	int pass = 0, y = 0;
	for (int r = 0; r < d->Height; r++) {
		if (DGifGetLine(g, line, d->Width) == GIF_ERROR) {
			free(line);
			return decode_gif_fail(job, src, g->Error);
		}
		int row = r;
		if (d->Interlace) {
			while (y >= d->Height && pass < 3) {
				pass++;
				y = start[pass];
			}
			row = y;
			y += step[pass];
		}
		long cy = (long)d->Top + row;
		if (cy < 0 || cy >= (long)img->h)
			continue;
		unsigned char *out = img->rgba + (size_t)cy * img->w * 4;
		for (int x = 0; x < d->Width; x++) {
			long cx = (long)d->Left + x;
			int idx = line[x];
			if (cx >= (long)img->w || idx == trans)
				continue;
			unsigned char *p = out + (size_t)cx * 4;
			if (cmap && idx < cmap->ColorCount) {
				p[0] = cmap->Colors[idx].Red;
				p[1] = cmap->Colors[idx].Green;
				p[2] = cmap->Colors[idx].Blue;
			} else {
				/* No colour table at all: a grey ramp, as browsers do. */
				p[0] = p[1] = p[2] = (unsigned char)idx;
			}
			p[3] = 255;
		}
	}
	free(line);
	return 0;
}

/* Probe or decode the first frame of a GIF with giflib; return 0 or -1. */
static int decode_gif(struct decode_job *job)
{
	struct decode_gif_src src = {job->buf, job->len, 0, false};
	int gerr = 0;
	GifFileType *g = DGifOpen(&src, decode_gif_read, &gerr);
	if (!g)
		return decode_gif_fail(job, &src, gerr);

	int rc = -1, trans = -1;
	/* Walk extensions up to the first image: its graphic control block
	 * holds the transparent index.  Reading record by record (not
	 * DGifSlurp) means no frame raster is allocated before the size is
	 * checked. */
	for (;;) {
		GifRecordType rt;
		if (DGifGetRecordType(g, &rt) == GIF_ERROR) {
			decode_gif_fail(job, &src, g->Error);
			goto done;
		}
		if (rt == IMAGE_DESC_RECORD_TYPE)
			break;
		if (rt == TERMINATE_RECORD_TYPE) {
			decode_fail_damaged(job, "no image in the file");
			goto done;
		}
		if (rt != EXTENSION_RECORD_TYPE)
			continue;
		int code;
		GifByteType *ext;
		if (DGifGetExtension(g, &code, &ext) == GIF_ERROR) {
			decode_gif_fail(job, &src, g->Error);
			goto done;
		}
		if (code == GRAPHICS_EXT_FUNC_CODE && ext && ext[0] >= 4)
			trans = (ext[1] & 1) ? ext[4] : -1;
		while (ext) {
			if (DGifGetExtensionNext(g, &ext) == GIF_ERROR) {
				decode_gif_fail(job, &src, g->Error);
				goto done;
			}
		}
	}
	if (DGifGetImageDesc(g) == GIF_ERROR) {
		decode_gif_fail(job, &src, g->Error);
		goto done;
	}
	const GifImageDesc *d = &g->Image;
	long w = g->SWidth, h = g->SHeight;
	/* Some writers leave the logical screen at 0×0: the frame decides. */
	if (w <= 0 || h <= 0) {
		w = (long)d->Left + d->Width;
		h = (long)d->Top + d->Height;
	}
	if (decode_check_size(job, (unsigned)(w > 0 ? w : 0), (unsigned)(h > 0 ? h : 0)) != 0)
		goto done;
	/* The frame is decoded whole even where it hangs off the screen: a
	 * 65535×65535 frame on a 1×1 screen is a bomb of another kind. */
	if (d->Width > 0 && d->Height > 0 && decode_check_pixels(job, (unsigned)d->Width, (unsigned)d->Height) != 0)
		goto done;
	job->info.lossless = true;
	job->info.has_alpha = trans >= 0 || d->Left > 0 || d->Top > 0 || d->Left + d->Width < w ||
			      d->Top + d->Height < h;
	if (!job->out) {
		rc = 0;
		goto done;
	}
	if (image_alloc(job->out, (unsigned)w, (unsigned)h) != 0) {
		decode_fail_memory(job, (unsigned)w, (unsigned)h);
		goto done;
	}
	rc = decode_gif_frame(job, g, &src, trans);
	if (rc != 0)
		image_free(job->out);
done:
	DGifCloseFile(g, &gerr);
	return rc;
}

/* Return libwebp's status as words for a "damaged" message; static. */
static const char *decode_webp_status(VP8StatusCode s)
{
	switch (s) {
	case VP8_STATUS_OUT_OF_MEMORY:
		return "out of memory";
	case VP8_STATUS_INVALID_PARAM:
		return "invalid parameter";
	case VP8_STATUS_BITSTREAM_ERROR:
		return "bitstream error";
	case VP8_STATUS_UNSUPPORTED_FEATURE:
		return "unsupported feature";
	default:
		return "";
	}
}

/* Probe or decode a WebP with libwebp into our own buffer; return 0 or -1. */
static int decode_webp(struct decode_job *job)
{
	/* The RIFF header says how long the file is: shorter means cut. */
	int cut = job->len < 12 || (uint64_t)decode_le32(job->buf + 4) + 8 > job->len;
	WebPBitstreamFeatures f;
	VP8StatusCode s = WebPGetFeatures(job->buf, job->len, &f);
	if (s == VP8_STATUS_NOT_ENOUGH_DATA)
		return decode_fail_truncated(job);
	if (s != VP8_STATUS_OK)
		return cut ? decode_fail_truncated(job) : decode_fail_damaged(job, decode_webp_status(s));
	if (f.has_animation)
		return image_fail(job->err, job->name, _("animated WebP images are not supported"));
	if (decode_check_size(job, f.width > 0 ? (unsigned)f.width : 0, f.height > 0 ? (unsigned)f.height : 0) != 0)
		return -1;
	job->info.lossless = f.format == 2;
	job->info.has_alpha = f.has_alpha != 0;
	if (!job->out)
		return 0;
	if (image_alloc(job->out, (unsigned)f.width, (unsigned)f.height) != 0)
		return decode_fail_memory(job, (unsigned)f.width, (unsigned)f.height);
	size_t size = (size_t)f.width * f.height * 4;
	if (!WebPDecodeRGBAInto(job->buf, job->len, job->out->rgba, size, f.width * 4)) {
		image_free(job->out);
		return cut ? decode_fail_truncated(job) : decode_fail_damaged(job, NULL);
	}
	return 0;
}

/* Shared body of img_probe() and img_decode() (out NULL when probing). */
static int decode_any(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
		      unsigned min_w, unsigned min_h, unsigned fit_w, unsigned fit_h, struct image *out,
		      struct img_info *info, char **err)
{
	struct img_limits deflim;
	if (!lim) {
		img_limits_default(&deflim);
		lim = &deflim;
	}
	if (err)
		*err = NULL;
	if (out)
		image_free(out);
	struct decode_job job = {buf, len, name, lim, out, min_w, min_h, fit_w, fit_h,
				 {IMAGE_UNKNOWN, 0, 0, 1, false, false}, err};

	if (len == 0)
		return image_fail(err, name, _("the file is empty"));
	if (len > lim->max_bytes) {
		char *have = image_format_bytes(len);
		char *max = image_format_bytes(lim->max_bytes);
		image_fail(err, name, _("%s is larger than the %s limit"), have, max);
		free(have);
		free(max);
		return -1;
	}
	job.info.type = image_sniff(buf, len);
	int rc;
	switch (job.info.type) {
	case IMAGE_PNG:
		rc = decode_png(&job);
		break;
	case IMAGE_JPEG:
		rc = decode_jpeg(&job);
		break;
	case IMAGE_GIF:
		rc = decode_gif(&job);
		break;
	case IMAGE_WEBP:
		rc = decode_webp(&job);
		break;
	default:
		return image_fail(err, name, _("not an image (it looks like %s)"), image_sniff_describe(buf, len));
	}
	if (rc == 0 && info)
		*info = job.info;
	return rc;
}

/* Read the header only; return 0 or -1 with *err set. */
int img_probe(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
	      struct img_info *info, char **err)
{
	return decode_any(buf, len, name, lim, 0, 0, 0, 0, NULL, info, err);
}

/* Decode to upright RGBA; return 0 or -1 with *err set. */
int img_decode(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
	       struct image *out, struct img_info *info, char **err)
{
	return decode_any(buf, len, name, lim, 0, 0, 0, 0, out, info, err);
}

/* Decode, a JPEG possibly at a fraction of its size; return 0 or -1 with *err set. */
int img_decode_at_least(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
			unsigned min_w, unsigned min_h, struct image *out, struct img_info *info, char **err)
{
	return decode_any(buf, len, name, lim, min_w, min_h, 0, 0, out, info, err);
}

/* Decode and fit to exactly w×h; return 0 or -1 with *err set. */
int img_decode_fitted(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
		      unsigned w, unsigned h, struct image *out, struct img_info *info, char **err)
{
	struct img_info in;
	if (decode_any(buf, len, name, lim, w, h, w, h, out, &in, err) != 0)
		return -1;
	if (info)
		*info = in;
	if (out->w == w && out->h == h)
		return 0;
	struct image small;
	image_init(&small);
	if (img_scale(out, w, h, &small) != 0) {
		image_free(out);
		return image_fail(err, name, _("not enough memory to scale the image to %u×%u"), w, h);
	}
	image_free(out);
	*out = small;
	return 0;
}
