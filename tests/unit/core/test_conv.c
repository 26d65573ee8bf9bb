/* The conversation model: turns, answers built from deltas, and the
 * messages a request sends. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/conv.h"

/* Apply a delta of kind to choice ch of m. */
static void apply(struct conv_msg *m, enum chunk_delta_kind kind, int ch, int tool, const char *s)
{
	struct chunk_delta d = {kind, ch, tool, s, strlen(s)};
	assert_int_equal(conv_answer_apply(m, &d), 0);
}

/* Add a user message with text and return its index. */
static size_t user(struct conv *c, const char *text)
{
	size_t i = conv_add_user(c, 100);
	conv_msg_add_text(conv_msg_at(c, i), text, strlen(text));
	return i;
}

/* Add a finished answer with content and return its index. */
static size_t answer(struct conv *c, const char *text, enum conv_state st)
{
	size_t i = conv_add_answer(c, 101, "m");
	struct conv_msg *m = conv_msg_at(c, i);
	if (*text)
		apply(m, CHUNK_DELTA_CONTENT, 0, -1, text);
	conv_answer_finish(m, st, st == CONV_ERROR ? "boom" : NULL);
	return i;
}

static void test_empty(void **state)
{
	(void)state;
	struct conv c;
	conv_init(&c);
	assert_int_equal(conv_last_user(&c), (size_t)-1);
	assert_int_equal(conv_tokens_used(&c), 0);
	assert_null(conv_msg_at(&c, 0));
	struct conv_request r;
	conv_request_build(&c, 0, &r);
	assert_int_equal(r.n_msgs, 0);
	conv_request_done(&r);
	conv_done(&c);
}

static void test_parts_and_text(void **state)
{
	(void)state;
	struct conv c;
	conv_init(&c);
	size_t i = conv_add_user(&c, 5);
	struct conv_msg *m = conv_msg_at(&c, i);
	conv_msg_add_text(m, "hello\0ignored", 5);
	conv_msg_add_image(m, "data:image/png;base64,AAAA", "a.png", "image/png", 3, 2, 10);
	conv_msg_add_text(m, "world", 5);
	assert_int_equal(m->time, 5);
	assert_int_equal(m->n_parts, 3);
	assert_int_equal(conv_msg_n_images(m), 1);
	assert_string_equal(m->parts[1].name, "a.png");
	assert_int_equal(m->parts[1].width, 3);
	char *t = conv_msg_text(m);
	assert_string_equal(t, "hello\nworld");
	free(t);
	conv_done(&c);
}

static void test_deltas(void **state)
{
	(void)state;
	struct conv c;
	conv_init(&c);
	size_t i = conv_add_answer(&c, 1, "gpt");
	struct conv_msg *m = conv_msg_at(&c, i);
	assert_int_equal(m->state, CONV_STREAMING);
	assert_string_equal(m->model, "gpt");
	apply(m, CHUNK_DELTA_ROLE, 0, -1, "assistant");
	apply(m, CHUNK_DELTA_REASONING, 0, -1, "think ");
	apply(m, CHUNK_DELTA_CONTENT, 0, -1, "Hel");
	apply(m, CHUNK_DELTA_CONTENT, 0, -1, "lo");
	apply(m, CHUNK_DELTA_CONTENT, 2, -1, "third");
	apply(m, CHUNK_DELTA_TOOL_NAME, 1, 1, "look");
	apply(m, CHUNK_DELTA_TOOL_CALL, 1, 1, "{\"a\":");
	apply(m, CHUNK_DELTA_TOOL_CALL, 1, 1, "1}");
	apply(m, CHUNK_DELTA_FINISH, 0, -1, "stop");
	apply(m, CHUNK_DELTA_FINISH, 0, -1, "length");
	assert_int_equal(m->n_choices, 3);
	assert_string_equal(m->choices[0].content.data, "Hello");
	assert_string_equal(m->choices[0].reasoning.data, "think ");
	assert_string_equal(m->choices[0].finish_reason, "length");
	assert_string_equal(m->choices[2].content.data, "third");
	assert_int_equal(m->choices[1].n_tool_calls, 2);
	assert_string_equal(m->choices[1].tool_calls[1].arguments.data, "{\"a\":1}");
	assert_null(m->choices[1].content.data);
	struct chunk_delta bad = {CHUNK_DELTA_CONTENT, 100000, -1, "x", 1};
	assert_int_equal(conv_answer_apply(m, &bad), -1);
	struct chunk_delta badtool = {CHUNK_DELTA_TOOL_CALL, 0, -3, "x", 1};
	assert_int_equal(conv_answer_apply(m, &badtool), -1);
	assert_null(conv_answer_choice(m, 3));
	conv_answer_set_usage(m, 3, 4, 7);
	conv_answer_finish(m, CONV_DONE, NULL);
	assert_int_equal(conv_tokens_used(&c), 7);
	assert_true(conv_answer_usable(m));
	m->chosen = 2;
	assert_true(conv_answer_usable(m));
	conv_done(&c);
}

static void test_request_multi_turn(void **state)
{
	(void)state;
	struct conv c;
	conv_init(&c);
	user(&c, "q1");
	answer(&c, "a1", CONV_DONE);
	size_t u2 = user(&c, "q2");
	conv_msg_add_image(conv_msg_at(&c, u2), "data:x", "x.png", NULL, 0, 0, 0);
	answer(&c, "", CONV_ERROR);          /* failed: not sent back */
	answer(&c, "a2 partial", CONV_INTERRUPTED); /* kept as context */
	size_t u3 = user(&c, "q3");
	struct conv_request r;
	conv_request_build(&c, u3, &r);
	assert_int_equal(r.n_msgs, 5);
	assert_string_equal(r.msgs[0].role, "user");
	assert_string_equal(r.msgs[0].parts[0].text, "q1");
	assert_string_equal(r.msgs[1].role, "assistant");
	assert_string_equal(r.msgs[1].parts[0].text, "a1");
	assert_int_equal(r.msgs[2].n_parts, 2);
	assert_int_equal(r.msgs[2].parts[1].kind, CHAT_PART_IMAGE);
	assert_string_equal(r.msgs[2].parts[1].url, "data:x");
	assert_string_equal(r.msgs[3].parts[0].text, "a2 partial");
	assert_string_equal(r.msgs[4].parts[0].text, "q3");
	conv_request_done(&r);
	conv_done(&c);
}

static void test_request_retry_picks_last_answer(void **state)
{
	(void)state;
	struct conv c;
	conv_init(&c);
	user(&c, "q1");
	answer(&c, "first", CONV_DONE);
	answer(&c, "second", CONV_DONE); /* a /retry */
	user(&c, "q2");
	answer(&c, "a2", CONV_DONE);
	/* Retrying q2: its own answers are left out, q1's last one is in. */
	size_t last = conv_last_user(&c);
	assert_int_equal(last, 3);
	struct conv_request r;
	conv_request_build(&c, last, &r);
	assert_int_equal(r.n_msgs, 3);
	assert_string_equal(r.msgs[1].parts[0].text, "second");
	assert_string_equal(r.msgs[2].parts[0].text, "q2");
	conv_request_done(&r);
	/* Building past the end clamps to the last message. */
	conv_request_build(&c, 99, &r);
	assert_int_equal(r.n_msgs, 4);
	conv_request_done(&r);
	conv_done(&c);
}

static void test_request_tool_calls(void **state)
{
	(void)state;
	struct conv c;
	conv_init(&c);
	user(&c, "q");
	size_t a = conv_add_answer(&c, 1, NULL);
	struct conv_msg *m = conv_msg_at(&c, a);
	apply(m, CHUNK_DELTA_TOOL_NAME, 0, 0, "f");
	apply(m, CHUNK_DELTA_TOOL_CALL, 0, 0, "{}");
	m->choices[0].tool_calls[0].id = strdup("call_1");
	conv_answer_finish(m, CONV_DONE, NULL);
	size_t t = conv_add_tool(&c, 2, "call_1", "42");
	struct conv_request r;
	conv_request_build(&c, t, &r);
	assert_int_equal(r.n_msgs, 3);
	assert_non_null(r.msgs[1].tool_calls);
	assert_string_equal(json_object_to_json_string_ext(r.msgs[1].tool_calls, JSON_C_TO_STRING_PLAIN),
			    "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
			    "\"arguments\":\"{}\"}}]");
	assert_string_equal(r.msgs[2].role, "tool");
	assert_string_equal(r.msgs[2].tool_call_id, "call_1");
	assert_string_equal(r.msgs[2].parts[0].text, "42");
	conv_request_done(&r);
	conv_done(&c);
}

static void test_empty_user_turn_has_content(void **state)
{
	(void)state;
	struct conv c;
	conv_init(&c);
	size_t u = conv_add_user(&c, 1);
	struct conv_request r;
	conv_request_build(&c, u, &r);
	assert_int_equal(r.n_msgs, 1);
	assert_int_equal(r.msgs[0].n_parts, 1);
	assert_string_equal(r.msgs[0].parts[0].text, "");
	conv_request_done(&r);
	/* conv_done leaves it reusable. */
	conv_done(&c);
	user(&c, "again");
	assert_int_equal(c.n_msgs, 1);
	conv_done(&c);
}

/* Logprob entries from the JSON chunk.h keeps: token, logprob, top list;
 * a second call takes only the new ones; malformed entries keep a place. */
static void test_logprobs(void **state)
{
	(void)state;
	struct conv c;
	conv_init(&c);
	size_t a = conv_add_answer(&c, 1, "m");
	struct conv_msg *m = conv_msg_at(&c, a);
	json_object *arr = json_tokener_parse(
		"[{\"token\": \"Hi\", \"logprob\": -0.5, \"top_logprobs\": ["
		"{\"token\": \"Hi\", \"logprob\": -0.5}, {\"token\": \"Yo\", \"logprob\": -1}]},"
		"{\"token\": \"a\\u0000b\", \"logprob\": 0}]");
	assert_non_null(arr);
	assert_int_equal(conv_answer_add_logprobs(m, 1, arr, 0), 2);
	const struct conv_choice *ch = conv_answer_choice(m, 1);
	assert_non_null(ch);
	assert_int_equal(ch->n_logprobs, 2);
	assert_string_equal(ch->logprobs[0].token, "Hi");
	assert_true(ch->logprobs[0].logprob == -0.5);
	assert_int_equal(ch->logprobs[0].n_top, 2);
	assert_string_equal(ch->logprobs[0].top[1].token, "Yo");
	assert_true(ch->logprobs[0].top[1].logprob == -1.0);
	assert_int_equal(ch->logprobs[1].len, 3); /* the NUL is kept */
	assert_memory_equal(ch->logprobs[1].token, "a\0b", 3);
	assert_int_equal(ch->logprobs[1].n_top, 0);
	/* Nothing new: nothing added; then one new and one malformed entry. */
	assert_int_equal(conv_answer_add_logprobs(m, 1, arr, 2), 2);
	json_object_array_add(arr, json_object_new_string("junk"));
	assert_int_equal(conv_answer_add_logprobs(m, 1, arr, 2), 3);
	ch = conv_answer_choice(m, 1);
	assert_string_equal(ch->logprobs[2].token, "");
	assert_int_equal(conv_answer_add_logprobs(m, 1, NULL, 0), 3);
	assert_int_equal(conv_answer_add_logprobs(m, -1, arr, 0), 0);
	json_object_put(arr);
	conv_done(&c);
}

/* A tool call's id is set once; choosing a choice changes what is sent. */
static void test_tool_id_and_choose(void **state)
{
	(void)state;
	struct conv c;
	conv_init(&c);
	size_t u = conv_add_user(&c, 1);
	conv_msg_add_text(conv_msg_at(&c, u), "q", 1);
	size_t a = conv_add_answer(&c, 2, "m");
	struct conv_msg *m = conv_msg_at(&c, a);
	apply(m, CHUNK_DELTA_CONTENT, 0, -1, "zero");
	apply(m, CHUNK_DELTA_TOOL_NAME, 1, 0, "f");
	apply(m, CHUNK_DELTA_TOOL_CALL, 1, 0, "{}");
	assert_int_equal(conv_answer_set_tool_id(m, 1, 0, "call_1"), 0);
	assert_int_equal(conv_answer_set_tool_id(m, 1, 0, "other"), 0);
	assert_string_equal(conv_answer_choice(m, 1)->tool_calls[0].id, "call_1");
	assert_int_equal(conv_answer_set_tool_id(m, 1, -1, "x"), -1);
	assert_int_equal(conv_answer_choose(m, 2), -1);
	assert_int_equal(m->chosen, 0);
	assert_int_equal(conv_answer_choose(m, 1), 0);
	conv_answer_finish(m, CONV_DONE, NULL);
	size_t t = conv_add_tool(&c, 3, "call_1", "result");
	struct conv_request r;
	conv_request_build(&c, t, &r);
	assert_int_equal(r.n_msgs, 3);
	assert_string_equal(r.msgs[1].role, "assistant");
	assert_non_null(r.msgs[1].tool_calls);
	json_object *call = json_object_array_get_idx(r.msgs[1].tool_calls, 0), *id = NULL;
	assert_true(json_object_object_get_ex(call, "id", &id));
	assert_string_equal(json_object_get_string(id), "call_1");
	assert_string_equal(r.msgs[2].role, "tool");
	assert_string_equal(r.msgs[2].tool_call_id, "call_1");
	conv_request_done(&r);
	conv_done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_parts_and_text),
		cmocka_unit_test(test_deltas),
		cmocka_unit_test(test_request_multi_turn),
		cmocka_unit_test(test_request_retry_picks_last_answer),
		cmocka_unit_test(test_request_tool_calls),
		cmocka_unit_test(test_empty_user_turn_has_content),
		cmocka_unit_test(test_logprobs),
		cmocka_unit_test(test_tool_id_and_choose),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
