/* Model output filter: every rule, fed whole, byte by byte and in odd pieces. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/strbuf.h"

/* Return the filtered form of in (n bytes) fed in pieces of size step (0 = whole); caller frees. */
static char *run_pieces(const char *in, size_t n, size_t step)
{
	struct sanitize_state st;
	struct strbuf out = STRBUF_INIT;
	sanitize_init(&st);
	if (step == 0) {
		sanitize_feed(&st, &out, in, n);
	} else {
		/* Empty feeds between pieces must change nothing either. */
		for (size_t i = 0; i < n; i += step) {
			size_t k = n - i < step ? n - i : step;
			sanitize_feed(&st, &out, in + i, k);
			sanitize_feed(&st, &out, in + i, 0);
		}
	}
	sanitize_finish(&st, &out);
	return strbuf_detach(&out);
}

/* Assert in filters to want whole, byte by byte, and in pieces of 2, 3 and 5. */
static void check_n(const char *in, size_t n, const char *want)
{
	static const size_t steps[] = {0, 1, 2, 3, 5};
	for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
		char *got = run_pieces(in, n, steps[s]);
		if (strcmp(got, want) != 0)
			print_error("step %zu: got \"%s\" want \"%s\"\n", steps[s], got, want);
		assert_string_equal(got, want);
		free(got);
	}
}

/* Assert the NUL-terminated in filters to want however it is split. */
static void check(const char *in, const char *want)
{
	check_n(in, strlen(in), want);
}

static void test_plain_text_kept(void **state)
{
	(void)state;
	check("", "");
	check("hello, world", "hello, world");
	check("line 1\nline 2\n\tindented\n", "line 1\nline 2\n\tindented\n");
	check("~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./", "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./");
}

static void test_crlf(void **state)
{
	(void)state;
	check("a\r\nb\r\n", "a\nb\n");
	check("a\rb", "a^Mb");
	check("a\r", "a^M");
	check("\r\r\n", "^M\n");
	check("\r\r", "^M^M");
	check("a\n\rb", "a\n^Mb");
}

static void test_crlf_split(void **state)
{
	(void)state;
	struct sanitize_state st;
	struct strbuf out = STRBUF_INIT;
	sanitize_init(&st);
	sanitize_feed(&st, &out, "x\r", 2);
	assert_string_equal(strbuf_str(&out), "x");
	sanitize_feed(&st, &out, "\ny", 2);
	assert_string_equal(strbuf_str(&out), "x\ny");
	sanitize_feed(&st, &out, "\r", 1);
	sanitize_feed(&st, &out, "z", 1);
	sanitize_finish(&st, &out);
	assert_string_equal(strbuf_str(&out), "x\ny^Mz");
	strbuf_done(&out);
}

static void test_c0_caret(void **state)
{
	(void)state;
	check("\x1b[2J", "^[[2J");
	check("ding\a", "ding^G");
	check("\x7f", "^?");
	check("\b\v\f\x01\x1f", "^H^K^L^A^_");
	check_n("a\0b", 3, "a^@b");
}

static void test_osc52(void **state)
{
	(void)state;
	const char *in = "copy: \x1b]52;c;ZXZpbA==\x07 done";
	check(in, "copy: ^[]52;c;ZXZpbA==^G done");
	char *got = run_pieces(in, strlen(in), 1);
	assert_null(strchr(got, '\x1b'));
	assert_null(strchr(got, '\x07'));
	free(got);
}

static void test_c1_visible(void **state)
{
	(void)state;
	check("\xc2\x9b" "2J", "<U+009B>2J");
	check("\xc2\x80\xc2\x9f", "<U+0080><U+009F>");
	/* U+00A0 and up are ordinary text. */
	check("\xc2\xa0\xc3\xa9", "\xc2\xa0\xc3\xa9");
}

static void test_bidi_visible(void **state)
{
	(void)state;
	check("a\xe2\x80\xae" "b", "a<U+202E>b");
	check("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
	      "<U+202A><U+202B><U+202C><U+202D>");
	check("\xe2\x81\xa6x\xe2\x81\xa9", "<U+2066>x<U+2069>");
	check("\xe2\x81\xa7\xe2\x81\xa8", "<U+2067><U+2068>");
	/* Neighbours of the ranges are ordinary text. */
	check("\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa",
	      "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	/* A stray continuation byte and bytes that never start a sequence. */
	check("a\x80z", "a\xef\xbf\xbdz");
	check("\xff\xfe", "\xef\xbf\xbd\xef\xbf\xbd");
	/* Overlongs: C0/C1 leads, E0 80..9F, F0 80..8F. */
	check("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");
	check("\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	check("\xf0\x80\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* Surrogates (ED A0..BF) and code points above U+10FFFF. */
	check("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	check("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	check("\xf5\x80", "\xef\xbf\xbd\xef\xbf\xbd");
	/* A truncated sequence followed by ASCII: one U+FFFD, then the ASCII. */
	check("\xe4\xb8x", "\xef\xbf\xbdx");
	check("\xf0\x9f\x98\n", "\xef\xbf\xbd\n");
	/* A truncated sequence followed by an escape: both handled. */
	check("\xe4\x1b", "\xef\xbf\xbd^[");
	check("\xe4\r\n", "\xef\xbf\xbd\n");
	/* Valid boundary code points pass. */
	check("\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf", "\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf");
}

static void test_unfinished_at_end(void **state)
{
	(void)state;
	check("ok\xe4\xb8", "ok\xef\xbf\xbd");
	check("\xf0\x9f", "\xef\xbf\xbd");
	check("\xc3", "\xef\xbf\xbd");
}

static void test_cjk_emoji(void **state)
{
	(void)state;
	const char *s = "漢字かなカナ 한국어 — 😀👍🏽 👩‍💻 ok";
	check(s, s);
}

static void test_split_emoji(void **state)
{
	(void)state;
	const char *emoji = "\xf0\x9f\x98\x80"; /* U+1F600 */
	for (size_t cut = 1; cut < 4; cut++) {
		struct sanitize_state st;
		struct strbuf out = STRBUF_INIT;
		sanitize_init(&st);
		sanitize_feed(&st, &out, "a", 1);
		sanitize_feed(&st, &out, emoji, cut);
		assert_string_equal(strbuf_str(&out), "a");
		sanitize_feed(&st, &out, emoji + cut, 4 - cut);
		sanitize_feed(&st, &out, "b", 1);
		sanitize_finish(&st, &out);
		assert_string_equal(strbuf_str(&out), "a\xf0\x9f\x98\x80" "b");
		strbuf_done(&out);
	}
	/* One byte per feed through a bidi control as well. */
	check("\xe2\x80\xae", "<U+202E>");
}

static void test_state_reusable(void **state)
{
	(void)state;
	struct sanitize_state st;
	struct strbuf out = STRBUF_INIT;
	sanitize_init(&st);
	sanitize_feed(&st, &out, "\xe4", 1);
	sanitize_finish(&st, &out);
	sanitize_feed(&st, &out, "\xb8", 1);
	sanitize_finish(&st, &out);
	assert_string_equal(strbuf_str(&out), "\xef\xbf\xbd\xef\xbf\xbd");
	strbuf_reset(&out);
	sanitize_string(&out, "x\x1b", 2);
	assert_string_equal(strbuf_str(&out), "x^[");
	strbuf_done(&out);
}

static void test_every_byte(void **state)
{
	(void)state;
	/* No single byte value, alone, may come out as a raw control. */
	for (int b = 0; b < 256; b++) {
		char in = (char)b;
		char *got = run_pieces(&in, 1, 0);
		for (const unsigned char *p = (const unsigned char *)got; *p; p++) {
			if (*p == '\n' || *p == '\t')
				continue;
			assert_true(*p >= 0x20 && *p != 0x7f);
		}
		free(got);
	}
}

static void test_large_ascii(void **state)
{
	(void)state;
	size_t n = 1 << 20;
	char *in = malloc(n + 1);
	assert_non_null(in);
	for (size_t i = 0; i < n; i++)
		in[i] = (char)('a' + i % 26);
	in[n] = '\0';
	char *got = run_pieces(in, n, 0);
	assert_string_equal(got, in);
	free(got);
	got = run_pieces(in, n, 4093);
	assert_string_equal(got, in);
	free(got);
	free(in);
}

/* Return the next value of a small deterministic generator. */
static uint32_t next_rand(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 8;
}

static void test_random_splits(void **state)
{
	(void)state;
	/* Fragments that exercise every rule and every boundary between them. */
	static const char *const frags[] = {"a", " ", "\n", "\r", "\r\n", "\t", "\x1b", "\x7f", "\x80",
					    "\xc2", "\x9b", "\xe2\x80", "\xae", "\xe6\xbc\xa2", "\xf0\x9f",
					    "\x98\x80", "\xed\xa0\x80", "\xf4\x90", "\xff", "\xc0\xaf"};
	uint32_t x = 42;
	char in[512];
	for (int it = 0; it < 2000; it++) {
		size_t n = 0;
		for (int k = (int)(next_rand(&x) % 40); k > 0; k--) {
			const char *f = frags[next_rand(&x) % (sizeof frags / sizeof frags[0])];
			memcpy(in + n, f, strlen(f));
			n += strlen(f);
		}
		char *whole = run_pieces(in, n, 0);
		struct sanitize_state st;
		struct strbuf out = STRBUF_INIT;
		sanitize_init(&st);
		for (size_t i = 0; i < n;) {
			size_t k = 1 + next_rand(&x) % 6;
			if (k > n - i)
				k = n - i;
			sanitize_feed(&st, &out, in + i, k);
			i += k;
		}
		sanitize_finish(&st, &out);
		assert_string_equal(strbuf_str(&out), whole);
		for (const unsigned char *p = (const unsigned char *)whole; *p; p++)
			assert_true(*p == '\n' || *p == '\t' || (*p >= 0x20 && *p != 0x7f));
		strbuf_done(&out);
		free(whole);
	}
}

static void test_utf8_pieces(void **state)
{
	(void)state;
	/* Every boundary code point goes through encode, len and decode. */
	static const uint32_t cps[] = {0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF};
	static const size_t lens[] = {2, 2, 3, 3, 3, 3, 3, 4, 4};
	for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
		char b[4];
		size_t n = sanitize_utf8_encode(b, cps[i]);
		assert_int_equal(n, lens[i]);
		assert_int_equal(sanitize_utf8_len((const unsigned char *)b, n), n);
		assert_int_equal(sanitize_utf8_decode((const unsigned char *)b, n), cps[i]);
		/* Cut short, it is not a sequence. */
		assert_int_equal(sanitize_utf8_len((const unsigned char *)b, n - 1), 0);
	}
	char b[4];
	assert_int_equal(sanitize_utf8_encode(b, 'A'), 1);
	assert_int_equal(b[0], 'A');
	/* What cannot be UTF-8 is written as U+FFFD. */
	assert_int_equal(sanitize_utf8_encode(b, 0xD800), 3);
	assert_memory_equal(b, "\xEF\xBF\xBD", 3);
	assert_int_equal(sanitize_utf8_encode(b, 0x110000), 3);
	assert_memory_equal(b, "\xEF\xBF\xBD", 3);
	/* Not sequences: ASCII, a continuation byte, overlongs, a surrogate,
	 * above U+10FFFF, a bad continuation. */
	static const char *const bad[] = {"A", "\x80\x80", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF",
					  "\xED\xA0\x80", "\xF0\x80\x80\xAF", "\xF4\x90\x80\x80",
					  "\xF5\x80\x80\x80", "\xE2\x82\x41"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(sanitize_utf8_len((const unsigned char *)bad[i], strlen(bad[i])), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_kept),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_crlf_split),
		cmocka_unit_test(test_c0_caret),
		cmocka_unit_test(test_osc52),
		cmocka_unit_test(test_c1_visible),
		cmocka_unit_test(test_bidi_visible),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_unfinished_at_end),
		cmocka_unit_test(test_cjk_emoji),
		cmocka_unit_test(test_split_emoji),
		cmocka_unit_test(test_state_reusable),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_large_ascii),
		cmocka_unit_test(test_random_splits),
		cmocka_unit_test(test_utf8_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
