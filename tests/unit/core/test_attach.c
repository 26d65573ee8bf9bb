/* Image arguments: sniffing, header sizes, base64 and loading temp files. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/attach.h"
#include "core/xalloc.h"

#define U(s) ((const unsigned char *)(s))
#define MB (1024u * 1024u)

/* Minimal image headers, built byte by byte so each field is visible. */

/* Write a PNG signature and IHDR for w x h into buf (33 bytes); return the length. */
static size_t make_png(unsigned char *buf, uint32_t w, uint32_t h)
{
	static const unsigned char head[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
					     0, 0, 0, 13, 'I', 'H', 'D', 'R'};
	memcpy(buf, head, sizeof head);
	unsigned char *p = buf + sizeof head;
	*p++ = (unsigned char)(w >> 24);
	*p++ = (unsigned char)(w >> 16);
	*p++ = (unsigned char)(w >> 8);
	*p++ = (unsigned char)w;
	*p++ = (unsigned char)(h >> 24);
	*p++ = (unsigned char)(h >> 16);
	*p++ = (unsigned char)(h >> 8);
	*p++ = (unsigned char)h;
	memcpy(p, "\x08\x06\x00\x00\x00" "\x00\x00\x00\x00", 9); /* depth, colour, ..., a dummy CRC */
	return 33;
}

/* Write a JPEG start (SOI, APP0, a stray fill byte, DQT, SOF2) for w x h; return the length. */
static size_t make_jpeg(unsigned char *buf, unsigned w, unsigned h)
{
	static const unsigned char head[] = {
		0xFF, 0xD8,                                                    /* SOI */
		0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, /* APP0 */
		0xFF, 0xFF,                                                    /* fill bytes */
		0xFF, 0xDB, 0x00, 0x05, 0x00, 0x01, 0x02,                      /* DQT (short) */
		0xFF, 0xC4, 0x00, 0x03, 0x00,                                  /* DHT: not a SOF */
		0xFF, 0xC2, 0x00, 0x11, 0x08};                                 /* SOF2, precision */
	memcpy(buf, head, sizeof head);
	unsigned char *p = buf + sizeof head;
	*p++ = (unsigned char)(h >> 8);
	*p++ = (unsigned char)h;
	*p++ = (unsigned char)(w >> 8);
	*p++ = (unsigned char)w;
	memcpy(p, "\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01", 10);
	return sizeof head + 4 + 10;
}

/* Write a GIF header for w x h; return the length. */
static size_t make_gif(unsigned char *buf, unsigned w, unsigned h)
{
	memcpy(buf, "GIF89a", 6);
	buf[6] = (unsigned char)w;
	buf[7] = (unsigned char)(w >> 8);
	buf[8] = (unsigned char)h;
	buf[9] = (unsigned char)(h >> 8);
	memcpy(buf + 10, "\xf0\x00\x00", 3);
	return 13;
}

/* Write the RIFF/WEBP header and a chunk header named fourcc; return 20. */
static size_t make_webp_head(unsigned char *buf, const char *fourcc, unsigned chunk)
{
	memcpy(buf, "RIFF\x40\x00\x00\x00WEBP", 12);
	memcpy(buf + 12, fourcc, 4);
	buf[16] = (unsigned char)chunk;
	buf[17] = buf[18] = buf[19] = 0;
	return 20;
}

/* Write a lossy (VP8) WebP start for w x h; return the length. */
static size_t make_webp_vp8(unsigned char *buf, unsigned w, unsigned h)
{
	size_t n = make_webp_head(buf, "VP8 ", 10);
	memcpy(buf + n, "\x50\x01\x00\x9d\x01\x2a", 6); /* key frame tag, start code */
	buf[n + 6] = (unsigned char)w;
	buf[n + 7] = (unsigned char)(w >> 8);
	buf[n + 8] = (unsigned char)h;
	buf[n + 9] = (unsigned char)(h >> 8);
	return n + 10;
}

/* Write a lossless (VP8L) WebP start for w x h; return the length. */
static size_t make_webp_vp8l(unsigned char *buf, unsigned w, unsigned h)
{
	size_t n = make_webp_head(buf, "VP8L", 5);
	uint32_t bits = (w - 1) | (uint32_t)(h - 1) << 14;
	buf[n] = 0x2F;
	for (int i = 0; i < 4; i++)
		buf[n + 1 + i] = (unsigned char)(bits >> (8 * i));
	return n + 5;
}

/* Write an extended (VP8X) WebP start for w x h; return the length. */
static size_t make_webp_vp8x(unsigned char *buf, unsigned w, unsigned h)
{
	size_t n = make_webp_head(buf, "VP8X", 10);
	memset(buf + n, 0, 4);
	for (int i = 0; i < 3; i++) {
		buf[n + 4 + i] = (unsigned char)((w - 1) >> (8 * i));
		buf[n + 7 + i] = (unsigned char)((h - 1) >> (8 * i));
	}
	return n + 10;
}

static void test_sniff(void **state)
{
	(void)state;
	assert_int_equal(image_sniff(U("\x89PNG\r\n\x1a\n"), 8), IMAGE_PNG);
	assert_int_equal(image_sniff(U("\x89PNG\r\n\x1a"), 7), IMAGE_UNKNOWN);
	assert_int_equal(image_sniff(U("\xff\xd8\xff"), 3), IMAGE_JPEG);
	assert_int_equal(image_sniff(U("\xff\xd8"), 2), IMAGE_UNKNOWN);
	assert_int_equal(image_sniff(U("GIF87a"), 6), IMAGE_GIF);
	assert_int_equal(image_sniff(U("GIF89a"), 6), IMAGE_GIF);
	assert_int_equal(image_sniff(U("GIF88a"), 6), IMAGE_UNKNOWN);
	assert_int_equal(image_sniff(U("RIFF\0\0\0\0WEBP"), 12), IMAGE_WEBP);
	assert_int_equal(image_sniff(U("RIFF\0\0\0\0WAVE"), 12), IMAGE_UNKNOWN);
	assert_int_equal(image_sniff(U(""), 0), IMAGE_UNKNOWN);
	assert_int_equal(image_sniff(NULL, 0), IMAGE_UNKNOWN);

	assert_string_equal(image_type_mime(IMAGE_PNG), "image/png");
	assert_string_equal(image_type_mime(IMAGE_JPEG), "image/jpeg");
	assert_string_equal(image_type_mime(IMAGE_GIF), "image/gif");
	assert_string_equal(image_type_mime(IMAGE_WEBP), "image/webp");
	assert_null(image_type_mime(IMAGE_UNKNOWN));
}

/* Assert that the first n bytes of s are described as want. */
static void check_describe(const char *s, size_t n, const char *want)
{
	assert_string_equal(image_sniff_describe(U(s), n), want);
}

/* Describe a string literal, embedded NULs included. */
#define DESCRIBE(lit, want) check_describe((lit), sizeof(lit) - 1, (want))

static void test_describe(void **state)
{
	(void)state;
	DESCRIBE("%PDF-1.7\n%\xe2\xe3\xcf\xd3", "a PDF document");
	DESCRIBE("PK\x03\x04\x14\x00", "a ZIP archive");
	DESCRIBE("PK\x05\x06", "a ZIP archive");
	DESCRIBE("\x1f\x8b\x08\x00", "gzip data");
	DESCRIBE("\x7f" "ELF\x02\x01\x01", "an ELF executable");
	const char *svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
	check_describe(svg, strlen(svg), "an SVG image (not supported)");
	DESCRIBE("<SVG width=\"1\">", "an SVG image (not supported)");
	/* "BM", 4 size bytes, 4 reserved, 4 offset, then a 40-byte DIB header. */
	DESCRIBE("BM\x3a\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0\1\0\0\0", "a BMP image (not supported)");
	DESCRIBE("BMW makes cars\n and more", "text");
	DESCRIBE("II*\0\x08\0\0\0", "a TIFF image (not supported)");
	DESCRIBE("MM\0*\0\0\0\x08", "a TIFF image (not supported)");
	DESCRIBE("\0\0\0\x18" "ftypheic\0\0\0\0mif1heic", "a HEIC/AVIF image (not supported)");
	DESCRIBE("\0\0\0\x1c" "ftypavif\0\0\0\0avifmif1miaf", "a HEIC/AVIF image (not supported)");
	/* Compatible brands count, the minor version does not. */
	DESCRIBE("\0\0\0\x18" "ftypmp42\0\0\0\0isommif1", "a HEIC/AVIF image (not supported)");
	DESCRIBE("\0\0\0\x18" "ftypisomavif\0\0\0\0mp41", "unknown data");
	DESCRIBE("<!DOCTYPE html>\n<html><body>x</body></html>", "HTML");
	DESCRIBE("\xef\xbb\xbf  <html lang=en>", "HTML");
	DESCRIBE("<!-- x -->\n<head><title>t</title></head>", "HTML");
	DESCRIBE("hello world\n", "text");
	DESCRIBE("caf\xc3\xa9 \xe2\x80\x94 \xe6\xbc\xa2", "text");
	/* A sample cut inside a UTF-8 sequence is still text. */
	DESCRIBE("ok \xe6\xbc", "text");
	DESCRIBE("", "an empty file");
	DESCRIBE("\0\1\2\3\xfe\xff", "unknown data");
	DESCRIBE("abc\x1b[2J", "unknown data");
	DESCRIBE("\x89PNG\r\n\x1a\n", "a PNG image");
}

static void test_size_png(void **state)
{
	(void)state;
	unsigned char buf[64];
	unsigned w = 0, h = 0;
	size_t n = make_png(buf, 1920, 1080);
	assert_int_equal(image_size(buf, n, IMAGE_PNG, &w, &h), 0);
	assert_int_equal(w, 1920);
	assert_int_equal(h, 1080);
	assert_int_equal(image_size(buf, 23, IMAGE_PNG, &w, &h), -1);
	assert_int_equal(image_size(buf, 8, IMAGE_PNG, &w, &h), -1);
	make_png(buf, 0, 5);
	assert_int_equal(image_size(buf, n, IMAGE_PNG, &w, &h), -1);
	make_png(buf, 0x80000000u, 5);
	assert_int_equal(image_size(buf, n, IMAGE_PNG, &w, &h), -1);
	assert_int_equal(image_size(buf, n, IMAGE_UNKNOWN, &w, &h), -1);
}

static void test_size_jpeg(void **state)
{
	(void)state;
	unsigned char buf[128];
	unsigned w = 0, h = 0;
	size_t n = make_jpeg(buf, 640, 480);
	assert_int_equal(image_size(buf, n, IMAGE_JPEG, &w, &h), 0);
	assert_int_equal(w, 640);
	assert_int_equal(h, 480);
	/* Every truncation before the size fields ends must fail cleanly. */
	size_t need = n - 10;
	for (size_t k = 0; k < need; k++)
		assert_int_equal(image_size(buf, k, IMAGE_JPEG, &w, &h), -1);
	assert_int_equal(image_size(buf, need, IMAGE_JPEG, &w, &h), 0);
	/* A scan before any frame header, and a bogus segment length. */
	assert_int_equal(image_size(U("\xff\xd8\xff\xda\x00\x08"), 6, IMAGE_JPEG, &w, &h), -1);
	assert_int_equal(image_size(U("\xff\xd8\xff\xe0\x00\x01\xff\xc0"), 8, IMAGE_JPEG, &w, &h), -1);
	assert_int_equal(image_size(U("\xff\xd8\xff\xe0\xff\xff"), 6, IMAGE_JPEG, &w, &h), -1);
	/* Restart markers and stand-alone markers carry no length. */
	assert_int_equal(image_size(U("\xff\xd8\xff\xd0\xff\x01\xff\xc0\x00\x0b\x08\x00\x02\x00\x03"), 15,
				    IMAGE_JPEG, &w, &h),
			 0);
	assert_int_equal(w, 3);
	assert_int_equal(h, 2);
}

static void test_size_gif(void **state)
{
	(void)state;
	unsigned char buf[16];
	unsigned w = 0, h = 0;
	size_t n = make_gif(buf, 300, 2);
	assert_int_equal(image_size(buf, n, IMAGE_GIF, &w, &h), 0);
	assert_int_equal(w, 300);
	assert_int_equal(h, 2);
	assert_int_equal(image_size(buf, 9, IMAGE_GIF, &w, &h), -1);
}

static void test_size_webp(void **state)
{
	(void)state;
	unsigned char buf[64];
	unsigned w = 0, h = 0;
	size_t n = make_webp_vp8(buf, 550, 368);
	assert_int_equal(image_sniff(buf, n), IMAGE_WEBP);
	assert_int_equal(image_size(buf, n, IMAGE_WEBP, &w, &h), 0);
	assert_int_equal(w, 550);
	assert_int_equal(h, 368);
	assert_int_equal(image_size(buf, n - 1, IMAGE_WEBP, &w, &h), -1);
	buf[23] = 0; /* broken start code */
	assert_int_equal(image_size(buf, n, IMAGE_WEBP, &w, &h), -1);

	n = make_webp_vp8l(buf, 16383, 2);
	assert_int_equal(image_size(buf, n, IMAGE_WEBP, &w, &h), 0);
	assert_int_equal(w, 16383);
	assert_int_equal(h, 2);
	assert_int_equal(image_size(buf, n - 1, IMAGE_WEBP, &w, &h), -1);

	n = make_webp_vp8x(buf, 20000, 1);
	assert_int_equal(image_size(buf, n, IMAGE_WEBP, &w, &h), 0);
	assert_int_equal(w, 20000);
	assert_int_equal(h, 1);
	assert_int_equal(image_size(buf, n - 1, IMAGE_WEBP, &w, &h), -1);
	assert_int_equal(image_size(buf, 12, IMAGE_WEBP, &w, &h), -1);

	make_webp_head(buf, "ALPH", 4);
	assert_int_equal(image_size(buf, 40, IMAGE_WEBP, &w, &h), -1);
}

/* Assert that the base64 form of s is want. */
static void check_b64(const char *s, const char *want)
{
	size_t n = strlen(s);
	size_t m = attach_base64_len(n);
	assert_int_equal(m, strlen(want));
	char *out = malloc(m + 1);
	assert_non_null(out);
	attach_base64_encode(out, U(s), n);
	assert_string_equal(out, want);
	free(out);
	/* And back, from a data: URI. */
	char *uri = malloc(strlen(want) + 32);
	assert_non_null(uri);
	sprintf(uri, "data:image/png;base64,%s", want);
	size_t back_len = 99;
	unsigned char *back = attach_data_uri_bytes(uri, &back_len);
	assert_non_null(back);
	assert_int_equal(back_len, n);
	assert_memory_equal(back, s, n);
	free(back);
	free(uri);
}

static void test_base64(void **state)
{
	(void)state;
	check_b64("", "");
	check_b64("f", "Zg==");
	check_b64("fo", "Zm8=");
	check_b64("foo", "Zm9v");
	check_b64("foob", "Zm9vYg==");
	check_b64("fooba", "Zm9vYmE=");
	check_b64("foobar", "Zm9vYmFy");
	char out[8];
	attach_base64_encode(out, U("\xfb\xff\xbf"), 3);
	assert_string_equal(out, "+/+/");
	assert_int_equal(attach_base64_len(SIZE_MAX), 0);
	size_t len;
	assert_null(attach_data_uri_bytes("https://example.com/a.png", &len));
	assert_null(attach_data_uri_bytes("data:image/png,plain", &len));
	assert_null(attach_data_uri_bytes("data:image/png;base64,Zm9v!", &len));
	/* Only the first bytes of a payload: digits past them are not read. */
	unsigned char *b = attach_data_uri_prefix("data:image/png;base64,Zm9vYmFy", 2, &len);
	assert_non_null(b);
	assert_int_equal(len, 2);
	assert_memory_equal(b, "fo", 2);
	free(b);
	b = attach_data_uri_prefix("data:image/png;base64,Zm9vYmFy", 3, &len);
	assert_non_null(b);
	assert_int_equal(len, 3);
	assert_memory_equal(b, "foo", 3);
	free(b);
	b = attach_data_uri_prefix("data:image/png;base64,Zm9vYmFy", 100, &len);
	assert_non_null(b);
	assert_int_equal(len, 6);
	assert_memory_equal(b, "foobar", 6);
	free(b);
	b = attach_data_uri_prefix("data:image/png;base64,Zm9vYg==", 5, &len);
	assert_non_null(b);
	assert_int_equal(len, 4);
	assert_memory_equal(b, "foob", 4);
	free(b);
	b = attach_data_uri_prefix("data:image/png;base64,Zm9vYmFy", 0, &len);
	assert_non_null(b);
	assert_int_equal(len, 0);
	free(b);
	b = attach_data_uri_prefix("data:image/png;base64,Zm9v!", 3, &len);
	assert_non_null(b);
	assert_int_equal(len, 3);
	free(b);
	assert_null(attach_data_uri_prefix("data:image/png;base64,Zm9v!", 4, &len));
	assert_null(attach_data_uri_prefix("data:image/png,plain", 4, &len));
	assert_null(attach_data_uri_prefix("https://example.com/a.png", 4, &len));
	assert_string_equal(image_type_name(IMAGE_WEBP), "WebP");
	assert_string_equal(image_type_name(IMAGE_UNKNOWN), "?");
}

/* A scratch directory with helpers to create files in it. */
struct scratch {
	char dir[64];
};

/* Create a fresh scratch directory in *sc. */
static void scratch_make(struct scratch *sc)
{
	strcpy(sc->dir, "/tmp/squint-test-attach-XXXXXX");
	assert_non_null(mkdtemp(sc->dir));
}

/* Return a newly allocated path for name inside sc; the caller frees it. */
static char *scratch_path(const struct scratch *sc, const char *name)
{
	return xasprintf("%s/%s", sc->dir, name);
}

/* Write n bytes of data to name in sc; return its newly allocated path. */
static char *scratch_write(const struct scratch *sc, const char *name, const void *data, size_t n)
{
	char *path = scratch_path(sc, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	if (n)
		assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Remove everything the tests put in sc (a flat directory). */
static void scratch_remove(const struct scratch *sc)
{
	static const char *const names[] = {"shot.png", "x.png", "empty.png", "big.png", "huge.png",
					    "fifo.png", "cut.png", "photo.jpg", "anim.gif", "pic.webp"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *p = scratch_path(sc, names[i]);
		unlink(p);
		free(p);
	}
	assert_int_equal(rmdir(sc->dir), 0);
}

/* Load path, expect failure, and assert the message is want. */
static void check_load_fails(const char *path, size_t max, const char *want)
{
	struct attachment a;
	attachment_init(&a);
	char *err = NULL;
	assert_int_equal(attachment_load(&a, path, max, &err), -1);
	assert_non_null(err);
	assert_string_equal(err, want);
	assert_null(a.url);
	free(err);
	attachment_done(&a);
}

static void test_load_images(void **state)
{
	(void)state;
	struct scratch sc;
	scratch_make(&sc);
	unsigned char buf[128];

	size_t n = make_png(buf, 2, 3);
	char *path = scratch_write(&sc, "shot.png", buf, n);
	struct attachment a;
	attachment_init(&a);
	char *err = NULL;
	assert_int_equal(attachment_load(&a, path, 50 * MB, &err), 0);
	assert_null(err);
	assert_false(a.is_url);
	assert_int_equal(a.type, IMAGE_PNG);
	assert_int_equal(a.width, 2);
	assert_int_equal(a.height, 3);
	assert_int_equal(a.bytes, n);
	assert_string_equal(a.arg, path);
	assert_string_equal(a.name, "shot.png");
	assert_string_equal(a.url, "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAADCAYAAAAAAAAA");
	free(path);

	/* Loading again into the same attachment replaces it. */
	n = make_jpeg(buf, 7, 5);
	path = scratch_write(&sc, "photo.jpg", buf, n);
	assert_int_equal(attachment_load(&a, path, 50 * MB, NULL), 0);
	assert_int_equal(a.type, IMAGE_JPEG);
	assert_int_equal(a.width, 7);
	assert_int_equal(a.height, 5);
	assert_int_equal(strncmp(a.url, "data:image/jpeg;base64,/9j/", 27), 0);
	assert_int_equal(strlen(a.url), 23 + attach_base64_len(n));
	free(path);

	n = make_gif(buf, 4, 4);
	path = scratch_write(&sc, "anim.gif", buf, n);
	assert_int_equal(attachment_load(&a, path, 50 * MB, NULL), 0);
	assert_int_equal(strncmp(a.url, "data:image/gif;base64,R0lGODlh", 30), 0);
	free(path);

	n = make_webp_vp8x(buf, 9, 8);
	path = scratch_write(&sc, "pic.webp", buf, n);
	assert_int_equal(attachment_load(&a, path, 50 * MB, NULL), 0);
	assert_int_equal(strncmp(a.url, "data:image/webp;base64,UklGR", 28), 0);
	assert_int_equal(a.width, 9);
	free(path);

	attachment_done(&a);
	assert_null(a.url);
	scratch_remove(&sc);
}

static void test_load_refusals(void **state)
{
	(void)state;
	struct scratch sc;
	scratch_make(&sc);

	char *path = scratch_write(&sc, "x.png", "%PDF-1.4\n%...\n", 14);
	char *want = xasprintf("%s: not an image (it looks like a PDF document)", path);
	check_load_fails(path, 50 * MB, want);
	free(want);
	free(path);

	path = scratch_path(&sc, "missing.png");
	want = xasprintf("%s: No such file or directory", path);
	check_load_fails(path, 50 * MB, want);
	free(want);
	free(path);

	want = xasprintf("%s: is a directory, not an image file", sc.dir);
	check_load_fails(sc.dir, 50 * MB, want);
	free(want);

	path = scratch_write(&sc, "empty.png", "", 0);
	want = xasprintf("%s: the file is empty", path);
	check_load_fails(path, 50 * MB, want);
	free(want);
	free(path);

	/* A FIFO must be refused, not block in open() or read(). */
	path = scratch_path(&sc, "fifo.png");
	assert_int_equal(mkfifo(path, 0600), 0);
	want = xasprintf("%s: not a regular file", path);
	check_load_fails(path, 50 * MB, want);
	free(want);
	free(path);

	unsigned char png[64];
	size_t n = make_png(png, 1, 1);
	path = scratch_write(&sc, "cut.png", png, 20);
	want = xasprintf("%s: the PNG image is truncated or damaged", path);
	check_load_fails(path, 50 * MB, want);
	free(want);
	free(path);

	path = scratch_write(&sc, "big.png", png, n);
	want = xasprintf("%s: 33 bytes is larger than the 32 bytes limit", path);
	check_load_fails(path, 32, want);
	free(want);
	free(path);

	/* Sizes are checked before reading: sparse files cost nothing here. */
	path = scratch_write(&sc, "huge.png", png, n);
	assert_int_equal(truncate(path, 64171213), 0);
	want = xasprintf("%s: 61.2 MB is larger than the 50 MB limit", path);
	check_load_fails(path, 50 * MB, want);
	free(want);
	/* Just over the limit never prints the same number twice. */
	assert_int_equal(truncate(path, 50 * MB + 1), 0);
	want = xasprintf("%s: 50.1 MB is larger than the 50 MB limit", path);
	check_load_fails(path, 50 * MB, want);
	free(want);
	assert_int_equal(truncate(path, 3 * 1024 + 1), 0);
	want = xasprintf("%s: 3.1 kB is larger than the 2.9 kB limit", path);
	check_load_fails(path, 3 * 1024 - 100, want);
	free(want);
	free(path);

	scratch_remove(&sc);
}

static void test_load_url(void **state)
{
	(void)state;
	static const char *const urls[] = {"https://example.com/no/such/file.png", "http://x/y",
					   "HTTPS://Example.COM/A.PNG", "hTtP://h"};
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		struct attachment a;
		attachment_init(&a);
		char *err = NULL;
		assert_int_equal(attachment_load(&a, urls[i], 1, &err), 0);
		assert_null(err);
		assert_true(a.is_url);
		assert_string_equal(a.url, urls[i]);
		assert_string_equal(a.name, urls[i]);
		assert_string_equal(a.arg, urls[i]);
		assert_int_equal(a.type, IMAGE_UNKNOWN);
		assert_int_equal(a.bytes, 0);
		attachment_done(&a);
	}
	/* Not URLs: a file whose name merely starts like a scheme. */
	char *err = NULL;
	struct attachment a;
	attachment_init(&a);
	assert_int_equal(attachment_load(&a, "https:/nope", 1, &err), -1);
	assert_string_equal(err, "https:/nope: No such file or directory");
	free(err);
	attachment_done(&a);
}

/* A fetched URL is named by its last path segment, never by its query. */
static void test_url_name(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"https://h/a/b/shot.png", "shot.png"},
		{"https://h/shot.png?sig=abc/def#frag", "shot.png"},
		{"http://h:8080/img/", "img"},
		{"http://h/a//b.jpg", "b.jpg"},
		{"http://h/x.png#a/b", "x.png"},
		{"http://h", "http://h"},
		{"http://h/", "http://h/"},
		{"http://h/?q=1", "http://h/?q=1"},
		{"http://h?x=/y.png", "http://h?x=/y.png"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *name = attachment_url_name(cases[i][0]);
		if (strcmp(name, cases[i][1]) != 0)
			fail_msg("%s: got %s, want %s", cases[i][0], name, cases[i][1]);
		free(name);
	}
}

/* attachment_check: the magic-byte test of downloaded bytes. */
static void test_check(void **state)
{
	(void)state;
	static const unsigned char pdf[] = "%PDF-1.7\n";
	char *err = NULL;
	assert_int_equal(attachment_check("https://h/a.png", pdf, sizeof pdf - 1, &err), -1);
	assert_string_equal(err, "https://h/a.png: not an image (it looks like a PDF document)");
	free(err);
	err = NULL;
	assert_int_equal(attachment_check("u", pdf, 0, &err), -1);
	assert_string_equal(err, "u: the file is empty");
	free(err);
	static const unsigned char png_head[] = "\x89PNG\r\n\x1a\n";
	err = NULL;
	assert_int_equal(attachment_check("u", png_head, sizeof png_head - 1, &err), -1);
	assert_string_equal(err, "u: the PNG image is truncated or damaged");
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_size_png),
		cmocka_unit_test(test_size_jpeg),
		cmocka_unit_test(test_size_gif),
		cmocka_unit_test(test_size_webp),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_load_images),
		cmocka_unit_test(test_load_refusals),
		cmocka_unit_test(test_load_url),
		cmocka_unit_test(test_url_name),
		cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
