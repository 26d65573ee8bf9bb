/* The request in flight: start it, feed the stream into the conversation
 * and the view, finish it with one clear line when something went wrong. */
#include <config.h>

#include "tui-internal.h"
#include "core/request.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Decoded delta: into the conversation, and onto the screen (each choice
 * in its tab). */
static void tui_on_delta(void *ud, const struct chunk_delta *d)
{
	struct tui *t = ud;
	if (conv_answer_apply(conv_msg_at(t->conv, t->req.msg), d) != 0)
		return;
	size_t c = (size_t)d->choice;
	switch (d->kind) {
	case CHUNK_DELTA_CONTENT:
	case CHUNK_DELTA_REASONING:
		t->req.n_tokens++;
		tui_answer_text(t, c, d->kind == CHUNK_DELTA_REASONING, d->text, d->len);
		break;
	case CHUNK_DELTA_TOOL_CALL:
		t->req.n_tokens++;
		/* fall through */
	case CHUNK_DELTA_TOOL_NAME:
		tui_answer_tool(t, c, (size_t)d->tool_index);
		break;
	default:
		break;
	}
	t->dirty = true;
}

/* One server-sent event. */
static int tui_on_event(void *ud, const struct sse_event *ev)
{
	struct tui *t = ud;
	enum chunk_result r =
		chunk_decode_event(&t->req.resp, ev->data, ev->data_len, tui_on_delta, t);
	tui_answer_logprobs(t);
	return r == CHUNK_LIMIT ? 1 : 0;
}

/* 2xx headers: a stream or one JSON body. */
static void tui_on_headers(void *ud, long status, const char *content_type)
{
	struct tui *t = ud;
	(void)status;
	t->req.raw_json = !(content_type && strstr(content_type, "text/event-stream"));
	t->req.retry_at = 0;
}

/* Body bytes. */
static int tui_on_data(void *ud, const char *buf, size_t len)
{
	struct tui *t = ud;
	if (t->req.t_first == 0)
		t->req.t_first = http_now();
	t->dirty = true;
	if (t->req.raw_json) {
		strbuf_append(&t->req.body, buf, len);
		return t->req.body.len > (size_t)t->cfg->max_answer_mb << 20;
	}
	return sse_parser_feed(t->req.sse, buf, len) != 0;
}

/* The upload advanced. */
static void tui_on_progress(void *ud, curl_off_t sent, curl_off_t total)
{
	struct tui *t = ud;
	curl_off_t was = t->req.up_total ? t->req.up_sent * 100 / t->req.up_total : -1;
	if (total > 0 && sent * 100 / total != was)
		t->dirty = true;
	t->req.up_sent = sent;
	t->req.up_total = total;
}

/* A retry is scheduled. */
static void tui_on_retry(void *ud, int attempt, long delay_ms, const char *reason)
{
	struct tui *t = ud;
	t->req.retry_at = http_now() + (double)delay_ms / 1000.0;
	free(t->req.retry_reason);
	t->req.retry_reason = xstrdup(reason);
	tui_log(t, "retry %d in %ld ms: %s", attempt + 1, delay_ms, reason);
	t->dirty = true;
}

/* Return a newly allocated message for a response that ended without an
 * error status but not completely, or NULL when it is complete. */
static char *tui_response_problem(struct tui *t, enum conv_state *state)
{
	const struct chat_response *r = &t->req.resp;
	switch (chat_response_state(r)) {
	case CHAT_RESPONSE_ERROR:
		*state = CONV_ERROR;
		return xasprintf(_("the server reported an error mid-answer: %s%s%s%s"),
				 r->error.message ? r->error.message : _("(no message)"),
				 r->error.code ? " (" : "", r->error.code ? r->error.code : "",
				 r->error.code ? ")" : "");
	case CHAT_RESPONSE_TRUNCATED:
		*state = CONV_INTERRUPTED;
		if (r->n_events == 0 && r->n_malformed == 0 && !t->req.raw_json)
			return xstrdup(_("the server sent no answer (an empty or non-SSE stream)"));
		if (r->n_events == r->n_malformed)
			return xstrdup(_("the server's answer could not be read (malformed stream)"));
		return xstrdup(_("the answer ended before it was finished (no finish_reason)"));
	case CHAT_RESPONSE_COMPLETE:
		break;
	}
	*state = CONV_DONE;
	for (size_t i = 0; i < r->n_choices; i++) {
		const char *fr = r->choices[i].finish_reason;
		if (r->choices[i].present && fr && strcmp(fr, "length") == 0) {
			*state = CONV_INTERRUPTED;
			return xstrdup(_("cut off at the token limit (finish_reason: length)"));
		}
	}
	return NULL;
}

/* The transfer ended: finish the answer, say what went wrong if anything. */
static void tui_on_done(void *ud, const struct http_result *res)
{
	struct tui *t = ud;
	struct tui_req *q = &t->req;
	q->t = NULL;
	sse_parser_finish(q->sse);
	if (q->raw_json && q->body.len && res->outcome == HTTP_OK)
		chunk_decode_completion(&q->resp, q->body.data, q->body.len, tui_on_delta, t);
	tui_answer_logprobs(t);
	struct conv_msg *m = conv_msg_at(t->conv, q->msg);
	enum conv_state state = CONV_DONE;
	char *problem = NULL;
	switch (res->outcome) {
	case HTTP_OK:
		problem = tui_response_problem(t, &state);
		break;
	case HTTP_CANCELLED:
		state = CONV_INTERRUPTED;
		problem = xstrdup(_("interrupted"));
		break;
	case HTTP_ABORTED:
		state = CONV_INTERRUPTED;
		problem = xasprintf(_("the answer went over a size limit (--max-answer-mb %d, "
				      "--max-line-mb %d); stopped"),
				    t->cfg->max_answer_mb, t->cfg->max_line_mb);
		break;
	default:
		state = res->bytes ? CONV_INTERRUPTED : CONV_ERROR;
		problem = xstrdup(res->message ? res->message : _("the request failed"));
		break;
	}
	if (q->resp.usage.present)
		conv_answer_set_usage(m, q->resp.usage.prompt_tokens, q->resp.usage.completion_tokens,
				      q->resp.usage.total_tokens);
	free(m->resp_model);
	m->resp_model = xstrdup(q->resp.model);
	free(m->fingerprint);
	m->fingerprint = xstrdup(q->resp.system_fingerprint);
	if (res->t_first_byte > 0)
		m->t_first_byte = res->t_first_byte - res->t_start;
	if (res->t_end > res->t_start)
		m->t_total = res->t_end - res->t_start;
	tui_answer_finish(t);
	chatview_set_streaming(t->view, q->item, false);
	const struct conv_choice *c0 = conv_answer_choice(m, m->chosen);
	bool nothing = !c0 || (!c0->content.len && !c0->reasoning.len && !c0->n_tool_calls);
	if (state == CONV_ERROR && nothing && q->user_text && input_is_empty(&t->input)) {
		/* Nothing came back: give the question back for another try. */
		input_set_text(&t->input, q->user_text);
	}
	conv_answer_finish(m, state, problem);
	if (problem) {
		bool err = state == CONV_ERROR || res->outcome != HTTP_CANCELLED;
		struct strbuf sb = STRBUF_INIT;
		sanitize_string(&sb, problem, strlen(problem));
		char *line = xasprintf("%s %s", err ? "\xe2\x9c\x97" : "\xe2\x96\xa0", sb.data);
		chatview_set_footer(t->view, q->item, line, err ? CV_STYLE_ERROR : CV_STYLE_NOTICE);
		free(line);
		strbuf_done(&sb);
		tui_status(t, err, "%s", problem);
	} else if (c0 && c0->n_tool_calls && c0->tool_calls[0].id) {
		tui_status(t, false, _("a tool call: answer it with /tool %s TEXT"),
			   c0->tool_calls[0].id);
	} else {
		tui_status(t, false, NULL);
	}
	tui_log(t, "done: outcome %d status %ld, %d attempt(s), %zu bytes, %.3f s%s%s",
		(int)res->outcome, res->status, res->attempts, res->bytes, res->t_end - res->t_start,
		problem ? ": " : "", problem ? problem : "");
	free(problem);
	tui_session_save_msg(t, q->msg);
	sse_parser_delete(q->sse);
	chat_response_done(&q->resp);
	strbuf_done(&q->body);
	free(q->req_body);
	free(q->retry_reason);
	free(q->user_text);
	memset(q, 0, sizeof *q);
	t->dirty = true;
}

/* Ask for an answer to message upto of the conversation; user_text (may be
 * NULL) is given back to the input if nothing comes back. */
void tui_request(struct tui *t, size_t upto, const char *user_text)
{
	struct tui_req *q = &t->req;
	struct conv_request cr;
	conv_request_build_path(t->conv, upto, &cr);
	size_t body_len = 0;
	char *body = request_build(&t->cfg->params, cr.msgs, cr.n_msgs, &body_len);
	conv_request_done(&cr);

	memset(q, 0, sizeof *q);
	const char *model = t->cfg->params.model ? t->cfg->params.model : "assistant";
	q->msg = conv_add_answer(t->conv, (long long)time(NULL), model);
	char *label = tui_label(model, time(NULL));
	q->item = chatview_add(t->view, CV_ITEM_ASSISTANT, label, "", 0);
	free(label);
	chatview_set_streaming(t->view, q->item, true);
	chatview_bottom(t->view);
	if (t->has_last)
		chatview_select_token(t->view, t->last_item, (size_t)-1);
	t->has_last = true;
	t->last_msg = q->msg;
	t->last_item = q->item;
	t->lp_sel = (size_t)-1;
	q->body_len = body_len;
	q->req_body = body;
	q->user_text = xstrdup(user_text);
	q->sse = sse_parser_new((size_t)t->cfg->max_line_mb << 20, tui_on_event, t);
	chat_response_init(&q->resp);
	chat_response_set_limits(&q->resp, (size_t)t->cfg->max_answer_mb << 20, 0);
	chat_response_set_secret(&q->resp, t->cfg->api_key);
	q->t_start = http_now();
	q->active = true;
	t->last_ckpt = q->t_start;

	struct http_request req = {
		.url = t->url,
		.post = true,
		.body = body,
		.body_len = body_len,
		.api_key = t->cfg->api_key,
		.accept = t->cfg->params.stream ? "text/event-stream" : "application/json",
		.headers = t->cfg->headers,
		.n_headers = t->cfg->n_headers,
		.connect_timeout_s = (long)ceil(t->cfg->connect_timeout),
		.idle_timeout_s = (long)ceil(t->cfg->idle_timeout),
		.cacert = t->cfg->cacert,
		.insecure = t->cfg->insecure,
		.proxy = t->cfg->proxy,
		.retries = t->cfg->retries,
	};
	const char *limit = getenv("SQUINT_TEST_UPLOAD_BPS"); /* to see the progress in tests */
	req.max_send_speed = limit ? (curl_off_t)atol(limit) : 0;
	struct http_handlers h = {tui_on_headers, tui_on_data, tui_on_retry, tui_on_done,
				  tui_on_progress};
	tui_log(t, "request: POST %s, model %s, %zu messages' body of %zu bytes", t->url, model,
		upto + 1, body_len);
	tui_status(t, false, NULL);
	char *err = NULL;
	q->t = http_client_start(t->http, &req, &h, t, &err);
	if (!q->t) {
		struct http_result res;
		memset(&res, 0, sizeof res);
		res.outcome = HTTP_NETWORK_ERROR;
		res.message = err;
		tui_on_done(t, &res);
		free(err);
	}
	t->dirty = true;
}

/* Cancel the request in flight, keeping what arrived. */
void tui_cancel(struct tui *t)
{
	if (t->req.active && t->req.t)
		http_transfer_cancel(t->req.t);
}

/* Send the input text and the attachments as a new user turn. */
void tui_send(struct tui *t, const char *text)
{
	if (tui_images_hold_send(t, text))
		return; /* sent by tui_images_poll() once the images are ready */
	long long now = (long long)time(NULL);
	if (t->editing) {
		/* /edit: the new question is a sibling of the old one. */
		t->editing = false;
		conv_set_head(t->conv, t->edit_parent);
		tui_session_show(t);
	}
	tui_session_autosave(t, text);
	tui_session_settings(t);
	size_t u = conv_add_user(t->conv, now);
	struct conv_msg *m = conv_msg_at(t->conv, u);
	struct strbuf shown = STRBUF_INIT;
	if (*text) {
		conv_msg_add_text(m, text, strlen(text));
		sanitize_string(&shown, text, strlen(text));
	}
	for (size_t i = 0; i < t->n_atts; i++) {
		struct attachment *a = &t->atts[i];
		conv_msg_add_image(m, a->url, a->name, a->is_url ? NULL : image_type_mime(a->type),
				   a->width, a->height, a->bytes);
		char *d = tui_image_desc(a->name, a->is_url ? NULL : image_type_mime(a->type),
					 a->width, a->height, a->bytes);
		strbuf_printf(&shown, "%s[image %zu: %s]", shown.len ? "\n" : "",
			      tui_images_queue(t, a), d);
		free(d);
		struct conv_part *cp = &m->parts[m->n_parts - 1];
		cp->sent_width = a->sent_width;
		cp->sent_height = a->sent_height;
		cp->sent_bytes = a->sent_bytes;
		attachment_done(a);
	}
	tui_session_save_msg(t, u);
	t->n_atts = 0;
	char *label = tui_label(_("You"), (time_t)now);
	tui_images_sent(t, chatview_add(t->view, CV_ITEM_USER, label, strbuf_str(&shown), shown.len));
	free(label);
	strbuf_done(&shown);
	tui_request(t, u, text);
}


/* The model list's body arrives. */
static int tui_models_on_data(void *ud, const char *buf, size_t len)
{
	struct tui *t = ud;
	strbuf_append(&t->models_body, buf, len);
	return t->models_body.len > 4u * 1024 * 1024;
}

/* The model list arrived (or not): keep the ids for Tab after /model. */
static void tui_models_on_done(void *ud, const struct http_result *res)
{
	struct tui *t = ud;
	json_object *root = NULL, *data = NULL;
	if (res->outcome == HTTP_OK && t->models_body.len)
		root = json_tokener_parse(strbuf_str(&t->models_body));
	if (root && json_object_object_get_ex(root, "data", &data) &&
	    json_object_is_type(data, json_type_array)) {
		size_t n = json_object_array_length(data);
		t->models = xcalloc(n + 1, sizeof *t->models);
		for (size_t i = 0; i < n; i++) {
			json_object *m = json_object_array_get_idx(data, i), *id = NULL;
			if (json_object_object_get_ex(m, "id", &id) &&
			    json_object_is_type(id, json_type_string))
				t->models[t->n_models++] = xstrdup(json_object_get_string(id));
		}
	}
	tui_log(t, "models: %zu listed (outcome %d, status %ld)", t->n_models, (int)res->outcome,
		res->status);
	json_object_put(root);
	strbuf_done(&t->models_body);
}

/* Fetch the model list in the background (for Tab after /model). */
void tui_fetch_models(struct tui *t)
{
	/* The transfer borrows the URL until it is done: keep it in t. */
	t->models_url = xasprintf("%s/models", t->cfg->base_url);
	struct http_request req = {
		.url = t->models_url,
		.api_key = t->cfg->api_key,
		.accept = "application/json",
		.headers = t->cfg->headers,
		.n_headers = t->cfg->n_headers,
		.connect_timeout_s = (long)ceil(t->cfg->connect_timeout),
		.idle_timeout_s = 30,
		.cacert = t->cfg->cacert,
		.insecure = t->cfg->insecure,
		.proxy = t->cfg->proxy,
		.retries = 0,
	};
	struct http_handlers h = {NULL, tui_models_on_data, NULL, tui_models_on_done, NULL};
	char *err = NULL;
	if (!http_client_start(t->http, &req, &h, t, &err)) {
		tui_log(t, "models: %s", err);
		free(err);
	}
}
