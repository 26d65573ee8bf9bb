#include <config.h>

#include "img/decode-internal.h"

#include <limits.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "img/ahead.h"
#include "img/fit.h"

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
int decode_jpeg(struct decode_job *job)
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
