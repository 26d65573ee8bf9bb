/* HTTP requests on one libcurl multi handle, driven by the caller's loop.
 *
 * A transfer owns its retries: a failure that is safe to repeat (no byte of
 * an answer has reached the caller yet) is retried after a back-off, and
 * the caller hears about it through on_retry.  Every outcome ends in exactly
 * one on_done call, made from http_client_run(), never from inside curl. */
#ifndef SQUINT_NET_HTTP_H
#define SQUINT_NET_HTTP_H

#include "core/errbody.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

struct http_client;
struct http_transfer;

struct http_request {
	const char *url;
	bool post;            /* POST body, else GET */
	const char *body;     /* borrowed until on_done */
	size_t body_len;
	const char *api_key;  /* NULL: no Authorization header */
	const char *accept;   /* Accept header, or NULL */
	char *const *headers; /* extra "Name: value" lines */
	size_t n_headers;
	long connect_timeout_s;
	long idle_timeout_s; /* no byte for this long: give up */
	const char *cacert;
	bool insecure;
	const char *proxy;
	int retries;
	curl_off_t max_send_speed; /* bytes/s for the upload; 0: no limit */
	bool pipewait; /* wait for a connection that may multiplex (HTTP/2) */
};

enum http_outcome {
	HTTP_OK,              /* 2xx and the body was delivered */
	HTTP_STATUS_ERROR,    /* the server answered with an error status */
	HTTP_NETWORK_ERROR,   /* connect, TLS, DNS, reset, ... */
	HTTP_TIMEOUT,         /* connect or idle timeout */
	HTTP_CANCELLED,       /* http_transfer_cancel() */
	HTTP_ABORTED,         /* on_data asked to stop */
};

struct http_result {
	enum http_outcome outcome;
	long status;          /* 0 when no reply */
	struct api_error api; /* parsed error body for HTTP_STATUS_ERROR */
	const char *message;  /* one line for anything but HTTP_OK; borrowed */
	int attempts;
	double t_start;       /* monotonic seconds */
	double t_first_byte;  /* of the delivered answer; 0 if none */
	double t_end;
	size_t bytes;         /* delivered to on_data */
};

struct http_handlers {
	/* 2xx headers complete, before the first on_data. */
	void (*on_headers)(void *ud, long status, const char *content_type);
	/* Body bytes of a 2xx answer; return non-zero to abort the transfer. */
	int (*on_data)(void *ud, const char *buf, size_t len);
	/* A retry was scheduled after delay_ms because of reason (one line). */
	void (*on_retry)(void *ud, int attempt, long delay_ms, const char *reason);
	/* The transfer ended; it is freed right after this returns. */
	void (*on_done)(void *ud, const struct http_result *res);
	/* The upload advanced: sent of total body bytes (total 0: not known
	 * yet); called often, from inside http_client_run().  NULL: none. */
	void (*on_progress)(void *ud, curl_off_t sent, curl_off_t total);
};

/* Initialise libcurl for the process (once; later calls do nothing); not
 * thread-safe: call it on the main thread first.  Returns 0, or -1 with
 * *err newly allocated. */
int http_global_setup(char **err);
/* Return a new client (one multi handle), or NULL with *err set. */
struct http_client *http_client_new(char **err);
/* Cancel every transfer (their on_done runs) and free the client. */
void http_client_delete(struct http_client *c);

/* Start req; returns the transfer (owned by the client until on_done), or
 * NULL with *err set to a newly allocated message. */
struct http_transfer *http_client_start(struct http_client *c, const struct http_request *req,
					const struct http_handlers *h, void *ud, char **err);
/* Stop t now; its on_done reports HTTP_CANCELLED.  Safe to call outside
 * callbacks only. */
void http_transfer_cancel(struct http_transfer *t);

/* One turn of the loop: wait up to timeout_ms for network activity, the
 * extra descriptors or a due retry, then run transfers and deliver
 * completions.  Returns the number of transfers still active. */
int http_client_run(struct http_client *c, struct curl_waitfd *extra, unsigned n_extra,
		    int timeout_ms);

/* Return the HTTP status of t's latest attempt (0: none yet); in on_retry
 * it is the status of the attempt that is being retried. */
long http_transfer_status(const struct http_transfer *t);

/* Return the number of transfers not yet done. */
int http_client_active(const struct http_client *c);

/* Return monotonic time in seconds. */
double http_now(void);

#endif
