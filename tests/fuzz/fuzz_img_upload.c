/* Fuzz the upload pipeline (img_prepare_upload in src/img/encode.c: probe,
 * decode, fit, scale, re-encode or keep the original).
 *
 * The input is an image file; the model, detail and max_edge come from its
 * hash.  Pictures are capped at 256×256 pixels so each input is quick.
 * Invariants: a prepared upload is a whole image file of the type and MIME
 * type it claims, which decodes to exactly the size it claims; that size
 * is the fitted size (or the original's, when the original is kept) and
 * respects a max_edge set by hand; its data: URI is well formed; a failure
 * is one line without control bytes. */
#include <config.h>

#include "img/encode.h"
#include "img/prepare.h"
#include "img/fit.h"
#include "fuzz.h"

#include <string.h>

#define FUZZ_MAX_PIXELS (256ULL * 256ULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const models[] = {"gpt-4o", "claude-3-5-sonnet",
					     "anthropic/claude-3-haiku", "llava", NULL};
	static const char *const details[] = {NULL, "low", "high", "auto"};
	static const long edges[] = {IMG_MAX_EDGE_AUTO, 0, 1, 16, 64};
	struct fuzz_rng rng;
	fuzz_rng_seed(&rng, data, size);
	const char *model = models[fuzz_rng_below(&rng, 5)];
	const char *detail = details[fuzz_rng_below(&rng, 4)];
	long max_edge = edges[fuzz_rng_below(&rng, 5)];

	struct img_limits lim;
	img_limits_default(&lim);
	lim.max_pixels = FUZZ_MAX_PIXELS;
	struct img_quality q;
	img_quality_default(&q);

	struct img_upload up;
	img_upload_init(&up);
	char *err = NULL;
	int rc = img_prepare_upload(data, size, "fuzz.img", model, detail, max_edge, &lim, &q, &up,
				    &err);
	if (rc != 0) {
		FUZZ_ASSERT(rc == -1, "img_prepare_upload returned %d", rc);
		FUZZ_ASSERT(err && *err, "a failure without a message");
		for (const char *p = err; *p; p++)
			FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f,
				    "control byte 0x%02x in \"%s\"", (unsigned char)*p, err);
		FUZZ_ASSERT(!up.data && !up.summary, "a failed upload kept data");
		free(err);
		img_upload_done(&up);
		return 0;
	}
	FUZZ_ASSERT(!err, "success with a message: %s", err);
	FUZZ_ASSERT(up.data && up.len > 0 && up.summary, "an empty upload");
	FUZZ_ASSERT(up.mime && strcmp(up.mime, image_type_mime(up.type)) == 0,
		    "MIME type %s for type %d", up.mime ? up.mime : "(null)", (int)up.type);
	FUZZ_ASSERT(image_sniff(up.data, up.len) == up.type,
		    "the bytes are not the %s they claim to be", up.mime);
	FUZZ_ASSERT(up.orig_w > 0 && up.orig_h > 0 && up.orig_bytes == size,
		    "wrong original facts");

	unsigned fw, fh;
	img_fit_size(model, detail, max_edge, up.orig_w, up.orig_h, &fw, &fh);
	if (up.encoder == IMG_ENC_ORIGINAL) {
		FUZZ_ASSERT(up.len == size && memcmp(up.data, data, size) == 0,
			    "the original was changed");
		FUZZ_ASSERT(up.w == up.orig_w && up.h == up.orig_h,
			    "the original is %ux%u, not %ux%u", up.orig_w, up.orig_h, up.w, up.h);
		FUZZ_ASSERT(up.orientation == 1, "a turned JPEG was sent as is");
	} else if (up.w != fw || up.h != fh) {
		/* Only a screenshot that fitting would shrink a little goes at its
		 * own size, and only to a provider that shrinks it the same way. */
		enum img_fit_rule rule = img_fit_rule(model, detail, max_edge);
		FUZZ_ASSERT(up.w == up.orig_w && up.h == up.orig_h && up.kind == IMG_KIND_SCREENSHOT &&
				    (rule == IMG_FIT_OPENAI || rule == IMG_FIT_OPENAI_LOW ||
				     rule == IMG_FIT_CLAUDE) &&
				    (unsigned long long)fw * fh * 4 >= (unsigned long long)up.orig_w * up.orig_h * 3,
			    "sent at %ux%u, fitted size %ux%u", up.w, up.h, fw, fh);
	}
	FUZZ_ASSERT(up.w > 0 && up.h > 0 && up.w <= up.orig_w && up.h <= up.orig_h,
		    "sent at %ux%u from %ux%u", up.w, up.h, up.orig_w, up.orig_h);
	if (max_edge > 0)
		FUZZ_ASSERT(up.w <= (unsigned long)max_edge && up.h <= (unsigned long)max_edge,
			    "sent at %ux%u with max_edge %ld", up.w, up.h, max_edge);

	/* What is sent must be a whole picture of the size claimed. */
	struct image back;
	image_init(&back);
	char *why = NULL;
	int drc = img_decode(up.data, up.len, "sent", NULL, &back, NULL, &why);
	FUZZ_ASSERT(drc == 0, "the %s squint would send does not decode: %s",
		    img_encoder_name(up.encoder), why ? why : "");
	FUZZ_ASSERT(back.w == up.w && back.h == up.h, "the %s sent decodes to %ux%u, claimed %ux%u",
		    img_encoder_name(up.encoder), back.w, back.h, up.w, up.h);
	image_free(&back);

	char *uri = img_upload_data_uri(&up);
	FUZZ_ASSERT(uri, "no data: URI");
	size_t prefix = strlen("data:") + strlen(up.mime) + strlen(";base64,");
	FUZZ_ASSERT(strncmp(uri, "data:", 5) == 0 &&
			    strncmp(uri + 5, up.mime, strlen(up.mime)) == 0 &&
			    strncmp(uri + prefix - 8, ";base64,", 8) == 0,
		    "a bad data: URI prefix: %.40s", uri);
	FUZZ_ASSERT(strlen(uri) == prefix + attach_base64_len(up.len),
		    "a data: URI of %zu bytes for %zu", strlen(uri), up.len);
	free(uri);
	img_upload_done(&up);
	FUZZ_ASSERT(!up.data && !up.summary, "img_upload_done left data");
	return 0;
}
