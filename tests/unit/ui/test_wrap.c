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

#include "core/strbuf.h"
#include "ui/width.h"
#include "ui/wrap.h"

/* Check what every wrapping must satisfy: lines in order and apart, widths
 * right, within the space unless one cluster is wider than it, no cluster
 * cut, and only spaces and newlines left out. */
static void check_lines(const char *s, size_t len, int width, int i1, int i2,
			const struct wrap_lines *wl)
{
	size_t prev_end = 0;
	for (size_t k = 0; k < wl->n; k++) {
		const struct wrap_line *l = &wl->v[k];
		assert_true(l->off >= prev_end);
		assert_true(l->off + l->len <= len);
		for (size_t i = prev_end; i < l->off; i++)
			assert_true(s[i] == ' ' || s[i] == '\t' || s[i] == '\n');
		assert_int_equal(l->width, width_of(s + l->off, l->len));
		int avail = width - (k == 0 ? i1 : i2);
		if (avail < 1)
			avail = 1;
		if (l->width > avail) {
			int cw;
			size_t n = width_next_cluster(s + l->off, l->len, 0, &cw);
			assert_int_equal(n, l->len);
		}
		/* The line starts on a cluster boundary: walking clusters from
		 * the previous line's start reaches it. */
		if (k > 0) {
			size_t i = wl->v[k - 1].off;
			while (i < l->off) {
				int cw;
				i += width_next_cluster(s + i, len - i, 0, &cw);
			}
			assert_int_equal(i, l->off);
		}
		if (l->len > 0)
			assert_true(s[l->off + l->len - 1] != ' ');
		prev_end = l->off + l->len;
	}
	for (size_t i = prev_end; i < len; i++)
		assert_true(s[i] == ' ' || s[i] == '\t' || s[i] == '\n');
}

/* Return the lines of s wrapped at width with indents, joined by '|' (and
 * checked); the caller frees the result. */
static char *wrap_fmt(const char *s, int width, int i1, int i2)
{
	struct wrap_lines wl;
	wrap_lines_init(&wl);
	wrap_text(s, strlen(s), width, i1, i2, &wl);
	check_lines(s, strlen(s), width, i1, i2, &wl);
	struct strbuf sb = STRBUF_INIT;
	for (size_t k = 0; k < wl.n; k++) {
		if (k)
			strbuf_putc(&sb, '|');
		strbuf_append(&sb, s + wl.v[k].off, wl.v[k].len);
	}
	wrap_lines_done(&wl);
	if (!sb.data)
		strbuf_puts(&sb, "");
	return strbuf_detach(&sb);
}

/* Assert that s wrapped at width (no indents) gives want. */
#define assert_wrap(s, width, want)                                                                \
	do {                                                                                       \
		char *got_ = wrap_fmt((s), (width), 0, 0);                                         \
		assert_string_equal(got_, (want));                                                 \
		free(got_);                                                                        \
	} while (0)

/* Assert that s wrapped at width with indents gives want. */
#define assert_wrap_ind(s, width, i1, i2, want)                                                    \
	do {                                                                                       \
		char *got_ = wrap_fmt((s), (width), (i1), (i2));                                   \
		assert_string_equal(got_, (want));                                                 \
		free(got_);                                                                        \
	} while (0)

static void test_words(void **state)
{
	(void)state;
	assert_wrap("the quick brown fox", 10, "the quick|brown fox");
	assert_wrap("the quick brown fox", 80, "the quick brown fox");
	assert_wrap("the quick brown fox jumps over the lazy dog", 15,
		    "the quick brown|fox jumps over|the lazy dog");
	assert_wrap("a b c d e f", 3, "a b|c d|e f");
	assert_wrap("well-known words", 6, "well-|known|words");
}

static void test_exact_fit(void **state)
{
	(void)state;
	assert_wrap("abcde", 5, "abcde");
	assert_wrap("abcde fghij", 5, "abcde|fghij");
	assert_wrap("abcde fghij", 11, "abcde fghij");
	assert_wrap("abcde fghij", 10, "abcde|fghij");
	assert_wrap("ab cd", 2, "ab|cd");
}

static void test_width_one(void **state)
{
	(void)state;
	assert_wrap("ab c", 1, "a|b|c");
	assert_wrap("abc", 1, "a|b|c");
	assert_wrap("a", 1, "a");
	/* A wide character alone on its line, wider than the line. */
	assert_wrap("中文", 1, "中|文");
	assert_wrap("a中b", 1, "a|中|b");
	/* Width 0 or below counts as 1. */
	assert_wrap("ab", 0, "a|b");
	assert_wrap("ab", -5, "a|b");
}

static void test_long_words(void **state)
{
	(void)state;
	assert_wrap("abcdefghij", 4, "abcd|efgh|ij");
	assert_wrap("a bcdefgh", 4, "a|bcde|fgh");
	assert_wrap("abc defghijklm no", 5, "abc|defgh|ijklm|no");
	/* Never inside a character: bad bytes are one cell, cut like any. */
	assert_wrap("ab\xFF" "cd", 3, "ab\xFF|cd");
	assert_wrap("ééééé", 2, "éé|éé|é");
}

static void test_trailing_spaces(void **state)
{
	(void)state;
	assert_wrap("abc   def", 4, "abc|def");
	assert_wrap("abc   def", 5, "abc|def");
	assert_wrap("abc    ", 3, "abc");
	assert_wrap("abc    ", 20, "abc");
	assert_wrap("abc def   ", 5, "abc|def");
	/* Offsets skip the dropped spaces. */
	struct wrap_lines wl;
	wrap_lines_init(&wl);
	wrap_text("abc   def", 9, 4, 0, 0, &wl);
	assert_int_equal(wl.n, 2);
	assert_int_equal(wl.v[0].off, 0);
	assert_int_equal(wl.v[0].len, 3);
	assert_int_equal(wl.v[0].width, 3);
	assert_int_equal(wl.v[1].off, 6);
	assert_int_equal(wl.v[1].len, 3);
	assert_int_equal(wl.v[1].width, 3);
	wrap_lines_done(&wl);
}

static void test_only_spaces(void **state)
{
	(void)state;
	assert_wrap("     ", 3, "");
	assert_wrap(" ", 1, "");
	assert_wrap("  \n  ", 3, "|");
	/* Leading spaces are kept when they fit, dropped when they alone overflow. */
	assert_wrap("  ab", 10, "  ab");
	assert_wrap("  ab cd", 5, "  ab|cd");
	assert_wrap("      x", 4, "x");
}

static void test_empty_lines(void **state)
{
	(void)state;
	assert_wrap("", 10, "");
	struct wrap_lines wl;
	wrap_lines_init(&wl);
	wrap_text("", 0, 10, 0, 0, &wl);
	assert_int_equal(wl.n, 1);
	assert_int_equal(wl.v[0].len, 0);
	assert_int_equal(wl.v[0].width, 0);
	wrap_lines_clear(&wl);
	wrap_text("\n", 1, 10, 0, 0, &wl);
	assert_int_equal(wl.n, 2);
	wrap_lines_clear(&wl);
	wrap_text("a\n\nb\n", 5, 10, 0, 0, &wl);
	assert_int_equal(wl.n, 4);
	assert_int_equal(wl.v[2].off, 3);
	assert_int_equal(wl.v[3].off, 5);
	assert_int_equal(wl.v[3].len, 0);
	wrap_lines_done(&wl);
	assert_wrap("a\n\nb", 10, "a||b");
	assert_wrap("one two\nthree", 5, "one|two|three");
}

static void test_cjk(void **state)
{
	(void)state;
	assert_wrap("中文中文中文", 5, "中文|中文|中文");
	assert_wrap("中文中文中文", 4, "中文|中文|中文");
	assert_wrap("中文中文中文", 12, "中文中文中文");
	assert_wrap("日本語のテキストです", 8, "日本語の|テキスト|です");
	/* The line-start rule: no break before the prolonged sound mark. */
	assert_wrap("アーアーアー", 5, "アー|アー|アー");
	/* A wide character that does not fit in the last column moves down. */
	assert_wrap("abcd中", 5, "abcd|中");
	assert_wrap("abcd中e", 6, "abcd中|e");
	/* ... also inside an unbreakable run (no break before ー). */
	assert_wrap("abcdー", 5, "abcd|ー");
	/* Mixed text breaks at spaces and between ideographs. */
	assert_wrap("hello 世界 world", 8, "hello 世|界 world");
}

static void test_combining_at_break(void **state)
{
	(void)state;
	/* e + U+0301 three times: marks stay with their letters. */
	assert_wrap("e\xCC\x81" "e\xCC\x81" "e\xCC\x81", 2, "e\xCC\x81" "e\xCC\x81|e\xCC\x81");
	assert_wrap("cafe\xCC\x81 cafe\xCC\x81", 4, "cafe\xCC\x81|cafe\xCC\x81");
	assert_wrap("abce\xCC\x81\xCC\xA3xyz", 4, "abce\xCC\x81\xCC\xA3|xyz");
}

static void test_emoji(void **state)
{
	(void)state;
	const char *family = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D"
			     "\xF0\x9F\x91\xA7";
	char two[64];
	snprintf(two, sizeof two, "%s%s", family, family);
	char want[64];
	snprintf(want, sizeof want, "%s|%s", family, family);
	assert_wrap(two, 7, want);
	assert_wrap(two, 3, want); /* wider than the line: alone, never split */
	assert_wrap("\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA", 3,
		    "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7|\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA");
	assert_wrap("ok \xF0\x9F\x98\x80 fine", 4, "ok|\xF0\x9F\x98\x80|fine");
}

static void test_urls(void **state)
{
	(void)state;
	/* A URL that fits on a line is not broken inside. */
	assert_wrap("see https://ex.com/a/b/c ok", 20, "see|https://ex.com/a/b/c|ok");
	assert_wrap("see (https://ex.com/a-b-c) ok", 22, "see|(https://ex.com/a-b-c)|ok");
	assert_wrap("go www.example.com/path-to/x now", 25, "go|www.example.com/path-to/x|now");
	/* Longer than a line: cut hard, filling each line. */
	assert_wrap("see https://example.com/aaaaaaaa", 10, "see|https://ex|ample.com/|aaaaaaaa");
	/* Without a scheme, the usual rules (a break after '/' is allowed). */
	assert_wrap("a/b/c/d/e/f", 6, "a/b/c/|d/e/f");
}

static void test_indents(void **state)
{
	(void)state;
	assert_wrap_ind("aaa bbb ccc", 8, 4, 2, "aaa|bbb|ccc");
	assert_wrap_ind("aaa bbb ccc", 10, 2, 2, "aaa bbb|ccc");
	assert_wrap_ind("a b\nc d", 3, 0, 2, "a b|c|d");
	/* A word moved to a narrower line is cut there if need be. */
	assert_wrap_ind("a bcd", 4, 0, 2, "a|bc|d");
	/* The text always gets a cell, however deep the indent. */
	assert_wrap_ind("ab", 4, 10, 10, "a|b");
	struct wrap_lines wl;
	wrap_lines_init(&wl);
	wrap_text("aaa bbb", 7, 5, 2, 0, &wl);
	assert_int_equal(wl.n, 2);
	assert_int_equal(wl.v[0].width, 3); /* the indent is not in the width */
	wrap_lines_done(&wl);
}

static void test_tabs(void **state)
{
	(void)state;
	struct wrap_lines wl;
	wrap_lines_init(&wl);
	wrap_text("a\tb", 3, 20, 0, 0, &wl);
	assert_int_equal(wl.n, 1);
	assert_int_equal(wl.v[0].width, 9);
	wrap_lines_clear(&wl);
	/* Tabs hang like spaces at a break. */
	wrap_text("abc\tdef", 7, 5, 0, 0, &wl);
	assert_int_equal(wl.n, 2);
	assert_int_equal(wl.v[0].len, 3);
	assert_int_equal(wl.v[1].off, 4);
	wrap_lines_done(&wl);
}

static void test_appends(void **state)
{
	(void)state;
	struct wrap_lines wl;
	wrap_lines_init(&wl);
	wrap_text("ab", 2, 10, 0, 0, &wl);
	wrap_text("cd ef", 5, 2, 0, 0, &wl);
	assert_int_equal(wl.n, 3);
	assert_int_equal(wl.v[0].off, 0);
	assert_int_equal(wl.v[1].off, 0);
	assert_int_equal(wl.v[2].off, 3);
	wrap_lines_done(&wl);
	wrap_lines_done(&wl); /* done twice is harmless */
}

/* Random text over an alphabet of awkward pieces, at every width 1-12. */
static void test_random(void **state)
{
	(void)state;
	static const char *const pieces[] = {
		"a", "bc", " ", "  ", "\t", "\n", "中", "e\xCC\x81", "-", "/", "\xFF", "ー",
		"\xF0\x9F\x98\x80", "\xE2\x9D\xA4\xEF\xB8\x8F", "http://x.y/z", "(", ")", ",",
		"\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9", "\xE4\xB8", "word",
	};
	unsigned seed = 12345;
	struct wrap_lines wl;
	wrap_lines_init(&wl);
	struct strbuf sb = STRBUF_INIT;
	for (int round = 0; round < 400; round++) {
		strbuf_reset(&sb);
		int n = round % 40;
		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			strbuf_puts(&sb, pieces[(seed >> 16) % (sizeof pieces / sizeof *pieces)]);
		}
		for (int width = 1; width <= 12; width++) {
			int i1 = round % 3, i2 = round % 4;
			wrap_lines_clear(&wl);
			wrap_text(strbuf_str(&sb), sb.len, width, i1, i2, &wl);
			assert_true(wl.n >= 1);
			check_lines(strbuf_str(&sb), sb.len, width, i1, i2, &wl);
		}
	}
	strbuf_done(&sb);
	wrap_lines_done(&wl);
}

/* A megabyte, with and without spaces: must finish (linear time). */
static void test_big(void **state)
{
	(void)state;
	size_t n = 1 << 20;
	char *s = malloc(n);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = i % 7 == 6 ? ' ' : 'a' + (char)(i % 7);
	struct wrap_lines wl;
	wrap_lines_init(&wl);
	wrap_text(s, n, 80, 0, 0, &wl);
	assert_true(wl.n > n / 80);
	check_lines(s, n, 80, 0, 0, &wl);
	memset(s, 'x', n);
	wrap_lines_clear(&wl);
	wrap_text(s, n, 80, 0, 0, &wl);
	assert_int_equal(wl.n, (n + 79) / 80);
	wrap_lines_clear(&wl);
	wrap_text(s, n, 1, 0, 0, &wl);
	assert_int_equal(wl.n, n);
	wrap_lines_done(&wl);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_width_one),
		cmocka_unit_test(test_long_words),
		cmocka_unit_test(test_trailing_spaces),
		cmocka_unit_test(test_only_spaces),
		cmocka_unit_test(test_empty_lines),
		cmocka_unit_test(test_cjk),
		cmocka_unit_test(test_combining_at_break),
		cmocka_unit_test(test_emoji),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_indents),
		cmocka_unit_test(test_tabs),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_big),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
