/* Fuzz image sniffing and decoding (src/img/decode*.c, image.c and
 * src/core/attach.c's sniffing) through squint's own entry points.
 *
 * The input is an image file.  Invariants: img_probe() and img_decode()
 * agree on whether it is an image and what it says (type, upright size,
 * orientation); a decoded picture respects the pixel limit and has exactly
 * w*h*4 bytes of pixels (all of them are read, so ASan sees a short buffer);
 * img_decode_at_least() gives at least the size asked for (or the full
 * size) and never more; a failure is one line without control bytes that
 * names the file.  A PNG shrunk by img_decode_fitted() (its own row
 * reader, src/img/pngrows.c, with libpng as the fallback) gives exactly
 * the pixels of decoding it whole with libpng and scaling, and fails
 * exactly when that fails, with the same message.  A JPEG shrunk by it
 * (upright ones a scanline at a time into the scaler) agrees the same way
 * with img_decode_at_least() at that size and img_scale(). */
#include <config.h>

#include "img/decode.h"
#include "img/fit.h"
#include "fuzz.h"

#include <string.h>

/* Small enough to decode quickly under ASan, big enough for real pictures. */
#define FUZZ_MAX_PIXELS (2048ULL * 2048ULL)

/* Check a failure's message. */
static void check_err(const char *what, const char *err)
{
	FUZZ_ASSERT(err && *err, "%s failed without a message", what);
	for (const char *p = err; *p; p++)
		FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f,
			    "%s: control byte 0x%02x in \"%s\"", what, (unsigned char)*p, err);
	FUZZ_ASSERT(strstr(err, "fuzz.img"), "%s: the message does not name the file: %s", what,
		    err);
}

/* Check a decoded picture against what the header said. */
static unsigned check_image(const char *what, const struct image *img)
{
	FUZZ_ASSERT(img->w > 0 && img->h > 0 && img->rgba, "%s: an empty picture", what);
	FUZZ_ASSERT((unsigned long long)img->w * img->h <= FUZZ_MAX_PIXELS,
		    "%s: %ux%u is over the limit", what, img->w, img->h);
	size_t n = image_buffer_size(img->w, img->h);
	FUZZ_ASSERT(n == (size_t)img->w * img->h * 4, "%s: %zu bytes for %ux%u", what, n, img->w,
		    img->h);
	/* Read every byte: a buffer smaller than w*h*4 is an ASan report. */
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += img->rgba[i];
	return sum;
}

/* Shrink the PNG whose whole decoding is full with img_decode_fitted() to
 * a size picked from the input: the pixels must be img_scale()'s of full. */
static void check_png_fitted(const uint8_t *data, size_t size, const struct img_limits *lim,
			     const struct image *full)
{
	if (full->w < 2 || full->h < 2)
		return;
	struct fuzz_rng rng;
	fuzz_rng_seed(&rng, data, size);
	unsigned fw = 1 + (unsigned)fuzz_rng_below(&rng, full->w - 1);
	unsigned fh = 1 + (unsigned)fuzz_rng_below(&rng, full->h - 1);
	struct image want, got;
	image_init(&want);
	image_init(&got);
	struct img_info info;
	char *err = NULL;
	int rc = img_decode_fitted(data, size, "fuzz.img", lim, fw, fh, &got, &info, &err);
	FUZZ_ASSERT(rc == 0, "img_decode_fitted failed where img_decode did not: %s", err ? err : "");
	FUZZ_ASSERT(img_scale(full, fw, fh, &want) == 0, "img_scale failed");
	FUZZ_ASSERT(got.w == fw && got.h == fh, "fitted %ux%u, asked %ux%u", got.w, got.h, fw, fh);
	size_t n = (size_t)fw * fh * 4;
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(got.rgba[i] == want.rgba[i],
			    "fitted pixel %zu of %ux%u (from %ux%u): byte %zu is %u, scaling the whole gives %u",
			    i / 4, fw, fh, full->w, full->h, i % 4, got.rgba[i], want.rgba[i]);
	image_free(&want);
	image_free(&got);
}

/* A JPEG whose header reads as w×h (upright): img_decode_fitted() to a
 * size picked from the input must agree with img_decode_at_least() to it
 * plus img_scale(): the same pixels or the same failure. */
static void check_jpeg_fitted(const uint8_t *data, size_t size, const struct img_limits *lim, unsigned w,
			      unsigned h)
{
	if (w < 2 || h < 2)
		return;
	struct fuzz_rng rng;
	fuzz_rng_seed(&rng, data, size);
	unsigned fw = 1 + (unsigned)fuzz_rng_below(&rng, w - 1);
	unsigned fh = 1 + (unsigned)fuzz_rng_below(&rng, h - 1);
	struct image at, want, got;
	image_init(&at);
	image_init(&want);
	image_init(&got);
	struct img_info info;
	char *err = NULL, *ferr = NULL;
	int rc = img_decode_at_least(data, size, "fuzz.img", lim, fw, fh, &at, &info, &err);
	int frc = img_decode_fitted(data, size, "fuzz.img", lim, fw, fh, &got, &info, &ferr);
	FUZZ_ASSERT(rc == frc, "img_decode_fitted returned %d (%s), img_decode_at_least %d (%s)", frc,
		    ferr ? ferr : "", rc, err ? err : "");
	if (rc == 0) {
		FUZZ_ASSERT(img_scale(&at, fw, fh, &want) == 0, "img_scale failed");
		FUZZ_ASSERT(got.w == fw && got.h == fh, "fitted %ux%u, asked %ux%u", got.w, got.h, fw, fh);
		for (size_t i = 0; i < (size_t)fw * fh * 4; i++)
			FUZZ_ASSERT(got.rgba[i] == want.rgba[i], "fitted JPEG byte %zu of %ux%u is %u, not %u", i,
				    fw, fh, got.rgba[i], want.rgba[i]);
	} else {
		FUZZ_ASSERT(err && ferr && strcmp(err, ferr) == 0, "img_decode_fitted: \"%s\", img_decode_at_least: \"%s\"",
			    ferr ? ferr : "", err ? err : "");
		FUZZ_ASSERT(!got.rgba, "a failed fitted decode left pixels");
	}
	free(err);
	free(ferr);
	image_free(&at);
	image_free(&want);
	image_free(&got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_limits lim;
	img_limits_default(&lim);
	lim.max_pixels = FUZZ_MAX_PIXELS;

	enum image_type sniffed = image_sniff(data, size);
	const char *desc = image_sniff_describe(data, size);
	FUZZ_ASSERT(desc && *desc, "image_sniff_describe gave nothing");

	struct img_info probe, info;
	char *err = NULL;
	int prc = img_probe(data, size, "fuzz.img", &lim, &probe, &err);
	if (prc == 0) {
		FUZZ_ASSERT(!err, "a probe succeeded with a message");
		FUZZ_ASSERT(probe.type != IMAGE_UNKNOWN && probe.type == sniffed,
			    "probe says type %d, sniffing %d", (int)probe.type, (int)sniffed);
		FUZZ_ASSERT(probe.w > 0 && probe.h > 0 &&
				    (unsigned long long)probe.w * probe.h <= FUZZ_MAX_PIXELS,
			    "probe: %ux%u", probe.w, probe.h);
		FUZZ_ASSERT(probe.orientation >= 1 && probe.orientation <= 8, "orientation %d",
			    probe.orientation);
	} else {
		FUZZ_ASSERT(prc == -1, "img_probe returned %d", prc);
		check_err("img_probe", err);
		free(err);
		err = NULL;
	}

	/* Up to 256K pixels: tiny files claiming megapixels, decoded four
	 * times with every comparison traced, made the target run at ~130
	 * inputs/s instead of ~800.  The read-ahead thread (from 1 Mpx) is
	 * fuzzed through the PNGs and unit-tested with a 4000x3000 photo. */
	if (prc == 0 && probe.type == IMAGE_JPEG && (unsigned long long)probe.w * probe.h <= 256ULL * 1024)
		check_jpeg_fitted(data, size, &lim, probe.w, probe.h);

	struct image img;
	image_init(&img);
	int drc = img_decode(data, size, "fuzz.img", &lim, &img, &info, &err);
	if (drc == 0) {
		FUZZ_ASSERT(prc == 0, "img_decode succeeded where img_probe failed");
		FUZZ_ASSERT(info.type == probe.type && info.w == probe.w && info.h == probe.h &&
				    info.orientation == probe.orientation &&
				    info.lossless == probe.lossless &&
				    info.has_alpha == probe.has_alpha,
			    "img_decode's info differs from img_probe's");
		FUZZ_ASSERT(img.w == info.w && img.h == info.h,
			    "decoded %ux%u, the header says %ux%u", img.w, img.h, info.w, info.h);
		check_image("img_decode", &img);
		if (info.type == IMAGE_PNG)
			check_png_fitted(data, size, &lim, &img);
	} else {
		FUZZ_ASSERT(drc == -1, "img_decode returned %d", drc);
		FUZZ_ASSERT(!img.rgba && img.w == 0 && img.h == 0, "a failed decode left pixels");
		check_err("img_decode", err);
		if (prc == 0 && probe.type == IMAGE_PNG && probe.w > 1 && probe.h > 1) {
			struct image fit;
			image_init(&fit);
			char *ferr = NULL;
			int frc = img_decode_fitted(data, size, "fuzz.img", &lim, probe.w / 2, probe.h / 2,
						    &fit, &info, &ferr);
			FUZZ_ASSERT(frc == -1 && !fit.rgba, "img_decode_fitted succeeded where img_decode failed: %s",
				    err);
			FUZZ_ASSERT(ferr && strcmp(ferr, err) == 0, "img_decode_fitted: \"%s\", img_decode: \"%s\"",
				    ferr ? ferr : "", err);
			free(ferr);
		}
		free(err);
		err = NULL;
	}
	image_free(&img);

	/* A JPEG may come out smaller, but never below what was asked. */
	if (drc == 0) {
		struct fuzz_rng rng;
		fuzz_rng_seed(&rng, data, size);
		unsigned min_w = 1 + (unsigned)fuzz_rng_below(&rng, info.w);
		unsigned min_h = 1 + (unsigned)fuzz_rng_below(&rng, info.h);
		int rc = img_decode_at_least(data, size, "fuzz.img", &lim, min_w, min_h, &img,
					     &info, &err);
		FUZZ_ASSERT(rc == 0, "img_decode_at_least failed where img_decode did: %s",
			    err ? err : "");
		check_image("img_decode_at_least", &img);
		FUZZ_ASSERT(img.w <= info.w && img.h <= info.h,
			    "%ux%u is larger than the image's %ux%u", img.w, img.h, info.w, info.h);
		FUZZ_ASSERT((img.w >= min_w && img.h >= min_h) ||
				    (img.w == info.w && img.h == info.h),
			    "%ux%u for at least %ux%u of %ux%u", img.w, img.h, min_w, min_h, info.w,
			    info.h);
		image_free(&img);
	}
	return 0;
}
