#include <config.h>

#include "ui/input.h"
#include "ui/input-internal.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unilbrk.h>

#include "core/xalloc.h"
#include "ui/grapheme.h"

/* Width standing in for "no wrapping" before any layout was asked for. */
#define INPUT_WIDTH_UNBOUNDED (INT_MAX / 2)

/* ---- layout ---------------------------------------------------------- */

/* Line-break opportunities are computed in windows, not per logical line,
 * so an edit in a 1 MB single-line paste costs a window, not the line. */
#define INPUT_BRK_CONTEXT 1024  /* bytes before a window, for UAX #14 look-behind */
#define INPUT_BRK_WINDOW  16384 /* bytes a window covers after the asked position */
#define INPUT_BRK_MARGIN  64    /* bytes before a window's cut that are not trusted */
/* A relayout rejoins the old rows at a row start this far into the unchanged
 * tail (or just after a '\n' in it), where nothing before can matter. */
#define INPUT_SYNC_MARGIN 64

/* One layout pass: the rows made so far and the break window. */
struct input_pass {
	struct input_row *v;
	size_t n, cap;
	size_t win_base;       /* text offset of in->brk[0] */
	size_t win_lo, win_hi; /* in->brk is right for [win_lo, win_hi) */
	int width;
	bool sync;   /* whether rejoining the old rows is allowed */
	size_t tail; /* start of the unchanged tail, in today's text */
};

/* Append a row to the pass. */
static void input_pass_push(struct input_pass *ps, size_t off, size_t len, int cells)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 16;
		ps->v = xrealloc(ps->v, ps->cap * sizeof *ps->v);
	}
	ps->v[ps->n].off = off;
	ps->v[ps->n].len = len;
	ps->v[ps->n].cells = cells;
	ps->n++;
}

/* Return the index of the last row starting at or before off (n > 0). */
static size_t input_row_find(const struct input_row *rows, size_t n, size_t off)
{
	size_t lo = 0, hi = n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (rows[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Compute the break opportunities (UAX #14) of a window around y, which is
 * inside a logical line: from its line start or INPUT_BRK_CONTEXT bytes
 * before y, to its line end or INPUT_BRK_WINDOW bytes after. */
static void input_brk_window(struct input *in, struct input_pass *ps, size_t y)
{
	const char *s = in->text.data;
	size_t len = in->text.len;
	size_t base = y, lim = y > INPUT_BRK_CONTEXT ? y - INPUT_BRK_CONTEXT : 0;
	while (base > lim && s[base - 1] != '\n')
		base--;
	bool at_line = base == 0 || s[base - 1] == '\n';
	while (!at_line && base < y && ((unsigned char)s[base] & 0xC0) == 0x80)
		base++;
	size_t end = len - y > INPUT_BRK_WINDOW ? y + INPUT_BRK_WINDOW : len;
	const char *nl = memchr(s + y, '\n', end - y);
	bool at_end = nl || end == len;
	if (nl)
		end = (size_t)(nl - s);
	while (!at_end && end > y + 1 && ((unsigned char)s[end] & 0xC0) == 0x80)
		end--;
	if (end - base > in->cap_brk) {
		free(in->brk);
		in->cap_brk = end - base;
		in->brk = xmalloc(in->cap_brk);
	}
	u8_possible_linebreaks((const uint8_t *)s + base, end - base, "UTF-8", in->brk);
	ps->win_base = base;
	ps->win_lo = at_line ? base : y;
	ps->win_hi = at_end || end - y <= INPUT_BRK_MARGIN ? end : end - INPUT_BRK_MARGIN;
}

/* Return whether a row may end before byte y (inside a line, not at '\n'). */
static bool input_breakable(struct input *in, struct input_pass *ps, size_t y)
{
	if (y < ps->win_lo || y >= ps->win_hi)
		input_brk_window(in, ps, y);
	char b = in->brk[y - ps->win_base];
	return b == UC_BREAK_POSSIBLE || b == UC_BREAK_HYPHENATION || b == UC_BREAK_MANDATORY;
}

/* At the start of a new row at byte a: if the old layout had a row there
 * and everything from there on is unchanged, copy the old rows (shifted)
 * and return true: the rest of the layout would come out the same. */
static bool input_pass_sync(struct input *in, struct input_pass *ps, size_t a)
{
	const char *s = in->text.data;
	size_t len = in->text.len;
	if (!ps->sync || a <= ps->tail)
		return false;
	if (a < ps->tail + INPUT_SYNC_MARGIN && s[a - 1] != '\n')
		return false;
	size_t old = in->lay_len - (len - a);
	size_t r = input_row_find(in->rows, in->n_rows, old);
	if (in->rows[r].off != old)
		return false;
	for (; r < in->n_rows; r++)
		input_pass_push(ps, in->rows[r].off - old + a, in->rows[r].len, in->rows[r].cells);
	return true;
}

/* Lay out the text from byte start (a row start) to the end: greedy
 * filling, a break at the last opportunity that keeps the row within the
 * width, else a hard break before the cluster that overflows.  White space
 * that overflows hangs past the edge, as in word processors, so a wrapped
 * row never starts with the space that wrapped it.  A row that ends at or
 * past the edge is followed by an empty one, where the cursor after it is. */
static void input_pass_run(struct input *in, struct input_pass *ps, size_t start)
{
	const char *s = in->text.data;
	size_t len = in->text.len;
	int width = ps->width;
	size_t row = start, p = start, lb = start;
	int col = 0, lbcol = 0;
	bool fresh = false;

	for (;;) {
		if (fresh && input_pass_sync(in, ps, row))
			return;
		fresh = false;
		if (p == len || s[p] == '\n') {
			input_pass_push(ps, row, p - row, col);
			fresh = true;
			if (col >= width) {
				row = lb = p;
			} else if (p == len) {
				return;
			} else {
				row = lb = ++p;
			}
			col = 0;
			continue;
		}
		if (p > row && input_breakable(in, ps, p)) {
			lb = p;
			lbcol = col;
		}
		int w;
		ucs4_t base;
		size_t q = grapheme_info(s, len, p, col, &w, &base);
		if (col == 0 || col + w <= width) {
			col += w;
			p = q;
			continue;
		}
		fresh = true;
		if (base == ' ' || base == '\t') {
			while (p < len) {
				q = grapheme_info(s, len, p, col, &w, &base);
				if (base != ' ' && base != '\t')
					break;
				col += w;
				p = q;
			}
			/* At a line's end, the next turn adds the empty row the
			 * cursor after the run needs. */
			input_pass_push(ps, row, p - row, col);
			row = lb = p;
			col = 0;
		} else if (lb > row) {
			/* Lay the clusters from lb on out again from column 0:
			 * tabs change width when they move.  They hold no break
			 * opportunity, so they move only this once. */
			input_pass_push(ps, row, lb - row, lbcol);
			row = p = lb;
			col = 0;
		} else {
			input_pass_push(ps, row, p - row, col);
			row = lb = p;
			col = 0;
		}
	}
}

/* Bring the row cache up to date for width.  When only the text changed,
 * rows up to a few before the first changed byte are kept, and once a new
 * row starts inside the unchanged tail where an old one did, the old rows
 * are reused shifted: an edit costs the rows around it, not the 1 MB paste
 * it is in (rows are only copied). */
void input_layout_update(struct input *in, int width)
{
	if (in->lay_valid && in->lay_width == width)
		return;
	size_t len = in->text.len;
	struct input_pass ps = {.v = in->spare, .cap = in->cap_spare, .width = width};
	size_t start = 0;

	if (in->lay_width == width && in->n_rows > 0 && in->text.data) {
		size_t kp = in->keep_prefix < len ? in->keep_prefix : len;
		size_t j = input_row_find(in->rows, in->n_rows, kp);
		/* A row's end depends on the clusters just after it: the
		 * three rows before the change may move, earlier ones not. */
		size_t r = j >= 3 ? j - 3 : 0;
		start = in->rows[r].off;
		if (r > ps.cap) {
			ps.cap = r;
			ps.v = xrealloc(ps.v, ps.cap * sizeof *ps.v);
		}
		if (r)
			memcpy(ps.v, in->rows, r * sizeof *ps.v);
		ps.n = r;
		ps.sync = true;
		ps.tail = len - (in->keep_suffix < len ? in->keep_suffix : len);
	}
	if (in->text.data) {
		input_pass_run(in, &ps, start);
	} else {
		ps.n = 0;
		input_pass_push(&ps, 0, 0, 0);
	}
	in->spare = in->rows;
	in->cap_spare = in->cap_rows;
	in->rows = ps.v;
	in->cap_rows = ps.cap;
	in->n_rows = ps.n;
	in->lay_width = width;
	in->lay_len = len;
	in->lay_valid = true;
	in->keep_prefix = in->keep_suffix = SIZE_MAX;
}

/* Return the width Up/Down wrap at: the last one drawn, else none. */
int input_nav_width(const struct input *in)
{
	return in->view_width > 0 ? in->view_width : INPUT_WIDTH_UNBOUNDED;
}

/* Find the cell (row, col) of byte off in the (valid) cached layout. */
void input_cell_of(const struct input *in, size_t off, int *row, int *col)
{
	const char *s = strbuf_str(&in->text);
	size_t r = input_row_find(in->rows, in->n_rows, off);
	size_t p = in->rows[r].off;
	int c = 0;
	while (p < off) {
		int w;
		ucs4_t base;
		p = grapheme_info(s, in->text.len, p, c, &w, &base);
		c += w;
	}
	/* Inside white space hanging past the edge: shown where the next row
	 * starts, which is where typing there appears to go. */
	if (c >= in->lay_width && r + 1 < in->n_rows) {
		r++;
		c = 0;
	}
	*row = (int)r;
	*col = c;
}

/* Return the boundary in row r nearest to column goal without passing it;
 * a soft-wrapped row's end belongs to the next row, so it is not offered. */
size_t input_row_offset(const struct input *in, size_t r, int goal)
{
	const char *s = strbuf_str(&in->text);
	const struct input_row *rw = &in->rows[r];
	size_t end = rw->off + rw->len;
	bool last = r + 1 == in->n_rows || in->rows[r + 1].off != end;
	size_t p = rw->off, best = p;
	int col = 0;
	while (col <= goal && col < in->lay_width) {
		if (p == end) {
			if (last)
				best = p;
			break;
		}
		best = p;
		int w;
		ucs4_t base;
		p = grapheme_info(s, in->text.len, p, col, &w, &base);
		col += w;
	}
	return best;
}

/* ---- public API ------------------------------------------------------ */

void input_layout(struct input *in, int width, struct input_layout *out)
{
	if (width < 1)
		width = 1;
	in->view_width = width;
	input_layout_update(in, width);
	out->rows = in->rows;
	out->n_rows = (int)in->n_rows;
	out->width = width;
	input_cell_of(in, in->cursor, &out->cursor_row, &out->cursor_col);
}

int input_first_visible_row(struct input *in, const struct input_layout *l, int max_rows)
{
	if (max_rows < 1)
		max_rows = 1;
	int top = in->top;
	if (l->n_rows <= max_rows) {
		top = 0;
	} else {
		if (top > l->n_rows - max_rows)
			top = l->n_rows - max_rows;
		if (l->cursor_row < top)
			top = l->cursor_row;
		if (l->cursor_row >= top + max_rows)
			top = l->cursor_row - max_rows + 1;
		if (top < 0)
			top = 0;
	}
	in->top = top;
	return top;
}

size_t input_cluster_next(const struct input *in, size_t off, int col, int *cells)
{
	const char *s = strbuf_str(&in->text);
	ucs4_t base;
	if (off >= in->text.len) {
		*cells = 0;
		return in->text.len;
	}
	return grapheme_info(s, in->text.len, off, col, cells, &base);
}
