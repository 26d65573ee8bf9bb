#include <config.h>

#include "ui/input.h"
#include "ui/input-internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unictype.h>
#include <unistr.h>

#include "core/xalloc.h"
#include "i18n.h"
#include "ui/grapheme.h"

/* ---- commands -------------------------------------------------------- */

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
	size_t end = in->cursor, p = grapheme_prev(s, in->text.len, end);
	size_t last = grapheme_cp_start(s, end);
	if (last > p) {
		int n;
		if (input_is_mark(grapheme_cp(s, in->text.len, last, &n)))
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
	size_t at = in->cursor, q = grapheme_next(in->text.data, in->text.len, at);
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
		size_t at = dir > 0 ? p : grapheme_prev(s, len, p);
		int w;
		ucs4_t base;
		size_t after = grapheme_info(s, len, at, 0, &w, &base);
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
		size_t q = grapheme_prev(s, len, p);
		int n;
		bool space = input_is_space(grapheme_cp(s, len, q, &n));
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
	in->cursor = grapheme_snap(strbuf_str(&in->text), in->text.len, in->cursor, false);
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
		return input_move(in, in->cursor ? grapheme_prev(s, len, in->cursor) : 0);
	case UI_KEY_RIGHT:
		if (alt)
			return UI_IGNORED;
		if (ctrl)
			return input_move(in, input_word_end(in));
		return input_move(in, in->cursor < len ? grapheme_next(s, len, in->cursor) : len);
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
		return input_move(in, in->cursor ? grapheme_prev(s, len, in->cursor) : 0);
	case 'd':
		/* On an empty input the caller may take it as "quit". */
		return len == 0 ? UI_IGNORED : input_delete(in);
	case 'e':
		return input_move(in, input_line_end(in));
	case 'f':
		return input_move(in, in->cursor < len ? grapheme_next(s, len, in->cursor) : len);
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
