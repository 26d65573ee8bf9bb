/* Download one image URL for --fetch-urls: a blocking GET on an easy handle
 * of its own, so nothing of the API connection goes with it (no
 * Authorization, no configured extra header), capped in size while it
 * arrives.
 *
 * Blocking on purpose: the one-shot mode has nothing else to do until its
 * images are ready, and the interactive mode runs it on the image worker
 * thread (img/worker.h), where the download is simply the first step of
 * preparing the attachment; its cancel flag lets the loop stop it. */
#ifndef SQUINT_NET_FETCH_H
#define SQUINT_NET_FETCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* Redirects followed before giving up. */
#define FETCH_MAX_REDIRECTS 5

struct fetch_opts {
	size_t max_bytes;	/* the body may not be longer (max_file_mb) */
	long connect_timeout_s; /* 0: libcurl's default */
	long idle_timeout_s;	/* no byte for this long: give up (0: never) */
	const char *cacert;	/* borrowed, NULL: the system's */
	bool insecure;
	const char *proxy;	   /* borrowed, NULL: libcurl's default */
	const atomic_bool *cancel; /* when it becomes true the download stops (NULL: never) */
};

/* Set libcurl up for the process (once; later calls do nothing).  Call it
 * on the main thread before any other thread may fetch.  Returns 0, or -1
 * with *err newly allocated. */
int fetch_global_init(char **err);

/* GET url, following at most FETCH_MAX_REDIRECTS http(s) redirects, into a
 * newly allocated buffer (plain malloc; the caller frees *out) of *out_len
 * bytes.  Returns 0, or -1 with *err newly allocated: one line naming url
 * (an HTTP status, too large, a connect failure, a timeout, ...). */
int fetch_url(const char *url, const struct fetch_opts *o, unsigned char **out, size_t *out_len,
	      char **err);

#endif
