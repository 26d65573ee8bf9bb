#include <config.h>

#include "img/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "i18n.h"
#include "img/decode.h"
#include "img/fit.h"

struct img_worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct img_job *queue, *done; /* FIFO lists */
	struct img_job *running;      /* the job being run, NULL when idle */
	unsigned pending;             /* queued + running + done */
	bool quit;
	int pipe[2];
};

/* Return a newly allocated job. */
struct img_job *img_job_new(uint64_t id, const char *arg, const struct upload_opts *o, unsigned box_w,
			    unsigned box_h)
{
	struct img_job *j = xcalloc(1, sizeof *j);
	j->id = id;
	j->arg = xstrdup(arg);
	j->opts = *o;
	j->model = o->model ? xstrdup(o->model) : NULL;
	j->detail = o->detail ? xstrdup(o->detail) : NULL;
	j->opts.model = j->model;
	j->opts.detail = j->detail;
	j->cacert = o->fetch_opts.cacert ? xstrdup(o->fetch_opts.cacert) : NULL;
	j->proxy = o->fetch_opts.proxy ? xstrdup(o->fetch_opts.proxy) : NULL;
	j->opts.fetch_opts.cacert = j->cacert;
	j->opts.fetch_opts.proxy = j->proxy;
	atomic_init(&j->cancel, false);
	j->opts.fetch_opts.cancel = &j->cancel;
	j->box_w = box_w;
	j->box_h = box_h;
	attachment_init(&j->att);
	image_init(&j->thumb);
	return j;
}

/* Return a newly allocated preview job. */
struct img_job *img_job_new_preview(uint64_t id, const char *url, const char *name,
				    const struct img_limits *lim, unsigned box_w, unsigned box_h)
{
	struct img_job *j = xcalloc(1, sizeof *j);
	j->id = id;
	j->arg = xstrdup(name);
	j->data_uri = xstrdup(url);
	j->opts.lim = *lim;
	j->box_w = box_w;
	j->box_h = box_h;
	attachment_init(&j->att);
	image_init(&j->thumb);
	return j;
}

/* Free job. */
void img_job_delete(struct img_job *job)
{
	if (!job)
		return;
	free(job->arg);
	free(job->data_uri);
	free(job->model);
	free(job->detail);
	free(job->cacert);
	free(job->proxy);
	free(job->err);
	attachment_done(&job->att);
	image_free(&job->thumb);
	free(job);
}

/* Return the monotonic clock in milliseconds. */
static double worker_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Make job's preview picture, from the fitted pixels when they are big
 * enough for the box (no second decode), else by decoding the file again
 * (fitting off, or fitted far below the screen's size).  A preview is a
 * nicety: on failure the job just has none. */
static void worker_thumb(struct img_job *job, struct image *fitted)
{
	unsigned bw = job->box_w, bh = job->box_h;
	if (!bw || !bh)
		return;
	struct image src;
	image_init(&src);
	bool whole = fitted->rgba && fitted->w == job->att.width && fitted->h == job->att.height;
	if (fitted->rgba && (whole || fitted->w >= bw / 2 || fitted->h >= bh / 2)) {
		src = *fitted;
		image_init(fitted);
	} else {
		unsigned char *buf = NULL;
		size_t len = 0;
		/* A fetched URL is not downloaded twice: the preview is
		 * made from the bytes that are sent. */
		bool url = strncasecmp(job->arg, "http://", 7) == 0 || strncasecmp(job->arg, "https://", 8) == 0;
		if (url)
			buf = attach_data_uri_bytes(job->att.url, &len);
		if ((url ? !buf : attachment_read(job->arg, job->opts.lim.max_bytes, &buf, &len, NULL) != 0) ||
		    img_decode_at_least(buf, len, job->att.name, &job->opts.lim, bw / 2, bh / 2, &src, NULL,
					NULL) != 0) {
			free(buf);
			return;
		}
		free(buf);
	}
	if (src.w > bw || src.h > bh) {
		double s = (double)bw / src.w < (double)bh / src.h ? (double)bw / src.w : (double)bh / src.h;
		unsigned w = (unsigned)(src.w * s + 0.5), h = (unsigned)(src.h * s + 0.5);
		img_scale(&src, w ? w : 1, h ? h : 1, &job->thumb);
		image_free(&src);
	} else {
		job->thumb = src;
	}
}

/* Decode an image file into a thumb for a box (see worker.h). */
int img_thumb_decode(const unsigned char *buf, size_t len, const char *name,
		     const struct img_limits *lim, unsigned box_w, unsigned box_h, struct image *thumb,
		     char **err)
{
	struct image full;
	image_init(&full);
	image_init(thumb);
	if (img_decode_at_least(buf, len, name, lim, box_w / 2, box_h / 2, &full, NULL, err) != 0)
		return -1;
	if (full.w <= box_w && full.h <= box_h) {
		*thumb = full;
		return 0;
	}
	double s = (double)box_w / full.w < (double)box_h / full.h ? (double)box_w / full.w
								  : (double)box_h / full.h;
	unsigned w = (unsigned)(full.w * s + 0.5), h = (unsigned)(full.h * s + 0.5);
	int rc = img_scale(&full, w ? w : 1, h ? h : 1, thumb);
	image_free(&full);
	if (rc != 0 && err)
		*err = xasprintf(_("%s: out of memory"), name);
	return rc == 0 ? 0 : -1;
}

/* Do a preview job: base64 to bytes, then the thumb. */
static void worker_preview(struct img_job *job)
{
	size_t len = 0;
	unsigned char *buf = attach_data_uri_bytes(job->data_uri, &len);
	if (!buf) {
		job->rc = -1;
		job->err = xasprintf(_("%s: not a base64 data: URI"), job->arg);
		return;
	}
	job->rc = img_thumb_decode(buf, len, job->arg, &job->opts.lim, job->box_w, job->box_h,
				   &job->thumb, &job->err);
	free(buf);
	/* The layout was made for the size the header promised: a JPEG scaled
	 * in its DCT can come out a pixel off. */
	if (job->rc == 0 && job->fit_w && job->fit_h &&
	    (job->thumb.w != job->fit_w || job->thumb.h != job->fit_h)) {
		struct image exact;
		image_init(&exact);
		if (img_scale(&job->thumb, job->fit_w, job->fit_h, &exact) == 0) {
			image_free(&job->thumb);
			job->thumb = exact;
		}
	}
}

/* Do job's work: prepare the upload, then the preview. */
void img_job_run(struct img_job *job)
{
	if (job->delay_ms) {
		struct timespec d = {job->delay_ms / 1000, (long)(job->delay_ms % 1000) * 1000000L};
		nanosleep(&d, NULL);
	}
	double t0 = worker_now_ms();
	if (job->data_uri) {
		worker_preview(job);
		job->ms = worker_now_ms() - t0;
		return;
	}
	struct image fitted;
	image_init(&fitted);
	job->rc = upload_attach_pixels(&job->att, job->arg, &job->opts, &fitted, &job->err);
	if (job->rc == 0 && !job->att.is_url)
		worker_thumb(job, &fitted);
	image_free(&fitted);
	job->ms = worker_now_ms() - t0;
}

/* The worker thread: run queued jobs in order until told to quit. */
static void *worker_main(void *arg)
{
	struct img_worker *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->queue && !w->quit)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->quit)
			break;
		struct img_job *job = w->queue;
		w->queue = job->next;
		job->next = NULL;
		w->running = job;
		pthread_mutex_unlock(&w->lock);
		img_job_run(job);
		pthread_mutex_lock(&w->lock);
		w->running = NULL;
		struct img_job **tail = &w->done;
		while (*tail)
			tail = &(*tail)->next;
		*tail = job;
		/* Full pipe: the loop has a byte to wake it already. */
		ssize_t n = write(w->pipe[1], "j", 1);
		(void)n;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Start the worker. */
struct img_worker *img_worker_new(char **err)
{
	struct img_worker *w = xcalloc(1, sizeof *w);
	if (pipe(w->pipe) != 0) {
		if (err)
			*err = xasprintf(_("cannot prepare images in the background: %s"), strerror(errno));
		free(w);
		return NULL;
	}
	for (int i = 0; i < 2; i++) {
		fcntl(w->pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(w->pipe[i], F_SETFD, FD_CLOEXEC);
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	int rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc != 0) {
		if (err)
			*err = xasprintf(_("cannot prepare images in the background: %s"), strerror(rc));
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->wake);
		close(w->pipe[0]);
		close(w->pipe[1]);
		free(w);
		return NULL;
	}
	return w;
}

/* Return the wake-up descriptor. */
int img_worker_fd(const struct img_worker *w)
{
	return w->pipe[0];
}

/* Queue a job. */
void img_worker_submit(struct img_worker *w, struct img_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&w->lock);
	struct img_job **tail = &w->queue;
	while (*tail)
		tail = &(*tail)->next;
	*tail = job;
	w->pending++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

/* Hand back the next finished job, or NULL. */
struct img_job *img_worker_take(struct img_worker *w)
{
	char drain[64];
	while (read(w->pipe[0], drain, sizeof drain) > 0)
		;
	pthread_mutex_lock(&w->lock);
	struct img_job *job = w->done;
	if (job) {
		w->done = job->next;
		job->next = NULL;
		w->pending--;
	}
	pthread_mutex_unlock(&w->lock);
	return job;
}

/* Return the number of jobs not yet taken back. */
unsigned img_worker_pending(struct img_worker *w)
{
	pthread_mutex_lock(&w->lock);
	unsigned n = w->pending;
	pthread_mutex_unlock(&w->lock);
	return n;
}

/* Free a list of jobs. */
static void worker_free_list(struct img_job *j)
{
	while (j) {
		struct img_job *next = j->next;
		img_job_delete(j);
		j = next;
	}
}

/* Stop and free the worker. */
void img_worker_delete(struct img_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->quit = true;
	/* A download must not hold up quitting. */
	if (w->running)
		atomic_store(&w->running->cancel, true);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	worker_free_list(w->queue);
	worker_free_list(w->done);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	close(w->pipe[0]);
	close(w->pipe[1]);
	free(w);
}
