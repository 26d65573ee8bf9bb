#include <config.h>

#include "ui/wrap.h"

#include "core/xalloc.h"
#include "ui/width.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unilbrk.h>

/* Initialise an empty array. */
void wrap_lines_init(struct wrap_lines *wl)
{
	wl->v = NULL;
	wl->n = 0;
	wl->cap = 0;
}

/* Forget the lines, keep the memory. */
void wrap_lines_clear(struct wrap_lines *wl)
{
	wl->n = 0;
}

/* Free the memory; wl is empty afterwards. */
void wrap_lines_done(struct wrap_lines *wl)
{
	free(wl->v);
	wrap_lines_init(wl);
}

/* State of one wrap_text() call. */
struct wrap_run {
	const char *s;
	struct wrap_lines *out;
	int avail_first; /* cells for the text of the first line */
	int avail_rest;
	int first; /* the next line emitted is the text's first */
	char *brk; /* break opportunities of the current segment */
	size_t brk_cap;
};

/* Return whether byte b is a space that hangs at a break. */
static int wrap_is_space(char b)
{
	return b == ' ' || b == '\t';
}

/* Return the cells available for the text of the next line. */
static int wrap_avail(const struct wrap_run *r)
{
	return r->first ? r->avail_first : r->avail_rest;
}

/* Append the line [a, b) of the text, trailing spaces dropped; a line that
 * is only spaces is dropped unless keep_empty (the end of a segment).  w is
 * the width of [a, b) when the caller knows it, else -1. */
static void wrap_emit(struct wrap_run *r, size_t a, size_t b, int keep_empty, int w)
{
	size_t b0 = b;
	while (b > a && wrap_is_space(r->s[b - 1]))
		b--;
	if (b == a && !keep_empty)
		return;
	struct wrap_lines *out = r->out;
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 16;
		out->v = xrealloc(out->v, out->cap * sizeof *out->v);
	}
	out->v[out->n].off = a;
	out->v[out->n].len = b - a;
	out->v[out->n].width = w >= 0 && b == b0 ? w : width_of(r->s + a, b - a);
	out->n++;
	r->first = 0;
}

/* Return the length of the URL scheme or "www." prefix at s (n bytes), or 0. */
static size_t wrap_url_prefix(const char *s, size_t n)
{
	static const char *const schemes[] = {"https://", "http://", "ftp://", "file://",
					      "mailto:", "www."};
	for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
		size_t k = strlen(schemes[i]);
		if (n > k && strncasecmp(s, schemes[i], k) == 0)
			return k;
	}
	return 0;
}

/* Forbid breaks inside the URLs of segment [a, b), whose opportunities are
 * at brk[0 .. b - a).  UAX #14 allows breaks after '/' and '-' in them, but a
 * URL cut at such a place reads as two words and cannot be copied whole. */
static void wrap_protect_urls(const char *s, size_t a, size_t b, char *brk)
{
	for (size_t i = a; i < b; i++) {
		char ch = s[i] | 0x20;
		if (ch != 'h' && ch != 'f' && ch != 'm' && ch != 'w')
			continue;
		if (i > a && !strchr(" \t(<[\"'", s[i - 1]))
			continue;
		if (!wrap_url_prefix(s + i, b - i))
			continue;
		size_t j = i + 1;
		while (j < b && (unsigned char)s[j] > 0x20 && (unsigned char)s[j] < 0x7F)
			j++;
		for (size_t k = i + 1; k < j; k++)
			brk[k - a] = UC_BREAK_PROHIBITED;
		i = j;
	}
}

/* Wrap the segment [a, b), which holds no '\n'. */
static void wrap_segment(struct wrap_run *r, size_t a, size_t b)
{
	const char *s = r->s;
	/* Most segments fit: skip the line breaking analysis for them. */
	int w = width_of(s + a, b - a);
	if (w <= wrap_avail(r)) {
		wrap_emit(r, a, b, 1, w);
		return;
	}
	if (b - a > r->brk_cap) {
		free(r->brk);
		r->brk_cap = b - a;
		r->brk = xmalloc(r->brk_cap);
	}
	char *brk = r->brk;
	u8_possible_linebreaks((const uint8_t *)s + a, b - a, "UTF-8", brk);
	wrap_protect_urls(s, a, b, brk);

	size_t n0 = r->out->n;
	size_t ls = a; /* start of the current line */
	size_t cand = a; /* the last break opportunity in it (a: none) */
	int col = 0;
	size_t i = a;
	while (i < b) {
		int cw;
		size_t n = width_next_cluster(s + i, b - i, col, &cw);
		if (i > ls && brk[i - a] == UC_BREAK_POSSIBLE)
			cand = i;
		if (wrap_is_space(s[i]) && n == 1) {
			col += cw; /* spaces hang past the edge */
			i += n;
			continue;
		}
		if (col + cw > wrap_avail(r) && i > ls) {
			if (cand > ls) {
				/* Break at the last opportunity and go on from there:
				 * the word since then is walked again, and may need
				 * cutting if the new line is narrower.  It held no
				 * other opportunity, so no byte is walked a third time. */
				wrap_emit(r, ls, cand, 0, -1);
				ls = i = cand;
				col = 0;
				continue;
			}
			wrap_emit(r, ls, i, 0, -1);
			ls = cand = i;
			col = 0;
		}
		col += cw;
		i += n;
	}
	wrap_emit(r, ls, b, r->out->n == n0, -1);
}

/* Append the lines of s wrapped at width to out (see wrap.h). */
void wrap_text(const char *s, size_t len, int width, int indent_first, int indent_rest,
	       struct wrap_lines *out)
{
	if (width < 1)
		width = 1;
	struct wrap_run r = {
		.s = s,
		.out = out,
		.avail_first = width - (indent_first > 0 ? indent_first : 0),
		.avail_rest = width - (indent_rest > 0 ? indent_rest : 0),
		.first = 1,
		.brk = NULL,
		.brk_cap = 0,
	};
	if (r.avail_first < 1)
		r.avail_first = 1;
	if (r.avail_rest < 1)
		r.avail_rest = 1;
	size_t a = 0;
	for (;;) {
		const char *nl = memchr(s + a, '\n', len - a);
		size_t b = nl ? (size_t)(nl - s) : len;
		wrap_segment(&r, a, b);
		if (!nl)
			break;
		a = b + 1;
	}
	free(r.brk);
}
