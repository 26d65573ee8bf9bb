/* --each: one request of the batch — its body built from the prompt and
 * its images, the answer streamed into its section, and at the end its
 * exit status, its records and the rate limit it may have met. */
#include <config.h>

#include "batch-internal.h"
#include "core/chunk.h"
#include "core/request.h"
#include "core/sanitize.h"
#include "core/sse.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "img/upload.h"
#include "net/http.h"
#include "oneshot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A 429 or 503 that came without a usable Retry-After pauses this long. */
#define BATCH_DEFAULT_PAUSE_S 2.0

/* Make j's response empty, with the answer cap and the key to mask. */
void batch_response_init(struct batch_job *j)
{
	chat_response_init(&j->resp);
	chat_response_set_limits(&j->resp, (size_t)j->b->cfg->max_answer_mb << 20, 0);
	chat_response_set_secret(&j->resp, j->b->cfg->api_key);
}

/* Return the wall clock in seconds (for records). */
static double batch_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Deltas from the decoder: the first choice's content goes to the section. */
static void batch_on_delta(void *ud, const struct chunk_delta *d)
{
	struct batch_job *j = ud;
	if (d->kind != CHUNK_DELTA_CONTENT)
		return;
	if (j->live_choice < 0)
		j->live_choice = d->choice;
	if (d->choice == j->live_choice)
		batch_emit(j, d->text, d->len);
}

/* One server-sent event: decode it into the job's response. */
static int batch_on_event(void *ud, const struct sse_event *ev)
{
	struct batch_job *j = ud;
	enum chunk_result r =
		chunk_decode_event(&j->resp, ev->data, ev->data_len, batch_on_delta, j);
	return r == CHUNK_LIMIT ? 1 : 0;
}

/* Headers of a 2xx answer: a stream or one JSON document? */
static void batch_on_headers(void *ud, long status, const char *content_type)
{
	struct batch_job *j = ud;
	(void)status;
	j->raw_json = !(content_type && strstr(content_type, "text/event-stream"));
}

/* Body bytes of the answer. */
static int batch_on_data(void *ud, const char *buf, size_t len)
{
	struct batch_job *j = ud;
	if (j->raw_json) {
		strbuf_append(&j->raw, buf, len);
		return j->raw.len > 256u * 1024 * 1024;
	}
	return sse_parser_feed(j->sse, buf, len) != 0;
}

/* A retry is coming: say so, and when the server is limiting the rate,
 * pause and slow down the whole batch, not only this request. */
static void batch_on_retry(void *ud, int attempt, long delay_ms, const char *reason)
{
	struct batch_job *j = ud;
	struct batch *b = j->b;
	long status = j->t ? http_transfer_status(j->t) : 0;
	char *msg = xasprintf(_("%s: %s; retrying in %.1f s (attempt %d)"),
			      b->items[j->items[0]].path, reason, (double)delay_ms / 1000.0,
			      attempt + 1);
	batch_say(b, msg);
	free(msg);
	if (status == 429 || status == 503) {
		if (batch_sched_limited(&b->sched, http_now(), (double)delay_ms / 1000.0)) {
			msg = xasprintf(P_("rate limited (HTTP %ld): the batch waits %.1f s, then "
					   "sends %d request at a time",
					   "rate limited (HTTP %ld): the batch waits %.1f s, then "
					   "sends %d requests at a time",
					   b->sched.limit),
					status, (double)delay_ms / 1000.0, b->sched.limit);
			batch_say(b, msg);
			free(msg);
		}
	}
}

/* Decide a finished job's exit status and error line (newly allocated,
 * NULL when answered). */
static int batch_job_classify(struct batch_job *j, char **error)
{
	const struct http_result *res = &j->result;
	*error = NULL;
	switch (res->outcome) {
	case HTTP_STATUS_ERROR:
		*error = xstrdup(res->message ? res->message : _("the server refused the request"));
		return SQUINT_EXIT_SERVER;
	case HTTP_NETWORK_ERROR:
	case HTTP_TIMEOUT:
		*error = xstrdup(res->message ? res->message : _("network error"));
		return res->bytes ? SQUINT_EXIT_TRUNCATED : SQUINT_EXIT_NETWORK;
	case HTTP_CANCELLED:
		*error = xstrdup(_("interrupted"));
		return SQUINT_EXIT_TRUNCATED;
	case HTTP_ABORTED:
		*error = xstrdup(_("the answer is larger than the limit; stopped"));
		return SQUINT_EXIT_TRUNCATED;
	case HTTP_OK:
		break;
	}
	switch (chat_response_state(&j->resp)) {
	case CHAT_RESPONSE_ERROR: {
		struct strbuf sb = STRBUF_INIT;
		strbuf_printf(&sb, _("the server reported an error mid-answer: %s"),
			      j->resp.error.message ? j->resp.error.message : _("(no message)"));
		if (j->resp.error.code)
			strbuf_printf(&sb, " (%s)", j->resp.error.code);
		*error = strbuf_detach(&sb);
		return SQUINT_EXIT_SERVER;
	}
	case CHAT_RESPONSE_TRUNCATED:
		if (j->resp.n_events == 0 && j->resp.n_malformed == 0 && !j->raw_json) {
			*error = xstrdup(_("the server sent no answer (an empty or non-SSE stream)"));
			return SQUINT_EXIT_SERVER;
		}
		if (j->resp.n_events == j->resp.n_malformed) {
			*error = xstrdup(_("the server's answer could not be read (malformed stream)"));
			return SQUINT_EXIT_SERVER;
		}
		*error = xstrdup(_("the answer ended before it was finished (no finish_reason)"));
		return SQUINT_EXIT_TRUNCATED;
	case CHAT_RESPONSE_COMPLETE:
		break;
	}
	for (size_t i = 0; i < j->resp.n_choices; i++) {
		const char *fr = j->resp.choices[i].finish_reason;
		if (j->resp.choices[i].present && fr && strcmp(fr, "length") == 0) {
			*error = xstrdup(_("the answer was cut off at the token limit "
					   "(finish_reason: length)"));
			return SQUINT_EXIT_TRUNCATED;
		}
	}
	return SQUINT_EXIT_OK;
}

/* The job ended (answered, failed or interrupted): finish its section,
 * write its records, count it, and let the next one start. */
static void batch_job_finish(struct batch *b, struct batch_job *j)
{
	char *error = NULL;
	int status = SQUINT_EXIT_OK;
	bool sent = j->has_result;
	if (sent) {
		sse_parser_finish(j->sse);
		if (j->raw_json && j->raw.len)
			chunk_decode_completion(&j->resp, j->raw.data, j->raw.len, batch_on_delta, j);
		status = batch_job_classify(j, &error);
	}
	/* The other choices of -n, after the one that streamed. */
	for (size_t i = 0; sent && i < j->resp.n_choices; i++) {
		const struct chat_choice *ch = &j->resp.choices[i];
		if (!ch->present || (int)i == j->live_choice || !ch->content.len)
			continue;
		struct strbuf h = STRBUF_INIT;
		strbuf_printf(&h, _("%s### Choice %zu\n\n"), j->ended_line ? "\n" : "\n\n", i + 1);
		strbuf_append(&j->out, h.data, h.len);
		strbuf_done(&h);
		batch_emit(j, strbuf_str(&ch->content), ch->content.len);
	}
	if (b->tty_out)
		sanitize_finish(&j->san, &j->out);
	if (j->printed_any && !j->ended_line)
		strbuf_putc(&j->out, '\n');
	for (size_t k = 0; k < j->n_items; k++) {
		struct batch_item *it = &b->items[j->items[k]];
		if (!it->error)
			continue;
		char *line = sanitize_line(it->error);
		strbuf_printf(&j->out, _("%s_Failed: %s_\n"), j->printed_any ? "\n" : "", line);
		j->printed_any = true;
		free(line);
	}
	if (error) {
		char *line = sanitize_line(error);
		strbuf_printf(&j->out, _("%s_Failed: %s_\n"), j->printed_any ? "\n" : "", line);
		free(line);
	}

	char **group = xcalloc(j->n_items + 1, sizeof *group);
	for (size_t k = 0; k < j->n_items; k++)
		group[k] = b->items[j->items[k]].path;
	const struct chat_choice *c0 = j->resp.n_choices ? &j->resp.choices[0] : NULL;
	for (size_t k = 0; k < j->n_items; k++) {
		struct batch_item *it = &b->items[j->items[k]];
		struct batch_record r;
		batch_record_init(&r);
		batch_record_fill_item(b, j, j->items[k], &r, group);
		if (it->error) {
			r.error = it->error;
		} else {
			r.error = error;
			if (c0 && c0->present && (c0->has_content || c0->content.len))
				r.answer = (char *)strbuf_str(&c0->content);
			r.finish_reason = c0 && c0->present ? c0->finish_reason : NULL;
			r.model = j->resp.model;
			r.has_usage = j->resp.usage.present;
			r.prompt_tokens = j->resp.usage.prompt_tokens;
			r.completion_tokens = j->resp.usage.completion_tokens;
			r.total_tokens = j->resp.usage.total_tokens;
			if (j->result.t_first_byte > 0)
				r.first_byte_s = j->result.t_first_byte - j->result.t_start;
			r.total_s = j->result.t_end - j->result.t_start;
			r.attempts = j->result.attempts;
		}
		size_t len;
		char *line = batch_record_encode(&r, &len);
		batch_out_write(b, line, len);
		free(line);
		bool ok = !it->error && !error;
		if (ok) {
			b->n_done++;
		} else {
			b->n_failed++;
			/* Local errors name the file already; the server's do not. */
			char *msg = it->error ? xstrdup(it->error) : xasprintf("%s: %s", it->path, error);
			if (!b->interrupted)
				batch_say(b, msg);
			free(msg);
		}
		if (!ok && j->status == SQUINT_EXIT_OK)
			j->status = it->error ? it->status : status;
	}
	free(group);
	if (j->resp.usage.present)
		b->tokens += j->resp.usage.total_tokens;
	if (sent && status == SQUINT_EXIT_OK) {
		batch_sched_succeeded(&b->sched, http_now());
	} else if (sent && j->result.outcome == HTTP_STATUS_ERROR &&
		   (j->result.status == 429 || j->result.status == 503)) {
		batch_sched_limited(&b->sched, http_now(), BATCH_DEFAULT_PAUSE_S);
	}
	free(error);
	free(j->body);
	j->body = NULL;
	if (j->sse) {
		sse_parser_delete(j->sse);
		j->sse = NULL;
	}
	chat_response_done(&j->resp);
	batch_response_init(j);
	strbuf_done(&j->raw);
	if (j->state == JOB_RUNNING)
		b->running--;
	j->state = JOB_DONE;
}

/* The transfer ended: keep its result and finish the job. */
static void batch_on_done(void *ud, const struct http_result *res)
{
	struct batch_job *j = ud;
	j->result = *res;
	api_error_init(&j->result.api);
	j->result_message = res->message ? xstrdup(res->message) : NULL;
	j->result.message = j->result_message;
	j->has_result = true;
	j->t = NULL;
	batch_job_finish(j->b, j);
}

/* Start job j: fit its images, build the request, send it.  A job whose
 * images all failed to load ends at once with their records. */
void batch_job_start(struct batch *b, struct batch_job *j)
{
	j->state = JOB_RUNNING;
	b->running++;
	j->wall_start = batch_wall();
	struct chat_part *parts = xcalloc(j->n_items + 1, sizeof *parts);
	size_t n_parts = 0;
	if (b->prompt.len)
		parts[n_parts++] = (struct chat_part){CHAT_PART_TEXT, b->prompt.data, NULL};
	size_t n_images = 0;
	for (size_t k = 0; k < j->n_items; k++) {
		struct batch_item *it = &b->items[j->items[k]];
		if (it->error)
			continue;
		char *err = NULL;
		if (!it->prepared && upload_attach(&it->att, it->path, &b->uo, &err) != 0) {
			it->error = err;
			it->status = SQUINT_EXIT_USAGE;
			continue;
		}
		if (b->args->verbose && it->att.summary)
			batch_say(b, it->att.summary);
		parts[n_parts++] = (struct chat_part){CHAT_PART_IMAGE, NULL, it->att.url};
		n_images++;
	}
	if (n_images == 0) {
		free(parts);
		batch_job_finish(b, j);
		return;
	}
	struct chat_msg msg = {"user", parts, n_parts, NULL, NULL};
	size_t body_len = 0;
	j->body = request_build(&b->cfg->params, &msg, 1, &body_len);
	free(parts);
	/* The image data is in the body now: drop the copies (sizes stay). */
	for (size_t k = 0; k < j->n_items; k++) {
		struct attachment *a = &b->items[j->items[k]].att;
		free(a->url);
		a->url = NULL;
	}
	j->sse = sse_parser_new(0, batch_on_event, j);
	struct http_request req = {
		.url = b->url,
		.post = true,
		.body = j->body,
		.body_len = body_len,
		.api_key = b->cfg->api_key,
		.accept = b->cfg->params.stream ? "text/event-stream" : "application/json",
		.headers = b->cfg->headers,
		.n_headers = b->cfg->n_headers,
		.connect_timeout_s = (long)ceil(b->cfg->connect_timeout),
		.idle_timeout_s = (long)ceil(b->cfg->idle_timeout),
		.cacert = b->cfg->cacert,
		.insecure = b->cfg->insecure,
		.proxy = b->cfg->proxy,
		.retries = b->cfg->retries,
		/* Over TLS a server may offer HTTP/2: then the requests wait for
		 * its one connection and share it instead of opening one each.
		 * Over plain http:// libcurl would only queue them behind it. */
		.pipewait = strncmp(b->url, "https://", 8) == 0,
	};
	struct http_handlers h = {batch_on_headers, batch_on_data, batch_on_retry, batch_on_done,
				  NULL};
	char *err = NULL;
	j->t = http_client_start(b->client, &req, &h, j, &err);
	if (!j->t) {
		j->has_result = true;
		memset(&j->result, 0, sizeof j->result);
		j->result.outcome = HTTP_NETWORK_ERROR;
		j->result_message = err;
		j->result.message = err;
		batch_job_finish(b, j);
	}
}
