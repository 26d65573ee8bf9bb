/* Fuzz the Markdown renderer (md_render and md_stable_prefix in
 * src/ui/markdown*.c and mdscan.c, with md4c, wrap.c and width.c under it).
 *
 * The input is an answer; the width (1 to 100 cells, mostly narrow) comes
 * from its hash.  Invariants for every line:
 *   - its text is valid UTF-8 without controls or tabs, len is its length,
 *     and its spans cover it in order without gaps or empty spans;
 *   - its width is the display width of its text;
 *   - it is no wider than the width, except as markdown.h allows: where a
 *     single character (cluster) is wider than the space the prefixes (quote
 *     bars, list markers and indentation, heading marks, the wrap mark of
 *     code) leave, which then stands alone after them;
 * and for the whole: md_stable_prefix() is monotonic, can be resumed from an
 * earlier result, and rendering the stable prefix and the rest apart gives
 * exactly the lines of rendering everything at once; and where a prefix
 * ends inside an open code fence (md_open_fence), rendering up to the
 * fence's last complete line and the rest as code (md_render_code) gives
 * the lines of rendering that prefix at once. */
#include <config.h>

#include "ui/markdown.h"
#include "ui/width.h"
#include "fuzz.h"

#include <string.h>

#define BAR "\xE2\x94\x82" /* │ */

/* Return the style of the span holding byte i of l. */
static unsigned span_style(const struct md_line *l, size_t i)
{
	for (size_t k = 0; k < l->n_spans; k++)
		if (i >= l->spans[k].off && i < l->spans[k].off + l->spans[k].len)
			return l->spans[k].style;
	return 0;
}

/* Return the width of the line's leading prefixes: quote bars and their
 * spaces, list markers, plain indentation, heading marks, the wrap mark. */
static int prefix_width(const struct md_line *l)
{
	int w = 0;
	size_t i = 0;
	while (i < l->len) {
		unsigned st = span_style(l, i);
		const char *s = l->text + i;
		if ((st & MD_ST_QUOTE) && l->len - i >= 3 && memcmp(s, BAR, 3) == 0) {
			i += 3;
			w += 1;
		} else if (*s == ' ' && (st == 0 || (st & MD_ST_QUOTE))) {
			i++;
			w++;
		} else if ((st & MD_ST_BULLET) || (st & MD_ST_WRAPMARK) ||
			   (st & (MD_ST_HEADING | MD_ST_DIM)) == (MD_ST_HEADING | MD_ST_DIM)) {
			int cw;
			size_t n = width_next_cluster(s, l->len - i, 0, &cw);
			i += n;
			w += cw;
		} else {
			break;
		}
	}
	return w;
}

/* Return the widest cluster of the n bytes at s. */
static int widest_cluster(const char *s, size_t n)
{
	int max = 0;
	for (size_t i = 0; i < n;) {
		int cw;
		size_t k = width_next_cluster(s + i, n - i, 0, &cw);
		FUZZ_ASSERT(k > 0, "width_next_cluster made no progress");
		if (cw > max)
			max = cw;
		i += k;
	}
	return max;
}

/* Check one line rendered at width. */
static void check_line(const struct md_line *l, size_t idx, int width)
{
	FUZZ_ASSERT(l->text && strlen(l->text) == l->len, "line %zu: len %zu, strlen %zu", idx,
		    l->len, l->text ? strlen(l->text) : 0);
	const char *bad = fuzz_find_unsafe(l->text, l->len, NULL);
	FUZZ_ASSERT(!bad, "line %zu has the byte 0x%02x at %zu: \"%s\"", idx,
		    bad ? (unsigned char)*bad : 0, bad ? (size_t)(bad - l->text) : 0, l->text);
	size_t at = 0;
	for (size_t k = 0; k < l->n_spans; k++) {
		FUZZ_ASSERT(l->spans[k].off == at && l->spans[k].len > 0,
			    "line %zu: span %zu is [%zu, +%zu), expected it at %zu", idx, k,
			    l->spans[k].off, l->spans[k].len, at);
		at += l->spans[k].len;
	}
	FUZZ_ASSERT(at == l->len, "line %zu: the spans cover %zu of %zu bytes", idx, at, l->len);
	int w = width_of(l->text, l->len);
	FUZZ_ASSERT(w == l->width, "line %zu claims %d cells, its text takes %d: \"%s\"", idx,
		    l->width, w, l->text);
	if (w > width) {
		int p = prefix_width(l);
		int content = w - p;
		int room = width - p < 1 ? 1 : width - p;
		int widest = widest_cluster(l->text, l->len);
		FUZZ_ASSERT(
			content <= room || content <= widest,
			"line %zu is %d cells at width %d (prefix %d, widest cluster %d): \"%s\"",
			idx, w, width, p, widest, l->text);
	}
}

/* Check that two renderings are the same lines. */
static void check_same(const struct md_lines *a, const struct md_lines *b, size_t p, size_t len)
{
	FUZZ_ASSERT(a->n == b->n,
		    "rendering the stable prefix %zu of %zu apart gives %zu lines, not %zu", p, len,
		    b->n, a->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct md_line *x = &a->v[i], *y = &b->v[i];
		FUZZ_ASSERT(x->len == y->len && memcmp(x->text, y->text, x->len) == 0 &&
				    x->line_style == y->line_style && x->width == y->width &&
				    x->n_spans == y->n_spans &&
				    (x->n_spans == 0 || memcmp(x->spans, y->spans,
							       x->n_spans * sizeof *x->spans) == 0),
			    "rendering the stable prefix %zu of %zu apart: line %zu is \"%s\", not "
			    "\"%s\"",
			    p, len, i, y->text, x->text);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	struct fuzz_rng rng;
	fuzz_rng_seed(&rng, data, size);
	int width = fuzz_rng_below(&rng, 2) ? 1 + (int)fuzz_rng_below(&rng, 24)
					    : 1 + (int)fuzz_rng_below(&rng, 100);

	struct md_lines whole;
	md_lines_init(&whole);
	md_render(src, size, width, &whole);
	if (size == 0)
		FUZZ_ASSERT(whole.n == 0, "empty input gave %zu lines", whole.n);
	for (size_t i = 0; i < whole.n; i++)
		check_line(&whole.v[i], i, width);

	/* The stable prefix: monotonic, resumable, and a true cut point. */
	size_t p = md_stable_prefix(src, size);
	FUZZ_ASSERT(p <= size, "stable prefix %zu of %zu", p, size);
	size_t k = fuzz_rng_below(&rng, size + 1);
	size_t pk = md_stable_prefix(src, k);
	FUZZ_ASSERT(pk <= p, "the stable prefix of the first %zu bytes is %zu, of all %zu only %zu",
		    k, pk, size, p);
	size_t q = md_stable_prefix(src + pk, size - pk);
	FUZZ_ASSERT((q > 0 ? pk + q : pk) == p, "resuming at %zu gives %zu, not %zu", pk,
		    q > 0 ? pk + q : pk, p);
	if (p > 0 && p < size) {
		struct md_lines apart;
		md_lines_init(&apart);
		md_render(src, p, width, &apart);
		md_render(src + p, size - p, width, &apart);
		check_same(&whole, &apart, p, size);
		md_lines_done(&apart);
	}

	/* A prefix that ends inside a code fence, laid out as streaming does. */
	struct md_open_fence f;
	if (md_open_fence(src + pk, k - pk, &f)) {
		FUZZ_ASSERT(f.line < f.mark_end && f.mark_end <= f.body && f.body <= k - pk,
			    "open fence at %zu: mark %zu, body %zu, text %zu", f.line, f.mark_end,
			    f.body, k - pk);
		struct md_lines at_once, apart;
		md_lines_init(&at_once);
		md_lines_init(&apart);
		md_render(src, k, width, &at_once);
		size_t b = pk + f.body;
		md_render(src, b, width, &apart);
		md_render_code(src + pk + f.line, f.mark_end - f.line, src + b, k - b, width, &apart);
		/* The first slice must hold a code line: streaming waits for one. */
		const char *nl = memchr(src + pk + f.line, '\n', k - pk - f.line);
		if (nl && b > (size_t)(nl - src) + 1)
			check_same(&at_once, &apart, b, k);
		md_lines_done(&at_once);
		md_lines_done(&apart);
	}

	md_lines_truncate(&whole, fuzz_rng_below(&rng, whole.n + 1));
	md_lines_clear(&whole);
	md_render(src, size < 64 ? size : 64, width, &whole);
	md_lines_done(&whole);
	FUZZ_ASSERT(whole.n == 0 && !whole.v, "md_lines_done left lines");
	return 0;
}
