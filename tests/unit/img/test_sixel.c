#include <config.h>

/* cmocka needs these first, in this order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libsixel's header defines PACKAGE_VERSION (its own) over config.h's. */
#pragma push_macro("PACKAGE_VERSION")
#undef PACKAGE_VERSION
#include <sixel.h>
#undef PACKAGE_VERSION
#pragma pop_macro("PACKAGE_VERSION")

#include "img/preview.h"
#include "img/sixel.h"

/* Sixel output is checked by decoding it back with libsixel's decoder and
 * comparing colours (sixel colours are percentages: allow a little). */
#define TOL 8

/* A decoded sixel: indexed pixels and an RGB palette. */
struct decoded {
	int w, h, ncolors;
	unsigned char *px;
	unsigned char *pal;
};

/* Decode out's string into *d; the caller frees it with decoded_free(). */
static void decode(const struct sixel_out *out, struct decoded *d)
{
	unsigned char *copy = malloc(out->len + 1);
	assert_non_null(copy);
	memcpy(copy, out->data, out->len + 1);
	SIXELSTATUS st = sixel_decode_raw(copy, (int)out->len, &d->px, &d->w, &d->h, &d->pal,
					  &d->ncolors, NULL);
	free(copy);
	assert_false(SIXEL_FAILED(st));
}

/* Free what decode() made. */
static void decoded_free(struct decoded *d)
{
	free(d->px);
	free(d->pal);
}

/* Return the colour at (x, y) of d as 0xRRGGBB. */
static uint32_t decoded_at(const struct decoded *d, int x, int y)
{
	assert_true(x >= 0 && x < d->w && y >= 0 && y < d->h);
	const unsigned char *p = d->pal + 3 * d->px[(size_t)y * (size_t)d->w + (size_t)x];
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* Assert that colours a and b differ by at most TOL per channel. */
static void assert_near(uint32_t a, uint32_t b)
{
	for (int s = 0; s < 24; s += 8) {
		int ca = (int)(a >> s & 0xff), cb = (int)(b >> s & 0xff);
		if (abs(ca - cb) > TOL) {
			fprintf(stderr, "colour %06x is not near %06x\n", (unsigned)a, (unsigned)b);
			fail();
		}
	}
}

/* Fill img (allocated here) with w x h quadrants: red, green / blue, white. */
static void make_quadrants(struct image *img, unsigned w, unsigned h)
{
	image_init(img);
	assert_int_equal(image_alloc(img, w, h), 0);
	for (unsigned y = 0; y < h; y++) {
		for (unsigned x = 0; x < w; x++) {
			uint32_t c = y < h / 2 ? (x < w / 2 ? 0xff0000 : 0x00ff00)
					       : (x < w / 2 ? 0x0000ff : 0xffffff);
			unsigned char *p = img->rgba + ((size_t)y * w + x) * 4;
			p[0] = (unsigned char)(c >> 16);
			p[1] = (unsigned char)(c >> 8);
			p[2] = (unsigned char)c;
			p[3] = 255;
		}
	}
}

/* Fill img (allocated here) with a w x h gradient, every pixel distinct
 * enough to need quantising. */
static void make_gradient(struct image *img, unsigned w, unsigned h)
{
	image_init(img);
	assert_int_equal(image_alloc(img, w, h), 0);
	for (unsigned y = 0; y < h; y++) {
		for (unsigned x = 0; x < w; x++) {
			unsigned char *p = img->rgba + ((size_t)y * w + x) * 4;
			p[0] = (unsigned char)(x * 255 / (w > 1 ? w - 1 : 1));
			p[1] = (unsigned char)(y * 255 / (h > 1 ? h - 1 : 1));
			p[2] = (unsigned char)((x + y) * 7);
			p[3] = 255;
		}
	}
}

/* Assert out is one well-formed 7-bit DCS sixel string whose raster
 * attributes say its size. */
static void assert_framing(const struct sixel_out *out)
{
	assert_non_null(out->data);
	assert_true(out->len > 6);
	assert_int_equal(out->data[out->len], '\0');
	assert_memory_equal(out->data, "\033P", 2);
	assert_memory_equal(out->data + out->len - 2, "\033\\", 2);
	/* One ESC opens, one closes; nothing else is a control or 8-bit. */
	for (size_t i = 2; i < out->len - 2; i++) {
		unsigned char b = (unsigned char)out->data[i];
		assert_true(b >= 0x20 && b < 0x7f);
	}
	const char *q = strchr(out->data, 'q');
	assert_non_null(q);
	char ra[64];
	snprintf(ra, sizeof ra, "\"1;1;%d;%d", out->px_w, out->px_h);
	assert_memory_equal(q + 1, ra, strlen(ra));
}

static void test_quadrants(void **state)
{
	(void)state;
	struct image img;
	make_quadrants(&img, 64, 64);
	struct sixel_out out;
	char *err = NULL;
	/* A box of 8 x 4 cells of 8 x 16 px: 64 x 64 px, but sixel bands of
	 * six rows make it 60 x 60 (60 is the last multiple of 6 <= 64). */
	assert_int_equal(sixel_render(&img, 8, 4, 8, 16, 0, 0, 256, &out, &err), 0);
	assert_null(err);
	assert_framing(&out);
	assert_int_equal(out.px_w, 60);
	assert_int_equal(out.px_h, 60);
	assert_int_equal(out.cols, 8);
	assert_int_equal(out.rows, 4);
	struct decoded d;
	decode(&out, &d);
	assert_int_equal(d.w, 60);
	assert_int_equal(d.h, 60);
	assert_near(decoded_at(&d, 5, 5), 0xff0000);
	assert_near(decoded_at(&d, 54, 5), 0x00ff00);
	assert_near(decoded_at(&d, 5, 54), 0x0000ff);
	assert_near(decoded_at(&d, 54, 54), 0xffffff);
	/* Flat colours come out exact, white included. */
	assert_int_equal(decoded_at(&d, 54, 54), 0xffffff);
	decoded_free(&d);
	sixel_out_free(&out);
	image_free(&img);
}

static void test_scaled_down(void **state)
{
	(void)state;
	struct image img;
	make_quadrants(&img, 1000, 500);
	struct sixel_out out;
	/* 40 x 10 cells of 10 x 20: 400 x 200 box; 2:1 fits 400 x 200. */
	assert_int_equal(sixel_render(&img, 40, 10, 10, 20, 0, 0, 0, &out, NULL), 0);
	assert_framing(&out);
	assert_int_equal(out.px_w, 396); /* 200 -> 198: bands of six, */
	assert_int_equal(out.px_h, 198); /* and the width follows */
	assert_int_equal(out.cols, 40);
	assert_int_equal(out.rows, 10);
	struct decoded d;
	decode(&out, &d);
	assert_near(decoded_at(&d, 10, 10), 0xff0000);
	assert_near(decoded_at(&d, 386, 10), 0x00ff00);
	assert_near(decoded_at(&d, 10, 190), 0x0000ff);
	assert_near(decoded_at(&d, 386, 190), 0xffffff);
	decoded_free(&d);
	sixel_out_free(&out);
	image_free(&img);
}

static void test_tiny(void **state)
{
	(void)state;
	struct image img;
	image_init(&img);
	assert_int_equal(image_alloc(&img, 1, 1), 0);
	memcpy(img.rgba, "\x12\x34\x56\xff", 4);
	struct sixel_out out;
	assert_int_equal(sixel_render(&img, 60, 12, 10, 20, 0, 0, 256, &out, NULL), 0);
	assert_framing(&out);
	assert_int_equal(out.px_w, 1);
	assert_int_equal(out.px_h, 1);
	assert_int_equal(out.cols, 1);
	assert_int_equal(out.rows, 1);
	struct decoded d;
	decode(&out, &d);
	assert_near(decoded_at(&d, 0, 0), 0x123456);
	decoded_free(&d);
	/* Under six rows libsixel 1.10 moves the band down by six: undone. */
	assert_null(strchr(out.data, '-'));
	sixel_out_free(&out);
	image_free(&img);

	/* 2 x 2 of four colours: libsixel's histogram samples every sixth
	 * pixel of small images; every colour must survive anyway. */
	make_quadrants(&img, 2, 2);
	assert_int_equal(sixel_render(&img, 1, 1, 10, 20, 0, 0, 256, &out, NULL), 0);
	decode(&out, &d);
	assert_int_equal(d.w, 2);
	assert_near(decoded_at(&d, 0, 0), 0xff0000);
	assert_near(decoded_at(&d, 1, 0), 0x00ff00);
	assert_near(decoded_at(&d, 0, 1), 0x0000ff);
	assert_near(decoded_at(&d, 1, 1), 0xffffff);
	decoded_free(&d);
	sixel_out_free(&out);
	image_free(&img);
}

static void test_short(void **state)
{
	(void)state;
	/* Every height from 1 to 13 rows decodes at its place. */
	for (unsigned h = 1; h <= 13; h++) {
		struct image img;
		make_quadrants(&img, 4, h);
		struct sixel_out out;
		assert_int_equal(sixel_render(&img, 10, 10, 10, 20, 0, 0, 256, &out, NULL), 0);
		assert_framing(&out);
		int dashes = 0;
		for (size_t i = 0; i < out.len; i++)
			dashes += out.data[i] == '-';
		assert_int_equal(dashes, (int)(h - 1) / 6);
		struct decoded d;
		decode(&out, &d);
		assert_int_equal(d.h, (int)h);
		uint32_t top = h > 1 ? 0xff0000 : 0x0000ff;
		assert_near(decoded_at(&d, 0, 0), top);
		assert_near(decoded_at(&d, 0, (int)h - 1), 0x0000ff);
		decoded_free(&d);
		sixel_out_free(&out);
		image_free(&img);
	}
}

static void test_huge_wide(void **state)
{
	(void)state;
	struct image img;
	make_gradient(&img, 8000, 100);
	struct sixel_out out;
	assert_int_equal(sixel_render(&img, 60, 12, 10, 20, 0, 0, 256, &out, NULL), 0);
	assert_framing(&out);
	assert_int_equal(out.px_w, 600);
	assert_int_equal(out.px_h, 8); /* 100 * 600 / 8000 = 7.5 */
	assert_int_equal(out.cols, 60);
	assert_int_equal(out.rows, 1);
	struct decoded d;
	decode(&out, &d);
	assert_int_equal(d.w, 600);
	/* Left is dark red-ish, right bright red: the gradient survived. */
	uint32_t left = decoded_at(&d, 2, 4), right = decoded_at(&d, 597, 4);
	assert_true((left >> 16) < 0x30);
	assert_true((right >> 16) > 0xd0);
	decoded_free(&d);
	sixel_out_free(&out);
	image_free(&img);

	/* Tall and thin, too. */
	make_gradient(&img, 3, 5000);
	assert_int_equal(sixel_render(&img, 60, 12, 10, 20, 0, 0, 256, &out, NULL), 0);
	assert_framing(&out);
	assert_int_equal(out.px_h, 240);
	assert_int_equal(out.px_w, 1);
	assert_int_equal(out.rows, 12);
	sixel_out_free(&out);
	image_free(&img);
}

/* Assert the crop (top, n) of img's rendering in a box of 6 x 8 cells of
 * cell_w x cell_h keeps inside its rows and matches the full picture. */
static void check_crop(const struct image *img, int cell_h, int top, int n)
{
	struct sixel_prep *sp;
	assert_int_equal(sixel_prep_new(img, 6, 8, 9, cell_h, 64, &sp, NULL), 0);
	int cols, rows;
	sixel_prep_cells(sp, &cols, &rows);
	struct sixel_out full, crop;
	assert_int_equal(sixel_prep_encode(sp, 0, 0, &full, NULL), 0);
	assert_int_equal(sixel_prep_encode(sp, top, n, &crop, NULL), 0);
	assert_framing(&crop);
	int want = n <= 0 || n > rows - top ? rows - top : n;
	assert_true(crop.rows >= 1 && crop.rows <= want);
	/* Every band ends inside the rows asked for. */
	assert_true((crop.px_h + 5) / 6 * 6 <= want * cell_h);
	assert_true(crop.px_h > want * cell_h - 6 || top * cell_h + crop.px_h == full.px_h);
	assert_int_equal(crop.px_w, full.px_w);
	assert_int_equal(crop.cols, cols);
	struct decoded df, dc;
	decode(&full, &df);
	decode(&crop, &dc);
	assert_int_equal(dc.h, crop.px_h);
	/* Same palette, no dithering: the crop is a slice of the picture. */
	for (int y = 0; y < dc.h; y++)
		for (int x = 0; x < dc.w; x += 7)
			assert_int_equal(decoded_at(&dc, x, y),
					 decoded_at(&df, x, y + top * cell_h));
	decoded_free(&df);
	decoded_free(&dc);
	sixel_out_free(&full);
	sixel_out_free(&crop);
	sixel_prep_delete(sp);
}

static void test_crop(void **state)
{
	(void)state;
	struct image img;
	make_gradient(&img, 54, 150);
	/* Cell heights that are and are not multiples of 6 (xterm's DejaVu
	 * 12 pt cells are 10 x 19). */
	static const int heights[] = {12, 16, 19, 20, 24};
	for (size_t i = 0; i < sizeof heights / sizeof heights[0]; i++) {
		struct preview_geom g;
		preview_fit(img.w, img.h, 6, 8, 9, heights[i], &g);
		for (int top = 0; top < g.rows; top++)
			for (int n = 0; n <= g.rows - top + 1; n++)
				check_crop(&img, heights[i], top, n);
	}
	image_free(&img);
}

static void test_crop_errors(void **state)
{
	(void)state;
	struct image img;
	make_quadrants(&img, 40, 40);
	struct sixel_out out;
	char *err = NULL;
	/* 40 x 40 in cells of 10 x 20: 2 rows, 40 px -> 36 x 36 (bands). */
	assert_int_equal(sixel_render(&img, 10, 10, 10, 20, 2, 1, 256, &out, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "crop"));
	assert_null(out.data);
	free(err);
	err = NULL;
	assert_int_equal(sixel_render(&img, 10, 10, 10, 20, -1, 1, 256, &out, &err), -1);
	free(err);
	/* The last row alone. */
	assert_int_equal(sixel_render(&img, 10, 10, 10, 20, 1, 5, 256, &out, NULL), 0);
	assert_int_equal(out.rows, 1);
	assert_int_equal(out.px_h, 16); /* pixel rows 20..35 */
	assert_int_equal(out.px_w, 36);
	sixel_out_free(&out);
	image_free(&img);
}

static void test_transparent(void **state)
{
	(void)state;
	struct image img;
	image_init(&img);
	assert_int_equal(image_alloc(&img, 12, 12), 0);
	for (size_t i = 0; i < 144; i++) {
		unsigned char *p = img.rgba + i * 4;
		bool left = i % 12 < 6;
		p[0] = 255;
		p[1] = p[2] = 255;
		p[3] = left ? 0 : 128; /* clear | half-transparent white */
	}
	struct sixel_out out;
	assert_int_equal(sixel_render(&img, 10, 10, 10, 20, 0, 0, 256, &out, NULL), 0);
	struct decoded d;
	decode(&out, &d);
	assert_int_equal(decoded_at(&d, 1, 1), 0x000000);
	assert_near(decoded_at(&d, 10, 1), 0x808080);
	decoded_free(&d);
	sixel_out_free(&out);
	image_free(&img);
}

static void test_colors(void **state)
{
	(void)state;
	struct image img;
	make_gradient(&img, 64, 64);
	static const int asked[] = {1, 2, 16, 256, 1024, 0, -5};
	static const int most[] = {2, 2, 16, 256, 256, 256, 256};
	for (size_t i = 0; i < sizeof asked / sizeof asked[0]; i++) {
		struct sixel_out out;
		assert_int_equal(sixel_render(&img, 10, 10, 10, 20, 0, 0, asked[i], &out, NULL), 0);
		struct decoded d;
		decode(&out, &d);
		int used = 0;
		bool seen[256] = {false};
		for (int p = 0; p < d.w * d.h; p++)
			if (!seen[d.px[p]]) {
				seen[d.px[p]] = true;
				used++;
			}
		assert_true(used <= most[i]);
		assert_true(used >= (most[i] < 16 ? most[i] : 16));
		decoded_free(&d);
		sixel_out_free(&out);
	}
	image_free(&img);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct sixel_out out;
	char *err = NULL;
	struct image empty;
	image_init(&empty);
	assert_int_equal(sixel_render(&empty, 10, 10, 10, 20, 0, 0, 256, &out, &err), -1);
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_int_equal(sixel_render(NULL, 10, 10, 10, 20, 0, 0, 256, &out, NULL), -1);
	struct image img;
	make_quadrants(&img, 4, 4);
	static const int bad[][4] = {{0, 10, 10, 20},  {10, 0, 10, 20},	     {10, 10, 0, 20},
				     {10, 10, 10, -1}, {100000, 10, 10, 20}, {10, 10, 5000, 20}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err = NULL;
		assert_int_equal(sixel_render(&img, bad[i][0], bad[i][1], bad[i][2], bad[i][3], 0,
					      0, 256, &out, &err),
				 -1);
		assert_non_null(err);
		assert_non_null(strstr(err, "sixel: "));
		free(err);
	}
	sixel_out_free(&out); /* zeroed on failure: harmless */
	image_free(&img);
}

/* ---- preview_fit ---- */

static void test_fit(void **state)
{
	(void)state;
	struct preview_geom g;
	/* Never enlarged. */
	preview_fit(30, 12, 60, 12, 10, 20, &g);
	assert_int_equal(g.px_w, 30);
	assert_int_equal(g.px_h, 12);
	assert_int_equal(g.cols, 3);
	assert_int_equal(g.rows, 1);
	/* 1920 x 1080 into 60 x 12 cells of 10 x 20 (600 x 240): height
	 * bound, 240 is a multiple of 6. */
	preview_fit(1920, 1080, 60, 12, 10, 20, &g);
	assert_int_equal(g.px_w, 427);
	assert_int_equal(g.px_h, 240);
	assert_int_equal(g.cols, 43);
	assert_int_equal(g.rows, 12);
	/* Width bound. */
	preview_fit(4000, 1000, 40, 12, 10, 20, &g);
	assert_int_equal(g.px_w, 384); /* 400 x 100, then 100 -> 96 for bands */
	assert_int_equal(g.px_h, 96);
	assert_int_equal(g.cols, 39);
	assert_int_equal(g.rows, 5);
	preview_fit(4000, 1000, 40, 12, 10, 24, &g);
	assert_int_equal(g.px_w, 400); /* 100 px in 24-px cells: bands fit */
	assert_int_equal(g.px_h, 100);
	assert_int_equal(g.rows, 5);
	/* 19-pixel cells: 12 rows = 228 px = 38 bands exactly. */
	preview_fit(1000, 1000, 60, 12, 10, 19, &g);
	assert_int_equal(g.px_h, 228);
	assert_int_equal(g.rows, 12);
	/* A height ending in the last 5 px of a cell shrinks to the band. */
	preview_fit(100, 39, 60, 12, 10, 20, &g);
	assert_int_equal(g.px_h, 36);
	assert_int_equal(g.px_w, 92);
	assert_int_equal(g.rows, 2);
	/* Extremes stay at least one pixel and one cell. */
	preview_fit(100000, 1, 10, 10, 10, 20, &g);
	assert_int_equal(g.px_w, 100);
	assert_int_equal(g.px_h, 1);
	assert_int_equal(g.rows, 1);
	preview_fit(1, 100000, 10, 10, 10, 20, &g);
	assert_int_equal(g.px_w, 1);
	assert_int_equal(g.px_h, 198);
	assert_int_equal(g.cols, 1);
	assert_int_equal(g.rows, 10);
	/* Bad arguments: zeros. */
	preview_fit(0, 10, 10, 10, 10, 20, &g);
	assert_int_equal(g.rows, 0);
	preview_fit(10, 10, 10, 0, 10, 20, &g);
	assert_int_equal(g.cols, 0);
	preview_fit(10, 10, 10, 10, 10, -3, &g);
	assert_int_equal(g.px_w, 0);
	/* Every fit is inside its box and its bands inside its rows. */
	for (unsigned w = 1; w < 400; w += 37)
		for (unsigned h = 1; h < 400; h += 29)
			for (int ch = 6; ch < 30; ch += 5) {
				preview_fit(w, h, 7, 5, 9, ch, &g);
				assert_true(g.px_w >= 1 && g.px_w <= 63 && g.px_w <= (int)w);
				assert_true(g.px_h >= 1 && g.px_h <= 5 * ch && g.px_h <= (int)h);
				assert_true((g.px_h + 5) / 6 * 6 <= g.rows * ch);
				assert_int_equal(g.cols, (g.px_w + 8) / 9);
				assert_int_equal(g.rows, (g.px_h + ch - 1) / ch);
			}
}

/* ---- the preview cache, sixel side ---- */

/* Return a sixel_out holding a copy of s (as if encoded). */
static struct sixel_out fake_sixel(const char *s)
{
	struct sixel_out o;
	memset(&o, 0, sizeof o);
	o.len = strlen(s);
	o.data = malloc(o.len + 1);
	assert_non_null(o.data);
	memcpy(o.data, s, o.len + 1);
	o.px_w = o.px_h = 1;
	o.cols = o.rows = 1;
	return o;
}

/* Return a sixel key for image id and crop top. */
static struct preview_key key_sixel(uint64_t id, int top)
{
	struct preview_key k;
	memset(&k, 0, sizeof k);
	k.image_id = id;
	k.kind = PREVIEW_SIXEL;
	k.max_cols = 60;
	k.max_rows = 12;
	k.cell_w = 10;
	k.cell_h = 20;
	k.colors = 256;
	k.crop_top = top;
	return k;
}

static void test_cache_keys(void **state)
{
	(void)state;
	struct preview_cache *c = preview_cache_new(0);
	struct preview_key k = key_sixel(7, 0);
	assert_null(preview_cache_get_sixel(c, &k));
	struct sixel_out o = fake_sixel("AAAA");
	const struct sixel_out *put = preview_cache_put_sixel(c, &k, &o);
	assert_null(o.data); /* taken */
	assert_string_equal(put->data, "AAAA");
	assert_ptr_equal(preview_cache_get_sixel(c, &k), put);
	/* Fields sixel ignores do not split the key. */
	struct preview_key k2 = k;
	k2.mode = BLOCKS_16;
	k2.flags = BLOCKS_ASCII;
	k2.kind = PREVIEW_BLOCKS; /* get_sixel looks for a sixel anyway */
	assert_ptr_equal(preview_cache_get_sixel(c, &k2), put);
	/* crop_rows <= 0 all mean "to the end". */
	k2 = k;
	k2.crop_rows = -4;
	assert_ptr_equal(preview_cache_get_sixel(c, &k2), put);
	/* Every field that changes the bytes does split it. */
	struct preview_key diff[8];
	for (int i = 0; i < 8; i++)
		diff[i] = k;
	diff[0].image_id = 8;
	diff[1].max_cols = 61;
	diff[2].max_rows = 11;
	diff[3].cell_w = 9;
	diff[4].cell_h = 19;
	diff[5].colors = 64;
	diff[6].crop_top = 1;
	diff[7].crop_rows = 3;
	for (int i = 0; i < 8; i++)
		assert_null(preview_cache_get_sixel(c, &diff[i]));
	/* A block grid under the same fields is another entry. */
	assert_null(preview_cache_get_blocks(c, &k));
	/* Putting the same key replaces. */
	o = fake_sixel("BB");
	put = preview_cache_put_sixel(c, &k, &o);
	assert_string_equal(preview_cache_get_sixel(c, &k)->data, "BB");
	assert_int_equal(preview_cache_count(c), 1);
	preview_cache_delete(c);
	preview_cache_delete(NULL);
}

static void test_cache_bytes_and_eviction(void **state)
{
	(void)state;
	struct preview_cache *c = preview_cache_new(0);
	assert_int_equal(preview_cache_bytes(c), 0);
	char big[1001];
	memset(big, 'x', 1000);
	big[1000] = '\0';
	struct preview_key k = key_sixel(1, 0);
	struct sixel_out o = fake_sixel(big);
	preview_cache_put_sixel(c, &k, &o);
	size_t one = preview_cache_bytes(c);
	/* The string and its NUL, plus some bookkeeping. */
	assert_true(one >= 1001 && one < 1001 + 512);
	size_t overhead = one - 1001;
	k.image_id = 2;
	o = fake_sixel("yy");
	preview_cache_put_sixel(c, &k, &o);
	assert_int_equal(preview_cache_bytes(c), one + 3 + overhead);
	preview_cache_clear(c);
	assert_int_equal(preview_cache_bytes(c), 0);
	assert_int_equal(preview_cache_count(c), 0);
	preview_cache_delete(c);

	/* Room for three 1000-byte entries. */
	c = preview_cache_new(3 * one + one / 2);
	for (uint64_t id = 1; id <= 3; id++) {
		k = key_sixel(id, 0);
		o = fake_sixel(big);
		preview_cache_put_sixel(c, &k, &o);
	}
	assert_int_equal(preview_cache_count(c), 3);
	/* Touch 1: now 2 is the least recently used, and goes first. */
	k = key_sixel(1, 0);
	assert_non_null(preview_cache_get_sixel(c, &k));
	k = key_sixel(4, 0);
	o = fake_sixel(big);
	preview_cache_put_sixel(c, &k, &o);
	assert_int_equal(preview_cache_count(c), 3);
	assert_true(preview_cache_bytes(c) <= 3 * one + one / 2);
	k = key_sixel(2, 0);
	assert_null(preview_cache_get_sixel(c, &k));
	for (uint64_t id = 1; id <= 4; id++) {
		k = key_sixel(id, 0);
		assert_int_equal(preview_cache_get_sixel(c, &k) != NULL, id != 2);
	}
	/* An entry bigger than the whole cache stays, alone, until the next
	 * put: the pointer just returned must be valid. */
	char *huge = malloc(10000);
	assert_non_null(huge);
	memset(huge, 'z', 9999);
	huge[9999] = '\0';
	k = key_sixel(9, 0);
	o = fake_sixel(huge);
	const struct sixel_out *h = preview_cache_put_sixel(c, &k, &o);
	assert_int_equal(preview_cache_count(c), 1);
	assert_int_equal(h->len, 9999);
	assert_true(preview_cache_bytes(c) > 3 * one);
	k = key_sixel(10, 0);
	o = fake_sixel("small");
	preview_cache_put_sixel(c, &k, &o);
	assert_int_equal(preview_cache_count(c), 1);
	assert_true(preview_cache_bytes(c) < one);
	free(huge);
	preview_cache_delete(c);
}

static void test_cache_many(void **state)
{
	(void)state;
	/* Thousands of entries (the hash table grows), then forget one
	 * image's crops. */
	struct preview_cache *c = preview_cache_new(0);
	for (uint64_t id = 0; id < 50; id++)
		for (int top = 0; top < 100; top++) {
			struct preview_key k = key_sixel(id, top);
			struct sixel_out o = fake_sixel("s");
			preview_cache_put_sixel(c, &k, &o);
		}
	assert_int_equal(preview_cache_count(c), 5000);
	for (uint64_t id = 0; id < 50; id++)
		for (int top = 0; top < 100; top += 9) {
			struct preview_key k = key_sixel(id, top);
			assert_non_null(preview_cache_get_sixel(c, &k));
		}
	size_t before = preview_cache_bytes(c);
	preview_cache_forget(c, 17);
	assert_int_equal(preview_cache_count(c), 4900);
	assert_true(preview_cache_bytes(c) < before);
	struct preview_key k = key_sixel(17, 5);
	assert_null(preview_cache_get_sixel(c, &k));
	k = key_sixel(18, 5);
	assert_non_null(preview_cache_get_sixel(c, &k));
	preview_cache_delete(c);
}

static void test_preview_sixel(void **state)
{
	(void)state;
	struct preview_cache *c = preview_cache_new(0);
	struct image img;
	make_quadrants(&img, 200, 100);
	struct preview_key k = key_sixel(preview_hash(img.rgba, (size_t)img.w * img.h * 4), 0);
	/* Look-up only: a miss. */
	assert_null(preview_sixel(c, &k, NULL, NULL));
	char *err = NULL;
	const struct sixel_out *s = preview_sixel(c, &k, &img, &err);
	assert_null(err);
	assert_non_null(s);
	assert_framing(s);
	assert_int_equal(s->px_w, 192);
	assert_int_equal(s->px_h, 96); /* 100 px -> 5 rows of 20 -> 96 */
	assert_int_equal(s->rows, 5);
	/* The sixel and the scaled bitmap it came from. */
	assert_int_equal(preview_cache_count(c), 2);
	assert_ptr_equal(preview_sixel(c, &k, &img, NULL), s);
	assert_ptr_equal(preview_sixel(c, &k, NULL, NULL), s);
	/* A crop reuses the bitmap: one more entry, not two. */
	k.crop_top = 2;
	k.crop_rows = 2;
	const struct sixel_out *cr = preview_sixel(c, &k, &img, NULL);
	assert_non_null(cr);
	assert_int_equal(cr->rows, 2);
	assert_int_equal(cr->px_h, 36);
	assert_int_equal(preview_cache_count(c), 3);
	/* Failures come back as messages. */
	k.crop_top = 9;
	err = NULL;
	assert_null(preview_sixel(c, &k, &img, &err));
	assert_non_null(err);
	free(err);
	k.crop_top = 0;
	k.cell_h = 0;
	err = NULL;
	assert_null(preview_sixel(c, &k, &img, &err));
	assert_non_null(err);
	free(err);
	preview_cache_forget(c, k.image_id);
	assert_int_equal(preview_cache_count(c), 0);
	assert_int_equal(preview_cache_bytes(c), 0);
	image_free(&img);
	preview_cache_delete(c);
}

static void test_hash(void **state)
{
	(void)state;
	/* FNV-1a 64 reference values. */
	assert_true(preview_hash("", 0) == 0xcbf29ce484222325ULL);
	assert_true(preview_hash("a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(preview_hash("foobar", 6) == 0x85944171f73967e8ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quadrants),
		cmocka_unit_test(test_scaled_down),
		cmocka_unit_test(test_tiny),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_huge_wide),
		cmocka_unit_test(test_crop),
		cmocka_unit_test(test_crop_errors),
		cmocka_unit_test(test_transparent),
		cmocka_unit_test(test_colors),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_cache_keys),
		cmocka_unit_test(test_cache_bytes_and_eviction),
		cmocka_unit_test(test_cache_many),
		cmocka_unit_test(test_preview_sixel),
		cmocka_unit_test(test_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
