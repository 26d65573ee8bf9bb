#include <config.h>

#include "ui/markdown.h"
#include "ui/markdown-internal.h"

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "ui/wrap.h"

#include <string.h>

/* ---- building display lines ------------------------------------------ */

/* Append n bytes of clean text in style, w cells wide, to the current row. */
void md_row_put(struct md_ctx *x, const char *s, size_t n, unsigned style, int w)
{
	if (n == 0)
		return;
	if (x->row_n > 0 && x->row_spans[x->row_n - 1].style == style) {
		x->row_spans[x->row_n - 1].len += n;
	} else {
		if (x->row_n == x->row_cap) {
			x->row_cap = x->row_cap ? x->row_cap * 2 : 8;
			x->row_spans = xrealloc(x->row_spans, x->row_cap * sizeof *x->row_spans);
		}
		x->row_spans[x->row_n].off = x->row_text.len;
		x->row_spans[x->row_n].len = n;
		x->row_spans[x->row_n].style = style;
		x->row_n++;
	}
	strbuf_append(&x->row_text, s, n);
	x->row_w += w;
}

/* Append n plain spaces to the current row. */
void md_row_pad(struct md_ctx *x, int n)
{
	static const char spaces[] = "                                ";
	while (n > 0) {
		int k = n < (int)sizeof spaces - 1 ? n : (int)sizeof spaces - 1;
		md_row_put(x, spaces, (size_t)k, 0, k);
		n -= k;
	}
}

/* Append the string s, repeated n times, in style (s is one cell wide). */
void md_row_repeat(struct md_ctx *x, const char *s, int n, unsigned style)
{
	size_t k = strlen(s);
	for (int i = 0; i < n; i++)
		md_row_put(x, s, k, style, 1);
}

/* Drop the trailing spaces of the current row. */
void md_row_trim(struct md_ctx *x)
{
	while (x->row_text.len > 0 && x->row_text.data[x->row_text.len - 1] == ' ') {
		x->row_text.data[--x->row_text.len] = '\0';
		x->row_w--;
		if (--x->row_spans[x->row_n - 1].len == 0)
			x->row_n--;
	}
}

/* Append the prefixes of the open containers to the current row: quote bars,
 * item markers (once per item: spaces after) - a blank row draws no marker. */
static void md_row_prefix_upto(struct md_ctx *x, int blank, int depth)
{
	int n = depth < MD_MAX_DEPTH ? depth : MD_MAX_DEPTH;
	for (int i = 0; i < n; i++) {
		struct md_box *b = &x->boxes[i];
		if (b->kind == MD_BOX_QUOTE) {
			md_row_put(x, MD_BAR " ", strlen(MD_BAR " "), MD_ST_QUOTE, 2);
		} else if (!blank && !b->marked) {
			md_row_put(x, b->mark, b->mark_len, MD_ST_BULLET, b->mark_w);
			b->marked = 1;
		} else {
			md_row_pad(x, b->mark_w);
		}
	}
}

/* Append the prefixes of all the open containers to the current row. */
void md_row_prefix(struct md_ctx *x, int blank)
{
	md_row_prefix_upto(x, blank, x->box_depth);
}

/* Return the width the open containers' prefixes take. */
static int md_prefix_width(const struct md_ctx *x)
{
	int n = x->box_depth < MD_MAX_DEPTH ? x->box_depth : MD_MAX_DEPTH;
	int w = 0;
	for (int i = 0; i < n; i++)
		w += x->boxes[i].kind == MD_BOX_QUOTE ? 2 : x->boxes[i].mark_w;
	return w;
}

/* Return the cells left for content after the prefixes (at least 1). */
int md_avail(const struct md_ctx *x)
{
	int a = x->width - md_prefix_width(x);
	return a < 1 ? 1 : a;
}

/* Move the current row to the output as a new line with line_style. */
void md_row_end(struct md_ctx *x, unsigned line_style)
{
	struct md_lines *out = x->out;
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 32;
		out->v = xrealloc(out->v, out->cap * sizeof *out->v);
	}
	struct md_line *l = &out->v[out->n++];
	l->len = x->row_text.len;
	l->text = xmalloc(l->len + 1);
	if (l->len)
		memcpy(l->text, x->row_text.data, l->len);
	l->text[l->len] = '\0';
	l->n_spans = x->row_n;
	l->spans = NULL;
	if (x->row_n) {
		l->spans = xmalloc(x->row_n * sizeof *l->spans);
		memcpy(l->spans, x->row_spans, x->row_n * sizeof *l->spans);
	}
	l->line_style = line_style;
	l->width = x->row_w;
	strbuf_reset(&x->row_text);
	x->row_n = 0;
	x->row_w = 0;
	x->n_out++;
}

/* Emit an empty row to separate blocks, with the quote bars of the first
 * depth containers. */
void md_emit_blank(struct md_ctx *x, int depth)
{
	md_row_prefix_upto(x, 1, depth);
	md_row_trim(x);
	md_row_end(x, 0);
}

/* Note that the next block is to be separated from the one that just ended,
 * by an empty row inside the containers open now. */
void md_sep_due(struct md_ctx *x)
{
	x->pending_sep = 1;
	x->sep_depth = x->box_depth;
}

/* Start a block: separate it from the previous one when that is due.  The
 * separator is drawn lazily, so that a container entered since (a quote)
 * does not draw its bar on it, and an empty one draws nothing at all. */
void md_block_start(struct md_ctx *x)
{
	if (x->pending_sep && x->n_out > x->chunk_start)
		md_emit_blank(x, x->sep_depth < x->box_depth ? x->sep_depth : x->box_depth);
	x->pending_sep = 0;
}

/* Append to the current row the part [off, end) of a styled buffer, walking
 * its runs from *ri (kept across calls: lines come in order). */
void md_row_put_runs(struct md_ctx *x, const char *text, size_t text_len, const struct md_run *runs,
		     size_t n_runs, size_t *ri, size_t off, size_t end, unsigned extra)
{
	while (*ri + 1 < n_runs && runs[*ri + 1].off <= off)
		(*ri)++;
	size_t pos = off;
	while (pos < end && *ri < n_runs) {
		size_t rend = *ri + 1 < n_runs ? runs[*ri + 1].off : text_len;
		if (rend <= pos) {
			(*ri)++;
			continue;
		}
		size_t stop = rend < end ? rend : end;
		md_row_put(x, text + pos, stop - pos, runs[*ri].style | extra, 0);
		pos = stop;
		if (pos == rend)
			(*ri)++;
	}
}

/* Emit a styled buffer wrapped at the available width: the first line after
 * lead (lead_w cells), the others indented by hang_w spaces. */
void md_emit_wrapped(struct md_ctx *x, const char *text, size_t len, const struct md_run *runs,
		     size_t n_runs, const char *lead, unsigned lead_style, int lead_w, int hang_w)
{
	wrap_lines_clear(&x->wl);
	wrap_text(text, len, md_avail(x), lead_w, hang_w, &x->wl);
	size_t ri = 0;
	for (size_t k = 0; k < x->wl.n; k++) {
		const struct wrap_line *wl = &x->wl.v[k];
		md_row_prefix(x, 0);
		if (k == 0)
			md_row_put(x, lead, strlen(lead), lead_style, lead_w);
		else
			md_row_pad(x, hang_w);
		md_row_put_runs(x, text, len, runs, n_runs, &ri, wl->off, wl->off + wl->len, 0);
		x->row_w += wl->width;
		md_row_end(x, 0);
	}
}
