#include <config.h>

#include "core/conv.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>


/* Bumped whenever any answer's usage changes; invalidates the token
 * sums that conv_tokens_used() caches. */
static unsigned long conv_usage_gen;
/* Initialise an empty conversation. */
void conv_init(struct conv *c)
{
	memset(c, 0, sizeof *c);
}

/* Free what one part owns. */
static void conv_part_done(struct conv_part *p)
{
	free(p->text);
	free(p->url);
	free(p->name);
	free(p->mime);
}

/* Free what one choice owns. */
static void conv_choice_done(struct conv_choice *ch)
{
	strbuf_done(&ch->content);
	strbuf_done(&ch->reasoning);
	for (size_t i = 0; i < ch->n_tool_calls; i++) {
		free(ch->tool_calls[i].id);
		strbuf_done(&ch->tool_calls[i].name);
		strbuf_done(&ch->tool_calls[i].arguments);
	}
	free(ch->tool_calls);
	free(ch->finish_reason);
	for (size_t i = 0; i < ch->n_logprobs; i++) {
		free(ch->logprobs[i].token);
		for (size_t k = 0; k < ch->logprobs[i].n_top; k++)
			free(ch->logprobs[i].top[k].token);
		free(ch->logprobs[i].top);
	}
	free(ch->logprobs);
}

/* Free what one message owns. */
static void conv_msg_done(struct conv_msg *m)
{
	for (size_t i = 0; i < m->n_parts; i++)
		conv_part_done(&m->parts[i]);
	free(m->parts);
	free(m->tool_call_id);
	for (size_t i = 0; i < m->n_choices; i++)
		conv_choice_done(&m->choices[i]);
	free(m->choices);
	free(m->error);
	free(m->model);
	free(m->resp_model);
	free(m->fingerprint);
}

/* Free everything c owns. */
void conv_done(struct conv *c)
{
	for (size_t i = 0; i < c->n_msgs; i++)
		conv_msg_done(&c->msgs[i]);
	free(c->msgs);
	conv_init(c);
}

/* Append an empty message of role at time t; returns its index. */
static size_t conv_push(struct conv *c, enum conv_role role, long long t)
{
	if (c->n_msgs == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->msgs = xrealloc(c->msgs, c->cap * sizeof *c->msgs);
	}
	struct conv_msg *m = &c->msgs[c->n_msgs];
	memset(m, 0, sizeof *m);
	m->role = role;
	m->time = t;
	m->id = ++c->last_id;
	m->parent = c->head;
	c->head = m->id;
	return c->n_msgs++;
}

/* Append a user message; returns its index. */
size_t conv_add_user(struct conv *c, long long t)
{
	return conv_push(c, CONV_USER, t);
}

/* Append a tool result; returns its index. */
size_t conv_add_tool(struct conv *c, long long t, const char *call_id, const char *text)
{
	size_t i = conv_push(c, CONV_TOOL, t);
	c->msgs[i].tool_call_id = xstrdup(call_id);
	conv_msg_add_text(&c->msgs[i], text, strlen(text));
	return i;
}

/* Append a streaming answer; returns its index. */
size_t conv_add_answer(struct conv *c, long long t, const char *model)
{
	size_t i = conv_push(c, CONV_ASSISTANT, t);
	c->msgs[i].state = CONV_STREAMING;
	c->msgs[i].model = xstrdup(model);
	return i;
}

/* Return message i, borrowed, or NULL. */
struct conv_msg *conv_msg_at(struct conv *c, size_t i)
{
	return i < c->n_msgs ? &c->msgs[i] : NULL;
}

/* Append a zeroed part to m and return it (borrowed). */
static struct conv_part *conv_msg_push_part(struct conv_msg *m)
{
	m->parts = xrealloc(m->parts, (m->n_parts + 1) * sizeof *m->parts);
	struct conv_part *p = &m->parts[m->n_parts++];
	memset(p, 0, sizeof *p);
	return p;
}

/* Add a text part. */
void conv_msg_add_text(struct conv_msg *m, const char *text, size_t len)
{
	struct conv_part *p = conv_msg_push_part(m);
	p->kind = CHAT_PART_TEXT;
	p->text = xstrndup(text, len);
}

/* Add an image part. */
void conv_msg_add_image(struct conv_msg *m, const char *url, const char *name, const char *mime,
			unsigned width, unsigned height, size_t bytes)
{
	struct conv_part *p = conv_msg_push_part(m);
	p->kind = CHAT_PART_IMAGE;
	p->url = xstrdup(url);
	p->name = xstrdup(name ? name : url);
	p->mime = xstrdup(mime);
	p->width = width;
	p->height = height;
	p->bytes = bytes;
}

/* Count image parts. */
size_t conv_msg_n_images(const struct conv_msg *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n_parts; i++)
		n += m->parts[i].kind == CHAT_PART_IMAGE;
	return n;
}

/* Join the text parts; newly allocated. */
char *conv_msg_text(const struct conv_msg *m)
{
	struct strbuf sb = STRBUF_INIT;
	bool first = true;
	for (size_t i = 0; i < m->n_parts; i++) {
		if (m->parts[i].kind != CHAT_PART_TEXT)
			continue;
		if (!first)
			strbuf_putc(&sb, '\n');
		strbuf_puts(&sb, m->parts[i].text);
		first = false;
	}
	if (!sb.data)
		return xstrdup("");
	return strbuf_detach(&sb);
}

/* Return choice i of m, growing the array as needed; NULL if i is too big. */
static struct conv_choice *conv_answer_grow(struct conv_msg *m, int i)
{
	if (i < 0 || i >= CHUNK_DEFAULT_MAX_CHOICES)
		return NULL;
	if ((size_t)i >= m->n_choices) {
		m->choices = xrealloc(m->choices, ((size_t)i + 1) * sizeof *m->choices);
		memset(&m->choices[m->n_choices], 0,
		       ((size_t)i + 1 - m->n_choices) * sizeof *m->choices);
		m->n_choices = (size_t)i + 1;
	}
	return &m->choices[i];
}

/* Return tool call i of ch, growing the array; NULL if i is too big. */
static struct conv_tool_call *conv_choice_tool(struct conv_choice *ch, int i)
{
	if (i < 0 || i >= CHUNK_MAX_TOOL_CALLS)
		return NULL;
	if ((size_t)i >= ch->n_tool_calls) {
		ch->tool_calls = xrealloc(ch->tool_calls, ((size_t)i + 1) * sizeof *ch->tool_calls);
		memset(&ch->tool_calls[ch->n_tool_calls], 0,
		       ((size_t)i + 1 - ch->n_tool_calls) * sizeof *ch->tool_calls);
		ch->n_tool_calls = (size_t)i + 1;
	}
	return &ch->tool_calls[i];
}

/* Apply one delta; 0 or -1. */
int conv_answer_apply(struct conv_msg *m, const struct chunk_delta *d)
{
	struct conv_choice *ch = conv_answer_grow(m, d->choice);
	if (!ch)
		return -1;
	switch (d->kind) {
	case CHUNK_DELTA_ROLE:
		break;
	case CHUNK_DELTA_CONTENT:
		strbuf_append(&ch->content, d->text, d->len);
		break;
	case CHUNK_DELTA_REASONING:
		strbuf_append(&ch->reasoning, d->text, d->len);
		break;
	case CHUNK_DELTA_TOOL_NAME:
	case CHUNK_DELTA_TOOL_CALL: {
		struct conv_tool_call *tc = conv_choice_tool(ch, d->tool_index);
		if (!tc)
			return -1;
		strbuf_append(d->kind == CHUNK_DELTA_TOOL_NAME ? &tc->name : &tc->arguments, d->text,
			      d->len);
		break;
	}
	case CHUNK_DELTA_FINISH:
		free(ch->finish_reason);
		ch->finish_reason = xstrndup(d->text, d->len);
		break;
	}
	return 0;
}

/* Set a tool call's id unless it has one. */
int conv_answer_set_tool_id(struct conv_msg *m, int choice, int index, const char *id)
{
	struct conv_choice *ch = conv_answer_grow(m, choice);
	struct conv_tool_call *tc = ch ? conv_choice_tool(ch, index) : NULL;
	if (!tc)
		return -1;
	if (!tc->id && id)
		tc->id = xstrdup(id);
	return 0;
}

/* Copy the "token" string of logprob entry o into *token and *len (an empty
 * string when missing), and its "logprob" into *lp (0 when missing). */
static void conv_logprob_read(json_object *o, char **token, size_t *len, double *lp)
{
	json_object *v;
	*lp = 0;
	if (json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, "token", &v) &&
	    json_object_is_type(v, json_type_string)) {
		*len = (size_t)json_object_get_string_len(v);
		/* Not xstrndup: a token may hold NULs, keep every byte. */
		*token = xmalloc(*len + 1);
		memcpy(*token, json_object_get_string(v), *len);
		(*token)[*len] = '\0';
	} else {
		*len = 0;
		*token = xstrdup("");
	}
	if (json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "logprob", &v) &&
	    (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		*lp = json_object_get_double(v);
}

/* Append logprob entries [from, end) of content to a choice. */
size_t conv_answer_add_logprobs(struct conv_msg *m, int choice, json_object *content,
				size_t from)
{
	struct conv_choice *ch = conv_answer_grow(m, choice);
	if (!ch)
		return 0;
	if (!content || !json_object_is_type(content, json_type_array))
		return ch->n_logprobs;
	size_t n = json_object_array_length(content);
	if (from >= n)
		return ch->n_logprobs;
	ch->logprobs = xrealloc(ch->logprobs, (ch->n_logprobs + n - from) * sizeof *ch->logprobs);
	for (size_t i = from; i < n; i++) {
		json_object *o = json_object_array_get_idx(content, i), *top = NULL;
		struct conv_logprob *lp = &ch->logprobs[ch->n_logprobs++];
		memset(lp, 0, sizeof *lp);
		conv_logprob_read(o, &lp->token, &lp->len, &lp->logprob);
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, "top_logprobs", &top) ||
		    !json_object_is_type(top, json_type_array))
			continue;
		size_t nt = json_object_array_length(top);
		if (nt > 20)
			nt = 20; /* the API's maximum */
		lp->top = xcalloc(nt + 1, sizeof *lp->top);
		for (size_t k = 0; k < nt; k++) {
			struct conv_logprob_alt *a = &lp->top[lp->n_top++];
			conv_logprob_read(json_object_array_get_idx(top, k), &a->token, &a->len,
					  &a->logprob);
		}
	}
	return ch->n_logprobs;
}

/* Make choice i the chosen one. */
int conv_answer_choose(struct conv_msg *m, size_t i)
{
	if (i >= m->n_choices)
		return -1;
	m->chosen = i;
	return 0;
}

/* Return choice i, or NULL. */
const struct conv_choice *conv_answer_choice(const struct conv_msg *m, size_t i)
{
	return i < m->n_choices ? &m->choices[i] : NULL;
}

/* End the answer. */
void conv_answer_finish(struct conv_msg *m, enum conv_state state, const char *error)
{
	m->state = state;
	free(m->error);
	m->error = xstrdup(error);
}

/* Drop every choice of m. */
void conv_answer_reset(struct conv_msg *m)
{
	for (size_t i = 0; i < m->n_choices; i++)
		conv_choice_done(&m->choices[i]);
	free(m->choices);
	m->choices = NULL;
	m->n_choices = 0;
	m->chosen = 0;
	m->state = CONV_STREAMING;
}

/* Record usage. */
void conv_answer_set_usage(struct conv_msg *m, long prompt, long completion, long total)
{
	conv_usage_gen++;
	m->usage.present = true;
	m->usage.prompt_tokens = prompt;
	m->usage.completion_tokens = completion;
	m->usage.total_tokens = total;
}

/* Return whether m's chosen choice has something worth sending back. */
bool conv_answer_usable(const struct conv_msg *m)
{
	if (m->role != CONV_ASSISTANT || (m->state != CONV_DONE && m->state != CONV_INTERRUPTED))
		return false;
	const struct conv_choice *ch = conv_answer_choice(m, m->chosen);
	if (!ch)
		return false;
	if (ch->content.len)
		return true;
	for (size_t i = 0; i < ch->n_tool_calls; i++)
		if (ch->tool_calls[i].name.len)
			return true;
	return false;
}

/* Return the index of the message with id, or (size_t)-1. */
size_t conv_find(const struct conv *c, unsigned long long id)
{
	/* Newest first: lookups are mostly for recent messages. */
	for (size_t i = c->n_msgs; id && i-- > 0;)
		if (c->msgs[i].id == id)
			return i;
	return (size_t)-1;
}

/* Make new messages follow the message with id. */
void conv_set_head(struct conv *c, unsigned long long id)
{
	c->head = id;
}

/* Set message i's id and parent as read from a file. */
void conv_msg_set_id(struct conv *c, size_t i, unsigned long long id, unsigned long long parent)
{
	if (i >= c->n_msgs)
		return;
	c->msgs[i].id = id;
	c->msgs[i].parent = parent;
	c->head = id;
	if (id > c->last_id)
		c->last_id = id;
}

/* Return the indexes from the start of message i's branch to i; newly
 * allocated. */
size_t *conv_path(const struct conv *c, size_t i, size_t *n)
{
	*n = 0;
	if (i >= c->n_msgs)
		return xcalloc(1, sizeof(size_t));
	size_t cap = 16, len = 0;
	size_t *rev = xmalloc(cap * sizeof *rev);
	/* At most n_msgs steps, so a parent loop in a damaged file ends. */
	for (size_t k = i; k != (size_t)-1 && len < c->n_msgs;) {
		if (len == cap)
			rev = xrealloc(rev, (cap *= 2) * sizeof *rev);
		rev[len++] = k;
		/* Parents come before their children, mostly right before:
		 * look back from k, so a long branch is walked in linear time. */
		unsigned long long parent = c->msgs[k].parent;
		size_t p = (size_t)-1;
		for (size_t j = k; parent && j-- > 0;)
			if (c->msgs[j].id == parent) {
				p = j;
				break;
			}
		if (p == (size_t)-1 && parent) {
			/* A damaged file may name a later message: accept it, the
			 * step count above still ends a loop. */
			p = conv_find(c, parent);
			if (p == k)
				p = (size_t)-1;
		}
		k = p;
	}
	for (size_t a = 0, b = len - 1; a < b; a++, b--) {
		size_t t = rev[a];
		rev[a] = rev[b];
		rev[b] = t;
	}
	*n = len;
	return rev;
}

/* Return the last user message's index, or (size_t)-1. */
size_t conv_last_user(const struct conv *c)
{
	for (size_t i = c->n_msgs; i-- > 0;)
		if (c->msgs[i].role == CONV_USER)
			return i;
	return (size_t)-1;
}

/* Sum the reported usage. */
long conv_tokens_used(const struct conv *c)
{
	/* Cached: the status bar asks every frame, and a resumed session can
	 * hold tens of thousands of messages.  The sum is recomputed only when
	 * messages or usages were added since (see conv_answer_set_usage). */
	struct conv *mut = (struct conv *)c;
	if (mut->tokens_n_msgs == c->n_msgs && mut->tokens_gen == conv_usage_gen)
		return mut->tokens_cached;
	long n = 0;
	for (size_t i = 0; i < c->n_msgs; i++)
		if (c->msgs[i].role == CONV_ASSISTANT && c->msgs[i].usage.present)
			n += c->msgs[i].usage.total_tokens;
	mut->tokens_cached = n;
	mut->tokens_n_msgs = c->n_msgs;
	mut->tokens_gen = conv_usage_gen;
	return n;
}

/* Return a new JSON array of ch's complete tool calls, or NULL when none. */
static json_object *conv_choice_tool_json(const struct conv_choice *ch)
{
	json_object *arr = NULL;
	for (size_t i = 0; i < ch->n_tool_calls; i++) {
		const struct conv_tool_call *tc = &ch->tool_calls[i];
		if (!tc->name.len)
			continue;
		if (!arr)
			arr = json_object_new_array();
		json_object *o = json_object_new_object();
		json_object *fn = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(tc->id ? tc->id : ""));
		json_object_object_add(o, "type", json_object_new_string("function"));
		json_object_object_add(fn, "name",
				       json_object_new_string_len(tc->name.data, (int)tc->name.len));
		json_object_object_add(fn, "arguments",
				       json_object_new_string_len(strbuf_str(&tc->arguments),
								  (int)tc->arguments.len));
		json_object_object_add(o, "function", fn);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* Return whether message i is the answer sent back for its turn: the last
 * usable answer before the next user or tool message (up to upto). */
static bool conv_is_turn_answer(const struct conv *c, size_t i, size_t upto)
{
	if (!conv_answer_usable(&c->msgs[i]))
		return false;
	for (size_t k = i + 1; k <= upto && k < c->n_msgs; k++) {
		if (c->msgs[k].role != CONV_ASSISTANT)
			return true;
		if (conv_answer_usable(&c->msgs[k]))
			return false;
	}
	return true;
}

/* Fill r with the messages of a request answering message upto. */
void conv_request_build(const struct conv *c, size_t upto, struct conv_request *r)
{
	memset(r, 0, sizeof *r);
	if (upto >= c->n_msgs)
		upto = c->n_msgs ? c->n_msgs - 1 : 0;
	size_t n_parts = 0;
	for (size_t i = 0; i < c->n_msgs && i <= upto; i++)
		n_parts += c->msgs[i].n_parts + 1;
	r->msgs = xcalloc(c->n_msgs + 1, sizeof *r->msgs);
	r->parts = xcalloc(n_parts + 1, sizeof *r->parts);
	r->tool_calls = xcalloc(c->n_msgs + 1, sizeof *r->tool_calls);
	size_t pi = 0;
	for (size_t i = 0; i < c->n_msgs && i <= upto; i++) {
		const struct conv_msg *m = &c->msgs[i];
		struct chat_msg *out = &r->msgs[r->n_msgs];
		if (m->role == CONV_USER || m->role == CONV_TOOL) {
			out->role = m->role == CONV_USER ? "user" : "tool";
			out->tool_call_id = m->tool_call_id;
			out->parts = &r->parts[pi];
			for (size_t k = 0; k < m->n_parts; k++) {
				const struct conv_part *p = &m->parts[k];
				if (p->kind == CHAT_PART_IMAGE && p->forgotten)
					continue; /* /forget: no longer sent */
				r->parts[pi++] = (struct chat_part){p->kind, p->text, p->url};
				out->n_parts++;
			}
			if (out->n_parts == 0) {
				/* An empty turn still needs content. */
				r->parts[pi++] = (struct chat_part){CHAT_PART_TEXT, "", NULL};
				out->n_parts = 1;
			}
			r->n_msgs++;
		} else if (conv_is_turn_answer(c, i, upto)) {
			const struct conv_choice *ch = conv_answer_choice(m, m->chosen);
			out->role = "assistant";
			out->tool_calls = conv_choice_tool_json(ch);
			if (out->tool_calls)
				r->tool_calls[r->n_tool_calls++] = out->tool_calls;
			out->parts = &r->parts[pi];
			r->parts[pi++] = (struct chat_part){CHAT_PART_TEXT, strbuf_str(&ch->content), NULL};
			out->n_parts = 1;
			r->n_msgs++;
		}
	}
}

/* Fill r for the branch ending at message upto. */
void conv_request_build_path(const struct conv *c, size_t upto, struct conv_request *r)
{
	size_t n = 0;
	size_t *path = conv_path(c, upto, &n);
	/* A shallow view of the branch: r borrows the strings, which c owns,
	 * so the view itself can go as soon as r is built. */
	struct conv view;
	conv_init(&view);
	view.msgs = xcalloc(n + 1, sizeof *view.msgs);
	for (size_t k = 0; k < n; k++)
		view.msgs[k] = c->msgs[path[k]];
	view.n_msgs = n;
	conv_request_build(&view, n ? n - 1 : 0, r);
	free(view.msgs);
	free(path);
}

/* Free what r owns. */
void conv_request_done(struct conv_request *r)
{
	for (size_t i = 0; i < r->n_tool_calls; i++)
		json_object_put(r->tool_calls[i]);
	free(r->tool_calls);
	free(r->parts);
	free(r->msgs);
	memset(r, 0, sizeof *r);
}
