#include <config.h>

#include "ui/markdown.h"
#include "ui/mdscan.h"

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "ui/width.h"
#include "ui/wrap.h"

#include <limits.h>
#include <md4c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

/* Deeper nesting than this is parsed but not indented further: past it a
 * prefix would eat the whole width. */
#define MD_MAX_DEPTH 16

/* NUL bytes after the copy of the source that md4c parses (see md_render). */
#define MD_PAD 16

#define MD_FFFD  "\xEF\xBF\xBD"
#define MD_BAR   "\xE2\x94\x82" /* │ */
#define MD_HLINE "\xE2\x94\x80" /* ─ */
#define MD_CROSS "\xE2\x94\xBC" /* ┼ */
#define MD_HOOK  "\xE2\x86\xAA" /* ↪ */

/* ---- lines ----------------------------------------------------------- */

/* Initialise an empty array. */
void md_lines_init(struct md_lines *ls)
{
	ls->v = NULL;
	ls->n = 0;
	ls->cap = 0;
}

/* Free the lines from index n on. */
void md_lines_truncate(struct md_lines *ls, size_t n)
{
	while (ls->n > n) {
		struct md_line *l = &ls->v[--ls->n];
		free(l->text);
		free(l->spans);
	}
}

/* Free every line, keep the array. */
void md_lines_clear(struct md_lines *ls)
{
	md_lines_truncate(ls, 0);
}

/* Free everything; ls is empty afterwards. */
void md_lines_done(struct md_lines *ls)
{
	md_lines_clear(ls);
	free(ls->v);
	md_lines_init(ls);
}

/* ---- styled text buffers --------------------------------------------- */

/* A run of a styled buffer: from off to the next run's off. */
struct md_run {
	size_t off;
	unsigned style;
};

/* Text collected for one leaf block (a paragraph, a heading, a cell). */
struct md_text {
	struct strbuf s;
	struct md_run *runs;
	size_t n_runs, cap_runs;
};

/* Initialise an empty buffer. */
static void md_text_init(struct md_text *t)
{
	strbuf_init(&t->s);
	t->runs = NULL;
	t->n_runs = 0;
	t->cap_runs = 0;
}

/* Free the buffer's memory. */
static void md_text_done(struct md_text *t)
{
	strbuf_done(&t->s);
	free(t->runs);
	md_text_init(t);
}

/* Empty the buffer, keeping its memory. */
static void md_text_reset(struct md_text *t)
{
	strbuf_reset(&t->s);
	t->n_runs = 0;
}

/* Make the text appended next carry style. */
static void md_text_style(struct md_text *t, unsigned style)
{
	if (t->n_runs > 0) {
		struct md_run *last = &t->runs[t->n_runs - 1];
		if (last->style == style)
			return;
		if (last->off == t->s.len) {
			/* The last run is still empty: restyle it, or drop it
			 * when that makes it continue the one before. */
			if (t->n_runs > 1 && t->runs[t->n_runs - 2].style == style)
				t->n_runs--;
			else
				last->style = style;
			return;
		}
	}
	if (t->n_runs == t->cap_runs) {
		t->cap_runs = t->cap_runs ? t->cap_runs * 2 : 8;
		t->runs = xrealloc(t->runs, t->cap_runs * sizeof *t->runs);
	}
	t->runs[t->n_runs].off = t->s.len;
	t->runs[t->n_runs].style = style;
	t->n_runs++;
}

/* Append n bytes that are known to be clean, in style. */
static void md_text_put(struct md_text *t, const char *s, size_t n, unsigned style)
{
	if (n == 0)
		return;
	md_text_style(t, style);
	strbuf_append(&t->s, s, n);
}

/* Append n bytes of source text in style, making it safe to draw: controls
 * and invalid UTF-8 become U+FFFD, tabs a space, '\n' a hard break when
 * keep_nl (else a space). */
static void md_text_put_clean(struct md_text *t, const char *s, size_t n, unsigned style,
			      int keep_nl)
{
	if (n == 0)
		return;
	md_text_style(t, style);
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x7F)
			j++;
		strbuf_append(&t->s, s + i, j - i);
		if (j == n)
			break;
		unsigned char b = (unsigned char)s[j];
		if (b == '\n') {
			strbuf_putc(&t->s, keep_nl ? '\n' : ' ');
			j++;
		} else if (b == '\t') {
			strbuf_putc(&t->s, ' ');
			j++;
		} else if (b < 0x80) {
			strbuf_append(&t->s, MD_FFFD, 3);
			j++;
		} else {
			uint32_t c;
			size_t k = width_next_char(s + j, n - j, &c);
			if ((c == 0xFFFD && k == 1) || (c >= 0x80 && c < 0xA0))
				strbuf_append(&t->s, MD_FFFD, 3);
			else
				strbuf_append(&t->s, s + j, k);
			j += k;
		}
		i = j;
	}
}

/* ---- render state ---------------------------------------------------- */

enum md_box_kind { MD_BOX_QUOTE, MD_BOX_ITEM };

/* A container that prefixes every line inside it. */
struct md_box {
	int kind;
	char mark[40]; /* an item's marker, e.g. "• " or "12. " */
	size_t mark_len;
	int mark_w;
	int marked; /* the marker is drawn: later lines get spaces */
};

/* A list being rendered. */
struct md_list {
	int ordered;
	unsigned next; /* the next item's number */
	char delim;
	int tight;
	unsigned items; /* items entered so far */
};

enum md_leaf { MD_LEAF_NONE, MD_LEAF_IMPLICIT, MD_LEAF_P, MD_LEAF_H, MD_LEAF_HTML, MD_LEAF_CELL };

/* One table cell, its text moved out of the paragraph buffer. */
struct md_cell {
	struct md_text t;
	unsigned row, col;
	int align;
	int w;
};

/* Everything one md_render() call works with. */
struct md_ctx {
	int width;
	MD_SIZE src_size;
	struct md_lines *out;
	size_t n_out; /* lines this call appended */
	size_t chunk_start; /* n_out when the current chunk began */
	int pending_sep; /* the next block starts with an empty line */
	int sep_depth; /* ... inside that many containers */

	struct md_box boxes[MD_MAX_DEPTH];
	int box_depth; /* entered boxes; only the first MD_MAX_DEPTH are kept */
	int quote_depth;
	struct md_list lists[MD_MAX_DEPTH];
	int list_depth;

	/* inline text of the current leaf block */
	enum md_leaf leaf;
	unsigned h_level;
	int cell_head;
	struct md_text para;
	int n_em, n_strong, n_del, n_code, n_link, n_img;
	struct strbuf href;
	size_t link_start;
	struct strbuf src; /* an image's source */

	/* the current code block */
	int in_code;
	struct strbuf code;
	struct strbuf lang;

	/* the current table */
	int in_table, in_head;
	unsigned row, col;
	int cell_align;
	struct md_cell *cells;
	size_t n_cells, cap_cells;

	/* the display line being built */
	struct strbuf row_text;
	struct md_span *row_spans;
	size_t row_n, row_cap;
	int row_w;

	struct wrap_lines wl;
	struct strbuf tmp;
};

/* ---- building display lines ------------------------------------------ */

/* Append n bytes of clean text in style, w cells wide, to the current row. */
static void md_row_put(struct md_ctx *x, const char *s, size_t n, unsigned style, int w)
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
static void md_row_pad(struct md_ctx *x, int n)
{
	static const char spaces[] = "                                ";
	while (n > 0) {
		int k = n < (int)sizeof spaces - 1 ? n : (int)sizeof spaces - 1;
		md_row_put(x, spaces, (size_t)k, 0, k);
		n -= k;
	}
}

/* Append the string s, repeated n times, in style (s is one cell wide). */
static void md_row_repeat(struct md_ctx *x, const char *s, int n, unsigned style)
{
	size_t k = strlen(s);
	for (int i = 0; i < n; i++)
		md_row_put(x, s, k, style, 1);
}

/* Drop the trailing spaces of the current row. */
static void md_row_trim(struct md_ctx *x)
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
static void md_row_prefix(struct md_ctx *x, int blank)
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
static int md_avail(const struct md_ctx *x)
{
	int a = x->width - md_prefix_width(x);
	return a < 1 ? 1 : a;
}

/* Move the current row to the output as a new line with line_style. */
static void md_row_end(struct md_ctx *x, unsigned line_style)
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
static void md_emit_blank(struct md_ctx *x, int depth)
{
	md_row_prefix_upto(x, 1, depth);
	md_row_trim(x);
	md_row_end(x, 0);
}

/* Note that the next block is to be separated from the one that just ended,
 * by an empty row inside the containers open now. */
static void md_sep_due(struct md_ctx *x)
{
	x->pending_sep = 1;
	x->sep_depth = x->box_depth;
}

/* Start a block: separate it from the previous one when that is due.  The
 * separator is drawn lazily, so that a container entered since (a quote)
 * does not draw its bar on it, and an empty one draws nothing at all. */
static void md_block_start(struct md_ctx *x)
{
	if (x->pending_sep && x->n_out > x->chunk_start)
		md_emit_blank(x, x->sep_depth < x->box_depth ? x->sep_depth : x->box_depth);
	x->pending_sep = 0;
}

/* Append to the current row the part [off, end) of a styled buffer, walking
 * its runs from *ri (kept across calls: lines come in order). */
static void md_row_put_runs(struct md_ctx *x, const char *text, size_t text_len,
			    const struct md_run *runs, size_t n_runs, size_t *ri, size_t off,
			    size_t end, unsigned extra)
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
static void md_emit_wrapped(struct md_ctx *x, const char *text, size_t len,
			    const struct md_run *runs, size_t n_runs, const char *lead,
			    unsigned lead_style, int lead_w, int hang_w)
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

/* ---- leaf blocks ----------------------------------------------------- */

/* Return the style of inline text at this point. */
static unsigned md_cur_style(const struct md_ctx *x)
{
	unsigned st = 0;
	if (x->quote_depth > 0)
		st |= MD_ST_QUOTE;
	if (x->leaf == MD_LEAF_H)
		st |= MD_ST_HEADING | MD_ST_BOLD;
	if (x->leaf == MD_LEAF_CELL && x->cell_head)
		st |= MD_ST_BOLD;
	if (x->n_em)
		st |= MD_ST_ITALIC;
	if (x->n_strong)
		st |= MD_ST_BOLD;
	if (x->n_del)
		st |= MD_ST_STRIKE;
	if (x->n_code)
		st |= MD_ST_CODE;
	if (x->n_link || x->n_img)
		st |= MD_ST_LINK;
	return st;
}

/* Start collecting inline text for a leaf of the given kind. */
static void md_leaf_begin(struct md_ctx *x, enum md_leaf kind)
{
	x->leaf = kind;
	md_text_reset(&x->para);
}

/* Emit the leaf block collected so far, if any, and end it. */
static void md_leaf_flush(struct md_ctx *x)
{
	enum md_leaf kind = x->leaf;
	if (kind == MD_LEAF_NONE || kind == MD_LEAF_CELL)
		return;
	x->leaf = MD_LEAF_NONE;
	struct md_text *t = &x->para;
	if (kind == MD_LEAF_HTML) {
		while (t->s.len > 0 && t->s.data[t->s.len - 1] == '\n')
			t->s.data[--t->s.len] = '\0';
	}
	if (kind != MD_LEAF_H && t->s.len == 0)
		return;
	md_block_start(x);
	if (kind == MD_LEAF_H) {
		char lead[8];
		unsigned lv = x->h_level < 1 ? 1 : x->h_level > 6 ? 6 : x->h_level;
		memset(lead, '#', lv);
		lead[lv] = ' ';
		lead[lv + 1] = '\0';
		md_emit_wrapped(x, t->s.data ? t->s.data : "", t->s.len, t->runs, t->n_runs, lead,
				MD_ST_HEADING | MD_ST_DIM, (int)lv + 1, (int)lv + 1);
	} else {
		md_emit_wrapped(x, t->s.data, t->s.len, t->runs, t->n_runs, "", 0, 0, 0);
	}
	md_text_reset(t);
	md_sep_due(x);
}

/* Emit a horizontal rule across the available width. */
static void md_emit_rule(struct md_ctx *x)
{
	md_block_start(x);
	md_row_prefix(x, 0);
	md_row_repeat(x, MD_HLINE, md_avail(x), MD_ST_RULE);
	md_row_end(x, 0);
	md_sep_due(x);
}

/* Append to out one line of code, made safe and with tabs expanded to 8. */
static void md_code_expand(struct strbuf *out, const char *s, size_t n)
{
	int col = 0;
	size_t i = 0;
	while (i < n) {
		unsigned char b = (unsigned char)s[i];
		if (b >= 0x20 && b < 0x7F) {
			strbuf_putc(out, (char)b);
			col++;
			i++;
			continue;
		}
		if (b == '\t') {
			do {
				strbuf_putc(out, ' ');
				col++;
			} while (col % 8);
			i++;
			continue;
		}
		uint32_t c;
		size_t k = width_next_char(s + i, n - i, &c);
		if ((c == 0xFFFD && k == 1) || c < 0x20 || (c >= 0x7F && c < 0xA0)) {
			strbuf_append(out, MD_FFFD, 3);
			col++;
		} else {
			strbuf_append(out, s + i, k);
			col += width_char(c);
		}
		i += k;
	}
}

/* Emit the collected code block: a label row, then its lines cut at the
 * width with a marker on each continuation row. */
static void md_emit_code(struct md_ctx *x)
{
	const unsigned st = MD_ST_CODEBLOCK;
	int avail = md_avail(x);
	md_block_start(x);
	if (x->lang.len > 0) {
		struct strbuf *t = &x->tmp;
		strbuf_reset(t);
		strbuf_puts(t, MD_HLINE " ");
		md_code_expand(t, x->lang.data, x->lang.len);
		strbuf_puts(t, " " MD_HLINE);
		int w;
		size_t n = width_prefix(t->data, t->len, avail, &w);
		md_row_prefix(x, 0);
		md_row_put(x, t->data, n, st | MD_ST_CODELABEL, w);
		md_row_end(x, st);
	}
	const char *s = x->code.data ? x->code.data : "";
	size_t len = x->code.len;
	/* Every line of code ends in '\n': the last one ends the block. */
	if (len > 0 && s[len - 1] == '\n')
		len--;
	size_t a = 0;
	for (;;) {
		const char *nl = memchr(s + a, '\n', len - a);
		size_t b = nl ? (size_t)(nl - s) : len;
		struct strbuf *t = &x->tmp;
		strbuf_reset(t);
		md_code_expand(t, s + a, b - a);
		const char *e = t->data ? t->data : "";
		size_t pos = 0;
		int first = 1;
		do {
			md_row_prefix(x, 0);
			int room = avail;
			if (!first && avail >= 2) {
				md_row_put(x, MD_HOOK, strlen(MD_HOOK), st | MD_ST_WRAPMARK, 1);
				room--;
			}
			int w;
			size_t k = width_prefix(e + pos, t->len - pos, room, &w);
			if (k == 0 && pos < t->len) /* one cluster wider than the room */
				k = width_next_cluster(e + pos, t->len - pos, 0, &w);
			md_row_put(x, e + pos, k, st, w);
			md_row_end(x, st);
			pos += k;
			first = 0;
		} while (pos < t->len);
		if (!nl)
			break;
		a = b + 1;
	}
	md_sep_due(x);
}

/* ---- tables ---------------------------------------------------------- */

/* Return the cell at (row, col), or NULL; cells come in row order. */
static const struct md_cell *md_table_cell(const struct md_ctx *x, size_t *hint, unsigned row,
					   unsigned col)
{
	for (size_t i = *hint; i < x->n_cells; i++) {
		const struct md_cell *c = &x->cells[i];
		if (c->row > row)
			break;
		if (c->row == row && c->col == col) {
			*hint = i + 1;
			return c;
		}
	}
	return NULL;
}

/* Append a cell's styled text to the current row, with extra style bits. */
static void md_row_put_cell(struct md_ctx *x, const struct md_cell *c, unsigned extra)
{
	size_t ri = 0;
	md_row_put_runs(x, c->t.s.data, c->t.s.len, c->t.runs, c->t.n_runs, &ri, 0, c->t.s.len,
			extra);
}

/* Emit the table collected so far: aligned when it fits, as records when not. */
static void md_emit_table(struct md_ctx *x)
{
	unsigned ncols = 0, nrows = 0;
	for (size_t i = 0; i < x->n_cells; i++) {
		struct md_cell *c = &x->cells[i];
		c->w = width_of(c->t.s.data ? c->t.s.data : "", c->t.s.len);
		if (c->col + 1 > ncols)
			ncols = c->col + 1;
		if (c->row + 1 > nrows)
			nrows = c->row + 1;
	}
	if (ncols == 0)
		return;
	int *colw = xcalloc(ncols, sizeof *colw);
	int *align = xcalloc(ncols, sizeof *align);
	for (size_t i = 0; i < x->n_cells; i++) {
		const struct md_cell *c = &x->cells[i];
		if (c->w > colw[c->col])
			colw[c->col] = c->w;
		if (c->row == 0)
			align[c->col] = c->align;
	}
	long total = 3L * (ncols - 1);
	for (unsigned k = 0; k < ncols; k++)
		total += colw[k];
	int avail = md_avail(x);
	md_block_start(x);
	size_t hint = 0;
	if (total <= avail) {
		for (unsigned r = 0; r < nrows; r++) {
			md_row_prefix(x, 0);
			for (unsigned k = 0; k < ncols; k++) {
				if (k > 0)
					md_row_put(x, " " MD_BAR " ", strlen(" " MD_BAR " "),
						   MD_ST_TABLE, 3);
				const struct md_cell *c = md_table_cell(x, &hint, r, k);
				int d = colw[k] - (c ? c->w : 0);
				int left = align[k] == MD_ALIGN_RIGHT    ? d
					   : align[k] == MD_ALIGN_CENTER ? d / 2
									 : 0;
				md_row_pad(x, left);
				if (c) {
					md_row_put_cell(x, c, 0);
					x->row_w += c->w;
				}
				md_row_pad(x, d - left);
			}
			md_row_trim(x);
			md_row_end(x, 0);
			if (r == 0) {
				md_row_prefix(x, 0);
				for (unsigned k = 0; k < ncols; k++) {
					if (k > 0)
						md_row_repeat(x, MD_CROSS, 1, MD_ST_TABLE);
					md_row_repeat(x, MD_HLINE, colw[k] + (k > 0) + (k + 1 < ncols),
						      MD_ST_TABLE);
				}
				md_row_end(x, 0);
			}
		}
	} else {
		/* Too wide: one "Header: value" line per cell, a record per row. */
		struct md_text rec;
		md_text_init(&rec);
		for (unsigned r = nrows > 1 ? 1 : 0; r < nrows; r++) {
			if (r > 1)
				md_emit_blank(x, x->box_depth);
			for (unsigned k = 0; k < ncols; k++) {
				size_t h0 = 0, h1 = 0;
				const struct md_cell *h = md_table_cell(x, &h0, 0, k);
				const struct md_cell *c = r ? md_table_cell(x, &h1, r, k) : NULL;
				md_text_reset(&rec);
				if (h) {
					for (size_t i = 0; i < h->t.n_runs; i++) {
						size_t a = h->t.runs[i].off;
						size_t b = i + 1 < h->t.n_runs ? h->t.runs[i + 1].off
									       : h->t.s.len;
						md_text_put(&rec, h->t.s.data + a, b - a,
							    h->t.runs[i].style | MD_ST_BOLD);
					}
					if (c)
						md_text_put(&rec, ": ", 2, MD_ST_BOLD);
				}
				if (c) {
					for (size_t i = 0; i < c->t.n_runs; i++) {
						size_t a = c->t.runs[i].off;
						size_t b = i + 1 < c->t.n_runs ? c->t.runs[i + 1].off
									       : c->t.s.len;
						md_text_put(&rec, c->t.s.data + a, b - a,
							    c->t.runs[i].style);
					}
				}
				md_emit_wrapped(x, rec.s.data ? rec.s.data : "", rec.s.len, rec.runs,
						rec.n_runs, "", 0, 0, 2);
			}
		}
		md_text_done(&rec);
	}
	free(colw);
	free(align);
	md_sep_due(x);
}

/* Free the collected table cells. */
static void md_table_clear(struct md_ctx *x)
{
	for (size_t i = 0; i < x->n_cells; i++)
		md_text_done(&x->cells[i].t);
	x->n_cells = 0;
}

/* ---- md4c callbacks -------------------------------------------------- */

/* Push a container; past MD_MAX_DEPTH it is only counted. */
static struct md_box *md_box_push(struct md_ctx *x, int kind)
{
	int d = x->box_depth++;
	if (d >= MD_MAX_DEPTH)
		return NULL;
	struct md_box *b = &x->boxes[d];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	return b;
}

/* Pop the innermost container; returns it, or NULL when it was not kept. */
static struct md_box *md_box_pop(struct md_ctx *x)
{
	int d = --x->box_depth;
	return d < MD_MAX_DEPTH ? &x->boxes[d] : NULL;
}

/* Return the innermost kept list, or NULL. */
static struct md_list *md_list_top(struct md_ctx *x)
{
	if (x->list_depth == 0 || x->list_depth > MD_MAX_DEPTH)
		return NULL;
	return &x->lists[x->list_depth - 1];
}

/* Fill b's marker for a new item of list l (depth: 1 for a top list). */
static void md_item_mark(struct md_box *b, struct md_list *l, int depth,
			 const MD_BLOCK_LI_DETAIL *li)
{
	static const char *const bullets[] = {"\xE2\x80\xA2", "\xE2\x97\xA6", "\xE2\x96\xAA"};
	char num[24] = "";
	if (l && l->ordered)
		snprintf(num, sizeof num, "%u%c ", l->next, l->delim ? l->delim : '.');
	const char *task = "";
	if (li && li->is_task)
		task = li->task_mark == ' ' ? "[ ] " : "[x] ";
	if (l && l->ordered)
		snprintf(b->mark, sizeof b->mark, "%s%s", num, task);
	else if (*task)
		snprintf(b->mark, sizeof b->mark, "%s", task);
	else
		snprintf(b->mark, sizeof b->mark, "%s ", bullets[(depth - 1) % 3]);
	b->mark_len = strlen(b->mark);
	b->mark_w = width_of(b->mark, b->mark_len);
}

/* md4c: a block starts. */
static int md_cb_enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct md_ctx *x = ud;
	if (x->leaf == MD_LEAF_IMPLICIT)
		md_leaf_flush(x);
	switch (type) {
	case MD_BLOCK_DOC:
		break;
	case MD_BLOCK_QUOTE:
		md_box_push(x, MD_BOX_QUOTE);
		x->quote_depth++;
		break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL: {
		struct md_list *parent = md_list_top(x);
		/* A list nested right in a tight item hugs the item's text. */
		if (parent && parent->tight && x->box_depth > 0 && x->box_depth <= MD_MAX_DEPTH &&
		    x->boxes[x->box_depth - 1].kind == MD_BOX_ITEM)
			x->pending_sep = 0;
		if (x->list_depth++ < MD_MAX_DEPTH) {
			struct md_list *l = &x->lists[x->list_depth - 1];
			memset(l, 0, sizeof *l);
			if (type == MD_BLOCK_OL) {
				const MD_BLOCK_OL_DETAIL *d = detail;
				l->ordered = 1;
				l->next = d->start;
				l->delim = d->mark_delimiter;
				l->tight = d->is_tight;
			} else {
				const MD_BLOCK_UL_DETAIL *d = detail;
				l->tight = d->is_tight;
			}
		}
		break;
	}
	case MD_BLOCK_LI: {
		struct md_list *l = md_list_top(x);
		if (l && l->tight && l->items > 0)
			x->pending_sep = 0;
		struct md_box *b = md_box_push(x, MD_BOX_ITEM);
		if (b)
			md_item_mark(b, l, x->list_depth, detail);
		if (l) {
			l->items++;
			l->next++;
		}
		break;
	}
	case MD_BLOCK_HR:
		md_emit_rule(x);
		break;
	case MD_BLOCK_H:
		x->h_level = ((const MD_BLOCK_H_DETAIL *)detail)->level;
		md_leaf_begin(x, MD_LEAF_H);
		break;
	case MD_BLOCK_CODE: {
		const MD_BLOCK_CODE_DETAIL *d = detail;
		x->in_code = 1;
		strbuf_reset(&x->code);
		strbuf_reset(&x->lang);
		if (d->lang.text && d->lang.size)
			strbuf_append(&x->lang, d->lang.text, d->lang.size);
		break;
	}
	case MD_BLOCK_HTML:
		md_leaf_begin(x, MD_LEAF_HTML);
		break;
	case MD_BLOCK_P:
		md_leaf_begin(x, MD_LEAF_P);
		break;
	case MD_BLOCK_TABLE:
		x->in_table = 1;
		x->row = 0;
		md_table_clear(x);
		break;
	case MD_BLOCK_THEAD:
		x->in_head = 1;
		break;
	case MD_BLOCK_TBODY:
		x->in_head = 0;
		break;
	case MD_BLOCK_TR:
		x->col = 0;
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		x->cell_head = type == MD_BLOCK_TH;
		x->cell_align = detail ? (int)((const MD_BLOCK_TD_DETAIL *)detail)->align : 0;
		md_leaf_begin(x, MD_LEAF_CELL);
		break;
	}
	return 0;
}

/* md4c: a block ends. */
static int md_cb_leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct md_ctx *x = ud;
	(void)detail;
	if (x->leaf == MD_LEAF_IMPLICIT)
		md_leaf_flush(x);
	switch (type) {
	case MD_BLOCK_QUOTE:
		md_box_pop(x);
		x->quote_depth--;
		md_sep_due(x);
		break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		x->list_depth--;
		md_sep_due(x);
		break;
	case MD_BLOCK_LI: {
		struct md_box *b = x->box_depth <= MD_MAX_DEPTH ? &x->boxes[x->box_depth - 1] : NULL;
		if (b && !b->marked) {
			/* An empty item still shows its marker. */
			md_block_start(x);
			md_row_prefix(x, 0);
			md_row_trim(x);
			md_row_end(x, 0);
			md_sep_due(x);
		}
		md_box_pop(x);
		break;
	}
	case MD_BLOCK_H:
	case MD_BLOCK_HTML:
	case MD_BLOCK_P:
		md_leaf_flush(x);
		break;
	case MD_BLOCK_CODE:
		x->in_code = 0;
		md_emit_code(x);
		break;
	case MD_BLOCK_TABLE:
		md_emit_table(x);
		md_table_clear(x);
		x->in_table = 0;
		break;
	case MD_BLOCK_TR:
		x->row++;
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		if (x->leaf == MD_LEAF_CELL) {
			if (x->n_cells == x->cap_cells) {
				x->cap_cells = x->cap_cells ? x->cap_cells * 2 : 16;
				x->cells = xrealloc(x->cells, x->cap_cells * sizeof *x->cells);
			}
			struct md_cell *c = &x->cells[x->n_cells++];
			c->t = x->para; /* the cell takes the buffer over */
			md_text_init(&x->para);
			c->row = x->row;
			c->col = x->col;
			c->align = x->cell_align;
			c->w = 0;
			x->leaf = MD_LEAF_NONE;
		}
		x->col++;
		break;
	default:
		break;
	}
	return 0;
}

/* Append the text after a link: " (url)", unless the text already is it. */
static void md_link_end(struct md_ctx *x)
{
	const char *h = x->href.data;
	size_t hn = x->href.len;
	if (hn == 0)
		return;
	const char *t = x->para.s.data ? x->para.s.data + x->link_start : "";
	size_t tn = x->para.s.len - x->link_start;
	static const char *const schemes[] = {"", "mailto:", "http://", "https://"};
	for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
		size_t k = strlen(schemes[i]);
		if (hn == k + tn && strncmp(h, schemes[i], k) == 0 && memcmp(h + k, t, tn) == 0)
			return;
	}
	unsigned base = x->quote_depth > 0 ? MD_ST_QUOTE : 0;
	md_text_put(&x->para, " ", 1, md_cur_style(x));
	md_text_put(&x->para, "(", 1, base | MD_ST_URL);
	md_text_put_clean(&x->para, h, hn, base | MD_ST_URL, 0);
	md_text_put(&x->para, ")", 1, base | MD_ST_URL);
}

/* Start an implicit leaf when text arrives outside any (a tight list item). */
static void md_need_leaf(struct md_ctx *x)
{
	if (x->leaf == MD_LEAF_NONE)
		md_leaf_begin(x, MD_LEAF_IMPLICIT);
}

/* md4c: an inline span starts. */
static int md_cb_enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
	struct md_ctx *x = ud;
	md_need_leaf(x);
	switch (type) {
	case MD_SPAN_EM:
		x->n_em++;
		break;
	case MD_SPAN_STRONG:
		x->n_strong++;
		break;
	case MD_SPAN_DEL:
		x->n_del++;
		break;
	case MD_SPAN_CODE:
		x->n_code++;
		break;
	case MD_SPAN_A:
		if (x->n_link++ == 0) {
			const MD_SPAN_A_DETAIL *d = detail;
			strbuf_reset(&x->href);
			if (d->href.text)
				strbuf_append(&x->href, d->href.text, d->href.size);
			x->link_start = x->para.s.len;
		}
		break;
	case MD_SPAN_IMG:
		if (x->n_img++ == 0) {
			const MD_SPAN_IMG_DETAIL *d = detail;
			strbuf_reset(&x->src);
			if (d->src.text)
				strbuf_append(&x->src, d->src.text, d->src.size);
			md_text_put(&x->para, "[image: ", 8, md_cur_style(x));
		}
		break;
	default:
		break;
	}
	return 0;
}

/* md4c: an inline span ends. */
static int md_cb_leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
	struct md_ctx *x = ud;
	(void)detail;
	md_need_leaf(x);
	switch (type) {
	case MD_SPAN_EM:
		x->n_em--;
		break;
	case MD_SPAN_STRONG:
		x->n_strong--;
		break;
	case MD_SPAN_DEL:
		x->n_del--;
		break;
	case MD_SPAN_CODE:
		x->n_code--;
		break;
	case MD_SPAN_A:
		if (--x->n_link == 0)
			md_link_end(x);
		break;
	case MD_SPAN_IMG:
		if (x->n_img == 1) {
			md_text_put(&x->para, "]", 1, md_cur_style(x));
			x->n_img--;
			if (x->src.len) {
				unsigned base = x->quote_depth > 0 ? MD_ST_QUOTE : 0;
				md_text_put(&x->para, " ", 1, md_cur_style(x));
				md_text_put(&x->para, "(", 1, base | MD_ST_URL);
				md_text_put_clean(&x->para, x->src.data, x->src.len,
						  base | MD_ST_URL, 0);
				md_text_put(&x->para, ")", 1, base | MD_ST_URL);
			}
		} else if (x->n_img > 0) {
			x->n_img--;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* Append the character an entity ("&amp;", "&#x1F600;") stands for, or the
 * entity itself when it is not one we know. */
static void md_put_entity(struct md_ctx *x, const char *s, size_t n)
{
	static const struct {
		const char *name;
		const char *utf8;
	} names[] = {
		{"&amp;", "&"},		  {"&lt;", "<"},	    {"&gt;", ">"},
		{"&quot;", "\""},	  {"&apos;", "'"},	    {"&nbsp;", "\xC2\xA0"},
		{"&copy;", "\xC2\xA9"},	  {"&reg;", "\xC2\xAE"},    {"&trade;", "\xE2\x84\xA2"},
		{"&hellip;", "\xE2\x80\xA6"}, {"&mdash;", "\xE2\x80\x94"}, {"&ndash;", "\xE2\x80\x93"},
		{"&laquo;", "\xC2\xAB"},  {"&raquo;", "\xC2\xBB"},  {"&times;", "\xC3\x97"},
		{"&middot;", "\xC2\xB7"}, {"&deg;", "\xC2\xB0"},    {"&rarr;", "\xE2\x86\x92"},
		{"&larr;", "\xE2\x86\x90"},
	};
	unsigned st = md_cur_style(x);
	if (n >= 4 && s[1] == '#') {
		unsigned long c = 0;
		int hex = s[2] == 'x' || s[2] == 'X';
		char *end;
		char buf[16];
		size_t k = n - (hex ? 3 : 2) - 1;
		if (k > 0 && k < sizeof buf) {
			memcpy(buf, s + (hex ? 3 : 2), k);
			buf[k] = '\0';
			c = strtoul(buf, &end, hex ? 16 : 10);
			if (*end)
				c = 0xFFFD;
		} else {
			c = 0xFFFD;
		}
		if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) || c < 0x20 ||
		    (c >= 0x7F && c < 0xA0))
			c = 0xFFFD;
		uint8_t u[6];
		int m = u8_uctomb(u, (ucs4_t)c, sizeof u);
		if (m > 0)
			md_text_put(&x->para, (const char *)u, (size_t)m, st);
		return;
	}
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		if (strlen(names[i].name) == n && memcmp(names[i].name, s, n) == 0) {
			md_text_put(&x->para, names[i].utf8, strlen(names[i].utf8), st);
			return;
		}
	}
	md_text_put_clean(&x->para, s, n, st, 0);
}

/* Return whether s[0..n) is only spaces. */
static int md_all_spaces(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ')
			return 0;
	return 1;
}

/* md4c: text. */
static int md_cb_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
	struct md_ctx *x = ud;
	/* No text can be longer than the source, but for the spaces md4c
	 * makes of tabs that indent code (four for each at most): anything
	 * else is a parser bug, better dropped than followed into unmapped
	 * memory. */
	if (size > x->src_size && (size / 4 > x->src_size || !md_all_spaces(text, size)))
		return 0;
	if (x->in_code) {
		if (type == MD_TEXT_NULLCHAR)
			strbuf_append(&x->code, MD_FFFD, 3);
		else
			strbuf_append(&x->code, text, size);
		return 0;
	}
	md_need_leaf(x);
	unsigned st = md_cur_style(x);
	switch (type) {
	case MD_TEXT_NULLCHAR:
		md_text_put(&x->para, MD_FFFD, 3, st);
		break;
	case MD_TEXT_BR:
		md_text_put(&x->para, x->leaf == MD_LEAF_CELL ? " " : "\n", 1, st);
		break;
	case MD_TEXT_SOFTBR:
		md_text_put(&x->para, " ", 1, st);
		break;
	case MD_TEXT_ENTITY:
		md_put_entity(x, text, size);
		break;
	case MD_TEXT_HTML:
		md_text_put_clean(&x->para, text, size, st, x->leaf == MD_LEAF_HTML);
		break;
	default:
		md_text_put_clean(&x->para, text, size, st, 0);
		break;
	}
	return 0;
}

/* ---- entry points ---------------------------------------------------- */

/* Parse one chunk of the source (n bytes at src, escs: where to escape a
 * '[') and emit its lines. */
static void md_parse_chunk(struct md_ctx *x, const char *src, size_t n, const struct md_escs *escs,
			   struct strbuf *buf)
{
	static const char pad[MD_PAD];
	static const MD_PARSER parser = {
		.abi_version = 0,
		.flags = MD_DIALECT_GITHUB,
		.enter_block = md_cb_enter_block,
		.leave_block = md_cb_leave_block,
		.enter_span = md_cb_enter_span,
		.leave_span = md_cb_leave_span,
		.text = md_cb_text,
		.debug_log = NULL,
		.syntax = NULL,
	};
	/* md4c 0.4.8 reads past the end of its input when the text stops in
	 * a link destination ("[a](http://x" followed by ")" in memory turns
	 * into a link with a bogus length): exactly what a prefix of a
	 * streaming answer looks like.  So md4c parses a copy that ends in
	 * NULs.  The copy also escapes link reference definitions, which
	 * would otherwise vanish: references are shown as written, never
	 * resolved, so that no later text can change earlier lines. */
	/* md4c 0.4.8 can open a span it never closes ("*a [l](u*v)"): every
	 * chunk starts plain, so one stray span cannot tint all that follows
	 * and a chunk renders the same alone as in the whole. */
	x->n_em = x->n_strong = x->n_del = x->n_code = x->n_link = x->n_img = 0;
	strbuf_reset(buf);
	size_t a = 0;
	for (size_t i = 0; i < escs->n; i++) {
		strbuf_append(buf, src + a, escs->v[i] - a);
		strbuf_putc(buf, '\\');
		a = escs->v[i];
	}
	strbuf_append(buf, src + a, n - a);
	size_t size = buf->len;
	strbuf_append(buf, pad, sizeof pad);
	/* md4c sizes are 32-bit; a longer block is cut (4 GiB is no answer). */
	if (size > UINT_MAX - MD_PAD)
		size = UINT_MAX - MD_PAD;
	x->src_size = (MD_SIZE)size;
	x->pending_sep = 0;
	x->chunk_start = x->n_out;
	md_parse(buf->data, (MD_SIZE)size, &parser, x);
	/* After an aborted parse, show what was collected. */
	md_leaf_flush(x);
	x->in_code = 0;
	x->leaf = MD_LEAF_NONE;
}

/* Render src at width and append the lines to out, which owns them. */
void md_render(const char *src, size_t len, int width, struct md_lines *out)
{
	if (len == 0)
		return;
	struct md_ctx x;
	memset(&x, 0, sizeof x);
	x.width = width < 1 ? 1 : width;
	x.out = out;
	md_text_init(&x.para);
	strbuf_init(&x.href);
	strbuf_init(&x.src);
	strbuf_init(&x.code);
	strbuf_init(&x.lang);
	strbuf_init(&x.row_text);
	strbuf_init(&x.tmp);
	wrap_lines_init(&x.wl);
	struct strbuf buf = STRBUF_INIT;
	struct md_escs escs = {NULL, 0, 0};

	/* The text is parsed one stable chunk at a time (see md_scan), each
	 * followed by an empty line when it showed anything.  So rendering a
	 * stable prefix and the rest apart gives, by construction, the lines of
	 * the whole: the streaming answer's cache can never disagree with a
	 * full render. */
	size_t a = 0;
	while (a < len) {
		escs.n = 0;
		size_t q = md_scan(src + a, len - a, 1, &escs, NULL);
		size_t n = q ? q : len - a;
		size_t before = x.n_out;
		md_parse_chunk(&x, src + a, n, &escs, &buf);
		if (q && x.n_out > before)
			md_row_end(&x, 0);
		a += n;
	}

	md_table_clear(&x);
	free(x.cells);
	md_text_done(&x.para);
	strbuf_done(&x.href);
	strbuf_done(&x.src);
	strbuf_done(&x.code);
	strbuf_done(&x.lang);
	strbuf_done(&x.row_text);
	strbuf_done(&x.tmp);
	free(x.row_spans);
	wrap_lines_done(&x.wl);
	strbuf_done(&buf);
	free(escs.v);
}

/* Render code lines as they show inside a fenced block (see markdown.h). */
void md_render_code(const char *fence, size_t fence_len, const char *src, size_t len, int width,
		    struct md_lines *out)
{
	if (len == 0)
		return;
	struct strbuf b = STRBUF_INIT;
	strbuf_append(&b, fence, fence_len);
	strbuf_putc(&b, '\n');
	strbuf_append(&b, src, len);
	md_render(b.data, b.len, width, out);
	strbuf_done(&b);
}
