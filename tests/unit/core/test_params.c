#include <config.h>

#include "core/params.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char test_dir[] = "/tmp/squint-test-params-XXXXXX";

/* Remove one entry of the temporary tree; for nftw. */
static int test_remove(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Create the temporary directory every file of this test lives in. */
static int test_setup(void **state)
{
	(void)state;
	return mkdtemp(test_dir) ? 0 : -1;
}

/* Remove the temporary directory and everything in it. */
static int test_teardown(void **state)
{
	(void)state;
	return nftw(test_dir, test_remove, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write text to name in the temporary directory; returns the newly
 * allocated path, which the caller frees. */
static char *test_write(const char *name, const char *text)
{
	size_t n = strlen(test_dir) + strlen(name) + 2;
	char *path = malloc(n);
	assert_non_null(path);
	snprintf(path, n, "%s/%s", test_dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Set name to value on a fresh params and expect it to be refused with a
 * message containing want; the params stay as they were. */
static void test_refuse(const char *name, const char *value, const char *want)
{
	struct chat_params p;
	char *err = NULL;

	chat_params_init(&p);
	assert_int_equal(chat_params_set(&p, name, value, &err), -1);
	assert_non_null(err);
	if (!strstr(err, want))
		fail_msg("%s=%s: \"%s\" does not contain \"%s\"", name, value, err, want);
	assert_null(strchr(err, '\n'));
	free(err);
	assert_false(p.has_temperature || p.has_top_p || p.has_n || p.has_max_tokens ||
		     p.has_seed || p.n_stop || p.n_logit_bias || p.response_format || p.tools ||
		     p.tool_choice || p.has_logprobs || p.top_logprobs != -1);
	chat_params_done(&p);
}

/* Set name to value on p and expect success. */
static void test_accept(struct chat_params *p, const char *name, const char *value)
{
	char *err = NULL;
	if (chat_params_set(p, name, value, &err) != 0)
		fail_msg("%s=%s refused: %s", name, value, err);
	assert_null(err);
}

/* Return the compact JSON of obj; borrowed from obj. */
static const char *test_json(json_object *obj)
{
	return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void test_init_done(void **state)
{
	struct chat_params p;
	(void)state;

	chat_params_init(&p);
	assert_true(p.stream);
	assert_int_equal(p.top_logprobs, -1);
	assert_null(p.model);
	assert_false(p.has_temperature);
	chat_params_done(&p);
	chat_params_done(&p); /* done twice is harmless: done leaves p unset */
	assert_true(p.stream);
}

static void test_temperature(void **state)
{
	struct chat_params p;
	char *err = NULL;
	(void)state;

	chat_params_init(&p);
	test_accept(&p, "temperature", "0");
	assert_true(p.has_temperature);
	assert_true(p.temperature == 0.0);
	test_accept(&p, "temperature", "2");
	assert_true(p.temperature == 2.0);
	test_accept(&p, "temperature", "1.25");
	assert_true(p.temperature == 1.25);
	test_accept(&p, "temperature", "2e0");
	chat_params_done(&p);

	chat_params_init(&p);
	assert_int_equal(chat_params_set(&p, "temperature", "3", &err), -1);
	assert_string_equal(err, "temperature must be a number from 0 to 2, not \"3\"");
	free(err);
	chat_params_done(&p);

	test_refuse("temperature", "2.0001", "from 0 to 2");
	test_refuse("temperature", "-0.1", "not \"-0.1\"");
	test_refuse("temperature", "abc", "not \"abc\"");
	test_refuse("temperature", "1e400", "not \"1e400\"");
	test_refuse("temperature", "nan", "not \"nan\"");
	test_refuse("temperature", "NaN", "temperature");
	test_refuse("temperature", "inf", "temperature");
	test_refuse("temperature", "0x1", "temperature");
	test_refuse("temperature", "", "not \"\"");
	test_refuse("temperature", " 1", "temperature");
	test_refuse("temperature", "1 ", "temperature");
	test_refuse("temperature", "1.0x", "temperature");
	test_refuse("temperature", "1..0", "temperature");
}

static void test_numbers(void **state)
{
	struct chat_params p;
	(void)state;

	chat_params_init(&p);
	test_accept(&p, "top_p", "0");
	test_accept(&p, "top_p", "1");
	assert_true(p.has_top_p && p.top_p == 1.0);
	test_accept(&p, "n", "1");
	test_accept(&p, "n", "128");
	assert_true(p.has_n && p.n == 128);
	test_accept(&p, "max_tokens", "1");
	test_accept(&p, "max_tokens", "100000");
	assert_true(p.has_max_tokens && p.max_tokens == 100000);
	test_accept(&p, "presence_penalty", "-2");
	test_accept(&p, "frequency_penalty", "2");
	assert_true(p.has_presence_penalty && p.presence_penalty == -2.0);
	assert_true(p.has_frequency_penalty && p.frequency_penalty == 2.0);
	test_accept(&p, "seed", "-9223372036854775808");
	assert_true(p.has_seed && p.seed == LLONG_MIN);
	test_accept(&p, "seed", "9223372036854775807");
	assert_true(p.seed == LLONG_MAX);
	test_accept(&p, "seed", "0");
	chat_params_done(&p);

	test_refuse("top_p", "1.01", "top_p must be a number from 0 to 1");
	test_refuse("n", "0", "n must be a whole number from 1 to 128, not \"0\"");
	test_refuse("n", "129", "from 1 to 128");
	test_refuse("n", "1.5", "not \"1.5\"");
	test_refuse("max_tokens", "0", "max_tokens must be a whole number of at least 1");
	test_refuse("max_tokens", "-5", "at least 1");
	test_refuse("max_tokens", "99999999999999999999", "at least 1");
	test_refuse("presence_penalty", "-2.01", "from -2 to 2");
	test_refuse("frequency_penalty", "2.5", "frequency_penalty must be");
	test_refuse("seed", "9223372036854775808", "seed must be a whole number");
	test_refuse("seed", "1.0", "seed");
	test_refuse("seed", "", "seed");
}

static void test_negative_zero_top_p(void **state)
{
	struct chat_params p;
	(void)state;

	/* -0 compares equal to 0, so it is in range. */
	chat_params_init(&p);
	test_accept(&p, "top_p", "-0");
	chat_params_done(&p);
}

static void test_logprobs(void **state)
{
	struct chat_params p;
	(void)state;

	chat_params_init(&p);
	test_accept(&p, "top_logprobs", "0");
	assert_int_equal(p.top_logprobs, 0);
	assert_true(p.has_logprobs && p.logprobs);
	test_accept(&p, "top_logprobs", "20");
	assert_int_equal(p.top_logprobs, 20);
	test_accept(&p, "logprobs", "false");
	assert_true(p.has_logprobs);
	assert_false(p.logprobs);
	assert_int_equal(p.top_logprobs, -1);
	test_accept(&p, "logprobs", "ON");
	assert_true(p.logprobs);
	chat_params_done(&p);

	test_refuse("top_logprobs", "21", "top_logprobs must be a whole number from 0 to 20");
	test_refuse("top_logprobs", "-1", "from 0 to 20");
	test_refuse("logprobs", "maybe", "logprobs must be true or false");
}

static void test_bools(void **state)
{
	static const char *const yes[] = {"true", "yes", "on", "1", "TRUE", "Yes"};
	static const char *const no[] = {"false", "no", "off", "0", "False", "OFF"};
	struct chat_params p;
	(void)state;

	chat_params_init(&p);
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		test_accept(&p, "stream", no[i]);
		assert_false(p.stream);
		test_accept(&p, "stream", yes[i]);
		assert_true(p.stream);
	}
	chat_params_done(&p);
	test_refuse("stream", "", "stream must be true or false");
	test_refuse("stream", "2", "not \"2\"");
	test_refuse("json_mode", "y", "json_mode must be true or false");
}

static void test_stop(void **state)
{
	struct chat_params p;
	char *err = NULL;
	(void)state;

	chat_params_init(&p);
	test_accept(&p, "stop", "END");
	test_accept(&p, "stop", "\n\n");
	test_accept(&p, "stop", "###");
	test_accept(&p, "stop", "x");
	assert_int_equal(p.n_stop, 4);
	assert_string_equal(p.stop[0], "END");
	assert_string_equal(p.stop[3], "x");
	assert_int_equal(chat_params_set(&p, "stop", "fifth", &err), -1);
	assert_string_equal(err, "at most 4 stop sequences");
	free(err);
	assert_int_equal(p.n_stop, 4);
	chat_params_unset(&p, "stop");
	assert_int_equal(p.n_stop, 0);
	test_accept(&p, "stop", "again");
	assert_int_equal(p.n_stop, 1);
	chat_params_done(&p);

	test_refuse("stop", "", "must not be empty");
}

static void test_logit_bias(void **state)
{
	struct chat_params p;
	char *err = NULL;
	(void)state;

	chat_params_init(&p);
	test_accept(&p, "logit_bias", "50256=-100");
	test_accept(&p, "logit_bias", "0=100");
	test_accept(&p, "logit_bias", " 7 = 5 ");
	assert_int_equal(p.n_logit_bias, 3);
	assert_int_equal(p.logit_bias[0].token, 50256);
	assert_int_equal(p.logit_bias[0].bias, -100);
	assert_int_equal(p.logit_bias[1].token, 0);
	assert_int_equal(p.logit_bias[1].bias, 100);
	assert_int_equal(p.logit_bias[2].token, 7);
	assert_int_equal(p.logit_bias[2].bias, 5);
	/* A repeated token replaces its bias. */
	test_accept(&p, "logit_bias", "50256=1");
	assert_int_equal(p.n_logit_bias, 3);
	assert_int_equal(p.logit_bias[0].bias, 1);
	chat_params_done(&p);

	/* At most 300 entries; replacing one still works when full. */
	chat_params_init(&p);
	for (int i = 0; i < 300; i++) {
		char v[32];
		snprintf(v, sizeof v, "%d=1", i);
		test_accept(&p, "logit_bias", v);
	}
	test_accept(&p, "logit_bias", "299=2");
	assert_int_equal(chat_params_set(&p, "logit_bias", "300=1", &err), -1);
	assert_string_equal(err, "at most 300 logit_bias entries");
	free(err);
	assert_int_equal(p.n_logit_bias, 300);
	chat_params_done(&p);

	test_refuse("logit_bias", "1=101", "from -100 to 100, not \"1=101\"");
	test_refuse("logit_bias", "1=-101", "from -100 to 100");
	test_refuse("logit_bias", "-1=5", "TOKEN=BIAS");
	test_refuse("logit_bias", "+1=5", "TOKEN=BIAS");
	test_refuse("logit_bias", "x=1", "TOKEN=BIAS");
	test_refuse("logit_bias", "1=", "TOKEN=BIAS");
	test_refuse("logit_bias", "=1", "TOKEN=BIAS");
	test_refuse("logit_bias", "1=5.5", "TOKEN=BIAS");
	test_refuse("logit_bias", "15", "TOKEN=BIAS");
	test_refuse("logit_bias", "1=2=3", "TOKEN=BIAS");
	test_refuse("logit_bias", "99999999999999999999=1", "TOKEN=BIAS");
}

static void test_strings(void **state)
{
	struct chat_params p;
	(void)state;

	chat_params_init(&p);
	test_accept(&p, "model", "gpt-4o");
	assert_string_equal(p.model, "gpt-4o");
	test_accept(&p, "system", "Be brief.");
	assert_string_equal(p.system, "Be brief.");
	test_accept(&p, "system", "");
	assert_null(p.system);
	test_accept(&p, "user", "alice");
	assert_string_equal(p.user, "alice");
	test_accept(&p, "user", "");
	assert_null(p.user);
	test_accept(&p, "detail", "low");
	assert_string_equal(p.detail, "low");
	test_accept(&p, "detail", "HIGH");
	assert_string_equal(p.detail, "high");
	test_accept(&p, "detail", "auto");
	assert_string_equal(p.detail, "auto");
	chat_params_done(&p);

	test_refuse("model", "", "model must not be empty");
	test_refuse("model", "  ", "model must not be empty");
	test_refuse("detail", "medium", "detail must be low, high or auto, not \"medium\"");
}

static void test_unknown(void **state)
{
	struct chat_params p;
	char *err = NULL;
	(void)state;

	assert_true(chat_params_known("temperature"));
	assert_true(chat_params_known("json_mode"));
	assert_true(chat_params_known("stream"));
	assert_false(chat_params_known("temp"));
	assert_false(chat_params_known("api_key"));
	chat_params_init(&p);
	assert_int_equal(chat_params_set(&p, "temp", "1", &err), -1);
	assert_string_equal(err, "unknown parameter \"temp\"");
	free(err);
	chat_params_done(&p);
}

static void test_quote_control(void **state)
{
	struct chat_params p;
	char *err = NULL;
	(void)state;

	/* Rejected values are quoted with control bytes escaped and long ones
	 * cut, so the message stays one harmless line. */
	chat_params_init(&p);
	assert_int_equal(chat_params_set(&p, "detail", "a\nb\x1b[2J", &err), -1);
	assert_string_equal(err, "detail must be low, high or auto, not \"a\\x0ab\\x1b[2J\"");
	free(err);
	char longv[200];
	memset(longv, 'z', sizeof longv - 1);
	longv[sizeof longv - 1] = '\0';
	assert_int_equal(chat_params_set(&p, "detail", longv, &err), -1);
	assert_non_null(strstr(err, "...\""));
	assert_true(strlen(err) < 120);
	free(err);
	chat_params_done(&p);
}

static void test_json_mode(void **state)
{
	struct chat_params p;
	(void)state;

	chat_params_init(&p);
	test_accept(&p, "json_mode", "true");
	assert_string_equal(test_json(p.response_format), "{\"type\":\"json_object\"}");
	test_accept(&p, "json_mode", "yes");
	test_accept(&p, "json_mode", "false");
	assert_null(p.response_format);
	chat_params_done(&p);
}

static void test_tool_choice(void **state)
{
	struct chat_params p;
	(void)state;

	chat_params_init(&p);
	test_accept(&p, "tool_choice", "none");
	assert_string_equal(test_json(p.tool_choice), "\"none\"");
	test_accept(&p, "tool_choice", "auto");
	assert_string_equal(test_json(p.tool_choice), "\"auto\"");
	test_accept(&p, "tool_choice", "required");
	assert_string_equal(test_json(p.tool_choice), "\"required\"");
	test_accept(&p, "tool_choice", "get_weather");
	assert_string_equal(test_json(p.tool_choice),
			    "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}");
	chat_params_done(&p);

	test_refuse("tool_choice", "", "tool_choice must be none, auto, required");
	test_refuse("tool_choice", "get weather", "not \"get weather\"");
	test_refuse("tool_choice",
		    "a234567890123456789012345678901234567890123456789012345678901234x",
		    "tool_choice");
}

static void test_response_format(void **state)
{
	struct chat_params p;
	char *err = NULL;
	(void)state;

	chat_params_init(&p);

	/* A bare JSON Schema is wrapped, named after the file. */
	char *path = test_write("my person.v1.json",
				"{\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
				"\"string\"}},\"required\":[\"name\"],"
				"\"additionalProperties\":false}\n");
	test_accept(&p, "response_format", path);
	assert_string_equal(test_json(p.response_format),
			    "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"my_person_v1\","
			    "\"schema\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
			    "\"string\"}},\"required\":[\"name\"],\"additionalProperties\":false},"
			    "\"strict\":true}}");
	free(path);

	/* A full json_schema format is kept, and named when it has no name. */
	path = test_write("full.json", "{\"type\":\"json_schema\",\"json_schema\":{\"name\":"
				       "\"answer\",\"schema\":{\"type\":\"object\"}}}");
	test_accept(&p, "response_format", path);
	assert_string_equal(test_json(p.response_format),
			    "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"answer\","
			    "\"schema\":{\"type\":\"object\"}}}");
	free(path);
	path = test_write("noname.schema.json",
			  "{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}");
	test_accept(&p, "response_format", path);
	assert_string_equal(test_json(p.response_format),
			    "{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{},"
			    "\"name\":\"noname_schema\"}}");
	free(path);

	/* json_object and text formats pass through. */
	path = test_write("jo.json", " {\"type\": \"json_object\"} ");
	test_accept(&p, "response_format", path);
	assert_string_equal(test_json(p.response_format), "{\"type\":\"json_object\"}");
	free(path);
	path = test_write("text.json", "{\"type\":\"text\"}");
	test_accept(&p, "response_format", path);
	assert_string_equal(test_json(p.response_format), "{\"type\":\"text\"}");
	free(path);

	/* A long, odd base name is cut to 64 sanitized characters; no base
	 * name at all gives "schema". */
	path = test_write("a-b_c d\xc3\xa9"
			  "0123456789012345678901234567890123456789012345678901234567890123456789"
			  ".json",
			  "{}");
	test_accept(&p, "response_format", path);
	json_object *js = json_object_object_get(p.response_format, "json_schema");
	const char *name = json_object_get_string(json_object_object_get(js, "name"));
	assert_int_equal(strlen(name), 64);
	assert_memory_equal(name, "a-b_c_d__0123", 13);
	free(path);
	path = test_write(".json", "{}");
	test_accept(&p, "response_format", path);
	js = json_object_object_get(p.response_format, "json_schema");
	assert_string_equal(json_object_get_string(json_object_object_get(js, "name")), "_json");
	free(path);

	/* Setting a format again replaces the previous one; errors keep it. */
	path = test_write("bad.json", "{\n  \"type\": \"object\",\n  \"x\": tru\n}\n");
	assert_int_equal(chat_params_set(&p, "response_format", path, &err), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "invalid JSON at line 3, column 11"));
	assert_non_null(strstr(err, "boolean expected"));
	free(err);
	assert_non_null(p.response_format);
	free(path);
	chat_params_done(&p);

	path = test_write("cut.json", "{\"type\": \"object\"");
	test_refuse("response_format", path, "unexpected end of data");
	free(path);
	path = test_write("junk.json", "{} x");
	test_refuse("response_format", path, "invalid JSON at line 1, column 4");
	free(path);
	path = test_write("empty.json", "");
	test_refuse("response_format", path, "invalid JSON at line 1, column 1");
	free(path);
	path = test_write("array.json", "[1, 2]");
	test_refuse("response_format", path, "does not hold a JSON object");
	free(path);
	path = test_write("num.json", "42");
	test_refuse("response_format", path, "does not hold a JSON object");
	free(path);
	path = test_write("badname.json",
			  "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a b\"}}");
	test_refuse("response_format", path, "name must be 1 to 64 letters");
	free(path);
	path = test_write("badjs.json", "{\"type\":\"json_schema\",\"json_schema\":[]}");
	test_refuse("response_format", path, "\"json_schema\" must be an object");
	free(path);
	test_refuse("response_format", "/nonexistent/schema.json",
		    "cannot read /nonexistent/schema.json: No such file or directory");
	test_refuse("response_format", "", "response_format needs a file name");
	test_refuse("response_format", test_dir, "cannot read");
}

static void test_big_file(void **state)
{
	(void)state;

	/* Files over 8 MiB are refused before parsing. */
	char *path = test_write("big.json", "");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputc('"', f);
	for (int i = 0; i < 8 * 1024 + 1; i++) {
		char kib[1024];
		memset(kib, 'a', sizeof kib);
		fwrite(kib, 1, sizeof kib, f);
	}
	fputc('"', f);
	fclose(f);
	test_refuse("tools", path, "is larger than 8 MiB");
	free(path);
}

static void test_tools(void **state)
{
	struct chat_params p;
	(void)state;

	chat_params_init(&p);

	char *path = test_write("tools.json",
				"[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
				"\"description\":\"Weather\",\"parameters\":{\"type\":\"object\"}}"
				"},{\"type\":\"function\",\"function\":"
				"{\"name\":\"get-time_2\"}}]");
	test_accept(&p, "tools", path);
	assert_string_equal(test_json(p.tools),
			    "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
			    "\"description\":\"Weather\",\"parameters\":{\"type\":\"object\"}}},"
			    "{\"type\":\"function\",\"function\":{\"name\":\"get-time_2\"}}]");
	free(path);

	/* A bare function, an array of them, one tool, or a tool without its
	 * type all become full tools. */
	path = test_write("bare.json", "{\"name\":\"f\",\"parameters\":{}}");
	test_accept(&p, "tools", path);
	assert_string_equal(test_json(p.tools), "[{\"type\":\"function\",\"function\":"
						"{\"name\":\"f\",\"parameters\":{}}}]");
	free(path);
	path = test_write("bares.json", "[{\"name\":\"f\"},{\"name\":\"g\"}]");
	test_accept(&p, "tools", path);
	assert_string_equal(test_json(p.tools),
			    "[{\"type\":\"function\",\"function\":{\"name\":\"f\"}},"
			    "{\"type\":\"function\",\"function\":{\"name\":\"g\"}}]");
	free(path);
	path = test_write("one.json", "{\"type\":\"function\",\"function\":{\"name\":\"h\"}}");
	test_accept(&p, "tools", path);
	assert_string_equal(test_json(p.tools),
			    "[{\"type\":\"function\",\"function\":{\"name\":\"h\"}}]");
	free(path);
	path = test_write("notype.json", "[{\"function\":{\"name\":\"k\"}}]");
	test_accept(&p, "tools", path);
	assert_string_equal(test_json(p.tools),
			    "[{\"type\":\"function\",\"function\":{\"name\":\"k\"}}]");
	free(path);
	chat_params_done(&p);

	path = test_write("none.json", "[]");
	char *want = NULL;
	size_t n = strlen(path) + 16;
	want = malloc(n);
	snprintf(want, n, "no tools in %s", path);
	test_refuse("tools", path, want);
	free(want);
	free(path);

	path = test_write("badname.json", "[{\"name\":\"ok\"},{\"name\":\"not ok\"}]");
	test_refuse("tools", path, "tool 2 in");
	test_refuse("tools", path, "function name \"not ok\" must be 1 to 64 letters");
	free(path);
	path = test_write("longname.json",
			  "[{\"name\":\"a2345678901234567890123456789012345678901234567890123456789"
			  "012345\"}]");
	test_refuse("tools", path, "must be 1 to 64");
	free(path);
	path = test_write("noname.json", "[{\"type\":\"function\",\"function\":{}}]");
	test_refuse("tools", path, "tool 1 in");
	test_refuse("tools", path, "has no function name");
	free(path);
	path = test_write("numname.json", "[{\"name\":5}]");
	test_refuse("tools", path, "has no function name");
	free(path);
	path = test_write("dup.json", "[{\"name\":\"f\"},{\"name\":\"f\"}]");
	test_refuse("tools", path, "tool name \"f\" appears twice");
	free(path);
	path = test_write("type.json", "[{\"type\":\"custom\",\"custom\":{\"name\":\"f\"}}]");
	test_refuse("tools", path, "only tools of type \"function\"");
	free(path);
	path = test_write("type2.json", "[{\"type\":\"web\",\"function\":{\"name\":\"f\"}}]");
	test_refuse("tools", path, "only tools of type \"function\"");
	free(path);
	path = test_write("params.json", "[{\"name\":\"f\",\"parameters\":[]}]");
	test_refuse("tools", path, "\"parameters\" must be an object");
	free(path);
	path = test_write("desc.json", "[{\"name\":\"f\",\"description\":1}]");
	test_refuse("tools", path, "\"description\" must be a string");
	free(path);
	path = test_write("item.json", "[\"f\"]");
	test_refuse("tools", path, "tool 1 in");
	free(path);
	path = test_write("str.json", "\"f\"");
	test_refuse("tools", path, "does not hold a JSON array of tools");
	free(path);
	path = test_write("fnstr.json", "[{\"type\":\"function\",\"function\":\"f\"}]");
	test_refuse("tools", path, "\"function\" must be an object");
	free(path);
	path = test_write("nul.json", "");
	FILE *f = fopen(path, "w");
	fwrite("[\0]", 1, 3, f);
	fclose(f);
	test_refuse("tools", path, "is not a JSON text file");
	free(path);
	test_refuse("tools", "", "tools needs a file name");
}

static void test_copy_unset(void **state)
{
	struct chat_params p, q;
	(void)state;

	chat_params_init(&p);
	test_accept(&p, "model", "m");
	test_accept(&p, "system", "s");
	test_accept(&p, "user", "u");
	test_accept(&p, "stop", "a");
	test_accept(&p, "stop", "b");
	test_accept(&p, "logit_bias", "1=2");
	test_accept(&p, "json_mode", "on");
	test_accept(&p, "tool_choice", "f");
	test_accept(&p, "detail", "low");
	test_accept(&p, "temperature", "0.5");
	test_accept(&p, "top_logprobs", "3");
	char *path = test_write("copy.json", "[{\"name\":\"f\"}]");
	test_accept(&p, "tools", path);
	free(path);

	chat_params_copy(&q, &p);
	chat_params_done(&p);
	assert_string_equal(q.model, "m");
	assert_string_equal(q.system, "s");
	assert_string_equal(q.user, "u");
	assert_int_equal(q.n_stop, 2);
	assert_string_equal(q.stop[1], "b");
	assert_int_equal(q.n_logit_bias, 1);
	assert_int_equal(q.logit_bias[0].bias, 2);
	assert_string_equal(test_json(q.response_format), "{\"type\":\"json_object\"}");
	assert_int_equal(json_object_array_length(q.tools), 1);
	assert_non_null(q.tool_choice);
	assert_string_equal(q.detail, "low");
	assert_true(q.has_temperature && q.temperature == 0.5);
	assert_int_equal(q.top_logprobs, 3);

	static const char *const names[] = {
		"temperature", "top_p", "n", "stop", "max_tokens", "presence_penalty",
		"frequency_penalty", "logit_bias", "user", "seed", "json_mode",
		"response_format", "tools", "tool_choice", "logprobs", "top_logprobs",
		"detail", "model", "system", "stream", "no-such-name",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		chat_params_unset(&q, names[i]);
	assert_null(q.model);
	assert_null(q.system);
	assert_null(q.user);
	assert_int_equal(q.n_stop, 0);
	assert_int_equal(q.n_logit_bias, 0);
	assert_null(q.response_format);
	assert_null(q.tools);
	assert_null(q.tool_choice);
	assert_null(q.detail);
	assert_false(q.has_temperature || q.has_logprobs);
	assert_int_equal(q.top_logprobs, -1);
	assert_true(q.stream);
	chat_params_done(&q);

	/* Copying an empty params copies nothing. */
	chat_params_init(&p);
	chat_params_copy(&q, &p);
	assert_null(q.logit_bias);
	chat_params_done(&q);
	chat_params_done(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_done),
		cmocka_unit_test(test_temperature),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_negative_zero_top_p),
		cmocka_unit_test(test_logprobs),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_logit_bias),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_quote_control),
		cmocka_unit_test(test_json_mode),
		cmocka_unit_test(test_tool_choice),
		cmocka_unit_test(test_response_format),
		cmocka_unit_test(test_big_file),
		cmocka_unit_test(test_tools),
		cmocka_unit_test(test_copy_unset),
	};
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
