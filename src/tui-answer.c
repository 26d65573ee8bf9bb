/* What the pane shows of an answer beyond its text: every choice in its
 * own tab, tool call blocks as they stream, tokens tinted by probability;
 * and the keys that move between them.  The conversation keeps the data
 * (conv.h); this file only feeds the view and reads the keys. */
#include <config.h>

#include "tui-internal.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "ui/commands.h"
#include "ui/curses/clipboard.h"
#include "ui/curses/screen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Return the sanitizer states of choice c of the answer streaming (made on
 * first use); borrowed until the answer ends. */
static struct tui_choice_san *tui_answer_san(struct tui *t, size_t c)
{
	struct tui_req *q = &t->req;
	if (c >= q->n_cs) {
		q->cs = xrealloc(q->cs, (c + 1) * sizeof *q->cs);
		for (size_t i = q->n_cs; i <= c; i++) {
			sanitize_init(&q->cs[i].text);
			sanitize_init(&q->cs[i].reasoning);
			sanitize_init(&q->cs[i].tokens);
		}
		q->n_cs = c + 1;
	}
	return &q->cs[c];
}

/* Show a piece of choice c's text or reasoning. */
void tui_answer_text(struct tui *t, size_t c, bool reasoning, const char *s, size_t len)
{
	struct tui_choice_san *cs = tui_answer_san(t, c);
	struct strbuf sb = STRBUF_INIT;
	sanitize_feed(reasoning ? &cs->reasoning : &cs->text, &sb, s, len);
	chatview_append_choice(t->view, t->req.item, c, reasoning, strbuf_str(&sb), sb.len);
	strbuf_done(&sb);
}

/* Return a tool call's arguments pretty-printed once they are one complete
 * JSON value, else as they are (still streaming, or not JSON at all),
 * sanitized; newly allocated, the caller frees it. */
char *tui_answer_pretty(const struct strbuf *args)
{
	json_tokener *tok = json_tokener_new();
	json_object *o = NULL;
	if (tok && args->len)
		o = json_tokener_parse_ex(tok, args->data, (int)args->len);
	bool whole = o && json_tokener_get_error(tok) == json_tokener_success &&
		     json_tokener_get_parse_end(tok) == args->len;
	const char *text = strbuf_str(args);
	size_t len = args->len;
	if (whole) {
		text = json_object_to_json_string_ext(
			o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			       JSON_C_TO_STRING_NOSLASHESCAPE);
		len = strlen(text);
	}
	struct strbuf sb = STRBUF_INIT;
	sanitize_string(&sb, text, len);
	json_object_put(o);
	if (tok)
		json_tokener_free(tok);
	return sb.data ? strbuf_detach(&sb) : xstrdup("");
}

/* Show tool call k of choice c as it stands. */
void tui_answer_tool(struct tui *t, size_t c, size_t k)
{
	struct tui_req *q = &t->req;
	struct conv_msg *m = conv_msg_at(t->conv, q->msg);
	/* The call's id is in the response, not in the deltas. */
	if (c < q->resp.n_choices && k < q->resp.choices[c].n_tool_calls &&
	    q->resp.choices[c].tool_calls[k].id)
		conv_answer_set_tool_id(m, (int)c, (int)k, q->resp.choices[c].tool_calls[k].id);
	const struct conv_choice *ch = conv_answer_choice(m, c);
	if (!ch || k >= ch->n_tool_calls)
		return;
	const struct conv_tool_call *tc = &ch->tool_calls[k];
	struct strbuf title = STRBUF_INIT;
	strbuf_puts(&title, "\xe2\x9a\x99 ");
	sanitize_string(&title, strbuf_str(&tc->name), tc->name.len);
	if (tc->id) {
		strbuf_puts(&title, " \xc2\xb7 ");
		sanitize_string(&title, tc->id, strlen(tc->id));
	}
	char *body = tui_answer_pretty(&tc->arguments);
	chatview_set_tool(t->view, q->item, c, k, strbuf_str(&title), body);
	free(body);
	strbuf_done(&title);
	t->dirty = true;
}

/* Mark the selected token (or the last one) of the last answer. */
static void tui_answer_mark_token(struct tui *t)
{
	if (!t->has_last)
		return;
	size_t n = chatview_n_tints(t->view, t->last_item);
	size_t k = t->lp_sel == (size_t)-1 ? n - 1 : t->lp_sel;
	chatview_select_token(t->view, t->last_item, n ? k : (size_t)-1);
}

/* Take the log probabilities that arrived into the conversation and the
 * tinted view. */
void tui_answer_logprobs(struct tui *t)
{
	struct tui_req *q = &t->req;
	struct conv_msg *m = conv_msg_at(t->conv, q->msg);
	if (!m)
		return;
	struct strbuf sb = STRBUF_INIT;
	for (size_t c = 0; c < q->resp.n_choices; c++) {
		json_object *lps = q->resp.choices[c].logprobs_content;
		if (!q->resp.choices[c].present || !lps)
			continue;
		const struct conv_choice *ch = conv_answer_choice(m, c);
		size_t from = ch ? ch->n_logprobs : 0;
		size_t n = conv_answer_add_logprobs(m, (int)c, lps, from);
		ch = conv_answer_choice(m, c);
		struct tui_choice_san *cs = tui_answer_san(t, c);
		for (size_t k = from; k < n; k++) {
			strbuf_reset(&sb);
			sanitize_feed(&cs->tokens, &sb, ch->logprobs[k].token, ch->logprobs[k].len);
			chatview_append_tint(t->view, q->item, c, strbuf_str(&sb), sb.len,
					     ch->logprobs[k].logprob);
		}
		if (n > from)
			t->dirty = true;
	}
	strbuf_done(&sb);
	if (t->lp_sel == (size_t)-1)
		tui_answer_mark_token(t);
}

/* Flush the sanitizers of the answer that ended and free them. */
void tui_answer_finish(struct tui *t)
{
	struct tui_req *q = &t->req;
	struct strbuf sb = STRBUF_INIT;
	for (size_t c = 0; c < q->n_cs; c++) {
		sanitize_finish(&q->cs[c].text, &sb);
		chatview_append_choice(t->view, q->item, c, false, strbuf_str(&sb), sb.len);
		strbuf_reset(&sb);
		sanitize_finish(&q->cs[c].reasoning, &sb);
		chatview_append_choice(t->view, q->item, c, true, strbuf_str(&sb), sb.len);
		strbuf_reset(&sb);
		sanitize_finish(&q->cs[c].tokens, &sb);
		if (sb.len)
			chatview_append_tint(t->view, q->item, c, strbuf_str(&sb), sb.len, 0);
		strbuf_reset(&sb);
	}
	strbuf_done(&sb);
	free(q->cs);
	q->cs = NULL;
	q->n_cs = 0;
}

/* Show the next (dir > 0) or previous choice of the last answer, which the
 * conversation then continues with; returns false when it has one. */
static bool tui_answer_switch(struct tui *t, int dir)
{
	if (!t->has_last)
		return false;
	size_t n = chatview_n_choices(t->view, t->last_item);
	if (n < 2)
		return false;
	size_t k = (chatview_shown_choice(t->view, t->last_item) + n + (size_t)(long)dir) % n;
	struct conv_msg *m = conv_msg_at(t->conv, t->last_msg);
	if (!m || conv_answer_choose(m, k) != 0)
		return false;
	chatview_show_choice(t->view, t->last_item, k);
	tui_session_choose(t, t->last_msg, k);
	t->lp_sel = (size_t)-1;
	tui_answer_mark_token(t);
	tui_status(t, false, _("choice %zu of %zu: the conversation goes on with this one"), k + 1,
		   n);
	return true;
}

/* Move the token selection of the last answer by dir; returns false when
 * there are no tokens to select. */
static bool tui_answer_select(struct tui *t, int dir)
{
	if (!t->has_last || !chatview_tinted(t->view))
		return false;
	size_t n = chatview_n_tints(t->view, t->last_item);
	if (n == 0)
		return false;
	size_t k = t->lp_sel == (size_t)-1 ? n - 1 : t->lp_sel;
	if (dir < 0)
		k = k > 0 ? k - 1 : 0;
	else
		k = k + 1 < n ? k + 1 : n - 1;
	/* Back at the last token: follow the stream again. */
	t->lp_sel = k + 1 == n ? (size_t)-1 : k;
	tui_answer_mark_token(t);
	tui_status(t, false, NULL);
	return true;
}

/* Keys for the last answer. */
bool tui_answer_key(struct tui *t, const struct ui_event *ev)
{
	if (ev->kind != UI_EV_KEY)
		return false;
	bool alt = (ev->mods & UI_MOD_ALT) && !(ev->mods & UI_MOD_CTRL);
	bool empty = input_is_empty(&t->input);
	bool used = false;
	switch (ev->key) {
	case UI_KEY_LEFT:
	case UI_KEY_RIGHT:
		used = alt && tui_answer_switch(t, ev->key == UI_KEY_LEFT ? -1 : 1);
		break;
	case UI_KEY_TAB:
	case UI_KEY_BACKTAB:
		used = empty && tui_answer_switch(t, ev->key == UI_KEY_BACKTAB ? -1 : 1);
		break;
	case UI_KEY_UP:
	case UI_KEY_DOWN:
		used = alt && tui_answer_select(t, ev->key == UI_KEY_UP ? -1 : 1);
		break;
	case UI_KEY_F2: {
		bool on = !chatview_tinted(t->view);
		chatview_set_tinted(t->view, on);
		tui_answer_mark_token(t);
		if (on && !(t->has_last && chatview_n_tints(t->view, t->last_item)))
			tui_status(t, false, "%s",
				   _("tints on: answers asked with --logprobs (or /set logprobs "
				     "true) show them"));
		else if (on)
			tui_status(t, false, NULL); /* the token's alternatives show */
		else
			tui_status(t, false, "%s", _("tints off (F2)"));
		used = true;
		break;
	}
	default:
		break;
	}
	if (used)
		t->dirty = true;
	return used;
}

/* Return the status text for an upload under way, or NULL. */
char *tui_upload_status(struct tui *t)
{
	const struct tui_req *q = &t->req;
	if (!q->active || q->t_first != 0 || q->body_len <= 256u * 1024 || q->up_total <= 0 ||
	    q->up_sent >= q->up_total)
		return NULL;
	char *a = tui_bytes((size_t)q->up_sent), *b = tui_bytes((size_t)q->up_total);
	char *s = xasprintf(_("uploading %d%% (%s of %s)"), (int)(q->up_sent * 100 / q->up_total),
			    a, b);
	free(a);
	free(b);
	return s;
}

/* Append a token to sb for the status bar: sanitized, quoted, on one line. */
static void tui_answer_put_token(struct strbuf *sb, const char *s, size_t len)
{
	struct strbuf tmp = STRBUF_INIT;
	sanitize_string(&tmp, s, len);
	strbuf_putc(sb, '"');
	for (size_t i = 0; i < tmp.len; i++) {
		if (tmp.data[i] == '\n')
			strbuf_puts(sb, "\\n");
		else if (tmp.data[i] == '\t')
			strbuf_puts(sb, "\\t");
		else
			strbuf_putc(sb, tmp.data[i]);
	}
	strbuf_putc(sb, '"');
	strbuf_done(&tmp);
}

/* Return the selected token's alternatives for the status bar, or NULL. */
char *tui_logprob_status(struct tui *t)
{
	if (!t->has_last || !chatview_tinted(t->view))
		return NULL;
	struct conv_msg *m = conv_msg_at(t->conv, t->last_msg);
	const struct conv_choice *ch = m ? conv_answer_choice(m, m->chosen) : NULL;
	if (!ch || ch->n_logprobs == 0)
		return NULL;
	size_t k = t->lp_sel == (size_t)-1 || t->lp_sel >= ch->n_logprobs ? ch->n_logprobs - 1
									  : t->lp_sel;
	const struct conv_logprob *lp = &ch->logprobs[k];
	struct strbuf sb = STRBUF_INIT;
	strbuf_printf(&sb, _("token %zu/%zu "), k + 1, ch->n_logprobs);
	tui_answer_put_token(&sb, lp->token, lp->len);
	strbuf_printf(&sb, " %.1f%%", 100 * exp(lp->logprob));
	for (size_t i = 0; i < lp->n_top; i++) {
		if (lp->top[i].len == lp->len && memcmp(lp->top[i].token, lp->token, lp->len) == 0)
			continue;
		strbuf_puts(&sb, " \xc2\xb7 ");
		tui_answer_put_token(&sb, lp->top[i].token, lp->top[i].len);
		strbuf_printf(&sb, " %.1f%%", 100 * exp(lp->top[i].logprob));
	}
	return strbuf_detach(&sb);
}

/* Return the last answer of the current branch that has content or tool
 * calls in its chosen choice, or NULL; *index gets its index. */
static struct conv_msg *tui_answer_last(struct tui *t, size_t *index)
{
	size_t n = 0, head = conv_find(t->conv, t->conv->head);
	size_t *path = head == (size_t)-1 ? NULL : conv_path(t->conv, head, &n);
	for (size_t k = n; k-- > 0;) {
		size_t i = path[k];
		struct conv_msg *m = conv_msg_at(t->conv, i);
		const struct conv_choice *ch =
			m->role == CONV_ASSISTANT ? conv_answer_choice(m, m->chosen) : NULL;
		if (ch && (ch->content.len || ch->n_tool_calls)) {
			*index = i;
			free(path);
			return m;
		}
	}
	free(path);
	return NULL;
}

/* /copy [N]: the last answer, or its code block N, to the clipboard. */
void tui_cmd_copy(struct tui *t, const char *arg)
{
	size_t mi;
	struct conv_msg *m = tui_answer_last(t, &mi);
	const struct conv_choice *ch = m ? conv_answer_choice(m, m->chosen) : NULL;
	if (!ch || !ch->content.len) {
		tui_error(t, _("/copy: there is no answer to copy yet"));
		return;
	}
	const char *data = ch->content.data;
	size_t start = 0, len = ch->content.len;
	if (arg) {
		char *end = NULL;
		long n = strtol(arg, &end, 10);
		if (*end || n < 1 || n > 1000000 ||
		    cmd_code_block(data, ch->content.len, (int)n, &start, &len) != 0) {
			int k = 0;
			size_t s0, l0;
			while (cmd_code_block(data, ch->content.len, k + 1, &s0, &l0) == 0)
				k++;
			char *msg = k ? xasprintf(_("/copy N: N is a code block of the last answer, "
						    "from 1 to %d"),
						  k)
				      : xstrdup(_("/copy N: the last answer has no code block"));
			tui_error(t, msg);
			free(msg);
			return;
		}
	}
	if (clipboard_copy(screen_fd(), data + start, len) != 0) {
		tui_error(t, _("/copy: could not write to the terminal"));
		return;
	}
	tui_log(t, "copied %zu bytes", len);
	tui_status(t, false, P_("copied %zu byte", "copied %zu bytes", len), len);
}

/* /edit: the last question back into the input. */
void tui_cmd_edit(struct tui *t)
{
	size_t u = tui_session_last_user(t);
	if (u == (size_t)-1) {
		tui_error(t, _("/edit: there is no question to edit yet"));
		return;
	}
	const struct conv_msg *m = conv_msg_at(t->conv, u);
	char *text = conv_msg_text(m);
	input_set_text(&t->input, text);
	free(text);
	/* Sent, it becomes a new branch beside the old question. */
	t->editing = true;
	t->edit_parent = m->parent;
	if (conv_msg_n_images(m))
		tui_status(t, false, "%s",
			   _("the last question is back (Enter sends it in its place, as a new "
			     "branch; its images are not attached again)"));
	else
		tui_status(t, false, "%s",
			   _("the last question is back (Enter sends it in its place, as a new "
			     "branch)"));
}

/* Return whether a tool message after message i answers call_id. */
static bool tui_tool_answered(struct tui *t, size_t i, const char *call_id)
{
	for (size_t k = i + 1; k < t->conv->n_msgs; k++) {
		const struct conv_msg *m = conv_msg_at(t->conv, k);
		if (m->role == CONV_TOOL && m->tool_call_id && call_id &&
		    strcmp(m->tool_call_id, call_id) == 0)
			return true;
	}
	return false;
}

/* /tool ID TEXT: answer a tool call of the last answer; once every call is
 * answered, ask for the next answer. */
void tui_cmd_tool(struct tui *t, const char *arg)
{
	const char *sp = arg ? strchr(arg, ' ') : NULL;
	if (!sp) {
		tui_error(t, _("/tool ID TEXT: answer the tool call ID with TEXT"));
		return;
	}
	if (t->req.active) {
		tui_error(t, _("an answer is still streaming (Esc cancels it)"));
		return;
	}
	char *id = xstrndup(arg, (size_t)(sp - arg));
	while (*sp == ' ')
		sp++;
	size_t mi;
	struct conv_msg *m = tui_answer_last(t, &mi);
	const struct conv_choice *ch = m ? conv_answer_choice(m, m->chosen) : NULL;
	const struct conv_tool_call *tc = NULL;
	for (size_t k = 0; ch && k < ch->n_tool_calls && !tc; k++)
		if (ch->tool_calls[k].id && strcmp(ch->tool_calls[k].id, id) == 0)
			tc = &ch->tool_calls[k];
	char *end = NULL;
	long n = strtol(id, &end, 10);
	if (!tc && ch && !*end && n >= 1 && (size_t)n <= ch->n_tool_calls)
		tc = &ch->tool_calls[n - 1]; /* a call without an id: by its number */
	if (!tc || !tc->name.len) {
		char *msg = xasprintf(_("/tool: the last answer has no tool call %s"), id);
		tui_error(t, msg);
		free(msg);
		free(id);
		return;
	}
	const char *call_id = tc->id ? tc->id : id;
	long long now = (long long)time(NULL);
	size_t ti = conv_add_tool(t->conv, now, call_id, sp);
	tui_session_save_msg(t, ti);
	/* conv_add_tool may move the messages: look the answer up again. */
	ch = conv_answer_choice(conv_msg_at(t->conv, mi), conv_msg_at(t->conv, mi)->chosen);
	char *who = xasprintf(_("tool %s"), call_id);
	char *label = tui_label(who, (time_t)now);
	struct strbuf shown = STRBUF_INIT;
	sanitize_string(&shown, sp, strlen(sp));
	chatview_add(t->view, CV_ITEM_USER, label, strbuf_str(&shown), shown.len);
	strbuf_done(&shown);
	free(label);
	free(who);
	size_t left = 0;
	for (size_t k = 0; k < ch->n_tool_calls; k++)
		if (ch->tool_calls[k].name.len && ch->tool_calls[k].id &&
		    !tui_tool_answered(t, mi, ch->tool_calls[k].id))
			left++;
	if (left) {
		tui_status(t, false, P_("%zu more tool call to answer (/tool ID TEXT)",
					     "%zu more tool calls to answer (/tool ID TEXT)", left),
			   left);
	} else {
		tui_session_settings(t);
		tui_request(t, ti, NULL);
	}
	free(id);
	t->dirty = true;
}
