/* Error bodies of every shape -> one readable line; Retry-After values. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "core/errbody.h"

/* Assert that s is valid UTF-8 with no control characters at all. */
static void assert_safe_line(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		assert_true(*p >= 0x20 && *p != 0x7F);
		if (*p < 0x80) {
			p++;
			continue;
		}
		size_t n = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
		assert_true(*p >= 0xC2 && *p <= 0xF4);
		for (size_t k = 1; k < n; k++)
			assert_int_equal(p[k] & 0xC0, 0x80);
		/* No C1 controls (U+0080-U+009F) either. */
		if (n == 2)
			assert_false(p[0] == 0xC2 && p[1] < 0xA0);
		p += n;
	}
}

/* Return the number of characters (code points) in the UTF-8 string s. */
static size_t count_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Parse a body of n bytes and return the formatted line; caller frees it. */
static char *line_n(long status, const char *ctype, const char *body, size_t n)
{
	struct api_error e;
	api_error_init(&e);
	api_error_parse(&e, status, ctype, body, n);
	char *s = api_error_format(&e);
	api_error_done(&e);
	assert_safe_line(s);
	return s;
}

/* Assert that body (a string) under status and ctype formats as want. */
static void check(long status, const char *ctype, const char *body, const char *want)
{
	char *s = line_n(status, ctype, body, body ? strlen(body) : 0);
	if (strcmp(s, want) != 0)
		print_error("got  %s\nwant %s\n", s, want);
	assert_string_equal(s, want);
	free(s);
}

static void test_openai_shape(void **state)
{
	(void)state;
	check(429, "application/json",
	      "{\"error\":{\"message\":\"Rate limit reached for gpt-4o\",\"type\":\"tokens\","
	      "\"param\":null,\"code\":\"rate_limit_exceeded\"}}",
	      "HTTP 429 Too Many Requests: Rate limit reached for gpt-4o (rate_limit_exceeded)");
	/* The server's own text passes as is, key hint included. */
	check(401, "application/json; charset=utf-8",
	      "{\n  \"error\": {\n    \"message\": \"Incorrect API key provided: sk-abc***xyz. You can find "
	      "your API key at https://platform.openai.com/account/api-keys.\",\n    \"type\": "
	      "\"invalid_request_error\",\n    \"param\": null,\n    \"code\": \"invalid_api_key\"\n  }\n}\n",
	      "HTTP 401 Unauthorized: Incorrect API key provided: sk-abc***xyz. You can find your API key at "
	      "https://platform.openai.com/account/api-keys. (invalid_api_key)");
	/* code null: the type is shown instead. */
	check(400, NULL,
	      "{\"error\":{\"message\":\"Invalid image.\",\"type\":\"invalid_request_error\","
	      "\"param\":\"messages\",\"code\":null}}",
	      "HTTP 400 Bad Request: Invalid image. (invalid_request_error)");

	struct api_error e;
	api_error_init(&e);
	const char *body = "{\"error\":{\"message\":\"m\",\"type\":\"t\",\"param\":\"messages\",\"code\":\"c\"}}";
	api_error_parse(&e, 400, "application/json", body, strlen(body));
	assert_int_equal(e.status, 400);
	assert_string_equal(e.message, "m");
	assert_string_equal(e.type, "t");
	assert_string_equal(e.code, "c");
	assert_string_equal(e.param, "messages");
	/* Parsing again replaces everything (no leak, no stale fields). */
	api_error_parse(&e, 500, NULL, "{\"error\":{\"message\":\"x\"}}", 25);
	assert_int_equal(e.status, 500);
	assert_string_equal(e.message, "x");
	assert_null(e.type);
	assert_null(e.code);
	assert_null(e.param);
	api_error_done(&e);
	assert_null(e.message);
}

static void test_numeric_code(void **state)
{
	(void)state;
	struct api_error e;
	api_error_init(&e);
	const char *body = "{\"error\":{\"message\":\"Bad thing\",\"code\":1234}}";
	api_error_parse(&e, 400, NULL, body, strlen(body));
	assert_string_equal(e.code, "1234");
	char *s = api_error_format(&e);
	assert_string_equal(s, "HTTP 400 Bad Request: Bad thing (1234)");
	free(s);
	api_error_done(&e);
	/* A code that only repeats the status is not shown; the type is. */
	check(400, NULL,
	      "{\"object\":\"error\",\"message\":\"max_tokens is too large\",\"type\":\"BadRequestError\","
	      "\"param\":null,\"code\":400}",
	      "HTTP 400 Bad Request: max_tokens is too large (BadRequestError)");
	check(500, NULL, "{\"error\":{\"message\":\"oops\",\"code\":1.5}}",
	      "HTTP 500 Internal Server Error: oops (1.5)");
}

static void test_flat_shapes(void **state)
{
	(void)state;
	check(404, NULL, "{\"message\":\"The model `gpt-5x` does not exist\",\"code\":\"model_not_found\"}",
	      "HTTP 404 Not Found: The model `gpt-5x` does not exist (model_not_found)");
	check(404, "application/json", "{\"detail\":\"Not Found\"}", "HTTP 404 Not Found: Not Found");
	check(422, "application/json",
	      "{\"detail\":[{\"loc\":[\"body\",\"messages\",0,\"content\"],\"msg\":\"field required\","
	      "\"type\":\"value_error.missing\"},{\"loc\":[\"body\",\"model\"],\"msg\":\"str type expected\"}]}",
	      "HTTP 422 Unprocessable Entity: body.messages.0.content: field required; body.model: str type "
	      "expected");
	check(503, NULL, "{\"error\":\"model is overloaded, try later\"}",
	      "HTTP 503 Service Unavailable: model is overloaded, try later");
	/* NestJS: the message says more than the error's name. */
	check(404, NULL, "{\"statusCode\":404,\"message\":\"Cannot POST /v1/chat\",\"error\":\"Not Found\"}",
	      "HTTP 404 Not Found: Cannot POST /v1/chat");
	check(400, NULL, "{\"errors\":[{\"message\":\"first problem\"},{\"message\":\"second\"}]}",
	      "HTTP 400 Bad Request: first problem; second");
	check(400, NULL, "{\"errors\":[\"a\",42,\"b\"]}", "HTTP 400 Bad Request: a; b");
	/* RFC 7807 problem details: a URI type is not a useful tag. */
	check(403, "application/problem+json",
	      "{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403,\"detail\":\"Key revoked\"}",
	      "HTTP 403 Forbidden: Key revoked");
}

static void test_wrapped_shapes(void **state)
{
	(void)state;
	check(429, "application/json",
	      "[{\n  \"error\": {\n    \"code\": 429,\n    \"message\": \"Resource has been exhausted (e.g. check "
	      "quota).\",\n    \"status\": \"RESOURCE_EXHAUSTED\"\n  }\n}\n]",
	      "HTTP 429 Too Many Requests: Resource has been exhausted (e.g. check quota). "
	      "(RESOURCE_EXHAUSTED)");
	check(529, NULL, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
	      "HTTP 529 Overloaded: Overloaded (overloaded_error)");
	/* JSON is tried whatever the content type says. */
	check(502, "text/html", "\xef\xbb\xbf  {\"error\":{\"message\":\"upstream failed\"}}",
	      "HTTP 502 Bad Gateway: upstream failed");
	/* A tag the message already contains is not repeated. */
	check(400, NULL, "{\"error\":{\"message\":\"context_length_exceeded: too long\",\"code\":\"context_length_exceeded\"}}",
	      "HTTP 400 Bad Request: context_length_exceeded: too long");
}

static void test_from_json(void **state)
{
	(void)state;
	struct json_object *root = json_tokener_parse("{\"error\":{\"message\":\"mid-stream\",\"type\":\"server_error\"}}");
	struct api_error e;
	api_error_init(&e);
	assert_int_equal(api_error_from_json(&e, root), 0);
	char *s = api_error_format(&e);
	assert_string_equal(s, "mid-stream (server_error)");
	free(s);
	json_object_put(root);
	root = json_tokener_parse("{\"choices\":[]}");
	assert_int_equal(api_error_from_json(&e, root), -1);
	assert_string_equal(e.message, "mid-stream"); /* unchanged */
	json_object_put(root);
	assert_int_equal(api_error_from_json(&e, NULL), -1);
	api_error_done(&e);
}

static void test_json_cleaned_and_capped(void **state)
{
	(void)state;
	check(500, NULL, "{\"error\":{\"message\":\"line one\\n\\tline two \\u001b[31mred\\u0007 \\u202eevil\"}}",
	      "HTTP 500 Internal Server Error: line one line two \xef\xbf\xbd[31mred\xef\xbf\xbd \xef\xbf\xbd" "evil");
	/* A huge message is cut at a word boundary. */
	char body[4096];
	strcpy(body, "{\"error\":{\"message\":\"");
	for (int i = 0; i < 300; i++)
		strcat(body, "word ");
	strcat(body, "\"}}");
	char *s = line_n(400, NULL, body, strlen(body));
	const char *msg = s + strlen("HTTP 400 Bad Request: ");
	assert_true(count_chars(msg) <= 200);
	assert_true(count_chars(msg) > 150);
	assert_string_equal(msg + strlen(msg) - strlen("word…"), "word…");
	free(s);
	/* Not JSON after all: shown as text. */
	check(500, "application/json", "{not json", "HTTP 500 Internal Server Error: {not json");
	/* JSON without any error shape: a short excerpt of it. */
	check(500, NULL, "{\"ok\":false}", "HTTP 500 Internal Server Error: {\"ok\":false}");
}

static void test_html_cloudflare(void **state)
{
	(void)state;
	check(502, "text/html",
	      "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
	      "Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n",
	      "HTTP 502 Bad Gateway: cloudflare");
	/* The same page without a Content-Type is still recognised. */
	check(504, NULL,
	      "<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway "
	      "Time-out</h1></center><hr><center>nginx</center></body></html>",
	      "HTTP 504 Gateway Timeout: 504 Gateway Time-out — nginx");
}

/* A page whose heading only repeats the status says it once. */
static void test_html_heading_repeats_status(void **state)
{
	(void)state;
	const char *page = "<html><head><title>502 Bad Gateway</title></head>"
			   "<body><h1>502 Bad Gateway</h1><p>The upstream went away.</p></body></html>";
	struct api_error e;
	api_error_init(&e);
	api_error_parse(&e, 502, "text/html", page, strlen(page));
	char *line = api_error_format(&e);
	assert_string_equal(line, "HTTP 502 Bad Gateway: The upstream went away.");
	free(line);
	api_error_done(&e);
}

static void test_html_script_style_entities(void **state)
{
	(void)state;
	check(500, "text/html; charset=UTF-8",
	      "<!DOCTYPE html><html><head><title>Oops &amp; sorry</title>"
	      "<style type=\"text/css\">body { color: red } h1 > p {}</style>"
	      "<script>var a = '<h1>not this</h1>'; if (a < b) {}</script></head>"
	      "<body><!-- a <b>hidden</b> comment --><h1>Service&nbsp;down</h1>"
	      "<p>Try &lt;later&gt; &quot;please&quot; &#39;ok&#39; &#x263A; &#8212; bye &bogus; a & b</p>"
	      "<SCRIPT type=module>alert(1)</SCRIPT></body></html>",
	      "HTTP 500 Internal Server Error: Oops & sorry — Service down Try <later> \"please\" 'ok' "
	      "\xe2\x98\xba \xe2\x80\x94 bye &bogus; a & b");
	/* No title: the first heading leads; escapes in entities stay harmless. */
	check(403, "text/html", "<body><h1>Access denied</h1><p>Error 1020 &#27;[2J &#0; &#x110000;</p></body>",
	      "HTTP 403 Forbidden: Access denied — Error 1020 \xef\xbf\xbd[2J \xef\xbf\xbd \xef\xbf\xbd");
	/* Only markup: nothing to say beyond the status. */
	check(502, "text/html", "<html><head><script>x()</script></head><body> </body></html>",
	      "HTTP 502 Bad Gateway");
	/* A tag cut by the end of the body. */
	check(502, "text/html", "<html><title>Down</title><p>bye<a href=\"x", "HTTP 502 Bad Gateway: Down — bye");
	/* XML gateways too. */
	check(403, "application/xml",
	      "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
	      "HTTP 403 Forbidden: AccessDenied Access Denied");
}

static void test_html_long(void **state)
{
	(void)state;
	char body[8192] = "<html><head><title>Error</title></head><body><p>";
	for (int i = 0; i < 200; i++)
		strcat(body, "lorem ipsum ");
	strcat(body, "</p></body></html>");
	char *s = line_n(500, "text/html", body, strlen(body));
	const char *msg = s + strlen("HTTP 500 Internal Server Error: ");
	assert_int_equal(strncmp(msg, "Error — lorem ipsum", strlen("Error — lorem ipsum")), 0);
	assert_true(count_chars(msg) <= 160);
	assert_true(count_chars(msg) > 120);
	const char *tail = msg + strlen(msg) - strlen("…");
	assert_string_equal(tail, "…");
	assert_true(tail[-1] == 'm' || tail[-1] == 'r'); /* a whole word before "…" */
	free(s);
}

static void test_plain_text(void **state)
{
	(void)state;
	check(503, "text/plain",
	      "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
	      "HTTP 503 Service Unavailable: upstream connect error or disconnect/reset before headers. reset "
	      "reason: connection failure");
	check(500, NULL, "\n\n   Internal error\r\n  while handling\trequest\n\n",
	      "HTTP 500 Internal Server Error: Internal error while handling request");
	check(404, "text/plain", "no healthy upstream", "HTTP 404 Not Found: no healthy upstream");
	check(400, NULL, "a < b", "HTTP 400 Bad Request: a < b");
}

static void test_huge_text(void **state)
{
	(void)state;
	size_t n = 1 << 20;
	char *body = malloc(n);
	assert_non_null(body);
	for (size_t i = 0; i < n; i++)
		body[i] = (i % 7 == 6) ? ' ' : (char)('a' + i % 26);
	char *s = line_n(500, "text/plain", body, n);
	const char *msg = s + strlen("HTTP 500 Internal Server Error: ");
	assert_true(count_chars(msg) <= 160);
	assert_true(strlen(s) < 1024);
	assert_string_equal(msg + strlen(msg) - strlen("…"), "…");
	free(s);
	/* A huge HTML page likewise. */
	memcpy(body, "<html><title>Big</title>", 24);
	s = line_n(500, "text/html", body, n);
	assert_true(strlen(s) < 1024);
	assert_int_equal(strncmp(s, "HTTP 500 Internal Server Error: Big — ", 40), 0);
	free(s);
	free(body);
}

static void test_binary(void **state)
{
	(void)state;
	unsigned char bin[4096];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof bin; i++) {
		x = x * 1103515245u + 12345u;
		bin[i] = (unsigned char)(x >> 16);
	}
	char *s = line_n(500, "application/octet-stream", (const char *)bin, sizeof bin);
	assert_string_equal(s, "HTTP 500 Internal Server Error: 4096 bytes of binary data");
	free(s);
	/* No NUL but mostly invalid UTF-8: binary as well. */
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (unsigned char)(0x80 | (i & 0x3F));
	s = line_n(502, NULL, (const char *)bin, 100);
	assert_string_equal(s, "HTTP 502 Bad Gateway: 100 bytes of binary data");
	free(s);
	/* Text with a few bad bytes: shown, with the bad bytes replaced. */
	check(500, NULL, "err\x1b[0m: bad \xff\xfe byte \x9b here \xc3\xa9t\xc3\xa9; the rest is plain text",
	      "HTTP 500 Internal Server Error: err\xef\xbf\xbd[0m: bad \xef\xbf\xbd byte \xef\xbf\xbd here "
	      "\xc3\xa9t\xc3\xa9; the rest is plain text");
	/* A UTF-8 sequence cut by the end of the body. */
	check(500, NULL, "caf\xc3", "HTTP 500 Internal Server Error: caf\xef\xbf\xbd");
}

static void test_empty(void **state)
{
	(void)state;
	check(503, "text/plain", "", "HTTP 503 Service Unavailable");
	check(503, NULL, NULL, "HTTP 503 Service Unavailable");
	check(503, NULL, " \r\n\t\n", "HTTP 503 Service Unavailable");
	check(599, NULL, "", "HTTP 599");
	check(599, NULL, "weird", "HTTP 599: weird");
	check(0, NULL, "", "unknown error");
	check(0, NULL, "just text", "just text");
}

static void test_reasons(void **state)
{
	(void)state;
	static const struct {
		long status;
		const char *reason;
	} want[] = {{400, "Bad Request"}, {401, "Unauthorized"}, {403, "Forbidden"}, {404, "Not Found"},
		    {408, "Request Timeout"}, {409, "Conflict"}, {413, "Payload Too Large"},
		    {422, "Unprocessable Entity"}, {429, "Too Many Requests"}, {500, "Internal Server Error"},
		    {502, "Bad Gateway"}, {503, "Service Unavailable"}, {504, "Gateway Timeout"},
		    {529, "Overloaded"}};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_string_equal(api_status_reason(want[i].status), want[i].reason);
	assert_null(api_status_reason(299));
	assert_null(api_status_reason(0));
}

static void test_retryable(void **state)
{
	(void)state;
	static const long yes[] = {408, 409, 429, 500, 502, 503, 504, 529};
	static const long no[] = {0, 200, 400, 401, 403, 404, 413, 422, 501, 505};
	struct api_error e;
	api_error_init(&e);
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		api_error_parse(&e, yes[i], NULL, "busy", 4);
		assert_true(api_error_retryable(&e));
	}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		api_error_parse(&e, no[i], NULL, "nope", 4);
		assert_false(api_error_retryable(&e));
	}
	const char *quota = "{\"error\":{\"message\":\"You exceeded your current quota, please check your plan "
			    "and billing details.\",\"type\":\"insufficient_quota\",\"param\":null,"
			    "\"code\":\"insufficient_quota\"}}";
	api_error_parse(&e, 429, "application/json", quota, strlen(quota));
	assert_false(api_error_retryable(&e));
	const char *by_code = "{\"error\":{\"message\":\"q\",\"code\":\"insufficient_quota\"}}";
	api_error_parse(&e, 429, NULL, by_code, strlen(by_code));
	assert_false(api_error_retryable(&e));
	const char *by_type = "{\"error\":{\"message\":\"q\",\"type\":\"insufficient_quota\"}}";
	api_error_parse(&e, 429, NULL, by_type, strlen(by_type));
	assert_false(api_error_retryable(&e));
	const char *rate = "{\"error\":{\"message\":\"slow down\",\"code\":\"rate_limit_exceeded\"}}";
	api_error_parse(&e, 429, NULL, rate, strlen(rate));
	assert_true(api_error_retryable(&e));
	api_error_done(&e);
}

/* Sun, 06 Nov 1994 08:49:37 GMT */
#define T1994 784111777LL

static void test_retry_after_seconds(void **state)
{
	(void)state;
	assert_int_equal(api_retry_after_ms("120", T1994), 120000);
	assert_int_equal(api_retry_after_ms("0", T1994), 0);
	assert_int_equal(api_retry_after_ms("1.5", T1994), 1500);
	assert_int_equal(api_retry_after_ms("0.25", T1994), 250);
	assert_int_equal(api_retry_after_ms("2.0009", T1994), 2000);
	assert_int_equal(api_retry_after_ms(" 2 \r\n", T1994), 2000);
	assert_int_equal(api_retry_after_ms("7200", T1994), 3600000);
	assert_int_equal(api_retry_after_ms("99999999999999999999999", T1994), 3600000);
	assert_int_equal(api_retry_after_ms("-1", T1994), -1);
	assert_int_equal(api_retry_after_ms("1.", T1994), -1);
	assert_int_equal(api_retry_after_ms("1.5s", T1994), -1);
	assert_int_equal(api_retry_after_ms("soon", T1994), -1);
	assert_int_equal(api_retry_after_ms("", T1994), -1);
	assert_int_equal(api_retry_after_ms("   ", T1994), -1);
	assert_int_equal(api_retry_after_ms(NULL, T1994), -1);
}

static void test_retry_after_dates(void **state)
{
	(void)state;
	/* The three forms RFC 9110 names, 30 s ahead. */
	assert_int_equal(api_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", T1994 - 30), 30000);
	assert_int_equal(api_retry_after_ms("Sunday, 06-Nov-94 08:49:37 GMT", T1994 - 30), 30000);
	assert_int_equal(api_retry_after_ms("Sun Nov  6 08:49:37 1994", T1994 - 30), 30000);
	assert_int_equal(api_retry_after_ms("sun, 06 nov 1994 08:49:37 gmt", T1994 - 30), 30000);
	/* Past and present dates mean now; far ones are capped. */
	assert_int_equal(api_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", T1994), 0);
	assert_int_equal(api_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", T1994 + 3600), 0);
	assert_int_equal(api_retry_after_ms("Sun Nov  6 08:49:37 1994", T1994 + 1), 0);
	assert_int_equal(api_retry_after_ms("Mon, 07 Nov 1994 08:49:37 GMT", T1994), 3600000);
	/* Leap day and the year 2000. */
	assert_int_equal(api_retry_after_ms("Tue, 29 Feb 2000 00:00:10 GMT", 951782400LL), 10000);
	/* Two-digit years: at most 50 years ahead, else the century before. */
	assert_int_equal(api_retry_after_ms("Thursday, 01-Jan-26 00:00:00 GMT", 1767225540LL), 60000);
	assert_int_equal(api_retry_after_ms("Sunday, 06-Nov-94 08:49:37 GMT", 1767225540LL), 0);
	/* Malformed dates. */
	assert_int_equal(api_retry_after_ms("Sun, 32 Nov 1994 08:49:37 GMT", T1994), -1);
	assert_int_equal(api_retry_after_ms("Sun, 06 Foo 1994 08:49:37 GMT", T1994), -1);
	assert_int_equal(api_retry_after_ms("Funday, 06 Nov 1994 08:49:37 GMT", T1994), -1);
	assert_int_equal(api_retry_after_ms("Sun, 06 Nov 1994 24:49:37 GMT", T1994), -1);
	assert_int_equal(api_retry_after_ms("Sun, 06 Nov 1994 08:49 GMT", T1994), -1);
	assert_int_equal(api_retry_after_ms("Sun, 06 Nov 1994 08:49:37 PST", T1994), -1);
	assert_int_equal(api_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT junk", T1994), -1);
	assert_int_equal(api_retry_after_ms("Sun, 06 Nov 994 08:49:37 GMT", T1994), -1);
	assert_int_equal(api_retry_after_ms("Sun Nov  6 08:49:37", T1994), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openai_shape),
		cmocka_unit_test(test_html_heading_repeats_status),
		cmocka_unit_test(test_numeric_code),
		cmocka_unit_test(test_flat_shapes),
		cmocka_unit_test(test_wrapped_shapes),
		cmocka_unit_test(test_from_json),
		cmocka_unit_test(test_json_cleaned_and_capped),
		cmocka_unit_test(test_html_cloudflare),
		cmocka_unit_test(test_html_script_style_entities),
		cmocka_unit_test(test_html_long),
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_huge_text),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_retryable),
		cmocka_unit_test(test_retry_after_seconds),
		cmocka_unit_test(test_retry_after_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
