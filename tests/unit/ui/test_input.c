#include <config.h>

/* cmocka needs these first, in this order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistr.h>

#include "core/strbuf.h"
#include "ui/input.h"
#include "ui/width.h"

/* Encodings used below, spelled out so the source stays ASCII. */
#define E_ACUTE "e\xCC\x81"                             /* e + U+0301 */
#define ZHONG   "\xE4\xB8\xAD"                          /* U+4E2D, wide */
#define WEN     "\xE6\x96\x87"                          /* U+6587, wide */
#define GRIN    "\xF0\x9F\x98\x80"                      /* U+1F600, wide */
#define FLAG_FR "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7"      /* RI F + RI R */
#define RI_D    "\xF0\x9F\x87\xA9"                      /* RI D */
#define FAMILY  "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7"
#define HEART   "\xE2\x9D\xA4\xEF\xB8\x8F"              /* U+2764 U+FE0F */
#define KANA_KA "\xE3\x81\x8B"                          /* U+304B */
#define MARU    "\xE3\x80\x82"                          /* U+3002 */

/* ---- helpers ---------------------------------------------------------- */

/* Return the result of a named key with modifiers. */
static enum ui_result key(struct input *in, enum ui_key k, unsigned mods)
{
	struct ui_event ev = {.kind = UI_EV_KEY, .key = k, .mods = mods};
	return input_handle(in, &ev);
}

/* Return the result of one typed code point with modifiers. */
static enum ui_result chr(struct input *in, uint32_t ch, unsigned mods)
{
	struct ui_event ev = {.kind = UI_EV_CHAR, .ch = ch, .mods = mods};
	return input_handle(in, &ev);
}

/* Return the result of Ctrl-c (c a lowercase letter or '_'). */
static enum ui_result ctrl(struct input *in, char c)
{
	return chr(in, (uint32_t)c, UI_MOD_CTRL);
}

/* Return the result of Alt-c. */
static enum ui_result alt(struct input *in, char c)
{
	return chr(in, (uint32_t)c, UI_MOD_ALT);
}

/* Return the result of a bracketed paste of n bytes. */
static enum ui_result paste(struct input *in, const char *s, size_t n)
{
	struct ui_event ev = {.kind = UI_EV_PASTE, .text = s, .len = n};
	return input_handle(in, &ev);
}

/* Type a UTF-8 string one code point at a time, as the terminal would. */
static void type(struct input *in, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t c;
		int n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
		c = n == 1 ? *p : (uint32_t)(*p & (0x7F >> n));
		for (int i = 1; i < n; i++)
			c = (c << 6) | (p[i] & 0x3F);
		enum ui_result r = chr(in, c, 0);
		assert_true(r & UI_HANDLED);
		p += n;
	}
}

/* Return a fresh editor holding text with the cursor at its end. */
static struct input *editor(const char *text)
{
	struct input *in = malloc(sizeof *in);
	assert_non_null(in);
	input_init(in);
	if (text)
		assert_int_equal(input_set_text(in, text), 0);
	return in;
}

/* Free an editor from editor(). */
static void editor_free(struct input *in)
{
	input_done(in);
	free(in);
}

/* Assert the cursor sits on one of the text's cluster boundaries. */
static void assert_on_boundary(const struct input *in)
{
	size_t p = 0, c = input_cursor(in), len = input_len(in);
	int w;
	while (p < c)
		p = input_cluster_next(in, p, 0, &w);
	assert_int_equal(p, c);
	assert_true(c <= len);
}

/* Lay out at width and check what every layout must hold: rows cover the
 * text in order, a '\n' between logical lines and nothing else is left out,
 * no row holds a '\n', rows fit unless they end in hanging white space or
 * start with an oversized cluster, the cursor cell is inside the width. */
static void layout_check(struct input *in, int width, struct input_layout *l)
{
	input_layout(in, width, l);
	const char *t = input_text(in);
	size_t len = input_len(in);
	assert_true(l->n_rows >= 1);
	assert_int_equal(l->width, width);
	assert_int_equal(l->rows[0].off, 0);
	for (int i = 0; i < l->n_rows; i++) {
		const struct input_row *r = &l->rows[i];
		size_t end = r->off + r->len;
		assert_true(end <= len);
		assert_null(memchr(t + r->off, '\n', r->len));
		if (i + 1 < l->n_rows) {
			size_t next = l->rows[i + 1].off;
			assert_true(next == end || (next == end + 1 && t[end] == '\n'));
		} else {
			assert_int_equal(end, len);
		}
		/* Recount the cells; any excess must be hanging white space or
		 * a single cluster wider than the row. */
		int cells = 0, fit = 0;
		size_t p = r->off;
		while (p < end) {
			int w;
			size_t q = input_cluster_next(in, p, cells, &w);
			assert_true(q > p && q <= end);
			if (cells + w <= width)
				fit = cells + w;
			else
				assert_true(t[p] == ' ' || t[p] == '\t' || cells == 0);
			cells += w;
			p = q;
		}
		assert_int_equal(cells, r->cells);
		/* The drawing code may measure rows with width.h alone. */
		assert_int_equal(width_of(t + r->off, r->len), r->cells);
		assert_true(fit <= width);
	}
	assert_true(l->cursor_row >= 0 && l->cursor_row < l->n_rows);
	assert_true(l->cursor_col >= 0 && l->cursor_col < width);
}

/* ---- typing and clusters -------------------------------------------- */

static void test_type_ascii(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	assert_true(input_is_empty(in));
	assert_string_equal(input_text(in), "");
	enum ui_result r = chr(in, 'h', 0);
	assert_int_equal(r, UI_HANDLED | UI_REDRAW | UI_RELAYOUT);
	type(in, "ello");
	assert_string_equal(input_text(in), "hello");
	assert_int_equal(input_cursor(in), 5);
	assert_false(input_is_empty(in));
	editor_free(in);
}

static void test_type_cjk_emoji(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	type(in, ZHONG WEN GRIN "a");
	assert_string_equal(input_text(in), ZHONG WEN GRIN "a");
	assert_int_equal(input_cursor(in), 11);
	key(in, UI_KEY_LEFT, 0);
	assert_int_equal(input_cursor(in), 10);
	key(in, UI_KEY_LEFT, 0);
	assert_int_equal(input_cursor(in), 6);
	key(in, UI_KEY_LEFT, 0);
	assert_int_equal(input_cursor(in), 3);
	key(in, UI_KEY_LEFT, 0);
	assert_int_equal(input_cursor(in), 0);
	assert_int_equal(key(in, UI_KEY_LEFT, 0), UI_HANDLED);
	key(in, UI_KEY_RIGHT, 0);
	assert_int_equal(input_cursor(in), 3);
	int w;
	assert_int_equal(input_cluster_next(in, 0, 0, &w), 3);
	assert_int_equal(w, 2);
	assert_int_equal(input_cluster_next(in, 6, 0, &w), 10);
	assert_int_equal(w, 2);
	editor_free(in);
}

static void test_type_combining(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	type(in, "a" E_ACUTE "b");
	assert_string_equal(input_text(in), "a" E_ACUTE "b");
	key(in, UI_KEY_LEFT, 0);
	key(in, UI_KEY_LEFT, 0);
	/* Over the e and its accent together. */
	assert_int_equal(input_cursor(in), 1);
	key(in, UI_KEY_RIGHT, 0);
	assert_int_equal(input_cursor(in), 4);
	int w;
	assert_int_equal(input_cluster_next(in, 1, 0, &w), 4);
	assert_int_equal(w, 1);
	editor_free(in);
}

static void test_combining_typed_before_base(void **state)
{
	(void)state;
	/* A lone accent, then its base typed in front: the cursor must not
	 * stay between base and accent. */
	struct input *in = editor("\xCC\x81");
	input_set_cursor(in, 0);
	type(in, "e");
	assert_string_equal(input_text(in), E_ACUTE);
	assert_int_equal(input_cursor(in), 3);
	assert_on_boundary(in);
	editor_free(in);
}

static void test_zwj_and_flags_are_one_cluster(void **state)
{
	(void)state;
	struct input *in = editor(FAMILY FLAG_FR FLAG_FR HEART);
	size_t len = input_len(in);
	key(in, UI_KEY_LEFT, 0);
	assert_int_equal(input_cursor(in), len - 6);
	key(in, UI_KEY_LEFT, 0);
	assert_int_equal(input_cursor(in), len - 14);
	key(in, UI_KEY_LEFT, 0);
	assert_int_equal(input_cursor(in), len - 22);
	key(in, UI_KEY_LEFT, 0);
	assert_int_equal(input_cursor(in), 0);
	/* One cluster for the cursor, but as wide as ncurses draws it: the
	 * family counts its three people (width.h). */
	int w;
	assert_int_equal(input_cluster_next(in, 0, 0, &w), 18);
	assert_int_equal(w, 6);
	assert_int_equal(input_cluster_next(in, 18, 0, &w), 26);
	assert_int_equal(w, 2);
	assert_int_equal(input_cluster_next(in, len - 6, 0, &w), len);
	assert_int_equal(w, 2);
	key(in, UI_KEY_DELETE, 0);
	assert_string_equal(input_text(in), FLAG_FR FLAG_FR HEART);
	key(in, UI_KEY_END, 0);
	key(in, UI_KEY_BACKSPACE, 0);
	assert_string_equal(input_text(in), FLAG_FR FLAG_FR);
	key(in, UI_KEY_BACKSPACE, 0);
	assert_string_equal(input_text(in), FLAG_FR);
	editor_free(in);
}

static void test_more_clusters(void **state)
{
	(void)state;
	/* Hangul jamo L V T; thumbs up + skin tone; ka + vowel sign i;
	 * a lone regional indicator; "x" and a zero-width space, which is
	 * drawn with the x and so moved over with it. */
	const char *t = "\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8"
			"\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"
			"\xE0\xA4\x95\xE0\xA4\xBF" RI_D "x\xE2\x80\x8B";
	struct input *in = editor(t);
	const size_t ends[] = {9, 17, 23, 27, 31};
	size_t p = 0;
	for (size_t i = 0; i < 5; i++) {
		int w;
		size_t q = input_cluster_next(in, p, 0, &w);
		assert_int_equal(q, ends[i]);
		assert_int_equal(w, width_of(t + p, q - p));
		p = q;
	}
	int w = 7;
	assert_int_equal(input_cluster_next(in, 31, 0, &w), 31);
	assert_int_equal(w, 0);
	/* Left walks the same clusters back. */
	for (size_t i = 5; i-- > 0;) {
		key(in, UI_KEY_LEFT, 0);
		assert_int_equal(input_cursor(in), i ? ends[i - 1] : 0);
	}
	editor_free(in);
}

static void test_regional_indicator_insert_keeps_boundary(void **state)
{
	(void)state;
	struct input *in = editor(FLAG_FR);
	input_set_cursor(in, 0);
	type(in, RI_D);
	/* D F pair up now and R stands alone: the cursor moved past D F. */
	assert_string_equal(input_text(in), RI_D FLAG_FR);
	assert_on_boundary(in);
	assert_int_equal(input_cursor(in), 8);
	editor_free(in);
}

static void test_cursor_never_inside_a_sequence(void **state)
{
	(void)state;
	struct input *in = editor("a" E_ACUTE ZHONG " " FAMILY "x\n" FLAG_FR "y" GRIN "-" HEART);
	size_t len = input_len(in);
	for (size_t off = 0; off <= len + 2; off++) {
		input_set_cursor(in, off);
		assert_on_boundary(in);
		assert_true(input_cursor(in) <= off);
	}
	/* Every key that moves, from everywhere. */
	const enum ui_key keys[] = {UI_KEY_LEFT, UI_KEY_RIGHT, UI_KEY_HOME, UI_KEY_END};
	for (size_t off = 0; off <= len; off++) {
		for (size_t k = 0; k < 4; k++) {
			for (unsigned mods = 0; mods <= UI_MOD_CTRL; mods += UI_MOD_CTRL) {
				input_set_cursor(in, off);
				key(in, keys[k], mods);
				assert_on_boundary(in);
			}
		}
		input_set_cursor(in, off);
		alt(in, 'f');
		assert_on_boundary(in);
		input_set_cursor(in, off);
		alt(in, 'b');
		assert_on_boundary(in);
	}
	editor_free(in);
}

static void test_backspace_and_delete(void **state)
{
	(void)state;
	struct input *in = editor("ab" ZHONG "c");
	key(in, UI_KEY_BACKSPACE, 0);
	assert_string_equal(input_text(in), "ab" ZHONG);
	key(in, UI_KEY_BACKSPACE, 0);
	assert_string_equal(input_text(in), "ab");
	key(in, UI_KEY_HOME, 0);
	assert_int_equal(key(in, UI_KEY_BACKSPACE, 0), UI_HANDLED);
	key(in, UI_KEY_DELETE, 0);
	assert_string_equal(input_text(in), "b");
	ctrl(in, 'd');
	assert_string_equal(input_text(in), "");
	editor_free(in);
}

static void test_backspace_removes_one_combining_mark(void **state)
{
	(void)state;
	struct input *in = editor("x" E_ACUTE);
	key(in, UI_KEY_BACKSPACE, 0);
	assert_string_equal(input_text(in), "xe");
	assert_int_equal(input_cursor(in), 2);
	key(in, UI_KEY_BACKSPACE, 0);
	assert_string_equal(input_text(in), "x");
	/* Ctrl-H is Backspace too, and so is a raw DEL or BS. */
	type(in, "yz");
	ctrl(in, 'h');
	chr(in, 0x7F, 0);
	chr(in, 0x08, 0);
	assert_string_equal(input_text(in), "");
	editor_free(in);
}

static void test_delete_joins_merged_cluster(void **state)
{
	(void)state;
	/* Deleting the '\n' makes x and the accent one cluster: the cursor
	 * must not land between them. */
	struct input *in = editor("x\n\xCC\x81");
	input_set_cursor(in, 1);
	key(in, UI_KEY_DELETE, 0);
	assert_string_equal(input_text(in), "x\xCC\x81");
	assert_on_boundary(in);
	editor_free(in);
}

static void test_typed_controls_never_enter_text(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	assert_int_equal(chr(in, 0x9B, 0), UI_IGNORED);     /* C1 CSI */
	assert_int_equal(chr(in, 0xD800, 0), UI_IGNORED);   /* surrogate */
	assert_int_equal(chr(in, 0x110000, 0), UI_IGNORED); /* past Unicode */
	assert_int_equal(chr(in, 0x1B, 0), UI_IGNORED);     /* ESC */
	assert_int_equal(chr(in, '\t', 0), UI_IGNORED);     /* completion's */
	assert_string_equal(input_text(in), "");
	editor_free(in);
}

/* ---- words and lines ------------------------------------------------ */

static void test_word_motion_punctuation(void **state)
{
	(void)state;
	struct input *in = editor("foo-bar  baz.qux_2 !");
	input_set_cursor(in, 0);
	const size_t fwd[] = {3, 7, 12, 18, 20, 20};
	for (size_t i = 0; i < 6; i++) {
		alt(in, 'f');
		assert_int_equal(input_cursor(in), fwd[i]);
	}
	const size_t back[] = {13, 9, 4, 0, 0};
	for (size_t i = 0; i < 5; i++) {
		alt(in, 'b');
		assert_int_equal(input_cursor(in), back[i]);
	}
	editor_free(in);
}

static void test_word_motion_cjk(void **state)
{
	(void)state;
	/* Letters change class between narrow and wide: "abc" then the CJK
	 * run; the ideographic full stop is not part of a word. */
	struct input *in = editor("abc" ZHONG WEN MARU KANA_KA "def");
	input_set_cursor(in, 0);
	alt(in, 'f');
	assert_int_equal(input_cursor(in), 3);
	alt(in, 'f');
	assert_int_equal(input_cursor(in), 9);
	alt(in, 'f');
	assert_int_equal(input_cursor(in), 15);
	alt(in, 'f');
	assert_int_equal(input_cursor(in), 18);
	alt(in, 'b');
	assert_int_equal(input_cursor(in), 15);
	alt(in, 'b');
	assert_int_equal(input_cursor(in), 12);
	alt(in, 'b');
	assert_int_equal(input_cursor(in), 3);
	editor_free(in);
}

static void test_ctrl_arrows_move_by_word(void **state)
{
	(void)state;
	struct input *in = editor("one two three");
	key(in, UI_KEY_LEFT, UI_MOD_CTRL);
	assert_int_equal(input_cursor(in), 8);
	key(in, UI_KEY_LEFT, UI_MOD_CTRL);
	assert_int_equal(input_cursor(in), 4);
	key(in, UI_KEY_RIGHT, UI_MOD_CTRL);
	assert_int_equal(input_cursor(in), 7);
	/* Alt-arrows belong to the caller (choice tabs). */
	assert_int_equal(key(in, UI_KEY_LEFT, UI_MOD_ALT), UI_IGNORED);
	assert_int_equal(key(in, UI_KEY_RIGHT, UI_MOD_ALT), UI_IGNORED);
	assert_int_equal(input_cursor(in), 7);
	editor_free(in);
}

static void test_char_motion_ctrl_b_f(void **state)
{
	(void)state;
	struct input *in = editor("a" ZHONG);
	ctrl(in, 'b');
	assert_int_equal(input_cursor(in), 1);
	ctrl(in, 'b');
	assert_int_equal(input_cursor(in), 0);
	ctrl(in, 'f');
	assert_int_equal(input_cursor(in), 1);
	editor_free(in);
}

static void test_home_end_logical_line(void **state)
{
	(void)state;
	struct input *in = editor("first\nsecond line\nthird");
	input_set_cursor(in, 9);
	key(in, UI_KEY_HOME, 0);
	assert_int_equal(input_cursor(in), 6);
	key(in, UI_KEY_END, 0);
	assert_int_equal(input_cursor(in), 17);
	ctrl(in, 'a');
	assert_int_equal(input_cursor(in), 6);
	ctrl(in, 'e');
	assert_int_equal(input_cursor(in), 17);
	key(in, UI_KEY_HOME, UI_MOD_CTRL);
	assert_int_equal(input_cursor(in), 0);
	key(in, UI_KEY_END, UI_MOD_CTRL);
	assert_int_equal(input_cursor(in), 23);
	alt(in, '<');
	assert_int_equal(input_cursor(in), 0);
	alt(in, '>');
	assert_int_equal(input_cursor(in), 23);
	/* Already there: handled, nothing to redraw. */
	assert_int_equal(ctrl(in, 'e'), UI_HANDLED);
	editor_free(in);
}

/* ---- kills and yank ------------------------------------------------- */

static void test_kill_line_and_yank(void **state)
{
	(void)state;
	struct input *in = editor("hello world");
	input_set_cursor(in, 5);
	ctrl(in, 'k');
	assert_string_equal(input_text(in), "hello");
	key(in, UI_KEY_HOME, 0);
	ctrl(in, 'y');
	assert_string_equal(input_text(in), " worldhello");
	assert_int_equal(input_cursor(in), 6);
	ctrl(in, 'y');
	assert_string_equal(input_text(in), " world worldhello");
	editor_free(in);
}

static void test_kill_line_joins_lines_and_appends(void **state)
{
	(void)state;
	struct input *in = editor("ab\ncd\nef");
	input_set_cursor(in, 1);
	ctrl(in, 'k');
	ctrl(in, 'k');
	ctrl(in, 'k');
	assert_string_equal(input_text(in), "a\nef");
	/* The three kills are one: yank gives them back together. */
	ctrl(in, 'y');
	assert_string_equal(input_text(in), "ab\ncd\nef");
	editor_free(in);
}

static void test_kill_line_backward(void **state)
{
	(void)state;
	struct input *in = editor("ab\ncdef");
	input_set_cursor(in, 5);
	ctrl(in, 'u');
	assert_string_equal(input_text(in), "ab\nef");
	assert_int_equal(input_cursor(in), 3);
	ctrl(in, 'u');
	assert_string_equal(input_text(in), "abef");
	ctrl(in, 'u');
	assert_string_equal(input_text(in), "ef");
	key(in, UI_KEY_END, 0);
	ctrl(in, 'y');
	/* Backward kills prepend: the order of the text is kept. */
	assert_string_equal(input_text(in), "efab\ncd");
	editor_free(in);
}

static void test_ctrl_w_and_alt_backspace(void **state)
{
	(void)state;
	struct input *in = editor("cd src/ui/input.c  ");
	ctrl(in, 'w');
	assert_string_equal(input_text(in), "cd ");
	ctrl(in, 'y');
	assert_string_equal(input_text(in), "cd src/ui/input.c  ");
	key(in, UI_KEY_BACKSPACE, UI_MOD_ALT);
	assert_string_equal(input_text(in), "cd src/ui/input.");
	key(in, UI_KEY_BACKSPACE, UI_MOD_ALT);
	assert_string_equal(input_text(in), "cd src/ui/");
	/* Raw ETB (0x17) is Ctrl-W; Alt with a raw DEL is Alt-Backspace. */
	chr(in, 0x7F, UI_MOD_ALT);
	assert_string_equal(input_text(in), "cd src/");
	chr(in, 0x17, 0);
	assert_string_equal(input_text(in), "cd ");
	editor_free(in);
}

static void test_alt_d_kills_next_word(void **state)
{
	(void)state;
	struct input *in = editor("say hello, world");
	input_set_cursor(in, 3);
	alt(in, 'd');
	assert_string_equal(input_text(in), "say, world");
	alt(in, 'd');
	assert_string_equal(input_text(in), "say");
	ctrl(in, 'y');
	assert_string_equal(input_text(in), "say hello, world");
	key(in, UI_KEY_HOME, 0);
	key(in, UI_KEY_DELETE, UI_MOD_CTRL);
	assert_string_equal(input_text(in), " hello, world");
	editor_free(in);
}

static void test_kill_nothing_keeps_text(void **state)
{
	(void)state;
	struct input *in = editor("abc");
	assert_int_equal(ctrl(in, 'k'), UI_HANDLED);
	key(in, UI_KEY_HOME, 0);
	assert_int_equal(ctrl(in, 'u'), UI_HANDLED);
	assert_int_equal(ctrl(in, 'w'), UI_HANDLED);
	assert_string_equal(input_text(in), "abc");
	editor_free(in);
}

/* ---- history -------------------------------------------------------- */

static void test_history_browse_restores_draft(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	input_history_add(in, "one");
	input_history_add(in, "two");
	type(in, "draft");
	assert_int_equal(key(in, UI_KEY_UP, 0), UI_HANDLED | UI_REDRAW | UI_RELAYOUT);
	assert_string_equal(input_text(in), "two");
	assert_int_equal(input_cursor(in), 3);
	key(in, UI_KEY_UP, 0);
	assert_string_equal(input_text(in), "one");
	assert_int_equal(key(in, UI_KEY_UP, 0), UI_HANDLED);
	assert_string_equal(input_text(in), "one");
	key(in, UI_KEY_DOWN, 0);
	assert_string_equal(input_text(in), "two");
	key(in, UI_KEY_DOWN, 0);
	assert_string_equal(input_text(in), "draft");
	assert_int_equal(input_cursor(in), 5);
	assert_int_equal(key(in, UI_KEY_DOWN, 0), UI_HANDLED);
	assert_string_equal(input_text(in), "draft");
	/* Ctrl-P and Ctrl-N do the same. */
	ctrl(in, 'p');
	assert_string_equal(input_text(in), "two");
	ctrl(in, 'n');
	assert_string_equal(input_text(in), "draft");
	editor_free(in);
}

static void test_history_keeps_edits_to_entries(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	input_history_add(in, "one");
	input_history_add(in, "two");
	key(in, UI_KEY_UP, 0);
	type(in, "!");
	key(in, UI_KEY_UP, 0);
	assert_string_equal(input_text(in), "one");
	key(in, UI_KEY_DOWN, 0);
	assert_string_equal(input_text(in), "two!");
	key(in, UI_KEY_DOWN, 0);
	assert_string_equal(input_text(in), "");
	assert_int_equal(input_history_count(in), 2);
	assert_string_equal(input_history_get(in, 1), "two");
	editor_free(in);
}

static void test_history_add_filters(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	input_history_add(in, "");
	input_history_add(in, " \n\t");
	input_history_add(in, NULL);
	input_history_add(in, "\x1b\x01");
	input_history_add(in, "a");
	input_history_add(in, "a");
	input_history_add(in, "b");
	input_history_add(in, "a");
	assert_int_equal(input_history_count(in), 3);
	assert_string_equal(input_history_get(in, 0), "a");
	assert_string_equal(input_history_get(in, 2), "a");
	assert_null(input_history_get(in, 3));
	for (int i = 0; i < INPUT_HISTORY_MAX + 5; i++) {
		char buf[16];
		snprintf(buf, sizeof buf, "e%d", i);
		input_history_add(in, buf);
	}
	assert_int_equal(input_history_count(in), INPUT_HISTORY_MAX);
	assert_string_equal(input_history_get(in, 0), "e5");
	editor_free(in);
}

static void test_history_load(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	input_history_add(in, "old");
	const char *const v[] = {"x", "", "y", "y\x1b", "multi\r\nline"};
	input_history_load(in, v, 5);
	/* Entries come in normalised (they go back into the buffer). */
	assert_int_equal(input_history_count(in), 3);
	assert_string_equal(input_history_get(in, 0), "x");
	assert_string_equal(input_history_get(in, 2), "multi\nline");
	key(in, UI_KEY_UP, 0);
	assert_string_equal(input_text(in), "multi\nline");
	/* Recalled going up, the cursor ends the first line: Up goes on. */
	assert_int_equal(input_cursor(in), 5);
	key(in, UI_KEY_UP, 0);
	assert_string_equal(input_text(in), "y");
	key(in, UI_KEY_DOWN, 0);
	assert_string_equal(input_text(in), "multi\nline");
	/* Recalled going down, the cursor is at the end: Down goes on. */
	assert_int_equal(input_cursor(in), 10);
	key(in, UI_KEY_DOWN, 0);
	assert_string_equal(input_text(in), "");
	editor_free(in);
}

static void test_take_adds_to_history_and_resets(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	type(in, "question");
	char *t = input_take(in);
	assert_string_equal(t, "question");
	free(t);
	assert_true(input_is_empty(in));
	assert_int_equal(input_cursor(in), 0);
	assert_int_equal(input_history_count(in), 1);
	/* Nothing to undo: the taken text does not come back. */
	ctrl(in, '_');
	assert_string_equal(input_text(in), "");
	key(in, UI_KEY_UP, 0);
	assert_string_equal(input_text(in), "question");
	t = input_take(in);
	assert_string_equal(t, "question");
	free(t);
	assert_int_equal(input_history_count(in), 1);
	t = input_take(in);
	assert_string_equal(t, "");
	free(t);
	editor_free(in);
}

/* ---- Up/Down within multi-line text ---------------------------------- */

static void test_up_down_between_lines_then_history(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	input_history_add(in, "old");
	assert_int_equal(input_set_text(in, "abcdef\nab\nabcdef"), 0);
	struct input_layout l;
	input_layout(in, 80, &l);
	assert_int_equal(l.n_rows, 3);
	assert_int_equal(key(in, UI_KEY_UP, 0), UI_HANDLED | UI_REDRAW);
	assert_int_equal(input_cursor(in), 9); /* end of "ab" */
	key(in, UI_KEY_UP, 0);
	assert_int_equal(input_cursor(in), 6); /* the goal column stuck */
	key(in, UI_KEY_DOWN, 0);
	assert_int_equal(input_cursor(in), 9);
	key(in, UI_KEY_DOWN, 0);
	assert_int_equal(input_cursor(in), 16);
	key(in, UI_KEY_UP, 0);
	key(in, UI_KEY_UP, 0);
	assert_int_equal(input_cursor(in), 6);
	/* First row: history. */
	key(in, UI_KEY_UP, 0);
	assert_string_equal(input_text(in), "old");
	key(in, UI_KEY_DOWN, 0);
	assert_string_equal(input_text(in), "abcdef\nab\nabcdef");
	/* Last row and no newer entry: nothing happens. */
	assert_int_equal(key(in, UI_KEY_DOWN, 0), UI_HANDLED);
	assert_string_equal(input_text(in), "abcdef\nab\nabcdef");
	/* Ctrl/Alt-Up are the caller's (scrolling the conversation). */
	assert_int_equal(key(in, UI_KEY_UP, UI_MOD_CTRL), UI_IGNORED);
	assert_int_equal(key(in, UI_KEY_DOWN, UI_MOD_ALT), UI_IGNORED);
	editor_free(in);
}

static void test_up_down_across_wrapped_rows(void **state)
{
	(void)state;
	struct input *in = editor("aaaa bbbb cccc dddd");
	struct input_layout l;
	layout_check(in, 10, &l);
	assert_int_equal(l.n_rows, 2); /* "aaaa bbbb " / "cccc dddd" */
	assert_int_equal(l.cursor_row, 1);
	assert_int_equal(l.cursor_col, 9);
	key(in, UI_KEY_UP, 0);
	/* The soft-wrapped row's end belongs to the next row: col 9 is 'b'
	 * ... the space at col 9 is the last spot on the row. */
	assert_int_equal(input_cursor(in), 9);
	layout_check(in, 10, &l);
	assert_int_equal(l.cursor_row, 0);
	assert_int_equal(l.cursor_col, 9);
	key(in, UI_KEY_DOWN, 0);
	assert_int_equal(input_cursor(in), 19);
	editor_free(in);
}

static void test_click_sets_cursor(void **state)
{
	(void)state;
	struct input *in = editor("hello " ZHONG WEN "\nsecond");
	struct input_layout l;
	input_layout(in, 80, &l);
	input_set_cursor_cell(in, 0, 7); /* right half of ZHONG */
	assert_int_equal(input_cursor(in), 6);
	input_set_cursor_cell(in, 0, 99);
	assert_int_equal(input_cursor(in), 12);
	input_set_cursor_cell(in, 5, 2);
	assert_int_equal(input_cursor(in), 15);
	input_set_cursor_cell(in, -1, -1);
	assert_int_equal(input_cursor(in), 0);
	editor_free(in);
}

/* ---- Enter, newline, Ctrl-D ------------------------------------------ */

static void test_enter_submits(void **state)
{
	(void)state;
	struct input *in = editor("hi");
	assert_int_equal(key(in, UI_KEY_ENTER, 0), UI_HANDLED | UI_SUBMIT);
	assert_string_equal(input_text(in), "hi");
	/* So does Ctrl-M, and a raw CR. */
	assert_int_equal(ctrl(in, 'm'), UI_HANDLED | UI_SUBMIT);
	assert_int_equal(chr(in, '\r', 0), UI_HANDLED | UI_SUBMIT);
	editor_free(in);
}

static void test_enter_on_empty_ignored(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	assert_int_equal(key(in, UI_KEY_ENTER, 0), UI_IGNORED);
	assert_int_equal(input_set_text(in, "  \n\t\xE3\x80\x80 "), 0); /* U+3000 */
	assert_true(input_is_blank(in));
	assert_int_equal(key(in, UI_KEY_ENTER, 0), UI_IGNORED);
	assert_string_equal(input_text(in), "  \n\t\xE3\x80\x80 ");
	editor_free(in);
}

static void test_alt_enter_inserts_newline(void **state)
{
	(void)state;
	struct input *in = editor("a");
	assert_int_equal(key(in, UI_KEY_ENTER, UI_MOD_ALT), UI_HANDLED | UI_REDRAW | UI_RELAYOUT);
	type(in, "b");
	ctrl(in, 'j');
	type(in, "c");
	chr(in, '\n', 0);
	chr(in, '\r', UI_MOD_ALT);
	key(in, UI_KEY_ENTER, UI_MOD_SHIFT);
	assert_string_equal(input_text(in), "a\nb\nc\n\n\n");
	editor_free(in);
}

static void test_ctrl_d(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	assert_int_equal(ctrl(in, 'd'), UI_IGNORED);
	assert_int_equal(chr(in, 0x04, 0), UI_IGNORED);
	type(in, "ab");
	assert_int_equal(ctrl(in, 'd'), UI_HANDLED);
	key(in, UI_KEY_HOME, 0);
	assert_int_equal(ctrl(in, 'd'), UI_HANDLED | UI_REDRAW | UI_RELAYOUT);
	assert_string_equal(input_text(in), "b");
	editor_free(in);
}

static void test_unbound_events_ignored(void **state)
{
	(void)state;
	struct input *in = editor("text");
	const enum ui_key keys[] = {UI_KEY_TAB,     UI_KEY_BACKTAB, UI_KEY_ESCAPE, UI_KEY_PAGE_UP,
				    UI_KEY_PAGE_DOWN, UI_KEY_INSERT, UI_KEY_F1,     UI_KEY_NONE};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		assert_int_equal(key(in, keys[i], 0), UI_IGNORED);
	assert_int_equal(ctrl(in, 'l'), UI_IGNORED);
	assert_int_equal(ctrl(in, 'c'), UI_IGNORED);
	assert_int_equal(chr(in, 0x0C, 0), UI_IGNORED); /* raw Ctrl-L */
	assert_int_equal(alt(in, 'x'), UI_IGNORED);
	assert_int_equal(chr(in, 'h', UI_MOD_CTRL | UI_MOD_ALT) & UI_HANDLED, UI_HANDLED);
	assert_int_equal(chr(in, 'x', UI_MOD_CTRL | UI_MOD_ALT), UI_IGNORED);
	struct ui_event ev = {.kind = UI_EV_MOUSE, .key = UI_KEY_WHEEL_UP};
	assert_int_equal(input_handle(in, &ev), UI_IGNORED);
	ev.kind = UI_EV_RESIZE;
	assert_int_equal(input_handle(in, &ev), UI_IGNORED);
	assert_string_equal(input_text(in), "");
	editor_free(in);
}

/* ---- paste ---------------------------------------------------------- */

static void test_paste_normalises(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	const char p[] = "a\r\nb\rc\x01"
			 "d\te\x1b[31m\x7f\x00z\xC2\x85y\xC2\x9B"
			 "x\xFFw\xE2\x80\xA8v";
	enum ui_result r = paste(in, p, sizeof p - 1);
	assert_int_equal(r, UI_HANDLED | UI_REDRAW | UI_RELAYOUT);
	assert_string_equal(input_text(in), "a\nb\ncd\te[31mz\nyx\xEF\xBF\xBDw\nv");
	assert_null(input_message(in));
	assert_on_boundary(in);
	editor_free(in);
}

static void test_paste_is_one_undo_and_never_submits(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	type(in, "say: ");
	enum ui_result r = paste(in, "line one\nline two\n", 18);
	assert_false(r & UI_SUBMIT);
	assert_string_equal(input_text(in), "say: line one\nline two\n");
	ctrl(in, '_');
	assert_string_equal(input_text(in), "say: ");
	assert_int_equal(input_cursor(in), 5);
	assert_int_equal(paste(in, "", 0), UI_HANDLED);
	assert_int_equal(paste(in, NULL, 5), UI_HANDLED);
	editor_free(in);
}

static void test_paste_limit(void **state)
{
	(void)state;
	struct input *in = editor("x");
	input_set_paste_limit(in, 10);
	assert_int_equal(paste(in, "0123456789A", 11), UI_HANDLED);
	assert_string_equal(input_text(in), "x");
	assert_non_null(input_message(in));
	assert_non_null(strstr(input_message(in), "11 bytes"));
	assert_non_null(strstr(input_message(in), "10 bytes"));
	/* The message lasts until the next event. */
	key(in, UI_KEY_LEFT, 0);
	assert_null(input_message(in));
	assert_int_equal(paste(in, "0123456789", 10) & UI_REDRAW, UI_REDRAW);
	assert_string_equal(input_text(in), "0123456789x");
	input_set_paste_limit(in, 0);
	char *big = malloc(3u << 20);
	assert_non_null(big);
	memset(big, 'a', 3u << 20);
	assert_int_equal(paste(in, big, 3u << 20) & UI_REDRAW, UI_REDRAW);
	assert_int_equal(input_len(in), (3u << 20) + 11);
	free(big);
	editor_free(in);
}

static void test_paste_default_limit_is_one_mib(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	size_t n = INPUT_PASTE_LIMIT_DEFAULT;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'b', n + 1);
	assert_int_equal(paste(in, big, n + 1), UI_HANDLED);
	assert_true(input_is_empty(in));
	assert_non_null(strstr(input_message(in), "1.0 MiB"));
	assert_int_equal(paste(in, big, n) & UI_REDRAW, UI_REDRAW);
	assert_int_equal(input_len(in), n);
	assert_null(input_message(in));
	free(big);
	editor_free(in);
}

/* ---- undo ----------------------------------------------------------- */

static void test_undo_typing_run_is_one_group(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	type(in, "hello world");
	key(in, UI_KEY_LEFT, 0);
	type(in, "X");
	assert_string_equal(input_text(in), "hello worlXd");
	assert_int_equal(ctrl(in, '_'), UI_HANDLED | UI_REDRAW | UI_RELAYOUT);
	assert_string_equal(input_text(in), "hello world");
	assert_int_equal(input_cursor(in), 10);
	ctrl(in, '_');
	assert_string_equal(input_text(in), "");
	assert_int_equal(ctrl(in, '_'), UI_HANDLED);
	editor_free(in);
}

static void test_undo_backspace_run_and_kills(void **state)
{
	(void)state;
	struct input *in = editor("abc def");
	key(in, UI_KEY_BACKSPACE, 0);
	key(in, UI_KEY_BACKSPACE, 0);
	key(in, UI_KEY_BACKSPACE, 0);
	assert_string_equal(input_text(in), "abc ");
	ctrl(in, 'a');
	key(in, UI_KEY_DELETE, 0);
	key(in, UI_KEY_DELETE, 0);
	assert_string_equal(input_text(in), "c ");
	ctrl(in, 'k');
	assert_string_equal(input_text(in), "");
	ctrl(in, '_');
	assert_string_equal(input_text(in), "c ");
	assert_int_equal(input_cursor(in), 0);
	ctrl(in, '_');
	assert_string_equal(input_text(in), "abc ");
	ctrl(in, '_');
	assert_string_equal(input_text(in), "abc def");
	assert_int_equal(input_cursor(in), 7);
	/* The set_text that made "abc def" is undoable too. */
	ctrl(in, '_');
	assert_string_equal(input_text(in), "");
	editor_free(in);
}

static void test_undo_raw_and_slash(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	type(in, "ab");
	chr(in, 0x1F, 0);
	assert_string_equal(input_text(in), "");
	type(in, "cd");
	ctrl(in, '/');
	assert_string_equal(input_text(in), "");
	type(in, "ef");
	chr(in, '_', UI_MOD_CTRL);
	assert_string_equal(input_text(in), "");
	editor_free(in);
}

static void test_undo_separates_runs_broken_by_motion(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	type(in, "one");
	key(in, UI_KEY_HOME, 0);
	key(in, UI_KEY_END, 0);
	type(in, "two");
	/* A resize between keys does not break the run. */
	struct ui_event ev = {.kind = UI_EV_RESIZE};
	input_handle(in, &ev);
	type(in, "three");
	ctrl(in, '_');
	assert_string_equal(input_text(in), "one");
	editor_free(in);
}

static void test_api_edits(void **state)
{
	(void)state;
	struct input *in = editor("/model gp");
	assert_int_equal(input_replace(in, 7, 2, "gpt-4o", 6), 0);
	assert_string_equal(input_text(in), "/model gpt-4o");
	assert_int_equal(input_cursor(in), 13);
	input_set_cursor(in, 0);
	assert_int_equal(input_insert(in, "x\r\n", 3), 0);
	assert_string_equal(input_text(in), "x\n/model gpt-4o");
	assert_int_equal(input_cursor(in), 2);
	ctrl(in, '_');
	assert_string_equal(input_text(in), "/model gpt-4o");
	input_clear(in);
	assert_true(input_is_empty(in));
	ctrl(in, '_');
	assert_string_equal(input_text(in), "/model gpt-4o");
	/* Offsets inside a sequence are widened to whole clusters. */
	assert_int_equal(input_set_text(in, "a" ZHONG "b"), 0);
	assert_int_equal(input_replace(in, 2, 1, "Z", 1), 0);
	assert_string_equal(input_text(in), "aZb");
	assert_int_equal(input_replace(in, 99, 5, "!", 1), 0);
	assert_string_equal(input_text(in), "aZb!");
	editor_free(in);
}

/* ---- layout --------------------------------------------------------- */

static void test_layout_empty_and_simple(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	struct input_layout l;
	layout_check(in, 80, &l);
	assert_int_equal(l.n_rows, 1);
	assert_int_equal(l.rows[0].len, 0);
	assert_int_equal(l.cursor_row, 0);
	assert_int_equal(l.cursor_col, 0);
	type(in, "hello world");
	layout_check(in, 80, &l);
	assert_int_equal(l.n_rows, 1);
	assert_int_equal(l.rows[0].cells, 11);
	assert_int_equal(l.cursor_col, 11);
	editor_free(in);
}

static void test_layout_word_wrap(void **state)
{
	(void)state;
	struct input *in = editor("hello world foo");
	struct input_layout l;
	layout_check(in, 10, &l);
	assert_int_equal(l.n_rows, 2);
	assert_int_equal(l.rows[0].off, 0);
	assert_int_equal(l.rows[0].len, 6);
	assert_int_equal(l.rows[1].off, 6);
	assert_int_equal(l.rows[1].len, 9);
	assert_int_equal(l.cursor_row, 1);
	assert_int_equal(l.cursor_col, 9);
	input_set_cursor(in, 8);
	layout_check(in, 10, &l);
	assert_int_equal(l.cursor_row, 1);
	assert_int_equal(l.cursor_col, 2);
	/* At the wrap point the cursor shows at the start of the next row. */
	input_set_cursor(in, 6);
	layout_check(in, 10, &l);
	assert_int_equal(l.cursor_row, 1);
	assert_int_equal(l.cursor_col, 0);
	editor_free(in);
}

static void test_layout_hanging_space(void **state)
{
	(void)state;
	struct input *in = editor("hello world");
	struct input_layout l;
	layout_check(in, 5, &l);
	/* "hello" fills the row; the space hangs past the edge; "world"
	 * fills the next, and the cursor after it gets a row of its own. */
	assert_int_equal(l.n_rows, 3);
	assert_int_equal(l.rows[0].len, 6);
	assert_int_equal(l.rows[0].cells, 6);
	assert_int_equal(l.rows[1].off, 6);
	assert_int_equal(l.rows[1].len, 5);
	assert_int_equal(l.rows[2].off, 11);
	assert_int_equal(l.cursor_row, 2);
	assert_int_equal(l.cursor_col, 0);
	input_set_cursor(in, 5); /* on the hanging space */
	layout_check(in, 5, &l);
	assert_int_equal(l.cursor_row, 1);
	assert_int_equal(l.cursor_col, 0);
	editor_free(in);
}

static void test_layout_long_word_hard_wrap(void **state)
{
	(void)state;
	struct input *in = editor("abcdefghijkl");
	struct input_layout l;
	layout_check(in, 5, &l);
	assert_int_equal(l.n_rows, 3);
	assert_int_equal(l.rows[0].len, 5);
	assert_int_equal(l.rows[1].off, 5);
	assert_int_equal(l.rows[2].off, 10);
	assert_int_equal(l.rows[2].len, 2);
	assert_int_equal(l.cursor_row, 2);
	assert_int_equal(l.cursor_col, 2);
	/* Words before a long one wrap at their space first. */
	assert_int_equal(input_set_text(in, "ab abcdefghijkl"), 0);
	layout_check(in, 5, &l);
	assert_int_equal(l.rows[0].len, 3);
	assert_int_equal(l.rows[1].off, 3);
	assert_int_equal(l.rows[1].len, 5);
	editor_free(in);
}

static void test_layout_wide_at_edge(void **state)
{
	(void)state;
	struct input *in = editor("abcd" ZHONG WEN);
	struct input_layout l;
	layout_check(in, 5, &l);
	/* ZHONG would straddle the edge: it starts the next row. */
	assert_int_equal(l.n_rows, 2);
	assert_int_equal(l.rows[0].len, 4);
	assert_int_equal(l.rows[0].cells, 4);
	assert_int_equal(l.rows[1].off, 4);
	assert_int_equal(l.rows[1].cells, 4);
	assert_int_equal(l.cursor_row, 1);
	assert_int_equal(l.cursor_col, 4);
	/* Wide characters with no break allowed before them (a closing
	 * ideographic full stop) still never straddle: hard break. */
	assert_int_equal(input_set_text(in, "abcd" MARU MARU), 0);
	layout_check(in, 5, &l);
	for (int i = 0; i < l.n_rows; i++)
		assert_true(l.rows[i].cells <= 5);
	editor_free(in);
}

static void test_layout_width_one_and_two(void **state)
{
	(void)state;
	struct input *in = editor(ZHONG WEN);
	struct input_layout l;
	layout_check(in, 1, &l);
	/* Too wide for the row: each alone, then a row for the cursor. */
	assert_int_equal(l.n_rows, 3);
	assert_int_equal(l.rows[0].len, 3);
	assert_int_equal(l.rows[0].cells, 2);
	assert_int_equal(l.rows[1].off, 3);
	assert_int_equal(l.rows[2].off, 6);
	assert_int_equal(l.cursor_row, 2);
	assert_int_equal(l.cursor_col, 0);
	layout_check(in, 2, &l);
	assert_int_equal(l.n_rows, 3);
	assert_int_equal(l.rows[0].cells, 2);
	assert_int_equal(l.rows[1].cells, 2);
	assert_int_equal(l.cursor_row, 2);
	input_set_cursor(in, 3);
	layout_check(in, 2, &l);
	assert_int_equal(l.cursor_row, 1);
	assert_int_equal(l.cursor_col, 0);
	assert_int_equal(input_set_text(in, "ab c\td"), 0);
	layout_check(in, 1, &l);
	layout_check(in, 2, &l);
	/* Width 0 or less is treated as 1. */
	input_layout(in, 0, &l);
	assert_int_equal(l.width, 1);
	editor_free(in);
}

static void test_layout_width_ten_and_eighty(void **state)
{
	(void)state;
	struct input *in = editor("The quick brown fox " ZHONG WEN ZHONG WEN ZHONG " jumps\n\nover");
	struct input_layout l;
	layout_check(in, 10, &l);
	/* "The quick " / "brown fox " / 5 wide = 10 cells / " jumps" hangs
	 * its space: "jumps" / "" / "over". */
	assert_int_equal(l.n_rows, 6);
	assert_int_equal(l.rows[2].off, 20);
	assert_int_equal(l.rows[2].cells, 11);
	assert_int_equal(l.rows[3].off, 36);
	assert_int_equal(l.rows[4].len, 0);
	assert_int_equal(l.cursor_row, 5);
	assert_int_equal(l.cursor_col, 4);
	layout_check(in, 80, &l);
	assert_int_equal(l.n_rows, 3);
	assert_int_equal(l.rows[0].cells, 36);
	editor_free(in);
}

static void test_layout_trailing_newline(void **state)
{
	(void)state;
	struct input *in = editor("abc\n");
	struct input_layout l;
	layout_check(in, 10, &l);
	assert_int_equal(l.n_rows, 2);
	assert_int_equal(l.rows[1].off, 4);
	assert_int_equal(l.rows[1].len, 0);
	assert_int_equal(l.cursor_row, 1);
	assert_int_equal(l.cursor_col, 0);
	/* A row that exactly fills the width before a '\n'. */
	assert_int_equal(input_set_text(in, "abcde\nx"), 0);
	input_set_cursor(in, 5);
	layout_check(in, 5, &l);
	assert_int_equal(l.n_rows, 3);
	assert_int_equal(l.cursor_row, 1);
	assert_int_equal(l.cursor_col, 0);
	editor_free(in);
}

static void test_layout_tabs_and_combining(void **state)
{
	(void)state;
	struct input *in = editor("a\tb" E_ACUTE);
	struct input_layout l;
	layout_check(in, 80, &l);
	/* The tab goes from column 1 to 8, as width.h and ncurses count. */
	assert_int_equal(l.rows[0].cells, 10);
	assert_int_equal(l.cursor_col, 10);
	int w;
	assert_int_equal(input_cluster_next(in, 1, 1, &w), 2);
	assert_int_equal(w, 7);
	assert_int_equal(input_cluster_next(in, 1, 13, &w), 2);
	assert_int_equal(w, 3);
	/* Tab stops count from each row's start: a tab that wraps with its
	 * word widens at the start of the next row. */
	assert_int_equal(input_set_text(in, "abc x\t)yyy"), 0);
	layout_check(in, 10, &l);
	assert_int_equal(l.n_rows, 3);
	assert_int_equal(l.rows[0].len, 4);
	assert_int_equal(l.rows[1].off, 4);
	assert_int_equal(l.rows[1].len, 4);
	assert_int_equal(l.rows[1].cells, 10); /* x, tab 1..8, ')', y */
	assert_int_equal(l.cursor_row, 2);
	assert_int_equal(l.cursor_col, 2);
	/* A tab that overflows hangs like a space. */
	assert_int_equal(input_set_text(in, "abcdef x\tyz"), 0);
	layout_check(in, 10, &l);
	assert_int_equal(l.n_rows, 2);
	assert_int_equal(l.rows[0].len, 9);
	assert_int_equal(l.rows[1].off, 9);
	editor_free(in);
}

static void test_layout_cache(void **state)
{
	(void)state;
	struct input *in = editor("some text");
	struct input_layout a, b;
	input_layout(in, 20, &a);
	input_layout(in, 20, &b);
	assert_ptr_equal(a.rows, b.rows);
	key(in, UI_KEY_LEFT, 0);
	input_layout(in, 20, &b);
	assert_ptr_equal(a.rows, b.rows); /* cursor moves do not relayout */
	assert_int_equal(b.cursor_col, 8);
	type(in, "x");
	input_layout(in, 20, &b);
	assert_int_equal(b.rows[0].len, 10);
	editor_free(in);
}

/* Compare the editor's (incrementally kept) layout with a fresh one. */
static void layout_compare_fresh(struct input *in, int width)
{
	struct input_layout l, f;
	layout_check(in, width, &l);
	struct input *fresh = editor(input_text(in));
	input_set_cursor(fresh, input_cursor(in));
	layout_check(fresh, width, &f);
	assert_int_equal(l.n_rows, f.n_rows);
	for (int i = 0; i < l.n_rows; i++) {
		assert_int_equal(l.rows[i].off, f.rows[i].off);
		assert_int_equal(l.rows[i].len, f.rows[i].len);
		assert_int_equal(l.rows[i].cells, f.rows[i].cells);
	}
	assert_int_equal(l.cursor_row, f.cursor_row);
	assert_int_equal(l.cursor_col, f.cursor_col);
	editor_free(fresh);
}

static void test_layout_incremental_matches_fresh(void **state)
{
	(void)state;
	static const char *const bits[] = {"a", " ", "\n", ZHONG, "word ", E_ACUTE, "\t", GRIN};
	struct input *in = editor("first line\nsecond " ZHONG WEN "\n\nfourth line is longer\n");
	unsigned seed = 12345;
	for (int i = 0; i < 400; i++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = (seed >> 16) % 100;
		size_t len = input_len(in);
		input_set_cursor(in, len ? (seed >> 8) % (len + 1) : 0);
		const char *bit = bits[(seed >> 4) % 8];
		if (r < 50 && bit[0] == '\t')
			paste(in, bit, strlen(bit));
		else if (r < 50)
			type(in, bit);
		else if (r < 70)
			key(in, UI_KEY_BACKSPACE, 0);
		else if (r < 80)
			key(in, UI_KEY_DELETE, 0);
		else if (r < 85)
			ctrl(in, 'k');
		else if (r < 90)
			ctrl(in, '_');
		else
			paste(in, "x\ny z\n", 6);
		/* Several edits between layouts, sometimes. */
		if (r % 3 != 0)
			layout_compare_fresh(in, (int)(seed >> 20) % 3 ? 7 : 13);
	}
	editor_free(in);
}

static void test_layout_incremental_long_lines(void **state)
{
	(void)state;
	/* Lines longer than a break window (16 KiB), edited anywhere. */
	static const char *const bits[] = {"x", " ", "\n", ZHONG, "(word) ", E_ACUTE, "-", GRIN};
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 2500; i++)
		strbuf_puts(&sb, i % 7 ? "lorem ipsum " : ZHONG WEN "dolor-sit, ");
	struct input *in = editor(sb.data);
	strbuf_done(&sb);
	unsigned seed = 777;
	const int widths[] = {1, 2, 13, 80};
	for (int i = 0; i < 120; i++) {
		seed = seed * 1103515245u + 12345u;
		size_t len = input_len(in);
		input_set_cursor(in, (seed >> 3) % (len + 1));
		unsigned r = (seed >> 16) % 10;
		if (r < 5)
			type(in, bits[(seed >> 5) % 8]);
		else if (r < 8)
			key(in, UI_KEY_BACKSPACE, 0);
		else
			alt(in, 'd');
		if (i % 2)
			layout_compare_fresh(in, widths[(seed >> 24) % 4]);
	}
	editor_free(in);
}

/* Assert the text is valid UTF-8 with no control character but '\n' and
 * '\t', whatever was fed in. */
static void assert_clean_text(const struct input *in)
{
	const char *t = input_text(in);
	size_t len = input_len(in);
	assert_int_equal(strlen(t), len);
	assert_null(u8_check((const uint8_t *)t, len));
	for (size_t i = 0; i < len;) {
		ucs4_t c;
		int n = u8_mbtouc(&c, (const uint8_t *)t + i, len - i);
		assert_true(c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7F && !(c >= 0x80 && c < 0xA0)));
		i += (size_t)n;
	}
}

static void test_random_events_keep_invariants(void **state)
{
	(void)state;
	/* Random keys, characters (controls, surrogates and all) and pastes of
	 * random bytes: the text stays clean, the cursor on a boundary, every
	 * layout whole. */
	static const uint32_t chars[] = {'a', ' ', 0x301, 0x200D, 0x1F468, 0x1F1EB, 0xFE0F,
					 0x4E2D, 0x0A, 0x0D, 0x01, 0x1F, 0x7F, 0x9B, 0xD800,
					 0x110000, 0x3000, 0x1100, 0x1161, 0x11A8, 0x0915, 0x093F};
	static const enum ui_key keys[] = {UI_KEY_ENTER, UI_KEY_BACKSPACE, UI_KEY_DELETE,
					   UI_KEY_LEFT,  UI_KEY_RIGHT,     UI_KEY_UP,
					   UI_KEY_DOWN,  UI_KEY_HOME,      UI_KEY_END};
	static const char ctl[] = "abdefhjknpuwy_";
	struct input *in = editor(NULL);
	input_history_add(in, "older\nentry");
	input_history_add(in, "newer");
	unsigned seed = 4242;
	for (int i = 0; i < 4000; i++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = (seed >> 16) % 100;
		unsigned x = seed >> 8;
		unsigned mods = (x >> 10) % 4 == 0 ? UI_MOD_ALT : (x >> 10) % 4 == 1 ? UI_MOD_CTRL : 0;
		if (r < 45) {
			chr(in, chars[x % (sizeof chars / sizeof chars[0])], r < 40 ? 0 : mods);
		} else if (r < 75) {
			key(in, keys[x % (sizeof keys / sizeof keys[0])], mods);
		} else if (r < 90) {
			ctrl(in, ctl[x % (sizeof ctl - 1)]);
		} else if (r < 93) {
			alt(in, "bfd<>"[x % 5]);
		} else {
			char buf[24];
			for (size_t k = 0; k < sizeof buf; k++) {
				seed = seed * 1103515245u + 12345u;
				buf[k] = (char)(seed >> 16);
			}
			paste(in, buf, x % sizeof buf);
		}
		assert_clean_text(in);
		assert_on_boundary(in);
		if (i % 7 == 0) {
			struct input_layout l;
			layout_check(in, 1 + (int)(x % 12), &l);
		}
		if (r == 99) {
			char *t = input_take(in);
			free(t);
		}
	}
	editor_free(in);
}

static void test_first_visible_row_sticky(void **state)
{
	(void)state;
	struct input *in = editor("0\n1\n2\n3\n4\n5\n6\n7\n8\n9");
	struct input_layout l;
	input_layout(in, 40, &l);
	assert_int_equal(l.n_rows, 10);
	assert_int_equal(input_first_visible_row(in, &l, 3), 7);
	key(in, UI_KEY_UP, 0);
	input_layout(in, 40, &l);
	assert_int_equal(input_first_visible_row(in, &l, 3), 7);
	for (int i = 0; i < 4; i++)
		key(in, UI_KEY_UP, 0);
	input_layout(in, 40, &l);
	assert_int_equal(l.cursor_row, 4);
	assert_int_equal(input_first_visible_row(in, &l, 3), 4);
	key(in, UI_KEY_DOWN, 0);
	input_layout(in, 40, &l);
	assert_int_equal(input_first_visible_row(in, &l, 3), 4);
	assert_int_equal(input_first_visible_row(in, &l, 20), 0);
	assert_int_equal(input_first_visible_row(in, &l, 0), 5);
	/* The text shrinks below the window: back to the top. */
	assert_int_equal(input_set_text(in, "x"), 0);
	input_layout(in, 40, &l);
	assert_int_equal(input_first_visible_row(in, &l, 3), 0);
	editor_free(in);
}

/* ---- size and speed ------------------------------------------------- */

/* Return seconds on a monotonic clock. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_one_mib_stays_responsive(void **state)
{
	(void)state;
	/* A 1 MiB paste of 80-column lines, then typing in the middle with a
	 * layout after each key, as the loop would draw.  The timing is only
	 * reported: valgrind and sanitizers make absolute limits meaningless,
	 * the cache and incremental layout are checked for correctness above. */
	struct strbuf sb = STRBUF_INIT;
	while (sb.len + 81 <= INPUT_PASTE_LIMIT_DEFAULT)
		strbuf_puts(&sb, "lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do "
				 "eiusmod tempor\n");
	struct input *in = editor(NULL);
	assert_int_equal(paste(in, sb.data, sb.len) & UI_REDRAW, UI_REDRAW);
	struct input_layout l;
	double t0 = now();
	input_layout(in, 80, &l);
	double t1 = now();
	input_set_cursor(in, sb.len / 2);
	for (int i = 0; i < 200; i++) {
		chr(in, 'k', 0);
		input_layout(in, 80, &l);
	}
	for (int i = 0; i < 50; i++) {
		key(in, UI_KEY_UP, 0);
		key(in, UI_KEY_BACKSPACE, 0);
		input_layout(in, 80, &l);
	}
	double t2 = now();
	printf("# 1 MiB: first layout %.1f ms, 300 edits with layout %.1f ms\n",
	       (t1 - t0) * 1e3, (t2 - t1) * 1e3);
	assert_int_equal(input_len(in), sb.len + 150);
	layout_compare_fresh(in, 80);
	/* One long line of the same size. */
	for (size_t i = 0; i < sb.len; i++)
		if (sb.data[i] == '\n')
			sb.data[i] = ' ';
	assert_int_equal(input_set_text(in, sb.data), 0);
	t0 = now();
	layout_check(in, 80, &l);
	chr(in, 'k', 0);
	input_layout(in, 80, &l);
	t1 = now();
	printf("# 1 MiB line: two layouts %.1f ms\n", (t1 - t0) * 1e3);
	strbuf_done(&sb);
	editor_free(in);
}

static void test_input_full(void **state)
{
	(void)state;
	struct input *in = editor(NULL);
	input_set_paste_limit(in, 0);
	size_t n = INPUT_MAX_BYTES;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'c', n);
	big[n] = '\0';
	assert_int_equal(paste(in, big, n) & UI_REDRAW, UI_REDRAW);
	assert_int_equal(chr(in, 'x', 0), UI_HANDLED);
	assert_non_null(input_message(in));
	assert_int_equal(input_len(in), n);
	assert_int_equal(input_insert(in, "y", 1), -1);
	free(big);
	editor_free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_ascii),
		cmocka_unit_test(test_type_cjk_emoji),
		cmocka_unit_test(test_type_combining),
		cmocka_unit_test(test_combining_typed_before_base),
		cmocka_unit_test(test_zwj_and_flags_are_one_cluster),
		cmocka_unit_test(test_more_clusters),
		cmocka_unit_test(test_regional_indicator_insert_keeps_boundary),
		cmocka_unit_test(test_cursor_never_inside_a_sequence),
		cmocka_unit_test(test_backspace_and_delete),
		cmocka_unit_test(test_backspace_removes_one_combining_mark),
		cmocka_unit_test(test_delete_joins_merged_cluster),
		cmocka_unit_test(test_typed_controls_never_enter_text),
		cmocka_unit_test(test_word_motion_punctuation),
		cmocka_unit_test(test_word_motion_cjk),
		cmocka_unit_test(test_ctrl_arrows_move_by_word),
		cmocka_unit_test(test_char_motion_ctrl_b_f),
		cmocka_unit_test(test_home_end_logical_line),
		cmocka_unit_test(test_kill_line_and_yank),
		cmocka_unit_test(test_kill_line_joins_lines_and_appends),
		cmocka_unit_test(test_kill_line_backward),
		cmocka_unit_test(test_ctrl_w_and_alt_backspace),
		cmocka_unit_test(test_alt_d_kills_next_word),
		cmocka_unit_test(test_kill_nothing_keeps_text),
		cmocka_unit_test(test_history_browse_restores_draft),
		cmocka_unit_test(test_history_keeps_edits_to_entries),
		cmocka_unit_test(test_history_add_filters),
		cmocka_unit_test(test_history_load),
		cmocka_unit_test(test_take_adds_to_history_and_resets),
		cmocka_unit_test(test_up_down_between_lines_then_history),
		cmocka_unit_test(test_up_down_across_wrapped_rows),
		cmocka_unit_test(test_click_sets_cursor),
		cmocka_unit_test(test_enter_submits),
		cmocka_unit_test(test_enter_on_empty_ignored),
		cmocka_unit_test(test_alt_enter_inserts_newline),
		cmocka_unit_test(test_ctrl_d),
		cmocka_unit_test(test_unbound_events_ignored),
		cmocka_unit_test(test_paste_normalises),
		cmocka_unit_test(test_paste_is_one_undo_and_never_submits),
		cmocka_unit_test(test_paste_limit),
		cmocka_unit_test(test_paste_default_limit_is_one_mib),
		cmocka_unit_test(test_undo_typing_run_is_one_group),
		cmocka_unit_test(test_undo_backspace_run_and_kills),
		cmocka_unit_test(test_undo_raw_and_slash),
		cmocka_unit_test(test_undo_separates_runs_broken_by_motion),
		cmocka_unit_test(test_api_edits),
		cmocka_unit_test(test_layout_empty_and_simple),
		cmocka_unit_test(test_layout_word_wrap),
		cmocka_unit_test(test_layout_hanging_space),
		cmocka_unit_test(test_layout_long_word_hard_wrap),
		cmocka_unit_test(test_layout_wide_at_edge),
		cmocka_unit_test(test_layout_width_one_and_two),
		cmocka_unit_test(test_layout_width_ten_and_eighty),
		cmocka_unit_test(test_layout_trailing_newline),
		cmocka_unit_test(test_layout_tabs_and_combining),
		cmocka_unit_test(test_layout_cache),
		cmocka_unit_test(test_layout_incremental_matches_fresh),
		cmocka_unit_test(test_layout_incremental_long_lines),
		cmocka_unit_test(test_random_events_keep_invariants),
		cmocka_unit_test(test_first_visible_row_sticky),
		cmocka_unit_test(test_one_mib_stays_responsive),
		cmocka_unit_test(test_input_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
