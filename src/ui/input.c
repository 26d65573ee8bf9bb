#include <config.h>

#include "ui/input.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unictype.h>
#include <unigbrk.h>
#include <unilbrk.h>
#include <unistr.h>

#include "core/xalloc.h"
#include "i18n.h"
#include "ui/width.h"

/* What an event did, for the decisions that depend on the one before it:
 * typing and deleting runs coalesce into one undo group, consecutive kills
 * grow one kill, consecutive Up/Down keep their goal column. */
enum input_cmd {
	INPUT_CMD_OTHER,
	INPUT_CMD_TYPE,
	INPUT_CMD_BACKSPACE,
	INPUT_CMD_DELETE,
	INPUT_CMD_KILL,
	INPUT_CMD_VERTICAL,
};

/* One reversible edit: at pos, ins_len bytes replaced what del holds. */
struct input_undo {
	size_t pos;
	size_t ins_len;
	char *del; /* owned; NULL when nothing was removed */
	size_t del_len;
	size_t cursor;  /* the cursor before the edit, restored by undo */
	unsigned group; /* records of one group are undone together */
};

/* Bounds on undo memory: oldest groups go first beyond them. */
#define INPUT_UNDO_MAX_RECORDS 10000
#define INPUT_UNDO_MAX_BYTES   ((size_t)64 << 20)
/* Coalesced deletions start a new record (same group) past this size, so
 * prepending Backspace runs stays linear. */
#define INPUT_UNDO_RUN_BYTES 4096
/* Tab stops, as width.h counts them. */
#define INPUT_TAB_STOP 8
/* Width standing in for "no wrapping" before any layout was asked for. */
#define INPUT_WIDTH_UNBOUNDED (INT_MAX / 2)

/* ---- UTF-8 and grapheme clusters ------------------------------------- */

/* The buffer is valid UTF-8 (everything entering it is normalised), so the
 * decoders below never meet a broken sequence. */

/* Return the code point at byte p (p < len); its length goes to *n. */
static ucs4_t input_cp(const char *s, size_t len, size_t p, int *n)
{
	ucs4_t c;
	*n = u8_mbtouc(&c, (const uint8_t *)s + p, len - p);
	return c;
}

/* Return the start of the code point that ends at byte p (p > 0). */
static size_t input_cp_start(const char *s, size_t p)
{
	do
		p--;
	while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80);
	return p;
}

/* Return the Grapheme_Cluster_Break property of c. */
static int input_gbp(ucs4_t c)
{
	int g = uc_graphemeclusterbreak_property(c);
	/* Obsolete since Unicode 11, but an old table may still say it. */
	if (g == GBP_EM)
		return GBP_EXTEND;
	return g;
}

/* Return 1 when rules GB3-GB9b keep a and b in one cluster, 0 when they
 * break, -1 when it depends on what came before (GB11 emoji ZWJ sequences,
 * GB12/13 regional indicator pairs): libunistring 1.0's own segmenter only
 * looks at pairs and splits flags and ZWJ sequences, hence this. */
static int input_gb_pair(int a, ucs4_t bc, int b)
{
	if (a == GBP_CR && b == GBP_LF)
		return 1;
	if (a == GBP_CONTROL || a == GBP_CR || a == GBP_LF)
		return 0;
	if (b == GBP_CONTROL || b == GBP_CR || b == GBP_LF)
		return 0;
	if (a == GBP_L && (b == GBP_L || b == GBP_V || b == GBP_LV || b == GBP_LVT))
		return 1;
	if ((a == GBP_LV || a == GBP_V) && (b == GBP_V || b == GBP_T))
		return 1;
	if ((a == GBP_LVT || a == GBP_T) && b == GBP_T)
		return 1;
	if (b == GBP_EXTEND || b == GBP_ZWJ || b == GBP_SPACINGMARK)
		return 1;
	if (a == GBP_PREPEND)
		return 1;
	if (a == GBP_ZWJ && uc_is_property_extended_pictographic(bc))
		return -1;
	if (a == GBP_RI && b == GBP_RI)
		return -1;
	return 0;
}

/* Return whether two bytes are both ASCII and so, CR LF aside, two clusters. */
static bool input_ascii_pair(const char *s, size_t p)
{
	unsigned char a = (unsigned char)s[p], b = (unsigned char)s[p + 1];
	return a < 0x80 && b < 0x80 && !(a == '\r' && b == '\n');
}

/* Return the end of the UAX #29 extended grapheme cluster starting at the
 * boundary p (p < len). */
static size_t input_uax_next(const char *s, size_t len, size_t p)
{
	int n;
	ucs4_t ac = input_cp(s, len, p, &n);
	int a = input_gbp(ac);
	size_t q = p + (size_t)n;
	unsigned ri = a == GBP_RI;
	bool pict = uc_is_property_extended_pictographic(ac), zwj_after_pict = false;
	while (q < len) {
		ucs4_t bc = input_cp(s, len, q, &n);
		int b = input_gbp(bc);
		int keep = input_gb_pair(a, bc, b);
		if (keep < 0)
			keep = a == GBP_RI ? (int)(ri % 2) : zwj_after_pict;
		if (!keep)
			break;
		ri = b == GBP_RI ? ri + 1 : 0;
		zwj_after_pict = b == GBP_ZWJ && pict;
		pict = uc_is_property_extended_pictographic(bc) || (pict && b == GBP_EXTEND);
		a = b;
		q += (size_t)n;
	}
	return q;
}

/* The cursor's clusters are UAX #29 grapheme clusters joined with width.h's
 * clusters wherever the two disagree (width.h glues a zero-width space to
 * the character before it, or anything to a ZWJ): the cursor then never
 * splits what is drawn as one, and a row's cells, summed cluster by
 * cluster, are exactly what width_of() measures for the row. */

/* Return the end of the cluster starting at the boundary p (p < len). */
static size_t input_gc_next(const char *s, size_t len, size_t p)
{
	if (p + 1 == len && (unsigned char)s[p] < 0x80)
		return p + 1;
	if (p + 1 < len && input_ascii_pair(s, p))
		return p + 1;
	size_t a = input_uax_next(s, len, p), b = p;
	int w;
	b += width_next_cluster(s + b, len - b, 0, &w);
	while (a != b) {
		if (a < b)
			a = input_uax_next(s, len, a);
		else
			b += width_next_cluster(s + b, len - b, 0, &w);
	}
	return a;
}

/* Return whether width.h starts a new cluster at b after a, whatever came
 * before a: nothing it glues or absorbs (ZWJ and what follows one, VS16,
 * regional indicators, skin tones, zero-width and spacing marks). */
static bool input_wc_starts(ucs4_t a, ucs4_t b)
{
	if (a < 0x20 || b < 0x20)
		return true;
	if (a == 0x200D || b == 0x200D || b == 0xFE0F)
		return false;
	if ((b >= 0x1F1E6 && b <= 0x1F1FF) || (b >= 0x1F3FB && b <= 0x1F3FF))
		return false;
	if (b >= 0x300 && (width_char(b) == 0 || uc_is_general_category(b, UC_CATEGORY_Mc)))
		return false;
	return true;
}

/* Return the nearest byte at or before p (a code point start) that is a
 * cluster boundary whatever came earlier, so scans can restart there. */
static size_t input_gc_anchor(const char *s, size_t len, size_t p)
{
	while (p > 0 && p < len) {
		if (input_ascii_pair(s, p - 1))
			return p;
		size_t a0 = input_cp_start(s, p);
		int n;
		ucs4_t ac = input_cp(s, len, a0, &n), bc = input_cp(s, len, p, &n);
		if (input_gb_pair(input_gbp(ac), bc, input_gbp(bc)) == 0 && input_wc_starts(ac, bc))
			return p;
		p = a0;
	}
	return p;
}

/* Return the start of the cluster that ends at the boundary p (p > 0). */
static size_t input_gc_prev(const char *s, size_t len, size_t p)
{
	if (p == 1 && (unsigned char)s[0] < 0x80)
		return 0;
	if (p >= 2 && input_ascii_pair(s, p - 2))
		return p - 1;
	size_t x = input_gc_anchor(s, len, input_cp_start(s, p));
	for (;;) {
		size_t nx = input_gc_next(s, len, x);
		if (nx >= p)
			return x;
		x = nx;
	}
}

/* Return p if it is a cluster boundary, else the end (forward) or start
 * (!forward) of the cluster around it; p may be anywhere up to len. */
static size_t input_gc_snap(const char *s, size_t len, size_t p, bool forward)
{
	if (p >= len)
		return len;
	size_t x = p;
	while (x > 0 && ((unsigned char)s[x] & 0xC0) == 0x80)
		x--;
	x = input_gc_anchor(s, len, x);
	while (x < p) {
		size_t nx = input_gc_next(s, len, x);
		if (nx > p)
			return forward ? nx : x;
		x = nx;
	}
	return x;
}

/* Return the end of the cluster at boundary p (p < len); the cells it takes
 * drawn from column col go to *cells (width.h's rules, which follow what
 * ncurses advances: a tab goes to the next multiple of 8, a ZWJ sequence
 * counts its visible parts) and its first code point to *base. */
static size_t input_gc_info(const char *s, size_t len, size_t p, int col, int *cells,
			    ucs4_t *base)
{
	unsigned char c0 = (unsigned char)s[p];
	if (c0 < 0x80 && c0 != '\r' && (p + 1 == len || (unsigned char)s[p + 1] < 0x80)) {
		*base = c0;
		if (c0 == '\t')
			*cells = INPUT_TAB_STOP - (col < 0 ? 0 : col) % INPUT_TAB_STOP;
		else
			*cells = c0 == '\n' ? 0 : 1;
		return p + 1;
	}
	size_t q = input_gc_next(s, len, p);
	int n;
	*base = input_cp(s, len, p, &n);
	*cells = width_of_at(s + p, q - p, col);
	return q;
}

/* Return whether a typed code point may enter the text: no controls (C0,
 * DEL, C1), no surrogates, nothing past U+10FFFF. */
static bool input_char_ok(ucs4_t c)
{
	if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
		return false;
	return c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF);
}

/* Return whether code point c is white space for word rubout and blanks. */
static bool input_is_space(ucs4_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || uc_is_property_white_space(c);
}

/* Append s[0..n) to out normalised: CRLF and CR become '\n' (so do NEL and
 * the Unicode line/paragraph separators), other controls are dropped ('\t'
 * stays), broken UTF-8 becomes U+FFFD. */
static void input_normalize(struct strbuf *out, const char *s, size_t n)
{
	strbuf_grow(out, n);
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			size_t j = i;
			while (j < n && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x7F)
				j++;
			if (j > i) {
				strbuf_append(out, s + i, j - i);
				i = j;
				continue;
			}
			if (c == '\r') {
				strbuf_putc(out, '\n');
				i += (i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
				continue;
			}
			if (c == '\n' || c == '\t')
				strbuf_putc(out, (char)c);
			i++;
			continue;
		}
		ucs4_t uc;
		int len = u8_mbtouc(&uc, (const uint8_t *)s + i, n - i);
		if (uc == 0x85 || uc == 0x2028 || uc == 0x2029) {
			strbuf_putc(out, '\n');
		} else if (uc >= 0x80 && uc < 0xA0) {
			/* C1 controls: dropped like C0 ones. */
		} else {
			uint8_t buf[6];
			int m = u8_uctomb(buf, uc, (int)sizeof buf);
			if (m > 0)
				strbuf_append(out, (const char *)buf, (size_t)m);
		}
		i += len > 0 ? (size_t)len : 1;
	}
}

/* Return whether s[0..n) holds only white space. */
static bool input_blank(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
				return false;
			i++;
			continue;
		}
		ucs4_t uc;
		int len = u8_mbtouc(&uc, (const uint8_t *)s + i, n - i);
		if (!uc_is_property_white_space(uc))
			return false;
		i += len > 0 ? (size_t)len : 1;
	}
	return true;
}

/* Write a byte count for people ("1.5 MiB") into buf. */
static void input_format_size(char *buf, size_t n, size_t bytes)
{
	if (bytes < 1024)
		snprintf(buf, n, "%zu bytes", bytes);
	else if (bytes < ((size_t)1 << 20))
		snprintf(buf, n, "%.1f KiB", (double)bytes / 1024.0);
	else if (bytes < ((size_t)1 << 30))
		snprintf(buf, n, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
	else
		snprintf(buf, n, "%.1f GiB", (double)bytes / (1024.0 * 1024.0 * 1024.0));
}

/* Replace the pending message (for input_message()) by a copy of msg. */
static void input_set_message(struct input *in, const char *msg)
{
	free(in->message);
	in->message = msg ? xstrdup(msg) : NULL;
}

/* ---- editing primitives ---------------------------------------------- */

/* Return whether the text may grow by n bytes; sets the message when not. */
static bool input_room(struct input *in, size_t grow)
{
	if (grow <= INPUT_MAX_BYTES && in->text.len <= INPUT_MAX_BYTES - grow)
		return true;
	char lim[32];
	input_format_size(lim, sizeof lim, INPUT_MAX_BYTES);
	char *msg = xasprintf(_("The input is full (%s): nothing inserted"), lim);
	input_set_message(in, msg);
	free(msg);
	return false;
}

/* Replace [pos, pos + del) by ins[0..n) without recording undo; the layout
 * cache learns which parts of the text are still what it laid out. */
static void input_splice(struct input *in, size_t pos, size_t del, const char *ins, size_t n)
{
	size_t len = in->text.len;
	if (del == 0 && n == 0)
		return;
	if (pos < in->keep_prefix)
		in->keep_prefix = pos;
	if (len - pos - del < in->keep_suffix)
		in->keep_suffix = len - pos - del;
	in->lay_valid = false;
	if (n > del)
		strbuf_grow(&in->text, n - del);
	char *d = in->text.data;
	/* A strbuf that never held anything has no NUL yet. */
	d[len] = '\0';
	memmove(d + pos + n, d + pos + del, len - pos - del + 1);
	if (n)
		memcpy(d + pos, ins, n);
	in->text.len = len - del + n;
}

/* Free the undo records [from, to). */
static void input_undo_free(struct input *in, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		in->undo_bytes -= in->undo[i].del_len;
		free(in->undo[i].del);
	}
}

/* Forget all undo records (the text they refer to is gone). */
static void input_undo_reset(struct input *in)
{
	input_undo_free(in, 0, in->n_undo);
	in->n_undo = 0;
	in->undo_bytes = 0;
}

/* Drop the oldest quarter of the records (whole groups, never the newest
 * group) once undo holds too much, so the cost is amortised. */
static void input_undo_trim(struct input *in)
{
	if (in->n_undo <= INPUT_UNDO_MAX_RECORDS && in->undo_bytes <= INPUT_UNDO_MAX_BYTES)
		return;
	unsigned newest = in->undo[in->n_undo - 1].group;
	size_t k = in->n_undo / 4 ? in->n_undo / 4 : 1;
	while (k < in->n_undo && in->undo[k].group == in->undo[k - 1].group)
		k++;
	while (k > 0 && in->undo[k - 1].group == newest)
		k--;
	if (k == 0)
		return;
	input_undo_free(in, 0, k);
	memmove(in->undo, in->undo + k, (in->n_undo - k) * sizeof *in->undo);
	in->n_undo -= k;
}

/* Record that [pos, pos + del) is about to become n bytes, joining the
 * previous record when kind continues the previous event's run. */
static void input_undo_record(struct input *in, size_t pos, size_t del, size_t n, int kind)
{
	struct input_undo *top = in->n_undo ? &in->undo[in->n_undo - 1] : NULL;
	bool run = top && kind != INPUT_CMD_OTHER && in->prev_cmd == kind;
	const char *src = strbuf_str(&in->text) + pos;

	if (run && kind == INPUT_CMD_TYPE && del == 0 && top->pos + top->ins_len == pos) {
		top->ins_len += n;
		return;
	}
	if (run && n == 0 && top->ins_len == 0 && top->del_len < INPUT_UNDO_RUN_BYTES) {
		if (kind == INPUT_CMD_BACKSPACE && pos + del == top->pos) {
			char *d = xmalloc(del + top->del_len);
			memcpy(d, src, del);
			memcpy(d + del, top->del, top->del_len);
			free(top->del);
			top->del = d;
			top->del_len += del;
			top->pos = pos;
			in->undo_bytes += del;
			return;
		}
		if (kind == INPUT_CMD_DELETE && pos == top->pos) {
			top->del = xrealloc(top->del, top->del_len + del);
			memcpy(top->del + top->del_len, src, del);
			top->del_len += del;
			in->undo_bytes += del;
			return;
		}
	}
	bool contiguous = run && ((kind == INPUT_CMD_TYPE && top->pos + top->ins_len == pos) ||
				  (kind == INPUT_CMD_BACKSPACE && pos + del == top->pos) ||
				  (kind == INPUT_CMD_DELETE && pos == top->pos));
	if (!contiguous)
		in->undo_group++;
	if (in->n_undo == in->cap_undo) {
		in->cap_undo = in->cap_undo ? in->cap_undo * 2 : 16;
		in->undo = xrealloc(in->undo, in->cap_undo * sizeof *in->undo);
	}
	struct input_undo *u = &in->undo[in->n_undo++];
	u->pos = pos;
	u->ins_len = n;
	u->del = del ? xmalloc(del) : NULL;
	if (del)
		memcpy(u->del, src, del);
	u->del_len = del;
	u->cursor = in->cursor;
	u->group = in->undo_group;
	in->undo_bytes += del;
	input_undo_trim(in);
}

/* Replace [pos, pos + del) by ins[0..n) as an undoable edit of this kind. */
static void input_edit(struct input *in, size_t pos, size_t del, const char *ins, size_t n,
		       int kind)
{
	if (del == 0 && n == 0)
		return;
	input_undo_record(in, pos, del, n, kind);
	input_splice(in, pos, del, ins, n);
	in->cmd = kind;
}

/* Put the cursor at off, moved forward out of any cluster it fell into. */
static void input_cursor_to(struct input *in, size_t off)
{
	in->cursor = input_gc_snap(strbuf_str(&in->text), in->text.len, off, true);
}

/* Return the flags for an edit: the text and maybe the height changed. */
static enum ui_result input_changed(void)
{
	return (enum ui_result)(UI_HANDLED | UI_REDRAW | UI_RELAYOUT);
}

/* Move the cursor to off; returns the flags (a redraw only if it moved). */
static enum ui_result input_move(struct input *in, size_t off)
{
	if (off == in->cursor)
		return UI_HANDLED;
	in->cursor = off;
	return (enum ui_result)(UI_HANDLED | UI_REDRAW);
}

/* Replace the whole text without undo (history browsing); cursor at off. */
static void input_replace_all(struct input *in, const char *s, size_t off)
{
	input_splice(in, 0, in->text.len, s, strlen(s));
	input_cursor_to(in, off);
}

/* ---- history --------------------------------------------------------- */

/* Stop browsing: forget the per-entry edits; the text stays as it is. */
static void input_history_end(struct input *in)
{
	if (in->hist_edit) {
		for (size_t i = 0; i <= in->n_hist; i++)
			free(in->hist_edit[i]);
		free(in->hist_edit);
		in->hist_edit = NULL;
	}
	in->hist_pos = in->n_hist;
}

/* Append entry, normalised like a paste (it may come from a file and is
 * put back into the buffer as it is), unless it is blank or repeats the
 * newest entry. */
static void input_history_push(struct input *in, const char *entry)
{
	size_t n = strlen(entry);
	if (n > INPUT_MAX_BYTES)
		return;
	struct strbuf sb = STRBUF_INIT;
	input_normalize(&sb, entry, n);
	if (input_blank(strbuf_str(&sb), sb.len) ||
	    (in->n_hist && strcmp(in->hist[in->n_hist - 1], strbuf_str(&sb)) == 0)) {
		strbuf_done(&sb);
		return;
	}
	if (in->n_hist == INPUT_HISTORY_MAX) {
		free(in->hist[0]);
		memmove(in->hist, in->hist + 1, (in->n_hist - 1) * sizeof *in->hist);
		in->n_hist--;
	}
	if (in->n_hist == in->cap_hist) {
		in->cap_hist = in->cap_hist ? in->cap_hist * 2 : 16;
		in->hist = xrealloc(in->hist, in->cap_hist * sizeof *in->hist);
	}
	in->hist[in->n_hist++] = strbuf_detach(&sb);
}

/* Show history slot `to` (n_hist: the draft), keeping what the user did to
 * the slot being left; the cursor goes to the end of the first line when
 * going up and to the end when going down, so repeated Up/Down keep
 * browsing instead of walking through a multi-line entry. */
static enum ui_result input_history_step(struct input *in, int dir)
{
	if (dir < 0 ? in->hist_pos == 0 : in->hist_pos >= in->n_hist)
		return UI_HANDLED;
	if (!in->hist_edit)
		in->hist_edit = xcalloc(in->n_hist + 1, sizeof *in->hist_edit);
	size_t from = in->hist_pos, to = dir < 0 ? from - 1 : from + 1;
	const char *cur = strbuf_str(&in->text);
	free(in->hist_edit[from]);
	in->hist_edit[from] = NULL;
	if (from == in->n_hist || strcmp(cur, in->hist[from]) != 0)
		in->hist_edit[from] = xstrdup(cur);

	const char *show = in->hist_edit[to] ? in->hist_edit[to] : to < in->n_hist ? in->hist[to] : "";
	/* Undo records describe the text being left; they would corrupt this. */
	input_undo_reset(in);
	const char *nl = strchr(show, '\n');
	size_t off = dir < 0 && nl ? (size_t)(nl - show) : strlen(show);
	input_replace_all(in, show, off);
	in->hist_pos = to;
	return input_changed();
}

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
		size_t q = input_gc_info(s, len, p, col, &w, &base);
		if (col == 0 || col + w <= width) {
			col += w;
			p = q;
			continue;
		}
		fresh = true;
		if (base == ' ' || base == '\t') {
			while (p < len) {
				q = input_gc_info(s, len, p, col, &w, &base);
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
static void input_layout_update(struct input *in, int width)
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
static int input_nav_width(const struct input *in)
{
	return in->view_width > 0 ? in->view_width : INPUT_WIDTH_UNBOUNDED;
}

/* Find the cell (row, col) of byte off in the (valid) cached layout. */
static void input_cell_of(const struct input *in, size_t off, int *row, int *col)
{
	const char *s = strbuf_str(&in->text);
	size_t r = input_row_find(in->rows, in->n_rows, off);
	size_t p = in->rows[r].off;
	int c = 0;
	while (p < off) {
		int w;
		ucs4_t base;
		p = input_gc_info(s, in->text.len, p, c, &w, &base);
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
static size_t input_row_offset(const struct input *in, size_t r, int goal)
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
		p = input_gc_info(s, in->text.len, p, col, &w, &base);
		col += w;
	}
	return best;
}

/* ---- commands -------------------------------------------------------- */

/* Insert already-normalised bytes at the cursor as one edit of kind. */
static enum ui_result input_insert_raw(struct input *in, const char *s, size_t n, int kind)
{
	if (n == 0)
		return UI_HANDLED;
	if (!input_room(in, n))
		return UI_HANDLED;
	size_t at = in->cursor;
	input_edit(in, at, 0, s, n, kind);
	input_cursor_to(in, at + n);
	return input_changed();
}

/* Insert one typed code point; returns UI_IGNORED for ones not allowed. */
static enum ui_result input_type(struct input *in, ucs4_t ch)
{
	if (!input_char_ok(ch))
		return UI_IGNORED;
	uint8_t buf[6];
	int n = u8_uctomb(buf, ch, (int)sizeof buf);
	if (n <= 0)
		return UI_IGNORED;
	return input_insert_raw(in, (const char *)buf, (size_t)n, INPUT_CMD_TYPE);
}

/* Return whether code point c is a combining mark Backspace removes on its
 * own (a variation selector is part of how its base looks: not one). */
static bool input_is_mark(ucs4_t c)
{
	if ((c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF))
		return false;
	return uc_is_general_category(c, UC_CATEGORY_Mn) ||
	       uc_is_general_category(c, UC_CATEGORY_Mc);
}

/* Delete the cluster before the cursor, or only its last combining mark,
 * as people typing decomposed accents or Indic vowel signs expect. */
static enum ui_result input_backspace(struct input *in)
{
	if (in->cursor == 0)
		return UI_HANDLED;
	const char *s = in->text.data;
	size_t end = in->cursor, p = input_gc_prev(s, in->text.len, end);
	size_t last = input_cp_start(s, end);
	if (last > p) {
		int n;
		if (input_is_mark(input_cp(s, in->text.len, last, &n)))
			p = last;
	}
	input_edit(in, p, end - p, "", 0, INPUT_CMD_BACKSPACE);
	input_cursor_to(in, p);
	return input_changed();
}

/* Delete the cluster after the cursor. */
static enum ui_result input_delete(struct input *in)
{
	if (in->cursor >= in->text.len)
		return UI_HANDLED;
	size_t at = in->cursor, q = input_gc_next(in->text.data, in->text.len, at);
	input_edit(in, at, q - at, "", 0, INPUT_CMD_DELETE);
	input_cursor_to(in, at);
	return input_changed();
}

/* Return 0 for clusters that are not part of words (space, punctuation,
 * symbols, emoji), else 1 or 2 for narrow or wide (CJK) letters and digits:
 * a change of class ends a word, so "abc漢字" is two words. */
static int input_word_class(ucs4_t base, int cells)
{
	if (!(base == '_' || uc_is_alnum(base)))
		return 0;
	return cells >= 2 ? 2 : 1;
}

/* Return where a word motion from the cursor stops: forward (dir > 0) at
 * the end of the word at or after it (Emacs forward-word), backward at the
 * start of the word at or before it (backward-word).  Non-word characters
 * before the word are passed over; a change of word class ends it. */
static size_t input_word_edge(const struct input *in, int dir)
{
	const char *s = strbuf_str(&in->text);
	size_t len = in->text.len, p = in->cursor;
	int cls = 0;
	while (dir > 0 ? p < len : p > 0) {
		size_t at = dir > 0 ? p : input_gc_prev(s, len, p);
		int w;
		ucs4_t base;
		size_t after = input_gc_info(s, len, at, 0, &w, &base);
		size_t q = dir > 0 ? after : at;
		int c = input_word_class(base, w);
		if (cls && c != cls)
			break;
		cls = c;
		p = q;
	}
	return p;
}

/* Return the end of the word at or after the cursor. */
static size_t input_word_end(const struct input *in)
{
	return input_word_edge(in, 1);
}

/* Return the start of the word at or before the cursor. */
static size_t input_word_start(const struct input *in)
{
	return input_word_edge(in, -1);
}

/* Return where Ctrl-W's kill starts: back over white space, then over
 * everything that is not (readline's unix-word-rubout). */
static size_t input_bigword_start(const struct input *in)
{
	const char *s = strbuf_str(&in->text);
	size_t len = in->text.len, p = in->cursor;
	bool in_word = false;
	while (p > 0) {
		size_t q = input_gc_prev(s, len, p);
		int n;
		bool space = input_is_space(input_cp(s, len, q, &n));
		if (space && in_word)
			break;
		in_word = in_word || !space;
		p = q;
	}
	return p;
}

/* Return the start of the logical line holding the cursor. */
static size_t input_line_start(const struct input *in)
{
	const char *s = strbuf_str(&in->text);
	size_t p = in->cursor;
	while (p > 0 && s[p - 1] != '\n')
		p--;
	return p;
}

/* Return the end of the logical line holding the cursor (before its '\n'). */
static size_t input_line_end(const struct input *in)
{
	const char *s = strbuf_str(&in->text);
	const char *nl = memchr(s + in->cursor, '\n', in->text.len - in->cursor);
	return nl ? (size_t)(nl - s) : in->text.len;
}

/* Kill [from, to) into the kill buffer (appended or prepended after another
 * kill, as in Emacs, so C-k C-k yanks back both); cursor at from. */
static enum ui_result input_kill(struct input *in, size_t from, size_t to, bool backward)
{
	bool again = in->prev_cmd == INPUT_CMD_KILL;
	in->cmd = INPUT_CMD_KILL;
	if (from == to)
		return UI_HANDLED;
	const char *s = in->text.data + from;
	size_t n = to - from;
	if (!again) {
		strbuf_reset(&in->kill);
		strbuf_append(&in->kill, s, n);
	} else if (!backward) {
		strbuf_append(&in->kill, s, n);
	} else {
		struct strbuf k = STRBUF_INIT;
		strbuf_append(&k, s, n);
		strbuf_append(&k, in->kill.data, in->kill.len);
		strbuf_done(&in->kill);
		in->kill = k;
	}
	input_edit(in, from, n, "", 0, INPUT_CMD_OTHER);
	in->cmd = INPUT_CMD_KILL;
	input_cursor_to(in, from);
	return input_changed();
}

/* Ctrl-K: kill to the end of the line, or the '\n' when already there. */
static enum ui_result input_kill_line(struct input *in)
{
	size_t end = input_line_end(in);
	if (end == in->cursor && end < in->text.len)
		end++;
	return input_kill(in, in->cursor, end, false);
}

/* Ctrl-U: kill to the start of the line, or the '\n' before it. */
static enum ui_result input_kill_line_backward(struct input *in)
{
	size_t start = input_line_start(in);
	if (start == in->cursor && start > 0)
		start--;
	return input_kill(in, start, in->cursor, true);
}

/* Undo the newest group of edits; the cursor goes back to where it was. */
static enum ui_result input_undo(struct input *in)
{
	if (in->n_undo == 0)
		return UI_HANDLED;
	unsigned g = in->undo[in->n_undo - 1].group;
	while (in->n_undo > 0 && in->undo[in->n_undo - 1].group == g) {
		struct input_undo *u = &in->undo[--in->n_undo];
		input_splice(in, u->pos, u->ins_len, u->del ? u->del : "", u->del_len);
		in->cursor = u->cursor;
		in->undo_bytes -= u->del_len;
		free(u->del);
	}
	in->cursor = input_gc_snap(strbuf_str(&in->text), in->text.len, in->cursor, false);
	return input_changed();
}

/* Up/Down: move a visual row within the text, or browse history from the
 * first/last row. */
static enum ui_result input_vertical(struct input *in, int dir)
{
	input_layout_update(in, input_nav_width(in));
	int row, col;
	input_cell_of(in, in->cursor, &row, &col);
	if (dir < 0 ? row == 0 : row + 1 >= (int)in->n_rows)
		return input_history_step(in, dir);
	if (in->prev_cmd != INPUT_CMD_VERTICAL)
		in->goal_col = col;
	in->cmd = INPUT_CMD_VERTICAL;
	return input_move(in, input_row_offset(in, (size_t)(row + dir), in->goal_col));
}

/* Enter: ask the caller to send, unless there is nothing to send. */
static enum ui_result input_submit(struct input *in)
{
	if (input_is_blank(in))
		return UI_IGNORED;
	return (enum ui_result)(UI_HANDLED | UI_SUBMIT);
}

/* Insert a newline (Alt-Enter, Ctrl-J). */
static enum ui_result input_newline(struct input *in)
{
	return input_insert_raw(in, "\n", 1, INPUT_CMD_OTHER);
}

/* A bracketed paste: refused over the limit with a message, else
 * normalised and inserted as one undoable edit (never submitted). */
static enum ui_result input_paste(struct input *in, const char *text, size_t len)
{
	if (in->paste_limit && len > in->paste_limit) {
		char got[32], lim[32];
		input_format_size(got, sizeof got, len);
		input_format_size(lim, sizeof lim, in->paste_limit);
		char *msg = xasprintf(_("Paste of %s not inserted: the limit is %s"), got, lim);
		input_set_message(in, msg);
		free(msg);
		return UI_HANDLED;
	}
	struct strbuf sb = STRBUF_INIT;
	input_normalize(&sb, text, len);
	enum ui_result r = input_insert_raw(in, strbuf_str(&sb), sb.len, INPUT_CMD_OTHER);
	strbuf_done(&sb);
	return r;
}

/* Keys with names: arrows, Home/End, Enter, Backspace, Delete. */
static enum ui_result input_handle_key(struct input *in, enum ui_key key, unsigned mods)
{
	bool ctrl = mods & UI_MOD_CTRL, alt = mods & UI_MOD_ALT;
	const char *s = strbuf_str(&in->text);
	size_t len = in->text.len;

	switch (key) {
	case UI_KEY_ENTER:
		return (alt || (mods & UI_MOD_SHIFT)) ? input_newline(in) : input_submit(in);
	case UI_KEY_BACKSPACE:
		if (ctrl || alt)
			return input_kill(in, input_word_start(in), in->cursor, true);
		return input_backspace(in);
	case UI_KEY_DELETE:
		if (ctrl || alt)
			return input_kill(in, in->cursor, input_word_end(in), false);
		return input_delete(in);
	case UI_KEY_LEFT:
		if (alt)
			return UI_IGNORED;
		if (ctrl)
			return input_move(in, input_word_start(in));
		return input_move(in, in->cursor ? input_gc_prev(s, len, in->cursor) : 0);
	case UI_KEY_RIGHT:
		if (alt)
			return UI_IGNORED;
		if (ctrl)
			return input_move(in, input_word_end(in));
		return input_move(in, in->cursor < len ? input_gc_next(s, len, in->cursor) : len);
	case UI_KEY_UP:
	case UI_KEY_DOWN:
		if (ctrl || alt)
			return UI_IGNORED;
		return input_vertical(in, key == UI_KEY_UP ? -1 : 1);
	case UI_KEY_HOME:
		return input_move(in, ctrl ? 0 : input_line_start(in));
	case UI_KEY_END:
		return input_move(in, ctrl ? len : input_line_end(in));
	default:
		return UI_IGNORED;
	}
}

/* Ctrl-letter commands (letter lowercased; '_' is undo). */
static enum ui_result input_handle_ctrl(struct input *in, uint32_t c, bool alt)
{
	const char *s = strbuf_str(&in->text);
	size_t len = in->text.len;

	if (alt)
		return c == 'h' ? input_kill(in, input_word_start(in), in->cursor, true) : UI_IGNORED;
	switch (c) {
	case 'a':
		return input_move(in, input_line_start(in));
	case 'b':
		return input_move(in, in->cursor ? input_gc_prev(s, len, in->cursor) : 0);
	case 'd':
		/* On an empty input the caller may take it as "quit". */
		return len == 0 ? UI_IGNORED : input_delete(in);
	case 'e':
		return input_move(in, input_line_end(in));
	case 'f':
		return input_move(in, in->cursor < len ? input_gc_next(s, len, in->cursor) : len);
	case 'h':
		return input_backspace(in);
	case 'j':
		return input_newline(in);
	case 'k':
		return input_kill_line(in);
	case 'm':
		return input_submit(in);
	case 'n':
		return input_vertical(in, 1);
	case 'p':
		return input_vertical(in, -1);
	case 'u':
		return input_kill_line_backward(in);
	case 'w':
		return input_kill(in, input_bigword_start(in), in->cursor, true);
	case 'y':
		return input_insert_raw(in, strbuf_str(&in->kill), in->kill.len, INPUT_CMD_OTHER);
	case '_':
	case '/':
		return input_undo(in);
	default:
		return UI_IGNORED;
	}
}

/* Typed characters: text, Ctrl-letters and Alt-letters. */
static enum ui_result input_handle_char(struct input *in, uint32_t ch, unsigned mods)
{
	bool ctrl = mods & UI_MOD_CTRL, alt = mods & UI_MOD_ALT;

	/* Terminals send Ctrl-letters as C0 bytes; the curses layer may pass
	 * them on as they are: read them as the Ctrl-letter they are. */
	if (ch == 0x7F)
		return input_handle_key(in, UI_KEY_BACKSPACE, mods);
	if (ch == '\r')
		return input_handle_key(in, UI_KEY_ENTER, mods);
	if (ch == '\t' || ch == 0x1B || ch == 0)
		return UI_IGNORED;
	if (ch < 0x20) {
		ch = ch == 0x1F ? '_' : ch + 0x60;
		ctrl = true;
	}
	if (ctrl) {
		if (ch >= 'A' && ch <= 'Z')
			ch += 'a' - 'A';
		return input_handle_ctrl(in, ch, alt);
	}
	if (alt) {
		switch (ch) {
		case 'b':
			return input_move(in, input_word_start(in));
		case 'f':
			return input_move(in, input_word_end(in));
		case 'd':
			return input_kill(in, in->cursor, input_word_end(in), false);
		case '<':
			return input_move(in, 0);
		case '>':
			return input_move(in, in->text.len);
		default:
			return UI_IGNORED;
		}
	}
	return input_type(in, ch);
}

/* ---- public API ------------------------------------------------------ */

void input_init(struct input *in)
{
	memset(in, 0, sizeof *in);
	strbuf_init(&in->text);
	strbuf_init(&in->kill);
	in->paste_limit = INPUT_PASTE_LIMIT_DEFAULT;
	in->keep_prefix = in->keep_suffix = SIZE_MAX;
}

void input_done(struct input *in)
{
	input_history_end(in);
	for (size_t i = 0; i < in->n_hist; i++)
		free(in->hist[i]);
	free(in->hist);
	input_undo_reset(in);
	free(in->undo);
	strbuf_done(&in->text);
	strbuf_done(&in->kill);
	free(in->message);
	free(in->rows);
	free(in->spare);
	free(in->brk);
	memset(in, 0, sizeof *in);
}

enum ui_result input_handle(struct input *in, const struct ui_event *ev)
{
	input_set_message(in, NULL);
	int before = in->cmd;
	in->prev_cmd = before;
	in->cmd = INPUT_CMD_OTHER;

	enum ui_result r = UI_IGNORED;
	switch (ev->kind) {
	case UI_EV_KEY:
		r = input_handle_key(in, ev->key, ev->mods);
		break;
	case UI_EV_CHAR:
		r = input_handle_char(in, ev->ch, ev->mods);
		break;
	case UI_EV_PASTE:
		r = input_paste(in, ev->text ? ev->text : "", ev->text ? ev->len : 0);
		break;
	default:
		break;
	}
	/* An event that was not ours (a resize, a wheel turn) must not break a
	 * typing run or a kill sequence. */
	if (r == UI_IGNORED)
		in->cmd = before;
	return r;
}

const char *input_message(const struct input *in)
{
	return in->message;
}

const char *input_text(const struct input *in)
{
	return strbuf_str(&in->text);
}

size_t input_len(const struct input *in)
{
	return in->text.len;
}

bool input_is_empty(const struct input *in)
{
	return in->text.len == 0;
}

bool input_is_blank(const struct input *in)
{
	return input_blank(strbuf_str(&in->text), in->text.len);
}

int input_set_text(struct input *in, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	input_normalize(&sb, text ? text : "", text ? strlen(text) : 0);
	int rc = input_replace(in, 0, in->text.len, strbuf_str(&sb), sb.len);
	strbuf_done(&sb);
	return rc;
}

char *input_take(struct input *in)
{
	char *t = strbuf_detach(&in->text);
	in->keep_prefix = in->keep_suffix = 0;
	in->lay_valid = false;
	in->cursor = 0;
	in->cmd = in->prev_cmd = INPUT_CMD_OTHER;
	in->top = 0;
	input_undo_reset(in);
	input_history_end(in);
	input_history_push(in, t);
	in->hist_pos = in->n_hist;
	return t;
}

void input_clear(struct input *in)
{
	in->prev_cmd = INPUT_CMD_OTHER;
	input_edit(in, 0, in->text.len, "", 0, INPUT_CMD_OTHER);
	in->cursor = 0;
	in->cmd = INPUT_CMD_OTHER;
}

size_t input_cursor(const struct input *in)
{
	return in->cursor;
}

void input_set_cursor(struct input *in, size_t off)
{
	in->cursor = input_gc_snap(strbuf_str(&in->text), in->text.len, off, false);
	in->cmd = INPUT_CMD_OTHER;
}

void input_set_cursor_cell(struct input *in, int row, int col)
{
	input_layout_update(in, input_nav_width(in));
	if (row < 0)
		row = 0;
	if ((size_t)row >= in->n_rows)
		row = (int)in->n_rows - 1;
	in->cursor = input_row_offset(in, (size_t)row, col < 0 ? 0 : col);
	in->cmd = INPUT_CMD_OTHER;
}

int input_insert(struct input *in, const char *s, size_t n)
{
	return input_replace(in, in->cursor, 0, s, n);
}

int input_replace(struct input *in, size_t off, size_t len, const char *s, size_t n)
{
	const char *t = strbuf_str(&in->text);
	size_t tl = in->text.len;
	size_t from = input_gc_snap(t, tl, off > tl ? tl : off, false);
	size_t to = input_gc_snap(t, tl, len > tl - from ? tl : from + len, true);
	struct strbuf sb = STRBUF_INIT;
	input_normalize(&sb, s ? s : "", s ? n : 0);
	int rc = -1;
	if (sb.len <= to - from || input_room(in, sb.len - (to - from))) {
		in->prev_cmd = INPUT_CMD_OTHER;
		input_edit(in, from, to - from, strbuf_str(&sb), sb.len, INPUT_CMD_OTHER);
		input_cursor_to(in, from + sb.len);
		rc = 0;
	}
	in->cmd = INPUT_CMD_OTHER;
	strbuf_done(&sb);
	return rc;
}

void input_set_paste_limit(struct input *in, size_t bytes)
{
	in->paste_limit = bytes;
}

void input_history_add(struct input *in, const char *entry)
{
	input_history_end(in);
	if (entry)
		input_history_push(in, entry);
	in->hist_pos = in->n_hist;
}

void input_history_load(struct input *in, const char *const *entries, size_t n)
{
	input_history_end(in);
	for (size_t i = 0; i < in->n_hist; i++)
		free(in->hist[i]);
	in->n_hist = 0;
	for (size_t i = 0; i < n; i++)
		if (entries[i])
			input_history_push(in, entries[i]);
	in->hist_pos = in->n_hist;
}

size_t input_history_count(const struct input *in)
{
	return in->n_hist;
}

const char *input_history_get(const struct input *in, size_t i)
{
	return i < in->n_hist ? in->hist[i] : NULL;
}

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
	return input_gc_info(s, in->text.len, off, col, cells, &base);
}
