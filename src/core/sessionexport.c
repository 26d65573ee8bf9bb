/* A loaded session -> the API's messages array for its current branch,
 * Markdown with the images beside it, or every record as JSON (squint
 * --export). */
#include <config.h>

#include "core/session.h"
#include "core/request.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Return the messages array for the current branch. */
json_object *session_export_messages(const struct session *s)
{
	struct conv_request r;
	memset(&r, 0, sizeof r);
	size_t li = conv_find(&s->conv, s->leaf);
	if (li != (size_t)-1)
		conv_request_build_path(&s->conv, li, &r);
	struct chat_params p;
	chat_params_init(&p);
	/* Borrowed for the call only: p is never chat_params_done()'d. */
	p.system = (char *)session_system(s, s->leaf);
	json_object *params = session_params(s, s->leaf), *v;
	if (params && json_object_object_get_ex(params, "detail", &v) &&
	    json_object_is_type(v, json_type_string))
		p.detail = (char *)json_object_get_string(v);
	json_object *arr = request_messages_json(&p, r.msgs, r.n_msgs);
	conv_request_done(&r);
	return arr;
}

/* Return the file name extension for the data: URI url's type. */
static const char *session_image_ext(const char *url)
{
	static const char *const types[][2] = {
		{"data:image/png;", "png"},   {"data:image/jpeg;", "jpg"}, {"data:image/webp;", "webp"},
		{"data:image/gif;", "gif"},   {"data:image/bmp;", "bmp"},
	};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strncmp(url, types[i][0], strlen(types[i][0])) == 0)
			return types[i][1];
	return "bin";
}

/* Return the current branch as Markdown; newly allocated. */
char *session_export_markdown(const struct session *s, const char *image_dir,
			      const struct conv_part ***images, size_t *n_images)
{
	if (images) {
		*images = NULL;
		*n_images = 0;
	}
	struct strbuf md = STRBUF_INIT;
	char date[32] = "";
	time_t t = (time_t)s->created;
	struct tm tm;
	if (s->created > 0 && gmtime_r(&t, &tm))
		strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm);
	strbuf_printf(&md, _("# squint session\n\n_Created %s._\n"), *date ? date : "-");
	const char *sys = session_system(s, s->leaf);
	if (sys)
		strbuf_printf(&md, _("\n**System prompt:** %s\n"), sys);
	size_t li = conv_find(&s->conv, s->leaf), n = 0;
	size_t *path = li == (size_t)-1 ? NULL : conv_path(&s->conv, li, &n);
	for (size_t k = 0; k < n; k++) {
		const struct conv_msg *m = &s->conv.msgs[path[k]];
		if (m->role == CONV_USER || m->role == CONV_TOOL) {
			strbuf_puts(&md, m->role == CONV_USER ? _("\n## You\n\n") : _("\n## Tool result\n\n"));
			for (size_t i = 0; i < m->n_parts; i++) {
				const struct conv_part *p = &m->parts[i];
				if (p->kind == CHAT_PART_TEXT) {
					strbuf_printf(&md, "%s\n", p->text);
					continue;
				}
				if (image_dir && images && strncmp(p->url, "data:", 5) == 0) {
					/* One file per distinct image: the same screenshot
					 * in ten turns is one file. */
					size_t num = 0;
					for (size_t j = 0; j < *n_images && !num; j++)
						if (strcmp((*images)[j]->url, p->url) == 0)
							num = j + 1;
					if (!num) {
						*images = xrealloc(*images, (*n_images + 1) * sizeof **images);
						(*images)[(*n_images)++] = p;
						num = *n_images;
					}
					/* Link text without brackets, link without spaces. */
					struct strbuf alt = STRBUF_INIT;
					for (const char *c = p->name ? p->name : "image"; *c; c++)
						strbuf_putc(&alt, *c == '[' || *c == ']' || *c == '\n' ? ' ' : *c);
					strbuf_printf(&md, "\n![%s](%s/%zu.%s)%s\n", strbuf_str(&alt), image_dir,
						      num, session_image_ext(p->url),
						      p->forgotten ? _(" *(forgotten: no longer sent)*") : "");
					strbuf_done(&alt);
					continue;
				}
				char sha[65];
				session_sha256_hex(p->url, strlen(p->url), sha);
				strbuf_printf(&md, _("\n*[image: %s, %ux%u, sha256 %.12s]*\n"),
					      p->name ? p->name : "", p->sent_width ? p->sent_width : p->width,
					      p->sent_height ? p->sent_height : p->height, sha);
			}
			continue;
		}
		const struct conv_choice *ch = conv_answer_choice(m, m->chosen);
		strbuf_printf(&md, _("\n## Assistant (%s)\n\n"),
			      m->resp_model ? m->resp_model : m->model ? m->model : "-");
		if (ch) {
			strbuf_printf(&md, "%s\n", strbuf_str(&ch->content));
			for (size_t i = 0; i < ch->n_tool_calls; i++)
				strbuf_printf(&md, _("\n`tool call %s(%s)`\n"),
					      strbuf_str(&ch->tool_calls[i].name),
					      strbuf_str(&ch->tool_calls[i].arguments));
		}
		if (m->state != CONV_DONE)
			strbuf_printf(&md, _("\n> (interrupted%s%s)\n"), m->error ? ": " : "",
				      m->error ? m->error : "");
	}
	free(path);
	return strbuf_detach(&md);
}

/* Return the whole file as one JSON object (see session.h). */
json_object *session_export_json(const struct session *s, const char *buf, size_t len)
{
	json_object *top = json_object_new_object();
	json_object_object_add(top, "format", json_object_new_string("squint-session-export"));
	json_object_object_add(top, "version", json_object_new_int(s->version));
	json_object_object_add(top, "current", json_object_new_int64((int64_t)s->leaf));
	/* The current branch, first message to last. */
	json_object *branch = json_object_new_array();
	size_t li = conv_find(&s->conv, s->leaf), n = 0;
	size_t *path = li == (size_t)-1 ? NULL : conv_path(&s->conv, li, &n);
	for (size_t k = 0; k < n; k++)
		json_object_array_add(branch,
				      json_object_new_int64((int64_t)s->conv.msgs[path[k]].id));
	free(path);
	json_object_object_add(top, "branch", branch);
	/* The tree, flat (deep nesting breaks readers): every message with
	 * its parent and its children, in file order. */
	const struct conv *c = &s->conv;
	json_object **kids = xcalloc(c->n_msgs + 1, sizeof *kids);
	json_object *nodes = json_object_new_array();
	for (size_t i = 0; i < c->n_msgs; i++) {
		const struct conv_msg *m = &c->msgs[i];
		json_object *node = json_object_new_object();
		json_object_object_add(node, "id", json_object_new_int64((int64_t)m->id));
		json_object_object_add(node, "parent", json_object_new_int64((int64_t)m->parent));
		json_object_object_add(node, "role",
				       json_object_new_string(m->role == CONV_USER	 ? "user"
							      : m->role == CONV_TOOL ? "tool"
										: "assistant"));
		kids[i] = json_object_new_array();
		json_object_object_add(node, "children", json_object_get(kids[i]));
		json_object_array_add(nodes, node);
		size_t pi = m->parent ? conv_find(c, m->parent) : (size_t)-1;
		if (pi != (size_t)-1 && pi < i)
			json_object_array_add(kids[pi], json_object_new_int64((int64_t)m->id));
	}
	for (size_t i = 0; i < c->n_msgs; i++)
		json_object_put(kids[i]);
	free(kids);
	json_object_object_add(top, "tree", nodes);
	/* Every record as written: what this squint does not know included. */
	json_object *recs = json_object_new_array();
	json_tokener *tok = json_tokener_new();
	for (size_t pos = 0; pos < len;) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		if (!nl)
			break; /* torn: not a record */
		size_t ln = (size_t)(nl - line);
		pos += ln + 1;
		json_tokener_reset(tok);
		json_object *o = json_tokener_parse_ex(tok, line, (int)ln), *type;
		if (o && json_tokener_get_parse_end(tok) == ln &&
		    json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, "type", &type) &&
		    json_object_is_type(type, json_type_string))
			json_object_array_add(recs, o);
		else
			json_object_put(o);
	}
	json_tokener_free(tok);
	json_object_object_add(top, "records", recs);
	return top;
}
