#include <config.h>

#include "img/decode.h"
#include "img/decode-internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gif_lib.h>
#include <webp/decode.h>

#include "i18n.h"
#include "img/fit.h"

/* Fill lim with the defaults. */
void img_limits_default(struct img_limits *lim)
{
	lim->max_pixels = IMG_DEFAULT_MAX_PIXELS;
	lim->max_bytes = IMG_DEFAULT_MAX_BYTES;
}

/* Return the big-endian 32-bit value at p. */
uint32_t decode_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Return the little-endian 32-bit value at p. */
uint32_t decode_le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Set the "truncated" message for the job's type; return -1. */
int decode_fail_truncated(struct decode_job *job)
{
	return image_fail(job->err, job->name, _("the %s data is truncated"), image_type_name(job->info.type));
}

/* Set the "damaged" message for the job's type, with the library's words
 * (untranslated, English) in parentheses when there are any; return -1. */
int decode_fail_damaged(struct decode_job *job, const char *why)
{
	const char *type = image_type_name(job->info.type);
	if (why && *why)
		return image_fail(job->err, job->name, _("the %s data is damaged (%s)"), type, why);
	return image_fail(job->err, job->name, _("the %s data is damaged"), type);
}

/* Set the "out of memory" message for a w×h picture; return -1. */
int decode_fail_memory(struct decode_job *job, unsigned w, unsigned h)
{
	return image_fail(job->err, job->name, _("not enough memory to decode a %u×%u image"), w, h);
}

/* Write px / 1e6 to buf (size n) with at most one decimal, rounded up or
 * down as asked, so that a picture just over the limit never prints the
 * limit's own number. */
static void decode_format_mp(char *buf, size_t n, unsigned long long px, int round_up)
{
	unsigned long long tenths = round_up ? (px + 99999) / 100000 : px / 100000;
	if (tenths % 10 == 0)
		snprintf(buf, n, "%llu", tenths / 10);
	else
		snprintf(buf, n, "%llu.%llu", tenths / 10, tenths % 10);
}

/* Check that w×h is within the pixel limit; return 0, or -1 with the
 * message set. */
static int decode_check_pixels(struct decode_job *job, unsigned w, unsigned h)
{
	unsigned long long px = (unsigned long long)w * h;
	unsigned long long max = job->lim->max_pixels;
	if (px > max) {
		/* Limits under a megapixel (tests, tight configurations) would
		 * print as "0", so those are given in pixels. */
		if (max < 1000000)
			return image_fail(job->err, job->name, _("%u×%u is %llu pixels, more than the %llu pixel limit"), w,
					  h, px, max);
		char have[32], limit[32];
		decode_format_mp(have, sizeof have, px, 1);
		decode_format_mp(limit, sizeof limit, max, 0);
		return image_fail(job->err, job->name, _("%u×%u is %s megapixels, more than the %s megapixel limit"), w,
				  h, have, limit);
	}
	return 0;
}

/* Check a picture size read from a header, before anything that size is
 * allocated: no zero sizes, no more pixels than the limit.  On success,
 * record it as the stored size; return 0, or -1 with the message set. */
int decode_check_size(struct decode_job *job, unsigned w, unsigned h)
{
	if (w == 0 || h == 0)
		return image_fail(job->err, job->name, _("the %s image has zero size (%u×%u)"),
				  image_type_name(job->info.type), w, h);
	if (decode_check_pixels(job, w, h) != 0)
		return -1;
	if (image_buffer_size(w, h) == 0)
		return decode_fail_memory(job, w, h);
	job->info.w = w;
	job->info.h = h;
	return 0;
}

/* giflib reads from memory through this cursor. */
struct decode_gif_src {
	const unsigned char *buf;
	size_t len, pos;
	bool short_read; /* giflib asked for more than was left */
};

/* giflib's input function: copy up to n bytes; fewer at the end of the data. */
static int decode_gif_read(GifFileType *g, GifByteType *dst, int n)
{
	struct decode_gif_src *s = g->UserData;
	size_t want = n > 0 ? (size_t)n : 0, avail = s->len - s->pos;
	if (want > avail) {
		want = avail;
		s->short_read = true;
	}
	memcpy(dst, s->buf + s->pos, want);
	s->pos += want;
	return (int)want;
}

/* Set the message for giflib error code e; return -1.  giflib reports a
 * short read under several codes, so the reader's own flag decides. */
static int decode_gif_fail(struct decode_job *job, const struct decode_gif_src *src, int e)
{
	if (src->short_read || e == D_GIF_ERR_READ_FAILED || e == D_GIF_ERR_EOF_TOO_SOON)
		return decode_fail_truncated(job);
	return decode_fail_damaged(job, GifErrorString(e));
}

/* Paint the first frame's pixels onto the canvas (transparent where the
 * frame does not reach or uses the transparent index); return 0 or -1. */
static int decode_gif_frame(struct decode_job *job, GifFileType *g, const struct decode_gif_src *src, int trans)
{
	struct image *img = job->out;
	memset(img->rgba, 0, (size_t)img->w * img->h * 4);
	const GifImageDesc *d = &g->Image;
	const ColorMapObject *cmap = d->ColorMap ? d->ColorMap : g->SColorMap;
	if (d->Width <= 0 || d->Height <= 0)
		return 0;
	GifPixelType *line = malloc((size_t)d->Width);
	if (!line)
		return decode_fail_memory(job, img->w, img->h);
	/* Interlaced rows arrive in four passes: every 8th row from 0, every
	 * 8th from 4, every 4th from 2, every 2nd from 1. */
	static const int start[] = {0, 4, 2, 1}, step[] = {8, 8, 4, 2};
	int pass = 0, y = 0;
	for (int r = 0; r < d->Height; r++) {
		if (DGifGetLine(g, line, d->Width) == GIF_ERROR) {
			free(line);
			return decode_gif_fail(job, src, g->Error);
		}
		int row = r;
		if (d->Interlace) {
			while (y >= d->Height && pass < 3) {
				pass++;
				y = start[pass];
			}
			row = y;
			y += step[pass];
		}
		long cy = (long)d->Top + row;
		if (cy < 0 || cy >= (long)img->h)
			continue;
		unsigned char *out = img->rgba + (size_t)cy * img->w * 4;
		for (int x = 0; x < d->Width; x++) {
			long cx = (long)d->Left + x;
			int idx = line[x];
			if (cx >= (long)img->w || idx == trans)
				continue;
			unsigned char *p = out + (size_t)cx * 4;
			if (cmap && idx < cmap->ColorCount) {
				p[0] = cmap->Colors[idx].Red;
				p[1] = cmap->Colors[idx].Green;
				p[2] = cmap->Colors[idx].Blue;
			} else {
				/* No colour table at all: a grey ramp, as browsers do. */
				p[0] = p[1] = p[2] = (unsigned char)idx;
			}
			p[3] = 255;
		}
	}
	free(line);
	return 0;
}

/* Probe or decode the first frame of a GIF with giflib; return 0 or -1. */
static int decode_gif(struct decode_job *job)
{
	struct decode_gif_src src = {job->buf, job->len, 0, false};
	int gerr = 0;
	GifFileType *g = DGifOpen(&src, decode_gif_read, &gerr);
	if (!g)
		return decode_gif_fail(job, &src, gerr);

	int rc = -1, trans = -1;
	/* Walk extensions up to the first image: its graphic control block
	 * holds the transparent index.  Reading record by record (not
	 * DGifSlurp) means no frame raster is allocated before the size is
	 * checked. */
	for (;;) {
		GifRecordType rt;
		if (DGifGetRecordType(g, &rt) == GIF_ERROR) {
			decode_gif_fail(job, &src, g->Error);
			goto done;
		}
		if (rt == IMAGE_DESC_RECORD_TYPE)
			break;
		if (rt == TERMINATE_RECORD_TYPE) {
			decode_fail_damaged(job, "no image in the file");
			goto done;
		}
		if (rt != EXTENSION_RECORD_TYPE)
			continue;
		int code;
		GifByteType *ext;
		if (DGifGetExtension(g, &code, &ext) == GIF_ERROR) {
			decode_gif_fail(job, &src, g->Error);
			goto done;
		}
		if (code == GRAPHICS_EXT_FUNC_CODE && ext && ext[0] >= 4)
			trans = (ext[1] & 1) ? ext[4] : -1;
		while (ext) {
			if (DGifGetExtensionNext(g, &ext) == GIF_ERROR) {
				decode_gif_fail(job, &src, g->Error);
				goto done;
			}
		}
	}
	if (DGifGetImageDesc(g) == GIF_ERROR) {
		decode_gif_fail(job, &src, g->Error);
		goto done;
	}
	const GifImageDesc *d = &g->Image;
	long w = g->SWidth, h = g->SHeight;
	/* Some writers leave the logical screen at 0×0: the frame decides. */
	if (w <= 0 || h <= 0) {
		w = (long)d->Left + d->Width;
		h = (long)d->Top + d->Height;
	}
	if (decode_check_size(job, (unsigned)(w > 0 ? w : 0), (unsigned)(h > 0 ? h : 0)) != 0)
		goto done;
	/* The frame is decoded whole even where it hangs off the screen: a
	 * 65535×65535 frame on a 1×1 screen is a bomb of another kind. */
	if (d->Width > 0 && d->Height > 0 && decode_check_pixels(job, (unsigned)d->Width, (unsigned)d->Height) != 0)
		goto done;
	job->info.lossless = true;
	job->info.has_alpha = trans >= 0 || d->Left > 0 || d->Top > 0 || d->Left + d->Width < w ||
			      d->Top + d->Height < h;
	if (!job->out) {
		rc = 0;
		goto done;
	}
	if (image_alloc(job->out, (unsigned)w, (unsigned)h) != 0) {
		decode_fail_memory(job, (unsigned)w, (unsigned)h);
		goto done;
	}
	rc = decode_gif_frame(job, g, &src, trans);
	if (rc != 0)
		image_free(job->out);
done:
	DGifCloseFile(g, &gerr);
	return rc;
}

/* Return libwebp's status as words for a "damaged" message; static. */
static const char *decode_webp_status(VP8StatusCode s)
{
	switch (s) {
	case VP8_STATUS_OUT_OF_MEMORY:
		return "out of memory";
	case VP8_STATUS_INVALID_PARAM:
		return "invalid parameter";
	case VP8_STATUS_BITSTREAM_ERROR:
		return "bitstream error";
	case VP8_STATUS_UNSUPPORTED_FEATURE:
		return "unsupported feature";
	default:
		return "";
	}
}

/* Probe or decode a WebP with libwebp into our own buffer; return 0 or -1. */
static int decode_webp(struct decode_job *job)
{
	/* The RIFF header says how long the file is: shorter means cut. */
	int cut = job->len < 12 || (uint64_t)decode_le32(job->buf + 4) + 8 > job->len;
	WebPBitstreamFeatures f;
	VP8StatusCode s = WebPGetFeatures(job->buf, job->len, &f);
	if (s == VP8_STATUS_NOT_ENOUGH_DATA)
		return decode_fail_truncated(job);
	if (s != VP8_STATUS_OK)
		return cut ? decode_fail_truncated(job) : decode_fail_damaged(job, decode_webp_status(s));
	if (f.has_animation)
		return image_fail(job->err, job->name, _("animated WebP images are not supported"));
	if (decode_check_size(job, f.width > 0 ? (unsigned)f.width : 0, f.height > 0 ? (unsigned)f.height : 0) != 0)
		return -1;
	job->info.lossless = f.format == 2;
	job->info.has_alpha = f.has_alpha != 0;
	if (!job->out)
		return 0;
	if (image_alloc(job->out, (unsigned)f.width, (unsigned)f.height) != 0)
		return decode_fail_memory(job, (unsigned)f.width, (unsigned)f.height);
	size_t size = (size_t)f.width * f.height * 4;
	if (!WebPDecodeRGBAInto(job->buf, job->len, job->out->rgba, size, f.width * 4)) {
		image_free(job->out);
		return cut ? decode_fail_truncated(job) : decode_fail_damaged(job, NULL);
	}
	return 0;
}

/* Shared body of img_probe() and img_decode() (out NULL when probing). */
static int decode_any(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
		      unsigned min_w, unsigned min_h, unsigned fit_w, unsigned fit_h, struct image *out,
		      struct img_info *info, char **err)
{
	struct img_limits deflim;
	if (!lim) {
		img_limits_default(&deflim);
		lim = &deflim;
	}
	if (err)
		*err = NULL;
	if (out)
		image_free(out);
	struct decode_job job = {buf, len, name, lim, out, min_w, min_h, fit_w, fit_h,
				 {IMAGE_UNKNOWN, 0, 0, 1, false, false}, err};

	if (len == 0)
		return image_fail(err, name, _("the file is empty"));
	if (len > lim->max_bytes) {
		char *have = image_format_bytes(len);
		char *max = image_format_bytes(lim->max_bytes);
		image_fail(err, name, _("%s is larger than the %s limit"), have, max);
		free(have);
		free(max);
		return -1;
	}
	job.info.type = image_sniff(buf, len);
	int rc;
	switch (job.info.type) {
	case IMAGE_PNG:
		rc = decode_png(&job);
		break;
	case IMAGE_JPEG:
		rc = decode_jpeg(&job);
		break;
	case IMAGE_GIF:
		rc = decode_gif(&job);
		break;
	case IMAGE_WEBP:
		rc = decode_webp(&job);
		break;
	default:
		return image_fail(err, name, _("not an image (it looks like %s)"), image_sniff_describe(buf, len));
	}
	if (rc == 0 && info)
		*info = job.info;
	return rc;
}

/* Read the header only; return 0 or -1 with *err set. */
int img_probe(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
	      struct img_info *info, char **err)
{
	return decode_any(buf, len, name, lim, 0, 0, 0, 0, NULL, info, err);
}

/* Decode to upright RGBA; return 0 or -1 with *err set. */
int img_decode(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
	       struct image *out, struct img_info *info, char **err)
{
	return decode_any(buf, len, name, lim, 0, 0, 0, 0, out, info, err);
}

/* Decode, a JPEG possibly at a fraction of its size; return 0 or -1 with *err set. */
int img_decode_at_least(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
			unsigned min_w, unsigned min_h, struct image *out, struct img_info *info, char **err)
{
	return decode_any(buf, len, name, lim, min_w, min_h, 0, 0, out, info, err);
}

/* Decode and fit to exactly w×h; return 0 or -1 with *err set. */
int img_decode_fitted(const unsigned char *buf, size_t len, const char *name, const struct img_limits *lim,
		      unsigned w, unsigned h, struct image *out, struct img_info *info, char **err)
{
	struct img_info in;
	if (decode_any(buf, len, name, lim, w, h, w, h, out, &in, err) != 0)
		return -1;
	if (info)
		*info = in;
	if (out->w == w && out->h == h)
		return 0;
	struct image small;
	image_init(&small);
	if (img_scale(out, w, h, &small) != 0) {
		image_free(out);
		return image_fail(err, name, _("not enough memory to scale the image to %u×%u"), w, h);
	}
	image_free(out);
	*out = small;
	return 0;
}
