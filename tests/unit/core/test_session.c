/* Session records: round trips of every record type, damaged files,
 * images stored once, branches, SHA-256, and the file layer. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/session.h"
#include "core/sessiondir.h"
#include "core/sessionfile.h"
#include <time.h>

#define URL_A "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="

/* Apply a content delta to choice ch of m. */
static void put(struct conv_msg *m, enum chunk_delta_kind kind, int ch, int tool, const char *s,
		size_t len)
{
	struct chunk_delta d = {kind, ch, tool, s, len};
	assert_int_equal(conv_answer_apply(m, &d), 0);
}

/* Add a user message with text and optionally an image; returns its index. */
static size_t user(struct conv *c, const char *text, const char *url)
{
	size_t i = conv_add_user(c, 1000);
	struct conv_msg *m = conv_msg_at(c, i);
	conv_msg_add_text(m, text, strlen(text));
	if (url) {
		conv_msg_add_image(m, url, "shot.png", "image/png", 3840, 2160, 356000);
		m->parts[m->n_parts - 1].sent_width = 1365;
		m->parts[m->n_parts - 1].sent_height = 768;
		m->parts[m->n_parts - 1].sent_bytes = 93000;
	}
	return i;
}

/* Add a finished answer with text; returns its index. */
static size_t answer(struct conv *c, const char *text)
{
	size_t i = conv_add_answer(c, 1001, "gpt-test");
	struct conv_msg *m = conv_msg_at(c, i);
	put(m, CHUNK_DELTA_CONTENT, 0, -1, text, strlen(text));
	put(m, CHUNK_DELTA_FINISH, 0, -1, "stop", 4);
	conv_answer_finish(m, CONV_DONE, NULL);
	return i;
}

/* Load text into s (initialised here); returns session_load's result. */
static int load(struct session *s, const char *text)
{
	char *err = NULL;
	session_init(s);
	int rc = session_load(s, text, strlen(text), "f", &err);
	if (rc != 0) {
		print_message("load: %s\n", err);
		free(err);
	}
	return rc;
}

/* Return whether some warning of s contains needle. */
static bool warned(const struct session *s, const char *needle)
{
	for (size_t i = 0; i < s->n_warnings; i++)
		if (strstr(s->warnings[i], needle))
			return true;
	return false;
}

static void test_sha256_vectors(void **state)
{
	(void)state;
	char hex[65];
	session_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	session_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56 bytes */
	session_sha256_hex(two, strlen(two), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	char *million = malloc(1000000);
	memset(million, 'a', 1000000);
	session_sha256_hex(million, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

/* Encode a conversation with every record type and load it back. */
static void test_round_trip_every_record(void **state)
{
	(void)state;
	struct session s;
	struct strbuf f = STRBUF_INIT;
	session_init(&s);
	session_encode_header(&s, &f, 1700000000, "9.9");
	session_encode_system(&s, &f, "be terse", 1700000000);
	json_object *p = json_tokener_parse("{\"model\":\"gpt-test\",\"temperature\":0.5,\"n\":2}");
	session_encode_params(&s, &f, p, 1700000000);
	json_object_put(p);
	size_t u = user(&s.conv, "what is \"this\"?\nline two", URL_A);
	session_encode_msg(&s, u, &f);
	size_t a = conv_add_answer(&s.conv, 1001, "gpt-test");
	struct conv_msg *m = conv_msg_at(&s.conv, a);
	put(m, CHUNK_DELTA_CONTENT, 0, -1, "nul\0byte", 8);
	put(m, CHUNK_DELTA_REASONING, 0, -1, "think", 5);
	put(m, CHUNK_DELTA_FINISH, 0, -1, "stop", 4);
	put(m, CHUNK_DELTA_TOOL_NAME, 1, 0, "lookup", 6);
	put(m, CHUNK_DELTA_TOOL_CALL, 1, 0, "{\"q\":1}", 7);
	m->choices[1].tool_calls[0].id = strdup("call_1");
	put(m, CHUNK_DELTA_FINISH, 1, -1, "tool_calls", 10);
	m->chosen = 1;
	conv_answer_set_usage(m, 10, 20, 30);
	m->resp_model = strdup("gpt-test-2024");
	m->fingerprint = strdup("fp_1");
	m->t_first_byte = 0.25;
	m->t_total = 1.5;
	conv_answer_finish(m, CONV_DONE, NULL);
	session_encode_msg(&s, a, &f);
	size_t t = conv_add_tool(&s.conv, 1002, "call_1", "{\"r\":2}");
	session_encode_msg(&s, t, &f);
	session_encode_select(&s, &f, conv_msg_at(&s.conv, a)->id, 0, 1003);
	session_done(&s);

	struct session r;
	assert_int_equal(load(&r, f.data), 0);
	assert_int_equal(r.n_warnings, 0);
	assert_int_equal(r.n_records, 7);
	assert_int_equal(r.created, 1700000000);
	assert_string_equal(r.creator, "squint 9.9");
	assert_string_equal(session_system(&r, r.leaf), "be terse");
	json_object *v;
	assert_true(json_object_object_get_ex(session_params(&r, r.leaf), "n", &v));
	assert_int_equal(json_object_get_int(v), 2);
	assert_int_equal(r.conv.n_msgs, 3);
	const struct conv_msg *ru = &r.conv.msgs[0], *ra = &r.conv.msgs[1], *rt = &r.conv.msgs[2];
	assert_string_equal(ru->parts[0].text, "what is \"this\"?\nline two");
	assert_string_equal(ru->parts[1].url, URL_A);
	assert_int_equal(ru->parts[1].width, 3840);
	assert_int_equal(ru->parts[1].sent_width, 1365);
	assert_int_equal(ru->parts[1].sent_bytes, 93000);
	assert_string_equal(ru->parts[1].mime, "image/png");
	assert_int_equal(ra->parent, ru->id);
	assert_int_equal(ra->n_choices, 2);
	assert_int_equal(ra->choices[0].content.len, 8);
	assert_memory_equal(ra->choices[0].content.data, "nul\0byte", 8);
	assert_string_equal(ra->choices[0].reasoning.data, "think");
	assert_string_equal(ra->choices[1].tool_calls[0].id, "call_1");
	assert_string_equal(ra->choices[1].tool_calls[0].arguments.data, "{\"q\":1}");
	assert_string_equal(ra->choices[1].finish_reason, "tool_calls");
	assert_int_equal(ra->chosen, 0); /* the select record chose 0 again */
	assert_int_equal(ra->state, CONV_DONE);
	assert_int_equal(ra->usage.total_tokens, 30);
	assert_string_equal(ra->resp_model, "gpt-test-2024");
	assert_string_equal(ra->fingerprint, "fp_1");
	assert_true(ra->t_total > 1.49 && ra->t_total < 1.51);
	assert_string_equal(rt->tool_call_id, "call_1");
	assert_int_equal(rt->parent, ra->id);
	assert_int_equal(r.leaf, ra->id); /* select moved back to the answer */
	session_done(&r);
	strbuf_done(&f);
}

/* The same screenshot in ten turns is stored once. */
static void test_image_dedup(void **state)
{
	(void)state;
	struct session s;
	struct strbuf f = STRBUF_INIT;
	session_init(&s);
	session_encode_header(&s, &f, 1, "t");
	for (int i = 0; i < 10; i++) {
		session_encode_msg(&s, user(&s.conv, "again", URL_A), &f);
		session_encode_msg(&s, answer(&s.conv, "ok"), &f);
	}
	size_t n = 0;
	for (const char *p = f.data; (p = strstr(p, URL_A)); p++)
		n++;
	assert_int_equal(n, 1);
	session_done(&s);
	struct session r;
	assert_int_equal(load(&r, f.data), 0);
	assert_int_equal(r.n_images, 1);
	assert_int_equal(r.conv.n_msgs, 20);
	assert_string_equal(r.conv.msgs[18].parts[1].url, URL_A);
	session_done(&r);
	strbuf_done(&f);
}

/* /retry adds a sibling; the request for a branch sends only that branch. */
static void test_branches(void **state)
{
	(void)state;
	struct session s;
	struct strbuf f = STRBUF_INIT;
	session_init(&s);
	session_encode_header(&s, &f, 1, "t");
	size_t u = user(&s.conv, "q1", NULL);
	session_encode_msg(&s, u, &f);
	session_encode_msg(&s, answer(&s.conv, "first try"), &f);
	conv_set_head(&s.conv, s.conv.msgs[u].id);
	session_encode_msg(&s, answer(&s.conv, "second try"), &f);
	session_encode_msg(&s, user(&s.conv, "q2", NULL), &f);
	session_done(&s);

	struct session r;
	assert_int_equal(load(&r, f.data), 0);
	assert_int_equal(r.conv.n_msgs, 4);
	assert_int_equal(r.conv.msgs[1].parent, r.conv.msgs[0].id);
	assert_int_equal(r.conv.msgs[2].parent, r.conv.msgs[0].id);
	json_object *msgs = session_export_messages(&r);
	assert_int_equal(json_object_array_length(msgs), 3);
	const char *text = json_object_to_json_string(msgs);
	assert_non_null(strstr(text, "second try"));
	assert_null(strstr(text, "first try"));
	json_object_put(msgs);
	/* Switching branches is a record too. */
	strbuf_reset(&f);
	session_encode_select(&r, &f, r.conv.msgs[1].id, -1, 5);
	assert_non_null(strstr(f.data, "\"type\":\"select\""));
	session_done(&r);
	strbuf_done(&f);
}

/* Checkpoints hold what is new; the final answer supersedes them. */
static void test_checkpoints(void **state)
{
	(void)state;
	struct session s;
	struct strbuf f = STRBUF_INIT;
	session_init(&s);
	session_encode_header(&s, &f, 1, "t");
	session_encode_msg(&s, user(&s.conv, "q", NULL), &f);
	size_t a = conv_add_answer(&s.conv, 2, "m");
	struct conv_msg *m = conv_msg_at(&s.conv, a);
	put(m, CHUNK_DELTA_CONTENT, 0, -1, "Hello ", 6);
	assert_true(session_encode_checkpoint(&s, a, &f));
	assert_false(session_encode_checkpoint(&s, a, &f));
	put(m, CHUNK_DELTA_CONTENT, 0, -1, "world", 5);
	assert_true(session_encode_checkpoint(&s, a, &f));
	assert_null(strstr(f.data, "Hello world")); /* only the new text */

	struct session r;
	assert_int_equal(load(&r, f.data), 0);
	assert_int_equal(r.conv.n_msgs, 2);
	assert_string_equal(r.conv.msgs[1].choices[0].content.data, "Hello world");
	assert_int_equal(r.conv.msgs[1].state, CONV_INTERRUPTED);
	session_done(&r);

	conv_answer_finish(m, CONV_DONE, NULL);
	session_encode_msg(&s, a, &f);
	assert_int_equal(load(&r, f.data), 0);
	assert_int_equal(r.conv.n_msgs, 2);
	assert_string_equal(r.conv.msgs[1].choices[0].content.data, "Hello world");
	assert_int_equal(r.conv.msgs[1].state, CONV_DONE);
	session_done(&r);
	session_done(&s);
	strbuf_done(&f);
}

/* Build a small file: header, user, answer. */
static void small_file(struct strbuf *f)
{
	struct session s;
	session_init(&s);
	session_encode_header(&s, f, 1, "t");
	session_encode_msg(&s, user(&s.conv, "q", NULL), f);
	session_encode_msg(&s, answer(&s.conv, "a"), f);
	session_done(&s);
}

static void test_torn_last_line(void **state)
{
	(void)state;
	struct strbuf f = STRBUF_INIT;
	small_file(&f);
	f.data[f.len - 4] = '\0'; /* cut the answer short */
	struct session r;
	assert_int_equal(load(&r, f.data), 0);
	assert_int_equal(r.n_warnings, 1);
	assert_string_equal(r.warnings[0], "f:3: incomplete record skipped (the file was cut short)");
	assert_int_equal(r.conv.n_msgs, 1);
	session_done(&r);
	strbuf_done(&f);
}

static void test_corrupt_middle_and_unknown(void **state)
{
	(void)state;
	struct strbuf f = STRBUF_INIT;
	small_file(&f);
	strbuf_puts(&f, "{\"type\":\"user\",\"id\":9,\"parent\":2,\"content\":[{\"type\":\"te\n");
	strbuf_puts(&f, "{\"type\":\"hologram\",\"id\":10}\n{\"type\":\"hologram\",\"id\":11}\n");
	strbuf_puts(&f, "{\"type\":\"user\",\"id\":12,\"parent\":9,\"content\":[]}\n");
	struct session r;
	assert_int_equal(load(&r, f.data), 0);
	assert_true(warned(&r, "f:4: damaged record skipped (not JSON)"));
	assert_true(warned(&r, "f:5: unknown record type \"hologram\" kept but not used"));
	assert_int_equal(r.n_warnings, 2); /* one per unknown type */
	/* The orphan follows the message before it. */
	assert_int_equal(r.conv.n_msgs, 3);
	assert_int_equal(r.conv.msgs[2].parent, r.conv.msgs[1].id);
	session_done(&r);
	strbuf_done(&f);
}

static void test_bad_image_only_loses_that_image(void **state)
{
	(void)state;
	struct session s;
	struct strbuf f = STRBUF_INIT;
	session_init(&s);
	session_encode_header(&s, &f, 1, "t");
	session_encode_msg(&s, user(&s.conv, "look", URL_A), &f);
	session_encode_msg(&s, answer(&s.conv, "a"), &f);
	session_done(&s);
	char *p = strstr(f.data, "iVBOR");
	p[0] = 'X'; /* damage the data: the checksum no longer matches */
	struct session r;
	assert_int_equal(load(&r, f.data), 0);
	assert_true(warned(&r, "f:2: image shot.png is damaged (checksum mismatch)"));
	assert_int_equal(r.conv.n_msgs, 2);
	assert_int_equal(r.conv.msgs[0].n_parts, 1);
	assert_string_equal(r.conv.msgs[0].parts[0].text, "look");
	session_done(&r);
	strbuf_done(&f);
}

/* A big image is cut out of its line before json-c parses the rest; a
 * line with escapes in its URI goes the slow way, to the same result. */
static void test_big_image_record(void **state)
{
	(void)state;
	struct strbuf url = STRBUF_INIT;
	strbuf_puts(&url, "data:image/png;base64,");
	for (int i = 0; i < 1000; i++)
		strbuf_puts(&url, i % 7 ? "iVBO" : "ab/+");
	struct session s;
	struct strbuf f = STRBUF_INIT;
	session_init(&s);
	session_encode_header(&s, &f, 1, "t");
	session_encode_msg(&s, user(&s.conv, "look", url.data), &f);
	session_encode_msg(&s, answer(&s.conv, "a"), &f);
	session_done(&s);
	assert_non_null(strstr(f.data, "{\"type\":\"image\","));
	/* Every '/' escaped (JSON allows it): no cutting, same session. */
	struct strbuf esc = STRBUF_INIT;
	for (const char *p = f.data; *p; p++)
		strbuf_puts(&esc, *p == '/' ? "\\/" : (char[]){*p, 0});
	for (int k = 0; k < 2; k++) {
		struct session r;
		assert_int_equal(load(&r, k ? esc.data : f.data), 0);
		assert_int_equal(r.n_warnings, 0);
		assert_int_equal(r.conv.n_msgs, 2);
		assert_int_equal(r.conv.msgs[0].n_parts, 2);
		assert_string_equal(r.conv.msgs[0].parts[1].url, url.data);
		assert_int_equal(r.conv.msgs[0].parts[1].sent_width, 1365);
		assert_string_equal(r.conv.msgs[0].parts[1].name, "shot.png");
		session_done(&r);
	}
	/* Damaged in the middle of the cut-out URI: found all the same. */
	char *p = strstr(f.data, "iVBOiVBO");
	p[0] = 'X';
	struct session r;
	assert_int_equal(load(&r, f.data), 0);
	assert_true(warned(&r, "f:2: image shot.png is damaged (checksum mismatch)"));
	assert_int_equal(r.conv.msgs[0].n_parts, 1);
	session_done(&r);
	strbuf_done(&esc);
	strbuf_done(&f);
	strbuf_done(&url);
}

static void test_not_a_session(void **state)
{
	(void)state;
	struct session r;
	char *err = NULL;
	session_init(&r);
	assert_int_equal(session_load(&r, "hello\nworld\n", 12, "notes.txt", &err), -1);
	assert_string_equal(err, "notes.txt: not a squint session file (no header record)");
	free(err);
	session_done(&r);
	session_init(&r);
	assert_int_equal(session_load(&r, "{\"type\":\"user\"}\n", 16, "x", &err), -1);
	free(err);
	session_done(&r);
	/* A newer format: a warning, and what is known still loads. */
	assert_int_equal(load(&r, "{\"type\":\"header\",\"format\":\"squint-session\",\"version\":7}\n"
				  "{\"type\":\"user\",\"id\":1,\"parent\":0,\"content\":[]}\n"),
			 0);
	assert_true(warned(&r, "f:1: written by a newer squint (format 7)"));
	assert_int_equal(r.conv.n_msgs, 1);
	session_done(&r);
}

/* The file layer: mode 0600, the header, appends, the lock, torn lines. */
static void test_sessionfile(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_session.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/s.jsonl", dir);
	struct sessionfile f, g;
	struct session s, s2;
	char *note = NULL, *err = NULL;
	session_init(&s);
	assert_int_equal(sessionfile_open(&f, path, &s, "t", 5, &note, &err), 0);
	assert_null(note);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	struct strbuf rec = STRBUF_INIT;
	session_encode_msg(&s, user(&s.conv, "q", NULL), &rec);
	assert_int_equal(sessionfile_append(&f, rec.data, rec.len, &err), 0);
	/* A second opener finds the lock taken and may not write. */
	session_init(&s2);
	assert_int_equal(sessionfile_open(&g, path, &s2, "t", 6, &note, &err), 0);
	assert_true(g.locked_out);
	assert_non_null(strstr(note, "is in use by another squint; opened read-only"));
	free(note);
	assert_int_equal(s2.conv.n_msgs, 1);
	assert_int_equal(sessionfile_append(&g, "x\n", 2, &err), -1);
	free(err);
	sessionfile_close(&g);
	session_done(&s2);
	sessionfile_close(&f);
	session_done(&s);
	/* Tear the last line: the next append starts on a fresh one. */
	int fd = open(path, O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, "{\"type\":\"us", 11), 11);
	close(fd);
	session_init(&s);
	assert_int_equal(sessionfile_open(&f, path, &s, "t", 7, &note, &err), 0);
	assert_true(f.need_newline);
	assert_true(warned(&s, ":3: incomplete record skipped"));
	strbuf_reset(&rec);
	session_encode_msg(&s, answer(&s.conv, "a"), &rec);
	assert_int_equal(sessionfile_append(&f, rec.data, rec.len, &err), 0);
	assert_int_equal(sessionfile_pending(&f), 0);
	sessionfile_close(&f);
	session_done(&s);
	session_init(&s);
	assert_int_equal(sessionfile_read(path, &s, &err), 0);
	assert_int_equal(s.conv.n_msgs, 2);
	assert_true(warned(&s, ":3: damaged record skipped"));
	session_done(&s);
	strbuf_done(&rec);
	unlink(path);
	rmdir(dir);
}

/* Nothing from the connection's secrets can reach a record. */
static void test_key_never_written(void **state)
{
	(void)state;
	struct chat_params p;
	chat_params_init(&p);
	char *err = NULL;
	assert_int_equal(chat_params_set(&p, "model", "m", &err), 0);
	assert_int_equal(chat_params_set(&p, "user", "u-1", &err), 0);
	json_object *j = session_params_json(&p);
	const char *text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
	assert_null(strstr(text, "messages"));
	assert_null(strstr(text, "stream"));
	assert_non_null(strstr(text, "\"user\":\"u-1\""));
	json_object_put(j);
	chat_params_done(&p);
	struct session s;
	struct strbuf f = STRBUF_INIT;
	session_init(&s);
	session_encode_header(&s, &f, 1, "t");
	session_encode_msg(&s, user(&s.conv, "q", NULL), &f);
	assert_null(strstr(f.data, "Authorization"));
	assert_null(strstr(f.data, "api_key"));
	session_done(&s);
	strbuf_done(&f);
}

/* /save: every record again, in a file that loads to the same tree. */
static void test_encode_all(void **state)
{
	(void)state;
	struct session s;
	struct strbuf f = STRBUF_INIT, g = STRBUF_INIT;
	session_init(&s);
	session_encode_header(&s, &f, 1, "t");
	session_encode_system(&s, &f, "be brief", 2);
	size_t u = user(&s.conv, "q1", URL_A);
	session_encode_msg(&s, u, &f);
	session_encode_msg(&s, answer(&s.conv, "first try"), &f);
	conv_set_head(&s.conv, s.conv.msgs[u].id);
	json_object *pj = json_tokener_parse("{\"model\":\"m2\"}");
	session_encode_params(&s, &f, pj, 3);
	json_object_put(pj);
	session_encode_msg(&s, answer(&s.conv, "second try"), &f);
	session_encode_msg(&s, user(&s.conv, "q2", URL_A), &f);
	/* An answer still streaming goes as a checkpoint. */
	size_t a = conv_add_answer(&s.conv, 9, "m2");
	put(conv_msg_at(&s.conv, a), CHUNK_DELTA_CONTENT, 0, -1, "partial", 7);
	assert_true(session_encode_checkpoint(&s, a, &f));
	unsigned long long head = s.conv.head;

	session_encode_header(&s, &g, 1, "t");
	session_encode_all(&s, &g, 10);
	assert_int_equal(s.conv.head, head);
	size_t n = 0;
	for (const char *p = g.data; (p = strstr(p, URL_A)); p++)
		n++;
	assert_int_equal(n, 1);
	/* Later records build on the new file: the image is not repeated. */
	session_encode_msg(&s, user(&s.conv, "q3", URL_A), &g);
	n = 0;
	for (const char *p = g.data; (p = strstr(p, URL_A)); p++)
		n++;
	assert_int_equal(n, 1);
	session_done(&s);

	struct session r;
	assert_int_equal(load(&r, g.data), 0);
	assert_int_equal(r.n_warnings, 0);
	assert_int_equal(r.conv.n_msgs, 6);
	assert_int_equal(r.conv.msgs[2].parent, r.conv.msgs[0].id);
	assert_string_equal(session_system(&r, r.leaf), "be brief");
	json_object *m2;
	assert_true(json_object_object_get_ex(session_params(&r, r.leaf), "model", &m2));
	assert_string_equal(json_object_get_string(m2), "m2");
	assert_string_equal(r.conv.msgs[4].choices[0].content.data, "partial");
	assert_int_equal(r.conv.msgs[4].state, CONV_INTERRUPTED);
	json_object *msgs = session_export_messages(&r);
	const char *text = json_object_to_json_string(msgs);
	assert_non_null(strstr(text, "second try"));
	assert_null(strstr(text, "first try"));
	json_object_put(msgs);
	session_done(&r);
	strbuf_done(&f);
	strbuf_done(&g);
}

/* A params record back into chat_params: what p sets itself wins. */
static void test_params_restore(void **state)
{
	(void)state;
	json_object *pj = json_tokener_parse(
		"{\"model\":\"m-s\",\"temperature\":0.25,\"n\":2,\"stop\":[\"a\",\"b\"],"
		"\"max_tokens\":50,\"logit_bias\":{\"42\":-5},\"seed\":7,"
		"\"response_format\":{\"type\":\"json_object\"},\"logprobs\":true,"
		"\"top_logprobs\":3,\"user\":\"u\",\"top_p\":2.5}");
	struct chat_params p;
	chat_params_init(&p);
	p.model = strdup("flag-model");
	assert_int_equal(chat_params_set(&p, "temperature", "0.9", &(char *){NULL}), 0);
	assert_int_equal(session_params_restore(&p, pj, true), 9);
	assert_string_equal(p.model, "flag-model");
	assert_true(p.temperature > 0.89 && p.temperature < 0.91);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.n_stop, 2);
	assert_string_equal(p.stop[1], "b");
	assert_int_equal(p.max_tokens, 50);
	assert_int_equal(p.n_logit_bias, 1);
	assert_int_equal(p.logit_bias[0].bias, -5);
	assert_int_equal(p.seed, 7);
	assert_non_null(p.response_format);
	assert_true(p.logprobs);
	assert_int_equal(p.top_logprobs, 3);
	assert_string_equal(p.user, "u");
	assert_false(p.has_top_p); /* out of range: refused, left unset */
	/* The model, when no flag chose one. */
	assert_int_equal(session_params_restore(&p, pj, false), 1);
	assert_string_equal(p.model, "m-s");
	chat_params_done(&p);
	json_object_put(pj);
}

/* Encode s (header included) into f. */
static void encode_file(struct session *s, struct strbuf *f)
{
	session_encode_header(s, f, 1000, "0.1.0");
	for (size_t i = 0; i < s->conv.n_msgs; i++)
		session_encode_msg(s, i, f);
}

static void test_forget(void **state)
{
	(void)state;
	struct session s;
	session_init(&s);
	struct strbuf f = STRBUF_INIT;
	user(&s.conv, "look", URL_A);
	answer(&s.conv, "a red pixel");
	encode_file(&s, &f);
	session_encode_forget(&s, &f, URL_A, 1002);
	assert_true(s.conv.msgs[0].parts[1].forgotten);
	user(&s.conv, "and now?", NULL);
	session_encode_msg(&s, 2, &f);
	/* The request leaves the image out; the file keeps it. */
	struct conv_request r;
	conv_request_build_path(&s.conv, 2, &r);
	assert_int_equal(r.n_msgs, 3);
	assert_int_equal(r.msgs[0].n_parts, 1);
	assert_int_equal(r.msgs[0].parts[0].kind, CHAT_PART_TEXT);
	conv_request_done(&r);
	assert_non_null(strstr(f.data, "\"type\":\"forget\""));
	assert_non_null(strstr(f.data, URL_A));
	struct session l;
	assert_int_equal(load(&l, f.data), 0);
	assert_int_equal(l.n_warnings, 0);
	assert_true(l.conv.msgs[0].parts[1].forgotten);
	json_object *msgs = session_export_messages(&l);
	assert_null(strstr(json_object_to_json_string(msgs), "image_url"));
	json_object_put(msgs);
	/* A copy (/save) keeps it forgotten. */
	struct strbuf all = STRBUF_INIT;
	session_encode_header(&l, &all, 1003, "0.1.0");
	session_encode_all(&l, &all, 1003);
	struct session c;
	assert_int_equal(load(&c, all.data), 0);
	assert_true(c.conv.msgs[0].parts[1].forgotten);
	session_done(&c);
	session_done(&l);
	session_done(&s);
	strbuf_done(&all);
	strbuf_done(&f);
}

static void test_newer_records_pass_through(void **state)
{
	(void)state;
	struct strbuf f = STRBUF_INIT;
	strbuf_puts(&f, "{\"type\":\"header\",\"format\":\"squint-session\",\"version\":7,"
			"\"created\":1,\"squint\":\"9.0\"}\n");
	strbuf_puts(&f, "{\"type\":\"user\",\"id\":1,\"parent\":0,\"content\":[{\"type\":\"text\","
			"\"text\":\"hi\"}],\"mood\":\"calm\"}\n");
	strbuf_puts(&f, "{\"type\":\"hologram\",\"id\":2,\"beam\":[1,2]}\n");
	struct session r;
	assert_int_equal(load(&r, f.data), 0);
	assert_true(warned(&r, "f:1: written by a newer squint (format 7)"));
	assert_true(warned(&r, "f:3: unknown record type \"hologram\" kept"));
	assert_int_equal(r.conv.n_msgs, 1);
	assert_int_equal(r.n_extra, 1);
	struct strbuf all = STRBUF_INIT;
	session_encode_all(&r, &all, 5);
	assert_non_null(strstr(all.data, "{\"type\":\"hologram\",\"id\":2,\"beam\":[1,2]}\n"));
	json_object *j = session_export_json(&r, f.data, f.len), *recs;
	assert_true(json_object_object_get_ex(j, "records", &recs));
	assert_int_equal(json_object_array_length(recs), 3);
	assert_non_null(strstr(json_object_to_json_string(j), "\"mood\""));
	assert_non_null(strstr(json_object_to_json_string(j), "\"beam\""));
	json_object_put(j);
	strbuf_done(&all);
	session_done(&r);
	strbuf_done(&f);
}

static void test_sessiondir_name(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	long long t = 1765036800; /* 2025-12-06 16:00 UTC */
	char *n = sessiondir_name(t, "What's wrong with this Dialog?! \xc3\xa9t\xc3\xa9 /etc/passwd");
	assert_string_equal(n, "2025-12-06-1600-what-s-wrong-with-this-dialog.jsonl");
	free(n);
	n = sessiondir_name(t, "");
	assert_string_equal(n, "2025-12-06-1600-chat.jsonl");
	free(n);
	n = sessiondir_name(t, "../../\x1b[31m..");
	assert_string_equal(n, "2025-12-06-1600-31m.jsonl");
	free(n);
	n = sessiondir_name(t, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b");
	assert_true(strlen(n) <= strlen("2025-12-06-1600-") + 40 + strlen(".jsonl"));
	free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_big_image_record),
		cmocka_unit_test(test_round_trip_every_record),
		cmocka_unit_test(test_image_dedup),
		cmocka_unit_test(test_branches),
		cmocka_unit_test(test_checkpoints),
		cmocka_unit_test(test_torn_last_line),
		cmocka_unit_test(test_corrupt_middle_and_unknown),
		cmocka_unit_test(test_bad_image_only_loses_that_image),
		cmocka_unit_test(test_not_a_session),
		cmocka_unit_test(test_sessionfile),
		cmocka_unit_test(test_key_never_written),
		cmocka_unit_test(test_encode_all),
		cmocka_unit_test(test_params_restore),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_newer_records_pass_through),
		cmocka_unit_test(test_sessiondir_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
