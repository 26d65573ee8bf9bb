#include <config.h>

#include "batch.h"
#include "batch-list.h"
#include "batch-record.h"
#include "batch-sched.h"
#include "core/attach.h"
#include "core/chunk.h"
#include "core/request.h"
#include "core/sanitize.h"
#include "core/session.h"
#include "core/sse.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "img/upload.h"
#include "img/worker.h"
#include "net/fetch.h"
#include "net/http.h"
#include "oneshot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* Piped prompt text beyond this is refused, as in the one-shot mode. */
#define BATCH_MAX_STDIN (32u * 1024 * 1024)
/* A 429 or 503 that came without a usable Retry-After pauses this long. */
#define BATCH_DEFAULT_PAUSE_S 2.0
/* The progress line is redrawn at most this often (seconds). */
#define BATCH_PROGRESS_EVERY 0.2

/* One image of the batch. */
struct batch_item {
	char *path;
	char sha256[65]; /* "" when the file could not be read */
	char *error;     /* reading or fitting failed: newly allocated */
	int status;      /* exit status of that failure */
	struct attachment att;
	bool skip;       /* already answered in --out */
	bool prepared;   /* att (or error) came from the worker */
	size_t job;      /* the job it belongs to */
};

enum batch_job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

/* One request: one image, or --group of them. */
struct batch_job {
	struct batch *b;
	size_t *items; /* indexes into b->items */
	size_t n_items;
	enum batch_job_state state;
	struct http_transfer *t; /* NULL unless in flight */
	char *body;
	struct sse_parser *sse;
	struct chat_response resp;
	struct strbuf raw; /* a non-streamed answer */
	bool raw_json;
	struct strbuf out; /* section text not yet written to stdout */
	struct sanitize_state san;
	bool head_done;    /* the heading is out */
	bool flushed;      /* the whole section is out */
	int live_choice;
	bool printed_any; /* model text went into the section */
	bool ended_line;
	bool has_result;
	struct http_result result;
	char *result_message;
	double wall_start;
	int status; /* SQUINT_EXIT_* */
	unsigned preparing; /* its images with the worker */
};

struct batch {
	struct squint_config *cfg;
	const struct batch_args *args;
	struct batch_item *items;
	size_t n_items;
	struct batch_job *jobs;
	size_t n_jobs;
	size_t next_start; /* the next queued job */
	struct img_worker *worker; /* fits images ahead of their jobs; NULL: at the start */
	size_t next_prep;  /* the next job whose images go to the worker */
	size_t turn;       /* ordered output: the job whose section is due */
	int running;
	struct batch_sched sched;
	struct http_client *client;
	char *url;
	struct strbuf prompt;
	struct upload_opts uo;
	int out_fd;
	bool out_failed;
	bool tty_out, tty_err;
	bool sections_printed;
	bool progress_shown;
	double progress_at;
	size_t total, n_done, n_failed;
	long tokens;
	double t0;
	bool interrupted;
};

static int batch_sig_pipe[2] = {-1, -1};

/* SIGINT/SIGTERM: wake the loop, which stops the batch. */
static void batch_on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;
	if (write(batch_sig_pipe[1], &c, 1) < 0) {
		/* The pipe is full: a wake-up is pending anyway. */
	}
	errno = saved;
}

/* Return the wall clock in seconds (for records). */
/* Make j's response empty, with the answer cap and the key to mask. */
static void batch_response_init(struct batch_job *j)
{
	chat_response_init(&j->resp);
	chat_response_set_limits(&j->resp, (size_t)j->b->cfg->max_answer_mb << 20, 0);
	chat_response_set_secret(&j->resp, j->b->cfg->api_key);
}

static double batch_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Erase the progress line, if it is shown. */
static void batch_progress_clear(struct batch *b)
{
	if (b->progress_shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		b->progress_shown = false;
	}
}

/* Redraw the progress line on a terminal, at most every 0.2 s unless force. */
static void batch_progress_draw(struct batch *b, bool force)
{
	double now = http_now();
	if (!b->tty_err || (!force && now - b->progress_at < BATCH_PROGRESS_EVERY))
		return;
	b->progress_at = now;
	struct batch_progress p = {
		.total = b->total,
		.done = b->n_done,
		.failed = b->n_failed,
		.tokens = b->tokens,
		.elapsed = now - b->t0,
		.paused = batch_sched_wait_ms(&b->sched, now) > 0,
	};
	for (size_t i = 0; i < b->n_jobs; i++)
		if (b->jobs[i].state == JOB_RUNNING)
			p.running += b->jobs[i].n_items;
	struct strbuf sb = STRBUF_INIT;
	batch_progress_format(&sb, &p);
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && sb.len >= ws.ws_col)
		sb.data[ws.ws_col - 1] = '\0';
	fprintf(stderr, "\r%s\033[K", strbuf_str(&sb));
	fflush(stderr);
	strbuf_done(&sb);
	b->progress_shown = true;
}

/* Print "squint: MSG" on stderr (made safe: it may hold names and server
 * text), above the progress line. */
static void batch_say(struct batch *b, const char *msg)
{
	batch_progress_clear(b);
	char *clean = sanitize_line(msg);
	fprintf(stderr, "squint: %s\n", clean);
	free(clean);
}

/* Append model text to the job's section, filtered on a terminal. */
static void batch_emit(struct batch_job *j, const char *s, size_t len)
{
	if (!len)
		return;
	if (j->b->tty_out)
		sanitize_feed(&j->san, &j->out, s, len);
	else
		strbuf_append(&j->out, s, len);
	j->printed_any = true;
	j->ended_line = s[len - 1] == '\n';
}

/* Write what the job has for stdout, heading first. */
static void batch_job_write(struct batch *b, struct batch_job *j)
{
	if (!j->head_done) {
		struct strbuf head = STRBUF_INIT;
		if (b->sections_printed)
			strbuf_putc(&head, '\n');
		strbuf_puts(&head, "## ");
		for (size_t k = 0; k < j->n_items; k++) {
			char *name = sanitize_line(b->items[j->items[k]].path);
			strbuf_printf(&head, "%s%s", k ? ", " : "", name);
			free(name);
		}
		strbuf_puts(&head, "\n\n");
		if (b->tty_out)
			batch_progress_clear(b);
		fwrite(head.data, 1, head.len, stdout);
		strbuf_done(&head);
		j->head_done = true;
		b->sections_printed = true;
	}
	if (j->out.len) {
		if (b->tty_out)
			batch_progress_clear(b);
		fwrite(j->out.data, 1, j->out.len, stdout);
		strbuf_reset(&j->out);
	}
	if (j->state == JOB_DONE)
		j->flushed = true;
}

/* Write the sections that are due: in input order, the job whose turn it
 * is streams and the ones after it wait; unordered, whole sections as
 * jobs finish. */
static void batch_flush(struct batch *b)
{
	bool wrote = false;
	if (b->args->unordered) {
		for (size_t i = 0; i < b->n_jobs; i++) {
			struct batch_job *j = &b->jobs[i];
			if (j->state == JOB_DONE && !j->flushed) {
				batch_job_write(b, j);
				wrote = true;
			}
		}
	} else {
		while (b->turn < b->n_jobs) {
			struct batch_job *j = &b->jobs[b->turn];
			if (j->state == JOB_QUEUED)
				break;
			if (j->out.len || !j->head_done || j->state == JOB_DONE) {
				batch_job_write(b, j);
				wrote = true;
			}
			if (j->state != JOB_DONE)
				break;
			b->turn++;
		}
	}
	if (wrote)
		fflush(stdout);
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
			msg = xasprintf(_("rate limited (HTTP %ld): the batch waits %.1f s, then "
					  "sends %d request(s) at a time"),
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

/* Append one record line to --out and make it durable. */
static void batch_out_write(struct batch *b, const char *line, size_t len)
{
	if (b->out_fd < 0 || b->out_failed)
		return;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(b->out_fd, line + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			char *msg = xasprintf(_("cannot write %s: %s; answers go on to standard "
						"output only"),
					      b->args->out, n < 0 ? strerror(errno) : _("short write"));
			batch_say(b, msg);
			free(msg);
			b->out_failed = true;
			return;
		}
		off += (size_t)n;
	}
	/* A record is finished only once it is on the disk: a crash or a
	 * power cut after this never loses it. */
	if (fsync(b->out_fd) != 0 && errno != EINVAL && errno != EROFS) {
		char *msg = xasprintf(_("cannot write %s: %s"), b->args->out, strerror(errno));
		batch_say(b, msg);
		free(msg);
		b->out_failed = true;
	}
}

/* Fill r with what every record of item i says (sizes, hash, group). */
static void batch_record_fill_item(struct batch *b, struct batch_job *j, size_t i,
				   struct batch_record *r, char **group)
{
	struct batch_item *it = &b->items[i];
	r->file = it->path;
	memcpy(r->sha256, it->sha256, sizeof r->sha256);
	if (!it->att.is_url && it->att.bytes) {
		r->bytes = (long long)it->att.bytes;
		r->width = it->att.width;
		r->height = it->att.height;
		if (it->att.sent_bytes) {
			r->sent_bytes = (long long)it->att.sent_bytes;
			r->sent_width = it->att.sent_width;
			r->sent_height = it->att.sent_height;
		}
	}
	if (j->n_items > 1 || b->args->group > 1) {
		r->group = group;
		r->n_group = j->n_items;
	}
	r->started = j->wall_start;
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

/* Jobs whose images are fitted ahead, beyond the next to start: the worker
 * fits one image at a time while requests stream, so a few are enough to
 * keep it busy, and bound the memory their data URIs hold. */
#define BATCH_PREP_AHEAD 3

/* Hand the images of the next jobs to the worker, up to BATCH_PREP_AHEAD
 * jobs beyond the next to start. */
static void batch_prepare_ahead(struct batch *b)
{
	if (!b->worker)
		return;
	if (b->next_prep < b->next_start)
		b->next_prep = b->next_start;
	while (b->next_prep < b->n_jobs && b->next_prep <= b->next_start + BATCH_PREP_AHEAD && !b->interrupted) {
		struct batch_job *j = &b->jobs[b->next_prep];
		for (size_t k = 0; k < j->n_items; k++) {
			struct batch_item *it = &b->items[j->items[k]];
			if (it->error || it->prepared)
				continue;
			it->job = b->next_prep;
			img_worker_submit(b->worker, img_job_new(j->items[k] + 1, it->path, &b->uo, 0, 0));
			j->preparing++;
		}
		b->next_prep++;
	}
}

/* Take the images the worker has fitted into their items. */
static void batch_take_prepared(struct batch *b)
{
	struct img_job *job;
	while (b->worker && (job = img_worker_take(b->worker)) != NULL) {
		struct batch_item *it = &b->items[job->id - 1];
		if (job->rc == 0) {
			attachment_done(&it->att);
			it->att = job->att;
			attachment_init(&job->att);
		} else {
			it->error = job->err;
			job->err = NULL;
			it->status = SQUINT_EXIT_USAGE;
		}
		it->prepared = true;
		b->jobs[it->job].preparing--;
		img_job_delete(job);
	}
}

/* Start job j: fit its images, build the request, send it.  A job whose
 * images all failed to load ends at once with their records. */
static void batch_job_start(struct batch *b, struct batch_job *j)
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

/* Read the prompt text piped on standard input (when it is not the list
 * of images) into sb; 0, or -1 after saying why. */
static int batch_read_stdin(struct batch *b, struct strbuf *sb)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
		if (n == 0)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || sb->len + (size_t)n > BATCH_MAX_STDIN) {
			char *msg = n < 0 ? xasprintf(_("cannot read standard input: %s"),
						      strerror(errno))
					  : xasprintf(_("standard input is larger than %u MB"),
						      BATCH_MAX_STDIN / (1024 * 1024));
			batch_say(b, msg);
			free(msg);
			return -1;
		}
		strbuf_append(sb, buf, (size_t)n);
	}
}

/* --out: read the earlier records into rs, then open the file for
 * appending (locked: two batches must not interleave their records);
 * 0, or -1 after saying why. */
static int batch_out_open(struct batch *b, struct batch_resume *rs)
{
	const char *path = b->args->out;
	signal(SIGXFSZ, SIG_IGN);
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	char *msg = NULL;
	if (fd < 0) {
		msg = xasprintf(_("cannot open %s: %s"), path, strerror(errno));
	} else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		msg = xasprintf(_("%s is in use by another squint; not writing to it"), path);
	}
	struct strbuf text = STRBUF_INIT;
	char buf[65536];
	ssize_t n;
	while (!msg && (n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			msg = xasprintf(_("cannot read %s: %s"), path, strerror(errno));
		else
			strbuf_append(&text, buf, (size_t)n);
	}
	if (msg) {
		batch_say(b, msg);
		free(msg);
		if (fd >= 0)
			close(fd);
		strbuf_done(&text);
		return -1;
	}
	batch_resume_load(rs, strbuf_str(&text), text.len);
	strbuf_done(&text);
	b->out_fd = fd;
	if (rs->n_bad) {
		msg = xasprintf(_("%s: %zu line(s) that are not records were skipped"), path,
				rs->n_bad);
		batch_say(b, msg);
		free(msg);
	}
	/* A torn last line (a crash mid-write) must not swallow our first record. */
	if (rs->torn_end)
		batch_out_write(b, "\n", 1);
	return 0;
}

/* Hash every image (the key, with its path, of its record) and mark the
 * ones already answered in rs; the others become jobs, in order. */
static void batch_plan(struct batch *b, const struct batch_list *l, const struct batch_resume *rs)
{
	b->items = xcalloc(l->n + 1, sizeof *b->items);
	b->n_items = l->n;
	size_t max_bytes = (size_t)(b->cfg->max_file_mb * 1024 * 1024);
	size_t pending = 0, skipped = 0, retried = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct batch_item *it = &b->items[i];
		it->path = l->paths[i];
		attachment_init(&it->att);
		if (strncmp(it->path, "http://", 7) == 0 || strncmp(it->path, "https://", 8) == 0) {
			session_sha256_hex(it->path, strlen(it->path), it->sha256);
		} else {
			unsigned char *data = NULL;
			size_t len = 0;
			char *err = NULL;
			if (attachment_read(it->path, max_bytes, &data, &len, &err) == 0) {
				session_sha256_hex(data, len, it->sha256);
			} else {
				it->error = err;
				it->status = SQUINT_EXIT_USAGE;
			}
			free(data);
		}
		if (it->sha256[0] && batch_resume_complete(rs, it->path, it->sha256)) {
			it->skip = true;
			skipped++;
			continue;
		}
		if (it->sha256[0] && batch_resume_failed(rs, it->path, it->sha256))
			retried++;
		pending++;
	}
	size_t per = b->args->group > 1 ? (size_t)b->args->group : 1;
	b->jobs = xcalloc(pending / per + 2, sizeof *b->jobs);
	for (size_t i = 0; i < l->n; i++) {
		if (b->items[i].skip)
			continue;
		struct batch_job *j = b->n_jobs ? &b->jobs[b->n_jobs - 1] : NULL;
		if (!j || j->n_items == per) {
			j = &b->jobs[b->n_jobs++];
			j->b = b;
			j->items = xcalloc(per, sizeof *j->items);
			j->live_choice = -1;
			strbuf_init(&j->out);
			strbuf_init(&j->raw);
			sanitize_init(&j->san);
			batch_response_init(j);
		}
		j->items[j->n_items++] = i;
	}
	b->total = pending;
	if (skipped || retried) {
		char *msg = xasprintf(_("%zu of %zu image(s) already answered in %s; asking %zu "
					"(%zu again after a failure)"),
				      skipped, l->n, b->args->out, pending, retried);
		batch_say(b, msg);
		free(msg);
	}
}

/* Stop the batch after Ctrl-C: no new request, the running ones end now
 * (their records say "interrupted"). */
static void batch_interrupt(struct batch *b)
{
	if (b->interrupted)
		return;
	b->interrupted = true;
	for (size_t i = 0; i < b->n_jobs; i++)
		if (b->jobs[i].state == JOB_RUNNING && b->jobs[i].t)
			http_transfer_cancel(b->jobs[i].t);
}

int batch_run(struct squint_config *cfg, const struct batch_args *args)
{
	struct batch bt;
	struct batch *b = &bt;
	memset(b, 0, sizeof *b);
	b->cfg = cfg;
	b->args = args;
	b->out_fd = -1;
	b->tty_out = isatty(STDOUT_FILENO);
	b->tty_err = isatty(STDERR_FILENO);
	strbuf_init(&b->prompt);
	batch_sched_init(&b->sched, args->jobs > 0 ? args->jobs : 4);
	upload_opts_from_config(&b->uo, cfg);
	b->uo.fetch = fetch_url;
	struct batch_list l;
	struct batch_resume rs;
	memset(&l, 0, sizeof l);
	memset(&rs, 0, sizeof rs);
	int status = SQUINT_EXIT_USAGE;
	char *err = NULL;

	bool list_on_stdin = false;
	for (size_t i = 0; i < args->n_inputs; i++)
		if (strcmp(args->inputs[i], "-") == 0)
			list_on_stdin = true;
	strbuf_puts(&b->prompt, args->prompt);
	if (!list_on_stdin && !isatty(STDIN_FILENO)) {
		struct strbuf in = STRBUF_INIT;
		if (batch_read_stdin(b, &in) != 0) {
			strbuf_done(&in);
			goto out;
		}
		if (in.len) {
			if (b->prompt.len)
				strbuf_puts(&b->prompt, "\n\n");
			strbuf_append(&b->prompt, in.data, in.len);
		}
		strbuf_done(&in);
	}
	if (batch_list_expand(&l, args->inputs, args->n_inputs, &err) != 0) {
		batch_say(b, err);
		goto out;
	}
	for (size_t i = 0; i < l.n_notes; i++)
		batch_say(b, l.notes[i]);
	if (l.n == 0) {
		batch_say(b, _("--each: no image to ask about"));
		goto out;
	}
	if (args->out && batch_out_open(b, &rs) != 0)
		goto out;
	batch_plan(b, &l, &rs);
	if (b->n_jobs == 0) {
		status = SQUINT_EXIT_OK;
		goto out;
	}

	b->url = xasprintf("%s/chat/completions", cfg->base_url);
	b->client = http_client_new(&err);
	if (!b->client) {
		batch_say(b, err);
		status = SQUINT_EXIT_NETWORK;
		goto out;
	}
	if (pipe(batch_sig_pipe) == 0) {
		fcntl(batch_sig_pipe[0], F_SETFL, O_NONBLOCK);
		fcntl(batch_sig_pipe[1], F_SETFL, O_NONBLOCK);
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = batch_on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);

	/* Images are fitted on a worker thread, a few jobs ahead, while the
	 * answers stream; without one, each job fits its own as it starts. */
	b->worker = img_worker_new(&err);
	if (!b->worker) {
		free(err);
		err = NULL;
	}
	b->t0 = http_now();
	for (;;) {
		batch_take_prepared(b);
		batch_prepare_ahead(b);
		/* One start per turn: fitting a big image (without the worker)
		 * takes a while, and the answers streaming meanwhile must not
		 * wait for every fit. */
		bool more = false;
		if (!b->interrupted && b->next_start < b->n_jobs && b->jobs[b->next_start].preparing == 0 &&
		    batch_sched_may_start(&b->sched, b->running, http_now())) {
			batch_job_start(b, &b->jobs[b->next_start++]);
			batch_prepare_ahead(b);
			more = b->next_start < b->n_jobs && b->jobs[b->next_start].preparing == 0 &&
			       batch_sched_may_start(&b->sched, b->running, http_now());
		}
		batch_flush(b);
		if (b->running == 0 && (b->interrupted || b->next_start >= b->n_jobs))
			break;
		int timeout = more ? 0 : 200;
		long wait = batch_sched_wait_ms(&b->sched, http_now());
		if (wait > 0 && wait < timeout)
			timeout = (int)wait;
		struct curl_waitfd wfd[2];
		unsigned nfd = 0;
		if (batch_sig_pipe[0] >= 0)
			wfd[nfd++] = (struct curl_waitfd){batch_sig_pipe[0], CURL_WAIT_POLLIN, 0};
		if (b->worker)
			wfd[nfd++] = (struct curl_waitfd){img_worker_fd(b->worker), CURL_WAIT_POLLIN, 0};
		http_client_run(b->client, wfd, nfd, timeout);
		batch_flush(b);
		batch_progress_draw(b, false);
		unsigned char c;
		if (batch_sig_pipe[0] >= 0 && read(batch_sig_pipe[0], &c, 1) == 1)
			batch_interrupt(b);
	}
	batch_flush(b);
	batch_progress_clear(b);

	status = SQUINT_EXIT_OK;
	for (size_t i = 0; i < b->n_jobs && status == SQUINT_EXIT_OK; i++)
		if (b->jobs[i].state == JOB_DONE)
			status = b->jobs[i].status;
	if (b->interrupted) {
		size_t not_asked = b->total - b->n_done - b->n_failed;
		char *msg = args->out
				    ? xasprintf(_("interrupted: %zu answered, %zu failed, %zu not asked; "
						  "run the same command again to go on"),
						b->n_done, b->n_failed, not_asked)
				    : xasprintf(_("interrupted: %zu answered, %zu failed, %zu not asked"),
						b->n_done, b->n_failed, not_asked);
		batch_say(b, msg);
		free(msg);
		status = SQUINT_EXIT_TRUNCATED;
	} else if (b->n_failed) {
		char *msg = xasprintf(_("%zu of %zu image(s) failed%s%s"), b->n_failed, b->total,
				      args->out ? _("; run the same command again to retry them in ")
						: "",
				      args->out ? args->out : "");
		batch_say(b, msg);
		free(msg);
	}
	if (b->out_failed && status == SQUINT_EXIT_OK)
		status = SQUINT_EXIT_USAGE;
	if (args->verbose) {
		char *msg = xasprintf(_("%zu answered, %zu failed, %ld tokens, %.1f s"), b->n_done,
				      b->n_failed, b->tokens, http_now() - b->t0);
		batch_say(b, msg);
		free(msg);
	}

out:
	if (batch_sig_pipe[0] >= 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		close(batch_sig_pipe[0]);
		close(batch_sig_pipe[1]);
		batch_sig_pipe[0] = batch_sig_pipe[1] = -1;
	}
	img_worker_delete(b->worker);
	http_client_delete(b->client);
	if (fflush(stdout) != 0 && status == SQUINT_EXIT_OK)
		status = SQUINT_EXIT_USAGE;
	for (size_t i = 0; i < b->n_jobs; i++) {
		struct batch_job *j = &b->jobs[i];
		free(j->items);
		free(j->body);
		if (j->sse)
			sse_parser_delete(j->sse);
		chat_response_done(&j->resp);
		strbuf_done(&j->raw);
		strbuf_done(&j->out);
		free(j->result_message);
	}
	free(b->jobs);
	for (size_t i = 0; i < b->n_items; i++) {
		free(b->items[i].error);
		attachment_done(&b->items[i].att);
	}
	free(b->items);
	if (b->out_fd >= 0)
		close(b->out_fd);
	batch_resume_done(&rs);
	batch_list_done(&l);
	strbuf_done(&b->prompt);
	free(b->url);
	free(err);
	return status;
}
