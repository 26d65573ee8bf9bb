#include <config.h>

#include "img/sixel.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* libsixel's header defines PACKAGE_VERSION (its own) over config.h's. */
#pragma push_macro("PACKAGE_VERSION")
#undef PACKAGE_VERSION
#include <sixel.h>
#undef PACKAGE_VERSION
#pragma pop_macro("PACKAGE_VERSION")

#include "i18n.h"
#include "img/fit.h"
#include "img/preview.h"

/* Cell sizes and boxes beyond these are a confused caller, not a screen;
 * they also keep every pixel product far from INT_MAX. */
#define SIXEL_CELL_MAX	1000
#define SIXEL_CELLS_MAX 4000

/* The scaled image and its palette, shared by every crop. */
struct sixel_prep {
	unsigned char *rgb; /* px_w * px_h * 3, composited on black */
	struct preview_geom g;
	int cell_h;
	sixel_dither_t *dither;
};

/* The growing buffer libsixel's write callback appends to. */
struct sixel_buf {
	char *data;
	size_t len, cap;
	bool failed;
};

/* Free out's string and zero it. */
void sixel_out_free(struct sixel_out *out)
{
	free(out->data);
	memset(out, 0, sizeof *out);
}

/* libsixel's write callback: append size bytes to the buffer; returns
 * size, or -1 (and marks the buffer) when memory runs out. */
static int sixel_buf_write(char *data, int size, void *priv)
{
	struct sixel_buf *b = priv;
	if (b->failed || size < 0)
		return -1;
	size_t need = b->len + (size_t)size + 1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		while (cap < need)
			cap *= 2;
		char *p = realloc(b->data, cap);
		if (!p) {
			b->failed = true;
			return -1;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, (size_t)size);
	b->len += (size_t)size;
	b->data[b->len] = '\0';
	return size;
}

/* Remove the stray "-" (graphics new line) libsixel 1.10 writes before the
 * only band of an image less than six pixels tall: it would draw the
 * pixels one band, six rows, lower, below the cells they belong to.  A
 * single band has no other "-", and a libsixel without the bug writes
 * none, so dropping the first one after the "q" is safe either way. */
static void sixel_fix_short(struct sixel_buf *b)
{
	char *q = b->data ? strchr(b->data, 'q') : NULL;
	char *dash = q ? strchr(q, '-') : NULL;
	if (!dash)
		return;
	memmove(dash, dash + 1, b->len - (size_t)(dash - b->data)); /* with the NUL */
	b->len--;
}

/* Store in *err a message for a libsixel failure; returns -1. */
static int sixel_fail_status(char **err, const char *what, SIXELSTATUS st)
{
	return image_fail(err, "sixel", _("%s failed: %s"), what, sixel_helper_format_error(st));
}

/* Composite src (RGBA, straight alpha) on black into dst (RGB). */
static void sixel_flatten(const unsigned char *src, size_t npx, unsigned char *dst)
{
	for (size_t i = 0; i < npx; i++, src += 4, dst += 3) {
		unsigned a = src[3];
		if (a == 255) {
			dst[0] = src[0];
			dst[1] = src[1];
			dst[2] = src[2];
		} else {
			/* Over black: c * a / 255, rounded. */
			dst[0] = (unsigned char)((src[0] * a + 127) / 255);
			dst[1] = (unsigned char)((src[1] * a + 127) / 255);
			dst[2] = (unsigned char)((src[2] * a + 127) / 255);
		}
	}
}

/* libsixel's histogram samples at most this many pixels (quality "low",
 * which "auto" picks above 8 colours; quant.c, computeHistogram()). */
#define SIXEL_HIST_SAMPLES 18383

/* Compute sp's palette from its whole bitmap, once, so that every crop
 * shows the same colours and skips quantising.  Returns 0, or -1 when
 * memory runs out. */
static int sixel_prep_palette(struct sixel_prep *sp)
{
	int w = sp->g.px_w, h = sp->g.px_h;
	size_t npx = (size_t)w * (size_t)h;
	/* Below SIXEL_HIST_SAMPLES pixels libsixel's histogram looks at every
	 * sixth pixel only, so a small image can lose whole colours (a 2x2
	 * of four colours came out in one).  Repeating each pixel k times,
	 * k * npx >= SIXEL_HIST_SAMPLES, brings the step down to one or two
	 * copies: every pixel is seen.  Bigger images are sampled evenly. */
	unsigned char *sample = sp->rgb, *copy = NULL;
	int sw = w;
	if (npx < SIXEL_HIST_SAMPLES) {
		size_t k = (SIXEL_HIST_SAMPLES + npx - 1) / npx;
		copy = malloc(npx * k * 3);
		if (!copy)
			return -1;
		for (size_t i = 0; i < npx; i++)
			for (size_t j = 0; j < k; j++)
				memcpy(copy + (i * k + j) * 3, sp->rgb + i * 3, 3);
		sample = copy;
		sw = w * (int)k;
	}
	/* QUALITY_AUTO, not FULL: with FULL, sixel_encode() took 31 ms instead
	 * of 4 on a 427x240 screenshot and 87 instead of 28 on a photo. */
	SIXELSTATUS st =
		sixel_dither_initialize(sp->dither, sample, sw, h, SIXEL_PIXELFORMAT_RGB888,
					SIXEL_LARGE_AUTO, SIXEL_REP_AUTO, SIXEL_QUALITY_AUTO);
	free(copy);
	if (SIXEL_FAILED(st))
		return -1;
	/* The histogram keeps 5 bits per channel, so entries come out at
	 * 8*k: white is 248 (sent as 97%).  Stretching 0..248 to 0..255
	 * puts the ends back and each bucket near its middle. */
	int n = sixel_dither_get_num_of_palette_colors(sp->dither);
	unsigned char *pal = sixel_dither_get_palette(sp->dither);
	if (pal && n > 0 && n <= SIXEL_PALETTE_MAX) {
		unsigned char fixed[SIXEL_PALETTE_MAX * 3];
		for (int i = 0; i < n * 3; i++) {
			unsigned v = (pal[i] * 255u + 124) / 248;
			fixed[i] = (unsigned char)(v > 255 ? 255 : v);
		}
		sixel_dither_set_palette(sp->dither, fixed);
	}
	/* No diffusion: measured on a 1920x1080 screenshot scaled to 427x240,
	 * Floyd-Steinberg made the string 1.5x and positional dithering 5x
	 * bigger (bytes matter over SSH), both cost time, FS writes into
	 * sp->rgb (spoiling the next crop) and both make crops differ from
	 * the uncropped picture.  256 colours hold a thumbnail well. */
	sixel_dither_set_diffusion_type(sp->dither, SIXEL_DIFFUSE_NONE);
	return 0;
}

/* Free sp and its libsixel dither (NULL is fine). */
void sixel_prep_delete(struct sixel_prep *sp)
{
	if (!sp)
		return;
	if (sp->dither)
		sixel_dither_unref(sp->dither);
	free(sp->rgb);
	free(sp);
}

/* Scale img into the box and compute its palette; returns 0 or -1. */
int sixel_prep_new(const struct image *img, int max_cols, int max_rows, int cell_w, int cell_h,
		   int colors, struct sixel_prep **out, char **err)
{
	*out = NULL;
	if (!img || !img->rgba || img->w == 0 || img->h == 0)
		return image_fail(err, "sixel", "%s", _("no pixels to show"));
	if (max_cols < 1 || max_rows < 1 || max_cols > SIXEL_CELLS_MAX ||
	    max_rows > SIXEL_CELLS_MAX || cell_w < 1 || cell_h < 1 || cell_w > SIXEL_CELL_MAX ||
	    cell_h > SIXEL_CELL_MAX)
		return image_fail(err, "sixel", _("bad preview box %dx%d cells of %dx%d pixels"),
				  max_cols, max_rows, cell_w, cell_h);
	if (colors <= 0 || colors > SIXEL_PALETTE_MAX)
		colors = SIXEL_PALETTE_MAX;
	if (colors < 2)
		colors = 2;

	struct sixel_prep *sp = calloc(1, sizeof *sp);
	if (!sp)
		return image_fail(err, "sixel", "%s", _("out of memory"));
	preview_fit(img->w, img->h, max_cols, max_rows, cell_w, cell_h, &sp->g);
	sp->cell_h = cell_h;
	size_t npx = (size_t)sp->g.px_w * (size_t)sp->g.px_h;
	sp->rgb = malloc(npx * 3);
	if (!sp->rgb) {
		sixel_prep_delete(sp);
		return image_fail(err, "sixel", "%s", _("out of memory"));
	}
	if ((unsigned)sp->g.px_w == img->w && (unsigned)sp->g.px_h == img->h) {
		sixel_flatten(img->rgba, npx, sp->rgb);
	} else {
		struct image scaled;
		image_init(&scaled);
		if (img_scale(img, (unsigned)sp->g.px_w, (unsigned)sp->g.px_h, &scaled) != 0) {
			sixel_prep_delete(sp);
			return image_fail(err, "sixel", "%s", _("out of memory"));
		}
		sixel_flatten(scaled.rgba, npx, sp->rgb);
		image_free(&scaled);
	}

	SIXELSTATUS st = sixel_dither_new(&sp->dither, colors, NULL);
	if (SIXEL_FAILED(st)) {
		sp->dither = NULL;
		sixel_prep_delete(sp);
		return sixel_fail_status(err, "sixel_dither_new", st);
	}
	if (sixel_prep_palette(sp) != 0) {
		sixel_prep_delete(sp);
		return image_fail(err, "sixel", "%s", _("out of memory"));
	}
	*out = sp;
	return 0;
}

/* Return the cells sp covers uncropped. */
void sixel_prep_cells(const struct sixel_prep *sp, int *cols, int *rows)
{
	*cols = sp->g.cols;
	*rows = sp->g.rows;
}

/* Return about how many bytes sp holds. */
size_t sixel_prep_bytes(const struct sixel_prep *sp)
{
	/* The bitmap, plus libsixel's dither object: its palette and the
	 * 32768-entry colour lookup table it builds on the first encode. */
	return sizeof *sp + (size_t)sp->g.px_w * (size_t)sp->g.px_h * 3 + 65536 + 2048;
}

/* Encode a crop of sp into *out (the caller frees it); returns 0 or -1. */
int sixel_prep_encode(struct sixel_prep *sp, int crop_top, int crop_rows, struct sixel_out *out,
		      char **err)
{
	memset(out, 0, sizeof *out);
	if (crop_top < 0 || crop_top >= sp->g.rows)
		return image_fail(err, "sixel", _("crop from row %d of a %d-row image"), crop_top,
				  sp->g.rows);
	int left = sp->g.rows - crop_top;
	if (crop_rows <= 0 || crop_rows > left)
		crop_rows = left;
	int y0 = crop_top * sp->cell_h;
	int avail = sp->g.px_h - y0;
	int room = crop_rows * sp->cell_h;
	int h = avail < room ? avail : room;
	/* Sixel paints whole six-row bands: never let the last band reach
	 * below the cells this crop owns. */
	if ((h + 5) / 6 * 6 > room)
		h = room / 6 * 6;
	if (h <= 0)
		h = avail < 6 ? avail : 6; /* cells under 6 px: nothing better */

	struct sixel_buf buf = {0};
	sixel_output_t *output = NULL;
	SIXELSTATUS st = sixel_output_new(&output, sixel_buf_write, &buf, NULL);
	if (SIXEL_FAILED(st))
		return sixel_fail_status(err, "sixel_output_new", st);
	sixel_output_set_8bit_availability(output, 0);
	sixel_output_set_encode_policy(output, SIXEL_ENCODEPOLICY_AUTO);
	unsigned char *pixels = sp->rgb + (size_t)y0 * (size_t)sp->g.px_w * 3;
	st = sixel_encode(pixels, sp->g.px_w, h, 3, sp->dither, output);
	sixel_output_unref(output);
	if (SIXEL_FAILED(st) || buf.failed || buf.len == 0) {
		free(buf.data);
		if (buf.failed)
			return image_fail(err, "sixel", "%s", _("out of memory"));
		return sixel_fail_status(err, "sixel_encode", st);
	}
	if (h < 6)
		sixel_fix_short(&buf);
	/* Give back the doubling slack: the string may sit in the cache. */
	char *fit = realloc(buf.data, buf.len + 1);
	out->data = fit ? fit : buf.data;
	out->len = buf.len;
	out->px_w = sp->g.px_w;
	out->px_h = h;
	out->cols = sp->g.cols;
	out->rows = (h + sp->cell_h - 1) / sp->cell_h;
	return 0;
}

/* Scale, quantise and encode img in one go; returns 0 or -1. */
int sixel_render(const struct image *img, int max_cols, int max_rows, int cell_w, int cell_h,
		 int crop_top, int crop_rows, int colors, struct sixel_out *out, char **err)
{
	struct sixel_prep *sp;
	memset(out, 0, sizeof *out);
	if (sixel_prep_new(img, max_cols, max_rows, cell_w, cell_h, colors, &sp, err) != 0)
		return -1;
	int rc = sixel_prep_encode(sp, crop_top, crop_rows, out, err);
	sixel_prep_delete(sp);
	return rc;
}
