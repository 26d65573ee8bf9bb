/* Request bodies: each field only when set, content shapes, numbers. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/request.h"
#include "core/xalloc.h"

/* Build a body and parse it back; the caller puts the result. */
static json_object *build(const struct chat_params *p, const struct chat_msg *m, size_t n)
{
	size_t len = 0;
	char *text = request_build(p, m, n, &len);
	assert_int_equal(len, strlen(text));
	json_object *o = json_tokener_parse(text);
	assert_non_null(o);
	free(text);
	return o;
}

static const char *str_at(json_object *o, const char *path)
{
	json_object *cur = o;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *tok = strtok(buf, "."); tok; tok = strtok(NULL, ".")) {
		if (json_object_is_type(cur, json_type_array))
			cur = json_object_array_get_idx(cur, (size_t)atoi(tok));
		else if (!json_object_object_get_ex(cur, tok, &cur))
			return NULL;
		if (!cur)
			return NULL;
	}
	return json_object_get_string(cur);
}

static void test_minimal_text(void **state)
{
	(void)state;
	struct chat_params p;
	chat_params_init(&p);
	p.stream = false;
	p.model = xstrdup("gpt-4o");
	struct chat_part part = {CHAT_PART_TEXT, "hello", NULL};
	struct chat_msg m = {"user", &part, 1, NULL, NULL};
	size_t len;
	char *text = request_build(&p, &m, 1, &len);
	assert_string_equal(text,
			    "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
	free(text);
	chat_params_done(&p);
}

static void test_stream_sets_usage(void **state)
{
	(void)state;
	struct chat_params p;
	chat_params_init(&p);
	struct chat_part part = {CHAT_PART_TEXT, "hi", NULL};
	struct chat_msg m = {"user", &part, 1, NULL, NULL};
	json_object *o = build(&p, &m, 1);
	assert_string_equal(str_at(o, "stream"), "true");
	assert_string_equal(str_at(o, "stream_options.include_usage"), "true");
	assert_null(str_at(o, "model"));
	assert_null(str_at(o, "temperature"));
	json_object_put(o);
	chat_params_done(&p);
}

static void test_images_and_detail(void **state)
{
	(void)state;
	struct chat_params p;
	chat_params_init(&p);
	p.detail = xstrdup("low");
	p.system = xstrdup("be brief");
	struct chat_part parts[] = {
		{CHAT_PART_TEXT, "what is this", NULL},
		{CHAT_PART_IMAGE, NULL, "data:image/png;base64,iVBORw0KGgo="},
		{CHAT_PART_IMAGE, NULL, "https://example.com/a/b.png"},
	};
	struct chat_msg m = {"user", parts, 3, NULL, NULL};
	json_object *o = build(&p, &m, 1);
	assert_string_equal(str_at(o, "messages.0.role"), "system");
	assert_string_equal(str_at(o, "messages.0.content"), "be brief");
	assert_string_equal(str_at(o, "messages.1.content.0.type"), "text");
	assert_string_equal(str_at(o, "messages.1.content.0.text"), "what is this");
	assert_string_equal(str_at(o, "messages.1.content.1.type"), "image_url");
	assert_string_equal(str_at(o, "messages.1.content.1.image_url.url"),
			    "data:image/png;base64,iVBORw0KGgo=");
	assert_string_equal(str_at(o, "messages.1.content.1.image_url.detail"), "low");
	assert_string_equal(str_at(o, "messages.1.content.2.image_url.url"),
			    "https://example.com/a/b.png");
	json_object_put(o);
	chat_params_done(&p);
}

static void test_no_slash_escape(void **state)
{
	(void)state;
	struct chat_params p;
	chat_params_init(&p);
	p.stream = false;
	struct chat_part part = {CHAT_PART_IMAGE, NULL, "data:image/png;base64,a/b+"};
	struct chat_msg m = {"user", &part, 1, NULL, NULL};
	char *text = request_build(&p, &m, 1, NULL);
	assert_non_null(strstr(text, "base64,a/b+"));
	free(text);
	chat_params_done(&p);
}

static void test_every_param(void **state)
{
	(void)state;
	struct chat_params p;
	chat_params_init(&p);
	p.has_temperature = true;
	p.temperature = 0.7;
	p.has_top_p = true;
	p.top_p = 0.1;
	p.has_n = true;
	p.n = 3;
	p.n_stop = 2;
	p.stop[0] = xstrdup("END");
	p.stop[1] = xstrdup("\n\n");
	p.has_max_tokens = true;
	p.max_tokens = 100;
	p.has_presence_penalty = true;
	p.presence_penalty = -2;
	p.has_frequency_penalty = true;
	p.frequency_penalty = 1.5;
	p.n_logit_bias = 1;
	p.logit_bias = xmalloc(sizeof *p.logit_bias);
	p.logit_bias[0].token = 50256;
	p.logit_bias[0].bias = -100;
	p.user = xstrdup("u1");
	p.has_seed = true;
	p.seed = -9007199254740993LL;
	p.response_format = json_tokener_parse("{\"type\":\"json_object\"}");
	p.tools = json_tokener_parse("[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]");
	p.tool_choice = json_object_new_string("required");
	p.has_logprobs = true;
	p.logprobs = true;
	p.top_logprobs = 2;
	struct chat_part part = {CHAT_PART_TEXT, "x", NULL};
	struct chat_msg m = {"user", &part, 1, NULL, NULL};
	size_t len;
	char *text = request_build(&p, &m, 1, &len);
	assert_non_null(strstr(text, "\"temperature\":0.7,"));
	assert_non_null(strstr(text, "\"top_p\":0.1,"));
	assert_non_null(strstr(text, "\"seed\":-9007199254740993"));
	json_object *o = json_tokener_parse(text);
	free(text);
	assert_string_equal(str_at(o, "n"), "3");
	assert_string_equal(str_at(o, "stop.0"), "END");
	assert_string_equal(str_at(o, "stop.1"), "\n\n");
	assert_string_equal(str_at(o, "max_tokens"), "100");
	assert_string_equal(str_at(o, "presence_penalty"), "-2");
	assert_string_equal(str_at(o, "frequency_penalty"), "1.5");
	assert_string_equal(str_at(o, "logit_bias.50256"), "-100");
	assert_string_equal(str_at(o, "user"), "u1");
	assert_string_equal(str_at(o, "response_format.type"), "json_object");
	assert_string_equal(str_at(o, "tools.0.function.name"), "f");
	assert_string_equal(str_at(o, "tool_choice"), "required");
	assert_string_equal(str_at(o, "logprobs"), "true");
	assert_string_equal(str_at(o, "top_logprobs"), "2");
	json_object_put(o);
	chat_params_done(&p);
}

static void test_single_stop_is_string(void **state)
{
	(void)state;
	struct chat_params p;
	chat_params_init(&p);
	p.n_stop = 1;
	p.stop[0] = xstrdup("END");
	struct chat_part part = {CHAT_PART_TEXT, "x", NULL};
	struct chat_msg m = {"user", &part, 1, NULL, NULL};
	json_object *o = build(&p, &m, 1);
	json_object *stop;
	assert_true(json_object_object_get_ex(o, "stop", &stop));
	assert_true(json_object_is_type(stop, json_type_string));
	json_object_put(o);
	chat_params_done(&p);
}

static void test_tool_choice_needs_tools(void **state)
{
	(void)state;
	struct chat_params p;
	chat_params_init(&p);
	p.tool_choice = json_object_new_string("auto");
	struct chat_part part = {CHAT_PART_TEXT, "x", NULL};
	struct chat_msg m = {"user", &part, 1, NULL, NULL};
	json_object *o = build(&p, &m, 1);
	assert_null(str_at(o, "tool_choice"));
	assert_null(str_at(o, "tools"));
	json_object_put(o);
	chat_params_done(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_text),
		cmocka_unit_test(test_stream_sets_usage),
		cmocka_unit_test(test_images_and_detail),
		cmocka_unit_test(test_no_slash_escape),
		cmocka_unit_test(test_every_param),
		cmocka_unit_test(test_single_stop_is_string),
		cmocka_unit_test(test_tool_choice_needs_tools),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
