/* Fitting for upload: the sizes per model, the scaler, the screenshot/photo
 * classifier, the encoders and the whole img_prepare_upload() pipeline. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xalloc.h"
#include "img/decode.h"
#include "img/encode.h"
#include "img/prepare.h"
#include "img/fit.h"
#include "img/image.h"
#include "helpers.h"

/* Return a monotonic time in milliseconds. */
static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A small deterministic generator (xorshift32), so images repeat exactly. */
static uint32_t rng_next(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* Fill img (allocated w×h) with one colour. */
static void make_solid(struct image *img, unsigned w, unsigned h, unsigned char r, unsigned char g, unsigned char b,
		       unsigned char a)
{
	image_init(img);
	assert_int_equal(image_alloc(img, w, h), 0);
	for (size_t i = 0; i < (size_t)w * h; i++) {
		img->rgba[i * 4] = r;
		img->rgba[i * 4 + 1] = g;
		img->rgba[i * 4 + 2] = b;
		img->rgba[i * 4 + 3] = a;
	}
}

/* Blend colour c over the pixel at p with coverage cov (0-255). */
static void blend(unsigned char *p, const unsigned char *c, unsigned cov)
{
	for (int k = 0; k < 3; k++)
		p[k] = (unsigned char)((p[k] * (255 - cov) + c[k] * cov + 127) / 255);
}

/* Fill the rectangle x0..x1 × y0..y1 (exclusive ends, clipped) of img with c. */
static void fill_rect(struct image *img, unsigned x0, unsigned y0, unsigned x1, unsigned y1, const unsigned char *c)
{
	for (unsigned y = y0; y < y1 && y < img->h; y++)
		for (unsigned x = x0; x < x1 && x < img->w; x++)
			memcpy(px(img, x, y), c, 3);
}

/* Make a w×h synthetic screenshot of a dark-themed code editor at HiDPI
 * sizes (16×36 pixel cells): side bar, tab bar, status bar, line numbers
 * and syntax-coloured lines of "code" set from a fixed font of 64
 * anti-aliased stroke glyphs, so that it repeats like real text does. */
static void make_screenshot(struct image *img, unsigned w, unsigned h)
{
	static const unsigned char bg[3] = {39, 40, 34}, side[3] = {30, 31, 28}, tabs[3] = {62, 61, 50},
				   status[3] = {65, 67, 57}, gutter[3] = {144, 144, 138};
	static const unsigned char ink[6][3] = {{248, 248, 242}, {102, 217, 239}, {249, 38, 114},
						{174, 129, 255}, {230, 219, 116}, {117, 113, 94}};
	make_solid(img, w, h, bg[0], bg[1], bg[2], 255);
	unsigned side_w = w / 7;
	fill_rect(img, 0, 0, side_w, h, side);
	fill_rect(img, side_w, 0, w, 56, tabs);
	fill_rect(img, 0, h > 44 ? h - 44 : 0, w, h, status);

	/* Glyphs: 2-4 strokes, 2 px wide with half-covered edges, in 12×22. */
	static unsigned char font[64][22][12];
	memset(font, 0, sizeof font);
	uint32_t s = 12345;
	for (int g = 0; g < 64; g++) {
		int strokes = 2 + (int)(rng_next(&s) % 3);
		for (int k = 0; k < strokes; k++) {
			int vertical = rng_next(&s) % 2;
			int at = 1 + (int)(rng_next(&s) % (vertical ? 9 : 19));
			int from = (int)(rng_next(&s) % (vertical ? 10 : 5)), len = 4 + (int)(rng_next(&s) % (vertical ? 12 : 7));
			for (int t = from; t < from + len && t < (vertical ? 22 : 12); t++)
				for (int d = -1; d <= 2; d++) {
					unsigned cov = d == -1 || d == 2 ? 110 : 255;
					int y = vertical ? t : at + d, x = vertical ? at + d : t;
					if (font[g][y][x] < cov)
						font[g][y][x] = (unsigned char)cov;
				}
		}
	}
	/* Draw glyph g at cell (cx, cy) in colour c, shifted right by a third
	 * of a pixel times ph (0-2) as subpixel positioning does: the same
	 * glyph then comes in several anti-aliased versions, like real text. */
#define GLYPH(g, cx, cy, c, ph)                                                                              \
	do {                                                                                                 \
		for (unsigned gy = 0; gy < 22; gy++)                                                         \
			for (unsigned gx = 0; gx < 13; gx++) {                                               \
				unsigned cur = gx < 12 ? font[g][gy][gx] : 0;                                \
				unsigned prev = gx > 0 ? font[g][gy][gx - 1] : 0;                            \
				unsigned cov = (cur * (3 - (ph)) + prev * (ph)) / 3;                         \
				if (cov && (cx) + 2 + gx < w && (cy) + 8 + gy < h)                           \
					blend(px(img, (cx) + 2 + gx, (cy) + 8 + gy), c, cov);                \
			}                                                                                    \
	} while (0)

	/* File tree in the side bar. */
	for (unsigned row = 0, y = 80; y + 36 < h - 44; row++, y += 36) {
		unsigned depth = rng_next(&s) % 3, n = 4 + rng_next(&s) % 10;
		for (unsigned c = 0; c < n && 24 + (depth * 2 + c) * 16 + 16 < side_w; c++)
			GLYPH(rng_next(&s) % 64, 24 + (depth * 2 + c) * 16, y, ink[0], c % 3);
	}
	/* Code with line numbers. */
	unsigned num = 120;
	for (unsigned y = 64; y + 36 < h - 44; y += 36, num++) {
		for (unsigned d = 0, v = num; d < 4 && v; d++, v /= 10)
			GLYPH(v % 10, side_w + 20 + (3 - d) * 16, y, gutter, 0);
		unsigned len = rng_next(&s) % 90;
		if (len < 10)
			continue; /* blank line */
		unsigned col = (rng_next(&s) % 4) * 8;
		const unsigned char *c = ink[0];
		for (unsigned k = 0; k < len; k++, col++) {
			unsigned x = side_w + 110 + col * 16;
			if (x + 16 >= w)
				break;
			if (k % 7 == 0)
				c = ink[rng_next(&s) % 6];
			uint32_t r = rng_next(&s) % 72;
			if (r < 64)
				GLYPH(r, x, y, c, k % 3);
		}
	}
#undef GLYPH
}

/* Make a w×h synthetic photo: smooth gradients plus sensor noise. */
static void make_photo(struct image *img, unsigned w, unsigned h)
{
	image_init(img);
	assert_int_equal(image_alloc(img, w, h), 0);
	uint32_t s = 777;
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++) {
			unsigned char *p = px(img, x, y);
			int n = (int)(rng_next(&s) % 21) - 10;
			int r = (int)(x * 200 / w) + 30 + n, g = (int)(y * 180 / h) + 40 + n,
			    b = (int)((x + y) * 120 / (w + h)) + 60 + n;
			p[0] = (unsigned char)(r < 0 ? 0 : r > 255 ? 255 : r);
			p[1] = (unsigned char)(g < 0 ? 0 : g > 255 ? 255 : g);
			p[2] = (unsigned char)(b < 0 ? 0 : b > 255 ? 255 : b);
			p[3] = 255;
		}
}

/* Check that img_fit_size(model, detail, edge, w, h) gives ew×eh. */
static void check_fit(const char *model, const char *detail, long edge, unsigned w, unsigned h, unsigned ew,
		      unsigned eh)
{
	unsigned ow, oh;
	img_fit_size(model, detail, edge, w, h, &ow, &oh);
	if (ow != ew || oh != eh)
		fail_msg("%s detail=%s max_edge=%ld: %u×%u -> %u×%u, expected %u×%u", model ? model : "(null)",
			 detail ? detail : "(null)", edge, w, h, ow, oh, ew, eh);
}

static void test_fit_rules(void **state)
{
	(void)state;
	const long A = IMG_MAX_EDGE_AUTO;
	static const char *const openai[] = {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "GPT-4o", "chatgpt-4o-latest",
					     "o1", "o3", "o4-mini", "openai/gpt-4o", "openrouter/openai/o3-mini"};
	for (size_t i = 0; i < sizeof openai / sizeof openai[0]; i++) {
		assert_int_equal(img_fit_rule(openai[i], NULL, A), IMG_FIT_OPENAI);
		/* 2048×2048 box: 2048×1152; then 768 on the short side. */
		check_fit(openai[i], NULL, A, 3840, 2160, 1365, 768);
		check_fit(openai[i], "high", A, 3840, 2160, 1365, 768);
		check_fit(openai[i], "auto", A, 3840, 2160, 1365, 768);
		check_fit(openai[i], "low", A, 3840, 2160, 512, 288);
		check_fit(openai[i], "low", A, 1000, 3000, 171, 512);
		check_fit(openai[i], NULL, A, 2160, 3840, 768, 1365); /* portrait */
		check_fit(openai[i], NULL, A, 4096, 8192, 768, 1536);  /* the box binds first, then the short side */
		check_fit(openai[i], NULL, A, 8000, 1000, 2048, 256);  /* long and thin: only the box */
		check_fit(openai[i], NULL, A, 1024, 1024, 768, 768);
		check_fit(openai[i], NULL, A, 800, 600, 800, 600); /* small: unchanged, never enlarged */
		check_fit(openai[i], "low", A, 300, 200, 300, 200);
	}
	/* Not OpenAI, despite the letters. */
	static const char *const other[] = {"llama-3.2-vision", "omni", "ollama/llava", "qwen2.5-vl", "gemini-2.0",
					    "gpt4o", "", "mistral/pixtral-large", "olmo-2"};
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		assert_int_equal(img_fit_rule(other[i], NULL, A), IMG_FIT_OTHER);
		check_fit(other[i], NULL, A, 3840, 2160, 2048, 1152);
		check_fit(other[i], "low", A, 3840, 2160, 2048, 1152);
		check_fit(other[i], NULL, A, 2160, 3840, 1152, 2048);
		check_fit(other[i], NULL, A, 2048, 1000, 2048, 1000);
	}
	check_fit(NULL, NULL, A, 3840, 2160, 2048, 1152);

	static const char *const claude[] = {"claude-3-5-sonnet-20241022", "claude-sonnet-4", "anthropic/claude-3.7-sonnet",
					     "us.anthropic.claude-3-5-sonnet-20240620-v1:0", "Claude-3-Opus"};
	for (size_t i = 0; i < sizeof claude / sizeof claude[0]; i++) {
		assert_int_equal(img_fit_rule(claude[i], NULL, A), IMG_FIT_CLAUDE);
		unsigned ow, oh;
		img_fit_size(claude[i], NULL, A, 3840, 2160, &ow, &oh);
		/* About 1.15 megapixels, the aspect ratio kept, under 1568. */
		assert_true(ow <= 1568 && oh <= 1568);
		assert_true((unsigned long)ow * oh <= 1150000);
		assert_true((unsigned long)ow * oh >= 1140000);
		assert_true(abs((int)(ow * 2160) - (int)(oh * 3840)) <= 3840);
		check_fit(claude[i], NULL, A, 3840, 2160, 1429, 804);
		/* Long and thin: the long edge binds. */
		check_fit(claude[i], NULL, A, 4000, 500, 1568, 196);
		check_fit(claude[i], NULL, A, 1568, 700, 1568, 700);
		check_fit(claude[i], NULL, A, 1092, 1092, 1072, 1072);
		check_fit(claude[i], NULL, A, 1000, 1000, 1000, 1000);
	}
	/* By hand: the long edge; 0: the original. */
	assert_int_equal(img_fit_rule("gpt-4o", NULL, 1024), IMG_FIT_MANUAL);
	check_fit("gpt-4o", NULL, 1024, 3840, 2160, 1024, 576);
	check_fit("claude-3-opus", NULL, 1000, 2160, 3840, 563, 1000);
	check_fit("x", NULL, 5000, 3840, 2160, 3840, 2160);
	check_fit("x", NULL, 1, 3840, 2160, 1, 1);
	assert_int_equal(img_fit_rule("gpt-4o", NULL, 0), IMG_FIT_NONE);
	check_fit("gpt-4o", "low", 0, 3840, 2160, 3840, 2160);
	check_fit("gpt-4o", NULL, 0, 40000, 30, 40000, 30);
	/* Degenerate shapes never reach 0. */
	check_fit("x", NULL, A, 100000, 3, 2048, 1);
	check_fit("gpt-4o", NULL, A, 3, 100000, 1, 2048);
	check_fit("x", NULL, A, 0, 0, 0, 0);
	for (int r = IMG_FIT_NONE; r <= IMG_FIT_OTHER; r++)
		assert_non_null(img_fit_rule_name((enum img_fit_rule)r));
}

static void test_scale_values(void **state)
{
	(void)state;
	struct image src, dst;
	image_init(&dst);

	/* A 2×2 black/white checker averages to mid grey. */
	make_solid(&src, 2, 2, 0, 0, 0, 255);
	memset(px(&src, 1, 0), 255, 3);
	memset(px(&src, 0, 1), 255, 3);
	assert_int_equal(img_scale(&src, 1, 1, &dst), 0);
	assert_int_equal(dst.w, 1);
	assert_true(dst.rgba[0] >= 127 && dst.rgba[0] <= 128);
	assert_int_equal(dst.rgba[0], dst.rgba[1]);
	assert_int_equal(dst.rgba[3], 255);
	image_free(&src);

	/* A 1-pixel checker at any fractional ratio stays mid grey inside. */
	make_solid(&src, 301, 199, 0, 0, 0, 255);
	for (unsigned y = 0; y < 199; y++)
		for (unsigned x = 0; x < 301; x++)
			if ((x + y) % 2)
				memset(px(&src, x, y), 255, 3);
	assert_int_equal(img_scale(&src, 107, 61, &dst), 0);
	for (unsigned y = 1; y < 60; y++)
		for (unsigned x = 1; x < 106; x++)
			assert_true(abs(px(&dst, x, y)[0] - 128) <= 20);
	image_free(&src);

	/* A solid colour stays exactly that colour, shrunk or enlarged. */
	static const unsigned sizes[][2] = {{1, 1}, {7, 3}, {333, 100}, {1000, 1000}, {2000, 1}};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		make_solid(&src, 1000, 700, 17, 130, 251, 255);
		assert_int_equal(img_scale(&src, sizes[i][0], sizes[i][1], &dst), 0);
		for (size_t k = 0; k < (size_t)dst.w * dst.h; k++)
			if (memcmp(dst.rgba + k * 4, "\x11\x82\xfb\xff", 4) != 0)
				fail_msg("solid colour changed at %zu for %ux%u", k, dst.w, dst.h);
		image_free(&src);
	}
	/* Also with translucency. */
	make_solid(&src, 99, 51, 200, 100, 50, 77);
	assert_int_equal(img_scale(&src, 10, 10, &dst), 0);
	for (size_t k = 0; k < 100; k++)
		assert_memory_equal(dst.rgba + k * 4, "\xc8\x64\x32\x4d", 4);
	image_free(&src);

	/* Enlarging interpolates between neighbours. */
	make_solid(&src, 2, 1, 0, 0, 0, 255);
	memset(px(&src, 1, 0), 200, 3);
	assert_int_equal(img_scale(&src, 4, 1, &dst), 0);
	assert_int_equal(px(&dst, 0, 0)[0], 0);
	assert_int_equal(px(&dst, 1, 0)[0], 50);
	assert_int_equal(px(&dst, 2, 0)[0], 150);
	assert_int_equal(px(&dst, 3, 0)[0], 200);
	image_free(&src);

	/* Same size: a copy. */
	make_photo(&src, 64, 48);
	assert_int_equal(img_scale(&src, 64, 48, &dst), 0);
	assert_memory_equal(dst.rgba, src.rgba, 64 * 48 * 4);
	image_free(&src);

	/* A 1000×1 ramp shrunk to 1 pixel is its average. */
	make_solid(&src, 1000, 1, 0, 0, 0, 255);
	for (unsigned x = 0; x < 1000; x++)
		px(&src, x, 0)[1] = (unsigned char)(x * 255 / 999);
	assert_int_equal(img_scale(&src, 1, 1, &dst), 0);
	assert_true(abs(dst.rgba[1] - 127) <= 1);
	image_free(&src);

	/* Refusals. */
	make_solid(&src, 4, 4, 0, 0, 0, 255);
	assert_int_equal(img_scale(&src, 0, 4, &dst), -1);
	assert_null(dst.rgba);
	image_free(&src);
	image_free(&dst);
}

static void test_scale_alpha(void **state)
{
	(void)state;
	/* Opaque red beside fully transparent black (the usual transparent
	 * pixel): the edge must stay red, only less opaque.  Averaging
	 * straight alpha would give a dark red fringe. */
	struct image src, dst;
	image_init(&dst);
	make_solid(&src, 30, 10, 0, 0, 0, 0);
	for (unsigned y = 0; y < 10; y++)
		for (unsigned x = 0; x < 15; x++)
			memcpy(px(&src, x, y), "\xff\x00\x00\xff", 4);
	assert_int_equal(img_scale(&src, 4, 2, &dst), 0);
	/* 30 -> 4: output pixel 1 covers source 7.5..15 (all red), pixel 2
	 * covers 15..22.5 (all clear); shift by one source pixel to get a
	 * mixed one. */
	image_free(&src);
	make_solid(&src, 30, 10, 0, 0, 0, 0);
	for (unsigned y = 0; y < 10; y++)
		for (unsigned x = 0; x < 19; x++)
			memcpy(px(&src, x, y), "\xff\x00\x00\xff", 4);
	assert_int_equal(img_scale(&src, 4, 2, &dst), 0);
	const unsigned char *edge = px(&dst, 2, 0);
	assert_int_equal(edge[0], 255);
	assert_int_equal(edge[1], 0);
	assert_int_equal(edge[2], 0);
	assert_true(edge[3] > 100 && edge[3] < 160); /* 4 of 7.5 pixels */
	assert_int_equal(px(&dst, 0, 0)[3], 255);
	assert_int_equal(px(&dst, 3, 0)[3], 0);
	image_free(&src);
	image_free(&dst);
}

static void test_scale_speed(void **state)
{
	(void)state;
	struct image src, dst;
	image_init(&dst);
	make_screenshot(&src, 3840, 2160);
	double best = 1e9;
	for (int i = 0; i < 3; i++) {
		double t0 = now_ms();
		assert_int_equal(img_scale(&src, 1365, 768, &dst), 0);
		double t = now_ms() - t0;
		if (t < best)
			best = t;
	}
	printf("# img_scale 3840x2160 -> 1365x768 opaque: %.1f ms\n", best);
	/* With alpha the premultiplying path runs. */
	src.rgba[3] = 0;
	double t0 = now_ms();
	assert_int_equal(img_scale(&src, 1365, 768, &dst), 0);
	printf("# img_scale 3840x2160 -> 1365x768 with alpha: %.1f ms\n", now_ms() - t0);
	image_free(&src);
	image_free(&dst);
}

static void test_classify(void **state)
{
	(void)state;
	struct image img;
	make_screenshot(&img, 1280, 800);
	assert_int_equal(img_classify(&img), IMG_KIND_SCREENSHOT);
	image_free(&img);
	make_photo(&img, 1280, 800);
	assert_int_equal(img_classify(&img), IMG_KIND_PHOTO);
	image_free(&img);
	make_photo(&img, 20, 10);
	assert_int_equal(img_classify(&img), IMG_KIND_PHOTO);
	image_free(&img);
	make_solid(&img, 1, 1, 1, 2, 3, 255);
	assert_int_equal(img_classify(&img), IMG_KIND_SCREENSHOT);
	image_free(&img);
	/* Scaling a screenshot down keeps it a screenshot. */
	struct image big, small;
	image_init(&small);
	make_screenshot(&big, 3840, 2160);
	assert_int_equal(img_scale(&big, 1365, 768, &small), 0);
	assert_int_equal(img_classify(&small), IMG_KIND_SCREENSHOT);
	image_free(&big);
	image_free(&small);
}

/* Encode img with enc, decode the result and check the pixels came back
 * exactly (lossless encoders) or at all (lossy ones). */
static void roundtrip(const struct image *img, enum img_encoder enc, int exact)
{
	struct img_encoded e;
	img_encoded_init(&e);
	char *err = NULL;
	if (img_encode(img, enc, NULL, &e, &err) != 0)
		fail_msg("%s: %s", img_encoder_name(enc), err);
	assert_non_null(e.data);
	assert_non_null(e.mime);
	assert_int_equal(e.encoder, enc);
	struct image back;
	image_init(&back);
	struct img_info info;
	if (img_decode(e.data, e.len, img_encoder_name(enc), NULL, &back, &info, &err) != 0)
		fail_msg("%s", err);
	assert_int_equal(info.type, e.type);
	assert_int_equal(back.w, img->w);
	assert_int_equal(back.h, img->h);
	if (exact) {
		for (size_t i = 0; i < (size_t)img->w * img->h; i++) {
			const unsigned char *a = img->rgba + i * 4, *b = back.rgba + i * 4;
			/* The colour of a fully transparent pixel does not count. */
			if (a[3] == 0 && b[3] == 0)
				continue;
			if (memcmp(a, b, 4) != 0)
				fail_msg("%s: pixel %zu is %d,%d,%d,%d, was %d,%d,%d,%d", img_encoder_name(enc), i,
					 b[0], b[1], b[2], b[3], a[0], a[1], a[2], a[3]);
		}
	}
	image_free(&back);
	img_encoded_done(&e);
}

static void test_encode_roundtrip(void **state)
{
	(void)state;
	struct image img;
	/* Every PNG colour form: palette (2, 4, 16, 256 colours, with and
	 * without transparency), grey, grey+alpha, RGB, RGBA. */
	static const unsigned ncolours[] = {1, 2, 3, 4, 5, 16, 17, 200, 256, 257, 5000};
	for (size_t i = 0; i < sizeof ncolours / sizeof ncolours[0]; i++)
		for (int grey = 0; grey < 2; grey++)
			for (int alpha = 0; alpha < 2; alpha++) {
				make_solid(&img, 97, 41, 0, 0, 0, 255);
				uint32_t s = 99 + (uint32_t)i;
				for (size_t k = 0; k < 97 * 41; k++) {
					unsigned c = rng_next(&s) % ncolours[i];
					unsigned char *p = img.rgba + k * 4;
					p[0] = (unsigned char)(c * 37);
					p[1] = grey ? p[0] : (unsigned char)(c * 11 + c / 256);
					p[2] = grey ? p[0] : (unsigned char)(c / 7);
					p[3] = alpha ? (unsigned char)(c % 3 == 0 ? 0 : c % 3 == 1 ? 128 : 255) : 255;
				}
				roundtrip(&img, IMG_ENC_PNG, 1);
				roundtrip(&img, IMG_ENC_WEBP_LOSSLESS, 1);
				image_free(&img);
			}
	make_photo(&img, 120, 80);
	roundtrip(&img, IMG_ENC_PNG, 1);
	roundtrip(&img, IMG_ENC_WEBP_LOSSLESS, 1);
	roundtrip(&img, IMG_ENC_WEBP_NEAR_LOSSLESS, 0);
	roundtrip(&img, IMG_ENC_WEBP_LOSSY, 0);
	roundtrip(&img, IMG_ENC_JPEG, 0);
	image_free(&img);

	/* No encoder for "original"; nothing to encode. */
	struct img_encoded e;
	img_encoded_init(&e);
	char *err = NULL;
	make_solid(&img, 2, 2, 0, 0, 0, 255);
	assert_int_equal(img_encode(&img, IMG_ENC_ORIGINAL, NULL, &e, &err), -1);
	assert_non_null(err);
	free(err);
	image_free(&img);
	assert_int_equal(img_encode(&img, IMG_ENC_PNG, NULL, &e, &err), -1);
	free(err);
	/* WebP stops at 16383 pixels; best falls back to PNG. */
	make_solid(&img, 17000, 2, 9, 9, 9, 255);
	assert_int_equal(img_encode(&img, IMG_ENC_WEBP_LOSSLESS, NULL, &e, &err), -1);
	free(err);
	assert_int_equal(img_encode_best(&img, IMG_KIND_SCREENSHOT, NULL, &e, &err), 0);
	assert_int_equal(e.encoder, IMG_ENC_PNG);
	assert_int_equal(e.ncand, 2);
	assert_int_equal(e.cand[0].bytes, 0); /* WebP could not */
	img_encoded_done(&e);
	image_free(&img);
}

static void test_encode_best(void **state)
{
	(void)state;
	struct image img;
	struct img_encoded e;
	img_encoded_init(&e);
	char *err = NULL;

	/* Screenshots: only lossless candidates. */
	make_screenshot(&img, 1365, 768);
	assert_int_equal(img_encode_best(&img, IMG_KIND_SCREENSHOT, NULL, &e, &err), 0);
	/* Drawn with few colours: near-lossless would be the same as lossless. */
	assert_int_equal(e.ncand, 2);
	image_free(&img);
	make_screenshot(&img, 2732, 1536);
	struct image half;
	image_init(&half);
	assert_int_equal(img_scale(&img, 1365, 768, &half), 0);
	image_free(&img);
	img = half;
	assert_int_equal(img_encode_best(&img, IMG_KIND_SCREENSHOT, NULL, &e, &err), 0);
	/* Many colours: near-lossless WebP alone (smaller than lossless on
	 * real screenshots; PNG never won here). */
	assert_int_equal(e.ncand, 1);
	assert_int_equal(e.cand[0].encoder, IMG_ENC_WEBP_NEAR_LOSSLESS);
	printf("# 1365x768 screenshot:");
	for (unsigned i = 0; i < e.ncand; i++) {
		assert_true(e.cand[i].encoder == IMG_ENC_PNG || e.cand[i].encoder == IMG_ENC_WEBP_LOSSLESS ||
			    e.cand[i].encoder == IMG_ENC_WEBP_NEAR_LOSSLESS);
		assert_true(e.cand[i].bytes >= e.len);
		printf(" %s %zu B %.0f ms;", img_encoder_name(e.cand[i].encoder), e.cand[i].bytes, e.cand[i].ms);
	}
	printf(" chose %s\n", img_encoder_name(e.encoder));
	image_free(&img);

	/* Photos: lossy WebP and JPEG (JPEG only when opaque); PNG only
	 * when a palette will do. */
	make_photo(&img, 800, 600);
	assert_int_equal(img_encode_best(&img, IMG_KIND_PHOTO, NULL, &e, &err), 0);
	assert_int_equal(e.ncand, 2);
	assert_true(e.encoder == IMG_ENC_WEBP_LOSSY || e.encoder == IMG_ENC_JPEG);
	printf("# 800x600 photo:");
	for (unsigned i = 0; i < e.ncand; i++)
		printf(" %s %zu B %.0f ms;", img_encoder_name(e.cand[i].encoder), e.cand[i].bytes, e.cand[i].ms);
	printf(" chose %s\n", img_encoder_name(e.encoder));
	img.rgba[3] = 10;
	assert_int_equal(img_encode_best(&img, IMG_KIND_PHOTO, NULL, &e, &err), 0);
	assert_int_equal(e.ncand, 1);
	assert_int_equal(e.encoder, IMG_ENC_WEBP_LOSSY);
	image_free(&img);
	make_photo(&img, 20, 10);
	assert_int_equal(img_classify(&img), IMG_KIND_PHOTO);
	assert_int_equal(img_encode_best(&img, IMG_KIND_PHOTO, NULL, &e, &err), 0);
	assert_int_equal(e.ncand, 3);
	assert_int_equal(e.cand[2].encoder, IMG_ENC_PNG);
	img_encoded_done(&e);
	image_free(&img);
}

/* Check that s matches the extended regular expression re. */
/* Fill *img with w×h black and white columns a pixel wide. */
static void make_stripes(struct image *img, unsigned w, unsigned h)
{
	make_solid(img, w, h, 0, 0, 0, 255);
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 1; x < w; x += 2)
			memset(px(img, x, y), 255, 3);
}

/* Fill *img with a w×h black and white checkerboard of single pixels. */
static void make_checker(struct image *img, unsigned w, unsigned h)
{
	make_solid(img, w, h, 0, 0, 0, 255);
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = y & 1; x < w; x += 2)
			memset(px(img, x, y), 255, 3);
}

static void check_regex(const char *s, const char *re)
{
	regex_t rx;
	assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
	int rc = regexec(&rx, s, 0, NULL, 0);
	regfree(&rx);
	if (rc != 0)
		fail_msg("\"%s\" does not match /%s/", s, re);
}

static void test_prepare_as_is(void **state)
{
	(void)state;
	/* A small PNG that is already about as small as we would make it:
	 * dithered four-colour graphics, incompressible for every codec. */
	struct image img;
	make_solid(&img, 200, 100, 0, 0, 0, 255);
	uint32_t seed = 5;
	for (size_t k = 0; k < 200 * 100; k++) {
		unsigned char v = (unsigned char)(rng_next(&seed) % 4 * 85);
		img.rgba[k * 4] = img.rgba[k * 4 + 1] = v;
	}
	struct img_encoded e;
	img_encoded_init(&e);
	char *err = NULL;
	assert_int_equal(img_encode(&img, IMG_ENC_PNG, NULL, &e, &err), 0);
	image_free(&img);

	struct img_upload u;
	img_upload_init(&u);
	assert_int_equal(
		img_prepare_upload(e.data, e.len, "small.png", "gpt-4o", NULL, IMG_MAX_EDGE_AUTO, NULL, NULL, &u, &err), 0);
	assert_int_equal(u.encoder, IMG_ENC_ORIGINAL);
	assert_int_equal(u.len, e.len);
	assert_memory_equal(u.data, e.data, e.len);
	assert_int_equal(u.type, IMAGE_PNG);
	assert_string_equal(u.mime, "image/png");
	assert_int_equal(u.w, 200);
	assert_int_equal(u.orig_w, 200);
	check_regex(u.summary, "^small\\.png 200×100 [0-9]+ kB \\(sent as is\\)$");

	/* The data URI carries the same bytes. */
	char *uri = img_upload_data_uri(&u);
	assert_non_null(uri);
	assert_int_equal(strncmp(uri, "data:image/png;base64,iVBORw0KGgo", 33), 0);
	free(uri);
	img_upload_done(&u);

	/* Fitting off keeps a big one as is too (when re-encoding does not help). */
	assert_int_equal(img_prepare_upload(e.data, e.len, "small.png", "gpt-4o", NULL, 0, NULL, NULL, &u, &err), 0);
	assert_int_equal(u.encoder, IMG_ENC_ORIGINAL);
	img_upload_done(&u);
	img_encoded_done(&e);

	/* A file with needless bulk within the size is re-encoded: the
	 * quadrant PNG from ImageMagick carries text chunks. */
	size_t len;
	unsigned char *buf = fixture_read("quad-32x24.png", &len);
	assert_int_equal(img_prepare_upload(buf, len, "quad.png", "gpt-4o", NULL, IMG_MAX_EDGE_AUTO, NULL, NULL, &u, &err),
			 0);
	assert_int_not_equal(u.encoder, IMG_ENC_ORIGINAL);
	assert_true(u.len * 10 <= len * 9);
	check_regex(u.summary, "^quad\\.png 32×24 [0-9]+ bytes → 32×24 (png|webp) [0-9]+ bytes$");
	img_upload_done(&u);
	free(buf);
}

static void test_prepare_rotated(void **state)
{
	(void)state;
	/* EXIF-rotated JPEGs are re-encoded upright even without scaling:
	 * providers may ignore EXIF. */
	size_t len;
	unsigned char *buf = fixture_read("orient6-24x32.jpg", &len);
	struct img_upload u;
	img_upload_init(&u);
	char *err = NULL;
	assert_int_equal(img_prepare_upload(buf, len, "phone.jpg", "llava", NULL, IMG_MAX_EDGE_AUTO, NULL, NULL, &u, &err),
			 0);
	assert_int_not_equal(u.encoder, IMG_ENC_ORIGINAL);
	assert_int_equal(u.orientation, 6);
	assert_int_equal(u.w, 32);
	assert_int_equal(u.h, 24);
	check_regex(u.summary, "^phone\\.jpg 32×24 [0-9]+ bytes → 32×24 [a-z]+ [0-9]+ bytes \\(turned upright\\)$");
	/* What is sent decodes upright with no orientation left. */
	struct image img;
	image_init(&img);
	struct img_info info;
	assert_int_equal(img_decode(u.data, u.len, "sent", NULL, &img, &info, &err), 0);
	assert_int_equal(info.orientation, 1);
	assert_int_equal(img.w, 32);
	const unsigned char *tl = img.rgba, *tr = img.rgba + 31 * 4;
	assert_true(tl[0] > 200 && tl[1] < 60);  /* red */
	assert_true(tr[1] > 200 && tr[0] < 60);  /* green */
	image_free(&img);
	img_upload_done(&u);
	free(buf);

	/* Refusals name the file. */
	assert_int_equal(img_prepare_upload((const unsigned char *)"%PDF-1.4", 8, "doc.png", "gpt-4o", NULL,
					    IMG_MAX_EDGE_AUTO, NULL, NULL, &u, &err),
			 -1);
	assert_string_equal(err, "doc.png: not an image (it looks like a PDF document)");
	free(err);
	assert_null(u.data);
	assert_null(u.summary);
}

static void test_prepare_photo(void **state)
{
	(void)state;
	/* A 1600×1200 JPEG photo: decoded at half size in the DCT (800×600
	 * is still at least the 512×384 that detail=low needs). */
	struct image img;
	make_photo(&img, 1600, 1200);
	struct img_encoded jpg;
	img_encoded_init(&jpg);
	char *err = NULL;
	struct img_quality q = IMG_QUALITY_DEFAULT;
	q.jpeg = 95;
	assert_int_equal(img_encode(&img, IMG_ENC_JPEG, &q, &jpg, &err), 0);
	image_free(&img);

	struct img_info info;
	assert_int_equal(img_decode_at_least(jpg.data, jpg.len, "p.jpg", NULL, 512, 384, &img, &info, &err), 0);
	assert_int_equal(img.w, 800);
	assert_int_equal(img.h, 600);
	assert_int_equal(info.w, 1600);
	image_free(&img);
	assert_int_equal(img_decode_at_least(jpg.data, jpg.len, "p.jpg", NULL, 100, 100, &img, &info, &err), 0);
	assert_int_equal(img.w, 200);
	image_free(&img);
	assert_int_equal(img_decode_at_least(jpg.data, jpg.len, "p.jpg", NULL, 801, 10, &img, &info, &err), 0);
	assert_int_equal(img.w, 1600);
	image_free(&img);
	/* Turned JPEGs compare the upright size: stored 24×32, EXIF 6. */
	size_t len;
	unsigned char *buf = fixture_read("orient6-24x32.jpg", &len);
	assert_int_equal(img_decode_at_least(buf, len, "o.jpg", NULL, 8, 3, &img, &info, &err), 0);
	assert_int_equal(img.w, 8);
	assert_int_equal(img.h, 6);
	image_free(&img);
	free(buf);

	struct img_upload u;
	img_upload_init(&u);
	assert_int_equal(
		img_prepare_upload(jpg.data, jpg.len, "p.jpg", "gpt-4o", "low", IMG_MAX_EDGE_AUTO, NULL, NULL, &u, &err), 0);
	assert_int_equal(u.kind, IMG_KIND_PHOTO);
	assert_int_equal(u.w, 512);
	assert_int_equal(u.h, 384);
	assert_int_equal(u.orig_w, 1600);
	assert_true(u.encoder == IMG_ENC_JPEG || u.encoder == IMG_ENC_WEBP_LOSSY);
	check_regex(u.summary, "^p\\.jpg 1600×1200 [0-9.]+ (kB|MB) → 512×384 (jpeg|webp) [0-9]+ kB$");
	printf("# %s\n", u.summary);
	img_upload_done(&u);
	img_encoded_done(&jpg);
}

static void test_prepare_screenshot(void **state)
{
	(void)state;
	/* A 3840×2160 screenshot saved as a good PNG: the original. */
	struct image img;
	make_screenshot(&img, 3840, 2160);
	struct img_encoded orig;
	img_encoded_init(&orig);
	char *err = NULL;
	assert_int_equal(img_encode(&img, IMG_ENC_PNG, NULL, &orig, &err), 0);
	image_free(&img);

	static const struct {
		const char *model, *detail;
		long edge;
		unsigned w, h;
		int smaller; /* the fitted image must be smaller than the original */
	} cases[] = {
		{"gpt-4o", NULL, IMG_MAX_EDGE_AUTO, 1365, 768, 1},
		{"gpt-4o", "low", IMG_MAX_EDGE_AUTO, 512, 288, 1},
		{"claude-sonnet-4", NULL, IMG_MAX_EDGE_AUTO, 1429, 804, 1},
		{"llava", NULL, IMG_MAX_EDGE_AUTO, 2048, 1152, 0},
		{"llava", NULL, 1024, 1024, 576, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct img_upload u;
		img_upload_init(&u);
		double t0 = now_ms();
		assert_int_equal(img_prepare_upload(orig.data, orig.len, "shot.png", cases[i].model, cases[i].detail,
						    cases[i].edge, NULL, NULL, &u, &err),
				 0);
		double t = now_ms() - t0;
		printf("# %s detail=%s max_edge=%ld: %s (decode %.0f + scale %.0f + encode %.0f = %.0f ms):", cases[i].model,
		       cases[i].detail ? cases[i].detail : "-", cases[i].edge, u.summary, u.decode_ms, u.scale_ms,
		       u.encode_ms, t);
		for (unsigned k = 0; k < u.ncand; k++)
			printf(" %s %zu B %.0f ms;", img_encoder_name(u.cand[k].encoder), u.cand[k].bytes, u.cand[k].ms);
		printf(" original png %zu B\n", orig.len);
		assert_int_equal(u.w, cases[i].w);
		assert_int_equal(u.h, cases[i].h);
		assert_int_equal(u.kind, IMG_KIND_SCREENSHOT);
		assert_int_not_equal(u.encoder, IMG_ENC_ORIGINAL);
		assert_true(u.encoder == IMG_ENC_PNG || u.encoder == IMG_ENC_WEBP_LOSSLESS ||
			    u.encoder == IMG_ENC_WEBP_NEAR_LOSSLESS);
		if (cases[i].smaller)
			assert_true(u.len < orig.len);
		char re[200];
		snprintf(re, sizeof re, "^shot\\.png 3840×2160 [0-9.]+ (kB|MB) → %u×%u (png|webp) [0-9.]+ (bytes|kB)$",
			 cases[i].w, cases[i].h);
		check_regex(u.summary, re);
		/* It decodes to the size announced. */
		struct image back;
		image_init(&back);
		assert_int_equal(img_decode(u.data, u.len, "sent", NULL, &back, NULL, &err), 0);
		assert_int_equal(back.w, u.w);
		image_free(&back);
		img_upload_done(&u);
	}
	img_encoded_done(&orig);

	/* A 1-pixel checkerboard 2900 wide: a tiny PNG, while fitting it to
	 * 2048 px makes a moiré that costs more.  OpenAI scales it down to the
	 * same size itself, so the original goes; other servers get the
	 * fitted image as promised. */
	make_checker(&img, 2900, 600);
	assert_int_equal(img_encode(&img, IMG_ENC_PNG, NULL, &orig, &err), 0);
	image_free(&img);
	struct img_upload u;
	img_upload_init(&u);
	assert_int_equal(img_prepare_upload(orig.data, orig.len, "checker.png", "gpt-4.1", "high", IMG_MAX_EDGE_AUTO,
					    NULL, NULL, &u, &err),
			 0);
	printf("# checker: %s\n", u.summary);
	assert_int_equal(u.encoder, IMG_ENC_ORIGINAL);
	assert_int_equal(u.w, 2900);
	assert_int_equal(u.len, orig.len);
	assert_int_equal(u.ncand, 2);
	assert_true(u.cand[0].bytes >= orig.len && u.cand[1].bytes >= orig.len);
	img_upload_done(&u);
	assert_int_equal(
		img_prepare_upload(orig.data, orig.len, "checker.png", "llava", NULL, IMG_MAX_EDGE_AUTO, NULL, NULL, &u, &err),
		0);
	assert_int_not_equal(u.encoder, IMG_ENC_ORIGINAL);
	assert_int_equal(u.w, 2048);
	img_upload_done(&u);
	img_encoded_done(&orig);
}

/* Prepare file (len bytes) for model with max_edge; check the size sent
 * and return the bytes sent. */
static size_t prepare_check(const unsigned char *file, size_t len, const char *model, long max_edge, unsigned w,
			    unsigned h)
{
	struct img_upload u;
	img_upload_init(&u);
	char *err = NULL;
	assert_int_equal(img_prepare_upload(file, len, "win.png", model, NULL, max_edge, NULL, NULL, &u, &err), 0);
	printf("# %s max_edge=%ld: %s\n", model, max_edge, u.summary);
	assert_int_equal(u.w, w);
	assert_int_equal(u.h, h);
	/* What is sent decodes at the size announced. */
	struct image back;
	image_init(&back);
	assert_int_equal(img_decode(u.data, u.len, "sent", NULL, &back, NULL, &err), 0);
	assert_int_equal(back.w, w);
	assert_int_equal(back.h, h);
	image_free(&back);
	size_t n = u.len;
	img_upload_done(&u);
	return n;
}

static void test_prepare_mild(void **state)
{
	(void)state;
	/* A 1280×800 window: gpt-4o would have it at 1229×768.  OpenAI
	 * scales it so itself; our scaling would blur every edge and cost
	 * bytes, so it goes at its own size, smaller than fitted. */
	struct image img;
	make_screenshot(&img, 1280, 800);
	struct img_encoded png;
	img_encoded_init(&png);
	char *err = NULL;
	assert_int_equal(img_encode(&img, IMG_ENC_PNG, NULL, &png, &err), 0);
	image_free(&img);
	size_t whole = prepare_check(png.data, png.len, "gpt-4o", IMG_MAX_EDGE_AUTO, 1280, 800);
	/* A server that pays for every pixel gets the fit it asked for. */
	size_t fitted = prepare_check(png.data, png.len, "llava", 1229, 1229, 768);
	assert_true(whole < fitted);
	/* Claude fits it to 1254×784 the same way. */
	prepare_check(png.data, png.len, "claude-sonnet-4", IMG_MAX_EDGE_AUTO, 1280, 800);
	/* gpt-4o at detail=low would keep a fifth of the pixels: fitted. */
	struct img_upload u;
	img_upload_init(&u);
	assert_int_equal(img_prepare_upload(png.data, png.len, "win.png", "gpt-4o", "low", IMG_MAX_EDGE_AUTO, NULL,
					    NULL, &u, &err),
			 0);
	assert_int_equal(u.w, 512);
	img_upload_done(&u);
	img_encoded_done(&png);

	/* A photo of that size is still fitted: lossy codecs lose nothing
	 * by the scaling, and fewer pixels cost fewer bytes. */
	make_photo(&img, 1280, 800);
	assert_int_equal(img_encode(&img, IMG_ENC_PNG, NULL, &png, &err), 0);
	image_free(&img);
	prepare_check(png.data, png.len, "gpt-4o", IMG_MAX_EDGE_AUTO, 1229, 768);
	img_encoded_done(&png);

	/* 1-pixel stripes 2050 wide fitted to 2048 would be grey ramps; at
	 * their own size they code to almost nothing. */
	make_stripes(&img, 2050, 600);
	assert_int_equal(img_encode(&img, IMG_ENC_PNG, NULL, &png, &err), 0);
	image_free(&img);
	size_t n = prepare_check(png.data, png.len, "gpt-4.1", IMG_MAX_EDGE_AUTO, 2050, 600);
	assert_true(n * 10 <= png.len * 9);
	img_encoded_done(&png);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_rules),      cmocka_unit_test(test_scale_values),
		cmocka_unit_test(test_scale_alpha),    cmocka_unit_test(test_scale_speed),
		cmocka_unit_test(test_classify),       cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_encode_best),    cmocka_unit_test(test_prepare_as_is),
		cmocka_unit_test(test_prepare_rotated), cmocka_unit_test(test_prepare_photo),
		cmocka_unit_test(test_prepare_screenshot), cmocka_unit_test(test_prepare_mild),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
