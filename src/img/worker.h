/* Image preparation off the interactive loop: one worker thread that
 * reads, decodes, fits and re-encodes attached images and makes their
 * preview pictures, while the loop keeps reading keys.
 *
 * Why a thread and not a child process: the results are big in-memory
 * structures (a data URI, pixels) that a pipe would have to copy and
 * parse; a thread hands over pointers.  The thread only does pure work on
 * what its job owns (the file, libpng/libjpeg/libwebp, plain malloc): no
 * curses, no terminal, nothing of the UI's, and no curl of the loop's.
 * With --fetch-urls a job's first step is downloading its URL through the
 * fetch function its options carry (net/fetch.h: a blocking easy handle of
 * the job's own, never the loop's multi handle); the loop can stop it
 * through the job's cancel flag.  Jobs and results
 * pass through a mutex-guarded list; a byte on a pipe wakes the loop,
 * which polls the pipe's read end with the terminal and curl's sockets,
 * and takes the results on its own thread.  So the loop stays the only
 * thread that touches the UI or the network. */
#ifndef SQUINT_IMG_WORKER_H
#define SQUINT_IMG_WORKER_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/attach.h"
#include "img/image.h"
#include "img/upload.h"

struct img_job {
	/* Set by the submitter; the job owns its strings. */
	uint64_t id;
	char *arg;            /* the file as given */
	char *data_uri;       /* a preview job: only the thumb, from this data: URI */
	char *model, *detail; /* copies; opts points at these */
	char *cacert, *proxy; /* copies for opts.fetch_opts */
	atomic_bool cancel;   /* set: stop a download (opts.fetch_opts.cancel) */
	struct upload_opts opts;
	unsigned box_w, box_h; /* the preview: at least half this big, at most this (0: none) */
	unsigned fit_w, fit_h; /* a preview job: the thumb comes exactly this big (0: as it fits) */
	unsigned delay_ms;     /* tests: wait this long first (SQUINT_TEST_PREPARE_MS) */
	/* Filled by the worker. */
	int rc;              /* 0, or -1 with err set */
	char *err;           /* one line naming the file */
	struct attachment att; /* ready to send */
	struct image thumb;  /* the preview picture (may be empty) */
	double ms;           /* how long the work took */
	struct img_job *next;
};

struct img_worker;

/* Return a new job for arg with the settings o (copied) and preview box
 * box_w×box_h pixels (0×0: no preview); free it with img_job_delete(). */
struct img_job *img_job_new(uint64_t id, const char *arg, const struct upload_opts *o, unsigned box_w,
			    unsigned box_h);
/* Return a new preview job: decode the data: URI url (copied; name is for
 * messages) within the limits lim into a thumb at least half of, at most
 * box_w×box_h pixels; job->att stays empty.  Free it with img_job_delete(). */
struct img_job *img_job_new_preview(uint64_t id, const char *url, const char *name,
				    const struct img_limits *lim, unsigned box_w, unsigned box_h);
/* Fill *thumb with the len bytes of an image file at buf (name for
 * messages) decoded to at least half of, at most box_w×box_h pixels (the
 * aspect ratio kept, never enlarged).  Returns 0, or -1 with *err (if err
 * is not NULL) newly allocated. */
int img_thumb_decode(const unsigned char *buf, size_t len, const char *name,
		     const struct img_limits *lim, unsigned box_w, unsigned box_h, struct image *thumb,
		     char **err);
/* Free job and everything it owns (NULL is fine). */
void img_job_delete(struct img_job *job);
/* Do job's work on the calling thread (what the worker runs). */
void img_job_run(struct img_job *job);

/* Start the worker thread; returns it, or NULL with *err newly allocated. */
struct img_worker *img_worker_new(char **err);
/* Return the descriptor that becomes readable when results are ready. */
int img_worker_fd(const struct img_worker *w);
/* Queue job (the worker owns it until img_worker_take() hands it back). */
void img_worker_submit(struct img_worker *w, struct img_job *job);
/* Return the next finished job (the caller owns it), or NULL when none is
 * ready yet; drains the wake-up pipe. */
struct img_job *img_worker_take(struct img_worker *w);
/* Return how many jobs are queued, running or finished but not taken. */
unsigned img_worker_pending(struct img_worker *w);
/* Stop the worker (after the job it is running) and free it with every
 * job it still holds (NULL is fine). */
void img_worker_delete(struct img_worker *w);

#endif
