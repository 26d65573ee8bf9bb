/* --each: the pure state of a batch run — how many requests may be in
 * flight, when the next may start after a rate limit, which answer is
 * next in input order, and the progress line.  No curl, no I/O. */
#ifndef SQUINT_BATCH_SCHED_H
#define SQUINT_BATCH_SCHED_H

#include "core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* The shared rate-limit state: one 429 slows the whole batch down. */
struct batch_sched {
	int max_jobs;       /* --jobs: the ceiling */
	int limit;          /* requests allowed in flight now, 1..max_jobs */
	double pause_until; /* monotonic seconds: no request starts before */
	int ok_streak;      /* answers since the limit last changed */
	int n_limited;      /* rate-limit episodes seen */
};

/* Initialise s for at most jobs requests at a time (at least 1). */
void batch_sched_init(struct batch_sched *s, int jobs);
/* Return true when one more request may start now, running in flight. */
bool batch_sched_may_start(const struct batch_sched *s, int running, double now);
/* The server said "too many requests" (wait_s: its Retry-After or our
 * back-off): pause every new request until now + wait_s and, once per
 * episode, halve the concurrency.  Returns true when this began a new
 * episode (worth telling the user), false when it only extended one. */
bool batch_sched_limited(struct batch_sched *s, double now, double wait_s);
/* An answer arrived: after a full round of them (as many as the limit)
 * outside a pause, allow one more request in flight, up to max_jobs. */
void batch_sched_succeeded(struct batch_sched *s, double now);
/* Return the milliseconds until the pause ends (0 when not paused). */
long batch_sched_wait_ms(const struct batch_sched *s, double now);

/* Return the first index at or after next whose entry of done is false
 * (n when all are done): the answer whose turn it is in input order. */
size_t batch_order_next(const bool *done, size_t n, size_t next);

/* What the progress line shows. */
struct batch_progress {
	size_t total;    /* images in this run (skipped ones not counted) */
	size_t done;     /* answered */
	size_t failed;   /* recorded with an error */
	size_t running;  /* in requests now in flight */
	long tokens;     /* total tokens of the answers so far */
	double elapsed;  /* seconds since the first request */
	bool paused;     /* waiting after a rate limit */
};

/* Return the estimated seconds left from the pace so far, or -1 when
 * nothing has finished yet. */
double batch_eta(const struct batch_progress *p);
/* Append the one-line progress text of p to sb (no newline, no escapes). */
void batch_progress_format(struct strbuf *sb, const struct batch_progress *p);

#endif
