/* Fuzz the session loader (session_load in src/core/sessionload.c, and the
 * export functions of session.c).
 *
 * The input is a session file (JSON Lines, squint-session(5)).  Invariants:
 *   - a failure has a message, a success none;
 *   - every warning and message is one line without control bytes (C0,
 *     DEL, or C1 as UTF-8) and valid UTF-8: squint prints them as they are,
 *     and a session file may be anyone's;
 *   - the current branch ends at a message of the file (or nowhere);
 *   - the exported messages array serialises to JSON that parses back, and
 *     the Markdown export exists;
 *   - loading is deterministic, and a torn last line (a crash while
 *     writing) costs nothing but one warning. */
#include <config.h>

#include "core/session.h"
#include "fuzz.h"

#include <string.h>

/* What one load gave, for comparisons. */
struct outcome {
	int rc;
	char *messages; /* the exported messages array as JSON text, or NULL */
	char *markdown;
	size_t n_warnings, n_records, n_msgs;
	unsigned long long leaf;
};

/* Check a line squint prints as it is. */
static void check_line(const char *what, const char *s)
{
	FUZZ_ASSERT(s && *s, "%s is empty", what);
	const char *bad = fuzz_find_unsafe(s, strlen(s), NULL);
	FUZZ_ASSERT(!bad, "%s has the unsafe byte 0x%02x at %zu: %s", what, (unsigned char)*bad,
		    (size_t)(bad - s), s);
}

/* Load the len bytes at buf, check the session and describe it in *o. */
static void load(const char *buf, size_t len, struct outcome *o)
{
	struct session s;
	session_init(&s);
	char *err = NULL;
	memset(o, 0, sizeof *o);
	o->rc = session_load(&s, buf, len, "fuzz.jsonl", &err);
	FUZZ_ASSERT(o->rc == 0 || o->rc == -1, "session_load returned %d", o->rc);
	if (o->rc < 0) {
		check_line("the error", err);
		free(err);
	} else {
		FUZZ_ASSERT(!err, "success with a message: %s", err);
	}
	for (size_t i = 0; i < s.n_warnings; i++)
		check_line("a warning", s.warnings[i]);
	o->n_warnings = s.n_warnings;
	o->n_records = s.n_records;
	o->n_msgs = s.conv.n_msgs;
	o->leaf = s.leaf;

	if (o->rc == 0) {
		size_t lines = 0;
		for (size_t i = 0; i < len; i++)
			lines += buf[i] == '\n';
		FUZZ_ASSERT(s.n_records <= lines + 1, "%zu records in %zu lines", s.n_records,
			    lines);
		if (s.leaf) {
			bool found = false;
			for (size_t i = 0; i < s.conv.n_msgs && !found; i++)
				found = s.conv.msgs[i].id == s.leaf;
			FUZZ_ASSERT(found, "the branch ends at message %llu, which is not loaded",
				    s.leaf);
		}
		for (size_t i = 0; i < s.n_images; i++)
			FUZZ_ASSERT(strlen(s.images[i].sha256) == 64 &&
					    strspn(s.images[i].sha256, "0123456789abcdef") == 64,
				    "image %zu has the hash \"%s\"", i, s.images[i].sha256);
		(void)session_system(&s, s.leaf);
		(void)session_params(&s, s.leaf);

		json_object *msgs = session_export_messages(&s);
		FUZZ_ASSERT(msgs && json_object_is_type(msgs, json_type_array),
			    "the export is not an array");
		size_t n;
		const char *text =
			json_object_to_json_string_length(msgs, JSON_C_TO_STRING_PLAIN, &n);
		json_tokener *tok = json_tokener_new();
		json_object *back = json_tokener_parse_ex(tok, text, (int)n);
		FUZZ_ASSERT(back && json_tokener_get_parse_end(tok) == n,
			    "the exported messages do not parse back");
		json_object_put(back);
		json_tokener_free(tok);
		o->messages = strdup(text);
		json_object_put(msgs);
		o->markdown = session_export_markdown(&s, NULL, NULL, NULL);
		FUZZ_ASSERT(o->messages && o->markdown, "an export is missing");
	}
	session_done(&s);
}

/* Free what o holds. */
static void outcome_done(struct outcome *o)
{
	free(o->messages);
	free(o->markdown);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct outcome a, b;
	load(buf, size, &a);

	/* Deterministic. */
	load(buf, size, &b);
	FUZZ_ASSERT(a.rc == b.rc && a.n_warnings == b.n_warnings && a.n_records == b.n_records &&
			    a.leaf == b.leaf &&
			    (!a.messages || strcmp(a.messages, b.messages) == 0) &&
			    (!a.markdown || strcmp(a.markdown, b.markdown) == 0),
		    "loading the same file twice differs");
	outcome_done(&b);

	/* A crash while appending tears at most the last line. */
	if (a.rc == 0 && size > 0 && buf[size - 1] == '\n' && a.n_warnings < 40) {
		static const char torn[] = "{\"type\":\"user\",\"id\":9";
		char *t = malloc(size + sizeof torn);
		FUZZ_ASSERT(t, "out of memory");
		memcpy(t, buf, size);
		memcpy(t + size, torn, sizeof torn - 1);
		load(t, size + sizeof torn - 1, &b);
		FUZZ_ASSERT(b.rc == 0 && b.n_records == a.n_records && b.n_msgs == a.n_msgs &&
				    b.leaf == a.leaf && strcmp(a.messages, b.messages) == 0,
			    "a torn last line changed what was loaded");
		FUZZ_ASSERT(b.n_warnings == a.n_warnings + 1,
			    "a torn last line gave %zu more warnings, not 1",
			    b.n_warnings - a.n_warnings);
		outcome_done(&b);
		free(t);
	}
	outcome_done(&a);
	return 0;
}
