/* Fuzz the error-body reader (src/core/errbody.c, htmltext.c).
 *
 * The input is "STATUS CONTENT-TYPE\n" followed by the body, like the seeds
 * in corpus/errbody/; an input that does not start with three digits is all
 * body, with status 0 and no Content-Type.  Invariants: every field of the
 * parsed error and the formatted line are valid UTF-8 on one line, without
 * C0/C1 controls, DEL or bidirectional controls, within their caps (the line
 * at most 330 characters); parsing the same reply again into the same struct
 * gives the same line. */
#include <config.h>

#include "core/errbody.h"
#include "fuzz.h"

#include <string.h>

/* Longest line: "HTTP 999 " + the longest reason phrase (36) + ": " + a
 * message of 200 characters and "…" + " (" + a tag of 64 and "…" + ")". */
#define MAX_LINE_CHARS 330

/* Return whether cp is a bidirectional control (or mark) that can make a
 * line read as something else. */
static int is_bidi(uint32_t cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Check a string that will reach the terminal; max is its cap in characters. */
static void check_clean(const char *what, const char *s, size_t max)
{
	if (!s)
		return;
	size_t n = strlen(s), chars = 0;
	const char *bad = fuzz_find_unsafe(s, n, NULL);
	FUZZ_ASSERT(!bad, "%s has an unsafe byte 0x%02x at %zu: %s", what, (unsigned char)*bad,
		    (size_t)(bad - s), s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = fuzz_utf8_next((const unsigned char *)s + i, n - i, &cp);
		FUZZ_ASSERT(!is_bidi(cp), "%s holds the bidi control U+%04X: %s", what,
			    (unsigned)cp, s);
		i += k;
		chars++;
	}
	FUZZ_ASSERT(chars <= max, "%s has %zu characters (at most %zu): %s", what, chars, max, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t n = size;
	long status = 0;
	char ctype[256];
	const char *content_type = NULL;

	if (n >= 3 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
	    p[2] <= '9') {
		status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
		const char *nl = memchr(p, '\n', n);
		size_t head = nl ? (size_t)(nl - p) : n;
		if (head > 4) {
			size_t k = head - 4 < sizeof ctype - 1 ? head - 4 : sizeof ctype - 1;
			memcpy(ctype, p + 4, k);
			ctype[k] = '\0';
			content_type = ctype;
		}
		p += nl ? head + 1 : n;
		n -= nl ? head + 1 : n;
	}

	struct api_error e;
	api_error_init(&e);
	api_error_parse(&e, status, content_type, n ? p : NULL, n);
	FUZZ_ASSERT(e.status == status, "status %ld became %ld", status, e.status);
	check_clean("message", e.message, 201);
	check_clean("type", e.type, 65);
	check_clean("code", e.code, 65);
	check_clean("param", e.param, 65);
	char *line = api_error_format(&e);
	FUZZ_ASSERT(line && *line, "an empty line");
	check_clean("the formatted line", line, MAX_LINE_CHARS);
	(void)api_error_retryable(&e);

	/* The struct is reusable: the same reply gives the same line. */
	api_error_parse(&e, status, content_type, n ? p : NULL, n);
	char *again = api_error_format(&e);
	FUZZ_ASSERT(strcmp(line, again) == 0, "parsing again gave \"%s\", first \"%s\"", again,
		    line);
	free(again);
	free(line);
	api_error_done(&e);
	FUZZ_ASSERT(!e.message && !e.type && !e.code && !e.param, "api_error_done left a field");
	return 0;
}
