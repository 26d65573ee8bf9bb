#include <config.h>

#include "img/fit.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Return whether s starts with prefix, ignoring ASCII case. */
static int fit_has_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Return whether the model name (vendor prefix removed) is an OpenAI one. */
static int fit_is_openai(const char *base)
{
	if (fit_has_prefix(base, "gpt-") || fit_has_prefix(base, "chatgpt-"))
		return 1;
	/* The reasoning models: o1, o3, o4-mini, ... */
	return (base[0] == 'o' || base[0] == 'O') && isdigit((unsigned char)base[1]);
}

/* Return whether the model name (vendor prefix removed) is a Claude one;
 * Bedrock spells them "anthropic.claude-..." or "us.anthropic.claude-...". */
static int fit_is_claude(const char *base)
{
	if (fit_has_prefix(base, "claude-"))
		return 1;
	for (const char *p = base; (p = strchr(p, '.')) != NULL; p++)
		if (fit_has_prefix(p + 1, "claude-"))
			return 1;
	return 0;
}

/* Return the rule for model, detail and max_edge. */
enum img_fit_rule img_fit_rule(const char *model, const char *detail, long max_edge)
{
	if (max_edge == 0)
		return IMG_FIT_NONE;
	if (max_edge > 0)
		return IMG_FIT_MANUAL;
	const char *base = model ? model : "";
	const char *slash = strrchr(base, '/');
	if (slash)
		base = slash + 1;
	if (fit_is_openai(base))
		return detail && strcasecmp(detail, "low") == 0 ? IMG_FIT_OPENAI_LOW : IMG_FIT_OPENAI;
	if (fit_is_claude(base))
		return IMG_FIT_CLAUDE;
	return IMG_FIT_OTHER;
}

/* Return a static phrase naming rule. */
const char *img_fit_rule_name(enum img_fit_rule rule)
{
	switch (rule) {
	case IMG_FIT_NONE:
		return "original size";
	case IMG_FIT_MANUAL:
		return "max_edge";
	case IMG_FIT_OPENAI:
		return "OpenAI: 2048 px box, 768 px short side";
	case IMG_FIT_OPENAI_LOW:
		return "OpenAI detail=low: 512 px box";
	case IMG_FIT_CLAUDE:
		return "Claude: 1568 px long side, 1.15 megapixels";
	case IMG_FIT_OTHER:
		break;
	}
	return "2048 px long side";
}

/* Return a*num/den rounded to nearest, for sizes (no overflow in 64 bits). */
static unsigned fit_muldiv(unsigned a, unsigned num, unsigned den)
{
	return (unsigned)(((uint64_t)a * num + den / 2) / den);
}

/* Store the fitted size in *ow, *oh. */
void img_fit_size(const char *model, const char *detail, long max_edge, unsigned w, unsigned h, unsigned *ow,
		  unsigned *oh)
{
	*ow = w;
	*oh = h;
	if (w == 0 || h == 0)
		return;
	unsigned long long long_max = 0, short_max = 0, px_max = 0;
	switch (img_fit_rule(model, detail, max_edge)) {
	case IMG_FIT_NONE:
		return;
	case IMG_FIT_MANUAL:
		long_max = (unsigned long long)max_edge;
		break;
	case IMG_FIT_OPENAI:
		/* A square box is a long-edge limit. */
		long_max = 2048;
		short_max = 768;
		break;
	case IMG_FIT_OPENAI_LOW:
		long_max = 512;
		break;
	case IMG_FIT_CLAUDE:
		long_max = 1568;
		px_max = 1150000;
		break;
	case IMG_FIT_OTHER:
		long_max = 2048;
		break;
	}
	unsigned lo = w > h ? w : h, sh = w > h ? h : w;
	/* The strongest constraint wins; it is applied once to the original
	 * size so that roundings do not compound. */
	double s = 1.0;
	int bind = 0; /* 1 long edge, 2 short edge, 3 pixel count */
	if (long_max && lo > long_max && (double)long_max / lo < s) {
		s = (double)long_max / lo;
		bind = 1;
	}
	if (short_max && sh > short_max && (double)short_max / sh < s) {
		s = (double)short_max / sh;
		bind = 2;
	}
	if (px_max && (unsigned long long)w * h > px_max && sqrt((double)px_max / ((double)w * h)) < s) {
		s = sqrt((double)px_max / ((double)w * h));
		bind = 3;
	}
	unsigned nlo = lo, nsh = sh;
	if (bind == 1) {
		nlo = (unsigned)long_max;
		nsh = fit_muldiv(sh, nlo, lo);
	} else if (bind == 2) {
		nsh = (unsigned)short_max;
		nlo = fit_muldiv(lo, nsh, sh);
	} else if (bind == 3) {
		/* Rounded down, so that the pixel count stays within the limit. */
		nlo = (unsigned)floor(lo * s);
		nsh = (unsigned)floor(sh * s);
		while (nlo > 1 && (unsigned long long)nlo * nsh > px_max)
			nlo--;
	}
	if (nlo < 1)
		nlo = 1;
	if (nsh < 1)
		nsh = 1;
	*ow = w > h ? nlo : nsh;
	*oh = w > h ? nsh : nlo;
}

/* The source pixels each output pixel of one axis takes, and how much of each. */
struct fit_axis {
	unsigned *start;  /* first source index, per output index */
	unsigned *count;  /* number of source pixels, per output index */
	float *weight;    /* count[i] weights from i * taps on, summing to 1 */
	unsigned taps;    /* room for weights per output index */
};

/* Free what an axis owns. */
static void fit_axis_done(struct fit_axis *a)
{
	free(a->start);
	free(a->count);
	free(a->weight);
}

/* Work out the weights for resampling n source pixels to m; return 0, or
 * -1 when memory runs out (a is then freed). */
static int fit_axis_init(struct fit_axis *a, unsigned n, unsigned m)
{
	double scale = (double)n / m; /* source pixels per output pixel */
	a->taps = m < n ? (unsigned)ceil(scale) + 1 : 2;
	a->start = malloc(sizeof *a->start * m);
	a->count = malloc(sizeof *a->count * m);
	a->weight = (size_t)m <= SIZE_MAX / sizeof(float) / a->taps ? malloc(sizeof(float) * a->taps * m) : NULL;
	if (!a->start || !a->count || !a->weight) {
		fit_axis_done(a);
		return -1;
	}
	for (unsigned j = 0; j < m; j++) {
		float *wt = a->weight + (size_t)j * a->taps;
		if (m < n) {
			/* Shrinking: output pixel j covers source interval
			 * [j*scale, (j+1)*scale); each source pixel weighs the
			 * length of its overlap with it. */
			double lo = j * scale, hi = (j + 1) * scale;
			unsigned i0 = (unsigned)floor(lo), i1 = (unsigned)ceil(hi);
			if (i1 > n)
				i1 = n;
			if (i1 - i0 > a->taps)
				i1 = i0 + a->taps; /* cannot happen; belt and braces */
			double sum = 0;
			unsigned k = 0;
			for (unsigned i = i0; i < i1; i++) {
				double o = fmin(i + 1.0, hi) - fmax((double)i, lo);
				if (o <= 0)
					continue;
				if (k == 0)
					a->start[j] = i;
				wt[k++] = (float)o;
				sum += o;
			}
			if (k == 0) {
				a->start[j] = i0 < n ? i0 : n - 1;
				wt[k++] = 1;
				sum = 1;
			}
			for (unsigned t = 0; t < k; t++)
				wt[t] = (float)(wt[t] / sum);
			a->count[j] = k;
		} else {
			/* Same size or enlarging: linear interpolation between
			 * the two nearest source centres, clamped at the edges. */
			double c = (j + 0.5) * scale - 0.5;
			if (c < 0)
				c = 0;
			unsigned i0 = (unsigned)floor(c);
			if (i0 >= n - 1) {
				a->start[j] = n - 1;
				a->count[j] = 1;
				wt[0] = 1;
				continue;
			}
			float f = (float)(c - i0);
			a->start[j] = i0;
			if (f == 0) {
				a->count[j] = 1;
				wt[0] = 1;
			} else {
				a->count[j] = 2;
				wt[0] = 1 - f;
				wt[1] = f;
			}
		}
	}
	return 0;
}

/* Return v rounded and clamped to a byte. */
static unsigned char fit_byte(float v)
{
	if (!(v > 0))
		return 0;
	if (v >= 254.5f)
		return 255;
	return (unsigned char)(v + 0.5f);
}

/* Add wt times the RGBA row (n pixels) to acc, premultiplying by alpha
 * when alpha is set; acc then holds colour×alpha and alpha. */
static void fit_accumulate(float *restrict acc, const unsigned char *restrict row, size_t n, float wt, int alpha)
{
	if (!alpha) {
		/* The common, opaque case: one flat loop (vectorised at -O3). */
		for (size_t x = 0; x < n * 4; x++)
			acc[x] += wt * row[x];
		return;
	}
	for (size_t x = 0; x < n; x++) {
		float wa = wt * row[x * 4 + 3];
		acc[x * 4 + 0] += wa * row[x * 4 + 0];
		acc[x * 4 + 1] += wa * row[x * 4 + 1];
		acc[x * 4 + 2] += wa * row[x * 4 + 2];
		acc[x * 4 + 3] += wa;
	}
}

/* Hand out row y of the in-memory image at ctx: borrowed, no copy. */
static const unsigned char *fit_image_row(void *ctx, unsigned y, unsigned char *buf)
{
	(void)buf;
	const struct image *src = ctx;
	return src->rgba + (size_t)y * src->w * 4;
}

/* Resample src to w×h into dst; return 0 or -1. */
int img_scale(const struct image *src, unsigned w, unsigned h, struct image *dst)
{
	if (!src->rgba || src->w == 0 || src->h == 0) {
		image_free(dst);
		return -1;
	}
	if (w == src->w && h == src->h) {
		if (image_alloc(dst, w, h) != 0)
			return -1;
		memcpy(dst->rgba, src->rgba, image_buffer_size(w, h));
		return 0;
	}
	struct img_rows rows = {src->w, src->h, image_has_alpha(src), fit_image_row, (void *)src};
	return img_scale_rows(&rows, w, h, dst);
}

/* Resample the rows src hands out to w×h into dst; return 0 or -1. */
int img_scale_rows(const struct img_rows *src, unsigned w, unsigned h, struct image *dst)
{
	image_free(dst);
	if (src->w == 0 || src->h == 0 || image_alloc(dst, w, h) != 0)
		return -1;
	struct fit_axis ax, ay;
	if (fit_axis_init(&ax, src->w, w) != 0) {
		image_free(dst);
		return -1;
	}
	if (fit_axis_init(&ay, src->h, h) != 0) {
		fit_axis_done(&ax);
		image_free(dst);
		return -1;
	}
	/* Vertical first, one output row at a time: the few source rows it
	 * needs are summed into one float row, which is then resampled
	 * horizontally.  Source rows are asked for once each, top to
	 * bottom, and the last ay.taps of them are kept in a ring (the
	 * windows of consecutive output rows overlap by at most that), so
	 * a decoder can feed this without ever holding the whole image:
	 * memory beyond dst is a float row and a few source rows. */
	size_t stride = (size_t)src->w * 4;
	unsigned nring = ay.taps + 1;
	float *acc = malloc(sizeof(float) * stride);
	unsigned char *ringbuf = malloc(stride * nring);
	const unsigned char **ring = malloc(sizeof *ring * nring);
	int rc = acc && ringbuf && ring ? 0 : -1;
	int alpha = src->alpha;
	unsigned next = 0; /* the next source row to ask for */
	for (unsigned j = 0; rc == 0 && j < h; j++) {
		unsigned first = ay.start[j], end = ay.start[j] + ay.count[j];
		if (first + nring < next) {
			rc = -1; /* cannot happen with these filters */
			break;
		}
		while (next < end) {
			unsigned char *slot = ringbuf + (size_t)(next % nring) * stride;
			ring[next % nring] = src->row(src->ctx, next, slot);
			if (!ring[next % nring]) {
				rc = -1;
				break;
			}
			next++;
		}
		if (rc != 0)
			break;
		memset(acc, 0, sizeof(float) * stride);
		const float *wy = ay.weight + (size_t)j * ay.taps;
		for (unsigned k = 0; k < ay.count[j]; k++)
			fit_accumulate(acc, ring[(first + k) % nring], src->w, wy[k], alpha);
		unsigned char *out = dst->rgba + (size_t)j * w * 4;
		for (unsigned i = 0; i < w; i++, out += 4) {
			const float *wx = ax.weight + (size_t)i * ax.taps;
			const float *p = acc + (size_t)ax.start[i] * 4;
			float r = 0, g = 0, b = 0, a = 0;
			for (unsigned k = 0; k < ax.count[i]; k++, p += 4) {
				r += wx[k] * p[0];
				g += wx[k] * p[1];
				b += wx[k] * p[2];
				a += wx[k] * p[3];
			}
			if (!alpha) {
				out[0] = fit_byte(r);
				out[1] = fit_byte(g);
				out[2] = fit_byte(b);
				out[3] = 255;
			} else if (a < 0.5f) {
				memset(out, 0, 4);
			} else {
				/* Back from premultiplied: colour = sum(c·a) / sum(a). */
				out[0] = fit_byte(r / a);
				out[1] = fit_byte(g / a);
				out[2] = fit_byte(b / a);
				out[3] = fit_byte(a);
			}
		}
	}
	free(acc);
	free(ringbuf);
	free(ring);
	fit_axis_done(&ax);
	fit_axis_done(&ay);
	if (rc != 0)
		image_free(dst);
	return rc;
}
