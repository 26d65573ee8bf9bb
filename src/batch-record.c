#include <config.h>

#include "batch-record.h"
#include "core/xalloc.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void batch_record_init(struct batch_record *r)
{
	memset(r, 0, sizeof *r);
	r->bytes = -1;
	r->sent_bytes = -1;
	r->first_byte_s = -1;
}

void batch_record_done(struct batch_record *r)
{
	free(r->file);
	for (size_t i = 0; i < r->n_group; i++)
		free(r->group[i]);
	free(r->group);
	free(r->answer);
	free(r->finish_reason);
	free(r->model);
	free(r->error);
	batch_record_init(r);
}

/* Add key: a string, or null when s is NULL. */
static void batch_record_add_str(json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, s ? json_object_new_string(s) : NULL);
}

/* Add key: a number rounded to milliseconds. */
static void batch_record_add_secs(json_object *o, const char *key, double s)
{
	char text[64];
	snprintf(text, sizeof text, "%.3f", s);
	json_object_object_add(o, key, json_object_new_double_s(strtod(text, NULL), text));
}

char *batch_record_encode(const struct batch_record *r, size_t *len)
{
	json_object *o = json_object_new_object();
	batch_record_add_str(o, "file", r->file);
	batch_record_add_str(o, "sha256", r->sha256[0] ? r->sha256 : NULL);
	if (r->bytes >= 0)
		json_object_object_add(o, "bytes", json_object_new_int64(r->bytes));
	if (r->width) {
		json_object_object_add(o, "width", json_object_new_int64(r->width));
		json_object_object_add(o, "height", json_object_new_int64(r->height));
	}
	if (r->sent_bytes >= 0) {
		json_object_object_add(o, "sent_bytes", json_object_new_int64(r->sent_bytes));
		json_object_object_add(o, "sent_width", json_object_new_int64(r->sent_width));
		json_object_object_add(o, "sent_height", json_object_new_int64(r->sent_height));
	}
	if (r->group) {
		json_object *g = json_object_new_array();
		for (size_t i = 0; i < r->n_group; i++)
			json_object_array_add(g, json_object_new_string(r->group[i]));
		json_object_object_add(o, "group", g);
	}
	batch_record_add_str(o, "answer", r->answer);
	batch_record_add_str(o, "finish_reason", r->finish_reason);
	batch_record_add_str(o, "model", r->model);
	if (r->has_usage) {
		json_object *u = json_object_new_object();
		json_object_object_add(u, "prompt_tokens", json_object_new_int64(r->prompt_tokens));
		json_object_object_add(u, "completion_tokens",
				       json_object_new_int64(r->completion_tokens));
		json_object_object_add(u, "total_tokens", json_object_new_int64(r->total_tokens));
		json_object_object_add(o, "usage", u);
	} else {
		json_object_object_add(o, "usage", NULL);
	}
	json_object *t = json_object_new_object();
	batch_record_add_secs(t, "started", r->started);
	if (r->first_byte_s >= 0)
		batch_record_add_secs(t, "first_byte_s", r->first_byte_s);
	else
		json_object_object_add(t, "first_byte_s", NULL);
	batch_record_add_secs(t, "total_s", r->total_s);
	json_object_object_add(t, "attempts", json_object_new_int(r->attempts));
	json_object_object_add(o, "timings", t);
	batch_record_add_str(o, "error", r->error);
	const char *text =
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	char *line = xasprintf("%s\n", text);
	if (len)
		*len = strlen(line);
	json_object_put(o);
	return line;
}

/* Return a copy of o's string member key, or NULL. */
static char *batch_record_get_str(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return xstrdup(json_object_get_string(v));
}

/* Return o's integer member key, or dflt. */
static long long batch_record_get_int(json_object *o, const char *key, long long dflt)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return dflt;
	return json_object_get_int64(v);
}

/* Return o's number member key, or dflt. */
static double batch_record_get_num(json_object *o, const char *key, double dflt)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return dflt;
	return json_object_get_double(v);
}

int batch_record_decode(const char *line, size_t len, struct batch_record *r)
{
	batch_record_init(r);
	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, line, (int)(len > 0x7fffffff ? 0x7fffffff : len));
	bool ok = o && json_tokener_get_error(tok) == json_tokener_success &&
		  json_object_is_type(o, json_type_object);
	/* Only blanks may follow the object: anything else is not our line. */
	for (size_t i = ok ? json_tokener_get_parse_end(tok) : len; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			ok = false;
	json_tokener_free(tok);
	char *sha = ok ? batch_record_get_str(o, "sha256") : NULL;
	r->file = ok ? batch_record_get_str(o, "file") : NULL;
	/* An unreadable file has no hash: its record can only be a failure. */
	if (!r->file || (sha && strlen(sha) != 64)) {
		free(sha);
		json_object_put(o);
		batch_record_done(r);
		return -1;
	}
	if (sha)
		memcpy(r->sha256, sha, 65);
	free(sha);
	r->bytes = batch_record_get_int(o, "bytes", -1);
	r->width = (unsigned)batch_record_get_int(o, "width", 0);
	r->height = (unsigned)batch_record_get_int(o, "height", 0);
	r->sent_bytes = batch_record_get_int(o, "sent_bytes", -1);
	r->sent_width = (unsigned)batch_record_get_int(o, "sent_width", 0);
	r->sent_height = (unsigned)batch_record_get_int(o, "sent_height", 0);
	json_object *g;
	if (json_object_object_get_ex(o, "group", &g) && json_object_is_type(g, json_type_array)) {
		size_t n = json_object_array_length(g);
		r->group = xcalloc(n + 1, sizeof *r->group);
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(g, i);
			if (json_object_is_type(e, json_type_string))
				r->group[r->n_group++] = xstrdup(json_object_get_string(e));
		}
	}
	r->answer = batch_record_get_str(o, "answer");
	r->finish_reason = batch_record_get_str(o, "finish_reason");
	r->model = batch_record_get_str(o, "model");
	json_object *u;
	if (json_object_object_get_ex(o, "usage", &u) && json_object_is_type(u, json_type_object)) {
		r->has_usage = true;
		r->prompt_tokens = (long)batch_record_get_int(u, "prompt_tokens", 0);
		r->completion_tokens = (long)batch_record_get_int(u, "completion_tokens", 0);
		r->total_tokens = (long)batch_record_get_int(u, "total_tokens", 0);
	}
	json_object *t;
	if (json_object_object_get_ex(o, "timings", &t) && json_object_is_type(t, json_type_object)) {
		r->started = batch_record_get_num(t, "started", 0);
		r->first_byte_s = batch_record_get_num(t, "first_byte_s", -1);
		r->total_s = batch_record_get_num(t, "total_s", 0);
		r->attempts = (int)batch_record_get_int(t, "attempts", 0);
	}
	json_object *e;
	if (json_object_object_get_ex(o, "error", &e) && !json_object_is_type(e, json_type_null))
		r->error = json_object_is_type(e, json_type_string)
				   ? xstrdup(json_object_get_string(e))
				   : xstrdup(json_object_to_json_string(e));
	json_object_put(o);
	return 0;
}

bool batch_record_complete(const struct batch_record *r)
{
	return !r->error && r->finish_reason && r->answer && r->sha256[0];
}

void batch_resume_load(struct batch_resume *rs, const char *text, size_t len)
{
	memset(rs, 0, sizeof *rs);
	rs->torn_end = len > 0 && text[len - 1] != '\n';
	size_t cap = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (le > p) {
			struct batch_record r;
			if (batch_record_decode(p, (size_t)(le - p), &r) == 0) {
				if (rs->n == cap) {
					cap = cap ? cap * 2 : 16;
					rs->entries = xrealloc(rs->entries, cap * sizeof *rs->entries);
				}
				struct batch_resume_entry *en = &rs->entries[rs->n++];
				en->file = r.file;
				r.file = NULL;
				memcpy(en->sha256, r.sha256, sizeof en->sha256);
				en->complete = batch_record_complete(&r);
				batch_record_done(&r);
			} else {
				rs->n_bad++;
			}
		}
		p = nl ? nl + 1 : end;
	}
}

bool batch_resume_complete(const struct batch_resume *rs, const char *file, const char *sha256)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->entries[i].complete && strcmp(rs->entries[i].sha256, sha256) == 0 &&
		    strcmp(rs->entries[i].file, file) == 0)
			return true;
	return false;
}

size_t batch_resume_failed(const struct batch_resume *rs, const char *file, const char *sha256)
{
	size_t n = 0;
	for (size_t i = 0; i < rs->n; i++)
		if (!rs->entries[i].complete && strcmp(rs->entries[i].sha256, sha256) == 0 &&
		    strcmp(rs->entries[i].file, file) == 0)
			n++;
	return n;
}

void batch_resume_done(struct batch_resume *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->entries[i].file);
	free(rs->entries);
	memset(rs, 0, sizeof *rs);
}
