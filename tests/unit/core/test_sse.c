#include <config.h>

/* cmocka needs these first, in this order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sse.h"
#include "core/strbuf.h"

/* Every case runs fed whole, one byte at a time, and split in two at every
 * offset (or at a sample of offsets for huge inputs): the events, the result
 * and the retry value must not depend on how the bytes were cut. */

struct recorder {
	struct strbuf log; /* one record per event, see recorder_event() */
	int n;
	int stop_after; /* return 7 from the n-th event (0: never) */
};

/* Append one event as "type|id|len:data\n" to sb. */
static void log_event(struct strbuf *sb, const char *type, const char *id, const char *data,
		      size_t len)
{
	strbuf_printf(sb, "%s|%s|%zu:", type, id, len);
	strbuf_append(sb, data, len);
	strbuf_putc(sb, '\n');
}

/* Record the event; returns 7 to stop at the configured event, else 0. */
static int recorder_event(void *ud, const struct sse_event *ev)
{
	struct recorder *r = ud;
	assert_non_null(ev->type);
	assert_non_null(ev->id);
	assert_non_null(ev->data);
	assert_int_equal(ev->data[ev->data_len], '\0');
	log_event(&r->log, ev->type, ev->id, ev->data, ev->data_len);
	r->n++;
	return r->n == r->stop_after ? 7 : 0;
}

struct expect {
	const char *type;
	const char *id;
	const char *data;
};

struct sse_case {
	const char *input;
	size_t len; /* 0: strlen(input) */
	size_t max_line;
	int stop_after;
	const struct expect *events; /* terminated by a NULL type */
	int rc;
	long retry;
};

/* Feed in the given pieces (piece 0: whole); returns the first non-zero
 * feed result or 0, and leaves the record in r. */
static int run_pieces(const struct sse_case *c, const char *in, size_t len, size_t piece,
		      size_t split, struct recorder *r, long *retry)
{
	struct sse_parser *p = sse_parser_new(c->max_line, recorder_event, r);
	assert_non_null(p);
	int rc = 0;
	if (split != SIZE_MAX) {
		int a = sse_parser_feed(p, in, split);
		int b = sse_parser_feed(p, in + split, len - split);
		rc = a ? a : b;
		/* A stop is sticky. */
		if (a)
			assert_int_equal(a, b);
	} else if (piece == 0) {
		rc = sse_parser_feed(p, in, len);
	} else {
		for (size_t off = 0; off < len; off += piece) {
			size_t n = len - off < piece ? len - off : piece;
			int x = sse_parser_feed(p, in + off, n);
			if (x && !rc)
				rc = x;
		}
	}
	*retry = sse_parser_retry(p);
	assert_int_equal(sse_parser_finish(p), 0);
	assert_int_equal(sse_parser_pending(p), 0);
	sse_parser_delete(p);
	return rc;
}

/* Compare one run with the expectation; on mismatch say which cut failed. */
static void check_run(const struct sse_case *c, const char *in, size_t len, size_t piece,
		      size_t split, const struct strbuf *want)
{
	struct recorder r = {STRBUF_INIT, 0, c->stop_after};
	long retry;
	int rc = run_pieces(c, in, len, piece, split, &r, &retry);
	if (rc != c->rc || retry != c->retry || r.log.len != want->len ||
	    memcmp(strbuf_str(&r.log), strbuf_str(want), want->len) != 0) {
		print_error("cut: piece %zu split %zu: rc %d (want %d) retry %ld (want %ld)\n"
			    "got:\n%.300s\nwant:\n%.300s\n",
			    piece, split, rc, c->rc, retry, c->retry, strbuf_str(&r.log),
			    strbuf_str(want));
		fail();
	}
	strbuf_done(&r.log);
}

/* Run a case every way it can be cut. */
static void run_case(const struct sse_case *c)
{
	size_t len = c->len ? c->len : strlen(c->input);
	struct strbuf want = STRBUF_INIT;
	for (const struct expect *e = c->events; e && e->type; e++)
		log_event(&want, e->type, e->id, e->data, strlen(e->data));

	check_run(c, c->input, len, 0, SIZE_MAX, &want);
	check_run(c, c->input, len, 1, SIZE_MAX, &want);
	check_run(c, c->input, len, 4096, SIZE_MAX, &want);
	if (len <= 4096) {
		for (size_t k = 0; k <= len; k++)
			check_run(c, c->input, len, 0, k, &want);
	} else {
		size_t cuts[] = {0,       1,       2,       3,       5,       6,  7,
				 len / 3, len / 2, len - 3, len - 2, len - 1, len};
		for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
			check_run(c, c->input, len, 0, cuts[i], &want);
	}
	strbuf_done(&want);
}

#define EV(t, i, d)                                                                                \
	{                                                                                          \
		t, i, d                                                                            \
	}
#define END                                                                                        \
	{                                                                                          \
		NULL, NULL, NULL                                                                   \
	}

static void test_lf(void **state)
{
	(void)state;
	static const struct expect ev[] = {EV("message", "", "a"), EV("message", "", "b"), END};
	struct sse_case c = {.input = "data: a\n\ndata: b\n\n", .events = ev, .retry = -1};
	run_case(&c);
}

static void test_cr(void **state)
{
	(void)state;
	static const struct expect ev[] = {EV("message", "", "a"), EV("message", "", "b"), END};
	struct sse_case c = {.input = "data: a\r\rdata: b\r\r", .events = ev, .retry = -1};
	run_case(&c);
}

static void test_crlf(void **state)
{
	(void)state;
	static const struct expect ev[] = {EV("message", "", "a"), EV("message", "", "b"), END};
	struct sse_case c = {.input = "data: a\r\n\r\ndata: b\r\n\r\n", .events = ev, .retry = -1};
	run_case(&c);
}

static void test_mixed_line_ends(void **state)
{
	(void)state;
	/* LF then CR is two line ends; CR then LF is one. */
	static const struct expect ev[] = {
		EV("message", "", "a\nb\nc"),
		EV("message", "", "d"),
		EV("message", "", "e"),
		EV("message", "", "f"),
		END,
	};
	struct sse_case c = {
		.input = "data: a\r\ndata: b\rdata: c\n\r\n"
			 "data: d\n\r"
			 "data: e\r\r\n"
			 "data: f\r\n\n",
		.events = ev,
		.retry = -1,
	};
	run_case(&c);
}

static void test_bom(void **state)
{
	(void)state;
	static const struct expect one[] = {EV("message", "", "a"), END};
	struct sse_case c = {.input = "\xEF\xBB\xBF"
				      "data: a\n\n",
			     .events = one,
			     .retry = -1};
	run_case(&c);

	/* Only one BOM is skipped: a second one makes an unknown field. */
	static const struct expect b[] = {EV("message", "", "b"), END};
	struct sse_case c2 = {
		.input = "\xEF\xBB\xBF\xEF\xBB\xBF"
			 "data: a\n\ndata: b\n\n",
		.events = b,
		.retry = -1,
	};
	run_case(&c2);

	/* A false start is ordinary input. */
	struct sse_case c3 = {
		.input = "\xEF\xBB"
			 "data: a\n\n\xEF\n\ndata: b\n\n",
		.events = b,
		.retry = -1,
	};
	run_case(&c3);

	/* Not at the start: part of the data. */
	static const struct expect mid[] = {
		EV("message", "", "a"),
		EV("message", "", "\xEF\xBB\xBF"),
		END,
	};
	struct sse_case c4 = {
		.input = "data: a\n\n\xEF\xBB\xBF"
			 "data: b\n\ndata: \xEF\xBB\xBF\n\n",
		.events = mid,
		.retry = -1,
	};
	run_case(&c4);
}

static void test_bom_then_stream_end(void **state)
{
	(void)state;
	struct recorder r = {STRBUF_INIT, 0, 0};
	struct sse_parser *p = sse_parser_new(0, recorder_event, &r);
	assert_int_equal(sse_parser_feed(p, "\xEF\xBB", 2), 0);
	assert_int_equal(sse_parser_pending(p), 2);
	sse_parser_finish(p);
	/* finish() starts a new stream: its BOM is skipped again. */
	assert_int_equal(sse_parser_feed(p,
					 "\xEF\xBB\xBF"
					 "data: x\n\n",
					 12),
			 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(strbuf_str(&r.log), "message||1:x\n");
	sse_parser_delete(p);
	strbuf_done(&r.log);
}

static void test_comments(void **state)
{
	(void)state;
	static const struct expect ev[] = {EV("message", "", "a\nb"), END};
	struct sse_case c = {
		.input = ": hello\n:\n: ping\n\ndata: a\n: between\ndata: b\n:data: no\n\n",
		.events = ev,
		.retry = -1,
	};
	run_case(&c);
}

static void test_fields(void **state)
{
	(void)state;
	static const struct expect ev[] = {
		EV("add", "7", "x"),     EV("message", "7", "y"), EV("message", "", "z"),
		EV("ignored", "9", "w"), EV("message", "9", "v"), END,
	};
	struct sse_case c = {
		.input = "event: add\nid: 7\nretry: 1500\ndata: x\n\n"
			 "data: y\nretry: 12a\nretry:\nretry: -5\n\n"
			 "id\ndata: z\nevent\n\n"
			 "id: 9\n\ndata: w\nfoo: bar\nevent: ignored\n\nevent:\ndata: v\n\n",
		.events = ev,
		.retry = 1500,
	};
	run_case(&c);

	/* An id with NUL is ignored; huge retry values saturate. */
	static const struct expect nul[] = {EV("message", "a", "1"), EV("m", "a", "2"), END};
	static const char in[] = "id: a\n"
				 "data: 1\n\n"
				 "id: b\0c\n"
				 "event:m\ndata: 2\n\n"
				 "retry: 99999999999999999999999999\n";
	struct sse_case c2 = {.input = in, .len = sizeof(in) - 1, .events = nul, .retry = LONG_MAX};
	run_case(&c2);
}

static void test_multiline_data(void **state)
{
	(void)state;
	static const struct expect ev[] = {EV("message", "", "a\nb\n\n\n c"), END};
	struct sse_case c = {
		.input = "data: a\ndata:b\ndata\ndata:\ndata:  c\n\n", .events = ev, .retry = -1};
	run_case(&c);
}

static void test_space_after_colon(void **state)
{
	(void)state;
	static const struct expect ev[] = {
		EV("message", "", "x"),  EV("message", "", "x"),   EV("message", "", " x"),
		EV("message", "", "x "), EV("message", "", "\tx"), END,
	};
	struct sse_case c = {
		.input = "data:x\n\ndata: x\n\ndata:  x\n\ndata: x \n\ndata:\tx\n\n",
		.events = ev,
		.retry = -1,
	};
	run_case(&c);
}

static void test_no_colon_and_empty_data(void **state)
{
	(void)state;
	static const struct expect ev[] = {
		EV("message", "", ""),
		EV("message", "", ""),
		EV("message", "", "\n"),
		EV("message", "", "d"),
		END,
	};
	struct sse_case c = {
		.input = "data\n\ndata:\n\ndata:\ndata\n\ndata:d\nevent\n\n",
		.events = ev,
		.retry = -1,
	};
	run_case(&c);
}

static void test_no_data_not_dispatched(void **state)
{
	(void)state;
	/* The type of an event without data is forgotten, the id is not. */
	static const struct expect ev[] = {EV("message", "5", "a"), END};
	struct sse_case c = {
		.input = "event: foo\n\nid: 5\n\n\n\n\ndata: a\n\nevent: bar\n\n",
		.events = ev,
		.retry = -1,
	};
	run_case(&c);
}

static void test_incomplete_at_eof(void **state)
{
	(void)state;
	static const struct expect ev[] = {EV("message", "", "a"), END};
	struct sse_case c = {.input = "data: a\n\ndata: b\n", .events = ev, .retry = -1};
	run_case(&c);
	struct sse_case c2 = {.input = "data: a\n\ndata: b", .events = ev, .retry = -1};
	run_case(&c2);
	struct sse_case c3 = {.input = "data: a\n\ndata: b\r", .events = ev, .retry = -1};
	run_case(&c3);
}

static void test_nul_in_data(void **state)
{
	(void)state;
	struct recorder r = {STRBUF_INIT, 0, 0};
	struct sse_parser *p = sse_parser_new(0, recorder_event, &r);
	static const char in[] = "data: a\0b\n\n";
	assert_int_equal(sse_parser_feed(p, in, sizeof(in) - 1), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.log.len, strlen("message||3:") + 4);
	assert_memory_equal(r.log.data, "message||3:a\0b\n", r.log.len);
	sse_parser_delete(p);
	strbuf_done(&r.log);
}

/* Return a newly allocated "data: " + n times c + "\n\n"; the caller frees
 * it.  *len gets its length. */
static char *make_long_event(size_t n, char c, size_t *len)
{
	char *s = malloc(n + 9);
	assert_non_null(s);
	memcpy(s, "data: ", 6);
	memset(s + 6, c, n);
	memcpy(s + 6 + n, "\n\n", 3);
	*len = n + 8;
	return s;
}

static void test_5mb_line(void **state)
{
	(void)state;
	size_t n = (size_t)5 << 20;
	size_t len;
	char *in = make_long_event(n, 'x', &len);
	/* The expected data ends before the "\n\n". */
	char *data = malloc(n + 1);
	assert_non_null(data);
	memcpy(data, in + 6, n);
	data[n] = '\0';
	struct expect ev[] = {EV("message", "", data), END};
	struct sse_case c = {.input = in, .len = len, .events = ev, .retry = -1};
	run_case(&c);
	free(data);
	free(in);
}

static void test_line_too_long(void **state)
{
	(void)state;
	static const struct expect ev[] = {EV("message", "", "short"), END};
	struct sse_case c = {
		.input = "data: short\n\ndata: 0123456789abcdef\n\ndata: after\n\n",
		.max_line = 16,
		.events = ev,
		.rc = SSE_ERR_LINE_TOO_LONG,
		.retry = -1,
	};
	run_case(&c);

	/* A line of exactly max_line bytes is fine, whatever its end. */
	static const struct expect ok[] = {EV("message", "", "01234"), EV("message", "", "56789"),
					   END};
	struct sse_case c2 = {
		.input = "data:01234\r\n\r\ndata:56789\r\r",
		.max_line = 10,
		.events = ok,
		.retry = -1,
	};
	run_case(&c2);

	/* A partial line that outgrows the cap fails before its end arrives. */
	struct recorder r = {STRBUF_INIT, 0, 0};
	struct sse_parser *p = sse_parser_new(8, recorder_event, &r);
	assert_int_equal(sse_parser_feed(p, "data: 12", 8), 0);
	assert_int_equal(sse_parser_feed(p, "3", 1), SSE_ERR_LINE_TOO_LONG);
	assert_int_equal(sse_parser_feed(p, "\n\n", 2), SSE_ERR_LINE_TOO_LONG);
	assert_true(sse_parser_pending(p) <= 8);
	sse_parser_delete(p);
	strbuf_done(&r.log);
}

static void test_callback_stops(void **state)
{
	(void)state;
	static const struct expect ev[] = {EV("message", "", "a"), EV("message", "", "b"), END};
	struct sse_case c = {
		.input = "data: a\n\ndata: b\n\ndata: c\n\n",
		.stop_after = 2,
		.events = ev,
		.rc = 7,
		.retry = -1,
	};
	run_case(&c);
}

static void test_utf8_split(void **state)
{
	(void)state;
	static const struct expect ev[] = {
		EV("message", "", "h\xC3\xA9llo \xF0\x9F\x98\x80 \xE2\x82\xAC"),
		EV("\xE2\x9C\x93", "\xC3\xA9", "\xFF\xFE invalid kept"),
		END,
	};
	struct sse_case c = {
		.input = "data: h\xC3\xA9llo \xF0\x9F\x98\x80 \xE2\x82\xAC\n\n"
			 "event: \xE2\x9C\x93\nid: \xC3\xA9\ndata: \xFF\xFE invalid kept\n\n",
		.events = ev,
		.retry = -1,
	};
	run_case(&c);
}

static void test_openai_stream(void **state)
{
	(void)state;
	static const struct expect ev[] = {
		EV("message", "",
		   "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":"
		   "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}"),
		EV("message", "",
		   "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":"
		   "{\"content\":\"Hello\"}}]}"),
		EV("message", "",
		   "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{},"
		   "\"finish_reason\":\"stop\"}]}"),
		EV("message", "", "[DONE]"),
		END,
	};
	struct sse_case c = {
		.input =
			": OPENROUTER PROCESSING\n\n"
			"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":"
			"[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
			"data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":"
			"{\"content\":\"Hello\"}}]}\n\n"
			"data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{},"
			"\"finish_reason\":\"stop\"}]}\n\n"
			"data: [DONE]\n\n",
		.events = ev,
		.retry = -1,
	};
	run_case(&c);
}

static void test_pending(void **state)
{
	(void)state;
	struct recorder r = {STRBUF_INIT, 0, 0};
	struct sse_parser *p = sse_parser_new(0, recorder_event, &r);
	assert_int_equal(sse_parser_pending(p), 0);
	assert_int_equal(sse_parser_retry(p), -1);
	assert_int_equal(sse_parser_feed(p, "data: abc", 9), 0);
	assert_int_equal(sse_parser_pending(p), 9);
	assert_int_equal(sse_parser_feed(p, "\nevent: e\n", 10), 0);
	assert_int_equal(sse_parser_pending(p), 5);
	assert_int_equal(sse_parser_feed(p, "\n", 1), 0);
	assert_int_equal(sse_parser_pending(p), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(sse_parser_feed(p, "", 0), 0);
	sse_parser_delete(p);
	sse_parser_delete(NULL);
	strbuf_done(&r.log);
}

/* Count events and bytes without recording them. */
static int count_event(void *ud, const struct sse_event *ev)
{
	size_t *total = ud;
	*total += ev->data_len;
	return 0;
}

static void test_20mb_line_in_pieces(void **state)
{
	(void)state;
	/* A quadratic rescan of the partial line would take minutes here. */
	size_t n = (size_t)20 << 20;
	size_t len;
	char *in = make_long_event(n, 'y', &len);
	size_t total = 0;
	struct sse_parser *p = sse_parser_new(0, count_event, &total);
	for (size_t off = 0; off < len; off += 1000)
		assert_int_equal(sse_parser_feed(p, in + off, len - off < 1000 ? len - off : 1000),
				 0);
	assert_int_equal(total, n);
	sse_parser_delete(p);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lf),
		cmocka_unit_test(test_cr),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_mixed_line_ends),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_bom_then_stream_end),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_multiline_data),
		cmocka_unit_test(test_space_after_colon),
		cmocka_unit_test(test_no_colon_and_empty_data),
		cmocka_unit_test(test_no_data_not_dispatched),
		cmocka_unit_test(test_incomplete_at_eof),
		cmocka_unit_test(test_nul_in_data),
		cmocka_unit_test(test_5mb_line),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_utf8_split),
		cmocka_unit_test(test_openai_stream),
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_20mb_line_in_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
