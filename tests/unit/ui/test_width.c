#include <config.h>

/* cmocka needs these first, in this order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "ui/width.h"

/* Return the width of the NUL-terminated string s. */
static int w(const char *s)
{
	return width_of(s, strlen(s));
}

/* Return the number of clusters in s and store the width of the first in *first. */
static int clusters(const char *s, int *first)
{
	size_t len = strlen(s), i = 0;
	int n = 0, col = 0;
	while (i < len) {
		int cw;
		size_t k = width_next_cluster(s + i, len - i, col, &cw);
		assert_true(k > 0);
		if (n == 0 && first)
			*first = cw;
		col += cw;
		i += k;
		n++;
	}
	return n;
}

static void test_ascii(void **state)
{
	(void)state;
	assert_int_equal(w(""), 0);
	assert_int_equal(w("a"), 1);
	assert_int_equal(w("hello, world"), 12);
	assert_int_equal(w(" ~"), 2);
	assert_int_equal(width_of("abc", 2), 2);
	assert_int_equal(width_char('A'), 1);
	assert_int_equal(width_char(' '), 1);
	assert_int_equal(clusters("abc", NULL), 3);
}

static void test_cjk(void **state)
{
	(void)state;
	assert_int_equal(w("中"), 2);
	assert_int_equal(w("中文"), 4);
	assert_int_equal(w("a中b"), 4);
	assert_int_equal(w("日本語のテキスト"), 16);
	assert_int_equal(w("한국어"), 6);
	assert_int_equal(w("ＡＢ"), 4); /* fullwidth Latin */
	assert_int_equal(w("ｱｲ"), 2);  /* halfwidth katakana */
	assert_int_equal(width_char(0x4E2D), 2);
	assert_int_equal(width_char(0x3000), 2); /* ideographic space */
	/* Conjoining jamo: the vowel joins the leading consonant. */
	int first;
	assert_int_equal(clusters("\xE1\x84\x80\xE1\x85\xA1", &first), 1);
	assert_int_equal(first, 2);
}

static void test_combining(void **state)
{
	(void)state;
	assert_int_equal(width_char(0x301), 0);
	assert_int_equal(w("e\xCC\x81"), 1);		       /* e + U+0301 */
	assert_int_equal(w("e\xCC\x81\xCC\xA3"), 1);	       /* two marks */
	assert_int_equal(w("cafe\xCC\x81!"), 5);
	assert_int_equal(w("\xCC\x81"), 0);		       /* a lone mark */
	/* Devanagari ki: the vowel sign is a spacing mark, a cell of its own
	 * (as wcwidth says), but it stays with its consonant. */
	assert_int_equal(w("\xE0\xA4\x95\xE0\xA4\xBF"), 2);
	assert_int_equal(clusters("\xE0\xA4\x95\xE0\xA4\xBF", NULL), 1);
	int first;
	assert_int_equal(clusters("e\xCC\x81x", &first), 2);
	assert_int_equal(first, 1);
	int cw;
	assert_int_equal(width_next_cluster("e\xCC\x81\xCC\xA3z", 6, 0, &cw), 5);
	assert_int_equal(cw, 1);
	/* Zero-width characters stay with what they follow. */
	assert_int_equal(w("a\xE2\x80\x8B" "b"), 2); /* ZWSP */
	assert_int_equal(width_char(0x200B), 0);
	assert_int_equal(width_char(0xFEFF), 0);
	assert_int_equal(width_char(0xAD), 1); /* soft hyphen: drawn */
}

static void test_emoji(void **state)
{
	(void)state;
	assert_int_equal(w("\xF0\x9F\x98\x80"), 2); /* U+1F600 */
	assert_int_equal(width_char(0x1F600), 2);
	assert_int_equal(width_char(0x1F300), 2);
	assert_int_equal(width_char(0x1F650), 2); /* the whole block, rounded up */
	assert_int_equal(width_char(0x1FAFF), 2);
	assert_int_equal(width_char(0x1FA70), 2);
	assert_int_equal(w("a\xF0\x9F\x8E\x89" "b"), 4); /* a🎉b */
	/* VS16 turns a narrow symbol into a wide emoji; VS15 keeps it narrow. */
	assert_int_equal(w("\xE2\x9D\xA4"), 1);
	assert_int_equal(w("\xE2\x9D\xA4\xEF\xB8\x8F"), 2);
	assert_int_equal(w("\xE2\x9D\xA4\xEF\xB8\x8E"), 1);
	assert_int_equal(w("1\xEF\xB8\x8F\xE2\x83\xA3"), 2); /* keycap 1️⃣ */
	int first;
	assert_int_equal(clusters("\xE2\x9D\xA4\xEF\xB8\x8Fx", &first), 2);
	assert_int_equal(first, 2);
	/* Wide emoji with VS16 stay 2. */
	assert_int_equal(w("\xF0\x9F\x98\x80\xEF\xB8\x8F"), 2);
	/* A skin tone modifier stays with its emoji; both parts count. */
	assert_int_equal(clusters("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", &first), 1);
	assert_int_equal(first, 4);
}

static void test_flags(void **state)
{
	(void)state;
	const char *fr = "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7"; /* 🇫🇷 */
	const char *de = "\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA"; /* 🇩🇪 */
	int first;
	assert_int_equal(w(fr), 2);
	assert_int_equal(clusters(fr, &first), 1);
	assert_int_equal(first, 2);
	char two[32];
	strcpy(two, fr);
	strcat(two, de);
	assert_int_equal(w(two), 4);
	assert_int_equal(clusters(two, NULL), 2);
	/* An odd indicator stands alone. */
	char three[32];
	strcpy(three, two);
	three[strlen(fr) + 4] = '\0';
	assert_int_equal(clusters(three, NULL), 2);
	assert_int_equal(w(three), 3);
	/* Subdivision flags: black flag + tags + cancel tag, one cluster. */
	const char *sct = "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xB3"
			  "\xF3\xA0\x81\xA3\xF3\xA0\x81\xB4\xF3\xA0\x81\xBF";
	assert_int_equal(clusters(sct, &first), 1);
	assert_int_equal(first, 2);
}

static void test_zwj(void **state)
{
	(void)state;
	/* 👨‍👩‍👧: man ZWJ woman ZWJ girl - one cluster, counted as its parts. */
	const char *family = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D"
			     "\xF0\x9F\x91\xA7";
	int first;
	assert_int_equal(clusters(family, &first), 1);
	assert_int_equal(first, 6);
	assert_int_equal(w(family), 6);
	int cw;
	assert_int_equal(width_next_cluster(family, strlen(family), 0, &cw), strlen(family));
	/* 🏳️‍🌈: flag, VS16, ZWJ, rainbow. */
	const char *rainbow = "\xF0\x9F\x8F\xB3\xEF\xB8\x8F\xE2\x80\x8D\xF0\x9F\x8C\x88";
	assert_int_equal(clusters(rainbow, &first), 1);
	assert_int_equal(first, 4);
	/* A ZWJ at the end, or before a control, joins nothing. */
	assert_int_equal(w("a\xE2\x80\x8D"), 1);
	assert_int_equal(clusters("a\xE2\x80\x8D\x01", NULL), 2);
	assert_int_equal(w("a\xE2\x80\x8D\x01"), 3);
}

static void test_invalid(void **state)
{
	(void)state;
	uint32_t c;
	assert_int_equal(width_next_char("\xFF", 1, &c), 1);
	assert_int_equal(c, 0xFFFD);
	assert_int_equal(width_next_char("\xEF\xBF\xBD", 3, &c), 3); /* a real U+FFFD */
	assert_int_equal(c, 0xFFFD);
	assert_int_equal(width_next_char("", 0, &c), 0);
	assert_int_equal(width_next_char("\xC3\xA9", 2, &c), 2);
	assert_int_equal(c, 0xE9);
	assert_int_equal(width_next_char("\xF0\x9F\x98\x80", 4, &c), 4);
	assert_int_equal(c, 0x1F600);
	/* Truncated: the lead byte alone is one bad byte, and so is the next. */
	assert_int_equal(width_next_char("\xE4\xB8", 2, &c), 1);
	assert_int_equal(c, 0xFFFD);
	assert_int_equal(width_next_char("\xE4\xB8\xAD", 2, &c), 1);
	assert_int_equal(w("\xE4\xB8"), 2);
	assert_int_equal(w("\xFF"), 1);
	assert_int_equal(w("a\xFF" "b"), 3);
	assert_int_equal(w("\xC0\xAF"), 2);	    /* overlong '/' */
	assert_int_equal(w("\xED\xA0\x80"), 3);	    /* a surrogate */
	assert_int_equal(w("\xF4\x90\x80\x80"), 4); /* above U+10FFFF */
	assert_int_equal(w("\x80\x80"), 2);	    /* stray continuations */
	/* A bad byte does not take the combining mark after a good one away. */
	assert_int_equal(clusters("\xFF\xCC\x81", NULL), 2);
	/* Nor is a mark glued to a bad byte. */
	int cw;
	assert_int_equal(width_next_cluster("\xFF\xCC\x81", 3, 0, &cw), 1);
	assert_int_equal(cw, 1);
}

static void test_controls(void **state)
{
	(void)state;
	assert_int_equal(width_char(0x01), 2);
	assert_int_equal(width_char(0x1B), 2);
	assert_int_equal(width_char(0x7F), 2);
	assert_int_equal(width_char(0x85), 2);
	assert_int_equal(w("\x01"), 2);
	assert_int_equal(w("a\x1b[0m"), 6);
	assert_int_equal(w("\xC2\x85"), 2); /* C1 NEL */
	assert_int_equal(w("\n"), 2);
	/* A control never takes a combining mark. */
	assert_int_equal(clusters("\x01\xCC\x81", NULL), 2);
}

static void test_tabs(void **state)
{
	(void)state;
	assert_int_equal(width_char('\t'), 8);
	assert_int_equal(w("\t"), 8);
	assert_int_equal(w("ab\t"), 8);
	assert_int_equal(w("a\tb"), 9);
	assert_int_equal(w("abcdefgh\t"), 16);
	assert_int_equal(w("abcdefg\tx"), 9);
	assert_int_equal(w("\t\t"), 16);
	assert_int_equal(w("中\t"), 8);
	assert_int_equal(width_of_at("\t", 1, 3), 5);
	assert_int_equal(width_of_at("\t", 1, 8), 8);
	assert_int_equal(width_of_at("x\t", 2, 6), 2);
	assert_int_equal(width_of_at("ab", 2, 5), 2);
	int cw;
	assert_int_equal(width_next_cluster("\t", 1, 7, &cw), 1);
	assert_int_equal(cw, 1);
	/* A tab never takes a combining mark. */
	assert_int_equal(width_next_cluster("\t\xCC\x81", 3, 0, &cw), 1);
}

static void test_prefix(void **state)
{
	(void)state;
	int cols = -1;
	assert_int_equal(width_prefix("hello", 5, 3, &cols), 3);
	assert_int_equal(cols, 3);
	assert_int_equal(width_prefix("hello", 5, 10, &cols), 5);
	assert_int_equal(cols, 5);
	assert_int_equal(width_prefix("hello", 5, 0, &cols), 0);
	assert_int_equal(cols, 0);
	assert_int_equal(width_prefix("", 0, 4, &cols), 0);
	/* A wide character that does not fit whole stays out. */
	assert_int_equal(width_prefix("中文", 6, 3, &cols), 3);
	assert_int_equal(cols, 2);
	assert_int_equal(width_prefix("中文", 6, 1, &cols), 0);
	assert_int_equal(cols, 0);
	assert_int_equal(width_prefix("a中", 4, 2, &cols), 1);
	/* Combining marks come with their base. */
	assert_int_equal(width_prefix("e\xCC\x81" "e\xCC\x81", 6, 1, &cols), 3);
	assert_int_equal(cols, 1);
	/* Clusters are never split: a family needs 6 cells. */
	const char *family = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D"
			     "\xF0\x9F\x91\xA7";
	assert_int_equal(width_prefix(family, strlen(family), 5, &cols), 0);
	assert_int_equal(width_prefix(family, strlen(family), 6, &cols), strlen(family));
	const char *fr = "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7";
	assert_int_equal(width_prefix(fr, 8, 1, &cols), 0);
	assert_int_equal(width_prefix(fr, 8, 2, &cols), 8);
	/* Tabs from column 0; invalid bytes one cell each. */
	assert_int_equal(width_prefix("a\tb", 3, 8, &cols), 2);
	assert_int_equal(cols, 8);
	assert_int_equal(width_prefix("\xFF\xFF\xFF", 3, 2, NULL), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii),	 cmocka_unit_test(test_cjk),
		cmocka_unit_test(test_combining), cmocka_unit_test(test_emoji),
		cmocka_unit_test(test_flags),	 cmocka_unit_test(test_zwj),
		cmocka_unit_test(test_invalid),	 cmocka_unit_test(test_controls),
		cmocka_unit_test(test_tabs),	 cmocka_unit_test(test_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
