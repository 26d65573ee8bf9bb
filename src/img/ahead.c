#include <config.h>

#include "img/ahead.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

/* Rows in the ring: enough that neither side waits on the other's
 * hiccups, few enough to stay in the cache (16 rows of a 4K picture are
 * 240 kB). */
#define AHEAD_SLOTS 16

struct img_ahead {
	struct img_rows src;
	size_t stride;
	unsigned char *ring; /* AHEAD_SLOTS rows of stride bytes */
	pthread_t thread;
	bool started;  /* the thread runs (or ran) */
	bool sync;     /* no thread could be started: read src directly */
	pthread_mutex_t mu;
	pthread_cond_t have_row; /* produced grew, or failed was set */
	pthread_cond_t room;     /* consumed grew, or stop was set */
	unsigned produced;       /* rows [0, produced) are in the ring or gone */
	unsigned consumed;       /* rows [0, consumed) were copied out */
	bool failed;             /* src's row() failed (its message is set) */
	bool stop;               /* the consumer is done: read no more */
};

/* Return the ring slot of row y. */
static unsigned char *ahead_slot(struct img_ahead *a, unsigned y)
{
	return a->ring + (size_t)(y % AHEAD_SLOTS) * a->stride;
}

/* The thread: read src's rows in order into the ring, waiting while it is full. */
static void *ahead_run(void *arg)
{
	struct img_ahead *a = arg;
	for (unsigned y = 0; y < a->src.h; y++) {
		pthread_mutex_lock(&a->mu);
		while (y - a->consumed >= AHEAD_SLOTS && !a->stop)
			pthread_cond_wait(&a->room, &a->mu);
		bool stop = a->stop;
		pthread_mutex_unlock(&a->mu);
		if (stop)
			break;
		/* Row y's slot was copied out by now: only this thread touches it. */
		unsigned char *slot = ahead_slot(a, y);
		const unsigned char *p = a->src.row(a->src.ctx, y, slot);
		if (p && p != slot)
			memcpy(slot, p, a->stride);
		pthread_mutex_lock(&a->mu);
		if (p)
			a->produced = y + 1;
		else
			a->failed = true;
		pthread_cond_signal(&a->have_row);
		pthread_mutex_unlock(&a->mu);
		if (!p)
			break;
	}
	return NULL;
}

/* The consumer's row(): wait for row y and copy it into buf. */
static const unsigned char *ahead_row(void *ctx, unsigned y, unsigned char *buf)
{
	struct img_ahead *a = ctx;
	if (!a->started && !a->sync) {
		if (pthread_create(&a->thread, NULL, ahead_run, a) == 0)
			a->started = true;
		else
			a->sync = true;
	}
	if (a->sync)
		return a->src.row(a->src.ctx, y, buf);
	pthread_mutex_lock(&a->mu);
	while (a->produced <= y && !a->failed)
		pthread_cond_wait(&a->have_row, &a->mu);
	bool have = a->produced > y;
	pthread_mutex_unlock(&a->mu);
	if (!have)
		return NULL;
	memcpy(buf, ahead_slot(a, y), a->stride);
	pthread_mutex_lock(&a->mu);
	a->consumed = y + 1;
	pthread_cond_signal(&a->room);
	pthread_mutex_unlock(&a->mu);
	return buf;
}

struct img_ahead *img_ahead_new(const struct img_rows *src, size_t row_bytes, struct img_rows *wrapped)
{
	if ((uint64_t)src->w * src->h < IMG_AHEAD_PIXELS)
		return NULL;
	struct img_ahead *a = xalloc_try_calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->src = *src;
	a->stride = row_bytes;
	a->ring = xalloc_try_malloc(a->stride * AHEAD_SLOTS);
	if (!a->ring) {
		free(a);
		return NULL;
	}
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->have_row, NULL);
	pthread_cond_init(&a->room, NULL);
	*wrapped = *src;
	wrapped->row = ahead_row;
	wrapped->ctx = a;
	return a;
}

bool img_ahead_finish(struct img_ahead *a)
{
	if (a->started) {
		pthread_mutex_lock(&a->mu);
		a->stop = true;
		pthread_cond_signal(&a->room);
		pthread_mutex_unlock(&a->mu);
		pthread_join(a->thread, NULL);
	}
	bool failed = a->failed;
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->have_row);
	pthread_cond_destroy(&a->room);
	free(a->ring);
	free(a);
	return failed;
}
