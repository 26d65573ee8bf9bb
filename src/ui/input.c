#include <config.h>

#include "ui/input.h"
#include "ui/input-internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unictype.h>
#include <unistr.h>

#include "core/xalloc.h"
#include "i18n.h"
#include "ui/grapheme.h"

/* Bounds on undo memory: oldest groups go first beyond them. */
#define INPUT_UNDO_MAX_RECORDS 10000
#define INPUT_UNDO_MAX_BYTES   ((size_t)64 << 20)
/* Coalesced deletions start a new record (same group) past this size, so
 * prepending Backspace runs stays linear. */
#define INPUT_UNDO_RUN_BYTES 4096

/* ---- normalising and messages ---------------------------------------- */

/* Append s[0..n) to out normalised: CRLF and CR become '\n' (so do NEL and
 * the Unicode line/paragraph separators), other controls are dropped ('\t'
 * stays), broken UTF-8 becomes U+FFFD. */
void input_normalize(struct strbuf *out, const char *s, size_t n)
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
void input_format_size(char *buf, size_t n, size_t bytes)
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
void input_set_message(struct input *in, const char *msg)
{
	free(in->message);
	in->message = msg ? xstrdup(msg) : NULL;
}

/* ---- editing primitives ---------------------------------------------- */

/* Return whether the text may grow by n bytes; sets the message when not. */
bool input_room(struct input *in, size_t grow)
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
void input_splice(struct input *in, size_t pos, size_t del, const char *ins, size_t n)
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
void input_edit(struct input *in, size_t pos, size_t del, const char *ins, size_t n, int kind)
{
	if (del == 0 && n == 0)
		return;
	input_undo_record(in, pos, del, n, kind);
	input_splice(in, pos, del, ins, n);
	in->cmd = kind;
}

/* Put the cursor at off, moved forward out of any cluster it fell into. */
void input_cursor_to(struct input *in, size_t off)
{
	in->cursor = grapheme_snap(strbuf_str(&in->text), in->text.len, off, true);
}

/* Return the flags for an edit: the text and maybe the height changed. */
enum ui_result input_changed(void)
{
	return (enum ui_result)(UI_HANDLED | UI_REDRAW | UI_RELAYOUT);
}

/* Move the cursor to off; returns the flags (a redraw only if it moved). */
enum ui_result input_move(struct input *in, size_t off)
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
enum ui_result input_history_step(struct input *in, int dir)
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
	in->cursor = grapheme_snap(strbuf_str(&in->text), in->text.len, off, false);
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
	size_t from = grapheme_snap(t, tl, off > tl ? tl : off, false);
	size_t to = grapheme_snap(t, tl, len > tl - from ? tl : from + len, true);
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
