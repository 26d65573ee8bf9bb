#include <config.h>

#include "core/chunk.h"
#include "core/config.h"
#include "core/xalloc.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* How much of a malformed payload is kept to show in a message. */
#define CHUNK_SAMPLE_BYTES 80

/* Where deltas of the event being decoded go. */
struct chunk_ctx {
	struct chat_response *r;
	chunk_delta_fn fn;
	void *ud;
};

/* Empty the response and set the default caps; it owns nothing yet. */
void chat_response_init(struct chat_response *r)
{
	memset(r, 0, sizeof(*r));
	r->usage.reasoning_tokens = -1;
	r->usage.cached_tokens = -1;
	r->max_content_bytes = CHUNK_DEFAULT_MAX_CONTENT;
	r->max_choices = CHUNK_DEFAULT_MAX_CHOICES;
}

/* Free what one tool call owns. */
static void chunk_tool_call_done(struct chat_tool_call *t)
{
	free(t->id);
	free(t->type);
	strbuf_done(&t->name);
	strbuf_done(&t->arguments);
}

/* Free what one choice owns. */
static void chunk_choice_done(struct chat_choice *c)
{
	free(c->role);
	strbuf_done(&c->content);
	strbuf_done(&c->reasoning);
	for (size_t i = 0; i < c->n_tool_calls; i++)
		chunk_tool_call_done(&c->tool_calls[i]);
	free(c->tool_calls);
	free(c->finish_reason);
	json_object_put(c->logprobs_content);
}

/* Free everything the response owns and leave it zeroed. */
void chat_response_done(struct chat_response *r)
{
	free(r->id);
	free(r->object);
	free(r->model);
	free(r->system_fingerprint);
	for (size_t i = 0; i < r->n_choices; i++)
		chunk_choice_done(&r->choices[i]);
	free(r->choices);
	free(r->error.message);
	free(r->error.type);
	free(r->error.code);
	free(r->error.param);
	free(r->malformed_sample);
	if (r->tok)
		json_tokener_free(r->tok);
	memset(r, 0, sizeof(*r));
}

/* Set the caps, 0 meaning the default for each. */
void chat_response_set_secret(struct chat_response *r, const char *secret)
{
	r->secret = secret;
}

void chat_response_set_limits(struct chat_response *r, size_t max_content_bytes, int max_choices)
{
	/* json-c takes string lengths as int: keep every piece below that. */
	if (max_content_bytes == 0)
		max_content_bytes = CHUNK_DEFAULT_MAX_CONTENT;
	if (max_content_bytes > INT_MAX)
		max_content_bytes = INT_MAX;
	r->max_content_bytes = max_content_bytes;
	r->max_choices = max_choices > 0 ? max_choices : CHUNK_DEFAULT_MAX_CHOICES;
}

/* Report a delta unless it is empty or nobody listens. */
static void chunk_emit(struct chunk_ctx *ctx, enum chunk_delta_kind kind, int choice,
		       int tool_index, const char *text, size_t len)
{
	if (!ctx->fn || len == 0)
		return;
	struct chunk_delta d = {
		.kind = kind,
		.choice = choice,
		.tool_index = tool_index,
		.text = text,
		.len = len,
	};
	ctx->fn(ctx->ud, &d);
}

/* Return whether c is JSON whitespace. */
static bool chunk_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parse len bytes as exactly one JSON value (whitespace around is fine);
 * returns a new reference the caller puts, or NULL. */
static json_object *chunk_parse(struct chat_response *r, const char *s, size_t len)
{
	if (len > INT_MAX)
		return NULL;
	if (!r->tok) {
		r->tok = json_tokener_new();
		if (!r->tok)
			return NULL;
	}
	json_tokener_reset(r->tok);
	if (xalloc_torture_fail())
		xalloc_out_of_memory(len);
	json_object *o = json_tokener_parse_ex(r->tok, s, (int)len);
	if (!o)
		return NULL;
	for (size_t i = json_tokener_get_parse_end(r->tok); i < len; i++) {
		if (!chunk_is_space(s[i])) {
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

/* Count a payload that is not a JSON object and keep the first as a sample. */
static void chunk_note_malformed(struct chat_response *r, const char *s, size_t len)
{
	r->n_malformed++;
	if (r->malformed_sample)
		return;
	size_t n = len < CHUNK_SAMPLE_BYTES ? len : CHUNK_SAMPLE_BYTES;
	/* Do not cut a UTF-8 sequence in two. */
	if (n < len)
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	r->malformed_sample = xstrndup(s, n);
}

/* Return key's value if it is a string, else NULL; borrowed from o. */
static json_object *chunk_get_string(json_object *o, const char *key)
{
	json_object *v;
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return v;
	return NULL;
}

/* Return a newly allocated copy of key's string value, or NULL if it has
 * none; the caller frees it. */
static char *chunk_dup_string(json_object *o, const char *key)
{
	json_object *v = chunk_get_string(o, key);
	return v ? xstrndup(json_object_get_string(v), (size_t)json_object_get_string_len(v))
		 : NULL;
}

/* Return key's value as text (strings as they are, numbers and the like as
 * JSON), NULL when absent or null; newly allocated, the caller frees it. */
static char *chunk_dup_text(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	return xstrdup(json_object_get_string(v));
}

/* Return key's integer value clamped to long, or def when absent or not a
 * number. */
static long chunk_get_long(json_object *o, const char *key, long def)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v))
		return def;
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return def;
	int64_t n = json_object_get_int64(v);
	if (n > LONG_MAX)
		return LONG_MAX;
	if (n < LONG_MIN)
		return LONG_MIN;
	return (long)n;
}

/* Return key's value if it is an integer, in *out; returns whether it was. */
static bool chunk_get_index(json_object *o, const char *key, int64_t *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

/* Fill r->error from an "error" value (an object or a message string), or
 * from a top-level {"object":"error", "message": ...} as vLLM sends; keeps
 * the first error. */
static void chunk_set_error(struct chat_response *r, json_object *e)
{
	if (r->error.present)
		return;
	r->error.present = true;
	if (json_object_is_type(e, json_type_object)) {
		r->error.message = chunk_dup_text(e, "message");
		r->error.type = chunk_dup_text(e, "type");
		r->error.code = chunk_dup_text(e, "code");
		r->error.param = chunk_dup_text(e, "param");
	} else {
		r->error.message = xstrdup(json_object_get_string(e));
	}
	config_scrub(r->error.message, r->secret);
	config_scrub(r->error.type, r->secret);
	config_scrub(r->error.code, r->secret);
	config_scrub(r->error.param, r->secret);
}

/* Return whether o carries an error, filling r->error if so. */
static bool chunk_take_error(struct chat_response *r, json_object *o)
{
	json_object *e;
	if (json_object_object_get_ex(o, "error", &e) && e) {
		/* A null, false or empty error is a server being verbose, not an error. */
		if (json_object_is_type(e, json_type_object) ||
		    (json_object_is_type(e, json_type_string) &&
		     json_object_get_string_len(e) > 0)) {
			chunk_set_error(r, e);
			return true;
		}
	}
	json_object *obj = chunk_get_string(o, "object");
	if (obj && strcmp(json_object_get_string(obj), "error") == 0) {
		chunk_set_error(r, o);
		return true;
	}
	return false;
}

/* Keep the top-level fields: the first of each, but the latest fingerprint. */
static void chunk_take_meta(struct chat_response *r, json_object *o)
{
	if (!r->id)
		r->id = chunk_dup_string(o, "id");
	if (!r->object)
		r->object = chunk_dup_string(o, "object");
	if (!r->model)
		r->model = chunk_dup_string(o, "model");
	json_object *v;
	if (r->created == 0 && json_object_object_get_ex(o, "created", &v) &&
	    json_object_is_type(v, json_type_int))
		r->created = json_object_get_int64(v);
	char *fp = chunk_dup_string(o, "system_fingerprint");
	if (fp) {
		free(r->system_fingerprint);
		r->system_fingerprint = fp;
	}
}

/* Replace r->usage from a "usage" object, if there is one; some servers send
 * a running total in every chunk, so the latest wins. */
static void chunk_take_usage(struct chat_response *r, json_object *o)
{
	json_object *u, *d;
	if (!json_object_object_get_ex(o, "usage", &u) || !json_object_is_type(u, json_type_object))
		return;
	r->usage.present = true;
	r->usage.prompt_tokens = chunk_get_long(u, "prompt_tokens", 0);
	r->usage.completion_tokens = chunk_get_long(u, "completion_tokens", 0);
	r->usage.total_tokens = chunk_get_long(u, "total_tokens", 0);
	r->usage.reasoning_tokens = -1;
	r->usage.cached_tokens = -1;
	if (json_object_object_get_ex(u, "completion_tokens_details", &d) &&
	    json_object_is_type(d, json_type_object))
		r->usage.reasoning_tokens = chunk_get_long(d, "reasoning_tokens", -1);
	if (json_object_object_get_ex(u, "prompt_tokens_details", &d) &&
	    json_object_is_type(d, json_type_object))
		r->usage.cached_tokens = chunk_get_long(d, "cached_tokens", -1);
}

/* Return choice idx (0 <= idx < max_choices), created present and empty if
 * new; the pointer is valid until the next choice is created. */
static struct chat_choice *chunk_choice_at(struct chat_response *r, int idx)
{
	size_t i = (size_t)idx;
	if (i >= r->n_choices) {
		r->choices = xrealloc(r->choices, (i + 1) * sizeof(*r->choices));
		memset(r->choices + r->n_choices, 0, (i + 1 - r->n_choices) * sizeof(*r->choices));
		r->n_choices = i + 1;
	}
	struct chat_choice *c = &r->choices[i];
	if (!c->present) {
		c->present = true;
		c->index = idx;
	}
	return c;
}

/* Return tool call idx of c (0 <= idx < CHUNK_MAX_TOOL_CALLS), created
 * present and empty if new; valid until the next tool call is created. */
static struct chat_tool_call *chunk_tool_at(struct chat_choice *c, int idx)
{
	size_t i = (size_t)idx;
	if (i >= c->n_tool_calls) {
		c->tool_calls = xrealloc(c->tool_calls, (i + 1) * sizeof(*c->tool_calls));
		memset(c->tool_calls + c->n_tool_calls, 0,
		       (i + 1 - c->n_tool_calls) * sizeof(*c->tool_calls));
		c->n_tool_calls = i + 1;
	}
	c->tool_calls[i].present = true;
	return &c->tool_calls[i];
}

/* Append a piece to one of choice c's texts within the cap and report it;
 * returns CHUNK_OK or CHUNK_LIMIT (nothing appended then). */
static enum chunk_result chunk_append(struct chunk_ctx *ctx, struct chat_choice *c,
				      struct strbuf *sb, enum chunk_delta_kind kind, int tool_index,
				      const char *s, size_t n)
{
	if (n == 0)
		return CHUNK_OK;
	/* n_bytes never exceeds the cap: it is checked before growing. */
	if (n > ctx->r->max_content_bytes - c->n_bytes)
		return CHUNK_LIMIT;
	strbuf_append(sb, s, n);
	c->n_bytes += n;
	chunk_emit(ctx, kind, c->index, tool_index, s, n);
	return CHUNK_OK;
}

/* Append a JSON string value with chunk_append(). */
static enum chunk_result chunk_append_json(struct chunk_ctx *ctx, struct chat_choice *c,
					   struct strbuf *sb, enum chunk_delta_kind kind,
					   int tool_index, json_object *v)
{
	return chunk_append(ctx, c, sb, kind, tool_index, json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
}

/* Take "content": a string, or an array of {type:"text", text} parts as some
 * servers send; null and other shapes add nothing. */
static enum chunk_result chunk_take_content(struct chunk_ctx *ctx, struct chat_choice *c,
					    json_object *m)
{
	json_object *v;
	if (!json_object_object_get_ex(m, "content", &v) || !v)
		return CHUNK_OK;
	if (json_object_is_type(v, json_type_string)) {
		c->has_content = true;
		return chunk_append_json(ctx, c, &c->content, CHUNK_DELTA_CONTENT, -1, v);
	}
	if (!json_object_is_type(v, json_type_array))
		return CHUNK_OK;
	c->has_content = true;
	size_t n = json_object_array_length(v);
	for (size_t i = 0; i < n; i++) {
		json_object *part = json_object_array_get_idx(v, i);
		if (!json_object_is_type(part, json_type_object))
			continue;
		json_object *type = chunk_get_string(part, "type");
		if (type && strcmp(json_object_get_string(type), "text") != 0 &&
		    strcmp(json_object_get_string(type), "output_text") != 0)
			continue;
		json_object *text = chunk_get_string(part, "text");
		if (!text)
			continue;
		enum chunk_result res =
			chunk_append_json(ctx, c, &c->content, CHUNK_DELTA_CONTENT, -1, text);
		if (res != CHUNK_OK)
			return res;
	}
	return CHUNK_OK;
}

/* Take one element of "tool_calls" found at position pos; returns CHUNK_OK
 * or CHUNK_LIMIT. */
static enum chunk_result chunk_take_tool_call(struct chunk_ctx *ctx, struct chat_choice *c,
					      json_object *tc, size_t pos)
{
	if (!json_object_is_type(tc, json_type_object))
		return CHUNK_OK;
	int64_t idx = (int64_t)pos;
	chunk_get_index(tc, "index", &idx);
	if (idx < 0 || idx >= CHUNK_MAX_TOOL_CALLS)
		return CHUNK_LIMIT;
	struct chat_tool_call *t = chunk_tool_at(c, (int)idx);

	json_object *v = chunk_get_string(tc, "id");
	if (v && !t->id && json_object_get_string_len(v) > 0)
		t->id = xstrdup(json_object_get_string(v));
	v = chunk_get_string(tc, "type");
	if (v && !t->type && json_object_get_string_len(v) > 0)
		t->type = xstrdup(json_object_get_string(v));

	json_object *fn;
	if (!json_object_object_get_ex(tc, "function", &fn) ||
	    !json_object_is_type(fn, json_type_object))
		return CHUNK_OK;

	/* Names normally come whole in the first piece, but some servers stream
	 * them and others repeat the whole name in every piece: append, unless
	 * it is exactly the name we have. */
	v = chunk_get_string(fn, "name");
	if (v) {
		size_t n = (size_t)json_object_get_string_len(v);
		if (!(n == t->name.len &&
		      memcmp(strbuf_str(&t->name), json_object_get_string(v), n) == 0)) {
			enum chunk_result res = chunk_append_json(
				ctx, c, &t->name, CHUNK_DELTA_TOOL_NAME, (int)idx, v);
			if (res != CHUNK_OK)
				return res;
		}
	}

	json_object *args;
	if (!json_object_object_get_ex(fn, "arguments", &args) || !args)
		return CHUNK_OK;
	if (json_object_is_type(args, json_type_string))
		return chunk_append_json(ctx, c, &t->arguments, CHUNK_DELTA_TOOL_CALL, (int)idx,
					 args);
	/* Some servers send the arguments as a JSON object, not as its text. */
	size_t n;
	const char *s = json_object_to_json_string_length(args, JSON_C_TO_STRING_PLAIN, &n);
	return chunk_append(ctx, c, &t->arguments, CHUNK_DELTA_TOOL_CALL, (int)idx, s, n);
}

/* Take the message (or delta) m of choice c; returns CHUNK_OK or CHUNK_LIMIT. */
static enum chunk_result chunk_take_message(struct chunk_ctx *ctx, struct chat_choice *c,
					    json_object *m)
{
	enum chunk_result res;
	json_object *v = chunk_get_string(m, "role");
	if (v && !c->role && json_object_get_string_len(v) > 0) {
		c->role = xstrdup(json_object_get_string(v));
		chunk_emit(ctx, CHUNK_DELTA_ROLE, c->index, -1, c->role, strlen(c->role));
	}

	/* Servers name it either way; one that sends both sends the same text. */
	v = chunk_get_string(m, "reasoning_content");
	if (!v)
		v = chunk_get_string(m, "reasoning");
	if (v) {
		res = chunk_append_json(ctx, c, &c->reasoning, CHUNK_DELTA_REASONING, -1, v);
		if (res != CHUNK_OK)
			return res;
	}

	res = chunk_take_content(ctx, c, m);
	if (res != CHUNK_OK)
		return res;

	json_object *calls;
	if (json_object_object_get_ex(m, "tool_calls", &calls) &&
	    json_object_is_type(calls, json_type_array)) {
		size_t n = json_object_array_length(calls);
		for (size_t i = 0; i < n; i++) {
			res = chunk_take_tool_call(ctx, c, json_object_array_get_idx(calls, i), i);
			if (res != CHUNK_OK)
				return res;
		}
	}
	return CHUNK_OK;
}

/* Append the entries of a {"content": [...]} logprobs object to c. */
static void chunk_take_logprobs(struct chat_choice *c, json_object *lp)
{
	json_object *arr;
	if (!json_object_is_type(lp, json_type_object) ||
	    !json_object_object_get_ex(lp, "content", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return;
	size_t n = json_object_array_length(arr);
	if (n && !c->logprobs_content)
		c->logprobs_content = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(c->logprobs_content,
				      json_object_get(json_object_array_get_idx(arr, i)));
}

/* Take one element of "choices" found at position pos; msg_key names where
 * the text is ("delta" or "message"), the other name being accepted too.
 * Returns CHUNK_OK or CHUNK_LIMIT. */
static enum chunk_result chunk_take_choice(struct chunk_ctx *ctx, json_object *co, size_t pos,
					   const char *msg_key)
{
	if (!json_object_is_type(co, json_type_object))
		return CHUNK_OK;
	int64_t idx = (int64_t)pos;
	chunk_get_index(co, "index", &idx);
	if (idx < 0 || idx >= ctx->r->max_choices)
		return CHUNK_LIMIT;
	struct chat_choice *c = chunk_choice_at(ctx->r, (int)idx);

	json_object *m = NULL;
	if (!json_object_object_get_ex(co, msg_key, &m))
		json_object_object_get_ex(co, strcmp(msg_key, "delta") ? "delta" : "message", &m);
	if (m && json_object_is_type(m, json_type_object)) {
		enum chunk_result res = chunk_take_message(ctx, c, m);
		if (res != CHUNK_OK)
			return res;
	}

	json_object *lp;
	if (json_object_object_get_ex(co, "logprobs", &lp) && lp)
		chunk_take_logprobs(c, lp);

	json_object *fr = chunk_get_string(co, "finish_reason");
	if (fr && json_object_get_string_len(fr) > 0) {
		free(c->finish_reason);
		c->finish_reason = xstrdup(json_object_get_string(fr));
		chunk_emit(ctx, CHUNK_DELTA_FINISH, c->index, -1, c->finish_reason,
			   strlen(c->finish_reason));
	}
	return CHUNK_OK;
}

/* Decode one parsed payload object o into ctx->r; returns the result. */
static enum chunk_result chunk_take_object(struct chunk_ctx *ctx, json_object *o,
					   const char *msg_key)
{
	struct chat_response *r = ctx->r;
	if (chunk_take_error(r, o))
		return CHUNK_ERROR;
	chunk_take_meta(r, o);
	chunk_take_usage(r, o);

	json_object *choices;
	if (!json_object_object_get_ex(o, "choices", &choices) ||
	    !json_object_is_type(choices, json_type_array))
		return CHUNK_OK;
	size_t n = json_object_array_length(choices);
	for (size_t i = 0; i < n; i++) {
		enum chunk_result res =
			chunk_take_choice(ctx, json_object_array_get_idx(choices, i), i, msg_key);
		if (res != CHUNK_OK)
			return res;
	}
	return CHUNK_OK;
}

/* Parse a payload and decode it if it is an object; returns the result. */
static enum chunk_result chunk_decode(struct chat_response *r, const char *s, size_t len,
				      const char *msg_key, chunk_delta_fn fn, void *ud)
{
	json_object *o = chunk_parse(r, s, len);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		chunk_note_malformed(r, s, len);
		return CHUNK_MALFORMED;
	}
	struct chunk_ctx ctx = {r, fn, ud};
	enum chunk_result res = chunk_take_object(&ctx, o, msg_key);
	json_object_put(o);
	return res;
}

/* Decode one SSE event's data into r; returns what it was. */
enum chunk_result chunk_decode_event(struct chat_response *r, const char *data, size_t len,
				     chunk_delta_fn fn, void *ud)
{
	r->n_events++;
	const char *s = data;
	const char *e = data + len;
	while (s < e && chunk_is_space(*s))
		s++;
	while (e > s && chunk_is_space(e[-1]))
		e--;
	if (e - s == 6 && memcmp(s, "[DONE]", 6) == 0) {
		r->saw_done = true;
		return CHUNK_DONE;
	}
	/* An empty event is a keep-alive, not a broken one. */
	if (s == e)
		return CHUNK_OK;
	return chunk_decode(r, data, len, "delta", fn, ud);
}

/* Decode a whole chat.completion body into r; returns what it was. */
enum chunk_result chunk_decode_completion(struct chat_response *r, const char *body, size_t len,
					  chunk_delta_fn fn, void *ud)
{
	r->n_events++;
	enum chunk_result res = chunk_decode(r, body, len, "message", fn, ud);
	if (res == CHUNK_OK)
		r->saw_done = true;
	return res;
}

/* Return whether the response is complete, cut short or an error. */
enum chat_response_state chat_response_state(const struct chat_response *r)
{
	if (r->error.present)
		return CHAT_RESPONSE_ERROR;
	if (r->saw_done)
		return CHAT_RESPONSE_COMPLETE;
	size_t present = 0;
	for (size_t i = 0; i < r->n_choices; i++) {
		if (!r->choices[i].present)
			continue;
		if (!r->choices[i].finish_reason)
			return CHAT_RESPONSE_TRUNCATED;
		present++;
	}
	return present ? CHAT_RESPONSE_COMPLETE : CHAT_RESPONSE_TRUNCATED;
}

/* Return a new JSON string holding sb's bytes exactly. */
static json_object *chunk_json_strbuf(const struct strbuf *sb)
{
	return json_object_new_string_len(strbuf_str(sb), (int)sb->len);
}

/* Return a new JSON string for s, or JSON null for NULL. */
static json_object *chunk_json_string_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* Return a new {id, type, function: {name, arguments}} object for t. */
static json_object *chunk_tool_call_to_json(const struct chat_tool_call *t)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(t->id ? t->id : ""));
	json_object_object_add(o, "type", json_object_new_string(t->type ? t->type : "function"));
	json_object *fn = json_object_new_object();
	json_object_object_add(fn, "name", chunk_json_strbuf(&t->name));
	json_object_object_add(fn, "arguments", chunk_json_strbuf(&t->arguments));
	json_object_object_add(o, "function", fn);
	return o;
}

/* Return a new chat.completion choice object for c. */
static json_object *chunk_choice_to_json(const struct chat_choice *c)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "index", json_object_new_int(c->index));

	json_object *calls = NULL;
	for (size_t i = 0; i < c->n_tool_calls; i++) {
		if (!c->tool_calls[i].present)
			continue;
		if (!calls)
			calls = json_object_new_array();
		json_object_array_add(calls, chunk_tool_call_to_json(&c->tool_calls[i]));
	}

	json_object *m = json_object_new_object();
	json_object_object_add(m, "role", json_object_new_string(c->role ? c->role : "assistant"));
	/* The API's own shape: a tool-calling message without text has null content. */
	json_object_object_add(
		m, "content", c->content.len == 0 && calls ? NULL : chunk_json_strbuf(&c->content));
	if (c->reasoning.len)
		json_object_object_add(m, "reasoning_content", chunk_json_strbuf(&c->reasoning));
	if (calls)
		json_object_object_add(m, "tool_calls", calls);
	json_object_object_add(o, "message", m);

	json_object *lp = NULL;
	if (c->logprobs_content) {
		json_object *copy = NULL;
		lp = json_object_new_object();
		if (json_object_deep_copy(c->logprobs_content, &copy, NULL) != 0)
			copy = json_object_new_array();
		json_object_object_add(lp, "content", copy);
	}
	json_object_object_add(o, "logprobs", lp);
	json_object_object_add(o, "finish_reason", chunk_json_string_or_null(c->finish_reason));
	return o;
}

/* Return a new usage object for u. */
static json_object *chunk_usage_to_json(const struct chat_usage *u)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "prompt_tokens", json_object_new_int64(u->prompt_tokens));
	json_object_object_add(o, "completion_tokens", json_object_new_int64(u->completion_tokens));
	json_object_object_add(o, "total_tokens", json_object_new_int64(u->total_tokens));
	if (u->reasoning_tokens >= 0) {
		json_object *d = json_object_new_object();
		json_object_object_add(d, "reasoning_tokens",
				       json_object_new_int64(u->reasoning_tokens));
		json_object_object_add(o, "completion_tokens_details", d);
	}
	if (u->cached_tokens >= 0) {
		json_object *d = json_object_new_object();
		json_object_object_add(d, "cached_tokens", json_object_new_int64(u->cached_tokens));
		json_object_object_add(o, "prompt_tokens_details", d);
	}
	return o;
}

/* Return a new chat.completion object for r; the caller puts it. */
json_object *chat_response_to_json(const struct chat_response *r)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(r->id ? r->id : ""));
	json_object_object_add(o, "object", json_object_new_string("chat.completion"));
	json_object_object_add(o, "created", json_object_new_int64(r->created));
	json_object_object_add(o, "model", json_object_new_string(r->model ? r->model : ""));
	if (r->system_fingerprint)
		json_object_object_add(o, "system_fingerprint",
				       json_object_new_string(r->system_fingerprint));
	json_object *choices = json_object_new_array();
	for (size_t i = 0; i < r->n_choices; i++)
		if (r->choices[i].present)
			json_object_array_add(choices, chunk_choice_to_json(&r->choices[i]));
	json_object_object_add(o, "choices", choices);
	if (r->usage.present)
		json_object_object_add(o, "usage", chunk_usage_to_json(&r->usage));
	return o;
}
