/* Decoding: every format and its variants, EXIF orientation, and every way
 * a file can be refused (truncated, too big, zero size, not an image). */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/xalloc.h"
#include "img/decode.h"
#include "img/encode.h"
#include "img/fit.h"
#include "img/image.h"
#include "helpers.h"

/* Check that pixel (x, y) is within tol of r, g, b, a in every channel. */
static void check_px(const struct image *img, unsigned x, unsigned y, int r, int g, int b, int a, int tol)
{
	const unsigned char *p = px(img, x, y);
	int want[4] = {r, g, b, a};
	for (int c = 0; c < 4; c++)
		if (abs(p[c] - want[c]) > tol)
			fail_msg("pixel (%u,%u) is %d,%d,%d,%d, expected %d,%d,%d,%d ±%d", x, y, p[0], p[1], p[2], p[3],
				 r, g, b, a, tol);
}

/* Check the four corners of the 32×24 quadrant fixture (red, green / blue,
 * white), and the pixels either side of the centre unless the codec is
 * lossy enough (subsampled chroma) to blur them. */
static void check_quadrants_at(const struct image *img, int tol, int inner)
{
	assert_int_equal(img->w, 32);
	assert_int_equal(img->h, 24);
	check_px(img, 0, 0, 255, 0, 0, 255, tol);
	check_px(img, 31, 0, 0, 255, 0, 255, tol);
	check_px(img, 0, 23, 0, 0, 255, 255, tol);
	check_px(img, 31, 23, 255, 255, 255, 255, tol);
	if (!inner)
		return;
	check_px(img, 15, 11, 255, 0, 0, 255, tol);
	check_px(img, 16, 12, 255, 255, 255, 255, tol);
}

/* Check the quadrant fixture, centre included. */
static void check_quadrants(const struct image *img, int tol)
{
	check_quadrants_at(img, tol, 1);
}

/* Decode fixture name (which must work) into *img and *info. */
static void decode_ok(const char *name, struct image *img, struct img_info *info)
{
	size_t len;
	unsigned char *buf = fixture_read(name, &len);
	char *err = NULL;
	image_init(img);
	int rc = img_decode(buf, len, name, NULL, img, info, &err);
	if (rc != 0)
		fail_msg("%s", err);
	assert_null(err);
	assert_non_null(img->rgba);
	/* The header-only probe agrees with the decoder. */
	struct img_info probe;
	assert_int_equal(img_probe(buf, len, name, NULL, &probe, &err), 0);
	assert_int_equal(probe.type, info->type);
	assert_int_equal(probe.w, img->w);
	assert_int_equal(probe.h, img->h);
	assert_int_equal(probe.orientation, info->orientation);
	assert_int_equal(probe.lossless, info->lossless);
	assert_int_equal(probe.has_alpha, info->has_alpha);
	free(buf);
}

/* Decode the len bytes at buf as name with limits lim; it must fail with
 * exactly the message want, from img_probe() too. */
static void decode_fails(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
			 const char *want)
{
	struct image img;
	image_init(&img);
	struct img_info info;
	char *err = NULL;
	if (img_decode(buf, len, name, lim, &img, &info, &err) != -1)
		fail_msg("%s (%zu bytes) decoded; expected: %s", name, len, want);
	assert_non_null(err);
	assert_string_equal(err, want);
	assert_null(img.rgba);
	assert_int_equal(img.w, 0);
	free(err);
	err = NULL;
	/* Truncation past the header only shows when decoding; the rest
	 * the probe sees too. */
	if (!strstr(want, "truncated") && !strstr(want, "damaged")) {
		assert_int_equal(img_probe(buf, len, name, lim, &info, &err), -1);
		assert_string_equal(err, want);
		free(err);
	}
}

static void test_png_variants(void **state)
{
	(void)state;
	struct image img;
	struct img_info info;

	decode_ok("quad-32x24.png", &img, &info);
	assert_int_equal(info.type, IMAGE_PNG);
	assert_true(info.lossless);
	assert_false(info.has_alpha);
	assert_int_equal(info.orientation, 1);
	check_quadrants(&img, 0);
	image_free(&img);

	decode_ok("palette-32x24.png", &img, &info);
	check_quadrants(&img, 0);
	image_free(&img);

	decode_ok("deep16-32x24.png", &img, &info);
	check_quadrants(&img, 0);
	image_free(&img);

	decode_ok("gray-32x24.png", &img, &info);
	assert_int_equal(img.w, 32);
	check_px(&img, 0, 0, 64, 64, 64, 255, 0);
	check_px(&img, 31, 23, 200, 200, 200, 255, 0);
	image_free(&img);

	decode_ok("rgba-32x24.png", &img, &info);
	assert_true(info.has_alpha);
	check_px(&img, 0, 0, 255, 0, 0, 255, 0);
	check_px(&img, 31, 23, 0, 0, 255, 128, 1);
	assert_true(image_has_alpha(&img));
	image_free(&img);
}

static void test_jpeg_variants(void **state)
{
	(void)state;
	struct image img;
	struct img_info info;

	decode_ok("quad-32x24.jpg", &img, &info);
	assert_int_equal(info.type, IMAGE_JPEG);
	assert_false(info.lossless);
	assert_false(info.has_alpha);
	check_quadrants(&img, 24);
	assert_false(image_has_alpha(&img));
	image_free(&img);

	decode_ok("gray-32x24.jpg", &img, &info);
	for (unsigned y = 0; y < img.h; y += 5)
		for (unsigned x = 0; x < img.w; x += 3) {
			const unsigned char *p = px(&img, x, y);
			assert_int_equal(p[0], p[1]);
			assert_int_equal(p[1], p[2]);
			assert_int_equal(p[3], 255);
		}
	assert_true(px(&img, 0, 0)[0] < px(&img, 31, 0)[0]); /* red is darker than green */
	check_px(&img, 31, 23, 255, 255, 255, 255, 3);
	image_free(&img);

	/* CMYK (Adobe, inverted inks) comes out as the same colours. */
	decode_ok("cmyk-32x24.jpg", &img, &info);
	check_quadrants(&img, 32);
	image_free(&img);
}

static void test_jpeg_orientation(void **state)
{
	(void)state;
	struct image img;
	struct img_info info;

	/* Stored 24×32, turned a quarter counter-clockwise, EXIF 6
	 * (little-endian TIFF): arrives upright as 32×24. */
	decode_ok("orient6-24x32.jpg", &img, &info);
	assert_int_equal(info.orientation, 6);
	assert_int_equal(info.w, 32);
	assert_int_equal(info.h, 24);
	check_quadrants(&img, 24);
	image_free(&img);

	/* Stored upside down, EXIF 3 (big-endian TIFF). */
	decode_ok("orient3-32x24.jpg", &img, &info);
	assert_int_equal(info.orientation, 3);
	check_quadrants(&img, 24);
	image_free(&img);
}

/* Return the id stored in pixel (x, y) of a test pattern. */
static unsigned pattern_id(const struct image *img, unsigned x, unsigned y)
{
	const unsigned char *p = px(img, x, y);
	return p[0];
}

/* Make in *s the stored form of the upright pattern u for orientation o,
 * written from the camera's side: how each orientation was produced. */
static void pattern_store(const struct image *u, int o, struct image *s)
{
	unsigned w = u->w, h = u->h;
	image_init(s);
	assert_int_equal(image_alloc(s, o >= 5 ? h : w, o >= 5 ? w : h), 0);
	for (unsigned sy = 0; sy < s->h; sy++)
		for (unsigned sx = 0; sx < s->w; sx++) {
			unsigned ux, uy;
			switch (o) {
			case 2: /* mirrored left-right */
				ux = w - 1 - sx, uy = sy;
				break;
			case 3: /* turned 180° */
				ux = w - 1 - sx, uy = h - 1 - sy;
				break;
			case 4: /* mirrored top-bottom */
				ux = sx, uy = h - 1 - sy;
				break;
			case 5: /* mirrored along the main diagonal */
				ux = sy, uy = sx;
				break;
			case 6: /* turned a quarter counter-clockwise */
				ux = w - 1 - sy, uy = sx;
				break;
			case 7: /* mirrored along the other diagonal */
				ux = w - 1 - sy, uy = h - 1 - sx;
				break;
			case 8: /* turned a quarter clockwise */
				ux = sy, uy = h - 1 - sx;
				break;
			default:
				ux = sx, uy = sy;
				break;
			}
			memcpy(s->rgba + ((size_t)sy * s->w + sx) * 4, px(u, ux, uy), 4);
		}
}

static void test_orient_all(void **state)
{
	(void)state;
	struct image u;
	image_init(&u);
	assert_int_equal(image_alloc(&u, 3, 2), 0);
	for (unsigned i = 0; i < 6; i++) {
		unsigned char p[4] = {(unsigned char)(10 + i), 0, 0, 255};
		memcpy(u.rgba + i * 4, p, 4);
	}
	for (int o = 1; o <= 8; o++) {
		struct image s;
		pattern_store(&u, o, &s);
		assert_int_equal(image_orient(&s, o), 0);
		assert_int_equal(s.w, 3);
		assert_int_equal(s.h, 2);
		for (unsigned y = 0; y < 2; y++)
			for (unsigned x = 0; x < 3; x++)
				if (pattern_id(&s, x, y) != pattern_id(&u, x, y))
					fail_msg("orientation %d: (%u,%u) is %u, expected %u", o, x, y,
						 pattern_id(&s, x, y), pattern_id(&u, x, y));
		image_free(&s);
	}
	/* Out-of-range values leave the pixels alone. */
	assert_int_equal(image_orient(&u, 0), 0);
	assert_int_equal(image_orient(&u, 9), 0);
	assert_int_equal(u.w, 3);
	assert_int_equal(pattern_id(&u, 2, 1), 15);
	image_free(&u);
}

static void test_gif(void **state)
{
	(void)state;
	struct image img;
	struct img_info info;

	decode_ok("trans-20x10.gif", &img, &info);
	assert_int_equal(info.type, IMAGE_GIF);
	assert_true(info.lossless);
	assert_true(info.has_alpha);
	assert_int_equal(img.w, 20);
	assert_int_equal(img.h, 10);
	check_px(&img, 0, 0, 255, 0, 0, 255, 0);
	check_px(&img, 9, 9, 255, 0, 0, 255, 0);
	assert_int_equal(px(&img, 10, 0)[3], 0);
	assert_int_equal(px(&img, 19, 9)[3], 0);
	image_free(&img);

	/* A 10×10 frame at +10+0 on a 20×10 screen: the rest is transparent. */
	decode_ok("offset-20x10.gif", &img, &info);
	assert_int_equal(img.w, 20);
	assert_true(info.has_alpha);
	assert_int_equal(px(&img, 0, 0)[3], 0);
	assert_int_equal(px(&img, 9, 9)[3], 0);
	check_px(&img, 10, 0, 255, 0, 0, 255, 0);
	check_px(&img, 19, 9, 255, 0, 0, 255, 0);
	image_free(&img);

	/* Interlaced rows land where they belong. */
	decode_ok("interlaced-32x24.gif", &img, &info);
	check_quadrants(&img, 0);
	for (unsigned y = 0; y < 24; y++)
		check_px(&img, 0, y, y < 12 ? 255 : 0, 0, y < 12 ? 0 : 255, 255, 0);
	image_free(&img);
}

static void test_webp(void **state)
{
	(void)state;
	struct image img;
	struct img_info info;

	decode_ok("lossy-32x24.webp", &img, &info);
	assert_int_equal(info.type, IMAGE_WEBP);
	assert_false(info.lossless);
	assert_false(info.has_alpha);
	check_quadrants_at(&img, 32, 0);
	image_free(&img);

	decode_ok("lossless-32x24.webp", &img, &info);
	assert_true(info.lossless);
	assert_true(info.has_alpha);
	check_px(&img, 0, 0, 255, 0, 0, 255, 0);
	check_px(&img, 31, 23, 0, 0, 255, 128, 1);
	image_free(&img);
}

/* Return a newly allocated PNG of a w×h picture with edges, gradients and
 * noise (translucent when alpha); *len gets its size. */
static unsigned char *png_pattern(unsigned w, unsigned h, bool alpha, size_t *len)
{
	struct image img;
	image_init(&img);
	assert_int_equal(image_alloc(&img, w, h), 0);
	uint32_t seed = 12345;
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++) {
			unsigned char *p = img.rgba + ((size_t)y * w + x) * 4;
			seed = seed * 1103515245u + 12345u;
			p[0] = (unsigned char)(x * 255 / w);
			p[1] = (x / 7 + y / 5) % 2 ? 250 : 10; /* fine stripes */
			p[2] = (unsigned char)(seed >> 24);
			p[3] = alpha ? (unsigned char)(y * 255 / h) : 255;
		}
	struct img_quality q;
	img_quality_default(&q);
	q.png_level = 1;
	struct img_encoded enc;
	img_encoded_init(&enc);
	char *err = NULL;
	if (img_encode(&img, IMG_ENC_PNG, &q, &enc, &err) != 0)
		fail_msg("%s", err);
	image_free(&img);
	*len = enc.len;
	return enc.data; /* enc owns nothing else */
}

/* A shrinking PNG is decoded a row at a time into the scaler, a big one
 * with its rows read ahead on a thread: the pixels must be exactly those
 * of decoding it whole and then scaling, and a file cut short must fail
 * with its line, whichever thread finds the damage. */
static void test_png_fitted(void **state)
{
	(void)state;
	static const struct {
		unsigned w, h, fw, fh;
		bool alpha;
	} cases[] = {
		{1600, 900, 533, 300, false}, /* over a megapixel: read ahead */
		{1600, 900, 1599, 899, true},
		{300, 200, 77, 51, false}, /* small: read in line */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len;
		unsigned char *buf = png_pattern(cases[i].w, cases[i].h, cases[i].alpha, &len);
		struct image whole, want, got;
		image_init(&whole);
		image_init(&want);
		image_init(&got);
		struct img_info info;
		char *err = NULL;
		assert_int_equal(img_decode(buf, len, "p.png", NULL, &whole, &info, &err), 0);
		assert_int_equal(img_scale(&whole, cases[i].fw, cases[i].fh, &want), 0);
		if (img_decode_fitted(buf, len, "p.png", NULL, cases[i].fw, cases[i].fh, &got, &info, &err) != 0)
			fail_msg("%s", err);
		assert_int_equal(info.w, cases[i].w);
		assert_int_equal(info.h, cases[i].h);
		assert_int_equal(got.w, cases[i].fw);
		assert_int_equal(got.h, cases[i].fh);
		assert_memory_equal(got.rgba, want.rgba, (size_t)got.w * got.h * 4);
		image_free(&got);

		/* Cut at a third and at two thirds of the pixel data. */
		for (int k = 1; k <= 2; k++) {
			size_t cut = len * (size_t)k / 3;
			assert_int_equal(img_decode_fitted(buf, cut, "cut.png", NULL, cases[i].fw, cases[i].fh, &got,
							   &info, &err),
					 -1);
			assert_non_null(err);
			assert_string_equal(err, "cut.png: the PNG data is truncated");
			assert_null(got.rgba);
			free(err);
			err = NULL;
		}
		image_free(&whole);
		image_free(&want);
		free(buf);
	}
}

static void test_truncated(void **state)
{
	(void)state;
	static const struct {
		const char *file, *type;
	} cases[] = {
		{"quad-32x24.png", "PNG"},      {"deep16-32x24.png", "PNG"},    {"quad-32x24.jpg", "JPEG"},
		{"cmyk-32x24.jpg", "JPEG"},     {"interlaced-32x24.gif", "GIF"}, {"lossy-32x24.webp", "WebP"},
		{"lossless-32x24.webp", "WebP"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len;
		unsigned char *buf = fixture_read(cases[i].file, &len);
		char want[128];
		snprintf(want, sizeof want, "cut.img: the %s data is truncated", cases[i].type);
		/* Cut inside the header, in the middle of the pixel data, and
		 * at the very end of it: the JPEG's EOI marker, the WebP's
		 * last byte, the last byte of the PNG's IDAT (chunks after it,
		 * text and such, do not matter).  A GIF without its trailer
		 * still has a whole first frame and is fine. */
		size_t mid = len * 2 / 3, last = len - 1;
		if (strcmp(cases[i].type, "PNG") == 0) {
			const unsigned char *idat = NULL;
			for (size_t k = 8; k + 4 <= len && !idat; k++)
				if (memcmp(buf + k, "IDAT", 4) == 0)
					idat = buf + k;
			assert_non_null(idat);
			size_t n = (size_t)idat[-4] << 24 | (size_t)idat[-3] << 16 | (size_t)idat[-2] << 8 | idat[-1];
			mid = (size_t)(idat - buf) + 4 + n / 2;
			last = (size_t)(idat - buf) + 4 + n + 3;
		}
		decode_fails(buf, 20, "cut.img", NULL, want);
		decode_fails(buf, mid, "cut.img", NULL, want);
		if (strcmp(cases[i].type, "GIF") != 0)
			decode_fails(buf, last, "cut.img", NULL, want);
		free(buf);
	}
}

/* Return the CRC-32 (PNG's) of n bytes at p. */
static uint32_t crc32_png(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
	}
	return c ^ 0xFFFFFFFFu;
}

/* Store v big-endian at p. */
static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Return a newly allocated copy of the PNG fixture with IHDR rewritten to
 * claim w×h, its CRC fixed so that the header is valid; *len gets its size. */
static unsigned char *png_claiming(uint32_t w, uint32_t h, size_t *len)
{
	unsigned char *buf = fixture_read("quad-32x24.png", len);
	put_be32(buf + 16, w);
	put_be32(buf + 20, h);
	put_be32(buf + 29, crc32_png(buf + 12, 17)); /* over "IHDR" and its 13 bytes */
	return buf;
}

/* The fitted decoding of the PNG at buf must agree with decoding it whole
 * with libpng and scaling: the same pixels, or the same failure. */
static void fitted_agrees(const unsigned char *buf, size_t len, unsigned fw, unsigned fh, const char *what)
{
	struct image whole, want, got;
	image_init(&whole);
	image_init(&want);
	image_init(&got);
	struct img_info info;
	char *err = NULL, *ferr = NULL;
	int rc = img_decode(buf, len, "p.png", NULL, &whole, &info, &err);
	int frc = img_decode_fitted(buf, len, "p.png", NULL, fw, fh, &got, &info, &ferr);
	if (rc != 0) {
		if (frc == 0)
			fail_msg("%s: fitted decoding succeeded; whole: %s", what, err);
		assert_string_equal(ferr, err);
		assert_null(got.rgba);
	} else {
		if (frc != 0)
			fail_msg("%s: fitted decoding failed: %s", what, ferr);
		assert_int_equal(img_scale(&whole, fw, fh, &want), 0);
		assert_int_equal(got.w, fw);
		assert_int_equal(got.h, fh);
		for (size_t i = 0; i < (size_t)fw * fh * 4; i++)
			if (got.rgba[i] != want.rgba[i])
				fail_msg("%s: byte %zu of %ux%u is %u, not %u", what, i, fw, fh, got.rgba[i],
					 want.rgba[i]);
	}
	free(err);
	free(ferr);
	image_free(&whole);
	image_free(&want);
	image_free(&got);
}

/* Append a PNG chunk of type t with n bytes of d (CRC computed) to b at *at. */
static void chunk_put(unsigned char *b, size_t *at, const char *t, const unsigned char *d, size_t n)
{
	put_be32(b + *at, (uint32_t)n);
	memcpy(b + *at + 4, t, 4);
	if (n)
		memcpy(b + *at + 8, d, n);
	put_be32(b + *at + 8 + n, (uint32_t)crc32(0L, b + *at + 4, (uInt)n + 4));
	*at += 12 + n;
}

/* PNG's Paeth predictor, for the writer below. */
static int paeth_ref(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* How png_filtered() damages or bends its file. */
enum png_twist {
	TWIST_NONE,
	TWIST_BAD_FILTER,   /* a row with filter type 7 */
	TWIST_BIG_INDEX,    /* palette indexes past the palette */
	TWIST_EXTRA_DATA,   /* bytes after the zlib stream in the last IDAT */
	TWIST_SHORT_DATA,   /* one row missing from the stream */
	TWIST_BAD_CRC,      /* the second IDAT's CRC wrong */
	TWIST_BAD_ADLER,    /* the zlib checksum wrong (libpng is told to ignore it) */
};

/* Return a newly allocated w×h PNG of colour type ct (2, 6 or 3 with a
 * 200-colour palette, 100 of them translucent), each row with the next of
 * the five filters, its zlib stream split over an IDAT, an empty IDAT and
 * another; *len gets its size. */
static unsigned char *png_filtered(unsigned w, unsigned h, int ct, enum png_twist twist, size_t *len)
{
	unsigned bpp = ct == 6 ? 4 : ct == 2 ? 3 : 1;
	size_t rb = (size_t)w * bpp;
	unsigned char *pix = malloc(rb * h), *raw = malloc((rb + 1) * h);
	uint32_t seed = 99;
	for (size_t i = 0; i < rb * h; i++) {
		seed = seed * 1664525u + 1013904223u;
		size_t x = i % rb, y = i / rb;
		/* Runs, edges and noise, so that every predictor has work. */
		unsigned v = (unsigned)((x / 9 + y / 4) % 3 == 0 ? x * 7 + y : seed >> 27);
		pix[i] = (unsigned char)(ct == 3 ? v % (twist == TWIST_BIG_INDEX ? 256 : 200) : v);
	}
	for (unsigned y = 0; y < h; y++) {
		unsigned char *o = raw + y * (rb + 1);
		const unsigned char *p = pix + y * rb, *up = y ? p - rb : NULL;
		o[0] = (unsigned char)(twist == TWIST_BAD_FILTER && y == h / 2 ? 7 : y % 5);
		for (size_t i = 0; i < rb; i++) {
			int a = i >= bpp ? p[i - bpp] : 0, b = up ? up[i] : 0, c = up && i >= bpp ? up[i - bpp] : 0;
			int pred = o[0] == 1 ? a : o[0] == 2 ? b : o[0] == 3 ? (a + b) / 2 : o[0] == 4 ? paeth_ref(a, b, c) : 0;
			o[1 + i] = (unsigned char)(p[i] - pred);
		}
	}
	size_t rawlen = (rb + 1) * (twist == TWIST_SHORT_DATA ? h - 1 : h);
	uLongf zlen = compressBound(rawlen) + 8;
	unsigned char *z = malloc(zlen);
	assert_int_equal(compress2(z, &zlen, raw, rawlen, 6), Z_OK);
	if (twist == TWIST_BAD_ADLER)
		z[zlen - 1] ^= 0x5a;
	if (twist == TWIST_EXTRA_DATA) {
		memcpy(z + zlen, "junk", 4);
		zlen += 4;
	}
	unsigned char *b = malloc(zlen + 2048);
	size_t at = 8;
	memcpy(b, "\x89PNG\r\n\x1a\n", 8);
	unsigned char ihdr[13];
	put_be32(ihdr, w);
	put_be32(ihdr + 4, h);
	ihdr[8] = 8;
	ihdr[9] = (unsigned char)ct;
	ihdr[10] = ihdr[11] = ihdr[12] = 0;
	chunk_put(b, &at, "IHDR", ihdr, 13);
	if (ct == 3) {
		unsigned char plte[600], trns[100];
		for (int i = 0; i < 600; i++)
			plte[i] = (unsigned char)(i * 37);
		for (int i = 0; i < 100; i++)
			trns[i] = (unsigned char)(i * 5 / 2);
		chunk_put(b, &at, "PLTE", plte, 600);
		chunk_put(b, &at, "tRNS", trns, 100);
	}
	size_t half = zlen / 2;
	chunk_put(b, &at, "IDAT", z, half);
	chunk_put(b, &at, "IDAT", NULL, 0);
	size_t second = at;
	chunk_put(b, &at, "IDAT", z + half, zlen - half);
	if (twist == TWIST_BAD_CRC)
		b[at - 1] ^= 1;
	(void)second;
	chunk_put(b, &at, "IEND", NULL, 0);
	free(pix);
	free(raw);
	free(z);
	*len = at;
	return b;
}

/* The row reader of src/img/pngrows.c against libpng: every filter, RGB,
 * RGBA and palettes, split streams, small and read-ahead sizes; and files
 * it must leave to libpng (damaged, or bent in ways libpng has its own
 * answer for) give libpng's answer. */
static void test_png_rows(void **state)
{
	(void)state;
	static const struct {
		unsigned w, h;
	} sizes[] = {{61, 37}, {1200, 900}};
	static const int types[] = {2, 6, 3};
	static const enum png_twist twists[] = {TWIST_NONE, TWIST_BAD_FILTER, TWIST_BIG_INDEX, TWIST_EXTRA_DATA,
						 TWIST_SHORT_DATA, TWIST_BAD_CRC, TWIST_BAD_ADLER};
	for (size_t si = 0; si < 2; si++)
		for (size_t ti = 0; ti < 3; ti++)
			for (size_t k = 0; k < sizeof twists / sizeof twists[0]; k++) {
				if (si == 1 && k > 0 && k != 2 && k != 4)
					continue; /* the big size: the clean file, and two of the read-ahead's failures */
				size_t len;
				unsigned w = sizes[si].w, h = sizes[si].h;
				unsigned char *buf = png_filtered(w, h, types[ti], twists[k], &len);
				char what[64];
				snprintf(what, sizeof what, "%ux%u type %d twist %d", w, h, types[ti], (int)twists[k]);
				fitted_agrees(buf, len, w / 3, h / 3, what);
				fitted_agrees(buf, len, w - 1, h - 1, what);
				free(buf);
			}
}

/* A JPEG that shrinks (upright) is decoded into the scaler a scanline at a
 * time, libjpeg on a second thread for a big one: the pixels must be those
 * of decoding it at the same DCT scale and scaling, and a file cut short
 * must fail as whole decoding does. */
static void test_jpeg_fitted(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		unsigned fw, fh;
	} cases[] = {
		{"quad-32x24.jpg", 13, 9}, {"cmyk-gradient-48x32.jpg", 20, 15}, {"gray-32x24.jpg", 31, 23},
		{"orient6-24x32.jpg", 10, 13}, /* turned: decoded whole, then scaled */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0] + 1; i++) {
		size_t len;
		bool big = i == sizeof cases / sizeof cases[0];
		unsigned char *buf = big ? NULL : fixture_read(cases[i].file, &len);
		/* The photo: 2000x1500 at the DCT's 1/2, read ahead on a thread. */
		unsigned fw = big ? 1024 : cases[i].fw, fh = big ? 768 : cases[i].fh;
		if (big)
			buf = fixture_read("../data/photo-4000x3000.jpg", &len);
		struct image at, want, got;
		image_init(&at);
		image_init(&want);
		image_init(&got);
		struct img_info info;
		char *err = NULL;
		assert_int_equal(img_decode_at_least(buf, len, "p.jpg", NULL, fw, fh, &at, &info, &err), 0);
		assert_int_equal(img_scale(&at, fw, fh, &want), 0);
		if (img_decode_fitted(buf, len, "p.jpg", NULL, fw, fh, &got, &info, &err) != 0)
			fail_msg("%s", err);
		assert_int_equal(got.w, fw);
		assert_int_equal(got.h, fh);
		assert_memory_equal(got.rgba, want.rgba, (size_t)fw * fh * 4);
		image_free(&got);
		/* Cut in the middle of the scans, near their end, and inside
		 * the EOI marker: whatever libjpeg makes of each, both ways
		 * agree (a cut into the scans is "truncated"). */
		image_free(&at);
		image_free(&want);
		size_t cuts[] = {len / 2, len * 9 / 10, len - 1};
		for (int k = 0; k < 3; k++) {
			char *ferr = NULL;
			int rc = img_decode_at_least(buf, cuts[k], "cut.jpg", NULL, fw, fh, &at, &info, &err);
			int frc = img_decode_fitted(buf, cuts[k], "cut.jpg", NULL, fw, fh, &got, &info, &ferr);
			if (k < 2 && rc != -1)
				fail_msg("case %zu cut %d (%zu of %zu bytes) decoded", i, k, cuts[k], len);
			assert_int_equal(frc, rc);
			if (rc == 0) {
				assert_int_equal(img_scale(&at, fw, fh, &want), 0);
				assert_memory_equal(got.rgba, want.rgba, (size_t)fw * fh * 4);
			} else {
				assert_string_equal(ferr, err);
				assert_string_equal(err, "cut.jpg: the JPEG data is truncated");
				assert_null(got.rgba);
			}
			image_free(&at);
			image_free(&want);
			image_free(&got);
			free(err);
			free(ferr);
			err = NULL;
		}
		image_free(&at);
		image_free(&want);
		free(buf);
	}
}

static void test_limits(void **state)
{
	(void)state;
	size_t len;
	unsigned char *buf = png_claiming(32, 24, &len);
	/* The CRC helper is right: the rewritten original still decodes. */
	struct image img;
	image_init(&img);
	char *err = NULL;
	assert_int_equal(img_decode(buf, len, "same.png", NULL, &img, NULL, &err), 0);
	image_free(&img);
	free(buf);

	/* A small file claiming 100000×100000: refused from the header,
	 * before any pixel buffer (a 40 GB allocation would fail very
	 * differently, and does not happen under ASan or valgrind). */
	buf = png_claiming(100000, 100000, &len);
	decode_fails(buf, len, "bomb.png", NULL,
		     "bomb.png: 100000×100000 is 10000 megapixels, more than the 100 megapixel limit");
	free(buf);
	buf = png_claiming(40000, 40000, &len);
	decode_fails(buf, len, "shot.png", NULL,
		     "shot.png: 40000×40000 is 1600 megapixels, more than the 100 megapixel limit");
	free(buf);
	/* Just over the limit never prints the limit's own number. */
	buf = png_claiming(10001, 10000, &len);
	decode_fails(buf, len, "edge.png", NULL,
		     "edge.png: 10001×10000 is 100.1 megapixels, more than the 100 megapixel limit");
	free(buf);

	/* A GIF frame far larger than its 1×1 screen: the frame is what
	 * would be decoded, so it is checked too. */
	static const unsigned char gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00"
					   "\x00\x00\x00\xff\xff\xff"
					   "\x2c\x00\x00\x00\x00\x20\x4e\x20\x4e\x00"
					   "\x02\x02\x4c\x01\x00\x3b";
	decode_fails(gif, sizeof gif - 1, "frame.gif", NULL,
		     "frame.gif: 20000×20000 is 400 megapixels, more than the 100 megapixel limit");

	/* Tiny limits, for every format: checked before decoding. */
	struct img_limits lim = {100, IMG_DEFAULT_MAX_BYTES};
	static const char *const files[] = {"quad-32x24.png", "quad-32x24.jpg", "interlaced-32x24.gif",
					    "lossy-32x24.webp", "orient6-24x32.jpg"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		buf = fixture_read(files[i], &len);
		decode_fails(buf, len, "t.img", &lim, strstr(files[i], "orient6")
							 ? "t.img: 24×32 is 768 pixels, more than the 100 pixel limit"
							 : "t.img: 32×24 is 768 pixels, more than the 100 pixel limit");
		free(buf);
	}
	lim.max_pixels = 768;
	buf = fixture_read("quad-32x24.png", &len);
	assert_int_equal(img_decode(buf, len, "t.png", &lim, &img, NULL, &err), 0);
	image_free(&img);

	/* File size limit (the caller checks before reading; decode does too). */
	lim.max_bytes = 100;
	char want[128];
	snprintf(want, sizeof want, "t.png: %zu bytes is larger than the 100 bytes limit", len);
	decode_fails(buf, len, "t.png", &lim, want);
	free(buf);
}

static void test_zero_size(void **state)
{
	(void)state;
	size_t len;
	unsigned char *buf = png_claiming(0, 10, &len);
	decode_fails(buf, len, "z.png", NULL, "z.png: the PNG image has zero size (0×10)");
	free(buf);
	/* A GIF with a 0×0 screen and a 0×0 frame. */
	static const unsigned char gif[] = "GIF89a\0\0\0\0\0\0\0"
					   "\x2c\0\0\0\0\0\0\0\0\0"
					   "\x02\x00\x3b";
	decode_fails(gif, sizeof gif - 1, "z.gif", NULL, "z.gif: the GIF image has zero size (0×0)");
}

static void test_not_images(void **state)
{
	(void)state;
	static const char pdf[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
	decode_fails((const unsigned char *)pdf, sizeof pdf - 1, "x.png", NULL,
		     "x.png: not an image (it looks like a PDF document)");
	static const char html[] = "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>";
	decode_fails((const unsigned char *)html, sizeof html - 1, "y.jpg", NULL,
		     "y.jpg: not an image (it looks like HTML)");
	decode_fails((const unsigned char *)"", 0, "e.png", NULL, "e.png: the file is empty");
	/* A NULL name still gives a line. */
	decode_fails((const unsigned char *)"hello", 5, NULL, NULL, "image: not an image (it looks like text)");

	/* Damaged, not truncated: a PNG whose IHDR CRC is wrong. */
	size_t len;
	unsigned char *buf = fixture_read("quad-32x24.png", &len);
	buf[29] ^= 0xFF;
	struct image img;
	image_init(&img);
	char *err = NULL;
	assert_int_equal(img_decode(buf, len, "crc.png", NULL, &img, NULL, &err), -1);
	assert_non_null(strstr(err, "crc.png: the PNG data is damaged ("));
	free(err);
	free(buf);
	/* A JPEG whose scan data is garbage. */
	buf = fixture_read("quad-32x24.jpg", &len);
	for (size_t i = len / 2; i < len - 2; i++)
		buf[i] = (unsigned char)(i * 7);
	err = NULL;
	int rc = img_decode(buf, len, "junk.jpg", NULL, &img, NULL, &err);
	/* libjpeg may recover from junk (with warnings): either way, no crash
	 * and no message on stderr (checked below), and a clear line if it fails. */
	if (rc != 0)
		assert_non_null(strstr(err, "junk.jpg: the JPEG data is"));
	image_free(&img);
	free(err);
	free(buf);
}

/* Decode, without checking the result, every damaged variant of every
 * fixture that the tests above build. */
static void decode_bad_inputs(void)
{
	static const char *const files[] = {"quad-32x24.png", "quad-32x24.jpg", "cmyk-32x24.jpg",
					    "interlaced-32x24.gif", "lossy-32x24.webp", "orient6-24x32.jpg"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		size_t len;
		unsigned char *buf = fixture_read(files[i], &len);
		for (size_t cut = 1; cut < len; cut += 7) {
			struct image img;
			image_init(&img);
			char *err = NULL;
			img_decode(buf, cut, files[i], NULL, &img, NULL, &err);
			image_free(&img);
			free(err);
		}
		/* Flip bytes past the signature, one at a time. */
		for (size_t k = 8; k < len; k += 5) {
			buf[k] ^= 0x5A;
			struct image img;
			image_init(&img);
			char *err = NULL;
			img_decode(buf, len, files[i], NULL, &img, NULL, &err);
			image_free(&img);
			free(err);
			buf[k] ^= 0x5A;
		}
		free(buf);
	}
}

static void test_silent(void **state)
{
	(void)state;
	/* Libraries print warnings by default ("Premature end of JPEG
	 * file", "libpng warning: ..."): none may reach the terminal. */
	char path[] = "/tmp/squint-test-stderr-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	decode_bad_inputs();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	off_t size = lseek(fd, 0, SEEK_END);
	close(fd);
	unlink(path);
	assert_int_equal(size, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_png_variants), cmocka_unit_test(test_jpeg_variants),
		cmocka_unit_test(test_jpeg_orientation), cmocka_unit_test(test_orient_all),
		cmocka_unit_test(test_gif), cmocka_unit_test(test_webp),
		cmocka_unit_test(test_truncated), cmocka_unit_test(test_png_fitted), cmocka_unit_test(test_png_rows), cmocka_unit_test(test_jpeg_fitted), cmocka_unit_test(test_limits),
		cmocka_unit_test(test_zero_size), cmocka_unit_test(test_not_images),
		cmocka_unit_test(test_silent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
