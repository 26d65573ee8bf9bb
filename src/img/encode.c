#include <config.h>

#include "img/encode.h"

#include <limits.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jpeglib.h>
#include <png.h>
#include <webp/encode.h>

#include "core/xalloc.h"
#include "i18n.h"
#include "img/fit.h"

/* Fill q with the defaults. */
void img_quality_default(struct img_quality *q)
{
	struct img_quality d = IMG_QUALITY_DEFAULT;
	*q = d;
}

/* Return a static name for enc. */
const char *img_encoder_name(enum img_encoder enc)
{
	switch (enc) {
	case IMG_ENC_PNG:
		return "png";
	case IMG_ENC_WEBP_LOSSLESS:
		return "webp-lossless";
	case IMG_ENC_WEBP_NEAR_LOSSLESS:
		return "webp-near-lossless";
	case IMG_ENC_WEBP_LOSSY:
		return "webp";
	case IMG_ENC_JPEG:
		return "jpeg";
	case IMG_ENC_ORIGINAL:
		break;
	}
	return "original";
}

/* Return a monotonic time in milliseconds. */
static double encode_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Store a newly allocated copy of msg in *err (when err is set); return -1. */
static int encode_fail(char **err, const char *msg)
{
	if (err)
		*err = xstrdup(msg);
	return -1;
}

/* Return the kind of img, from a grid sample of at most 256×256 pixels. */
enum img_kind img_classify(const struct image *img)
{
	if (!img->rgba || img->w == 0 || img->h == 0)
		return IMG_KIND_SCREENSHOT;
	unsigned nx = img->w < 256 ? img->w : 256, ny = img->h < 256 ? img->h : 256;
	size_t samples = (size_t)nx * ny;
	/* A set of the sampled colours: open addressing, at most 1/2 full. */
	enum { SLOTS = 1 << 17 };
	uint32_t *keys = malloc(sizeof *keys * SLOTS);
	unsigned char *used = calloc(SLOTS, 1);
	size_t distinct = 0, equal = 0, compared = 0;
	for (unsigned j = 0; j < ny; j++) {
		size_t y = (size_t)j * img->h / ny;
		const unsigned char *row = img->rgba + y * img->w * 4;
		for (unsigned i = 0; i < nx; i++) {
			size_t x = (size_t)i * img->w / nx;
			uint32_t v;
			memcpy(&v, row + x * 4, 4);
			if (x > 0) {
				compared++;
				equal += memcmp(row + x * 4, row + (x - 1) * 4, 4) == 0;
			}
			if (!keys || !used)
				continue;
			uint32_t slot = (v * 2654435761u) >> 15;
			while (used[slot] && keys[slot] != v)
				slot = (slot + 1) & (SLOTS - 1);
			if (!used[slot]) {
				used[slot] = 1;
				keys[slot] = v;
				distinct++;
			}
		}
	}
	int have_set = keys && used;
	free(keys);
	free(used);
	/* Screens are mostly runs of one colour (backgrounds, panels, the
	 * space between glyphs) and use few colours; photos have sensor noise
	 * and gradients, so neighbours rarely match exactly.  Doubtful cases
	 * lean towards "screenshot": a lossless encoding of a photo is merely
	 * bigger, a lossy encoding of text is worse to read. */
	if (compared > 0 && equal * 100 >= compared * 35)
		return IMG_KIND_SCREENSHOT;
	if (have_set && (distinct <= 16 || distinct * 20 <= samples))
		return IMG_KIND_SCREENSHOT;
	return IMG_KIND_PHOTO;
}

/* Initialise an empty encoding. */
void img_encoded_init(struct img_encoded *e)
{
	memset(e, 0, sizeof *e);
	e->type = IMAGE_UNKNOWN;
}

/* Free what e owns. */
void img_encoded_done(struct img_encoded *e)
{
	free(e->data);
	img_encoded_init(e);
}

/* A growable output buffer (plain realloc: its size follows the image). */
struct encode_buf {
	unsigned char *data;
	size_t len, cap;
};

/* Append n bytes to b; return 0, or -1 when memory runs out. */
static int encode_buf_append(struct encode_buf *b, const void *p, size_t n)
{
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap - b->len < n) {
			if (cap > SIZE_MAX / 2)
				return -1;
			cap *= 2;
		}
		unsigned char *d = realloc(b->data, cap);
		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

/* How a PNG will store an image: the smallest lossless colour form. */
struct encode_png_plan {
	int color_type;
	int bit_depth;
	unsigned npal;
	png_color pal[256];
	png_byte trans[256];
	unsigned ntrans;
	/* Colour -> palette index: open addressing over 1024 slots. */
	uint32_t keys[1024];
	short index[1024]; /* -1: empty */
};

/* Return the pixel at p as a 32-bit key; every fully transparent pixel is
 * the same key, because its colour does not show. */
static uint32_t encode_png_key(const unsigned char *p)
{
	uint32_t v;
	if (p[3] == 0)
		return 0;
	memcpy(&v, p, 4);
	return v;
}

/* Return the slot of v in plan's colour table (empty or holding v). */
static unsigned encode_png_slot(const struct encode_png_plan *plan, uint32_t v)
{
	unsigned slot = (v * 2654435761u) >> 22;
	while (plan->index[slot] >= 0 && plan->keys[slot] != v)
		slot = (slot + 1) & 1023;
	return slot;
}

/* Look at every pixel of img and fill plan: palette (with tRNS) when 256
 * colours or fewer are used, else grey or RGB, with alpha only if needed.
 * Return whether there are more than 256 colours; quick stops as soon as
 * that is known (plan is then incomplete). */
static bool encode_png_analyse(const struct image *img, struct encode_png_plan *plan, bool quick)
{
	memset(plan->index, 0xFF, sizeof plan->index);
	plan->npal = 0;
	plan->ntrans = 0;
	unsigned n = 0;
	bool opaque = true, grey = true, many = false;
	uint32_t colours[256];
	size_t count = (size_t)img->w * img->h;
	uint32_t last = 0;
	const unsigned char *p = img->rgba;
	for (size_t i = 0; i < count; i++, p += 4) {
		uint32_t v = encode_png_key(p);
		if (i > 0 && v == last)
			continue; /* runs are the norm in screenshots */
		last = v;
		if (p[3] != 255)
			opaque = false;
		if (p[0] != p[1] || p[1] != p[2])
			grey = false;
		if (!many) {
			unsigned slot = encode_png_slot(plan, v);
			if (plan->index[slot] < 0) {
				if (n == 256) {
					many = true;
				} else {
					plan->keys[slot] = v;
					plan->index[slot] = (short)n;
					colours[n++] = v;
				}
			}
		}
		if (many && ((!grey && !opaque) || quick))
			break; /* nothing left to learn: RGBA, or only "many" asked */
	}
	if (!many && !(grey && opaque && n > 16)) {
		/* Palette, translucent entries first so that tRNS stays short. */
		unsigned order[256], k = 0;
		for (int pass = 0; pass < 2; pass++)
			for (unsigned c = 0; c < n; c++) {
				unsigned char *b = (unsigned char *)&colours[c];
				if ((b[3] != 255) == (pass == 0))
					order[k++] = c;
			}
		for (unsigned c = 0; c < n; c++) {
			const unsigned char *b = (const unsigned char *)&colours[order[c]];
			plan->pal[c].red = b[0];
			plan->pal[c].green = b[1];
			plan->pal[c].blue = b[2];
			plan->trans[c] = b[3];
			if (b[3] != 255)
				plan->ntrans = c + 1;
			plan->index[encode_png_slot(plan, colours[order[c]])] = (short)c;
		}
		plan->npal = n;
		plan->color_type = PNG_COLOR_TYPE_PALETTE;
		plan->bit_depth = n <= 2 ? 1 : n <= 4 ? 2 : n <= 16 ? 4 : 8;
	} else if (grey) {
		plan->color_type = opaque ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_GRAY_ALPHA;
		plan->bit_depth = 8;
	} else {
		plan->color_type = opaque ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA;
		plan->bit_depth = 8;
	}
	return many;
}

/* Convert row y of img to the plan's form (one byte per palette index,
 * packed later by libpng) in out. */
static void encode_png_row(const struct image *img, const struct encode_png_plan *plan, unsigned y,
			   unsigned char *out)
{
	const unsigned char *p = img->rgba + (size_t)y * img->w * 4;
	unsigned w = img->w;
	switch (plan->color_type) {
	case PNG_COLOR_TYPE_PALETTE: {
		uint32_t last = 0;
		unsigned char idx = 0;
		for (unsigned x = 0; x < w; x++, p += 4) {
			uint32_t v = encode_png_key(p);
			if (x == 0 || v != last) {
				last = v;
				idx = (unsigned char)plan->index[encode_png_slot(plan, v)];
			}
			out[x] = idx;
		}
		break;
	}
	case PNG_COLOR_TYPE_GRAY:
		for (unsigned x = 0; x < w; x++)
			out[x] = p[x * 4];
		break;
	case PNG_COLOR_TYPE_GRAY_ALPHA:
		for (unsigned x = 0; x < w; x++) {
			out[x * 2] = p[x * 4 + 3] ? p[x * 4] : 0;
			out[x * 2 + 1] = p[x * 4 + 3];
		}
		break;
	case PNG_COLOR_TYPE_RGB:
		for (unsigned x = 0; x < w; x++) {
			out[x * 3] = p[x * 4];
			out[x * 3 + 1] = p[x * 4 + 1];
			out[x * 3 + 2] = p[x * 4 + 2];
		}
		break;
	default:
		/* Zero the colour of invisible pixels: it compresses better. */
		for (unsigned x = 0; x < w; x++) {
			uint32_t v = encode_png_key(p + x * 4);
			memcpy(out + x * 4, &v, 4);
		}
		break;
	}
}

/* libpng's state while writing, outside encode_png_run()'s locals so that
 * its longjmp leaves it well defined. */
struct encode_png_state {
	png_structp png;
	png_infop info;
	struct encode_buf buf;
	unsigned char *row;
	char msg[128];
};

/* Keep libpng's error message and jump back into encode_png_run(). */
static void encode_png_error(png_structp png, png_const_charp msg)
{
	struct encode_png_state *st = png_get_error_ptr(png);
	snprintf(st->msg, sizeof st->msg, "%s", msg);
	png_longjmp(png, 1);
}

/* Ignore libpng's warnings: nothing below the UI prints. */
static void encode_png_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* libpng's output function: append to the memory buffer. */
static void encode_png_write(png_structp png, png_bytep data, size_t n)
{
	struct encode_png_state *st = png_get_io_ptr(png);
	if (encode_buf_append(&st->buf, data, n) != 0)
		png_error(png, "out of memory");
}

/* libpng's flush function: nothing to flush in memory. */
static void encode_png_flush(png_structp png)
{
	(void)png;
}

/* Write img as a PNG per plan into st->buf; return 0, or -1 (message in st->msg). */
static int encode_png_run(struct encode_png_state *st, const struct image *img, const struct encode_png_plan *plan,
			  int level)
{
	st->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, st, encode_png_error, encode_png_warning);
	if (!st->png)
		return -1;
	st->info = png_create_info_struct(st->png);
	if (!st->info)
		return -1;
	if (setjmp(png_jmpbuf(st->png)))
		return -1;
	png_set_write_fn(st->png, st, encode_png_write, encode_png_flush);
	png_set_IHDR(st->png, st->info, img->w, img->h, plan->bit_depth, plan->color_type, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (plan->color_type == PNG_COLOR_TYPE_PALETTE) {
		png_set_PLTE(st->png, st->info, plan->pal, (int)plan->npal);
		if (plan->ntrans)
			png_set_tRNS(st->png, st->info, plan->trans, (int)plan->ntrans, NULL);
	}
	png_set_compression_level(st->png, level);
	png_set_compression_mem_level(st->png, 9);
	/* Filters do not help indexed colour; adaptive filtering is the
	 * best general choice for the rest. */
	png_set_filter(st->png, PNG_FILTER_TYPE_BASE,
		       plan->color_type == PNG_COLOR_TYPE_PALETTE ? PNG_FILTER_NONE : PNG_ALL_FILTERS);
	png_write_info(st->png, st->info);
	if (plan->bit_depth < 8)
		png_set_packing(st->png);
	for (unsigned y = 0; y < img->h; y++) {
		encode_png_row(img, plan, y, st->row);
		png_write_row(st->png, st->row);
	}
	png_write_end(st->png, NULL);
	return 0;
}

/* Encode img as the smallest lossless PNG form into out; return 0 or -1. */
static int encode_png(const struct image *img, int level, struct img_encoded *out, char **err)
{
	struct encode_png_plan *plan = malloc(sizeof *plan);
	struct encode_png_state st;
	memset(&st, 0, sizeof st);
	st.row = malloc((size_t)img->w * 4);
	if (!plan || !st.row) {
		free(plan);
		free(st.row);
		return encode_fail(err, _("not enough memory to encode the image as PNG"));
	}
	encode_png_analyse(img, plan, false);
	int rc = encode_png_run(&st, img, plan, level < 0 ? 0 : level > 9 ? 9 : level);
	png_destroy_write_struct(&st.png, &st.info);
	free(st.row);
	free(plan);
	if (rc != 0) {
		free(st.buf.data);
		if (err)
			*err = xasprintf(_("could not encode the image as PNG (%s)"), st.msg[0] ? st.msg : "libpng");
		return -1;
	}
	out->data = st.buf.data;
	out->len = st.buf.len;
	out->type = IMAGE_PNG;
	return 0;
}

/* Encode img as WebP (lossless, near-lossless or lossy per enc) into out;
 * return 0 or -1. */
static int encode_webp(const struct image *img, enum img_encoder enc, const struct img_quality *q,
		       struct img_encoded *out, char **err)
{
	WebPConfig cfg;
	if (!WebPConfigInit(&cfg))
		return encode_fail(err, _("could not encode the image as WebP (libwebp version mismatch)"));
	if (enc == IMG_ENC_WEBP_LOSSY) {
		WebPConfigPreset(&cfg, WEBP_PRESET_PHOTO, (float)q->webp);
		cfg.method = 4;
	} else {
		/* Lossless "quality" is effort.  Of methods 0-3 at quality
		 * 0, 50 and 100, tried on the 4K screenshot fitted to 1365
		 * and 2048 px, method 1 at quality 50 came within 0.3% of the
		 * smallest file (near-lossless 60: 41102 and 73392 B; level
		 * 3 of WebPConfigLosslessPreset, used before: 41234 and
		 * 73170 B) in about 60% of the time, touching 40% less
		 * memory (4.9k against 7.8k page faults at 1365 px; fresh
		 * processes, medians of 5). */
		cfg.lossless = 1;
		cfg.method = 1;
		cfg.quality = 50;
		if (enc == IMG_ENC_WEBP_NEAR_LOSSLESS)
			cfg.near_lossless = q->near_lossless;
	}
	/* libwebp may use a second thread inside one encoding (lossy
	 * analysis, lossless trial configurations): wall time, not work. */
	cfg.thread_level = 1;
	if (!WebPValidateConfig(&cfg))
		return encode_fail(err, _("could not encode the image as WebP (invalid settings)"));

	WebPPicture pic;
	if (!WebPPictureInit(&pic))
		return encode_fail(err, _("could not encode the image as WebP (libwebp version mismatch)"));
	if (img->w > WEBP_MAX_DIMENSION || img->h > WEBP_MAX_DIMENSION)
		return encode_fail(err, _("the image is too large for WebP"));
	pic.use_argb = cfg.lossless;
	pic.width = (int)img->w;
	pic.height = (int)img->h;
	if (!WebPPictureImportRGBA(&pic, img->rgba, (int)img->w * 4)) {
		WebPPictureFree(&pic);
		return encode_fail(err, _("not enough memory to encode the image as WebP"));
	}
	WebPMemoryWriter wr;
	WebPMemoryWriterInit(&wr);
	pic.writer = WebPMemoryWrite;
	pic.custom_ptr = &wr;
	int ok = WebPEncode(&cfg, &pic);
	int code = pic.error_code;
	WebPPictureFree(&pic);
	if (ok) {
		/* Our own copy, so that every encoding is released with free(). */
		out->data = malloc(wr.size ? wr.size : 1);
		if (out->data) {
			memcpy(out->data, wr.mem, wr.size);
			out->len = wr.size;
		}
	}
	WebPMemoryWriterClear(&wr);
	if (!ok) {
		if (err)
			*err = xasprintf(_("could not encode the image as WebP (error %d)"), code);
		return -1;
	}
	if (!out->data)
		return encode_fail(err, _("not enough memory to encode the image as WebP"));
	out->type = IMAGE_WEBP;
	return 0;
}

/* libjpeg's error manager, extended so that errors jump back instead of exiting. */
struct encode_jpeg_err {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	char msg[JMSG_LENGTH_MAX];
};

/* libjpeg's state while compressing, outside encode_jpeg_run()'s locals so
 * that its longjmp leaves it well defined. */
struct encode_jpeg_state {
	struct jpeg_compress_struct cinfo;
	struct encode_jpeg_err err;
	unsigned char *mem; /* malloc'ed by libjpeg's memory destination */
	unsigned long memlen;
	bool created;
};

/* Keep libjpeg's message and jump back into encode_jpeg_run(). */
static void encode_jpeg_error_exit(j_common_ptr c)
{
	struct encode_jpeg_err *e = (struct encode_jpeg_err *)c->err;
	c->err->format_message(c, e->msg);
	longjmp(e->jump, 1);
}

/* Swallow libjpeg's messages: nothing below the UI prints. */
static void encode_jpeg_output_message(j_common_ptr c)
{
	(void)c;
}

/* Compress img (its alpha ignored) into st->mem; return 0 or -1. */
static int encode_jpeg_run(struct encode_jpeg_state *st, const struct image *img, int quality)
{
	if (setjmp(st->err.jump))
		return -1;
	jpeg_create_compress(&st->cinfo);
	st->created = true;
	jpeg_mem_dest(&st->cinfo, &st->mem, &st->memlen);
	st->cinfo.image_width = img->w;
	st->cinfo.image_height = img->h;
	st->cinfo.input_components = 4;
	st->cinfo.in_color_space = JCS_EXT_RGBX;
	jpeg_set_defaults(&st->cinfo);
	jpeg_set_quality(&st->cinfo, quality, TRUE);
	/* Optimised Huffman tables: a few percent smaller for little time. */
	st->cinfo.optimize_coding = TRUE;
	jpeg_start_compress(&st->cinfo, TRUE);
	while (st->cinfo.next_scanline < img->h) {
		JSAMPROW row = img->rgba + (size_t)st->cinfo.next_scanline * img->w * 4;
		jpeg_write_scanlines(&st->cinfo, &row, 1);
	}
	jpeg_finish_compress(&st->cinfo);
	return 0;
}

/* Encode img (opaque) as a JPEG at q->jpeg into out; return 0 or -1. */
static int encode_jpeg(const struct image *img, const struct img_quality *q, struct img_encoded *out, char **err)
{
	if (img->w > JPEG_MAX_DIMENSION || img->h > JPEG_MAX_DIMENSION)
		return encode_fail(err, _("the image is too large for JPEG"));
	struct encode_jpeg_state st;
	memset(&st, 0, sizeof st);
	st.cinfo.err = jpeg_std_error(&st.err.pub);
	st.err.pub.error_exit = encode_jpeg_error_exit;
	st.err.pub.output_message = encode_jpeg_output_message;
	int quality = q->jpeg < 1 ? 1 : q->jpeg > 100 ? 100 : q->jpeg;
	int rc = encode_jpeg_run(&st, img, quality);
	if (st.created)
		jpeg_destroy_compress(&st.cinfo);
	if (rc != 0) {
		free(st.mem);
		if (err)
			*err = xasprintf(_("could not encode the image as JPEG (%s)"), st.err.msg);
		return -1;
	}
	out->data = st.mem;
	out->len = st.memlen;
	out->type = IMAGE_JPEG;
	return 0;
}

/* Encode img with enc into out; return 0 or -1 with *err set. */
int img_encode(const struct image *img, enum img_encoder enc, const struct img_quality *q, struct img_encoded *out,
	       char **err)
{
	struct img_quality defq;
	if (!q) {
		img_quality_default(&defq);
		q = &defq;
	}
	img_encoded_done(out);
	if (err)
		*err = NULL;
	if (!img->rgba || img->w == 0 || img->h == 0)
		return encode_fail(err, _("there is no image to encode"));
	int rc;
	switch (enc) {
	case IMG_ENC_PNG:
		rc = encode_png(img, q->png_level, out, err);
		break;
	case IMG_ENC_WEBP_LOSSLESS:
	case IMG_ENC_WEBP_NEAR_LOSSLESS:
	case IMG_ENC_WEBP_LOSSY:
		rc = encode_webp(img, enc, q, out, err);
		break;
	case IMG_ENC_JPEG:
		rc = encode_jpeg(img, q, out, err);
		break;
	default:
		return encode_fail(err, _("there is no encoder for the original bytes"));
	}
	if (rc != 0)
		return -1;
	out->encoder = enc;
	out->mime = image_type_mime(out->type);
	return 0;
}

/* Return whether img has more than 256 colours (or the check ran out of memory). */
static bool encode_many_colours(const struct image *img)
{
	struct encode_png_plan *plan = malloc(sizeof *plan);
	if (!plan)
		return true;
	bool many = encode_png_analyse(img, plan, true);
	free(plan);
	return many;
}

/* Encode with every candidate for kind; keep the smallest; return 0 or -1. */
int img_encode_best(const struct image *img, enum img_kind kind, const struct img_quality *q,
		    struct img_encoded *out, char **err)
{
	struct img_quality defq;
	if (!q) {
		img_quality_default(&defq);
		q = &defq;
	}
	img_encoded_done(out);
	if (err)
		*err = NULL;
	enum img_encoder list[IMG_MAX_CANDIDATES];
	unsigned n = 0;
	bool many = img->rgba && encode_many_colours(img); /* once: it reads every pixel */
	if (kind == IMG_KIND_SCREENSHOT) {
		/* libwebp ignores near_lossless when it can use a palette:
		 * the same bytes again would only cost time.  Otherwise
		 * near-lossless alone: on 4K editor screenshots fitted to
		 * 1365 and 2048 px it was 13% and 11% smaller than plain
		 * lossless, which cost as long again for nothing. */
		if (q->near_lossless < 100 && many)
			list[n++] = IMG_ENC_WEBP_NEAR_LOSSLESS;
		else
			list[n++] = IMG_ENC_WEBP_LOSSLESS;
		/* Measured on 4K editor screenshots fitted to 1365 and 2048 px:
		 * lossless WebP was 2.4x smaller than PNG and PNG cost 30-76 ms.
		 * PNG is only worth a try when a palette will do, or when the
		 * image is beyond WebP's 16383 px. */
		if (img->rgba && (!many || img->w > 16383 || img->h > 16383))
			list[n++] = IMG_ENC_PNG;
	} else {
		list[n++] = IMG_ENC_WEBP_LOSSY;
		if (img->rgba && !image_has_alpha(img))
			list[n++] = IMG_ENC_JPEG;
		/* A truecolour PNG of continuous tone is many times larger
		 * than a lossy encoding, and slow to make: PNG is only worth
		 * a try when a palette will do. */
		if (img->rgba && !many)
			list[n++] = IMG_ENC_PNG;
	}
	struct img_quality pq = *q;
	if (kind == IMG_KIND_PHOTO && pq.png_level > 3)
		pq.png_level = 3; /* PNG rarely wins on photos: do not spend effort on it */

	struct img_candidate cand[IMG_MAX_CANDIDATES];
	char *first_err = NULL;
	struct img_encoded best, cur;
	img_encoded_init(&best);
	img_encoded_init(&cur);
	for (unsigned i = 0; i < n; i++) {
		char *e = NULL;
		double t0 = encode_now_ms();
		int rc = img_encode(img, list[i], list[i] == IMG_ENC_PNG ? &pq : q, &cur, &e);
		cand[i].encoder = list[i];
		cand[i].ms = encode_now_ms() - t0;
		cand[i].bytes = rc == 0 ? cur.len : 0;
		if (rc != 0) {
			if (!first_err)
				first_err = e;
			else
				free(e);
			continue;
		}
		if (!best.data || cur.len < best.len) {
			img_encoded_done(&best);
			best = cur;
			img_encoded_init(&cur);
		} else {
			img_encoded_done(&cur);
		}
	}
	if (!best.data) {
		if (err)
			*err = first_err ? first_err : xstrdup(_("could not encode the image"));
		else
			free(first_err);
		return -1;
	}
	free(first_err);
	*out = best;
	out->ncand = n;
	memcpy(out->cand, cand, sizeof cand[0] * n);
	return 0;
}
