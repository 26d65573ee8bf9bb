/* Session file text -> struct session.  Every record is validated; one
 * that fails is reported with its line and skipped, never the session. */
#include <config.h>

#include "core/session.h"
#include "core/request.h"
#include "core/sanitize.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* More warnings than this are counted, not kept: a hostile file must not
 * flood the screen. */
#define SESSION_MAX_WARNINGS 50

/* The state of one load. */
struct session_loader {
	struct session *s;
	const char *file;
	size_t line;
	unsigned long long *ckpt; /* answers known from checkpoints only, so far */
	size_t n_ckpt;
	char **unknown; /* record types already reported */
	size_t n_unknown;
	unsigned long long last_msg; /* the last message loaded, for orphans */
	size_t n_dropped;            /* warnings beyond SESSION_MAX_WARNINGS */
	const char *url;             /* this image record's data URI, cut out of ... */
	size_t url_len;              /* ... its line unparsed (load_cut_url), or NULL */
};

/* Add "FILE:LINE: " and the formatted message to the warnings. */
static void load_warn(struct session_loader *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void load_warn(struct session_loader *l, const char *fmt, ...)
{
	if (l->s->n_warnings >= SESSION_MAX_WARNINGS) {
		l->n_dropped++;
		return;
	}
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* Record text is someone else's: never let it reach a terminal raw. */
	char *line = xasprintf("%s:%zu: %s", l->file, l->line, msg);
	session_warn(l->s, sanitize_line(line));
	free(line);
}

/* Return the string member key of o (length in *len if len), or NULL. */
static const char *load_str(json_object *o, const char *key, size_t *len)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	if (len)
		*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

/* Read the integer member key of o into *v; false when absent or not one. */
static bool load_int(json_object *o, const char *key, long long *v)
{
	json_object *j;
	if (!json_object_object_get_ex(o, key, &j) || !json_object_is_type(j, json_type_int))
		return false;
	*v = (long long)json_object_get_int64(j);
	return true;
}

/* Return the array member key of o, or NULL. */
static json_object *load_array(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

/* Return the position of id among the checkpointed answers, or -1. */
static long load_ckpt_find(const struct session_loader *l, unsigned long long id)
{
	for (size_t i = 0; i < l->n_ckpt; i++)
		if (l->ckpt[i] == id)
			return (long)i;
	return -1;
}

/* Read a node's id, parent and time; returns NULL or why it is bad.  A
 * parent the file lacks (its record was damaged) becomes the message before. */
static const char *load_node(struct session_loader *l, json_object *o, unsigned long long *id,
			     unsigned long long *parent, long long *t)
{
	long long v, p = 0;
	if (!load_int(o, "id", &v) || v <= 0)
		return _("no valid id");
	if (json_object_object_get_ex(o, "parent", NULL) && !load_int(o, "parent", &p))
		return _("parent is not a number");
	*id = (unsigned long long)v;
	*parent = p > 0 ? (unsigned long long)p : 0;
	if (*parent && conv_find(&l->s->conv, *parent) == (size_t)-1)
		*parent = l->last_msg;
	*t = 0;
	load_int(o, "time", t);
	return NULL;
}

/* An image record: registered when its hash matches its data. */
static const char *load_image(struct session_loader *l, json_object *o)
{
	size_t len = 0, url_len = 0;
	const char *sha = load_str(o, "sha256", &len), *url = load_str(o, "url", &url_len);
	const char *name = load_str(o, "name", NULL);
	/* The URI cut out before parsing leaves "" in its place. */
	if (l->url && url && url_len == 0) {
		url = l->url;
		url_len = l->url_len;
	} else if (url) {
		url_len = strlen(url);
	}
	if (!sha || len != 64 || strspn(sha, "0123456789abcdef") != 64)
		return _("no valid sha256");
	struct session_image *im = session_image_find(l->s, sha);
	if (im && im->url)
		return NULL; /* stored twice: the first one serves */
	char hex[65];
	if (url)
		session_sha256_hex(url, url_len, hex);
	if (!url || strcmp(hex, sha) != 0) {
		load_warn(l, _("image %s is damaged (%s); it is left out of the messages that show it"),
			  name ? name : sha, url ? _("checksum mismatch") : _("no data"));
		if (!im) {
			im = session_image_push(l->s);
			memcpy(im->sha256, sha, 65);
		}
		return NULL;
	}
	if (!im) {
		im = session_image_push(l->s);
		memcpy(im->sha256, sha, 65);
	}
	long long v;
	im->url = xstrndup(url, url_len);
	im->name = xstrdup(name ? name : "image");
	im->width = load_int(o, "width", &v) && v > 0 && v < 1000000 ? (unsigned)v : 0;
	im->height = load_int(o, "height", &v) && v > 0 && v < 1000000 ? (unsigned)v : 0;
	im->bytes = load_int(o, "bytes", &v) && v > 0 ? (size_t)v : 0;
	json_object *orig;
	if (json_object_object_get_ex(o, "original", &orig) &&
	    json_object_is_type(orig, json_type_object)) {
		im->orig_mime = xstrdup(load_str(orig, "mime", NULL));
		im->orig_width = load_int(orig, "width", &v) && v > 0 && v < 1000000 ? (unsigned)v : 0;
		im->orig_height = load_int(orig, "height", &v) && v > 0 && v < 1000000 ? (unsigned)v : 0;
		im->orig_bytes = load_int(orig, "bytes", &v) && v > 0 ? (size_t)v : 0;
	}
	return NULL;
}

/* A user record. */
static const char *load_user(struct session_loader *l, json_object *o)
{
	unsigned long long id, parent;
	long long t;
	const char *why = load_node(l, o, &id, &parent, &t);
	json_object *content = load_array(o, "content");
	if (why)
		return why;
	if (!content)
		return _("no content");
	if (conv_find(&l->s->conv, id) != (size_t)-1)
		return _("duplicate id");
	struct conv *c = &l->s->conv;
	size_t i = conv_add_user(c, t);
	conv_msg_set_id(c, i, id, parent);
	struct conv_msg *m = conv_msg_at(c, i);
	for (size_t k = 0; k < json_object_array_length(content); k++) {
		json_object *p = json_object_array_get_idx(content, k);
		const char *type = load_str(p, "type", NULL), *text, *sha;
		size_t len = 0;
		if (type && !strcmp(type, "text") && (text = load_str(p, "text", &len))) {
			conv_msg_add_text(m, text, len);
		} else if (type && !strcmp(type, "image") && (sha = load_str(p, "sha256", NULL))) {
			const struct session_image *im = session_image_find(l->s, sha);
			if (!im) {
				load_warn(l, _("image %.12s is missing; it is left out of this message"),
					  sha);
				continue;
			}
			if (!im->url)
				continue; /* damaged: reported with its record */
			const char *name = load_str(p, "name", NULL);
			conv_msg_add_image(m, im->url, name ? name : im->name, im->orig_mime,
					   im->orig_width, im->orig_height, im->orig_bytes);
			struct conv_part *cp = &m->parts[m->n_parts - 1];
			cp->sent_width = im->width, cp->sent_height = im->height;
			cp->sent_bytes = im->bytes;
		}
	}
	l->last_msg = id;
	l->s->leaf = id;
	return NULL;
}

/* A tool record. */
static const char *load_tool(struct session_loader *l, json_object *o)
{
	unsigned long long id, parent;
	long long t;
	const char *why = load_node(l, o, &id, &parent, &t);
	const char *call = load_str(o, "tool_call_id", NULL), *text = load_str(o, "content", NULL);
	if (why)
		return why;
	if (!call || !text)
		return _("no tool_call_id or content");
	if (conv_find(&l->s->conv, id) != (size_t)-1)
		return _("duplicate id");
	size_t i = conv_add_tool(&l->s->conv, t, call, text);
	conv_msg_set_id(&l->s->conv, i, id, parent);
	l->last_msg = id;
	l->s->leaf = id;
	return NULL;
}

/* Apply len bytes of text as a delta of kind to choice c of m. */
static void load_apply(struct conv_msg *m, enum chunk_delta_kind kind, int c, int tool,
		       const char *text, size_t len)
{
	if (!text || !len)
		return;
	struct chunk_delta d = {kind, c, tool, text, len};
	conv_answer_apply(m, &d);
}

/* Add the text of choice object co to choice c of m (appending). */
static void load_choice(struct conv_msg *m, int c, json_object *co)
{
	size_t len = 0;
	const char *v;
	load_apply(m, CHUNK_DELTA_ROLE, c, -1, "assistant", 9);
	v = load_str(co, "content", &len);
	load_apply(m, CHUNK_DELTA_CONTENT, c, -1, v, len);
	v = load_str(co, "reasoning", &len);
	load_apply(m, CHUNK_DELTA_REASONING, c, -1, v, len);
	json_object *calls = load_array(co, "tool_calls"), *fn;
	for (size_t k = 0; calls && k < json_object_array_length(calls) && k < CHUNK_MAX_TOOL_CALLS;
	     k++) {
		json_object *tc = json_object_array_get_idx(calls, k);
		if (!json_object_object_get_ex(tc, "function", &fn))
			continue;
		v = load_str(fn, "name", &len);
		load_apply(m, CHUNK_DELTA_TOOL_NAME, c, (int)k, v, len);
		v = load_str(fn, "arguments", &len);
		load_apply(m, CHUNK_DELTA_TOOL_CALL, c, (int)k, v, len);
		const char *id = load_str(tc, "id", NULL);
		if (id && (size_t)c < m->n_choices && k < m->choices[c].n_tool_calls &&
		    !m->choices[c].tool_calls[k].id)
			m->choices[c].tool_calls[k].id = xstrdup(id);
	}
	v = load_str(co, "finish_reason", &len);
	load_apply(m, CHUNK_DELTA_FINISH, c, -1, v, len);
}

/* An answer or checkpoint record. */
static const char *load_answer(struct session_loader *l, json_object *o, bool final)
{
	unsigned long long id, parent;
	long long t, v;
	const char *why = load_node(l, o, &id, &parent, &t);
	json_object *choices = load_array(o, "choices");
	if (why)
		return why;
	if (!choices)
		return _("no choices");
	struct conv *c = &l->s->conv;
	size_t i = conv_find(c, id);
	long ck = load_ckpt_find(l, id);
	if (i != (size_t)-1 && (ck < 0 || c->msgs[i].role != CONV_ASSISTANT))
		return _("duplicate id");
	if (i == (size_t)-1) {
		i = conv_add_answer(c, t, load_str(o, "model_asked", NULL));
		conv_msg_set_id(c, i, id, parent);
		if (!final) {
			l->ckpt = xrealloc(l->ckpt, (l->n_ckpt + 1) * sizeof *l->ckpt);
			l->ckpt[l->n_ckpt++] = id;
		}
	} else if (final) {
		conv_answer_reset(&c->msgs[i]);
		l->ckpt[ck] = l->ckpt[--l->n_ckpt];
	}
	struct conv_msg *m = &c->msgs[i];
	for (size_t k = 0; k < json_object_array_length(choices); k++) {
		json_object *co = json_object_array_get_idx(choices, k);
		long long idx = (long long)k;
		if (!final && !load_int(co, "index", &idx))
			continue;
		if (idx >= 0 && idx < CHUNK_DEFAULT_MAX_CHOICES)
			load_choice(m, (int)idx, co);
	}
	l->last_msg = id;
	l->s->leaf = id;
	if (!final) {
		/* Until its final record arrives, the answer was cut short. */
		m->state = CONV_INTERRUPTED;
		return NULL;
	}
	const char *state = load_str(o, "state", NULL);
	json_object *j;
	bool interrupted = json_object_object_get_ex(o, "interrupted", &j) &&
			   json_object_get_boolean(j);
	m->state = state && !strcmp(state, "done")	? CONV_DONE
		   : state && !strcmp(state, "error") ? CONV_ERROR
		   : state || interrupted	      ? CONV_INTERRUPTED
						      : CONV_DONE;
	const char *err = load_str(o, "error", NULL);
	conv_answer_finish(m, m->state, err);
	if (load_int(o, "chosen", &v) && v >= 0 && (size_t)v < m->n_choices)
		m->chosen = (size_t)v;
	json_object *u;
	long long pt = 0, ct = 0, tt = 0;
	if (json_object_object_get_ex(o, "usage", &u) && load_int(u, "prompt_tokens", &pt) &&
	    load_int(u, "completion_tokens", &ct) && load_int(u, "total_tokens", &tt))
		conv_answer_set_usage(m, (long)pt, (long)ct, (long)tt);
	free(m->resp_model);
	m->resp_model = xstrdup(load_str(o, "model", NULL));
	free(m->fingerprint);
	m->fingerprint = xstrdup(load_str(o, "system_fingerprint", NULL));
	json_object *tm, *d;
	if (json_object_object_get_ex(o, "timings", &tm)) {
		if (json_object_object_get_ex(tm, "first_byte", &d))
			m->t_first_byte = json_object_get_double(d);
		if (json_object_object_get_ex(tm, "total", &d))
			m->t_total = json_object_get_double(d);
	}
	return NULL;
}

/* A system or params record. */
static const char *load_setting(struct session_loader *l, json_object *o, bool is_system)
{
	unsigned long long id, parent;
	long long t;
	const char *why = load_node(l, o, &id, &parent, &t);
	json_object *params = NULL;
	if (why)
		return why;
	if (!is_system && (!json_object_object_get_ex(o, "params", &params) ||
			   !json_object_is_type(params, json_type_object)))
		return _("no params object");
	struct session_setting *st = session_setting_push(l->s, id, parent, t);
	st->is_system = is_system;
	st->system = is_system ? xstrdup(load_str(o, "text", NULL)) : NULL;
	st->params = json_object_get(params);
	return NULL;
}

/* A select record: the branch (and choice) the user was on. */
static const char *load_select(struct session_loader *l, json_object *o)
{
	long long leaf, chosen;
	size_t i;
	if (!load_int(o, "leaf", &leaf) || leaf <= 0 ||
	    (i = conv_find(&l->s->conv, (unsigned long long)leaf)) == (size_t)-1)
		return _("no valid leaf");
	l->s->leaf = (unsigned long long)leaf;
	struct conv_msg *m = conv_msg_at(&l->s->conv, i);
	if (load_int(o, "chosen", &chosen) && chosen >= 0 && (size_t)chosen < m->n_choices)
		m->chosen = (size_t)chosen;
	return NULL;
}

/* A forget record: the image is no longer sent (it stays in the file). */
static const char *load_forget(struct session_loader *l, json_object *o)
{
	const char *sha = load_str(o, "sha256", NULL);
	const struct session_image *im = sha ? session_image_find(l->s, sha) : NULL;
	if (!sha)
		return _("no sha256");
	if (!im || !im->url)
		return _("no such image");
	session_forget(l->s, im->url);
	return NULL;
}

/* Apply one record of type (the n bytes at line) to the session; returns
 * NULL or why it is bad. */
static const char *load_record(struct session_loader *l, json_object *o, const char *type,
			       const char *line, size_t n)
{
	if (!strcmp(type, "image"))
		return load_image(l, o);
	if (!strcmp(type, "user"))
		return load_user(l, o);
	if (!strcmp(type, "tool"))
		return load_tool(l, o);
	if (!strcmp(type, "answer") || !strcmp(type, "checkpoint"))
		return load_answer(l, o, type[0] == 'a');
	if (!strcmp(type, "system") || !strcmp(type, "params"))
		return load_setting(l, o, type[0] == 's');
	if (!strcmp(type, "select"))
		return load_select(l, o);
	if (!strcmp(type, "forget"))
		return load_forget(l, o);
	if (!strcmp(type, "header"))
		return _("a second header");
	/* Kept to be passed on (/save): a newer squint may need it. */
	struct session *s = l->s;
	s->extra = xrealloc(s->extra, (s->n_extra + 1) * sizeof *s->extra);
	s->extra[s->n_extra] = xmalloc(n + 1);
	memcpy(s->extra[s->n_extra], line, n);
	s->extra[s->n_extra++][n] = '\0';
	for (size_t i = 0; i < l->n_unknown; i++)
		if (!strcmp(l->unknown[i], type))
			return NULL;
	l->unknown = xrealloc(l->unknown, (l->n_unknown + 1) * sizeof *l->unknown);
	l->unknown[l->n_unknown++] = xstrdup(type);
	load_warn(l, _("unknown record type \"%.40s\" kept but not used (from a newer squint?)"),
		  type);
	return NULL;
}

/* Read the header record o; returns NULL or why it is not one. */
static const char *load_header(struct session_loader *l, json_object *o)
{
	const char *type = load_str(o, "type", NULL), *fmt = load_str(o, "format", NULL);
	long long v;
	if (!type || strcmp(type, "header") || !fmt || strcmp(fmt, "squint-session") ||
	    !load_int(o, "version", &v) || v < 1)
		return _("not a squint session file (no header record)");
	l->s->version = v > 1000 ? 1000 : (int)v;
	if (v > SESSION_FORMAT_VERSION)
		load_warn(l, _("written by a newer squint (format %lld); what it added is kept but not used"), v);
	load_int(o, "created", &l->s->created);
	const char *who = load_str(o, "squint", NULL);
	l->s->creator = who ? xasprintf("squint %.40s", who) : NULL;
	return NULL;
}

/* Load the file text buf into s. */
/* The start of an image record as squint (and the bench) writes it. */
static const char load_image_start[] = "{\"type\":\"image\",";

/* For an image record of line (n bytes), whose data URI is the bulk of it:
 * return a newly allocated copy of the line with the URI's characters cut
 * out ("url":""), and point *url, *url_len at them in line; json-c then
 * parses 2 kB instead of copying megabytes character by character.  NULL
 * when this is not such a record, or the URI has escapes or NULs (json-c
 * takes the whole line then). */
static char *load_cut_url(const char *line, size_t n, const char **url, size_t *url_len)
{
	size_t ls = sizeof load_image_start - 1;
	if (n < ls || memcmp(line, load_image_start, ls) != 0)
		return NULL;
	const char *k = memmem(line + ls - 1, n - (ls - 1), ",\"url\":\"", 8);
	if (!k)
		return NULL;
	const char *v = k + 8, *end = memchr(v, '"', (size_t)(line + n - v));
	if (!end || end - v < 1024 || memchr(v, '\\', (size_t)(end - v)) ||
	    memchr(v, '\0', (size_t)(end - v)))
		return NULL;
	size_t head = (size_t)(v - line), tail = (size_t)(line + n - end);
	char *cut = xmalloc(head + tail + 1);
	memcpy(cut, line, head);
	memcpy(cut + head, end, tail);
	cut[head + tail] = '\0';
	*url = v;
	*url_len = (size_t)(end - v);
	return cut;
}

int session_load(struct session *s, const char *buf, size_t len, const char *file, char **err)
{
	struct session_loader l;
	memset(&l, 0, sizeof l);
	l.s = s;
	l.file = file;
	json_tokener *tok = json_tokener_new();
	if (!tok)
		xalloc_out_of_memory(sizeof(json_tokener));
	bool have_header = false;
	size_t n_lines = 0; /* complete, non-blank */
	int rc = 0;
	for (size_t pos = 0; pos < len && rc == 0;) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + 1;
		l.line++;
		if (!nl) {
			load_warn(&l, _("incomplete record skipped (the file was cut short)"));
			break;
		}
		if (strspn(line, " \t\r") >= n)
			continue;
		n_lines++;
		if (n > SESSION_MAX_RECORD && !have_header) {
			*err = xasprintf(_("%s: not a squint session file (no header record)"), file);
			rc = -1;
			break;
		}
		if (n > SESSION_MAX_RECORD) {
			load_warn(&l, _("record of %zu MB skipped (larger than %zu MB)"), n >> 20,
				  SESSION_MAX_RECORD >> 20);
			continue;
		}
		json_tokener_reset(tok);
		/* Out of memory is not a damaged record: skipping it would
		 * lose it at the next save. */
		if (xalloc_torture_fail())
			xalloc_out_of_memory(n);
		l.url = NULL;
		char *cut = load_cut_url(line, n, &l.url, &l.url_len);
		size_t pn = cut ? n - l.url_len : n;
		json_object *o = json_tokener_parse_ex(tok, cut ? cut : line, (int)pn);
		const char *type = o ? load_str(o, "type", NULL) : NULL;
		if (!o || json_tokener_get_parse_end(tok) < pn || !type) {
			load_warn(&l, _("damaged record skipped (%s)"),
				  !o ? _("not JSON")
				     : json_tokener_get_parse_end(tok) < pn ? _("text after the record")
									     : _("no type"));
		} else if (!have_header) {
			const char *why = load_header(&l, o);
			if (why) {
				*err = xasprintf("%s:%zu: %s", file, l.line, why);
				rc = -1;
			}
			have_header = true;
		} else {
			const char *why = load_record(&l, o, type, line, n);
			if (why)
				load_warn(&l, _("bad %.20s record skipped (%s)"), type, why);
			else
				s->n_records++;
		}
		json_object_put(o);
		free(cut);
	}
	json_tokener_free(tok);
	if (rc == 0 && !have_header && n_lines > 0) {
		*err = xasprintf(_("%s: not a squint session file (no header record)"), file);
		rc = -1;
	}
	if (l.n_dropped)
		session_warn(s, xasprintf(P_("%s: %zu more problem not shown", "%s: %zu more problems not shown",
					     l.n_dropped),
					  file, l.n_dropped));
	conv_set_head(&s->conv, s->leaf);
	for (size_t i = 0; i < l.n_unknown; i++)
		free(l.unknown[i]);
	free(l.unknown);
	free(l.ckpt);
	return rc;
}

/* ---- parameters back from a params record ---- */

/* Set field key of p (unset so far) from its JSON value v; 0 or -1. */
static int session_param_set(struct chat_params *p, const char *key, json_object *v)
{
	char *err = NULL;
	int rc = -1;
	if (!strcmp(key, "tools") || !strcmp(key, "response_format") ||
	    !strcmp(key, "tool_choice")) {
		/* Set from files or words at first; here from the JSON itself. */
		bool is_obj = json_object_is_type(v, json_type_object);
		if (!strcmp(key, "tools") && json_object_is_type(v, json_type_array) &&
		    json_object_array_length(v) > 0) {
			p->tools = json_object_get(v);
			rc = 0;
		} else if (!strcmp(key, "response_format") && is_obj) {
			p->response_format = json_object_get(v);
			rc = 0;
		} else if (!strcmp(key, "tool_choice") &&
			   (is_obj || json_object_is_type(v, json_type_string))) {
			p->tool_choice = json_object_get(v);
			rc = 0;
		}
	} else if (!strcmp(key, "stop") && json_object_is_type(v, json_type_array)) {
		rc = 0;
		for (size_t i = 0; rc == 0 && i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);
			rc = json_object_is_type(e, json_type_string)
				     ? chat_params_set(p, key, json_object_get_string(e), &err)
				     : -1;
		}
	} else if (!strcmp(key, "logit_bias") && json_object_is_type(v, json_type_object)) {
		rc = 0;
		json_object_object_foreach(v, tok, bias)
		{
			char *kv = xasprintf("%s=%s", tok, json_object_get_string(bias));
			if (rc == 0)
				rc = chat_params_set(p, key, kv, &err);
			free(kv);
		}
	} else if (strcmp(key, "system") && strcmp(key, "stream") && chat_params_known(key) &&
		   (json_object_is_type(v, json_type_string) || json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double) ||
		    json_object_is_type(v, json_type_boolean))) {
		rc = chat_params_set(p, key, json_object_get_string(v), &err);
	}
	free(err);
	if (rc != 0)
		chat_params_unset(p, key);
	return rc;
}

/* Set the fields of p from params that p does not set itself. */
size_t session_params_restore(struct chat_params *p, json_object *params, bool model_chosen)
{
	if (!params || !json_object_is_type(params, json_type_object))
		return 0;
	json_object *own = session_params_json(p);
	size_t n = 0;
	json_object_object_foreach(params, key, v)
	{
		if (!strcmp(key, "model") ? model_chosen : json_object_object_get_ex(own, key, NULL))
			continue;
		if (!strcmp(key, "model") && !json_object_is_type(v, json_type_string))
			continue;
		if (!strcmp(key, "model")) {
			/* Keep the one set in case the session's is refused. */
			char *was = p->model;
			p->model = NULL;
			char *err = NULL;
			if (chat_params_set(p, key, json_object_get_string(v), &err) == 0) {
				free(was);
				n++;
			} else {
				p->model = was;
			}
			free(err);
			continue;
		}
		if (session_param_set(p, key, v) == 0)
			n++;
	}
	json_object_put(own);
	return n;
}
