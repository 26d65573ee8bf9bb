#include <config.h>

#include "img/prepare.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xalloc.h"
#include "i18n.h"
#include "img/fit.h"

/* Return the lower-case short name of t for summaries ("png", ...); static. */
static const char *prepare_type_word(enum image_type t)
{
	switch (t) {
	case IMAGE_PNG:
		return "png";
	case IMAGE_JPEG:
		return "jpeg";
	case IMAGE_GIF:
		return "gif";
	case IMAGE_WEBP:
		return "webp";
	case IMAGE_UNKNOWN:
		break;
	}
	return "?";
}

/* Return a monotonic time in milliseconds. */
static double prepare_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Initialise an empty upload. */
void img_upload_init(struct img_upload *u)
{
	memset(u, 0, sizeof *u);
	u->orig_type = IMAGE_UNKNOWN;
	u->type = IMAGE_UNKNOWN;
	u->orientation = 1;
	u->encoder = IMG_ENC_ORIGINAL;
}

/* Free what u owns. */
void img_upload_done(struct img_upload *u)
{
	free(u->data);
	free(u->summary);
	img_upload_init(u);
}

/* Fill u's summary line from what it holds. */
static void prepare_summary(struct img_upload *u, const char *name)
{
	char *ob = image_format_bytes(u->orig_bytes);
	if (u->encoder == IMG_ENC_ORIGINAL) {
		u->summary = xasprintf(_("%s %u×%u %s (sent as is)"), name, u->orig_w, u->orig_h, ob);
	} else {
		char *sb = image_format_bytes(u->len);
		u->summary = xasprintf(_("%s %u×%u %s → %u×%u %s %s%s"), name, u->orig_w, u->orig_h, ob, u->w, u->h,
				       prepare_type_word(u->type), sb, u->orientation != 1 ? _(" (turned upright)") : "");
		free(sb);
	}
	free(ob);
}

/* Decode, fit and re-encode an image file for upload; return 0 or -1 with *err set. */
int img_prepare_upload(const unsigned char *file, size_t len, const char *name, const char *model,
		       const char *detail, long max_edge, const struct img_limits *lim, const struct img_quality *q,
		       struct img_upload *out, char **err)
{
	return img_prepare_upload_pixels(file, len, name, model, detail, max_edge, lim, q, out, NULL, err);
}

/* img_prepare_upload(), keeping the fitted pixels in *fitted; 0 or -1. */
int img_prepare_upload_pixels(const unsigned char *file, size_t len, const char *name, const char *model,
			      const char *detail, long max_edge, const struct img_limits *lim,
			      const struct img_quality *q, struct img_upload *out, struct image *fitted, char **err)
{
	img_upload_done(out);
	if (err)
		*err = NULL;
	if (!name)
		name = _("image");

	struct image img;
	image_init(&img);
	struct img_info info;
	double t0 = prepare_now_ms();
	/* The header first: the fitted size lets a JPEG decode at a
	 * fraction of its size, and a PNG straight into the fitted size. */
	if (img_probe(file, len, name, lim, &info, err) != 0)
		return -1;
	unsigned fw, fh;
	img_fit_size(model, detail, max_edge, info.w, info.h, &fw, &fh);
	bool scaled = fw != info.w || fh != info.h;
	/* OpenAI and Anthropic scale to these same sizes on their side, so
	 * an image sent bigger costs no more tokens there.  Other servers
	 * may spend tokens on every pixel, and a max_edge set by hand is a
	 * promise: those always get the fitted image. */
	enum img_fit_rule rule = img_fit_rule(model, detail, max_edge);
	bool same_at_provider = rule == IMG_FIT_OPENAI || rule == IMG_FIT_OPENAI_LOW || rule == IMG_FIT_CLAUDE;
	/* Shrinking a screenshot by a little blurs every edge of its text,
	 * which lossless coding pays for, and saves few pixels: a 1280×800
	 * window fitted to 1229×768 came out at twice the bytes of the same
	 * window unscaled, and took as long.  When the provider scales it
	 * anyway and fitting would keep at least 3/4 of its pixels, a
	 * screenshot goes at its own size.  (Encoding both and keeping the
	 * smaller took 1.7 to 3.3 times as long.) */
	bool mild = scaled && same_at_provider && (uint64_t)fw * fh * 4 >= (uint64_t)info.w * info.h * 3;
	enum img_kind kind;
	if (mild) {
		struct image full;
		image_init(&full);
		if (img_decode(file, len, name, lim, &full, &info, err) != 0)
			return -1;
		kind = img_classify(&full);
		if (kind == IMG_KIND_SCREENSHOT) {
			img = full;
			fw = info.w;
			fh = info.h;
			scaled = false;
		} else {
			int rc = img_scale(&full, fw, fh, &img);
			image_free(&full);
			if (rc != 0)
				return image_fail(err, name, _("not enough memory to scale the image to %u×%u"), fw,
						  fh);
		}
	} else if (img_decode_fitted(file, len, name, lim, fw, fh, &img, &info, err) != 0) {
		return -1;
	} else {
		kind = img_classify(&img);
	}
	double t1 = prepare_now_ms();
	/* Decoding and scaling are one pass for most files: the time is
	 * counted as decoding. */
	out->decode_ms = t1 - t0;
	out->orig_type = info.type;
	out->orig_w = info.w;
	out->orig_h = info.h;
	out->orig_bytes = len;
	out->orientation = info.orientation;
	out->kind = kind;
	double t2 = prepare_now_ms();
	out->scale_ms = t2 - t1;

	struct img_encoded enc;
	img_encoded_init(&enc);
	char *why = NULL;
	int rc = img_encode_best(&img, out->kind, q, &enc, &why);
	if (fitted && rc == 0) {
		image_free(fitted);
		*fitted = img;
	} else {
		image_free(&img);
	}
	out->encode_ms = prepare_now_ms() - t2;
	if (rc != 0) {
		image_fail(err, name, "%s", why);
		free(why);
		img_upload_done(out);
		return -1;
	}
	out->ncand = enc.ncand;
	memcpy(out->cand, enc.cand, sizeof enc.cand);

	/* Same pixels as the file and not clearly smaller: the original
	 * bytes are better (no generation loss, nothing surprising).  A
	 * turned JPEG never qualifies: its pixels are not the file's as
	 * stored, and providers may ignore EXIF orientation.
	 * Scaled but no smaller (a very compressible original), for a
	 * provider that scales to the same size itself: the original costs
	 * nothing more there. */
	bool keep = info.orientation == 1 &&
		    (scaled ? same_at_provider && enc.len >= len : enc.len > len - len / 10);
	if (keep) {
		img_encoded_done(&enc);
		out->data = malloc(len);
		if (!out->data) {
			img_upload_done(out);
			return image_fail(err, name, _("not enough memory to copy the image"));
		}
		memcpy(out->data, file, len);
		out->len = len;
		out->type = info.type;
		out->encoder = IMG_ENC_ORIGINAL;
		out->w = out->orig_w;
		out->h = out->orig_h;
	} else {
		out->data = enc.data;
		out->len = enc.len;
		out->type = enc.type;
		out->encoder = enc.encoder;
		out->w = fw;
		out->h = fh;
	}
	out->mime = image_type_mime(out->type);
	prepare_summary(out, name);
	return 0;
}

/* Return a newly allocated data: URI of u's bytes, or NULL. */
char *img_upload_data_uri(const struct img_upload *u)
{
	if (!u->data || !u->mime)
		return NULL;
	size_t mlen = strlen(u->mime);
	size_t prefix = 5 + mlen + 8; /* "data:" MIME ";base64," */
	size_t b64 = attach_base64_len(u->len);
	if (b64 == 0 || b64 > SIZE_MAX - prefix - 1)
		return NULL;
	char *uri = malloc(prefix + b64 + 1);
	if (!uri)
		return NULL;
	memcpy(uri, "data:", 5);
	memcpy(uri + 5, u->mime, mlen);
	memcpy(uri + 5 + mlen, ";base64,", 8);
	attach_base64_encode(uri + prefix, u->data, u->len);
	return uri;
}
