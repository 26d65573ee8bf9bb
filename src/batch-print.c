/* --each on the terminal: the progress line and messages on stderr, and
 * the answers' sections on stdout, in input order or as they finish. */
#include <config.h>

#include "batch-internal.h"
#include "core/sanitize.h"
#include "core/strbuf.h"
#include "net/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The progress line is redrawn at most this often (seconds). */
#define BATCH_PROGRESS_EVERY 0.2

/* Erase the progress line, if it is shown. */
void batch_progress_clear(struct batch *b)
{
	if (b->progress_shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		b->progress_shown = false;
	}
}

/* Redraw the progress line on a terminal, at most every 0.2 s unless force. */
void batch_progress_draw(struct batch *b, bool force)
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
void batch_say(struct batch *b, const char *msg)
{
	batch_progress_clear(b);
	char *clean = sanitize_line(msg);
	fprintf(stderr, "squint: %s\n", clean);
	free(clean);
}

/* Append model text to the job's section, filtered on a terminal. */
void batch_emit(struct batch_job *j, const char *s, size_t len)
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
void batch_flush(struct batch *b)
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
