/* --each: the shared rate-limit state, input-order turns, the progress
 * line, and the records that a second run resumes from. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "batch-record.h"
#include "batch-sched.h"

static const char *SHA_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char *SHA_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

static void test_sched_starts_up_to_jobs(void **state)
{
	(void)state;
	struct batch_sched s;
	batch_sched_init(&s, 4);
	assert_true(batch_sched_may_start(&s, 0, 10.0));
	assert_true(batch_sched_may_start(&s, 3, 10.0));
	assert_false(batch_sched_may_start(&s, 4, 10.0));
	assert_int_equal(batch_sched_wait_ms(&s, 10.0), 0);
	batch_sched_init(&s, 0);
	assert_int_equal(s.max_jobs, 1);
	assert_true(batch_sched_may_start(&s, 0, 0));
	assert_false(batch_sched_may_start(&s, 1, 0));
}

static void test_sched_429_pauses_and_halves_once_per_episode(void **state)
{
	(void)state;
	struct batch_sched s;
	batch_sched_init(&s, 8);
	assert_true(batch_sched_limited(&s, 100.0, 1.5));
	assert_int_equal(s.limit, 4);
	assert_int_equal(s.n_limited, 1);
	/* Nothing starts during the pause, whatever is running. */
	assert_false(batch_sched_may_start(&s, 0, 101.0));
	assert_int_equal(batch_sched_wait_ms(&s, 101.0), 501);
	/* The other requests in flight refused together: the same episode. */
	assert_false(batch_sched_limited(&s, 100.2, 2.0));
	assert_int_equal(s.limit, 4);
	assert_int_equal(s.n_limited, 1);
	assert_false(batch_sched_may_start(&s, 0, 102.1));
	/* After the pause: up to the lowered limit. */
	assert_true(batch_sched_may_start(&s, 3, 102.2));
	assert_false(batch_sched_may_start(&s, 4, 102.2));
	/* A later 429 is a new episode and halves again, never below 1. */
	assert_true(batch_sched_limited(&s, 110.0, 0));
	assert_int_equal(s.limit, 2);
	batch_sched_limited(&s, 120.0, 0);
	batch_sched_limited(&s, 130.0, 0);
	assert_int_equal(s.limit, 1);
	assert_true(batch_sched_may_start(&s, 0, 130.0));
}

static void test_sched_raises_after_a_round_of_answers(void **state)
{
	(void)state;
	struct batch_sched s;
	batch_sched_init(&s, 4);
	batch_sched_limited(&s, 0, 1.0);
	assert_int_equal(s.limit, 2);
	/* Answers that arrive during the pause do not count. */
	batch_sched_succeeded(&s, 0.5);
	batch_sched_succeeded(&s, 0.6);
	assert_int_equal(s.limit, 2);
	batch_sched_succeeded(&s, 1.1);
	assert_int_equal(s.limit, 2);
	batch_sched_succeeded(&s, 1.2);
	assert_int_equal(s.limit, 3);
	for (int i = 0; i < 3; i++)
		batch_sched_succeeded(&s, 2.0);
	assert_int_equal(s.limit, 4);
	for (int i = 0; i < 20; i++)
		batch_sched_succeeded(&s, 3.0);
	assert_int_equal(s.limit, 4);
	/* A 429 in the middle of a round starts the count again. */
	batch_sched_limited(&s, 10.0, 0);
	batch_sched_succeeded(&s, 10.0);
	batch_sched_limited(&s, 10.5, 0);
	assert_int_equal(s.limit, 1);
	batch_sched_succeeded(&s, 11.0);
	assert_int_equal(s.limit, 2);
}

static void test_order_next(void **state)
{
	(void)state;
	bool done[5] = {false, true, true, false, true};
	assert_int_equal(batch_order_next(done, 5, 0), 0);
	done[0] = true;
	assert_int_equal(batch_order_next(done, 5, 0), 3);
	done[3] = true;
	assert_int_equal(batch_order_next(done, 5, 3), 5);
	assert_int_equal(batch_order_next(done, 0, 0), 0);
}

static void test_progress_line(void **state)
{
	(void)state;
	struct batch_progress p = {.total = 20, .done = 4, .failed = 1, .running = 4,
				   .tokens = 1234, .elapsed = 10.0};
	assert_true(batch_eta(&p) > 29.9 && batch_eta(&p) < 30.1);
	struct strbuf sb = STRBUF_INIT;
	batch_progress_format(&sb, &p);
	assert_string_equal(strbuf_str(&sb),
			    "[5/20] 4 done, 1 failed, 4 running, 1234 tokens, about 0:30 left");
	strbuf_reset(&sb);
	p.done = p.failed = 0;
	p.paused = true;
	assert_true(batch_eta(&p) < 0);
	batch_progress_format(&sb, &p);
	assert_string_equal(strbuf_str(&sb),
			    "[0/20] 0 done, 0 failed, 4 running, 1234 tokens, paused (rate limit)");
	strbuf_reset(&sb);
	p.paused = false;
	p.done = 1;
	p.elapsed = 4000;
	batch_progress_format(&sb, &p);
	assert_non_null(strstr(strbuf_str(&sb), "about 21:06:40 left"));
	strbuf_done(&sb);
}

static void test_record_round_trip(void **state)
{
	(void)state;
	char *group[] = {"a b.png", "c\"d.png"};
	struct batch_record r;
	batch_record_init(&r);
	r.file = "a b.png";
	memcpy(r.sha256, SHA_A, 65);
	r.bytes = 1234;
	r.width = 64;
	r.height = 48;
	r.sent_bytes = 999;
	r.sent_width = 32;
	r.sent_height = 24;
	r.group = group;
	r.n_group = 2;
	r.answer = "line one\nline \"two\" / ünï";
	r.finish_reason = "stop";
	r.model = "test-model";
	r.has_usage = true;
	r.prompt_tokens = 90;
	r.completion_tokens = 10;
	r.total_tokens = 100;
	r.started = 1700000000.1234;
	r.first_byte_s = 0.0504;
	r.total_s = 1.25;
	r.attempts = 2;
	size_t len;
	char *line = batch_record_encode(&r, &len);
	assert_int_equal(strlen(line), len);
	assert_int_equal(line[len - 1], '\n');
	assert_null(memchr(line, '\n', len - 1)); /* one line */
	assert_non_null(strstr(line, "\"error\":null"));
	assert_non_null(strstr(line, "\"first_byte_s\":0.05"));

	struct batch_record d;
	assert_int_equal(batch_record_decode(line, len - 1, &d), 0);
	assert_string_equal(d.file, "a b.png");
	assert_string_equal(d.sha256, SHA_A);
	assert_int_equal(d.bytes, 1234);
	assert_int_equal(d.width, 64);
	assert_int_equal(d.sent_height, 24);
	assert_int_equal(d.n_group, 2);
	assert_string_equal(d.group[1], "c\"d.png");
	assert_string_equal(d.answer, r.answer);
	assert_string_equal(d.finish_reason, "stop");
	assert_true(d.has_usage);
	assert_int_equal(d.total_tokens, 100);
	assert_int_equal(d.attempts, 2);
	assert_true(d.total_s > 1.249 && d.total_s < 1.251);
	assert_null(d.error);
	assert_true(batch_record_complete(&d));
	batch_record_done(&d);
	free(line);
}

static void test_record_failure_and_garbage(void **state)
{
	(void)state;
	struct batch_record r;
	batch_record_init(&r);
	r.file = "missing.png";
	r.error = "cannot read missing.png: No such file or directory";
	char *line = batch_record_encode(&r, NULL);
	assert_non_null(strstr(line, "\"sha256\":null"));
	assert_non_null(strstr(line, "\"answer\":null"));
	assert_non_null(strstr(line, "\"usage\":null"));
	struct batch_record d;
	assert_int_equal(batch_record_decode(line, strlen(line), &d), 0);
	assert_false(batch_record_complete(&d));
	assert_string_equal(d.error, r.error);
	assert_int_equal(d.bytes, -1);
	batch_record_done(&d);
	free(line);

	/* Partial answers are not complete: an answer without finish_reason. */
	const char *partial = "{\"file\":\"x.png\",\"sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			      "aaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"answer\":\"half\",\"error\":null}";
	assert_int_equal(batch_record_decode(partial, strlen(partial), &d), 0);
	assert_false(batch_record_complete(&d));
	batch_record_done(&d);

	const char *bad[] = {"", "{", "[]", "{\"file\":1}", "{\"sha256\":\"x\"}",
			     "{\"file\":\"a\",\"sha256\":\"short\"}", "{\"file\":\"a\"} trailing"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(batch_record_decode(bad[i], strlen(bad[i]), &d), -1);
}

/* Build one record line for file/sha, complete or failed; caller frees. */
static char *record_line(const char *file, const char *sha, bool ok)
{
	struct batch_record r;
	batch_record_init(&r);
	r.file = (char *)file;
	memcpy(r.sha256, sha, 65);
	if (ok) {
		r.answer = "fine";
		r.finish_reason = "stop";
	} else {
		r.error = "HTTP 500";
	}
	return batch_record_encode(&r, NULL);
}

static void test_resume_index(void **state)
{
	(void)state;
	char *l1 = record_line("a.png", SHA_A, true);
	char *l2 = record_line("b.png", SHA_B, false);
	char *l3 = record_line("c.png", SHA_A, false);
	char *l4 = record_line("c.png", SHA_A, true); /* retried later: complete */
	char *text = NULL;
	size_t n = strlen(l1) + strlen(l2) + strlen(l3) + strlen(l4) + 64;
	text = calloc(1, n);
	strcat(text, l1);
	strcat(text, "not json\n\n");
	strcat(text, l2);
	strcat(text, l3);
	strcat(text, l4);
	strcat(text, "{\"file\":\"d.png\",\"sha"); /* torn by a crash */
	struct batch_resume rs;
	batch_resume_load(&rs, text, strlen(text));
	assert_int_equal(rs.n, 4);
	assert_int_equal(rs.n_bad, 2);
	assert_true(rs.torn_end);
	assert_true(batch_resume_complete(&rs, "a.png", SHA_A));
	/* The same path with other content (the file changed): ask again. */
	assert_false(batch_resume_complete(&rs, "a.png", SHA_B));
	assert_false(batch_resume_complete(&rs, "b.png", SHA_B));
	assert_int_equal(batch_resume_failed(&rs, "b.png", SHA_B), 1);
	assert_true(batch_resume_complete(&rs, "c.png", SHA_A));
	assert_false(batch_resume_complete(&rs, "d.png", SHA_A));
	assert_false(batch_resume_complete(&rs, "", ""));
	batch_resume_done(&rs);
	batch_resume_load(&rs, "", 0);
	assert_int_equal(rs.n, 0);
	assert_false(rs.torn_end);
	batch_resume_done(&rs);
	free(text);
	free(l1);
	free(l2);
	free(l3);
	free(l4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sched_starts_up_to_jobs),
		cmocka_unit_test(test_sched_429_pauses_and_halves_once_per_episode),
		cmocka_unit_test(test_sched_raises_after_a_round_of_answers),
		cmocka_unit_test(test_order_next),
		cmocka_unit_test(test_progress_line),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_failure_and_garbage),
		cmocka_unit_test(test_resume_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
