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

#include "core/chunk.h"
#include "core/strbuf.h"

/* Deltas are recorded as "K<choice>[.<tool>]:<text>|" with K one of
 * R(ole) C(ontent) Z (reasoning) N(ame) T(ool arguments) F(inish). */
static void record_delta(void *ud, const struct chunk_delta *d)
{
	static const char kinds[] = "RCZNTF";
	struct strbuf *log = ud;
	assert_non_null(d->text);
	assert_true(d->len > 0);
	if (d->kind == CHUNK_DELTA_TOOL_NAME || d->kind == CHUNK_DELTA_TOOL_CALL) {
		assert_true(d->tool_index >= 0);
		strbuf_printf(log, "%c%d.%d:", kinds[d->kind], d->choice, d->tool_index);
	} else {
		assert_int_equal(d->tool_index, -1);
		strbuf_printf(log, "%c%d:", kinds[d->kind], d->choice);
	}
	strbuf_append(log, d->text, d->len);
	strbuf_putc(log, '|');
}

/* Decode one event given as a C string, recording deltas into log. */
static enum chunk_result feed(struct chat_response *r, struct strbuf *log, const char *data)
{
	return chunk_decode_event(r, data, strlen(data), log ? record_delta : NULL, log);
}

/* Decode a completion body given as a C string, recording deltas into log. */
static enum chunk_result feed_body(struct chat_response *r, struct strbuf *log, const char *body)
{
	return chunk_decode_completion(r, body, strlen(body), log ? record_delta : NULL, log);
}

/* Return object o's member path a[.b] as a borrowed value (NULL: absent or
 * null). */
static json_object *get(json_object *o, const char *a, const char *b)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, a, &v) || !v)
		return NULL;
	if (b && !json_object_object_get_ex(v, b, &v))
		return NULL;
	return v;
}

/* Return object o's string member key, asserting it is one; borrowed. */
static const char *get_str(json_object *o, const char *key)
{
	json_object *v = get(o, key, NULL);
	assert_non_null(v);
	assert_true(json_object_is_type(v, json_type_string));
	return json_object_get_string(v);
}

static void test_typical_stream(void **state)
{
	(void)state;
	struct chat_response r;
	struct strbuf log = STRBUF_INIT;
	chat_response_init(&r);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_TRUNCATED);

	assert_int_equal(
		feed(&r, &log,
		     "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
		     "\"created\":1700000000,\"model\":\"gpt-4o\",\"system_fingerprint\":\"fp_1\","
		     "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
		     "\"logprobs\":null,\"finish_reason\":null}]}"),
		CHUNK_OK);
	assert_int_equal(
		feed(&r, &log,
		     "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000001,"
		     "\"model\":\"gpt-4o-2024\",\"system_fingerprint\":null,\"choices\":[{\"index\":0,"
		     "\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}"),
		CHUNK_OK);
	assert_int_equal(
		feed(&r, &log,
		     "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}"),
		CHUNK_OK);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_TRUNCATED);
	assert_int_equal(
		feed(&r, &log,
		     "{\"id\":\"chatcmpl-1\",\"system_fingerprint\":\"fp_2\",\"choices\":[{\"index\":0,"
		     "\"delta\":{},\"finish_reason\":\"stop\"}]}"),
		CHUNK_OK);
	assert_int_equal(
		feed(&r, &log,
		     "{\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,"
		     "\"completion_tokens\":2,\"total_tokens\":12,"
		     "\"completion_tokens_details\":{\"reasoning_tokens\":0},"
		     "\"prompt_tokens_details\":{\"cached_tokens\":4}}}"),
		CHUNK_OK);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_COMPLETE);
	assert_false(r.saw_done);
	assert_int_equal(feed(&r, &log, "[DONE]"), CHUNK_DONE);
	assert_true(r.saw_done);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_COMPLETE);

	assert_string_equal(strbuf_str(&log), "R0:assistant|C0:Hel|C0:lo|F0:stop|");
	assert_string_equal(r.id, "chatcmpl-1");
	assert_string_equal(r.object, "chat.completion.chunk");
	assert_string_equal(r.model, "gpt-4o");
	assert_int_equal(r.created, 1700000000);
	assert_string_equal(r.system_fingerprint, "fp_2");
	assert_int_equal(r.n_choices, 1);
	assert_true(r.choices[0].present);
	assert_string_equal(r.choices[0].role, "assistant");
	assert_string_equal(strbuf_str(&r.choices[0].content), "Hello");
	assert_true(r.choices[0].has_content);
	assert_string_equal(r.choices[0].finish_reason, "stop");
	assert_null(r.choices[0].logprobs_content);
	assert_int_equal(r.choices[0].n_tool_calls, 0);
	assert_true(r.usage.present);
	assert_int_equal(r.usage.prompt_tokens, 10);
	assert_int_equal(r.usage.completion_tokens, 2);
	assert_int_equal(r.usage.total_tokens, 12);
	assert_int_equal(r.usage.reasoning_tokens, 0);
	assert_int_equal(r.usage.cached_tokens, 4);
	assert_int_equal(r.n_events, 6);
	assert_int_equal(r.n_malformed, 0);
	assert_null(r.malformed_sample);
	assert_false(r.error.present);

	chat_response_done(&r);
	strbuf_done(&log);
}

static void test_interleaved_choices(void **state)
{
	(void)state;
	struct chat_response r;
	struct strbuf log = STRBUF_INIT;
	chat_response_init(&r);
	static const char *events[] = {
		"{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}",
		"{\"choices\":[{\"index\":2,\"delta\":{\"role\":\"assistant\",\"content\":\"c\"}}]}",
		"{\"choices\":[{\"index\":1,\"delta\":{\"role\":\"assistant\",\"content\":\"b\"}}]}",
		"{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}",
		"{\"choices\":[{\"index\":2,\"delta\":{\"content\":\"C\"},\"finish_reason\":\"stop\"}]}",
		("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"A\"}},"
		 "{\"index\":1,\"delta\":{\"content\":\"B\"}}]}"),
		"{\"choices\":[{\"index\":1,\"delta\":{},\"finish_reason\":\"length\"}]}",
	};
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		assert_int_equal(feed(&r, &log, events[i]), CHUNK_OK);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_TRUNCATED);
	assert_int_equal(
		feed(&r, &log,
		     "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"),
		CHUNK_OK);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_COMPLETE);

	assert_string_equal(strbuf_str(&log),
			    "R0:assistant|R2:assistant|C2:c|R1:assistant|C1:b|C0:a|"
			    "C2:C|F2:stop|C0:A|C1:B|F1:length|F0:stop|");
	assert_int_equal(r.n_choices, 3);
	assert_string_equal(strbuf_str(&r.choices[0].content), "aA");
	assert_string_equal(strbuf_str(&r.choices[1].content), "bB");
	assert_string_equal(strbuf_str(&r.choices[2].content), "cC");
	assert_string_equal(r.choices[1].finish_reason, "length");
	for (int i = 0; i < 3; i++)
		assert_int_equal(r.choices[i].index, i);

	json_object *j = chat_response_to_json(&r);
	json_object *choices = get(j, "choices", NULL);
	assert_int_equal(json_object_array_length(choices), 3);
	for (int i = 0; i < 3; i++) {
		json_object *c = json_object_array_get_idx(choices, (size_t)i);
		assert_int_equal(json_object_get_int(get(c, "index", NULL)), i);
	}
	json_object_put(j);
	chat_response_done(&r);
	strbuf_done(&log);
}

static void test_choice_gap(void **state)
{
	(void)state;
	/* Only choice 1 arrived: choice 0 is a gap, not part of the state. */
	struct chat_response r;
	chat_response_init(&r);
	assert_int_equal(feed(&r, NULL,
			      "{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"x\"},"
			      "\"finish_reason\":\"stop\"}]}"),
			 CHUNK_OK);
	assert_int_equal(r.n_choices, 2);
	assert_false(r.choices[0].present);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_COMPLETE);
	json_object *j = chat_response_to_json(&r);
	assert_int_equal(json_object_array_length(get(j, "choices", NULL)), 1);
	json_object_put(j);
	chat_response_done(&r);
}

static void test_reasoning(void **state)
{
	(void)state;
	struct chat_response r;
	struct strbuf log = STRBUF_INIT;
	chat_response_init(&r);
	assert_int_equal(feed(&r, &log,
			      "{\"choices\":[{\"delta\":{\"role\":\"assistant\","
			      "\"reasoning_content\":\"Let me \"}}]}"),
			 CHUNK_OK);
	assert_int_equal(feed(&r, &log,
			      "{\"choices\":[{\"delta\":{\"reasoning\":\"think.\","
			      "\"content\":null}}]}"),
			 CHUNK_OK);
	/* A server sending both names sends the same text: it counts once. */
	assert_int_equal(feed(&r, &log,
			      "{\"choices\":[{\"delta\":{\"reasoning_content\":\" Done.\","
			      "\"reasoning\":\" Done.\"}}]}"),
			 CHUNK_OK);
	assert_int_equal(feed(&r, &log,
			      "{\"choices\":[{\"delta\":{\"reasoning_content\":null,"
			      "\"content\":\"42\"}}]}"),
			 CHUNK_OK);
	assert_string_equal(strbuf_str(&log), "R0:assistant|Z0:Let me |Z0:think.|Z0: Done.|C0:42|");
	assert_string_equal(strbuf_str(&r.choices[0].reasoning), "Let me think. Done.");
	assert_string_equal(strbuf_str(&r.choices[0].content), "42");

	json_object *j = chat_response_to_json(&r);
	json_object *m =
		get(json_object_array_get_idx(get(j, "choices", NULL), 0), "message", NULL);
	assert_string_equal(get_str(m, "reasoning_content"), "Let me think. Done.");
	assert_string_equal(get_str(m, "content"), "42");
	json_object_put(j);
	chat_response_done(&r);
	strbuf_done(&log);
}

static void test_tool_calls(void **state)
{
	(void)state;
	struct chat_response r;
	struct strbuf log = STRBUF_INIT;
	chat_response_init(&r);
	static const char *events[] = {
		"{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,"
		"\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\","
		"\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}}]}",
		"{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
		"\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}}]}",
		"{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\","
		"\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"{\"}}]}}]}",
		/* Some servers repeat the id and the whole name in every piece. */
		"{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\","
		"\"function\":{\"name\":\"get_weather\",\"arguments\":\"\\\"Paris\\\"}\"}}]}}]}",
		"{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,"
		"\"function\":{\"arguments\":\"}\"}}]}}]}",
		"{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
	};
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		assert_int_equal(feed(&r, &log, events[i]), CHUNK_OK);
	assert_int_equal(feed(&r, &log, "[DONE]"), CHUNK_DONE);

	assert_string_equal(strbuf_str(&log),
			    "R0:assistant|N0.0:get_weather|T0.0:{\"city\":|N0.1:get_time|T0.1:{|"
			    "T0.0:\"Paris\"}|T0.1:}|F0:tool_calls|");
	struct chat_choice *c = &r.choices[0];
	assert_false(c->has_content);
	assert_int_equal(c->content.len, 0);
	assert_int_equal(c->n_tool_calls, 2);
	assert_string_equal(c->tool_calls[0].id, "call_a");
	assert_string_equal(c->tool_calls[0].type, "function");
	assert_string_equal(strbuf_str(&c->tool_calls[0].name), "get_weather");
	assert_string_equal(strbuf_str(&c->tool_calls[0].arguments), "{\"city\":\"Paris\"}");
	assert_string_equal(c->tool_calls[1].id, "call_b");
	assert_string_equal(strbuf_str(&c->tool_calls[1].name), "get_time");
	assert_string_equal(strbuf_str(&c->tool_calls[1].arguments), "{}");

	json_object *j = chat_response_to_json(&r);
	json_object *ch = json_object_array_get_idx(get(j, "choices", NULL), 0);
	json_object *m = get(ch, "message", NULL);
	json_object *content = NULL;
	assert_true(json_object_object_get_ex(m, "content", &content));
	assert_null(content);
	assert_string_equal(get_str(ch, "finish_reason"), "tool_calls");
	json_object *calls = get(m, "tool_calls", NULL);
	assert_int_equal(json_object_array_length(calls), 2);
	json_object *t1 = json_object_array_get_idx(calls, 1);
	assert_string_equal(get_str(t1, "id"), "call_b");
	assert_string_equal(get_str(t1, "type"), "function");
	assert_string_equal(json_object_get_string(get(t1, "function", "name")), "get_time");
	assert_string_equal(json_object_get_string(get(t1, "function", "arguments")), "{}");
	assert_null(get(m, "reasoning_content", NULL));
	json_object_put(j);
	chat_response_done(&r);
	strbuf_done(&log);
}

static void test_tool_call_variants(void **state)
{
	(void)state;
	struct chat_response r;
	struct strbuf log = STRBUF_INIT;
	chat_response_init(&r);
	/* A streamed name; no index (the position is used); object arguments. */
	assert_int_equal(
		feed(&r, &log,
		     "{\"choices\":[{\"delta\":{\"tool_calls\":["
		     "{\"function\":{\"name\":\"get_\"}},"
		     "{\"id\":\"x\",\"function\":{\"name\":\"f\",\"arguments\":{\"a\":1}}}]}}]}"),
		CHUNK_OK);
	assert_int_equal(feed(&r, &log,
			      "{\"choices\":[{\"delta\":{\"tool_calls\":["
			      "{\"index\":0,\"function\":{\"name\":\"weather\"}}]}}]}"),
			 CHUNK_OK);
	assert_string_equal(strbuf_str(&log), "N0.0:get_|N0.1:f|T0.1:{\"a\":1}|N0.0:weather|");
	assert_string_equal(strbuf_str(&r.choices[0].tool_calls[0].name), "get_weather");
	assert_null(r.choices[0].tool_calls[0].id);
	assert_string_equal(strbuf_str(&r.choices[0].tool_calls[1].arguments), "{\"a\":1}");

	json_object *j = chat_response_to_json(&r);
	json_object *m =
		get(json_object_array_get_idx(get(j, "choices", NULL), 0), "message", NULL);
	json_object *t0 = json_object_array_get_idx(get(m, "tool_calls", NULL), 0);
	assert_string_equal(get_str(t0, "type"), "function");
	assert_string_equal(get_str(m, "role"), "assistant");
	json_object_put(j);
	chat_response_done(&r);
	strbuf_done(&log);
}

static void test_logprobs(void **state)
{
	(void)state;
	struct chat_response r;
	chat_response_init(&r);
	assert_int_equal(feed(&r, NULL,
			      "{\"choices\":[{\"delta\":{\"content\":\"Hi\"},\"logprobs\":"
			      "{\"content\":[{\"token\":\"Hi\",\"logprob\":-0.1,\"bytes\":[72,105],"
			      "\"top_logprobs\":[]}],\"refusal\":null}}]}"),
			 CHUNK_OK);
	assert_int_equal(feed(&r, NULL,
			      "{\"choices\":[{\"delta\":{\"content\":\" there\"},\"logprobs\":"
			      "{\"content\":[{\"token\":\" the\",\"logprob\":-0.2},"
			      "{\"token\":\"re\",\"logprob\":-0.3}]}}]}"),
			 CHUNK_OK);
	assert_int_equal(feed(&r, NULL,
			      "{\"choices\":[{\"delta\":{},\"logprobs\":null,"
			      "\"finish_reason\":\"stop\"}]}"),
			 CHUNK_OK);
	json_object *lp = r.choices[0].logprobs_content;
	assert_non_null(lp);
	assert_int_equal(json_object_array_length(lp), 3);
	assert_string_equal(get_str(json_object_array_get_idx(lp, 0), "token"), "Hi");
	assert_string_equal(get_str(json_object_array_get_idx(lp, 2), "token"), "re");

	json_object *j = chat_response_to_json(&r);
	json_object *ch = json_object_array_get_idx(get(j, "choices", NULL), 0);
	json_object *arr = get(ch, "logprobs", "content");
	assert_non_null(arr);
	assert_int_equal(json_object_array_length(arr), 3);
	/* A deep copy: changing the output leaves the response alone. */
	json_object_array_del_idx(arr, 0, 1);
	assert_int_equal(json_object_array_length(lp), 3);
	json_object_put(j);
	chat_response_done(&r);
}

static void test_error_openai_shape(void **state)
{
	(void)state;
	struct chat_response r;
	struct strbuf log = STRBUF_INIT;
	chat_response_init(&r);
	assert_int_equal(
		feed(&r, &log,
		     "{\"choices\":[{\"delta\":{\"content\":\"partial\"}}],\"error\":null}"),
		CHUNK_OK);
	assert_int_equal(feed(&r, &log,
			      "{\"error\":{\"message\":\"The server is overloaded\","
			      "\"type\":\"server_error\",\"param\":null,\"code\":null}}"),
			 CHUNK_ERROR);
	assert_true(r.error.present);
	assert_string_equal(r.error.message, "The server is overloaded");
	assert_string_equal(r.error.type, "server_error");
	assert_null(r.error.param);
	assert_null(r.error.code);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_ERROR);
	/* The partial answer is kept; the first error is kept. */
	assert_string_equal(strbuf_str(&r.choices[0].content), "partial");
	assert_int_equal(feed(&r, &log, "{\"error\":\"second\"}"), CHUNK_ERROR);
	assert_string_equal(r.error.message, "The server is overloaded");
	assert_int_equal(feed(&r, &log, "[DONE]"), CHUNK_DONE);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_ERROR);
	assert_string_equal(strbuf_str(&log), "C0:partial|");
	chat_response_done(&r);
	strbuf_done(&log);
}

static void test_error_other_shapes(void **state)
{
	(void)state;
	struct chat_response r;

	chat_response_init(&r);
	assert_int_equal(feed(&r, NULL, "{\"error\":\"Rate limit exceeded\"}"), CHUNK_ERROR);
	assert_string_equal(r.error.message, "Rate limit exceeded");
	assert_null(r.error.type);
	chat_response_done(&r);

	chat_response_init(&r);
	assert_int_equal(feed(&r, NULL,
			      "{\"error\":{\"message\":\"Too many\",\"code\":429,"
			      "\"param\":\"model\",\"type\":\"rate_limit\"}}"),
			 CHUNK_ERROR);
	assert_string_equal(r.error.code, "429");
	assert_string_equal(r.error.param, "model");
	chat_response_done(&r);

	chat_response_init(&r);
	assert_int_equal(feed(&r, NULL,
			      "{\"object\":\"error\",\"message\":\"bad input\","
			      "\"type\":\"BadRequestError\",\"param\":null,\"code\":400}"),
			 CHUNK_ERROR);
	assert_string_equal(r.error.message, "bad input");
	assert_string_equal(r.error.code, "400");
	chat_response_done(&r);

	/* A completion body can be an error too. */
	chat_response_init(&r);
	assert_int_equal(
		feed_body(&r, NULL,
			  "{\"error\":{\"message\":\"Invalid key\","
			  "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"),
		CHUNK_ERROR);
	assert_string_equal(r.error.code, "invalid_api_key");
	assert_false(r.saw_done);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_ERROR);
	chat_response_done(&r);
}

static void test_malformed(void **state)
{
	(void)state;
	struct chat_response r;
	struct strbuf log = STRBUF_INIT;
	chat_response_init(&r);
	assert_int_equal(feed(&r, &log, "{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}"),
			 CHUNK_OK);
	static const char *bad[] = {
		"{not json", "[1,2]",      "42",   "{\"a\":1} trailing",
		"\"str\"",   "{\"a\":1}{", "null", "{\"choices\":[{\"delta\":{\"content\":\"cut",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(feed(&r, &log, bad[i]), CHUNK_MALFORMED);
	/* Raw NUL is not JSON (a server sends \u0000). */
	assert_int_equal(chunk_decode_event(&r, "{\"a\":\"\0\"}", 9, NULL, NULL), CHUNK_MALFORMED);
	/* An empty event is a keep-alive. */
	assert_int_equal(feed(&r, &log, ""), CHUNK_OK);
	assert_int_equal(feed(&r, &log, " \n "), CHUNK_OK);
	assert_int_equal(feed(&r, &log, "{\"choices\":[{\"delta\":{\"content\":\"b\"}}]}"),
			 CHUNK_OK);
	assert_int_equal(r.n_malformed, 9);
	assert_int_equal(r.n_events, 13);
	assert_string_equal(r.malformed_sample, "{not json");
	assert_string_equal(strbuf_str(&r.choices[0].content), "ab");
	assert_string_equal(strbuf_str(&log), "C0:a|C0:b|");
	/* Malformed input does not make a response complete or an error. */
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_TRUNCATED);
	chat_response_done(&r);
	strbuf_done(&log);

	/* The sample is cut at 80 bytes, not inside a UTF-8 sequence. */
	chat_response_init(&r);
	char big[200];
	memset(big, 'x', sizeof(big));
	assert_int_equal(chunk_decode_event(&r, big, sizeof(big), NULL, NULL), CHUNK_MALFORMED);
	assert_int_equal(strlen(r.malformed_sample), 80);
	chat_response_done(&r);

	chat_response_init(&r);
	memcpy(big + 79, "\xC3\xA9", 2);
	assert_int_equal(chunk_decode_event(&r, big, sizeof(big), NULL, NULL), CHUNK_MALFORMED);
	assert_int_equal(strlen(r.malformed_sample), 79);
	chat_response_done(&r);

	/* A malformed completion body does not count as done. */
	chat_response_init(&r);
	assert_int_equal(feed_body(&r, NULL, "<html>502 Bad Gateway</html>"), CHUNK_MALFORMED);
	assert_false(r.saw_done);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_TRUNCATED);
	chat_response_done(&r);
}

static void test_odd_shapes(void **state)
{
	(void)state;
	struct chat_response r;
	struct strbuf log = STRBUF_INIT;
	chat_response_init(&r);
	assert_int_equal(feed(&r, &log, "{\"id\":\"x\"}"), CHUNK_OK);
	assert_int_equal(feed(&r, &log, "{\"choices\":null}"), CHUNK_OK);
	assert_int_equal(feed(&r, &log, "{\"choices\":[{\"delta\":null}]}"), CHUNK_OK);
	assert_int_equal(feed(&r, &log, "{\"choices\":[7, null, {\"delta\":{\"content\":7}}]}"),
			 CHUNK_OK);
	assert_int_equal(
		feed(&r, &log,
		     "{\"choices\":[{\"delta\":{\"content\":[{\"type\":\"text\","
		     "\"text\":\"a\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"u\"}},"
		     "{\"text\":\"b\"},\"junk\",{\"type\":\"text\",\"text\":\"c\"}]}}]}"),
		CHUNK_OK);
	assert_int_equal(feed(&r, &log,
			      "{\"choices\":[{\"delta\":{\"role\":\"\",\"content\":\"\"},"
			      "\"finish_reason\":\"\"}]}"),
			 CHUNK_OK);
	assert_string_equal(strbuf_str(&log), "C0:a|C0:b|C0:c|");
	assert_string_equal(r.id, "x");
	assert_string_equal(strbuf_str(&r.choices[0].content), "abc");
	assert_null(r.choices[0].role);
	assert_null(r.choices[0].finish_reason);
	assert_false(r.usage.present);
	assert_int_equal(r.usage.reasoning_tokens, -1);
	assert_int_equal(r.usage.cached_tokens, -1);
	chat_response_done(&r);
	strbuf_done(&log);
}

static const char completion_body[] =
	"{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\",\"created\":1710000000,"
	"\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_9\",\"choices\":[{\"index\":0,"
	"\"message\":{\"role\":\"assistant\",\"content\":\"The chart shows growth.\",\"refusal\":null},"
	"\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":812,"
	"\"completion_tokens\":6,\"total_tokens\":818}}";

static void test_completion_content(void **state)
{
	(void)state;
	struct chat_response r;
	struct strbuf log = STRBUF_INIT;
	chat_response_init(&r);
	assert_int_equal(feed_body(&r, &log, completion_body), CHUNK_OK);
	assert_string_equal(strbuf_str(&log), "R0:assistant|C0:The chart shows growth.|F0:stop|");
	assert_true(r.saw_done);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_COMPLETE);
	assert_string_equal(r.object, "chat.completion");
	assert_string_equal(r.model, "gpt-4o-mini");
	assert_int_equal(r.usage.prompt_tokens, 812);
	assert_int_equal(r.usage.total_tokens, 818);
	assert_int_equal(r.usage.reasoning_tokens, -1);
	assert_int_equal(r.n_events, 1);
	chat_response_done(&r);
	strbuf_done(&log);
}

static void test_completion_tool_calls(void **state)
{
	(void)state;
	struct chat_response r;
	struct strbuf log = STRBUF_INIT;
	chat_response_init(&r);
	assert_int_equal(
		feed_body(
			&r, &log,
			"{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
			"\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
			"{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"crop\","
			"\"arguments\":\"{\\\"x\\\":1}\"}}]},\"finish_reason\":\"tool_calls\"}]}"),
		CHUNK_OK);
	assert_string_equal(strbuf_str(&log),
			    "R0:assistant|N0.0:crop|T0.0:{\"x\":1}|F0:tool_calls|");
	assert_false(r.choices[0].has_content);
	assert_string_equal(r.choices[0].tool_calls[0].id, "call_1");

	json_object *j = chat_response_to_json(&r);
	json_object *m =
		get(json_object_array_get_idx(get(j, "choices", NULL), 0), "message", NULL);
	json_object *content = NULL;
	assert_true(json_object_object_get_ex(m, "content", &content));
	assert_null(content);
	assert_int_equal(json_object_array_length(get(m, "tool_calls", NULL)), 1);
	json_object_put(j);
	chat_response_done(&r);
	strbuf_done(&log);
}

static void test_completion_choices(void **state)
{
	(void)state;
	struct chat_response r;
	struct strbuf log = STRBUF_INIT;
	chat_response_init(&r);
	/* The second choice has no index: its position stands in. */
	assert_int_equal(feed_body(&r, &log,
				   "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
				   "\"content\":\"one\"},\"finish_reason\":\"stop\"},"
				   "{\"message\":{\"role\":\"assistant\",\"content\":\"two\"},"
				   "\"finish_reason\":\"length\"}]}"),
			 CHUNK_OK);
	assert_string_equal(strbuf_str(&log),
			    "R0:assistant|C0:one|F0:stop|R1:assistant|C1:two|F1:length|");
	assert_int_equal(r.n_choices, 2);
	assert_string_equal(strbuf_str(&r.choices[1].content), "two");
	assert_string_equal(r.choices[1].finish_reason, "length");
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_COMPLETE);
	chat_response_done(&r);
	strbuf_done(&log);

	/* A server that ignored stream:false sends a chunk: delta works too. */
	chat_response_init(&r);
	assert_int_equal(feed_body(&r, NULL, "{\"choices\":[{\"delta\":{\"content\":\"d\"}}]}"),
			 CHUNK_OK);
	assert_string_equal(strbuf_str(&r.choices[0].content), "d");
	chat_response_done(&r);
}

static void test_states(void **state)
{
	(void)state;
	struct chat_response r;

	/* [DONE] without a finish_reason is complete. */
	chat_response_init(&r);
	assert_int_equal(feed(&r, NULL, "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}"),
			 CHUNK_OK);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_TRUNCATED);
	assert_int_equal(feed(&r, NULL, "[DONE]"), CHUNK_DONE);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_COMPLETE);
	chat_response_done(&r);

	/* A finish_reason for every choice without [DONE] is complete. */
	chat_response_init(&r);
	assert_int_equal(feed(&r, NULL,
			      "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}},"
			      "{\"index\":1,\"delta\":{\"content\":\"y\"}}]}"),
			 CHUNK_OK);
	assert_int_equal(feed(&r, NULL, "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\"}]}"),
			 CHUNK_OK);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_TRUNCATED);
	assert_int_equal(feed(&r, NULL, "{\"choices\":[{\"index\":1,\"finish_reason\":\"stop\"}]}"),
			 CHUNK_OK);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_COMPLETE);
	chat_response_done(&r);

	/* Nothing at all, or only usage, is truncated. */
	chat_response_init(&r);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_TRUNCATED);
	assert_int_equal(feed(&r, NULL, "{\"choices\":[],\"usage\":{\"prompt_tokens\":1}}"),
			 CHUNK_OK);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_TRUNCATED);
	chat_response_done(&r);

	/* An error beats everything. */
	chat_response_init(&r);
	assert_int_equal(feed(&r, NULL, "{\"choices\":[{\"finish_reason\":\"stop\"}]}"), CHUNK_OK);
	assert_int_equal(feed(&r, NULL, "{\"error\":{\"message\":\"late\"}}"), CHUNK_ERROR);
	assert_int_equal(feed(&r, NULL, "[DONE]"), CHUNK_DONE);
	assert_int_equal(chat_response_state(&r), CHAT_RESPONSE_ERROR);
	chat_response_done(&r);
}

static void test_limits(void **state)
{
	(void)state;
	struct chat_response r;
	struct strbuf log = STRBUF_INIT;

	chat_response_init(&r);
	assert_int_equal(
		feed(&r, NULL, "{\"choices\":[{\"index\":1000,\"delta\":{\"content\":\"x\"}}]}"),
		CHUNK_LIMIT);
	assert_int_equal(
		feed(&r, NULL, "{\"choices\":[{\"index\":-1,\"delta\":{\"content\":\"x\"}}]}"),
		CHUNK_LIMIT);
	assert_int_equal(
		feed(&r, NULL, "{\"choices\":[{\"index\":127,\"delta\":{\"content\":\"x\"}}]}"),
		CHUNK_OK);
	assert_int_equal(feed(&r, NULL, "{\"choices\":[{\"index\":128}]}"), CHUNK_LIMIT);
	assert_int_equal(feed(&r, NULL, "{\"choices\":[{\"index\":99999999999999}]}"), CHUNK_LIMIT);
	assert_int_equal(
		feed(&r, NULL, "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":127}]}}]}"),
		CHUNK_OK);
	assert_int_equal(
		feed(&r, NULL, "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":128}]}}]}"),
		CHUNK_LIMIT);
	assert_int_equal(
		feed(&r, NULL, "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":-2}]}}]}"),
		CHUNK_LIMIT);
	assert_int_equal(r.n_choices, 128);
	assert_int_equal(r.choices[0].n_tool_calls, 128);
	chat_response_done(&r);

	/* The content cap covers content, reasoning and tool calls together. */
	chat_response_init(&r);
	chat_response_set_limits(&r, 10, 2);
	assert_int_equal(feed(&r, &log, "{\"choices\":[{\"delta\":{\"reasoning\":\"0123\"}}]}"),
			 CHUNK_OK);
	assert_int_equal(feed(&r, &log, "{\"choices\":[{\"delta\":{\"content\":\"456\"}}]}"),
			 CHUNK_OK);
	assert_int_equal(feed(&r, &log,
			      "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":"
			      "{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]}"),
			 CHUNK_OK);
	assert_int_equal(feed(&r, &log, "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}"),
			 CHUNK_LIMIT);
	assert_int_equal(feed(&r, &log,
			      "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":"
			      "{\"arguments\":\"x\"}}]}}]}"),
			 CHUNK_LIMIT);
	/* Another choice has its own budget, but only two choices are allowed. */
	assert_int_equal(
		feed(&r, &log,
		     "{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"0123456789\"}}]}"),
		CHUNK_OK);
	assert_int_equal(
		feed(&r, &log, "{\"choices\":[{\"index\":2,\"delta\":{\"content\":\"x\"}}]}"),
		CHUNK_LIMIT);
	assert_string_equal(strbuf_str(&r.choices[0].content), "456");
	assert_string_equal(strbuf_str(&log), "Z0:0123|C0:456|N0.0:f|T0.0:{}|C1:0123456789|");
	chat_response_done(&r);
	strbuf_done(&log);
}

static void test_to_json_round_trip(void **state)
{
	(void)state;
	struct chat_response r;
	chat_response_init(&r);
	assert_int_equal(
		feed(&r, NULL,
		     "{\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\","
		     "\"created\":1720000000,\"model\":\"m\",\"system_fingerprint\":\"fp\","
		     "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
		     "\"reasoning_content\":\"hmm\",\"content\":\"Hello\"},"
		     "\"logprobs\":{\"content\":[{\"token\":\"Hello\",\"logprob\":-1.5}]}}]}"),
		CHUNK_OK);
	assert_int_equal(
		feed(&r, NULL,
		     "{\"choices\":[{\"index\":1,\"delta\":{\"role\":\"assistant\","
		     "\"tool_calls\":[{\"index\":0,\"id\":\"call_z\",\"type\":\"function\","
		     "\"function\":{\"name\":\"zoom\",\"arguments\":\"{\\\"f\\\":2}\"}}]},"
		     "\"finish_reason\":\"tool_calls\"}]}"),
		CHUNK_OK);
	assert_int_equal(feed(&r, NULL,
			      "{\"choices\":[],\"usage\":{\"prompt_tokens\":5,"
			      "\"completion_tokens\":7,\"total_tokens\":12,"
			      "\"completion_tokens_details\":{\"reasoning_tokens\":3}}}"),
			 CHUNK_OK);

	json_object *j = chat_response_to_json(&r);
	assert_string_equal(get_str(j, "id"), "chatcmpl-7");
	assert_string_equal(get_str(j, "object"), "chat.completion");
	assert_int_equal(json_object_get_int64(get(j, "created", NULL)), 1720000000);
	assert_string_equal(get_str(j, "model"), "m");
	assert_string_equal(get_str(j, "system_fingerprint"), "fp");
	json_object *choices = get(j, "choices", NULL);
	assert_int_equal(json_object_array_length(choices), 2);

	json_object *c0 = json_object_array_get_idx(choices, 0);
	json_object *m0 = get(c0, "message", NULL);
	assert_string_equal(get_str(m0, "role"), "assistant");
	assert_string_equal(get_str(m0, "content"), "Hello");
	assert_string_equal(get_str(m0, "reasoning_content"), "hmm");
	assert_null(get(m0, "tool_calls", NULL));
	json_object *fr = NULL;
	assert_true(json_object_object_get_ex(c0, "finish_reason", &fr));
	assert_null(fr);
	assert_int_equal(json_object_array_length(get(c0, "logprobs", "content")), 1);

	json_object *c1 = json_object_array_get_idx(choices, 1);
	json_object *lp = NULL;
	assert_true(json_object_object_get_ex(c1, "logprobs", &lp));
	assert_null(lp);
	json_object *m1 = get(c1, "message", NULL);
	json_object *content = NULL;
	assert_true(json_object_object_get_ex(m1, "content", &content));
	assert_null(content);
	assert_string_equal(get_str(c1, "finish_reason"), "tool_calls");

	json_object *u = get(j, "usage", NULL);
	assert_int_equal(json_object_get_int(get(u, "total_tokens", NULL)), 12);
	assert_int_equal(
		json_object_get_int(get(u, "completion_tokens_details", "reasoning_tokens")), 3);
	assert_null(get(u, "prompt_tokens_details", NULL));

	/* Decoding the output as a completion gives the same response back. */
	size_t len;
	const char *text = json_object_to_json_string_length(j, JSON_C_TO_STRING_PLAIN, &len);
	struct chat_response back;
	chat_response_init(&back);
	assert_int_equal(chunk_decode_completion(&back, text, len, NULL, NULL), CHUNK_OK);
	assert_string_equal(back.id, "chatcmpl-7");
	assert_string_equal(back.system_fingerprint, "fp");
	assert_int_equal(back.n_choices, 2);
	assert_string_equal(strbuf_str(&back.choices[0].content), "Hello");
	assert_string_equal(strbuf_str(&back.choices[0].reasoning), "hmm");
	assert_int_equal(json_object_array_length(back.choices[0].logprobs_content), 1);
	assert_string_equal(strbuf_str(&back.choices[1].tool_calls[0].arguments), "{\"f\":2}");
	assert_string_equal(back.choices[1].tool_calls[0].id, "call_z");
	assert_int_equal(back.usage.reasoning_tokens, 3);
	assert_int_equal(back.usage.cached_tokens, -1);
	json_object *j2 = chat_response_to_json(&back);
	assert_string_equal(json_object_to_json_string_ext(j2, JSON_C_TO_STRING_PLAIN), text);
	json_object_put(j2);
	chat_response_done(&back);

	json_object_put(j);
	chat_response_done(&r);
}

static void test_bytes_exact(void **state)
{
	(void)state;
	struct chat_response r;
	struct strbuf log = STRBUF_INIT;
	chat_response_init(&r);
	/* An escaped NUL and raw invalid UTF-8 (a truncated sequence at the end). */
	static const char ev[] =
		"{\"choices\":[{\"delta\":{\"content\":\"a\\u0000b\xff\xfe\xc3\"}}]}";
	assert_int_equal(chunk_decode_event(&r, ev, sizeof(ev) - 1, record_delta, &log), CHUNK_OK);
	static const char want[] = "a\0b\xff\xfe\xc3";
	struct strbuf *c = &r.choices[0].content;
	assert_int_equal(c->len, sizeof(want) - 1);
	assert_memory_equal(c->data, want, sizeof(want) - 1);
	assert_int_equal(log.len, 3 + sizeof(want) - 1 + 1);
	assert_memory_equal(log.data, "C0:a\0b\xff\xfe\xc3|", log.len);

	/* to_json keeps the bytes too, and its text decodes to them again. */
	json_object *j = chat_response_to_json(&r);
	json_object *m =
		get(json_object_array_get_idx(get(j, "choices", NULL), 0), "message", NULL);
	json_object *s = get(m, "content", NULL);
	assert_int_equal(json_object_get_string_len(s), sizeof(want) - 1);
	assert_memory_equal(json_object_get_string(s), want, sizeof(want) - 1);
	size_t len;
	const char *text = json_object_to_json_string_length(j, JSON_C_TO_STRING_PLAIN, &len);
	struct chat_response back;
	chat_response_init(&back);
	assert_int_equal(chunk_decode_completion(&back, text, len, NULL, NULL), CHUNK_OK);
	assert_int_equal(back.choices[0].content.len, sizeof(want) - 1);
	assert_memory_equal(back.choices[0].content.data, want, sizeof(want) - 1);
	chat_response_done(&back);
	json_object_put(j);
	chat_response_done(&r);
	strbuf_done(&log);
}

static void test_done_whitespace(void **state)
{
	(void)state;
	static const char *done[] = {"[DONE]", "  [DONE]", "[DONE]\n", "\t[DONE] \r\n",
				     "\n[DONE]\n\n"};
	for (size_t i = 0; i < sizeof(done) / sizeof(done[0]); i++) {
		struct chat_response r;
		chat_response_init(&r);
		assert_int_equal(feed(&r, NULL, done[i]), CHUNK_DONE);
		assert_true(r.saw_done);
		chat_response_done(&r);
	}
	static const char *not_done[] = {"[DONE]x", "[done]", "[DONE", "\"[DONE]\""};
	for (size_t i = 0; i < sizeof(not_done) / sizeof(not_done[0]); i++) {
		struct chat_response r;
		chat_response_init(&r);
		assert_int_equal(feed(&r, NULL, not_done[i]), CHUNK_MALFORMED);
		assert_false(r.saw_done);
		chat_response_done(&r);
	}
	/* Not NUL-terminated: only len bytes count. */
	struct chat_response r;
	chat_response_init(&r);
	assert_int_equal(chunk_decode_event(&r, "[DONE]garbage", 6, NULL, NULL), CHUNK_DONE);
	chat_response_done(&r);
}

static void test_role_once(void **state)
{
	(void)state;
	struct chat_response r;
	struct strbuf log = STRBUF_INIT;
	chat_response_init(&r);
	for (int i = 0; i < 3; i++)
		assert_int_equal(feed(&r, &log,
				      "{\"choices\":[{\"delta\":{\"role\":\"assistant\","
				      "\"content\":\"x\"}}]}"),
				 CHUNK_OK);
	assert_string_equal(strbuf_str(&log), "R0:assistant|C0:x|C0:x|C0:x|");
	chat_response_done(&r);
	strbuf_done(&log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typical_stream),
		cmocka_unit_test(test_interleaved_choices),
		cmocka_unit_test(test_choice_gap),
		cmocka_unit_test(test_reasoning),
		cmocka_unit_test(test_tool_calls),
		cmocka_unit_test(test_tool_call_variants),
		cmocka_unit_test(test_logprobs),
		cmocka_unit_test(test_error_openai_shape),
		cmocka_unit_test(test_error_other_shapes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_odd_shapes),
		cmocka_unit_test(test_completion_content),
		cmocka_unit_test(test_completion_tool_calls),
		cmocka_unit_test(test_completion_choices),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_to_json_round_trip),
		cmocka_unit_test(test_bytes_exact),
		cmocka_unit_test(test_done_whitespace),
		cmocka_unit_test(test_role_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
