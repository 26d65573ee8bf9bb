/* What the parts of --each share: the batch's state, its images and
 * jobs, and the helpers that print sections and write records.  Private to
 * src/batch*.c. */
#ifndef SQUINT_BATCH_INTERNAL_H
#define SQUINT_BATCH_INTERNAL_H

#include "batch.h"
#include "batch-record.h"
#include "batch-sched.h"
#include "core/attach.h"
#include "core/chunk.h"
#include "core/sanitize.h"
#include "core/sse.h"
#include "core/strbuf.h"
#include "img/upload.h"
#include "img/worker.h"
#include "net/http.h"

#include <stdbool.h>
#include <stddef.h>

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

/* Stdout and stderr (batch-print.c). */
/* Erase the progress line, if it is shown. */
void batch_progress_clear(struct batch *b);
/* Redraw the progress line on a terminal, at most every 0.2 s unless force. */
void batch_progress_draw(struct batch *b, bool force);
/* Print "squint: MSG" on stderr (made safe: it may hold names and server
 * text), above the progress line. */
void batch_say(struct batch *b, const char *msg);
/* Append model text to the job's section, filtered on a terminal. */
void batch_emit(struct batch_job *j, const char *s, size_t len);
/* Write the sections that are due: in input order, the job whose turn it
 * is streams and the ones after it wait; unordered, whole sections as
 * jobs finish. */
void batch_flush(struct batch *b);

/* The --out file (batch-out.c). */
/* Append one record line to --out and make it durable. */
void batch_out_write(struct batch *b, const char *line, size_t len);
/* Fill r with what every record of item i says (sizes, hash, group). */
void batch_record_fill_item(struct batch *b, struct batch_job *j, size_t i,
			    struct batch_record *r, char **group);
/* --out: read the earlier records into rs, then open the file for
 * appending (locked: two batches must not interleave their records);
 * 0, or -1 after saying why. */
int batch_out_open(struct batch *b, struct batch_resume *rs);

/* One request (batch-job.c). */
/* Make j's response empty, with the answer cap and the key to mask. */
void batch_response_init(struct batch_job *j);
/* Start job j: fit its images, build the request, send it.  A job whose
 * images all failed to load ends at once with their records. */
void batch_job_start(struct batch *b, struct batch_job *j);

#endif
