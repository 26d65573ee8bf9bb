#include <config.h>

#include "core/session.h"
#include "core/request.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the session ---- */

/* Initialise an empty session. */
void session_init(struct session *s)
{
	memset(s, 0, sizeof *s);
	conv_init(&s->conv);
	s->version = SESSION_FORMAT_VERSION;
}

/* Free what one image owns. */
void session_image_done(struct session_image *im)
{
	free(im->url);
	free(im->name);
	free(im->orig_mime);
}

/* Free everything s owns. */
void session_done(struct session *s)
{
	conv_done(&s->conv);
	for (size_t i = 0; i < s->n_images; i++)
		session_image_done(&s->images[i]);
	free(s->images);
	for (size_t i = 0; i < s->n_settings; i++) {
		free(s->settings[i].system);
		json_object_put(s->settings[i].params);
	}
	free(s->settings);
	free(s->creator);
	for (size_t i = 0; i < s->n_warnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	free(s->ckpt_done);
	for (size_t i = 0; i < s->n_extra; i++)
		free(s->extra[i]);
	free(s->extra);
	free(s->forgot);
	session_init(s);
}

/* Mark the image parts showing url as forgotten. */
size_t session_forget(struct session *s, const char *url)
{
	size_t n = 0, len = strlen(url);
	for (size_t i = 0; i < s->conv.n_msgs; i++) {
		struct conv_msg *m = &s->conv.msgs[i];
		for (size_t k = 0; k < m->n_parts; k++) {
			struct conv_part *p = &m->parts[k];
			if (p->kind == CHAT_PART_IMAGE && p->url && !p->forgotten &&
			    strlen(p->url) == len && memcmp(p->url, url, len) == 0) {
				p->forgotten = true;
				n++;
			}
		}
	}
	char sha[65];
	session_sha256_hex(url, len, sha);
	for (size_t i = 0; i < s->n_forgot; i++)
		if (strcmp(s->forgot[i], sha) == 0)
			return n;
	s->forgot = xrealloc(s->forgot, (s->n_forgot + 1) * sizeof *s->forgot);
	memcpy(s->forgot[s->n_forgot++], sha, 65);
	return n;
}

/* Add a warning line to s (takes msg). */
void session_warn(struct session *s, char *msg)
{
	s->warnings = xrealloc(s->warnings, (s->n_warnings + 1) * sizeof *s->warnings);
	s->warnings[s->n_warnings++] = msg;
}

/* Return the image whose hash is sha (borrowed), or NULL. */
struct session_image *session_image_find(struct session *s, const char *sha)
{
	for (size_t i = 0; i < s->n_images; i++)
		if (strcmp(s->images[i].sha256, sha) == 0)
			return &s->images[i];
	return NULL;
}

/* Return a new zeroed image entry at the end of s (borrowed). */
struct session_image *session_image_push(struct session *s)
{
	s->images = xrealloc(s->images, (s->n_images + 1) * sizeof *s->images);
	struct session_image *im = &s->images[s->n_images++];
	memset(im, 0, sizeof *im);
	return im;
}

/* Add a setting to s with a new id after the head; returns it (borrowed). */
struct session_setting *session_setting_push(struct session *s, unsigned long long id,
						    unsigned long long parent, long long t)
{
	s->settings = xrealloc(s->settings, (s->n_settings + 1) * sizeof *s->settings);
	struct session_setting *st = &s->settings[s->n_settings++];
	memset(st, 0, sizeof *st);
	st->id = id;
	st->parent = parent;
	st->time = t;
	if (id > s->conv.last_id)
		s->conv.last_id = id;
	return st;
}

/* ---- encoding ---- */

/* Append o as one line to out and put o. */
static void session_line(struct strbuf *out, json_object *o)
{
	size_t len = 0;
	const char *text = json_object_to_json_string_length(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	strbuf_append(out, text, len);
	strbuf_putc(out, '\n');
	json_object_put(o);
}

/* Return a new record object of type with id, parent and time when id is set. */
static json_object *session_record(const char *type, unsigned long long id,
				   unsigned long long parent, long long t)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(type));
	if (id) {
		json_object_object_add(o, "id", json_object_new_int64((int64_t)id));
		json_object_object_add(o, "parent", json_object_new_int64((int64_t)parent));
		json_object_object_add(o, "time", json_object_new_int64(t));
	}
	return o;
}

/* Add key: the len bytes of s as a JSON string to o (byte-exact). */
static void session_put_str(json_object *o, const char *key, const char *str, size_t len)
{
	json_object_object_add(o, key, json_object_new_string_len(str, (int)len));
}

/* Add key: v to o, a double kept to the millisecond. */
static void session_put_secs(json_object *o, const char *key, double v)
{
	char text[32];
	snprintf(text, sizeof text, "%.3f", v);
	json_object_object_add(o, key, json_object_new_double_s(v, text));
}

/* Append a header record. */
void session_encode_header(struct session *s, struct strbuf *out, long long now,
			   const char *version)
{
	json_object *o = session_record("header", 0, 0, 0);
	json_object_object_add(o, "format", json_object_new_string("squint-session"));
	json_object_object_add(o, "version", json_object_new_int(SESSION_FORMAT_VERSION));
	json_object_object_add(o, "created", json_object_new_int64(now));
	json_object_object_add(o, "squint", json_object_new_string(version));
	session_line(out, o);
	s->created = now;
}

/* Append a system record. */
void session_encode_system(struct session *s, struct strbuf *out, const char *text,
			   long long now)
{
	struct session_setting *st =
		session_setting_push(s, s->conv.last_id + 1, s->conv.head, now);
	st->is_system = true;
	st->system = xstrdup(text);
	json_object *o = session_record("system", st->id, st->parent, now);
	json_object_object_add(o, "text", text ? json_object_new_string(text) : NULL);
	session_line(out, o);
}

/* Append a params record. */
void session_encode_params(struct session *s, struct strbuf *out, json_object *params,
			   long long now)
{
	struct session_setting *st =
		session_setting_push(s, s->conv.last_id + 1, s->conv.head, now);
	st->params = json_object_get(params);
	json_object *o = session_record("params", st->id, st->parent, now);
	json_object_object_add(o, "params", json_object_get(params));
	session_line(out, o);
}

/* Return the image record for part p unless the file has it; register it. */
static json_object *session_image_record(struct session *s, const struct conv_part *p,
					 const char *sha)
{
	struct session_image *im = session_image_find(s, sha);
	if (im && im->url)
		return NULL;
	if (!im) {
		im = session_image_push(s);
		memcpy(im->sha256, sha, 65);
	}
	session_image_done(im);
	im->url = xstrdup(p->url);
	im->name = xstrdup(p->name);
	im->orig_mime = xstrdup(p->mime);
	im->orig_width = p->width, im->orig_height = p->height, im->orig_bytes = p->bytes;
	im->width = p->sent_width ? p->sent_width : p->width;
	im->height = p->sent_height ? p->sent_height : p->height;
	im->bytes = p->sent_bytes ? p->sent_bytes : p->bytes;
	json_object *o = session_record("image", 0, 0, 0);
	json_object_object_add(o, "sha256", json_object_new_string(sha));
	json_object_object_add(o, "name", json_object_new_string(im->name ? im->name : ""));
	if (im->width)
		json_object_object_add(o, "width", json_object_new_int64(im->width));
	if (im->height)
		json_object_object_add(o, "height", json_object_new_int64(im->height));
	if (im->bytes)
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)im->bytes));
	if (p->mime || p->bytes) {
		json_object *orig = json_object_new_object();
		if (p->mime)
			json_object_object_add(orig, "mime", json_object_new_string(p->mime));
		json_object_object_add(orig, "width", json_object_new_int64(p->width));
		json_object_object_add(orig, "height", json_object_new_int64(p->height));
		json_object_object_add(orig, "bytes", json_object_new_int64((int64_t)p->bytes));
		json_object_object_add(o, "original", orig);
	}
	json_object_object_add(o, "url", json_object_new_string(p->url));
	return o;
}

/* Return a new JSON object for choice ch of an answer. */
static json_object *session_choice_json(const struct conv_choice *ch)
{
	json_object *o = json_object_new_object();
	session_put_str(o, "content", strbuf_str(&ch->content), ch->content.len);
	if (ch->reasoning.len)
		session_put_str(o, "reasoning", ch->reasoning.data, ch->reasoning.len);
	if (ch->finish_reason)
		json_object_object_add(o, "finish_reason", json_object_new_string(ch->finish_reason));
	json_object *calls = NULL;
	for (size_t k = 0; k < ch->n_tool_calls; k++) {
		const struct conv_tool_call *tc = &ch->tool_calls[k];
		if (!calls)
			calls = json_object_new_array();
		json_object *c = json_object_new_object(), *fn = json_object_new_object();
		json_object_object_add(c, "id", tc->id ? json_object_new_string(tc->id) : NULL);
		json_object_object_add(c, "type", json_object_new_string("function"));
		session_put_str(fn, "name", strbuf_str(&tc->name), tc->name.len);
		session_put_str(fn, "arguments", strbuf_str(&tc->arguments), tc->arguments.len);
		json_object_object_add(c, "function", fn);
		json_object_array_add(calls, c);
	}
	if (calls)
		json_object_object_add(o, "tool_calls", calls);
	return o;
}

/* Return the record's name for an answer state. */
static const char *session_state_name(enum conv_state st)
{
	switch (st) {
	case CONV_STREAMING:
		return "streaming";
	case CONV_DONE:
		return "done";
	case CONV_INTERRUPTED:
		return "interrupted";
	case CONV_ERROR:
		return "error";
	}
	return "error";
}

/* Return a new answer record for m. */
static json_object *session_answer_json(const struct conv_msg *m)
{
	json_object *o = session_record("answer", m->id, m->parent, m->time);
	if (m->model)
		json_object_object_add(o, "model_asked", json_object_new_string(m->model));
	if (m->resp_model)
		json_object_object_add(o, "model", json_object_new_string(m->resp_model));
	if (m->fingerprint)
		json_object_object_add(o, "system_fingerprint",
				       json_object_new_string(m->fingerprint));
	json_object_object_add(o, "state", json_object_new_string(session_state_name(m->state)));
	json_object_object_add(o, "interrupted",
			       json_object_new_boolean(m->state != CONV_DONE));
	if (m->error)
		json_object_object_add(o, "error", json_object_new_string(m->error));
	json_object_object_add(o, "chosen", json_object_new_int64((int64_t)m->chosen));
	json_object *choices = json_object_new_array();
	for (size_t c = 0; c < m->n_choices; c++)
		json_object_array_add(choices, session_choice_json(&m->choices[c]));
	json_object_object_add(o, "choices", choices);
	if (m->usage.present) {
		json_object *u = json_object_new_object();
		json_object_object_add(u, "prompt_tokens", json_object_new_int64(m->usage.prompt_tokens));
		json_object_object_add(u, "completion_tokens",
				       json_object_new_int64(m->usage.completion_tokens));
		json_object_object_add(u, "total_tokens", json_object_new_int64(m->usage.total_tokens));
		json_object_object_add(o, "usage", u);
	}
	if (m->t_total > 0) {
		json_object *t = json_object_new_object();
		session_put_secs(t, "first_byte", m->t_first_byte);
		session_put_secs(t, "total", m->t_total);
		json_object_object_add(o, "timings", t);
	}
	return o;
}

/* Append message i's record, after records for images the file lacks. */
void session_encode_msg(struct session *s, size_t i, struct strbuf *out)
{
	const struct conv_msg *m = conv_msg_at(&s->conv, i);
	if (!m)
		return;
	s->leaf = m->id;
	if (m->role == CONV_ASSISTANT) {
		if (s->ckpt_id == m->id) {
			s->ckpt_id = 0;
			free(s->ckpt_done);
			s->ckpt_done = NULL;
			s->n_ckpt_done = 0;
		}
		session_line(out, session_answer_json(m));
		return;
	}
	json_object *o = session_record(m->role == CONV_USER ? "user" : "tool", m->id, m->parent,
					m->time);
	if (m->role == CONV_TOOL) {
		char *text = conv_msg_text(m);
		json_object_object_add(o, "tool_call_id",
				       json_object_new_string(m->tool_call_id ? m->tool_call_id : ""));
		json_object_object_add(o, "content", json_object_new_string(text));
		free(text);
		session_line(out, o);
		return;
	}
	json_object *content = json_object_new_array();
	for (size_t k = 0; k < m->n_parts; k++) {
		const struct conv_part *p = &m->parts[k];
		json_object *part = json_object_new_object();
		if (p->kind == CHAT_PART_TEXT) {
			json_object_object_add(part, "type", json_object_new_string("text"));
			json_object_object_add(part, "text", json_object_new_string(p->text));
		} else {
			char sha[65];
			session_sha256_hex(p->url, strlen(p->url), sha);
			json_object *img = session_image_record(s, p, sha);
			if (img)
				session_line(out, img);
			json_object_object_add(part, "type", json_object_new_string("image"));
			json_object_object_add(part, "sha256", json_object_new_string(sha));
			if (p->name)
				json_object_object_add(part, "name", json_object_new_string(p->name));
		}
		json_object_array_add(content, part);
	}
	json_object_object_add(o, "content", content);
	session_line(out, o);
}

/* Append a checkpoint of answer i with the text new since the last one. */
bool session_encode_checkpoint(struct session *s, size_t i, struct strbuf *out)
{
	const struct conv_msg *m = conv_msg_at(&s->conv, i);
	if (!m || m->role != CONV_ASSISTANT)
		return false;
	if (s->ckpt_id != m->id) {
		free(s->ckpt_done);
		s->ckpt_done = NULL;
		s->n_ckpt_done = 0;
		s->ckpt_id = m->id;
	}
	if (s->n_ckpt_done < 2 * m->n_choices) {
		s->ckpt_done = xrealloc(s->ckpt_done, 2 * m->n_choices * sizeof *s->ckpt_done);
		memset(s->ckpt_done + s->n_ckpt_done, 0,
		       (2 * m->n_choices - s->n_ckpt_done) * sizeof *s->ckpt_done);
		s->n_ckpt_done = 2 * m->n_choices;
	}
	json_object *choices = json_object_new_array();
	for (size_t c = 0; c < m->n_choices; c++) {
		const struct strbuf *part[2] = {&m->choices[c].content, &m->choices[c].reasoning};
		const char *key[2] = {"content", "reasoning"};
		json_object *co = NULL;
		for (int k = 0; k < 2; k++) {
			size_t done = s->ckpt_done[2 * c + (size_t)k];
			if (part[k]->len <= done)
				continue;
			if (!co) {
				co = json_object_new_object();
				json_object_object_add(co, "index", json_object_new_int64((int64_t)c));
			}
			session_put_str(co, key[k], part[k]->data + done, part[k]->len - done);
			s->ckpt_done[2 * c + (size_t)k] = part[k]->len;
		}
		if (co)
			json_object_array_add(choices, co);
	}
	if (json_object_array_length(choices) == 0) {
		json_object_put(choices);
		return false;
	}
	json_object *o = session_record("checkpoint", m->id, m->parent, m->time);
	if (m->model)
		json_object_object_add(o, "model_asked", json_object_new_string(m->model));
	json_object_object_add(o, "choices", choices);
	session_line(out, o);
	s->leaf = m->id;
	return true;
}

/* Append a select record. */
void session_encode_select(struct session *s, struct strbuf *out, unsigned long long leaf,
			   long chosen, long long now)
{
	json_object *o = session_record("select", 0, 0, 0);
	json_object_object_add(o, "leaf", json_object_new_int64((int64_t)leaf));
	if (chosen >= 0)
		json_object_object_add(o, "chosen", json_object_new_int64(chosen));
	json_object_object_add(o, "time", json_object_new_int64(now));
	session_line(out, o);
	s->leaf = leaf;
	conv_set_head(&s->conv, leaf);
}

/* ---- settings in force on a branch ---- */

/* Return whether id is 0 or one of the n indexes of path in c. */
static bool session_on_path(const struct conv *c, const size_t *path, size_t n,
			    unsigned long long id)
{
	if (id == 0)
		return true;
	for (size_t k = 0; k < n; k++)
		if (c->msgs[path[k]].id == id)
			return true;
	return false;
}

/* Return the last setting of kind is_system in force at leaf, or NULL. */
static const struct session_setting *session_setting_at(const struct session *s,
							unsigned long long leaf, bool is_system)
{
	size_t n = 0;
	size_t li = conv_find(&s->conv, leaf);
	size_t *path = li == (size_t)-1 ? NULL : conv_path(&s->conv, li, &n);
	const struct session_setting *found = NULL;
	for (size_t i = 0; i < s->n_settings; i++)
		if (s->settings[i].is_system == is_system &&
		    session_on_path(&s->conv, path, n, s->settings[i].parent))
			found = &s->settings[i];
	free(path);
	return found;
}

/* Return the system prompt in force at leaf, borrowed. */
const char *session_system(const struct session *s, unsigned long long leaf)
{
	const struct session_setting *st = session_setting_at(s, leaf, true);
	return st ? st->system : NULL;
}

/* Return the params in force at leaf, borrowed. */
json_object *session_params(const struct session *s, unsigned long long leaf)
{
	const struct session_setting *st = session_setting_at(s, leaf, false);
	return st ? st->params : NULL;
}

/* Return the request fields of p without messages and streaming. */
json_object *session_params_json(const struct chat_params *p)
{
	size_t len = 0;
	char *body = request_build(p, NULL, 0, &len);
	json_object *o = json_tokener_parse(body);
	free(body);
	if (!o)
		return json_object_new_object();
	json_object_object_del(o, "messages");
	json_object_object_del(o, "stream");
	json_object_object_del(o, "stream_options");
	return o;
}

/* ---- the whole session, for a new file ---- */

/* Return a new record for setting st. */
static json_object *session_setting_json(const struct session_setting *st)
{
	json_object *o = session_record(st->is_system ? "system" : "params", st->id, st->parent,
					st->time);
	if (st->is_system)
		json_object_object_add(o, "text", st->system ? json_object_new_string(st->system) : NULL);
	else
		json_object_object_add(o, "params", json_object_get(st->params));
	return o;
}

/* Append every record of s but the header: settings and messages in the
 * order of their ids, images before their first use, an answer still
 * streaming as one checkpoint, and a select record for the current branch. */
void session_encode_all(struct session *s, struct strbuf *out, long long now)
{
	unsigned long long leaf = s->leaf, head = s->conv.head;
	/* The new file has no image yet: each goes with its first user. */
	for (size_t i = 0; i < s->n_images; i++) {
		free(s->images[i].url);
		s->images[i].url = NULL;
	}
	size_t streaming = (size_t)-1;
	size_t mi = 0, si = 0;
	while (mi < s->conv.n_msgs || si < s->n_settings) {
		const struct conv_msg *m = mi < s->conv.n_msgs ? &s->conv.msgs[mi] : NULL;
		const struct session_setting *st = si < s->n_settings ? &s->settings[si] : NULL;
		if (st && (!m || st->id < m->id)) {
			session_line(out, session_setting_json(st));
			si++;
			continue;
		}
		if (m->role == CONV_ASSISTANT && m->state == CONV_STREAMING)
			streaming = mi;
		else
			session_encode_msg(s, mi, out);
		mi++;
	}
	if (streaming != (size_t)-1) {
		free(s->ckpt_done);
		s->ckpt_done = NULL;
		s->n_ckpt_done = 0;
		s->ckpt_id = 0;
		session_encode_checkpoint(s, streaming, out);
	}
	size_t li = conv_find(&s->conv, leaf);
	if (li != (size_t)-1) {
		const struct conv_msg *m = &s->conv.msgs[li];
		session_encode_select(s, out, leaf,
				      m->role == CONV_ASSISTANT && m->n_choices ? (long)m->chosen : -1,
				      now);
	}
	/* What /forget dropped stays dropped in the copy. */
	for (size_t i = 0; i < s->n_forgot; i++) {
		json_object *o = session_record("forget", 0, 0, 0);
		json_object_object_add(o, "sha256", json_object_new_string(s->forgot[i]));
		json_object_object_add(o, "time", json_object_new_int64(now));
		session_line(out, o);
	}
	/* Records of a newer squint go along as they were. */
	for (size_t i = 0; i < s->n_extra; i++) {
		strbuf_puts(out, s->extra[i]);
		strbuf_putc(out, '\n');
	}
	s->leaf = leaf;
	conv_set_head(&s->conv, head);
}

/* Append a forget record for url. */
void session_encode_forget(struct session *s, struct strbuf *out, const char *url, long long now)
{
	session_forget(s, url);
	char sha[65];
	session_sha256_hex(url, strlen(url), sha);
	json_object *o = session_record("forget", 0, 0, 0);
	json_object_object_add(o, "sha256", json_object_new_string(sha));
	json_object_object_add(o, "time", json_object_new_int64(now));
	session_line(out, o);
}
