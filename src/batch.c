/* --each: the run itself — the prompt and the image list, the plan of
 * jobs (skipping what --out already answered), and the loop that starts
 * them, feeds the image worker, drives curl and prints the summary. */
#include <config.h>

#include "batch.h"
#include "batch-internal.h"
#include "batch-list.h"
#include "batch-record.h"
#include "batch-sched.h"
#include "core/attach.h"
#include "core/session.h"
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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Piped prompt text beyond this is refused, as in the one-shot mode. */
#define BATCH_MAX_STDIN (32u * 1024 * 1024)

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
		char *msg = xasprintf(P_("%zu of %zu image already answered in %s; asking %zu "
					 "(%zu again after a failure)",
					 "%zu of %zu images already answered in %s; asking %zu "
					 "(%zu again after a failure)",
					 l->n),
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
		char *msg = xasprintf(P_("%zu of %zu image failed%s%s", "%zu of %zu images failed%s%s", b->total),
				      b->n_failed, b->total,
				      args->out ? _("; run the same command again to retry them in ")
						: "",
				      args->out ? args->out : "");
		batch_say(b, msg);
		free(msg);
	}
	if (b->out_failed && status == SQUINT_EXIT_OK)
		status = SQUINT_EXIT_USAGE;
	if (args->verbose) {
		char *msg = xasprintf(P_("%zu answered, %zu failed, %ld token, %.1f s",
					 "%zu answered, %zu failed, %ld tokens, %.1f s", b->tokens),
				      b->n_done, b->n_failed, b->tokens, http_now() - b->t0);
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
