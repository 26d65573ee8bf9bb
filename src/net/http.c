#include <config.h>

#include "net/http.h"
#include "core/config.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Error bodies are read for their message only; more is never needed. */
#define HTTP_MAX_ERROR_BODY (64 * 1024)
/* Back-off between retries: base, doubled each time, capped. */
#define HTTP_RETRY_BASE_MS 500
#define HTTP_RETRY_CAP_MS 30000
/* A server asking for a longer wait than this is not waited for. */
#define HTTP_RETRY_AFTER_MAX_MS 60000

struct http_transfer {
	struct http_client *client;
	struct http_transfer *next;
	CURL *easy; /* NULL while waiting for a retry */
	struct curl_slist *headers;
	struct http_request req;
	struct http_handlers h;
	void *ud;
	char errbuf[CURL_ERROR_SIZE];

	long status;
	bool headers_seen;   /* on_headers called */
	bool success_status; /* 2xx */
	struct strbuf ctype;
	struct strbuf retry_after;
	struct strbuf location;
	struct strbuf error_body;
	bool aborted;
	int attempts;
	double retry_at; /* monotonic seconds, 0 when not waiting */
	double t_start, t_first_byte;
	size_t delivered;
	char *message;
};

struct http_client {
	CURLM *multi;
	struct http_transfer *transfers;
	int active;
};

double http_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#ifdef SQUINT_TORTURE
/* libcurl's allocations, counted by the torture build (core/xalloc.h). */
static void *http_torture_malloc(size_t n)
{
	return xalloc_torture_fail() ? NULL : malloc(n);
}

static void *http_torture_calloc(size_t n, size_t sz)
{
	return xalloc_torture_fail() ? NULL : calloc(n, sz);
}

static void *http_torture_realloc(void *p, size_t n)
{
	return xalloc_torture_fail() ? NULL : realloc(p, n);
}

static char *http_torture_strdup(const char *s)
{
	return xalloc_torture_fail() ? NULL : strdup(s);
}

static CURLcode http_global_init(void)
{
	return curl_global_init_mem(CURL_GLOBAL_DEFAULT, http_torture_malloc, free,
				    http_torture_realloc, http_torture_strdup, http_torture_calloc);
}
#else
static CURLcode http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT);
}
#endif

/* Initialise libcurl once; 0, or -1 with *err set. */
int http_global_setup(char **err)
{
	static bool global_done;
	if (!global_done) {
		if (http_global_init() != CURLE_OK) {
			*err = xstrdup(_("cannot initialise libcurl"));
			return -1;
		}
		global_done = true;
	}
	return 0;
}

struct http_client *http_client_new(char **err)
{
	if (http_global_setup(err) != 0)
		return NULL;
	struct http_client *c = xcalloc(1, sizeof *c);
	c->multi = curl_multi_init();
	if (!c->multi) {
		free(c);
		*err = xstrdup(_("cannot initialise libcurl"));
		return NULL;
	}
	/* Requests to one server share a connection where HTTP/2 allows. */
	curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	return c;
}

/* Unlink t from its client and free it (its easy handle already gone). */
static void http_transfer_free(struct http_transfer *t)
{
	struct http_transfer **pp = &t->client->transfers;
	while (*pp && *pp != t)
		pp = &(*pp)->next;
	if (*pp)
		*pp = t->next;
	t->client->active--;
	curl_slist_free_all(t->headers);
	strbuf_done(&t->ctype);
	strbuf_done(&t->retry_after);
	strbuf_done(&t->location);
	strbuf_done(&t->error_body);
	free(t->message);
	free(t);
}

/* Detach and free the easy handle of t, if any. */
static void http_transfer_drop_easy(struct http_transfer *t)
{
	if (!t->easy)
		return;
	curl_multi_remove_handle(t->client->multi, t->easy);
	curl_easy_cleanup(t->easy);
	t->easy = NULL;
}

/* Report the end of t through on_done, then free it. */
static void http_transfer_finish(struct http_transfer *t, enum http_outcome outcome,
				 struct api_error *api, const char *message)
{
	http_transfer_drop_easy(t);
	struct http_result res;
	memset(&res, 0, sizeof res);
	res.outcome = outcome;
	res.status = t->status;
	if (api)
		res.api = *api;
	else
		api_error_init(&res.api);
	res.message = message;
	res.attempts = t->attempts;
	res.t_start = t->t_start;
	res.t_first_byte = t->t_first_byte;
	res.t_end = http_now();
	res.bytes = t->delivered;
	if (t->h.on_done)
		t->h.on_done(t->ud, &res);
	if (!api)
		api_error_done(&res.api);
	http_transfer_free(t);
}

/* Header callback: note the status line, Content-Type and Retry-After. */
static size_t http_on_header(char *buf, size_t size, size_t n, void *ud)
{
	struct http_transfer *t = ud;
	size_t len = size * n;
	if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		/* A new response (after 100-continue, or a proxy's CONNECT). */
		strbuf_reset(&t->ctype);
		strbuf_reset(&t->retry_after);
		strbuf_reset(&t->location);
		return len;
	}
	const char *colon = memchr(buf, ':', len);
	if (!colon)
		return len;
	size_t name_len = (size_t)(colon - buf);
	const char *v = colon + 1, *end = buf + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	struct strbuf *dst = NULL;
	if (name_len == 12 && strncasecmp(buf, "content-type", 12) == 0)
		dst = &t->ctype;
	else if (name_len == 11 && strncasecmp(buf, "retry-after", 11) == 0)
		dst = &t->retry_after;
	else if (name_len == 8 && strncasecmp(buf, "location", 8) == 0)
		dst = &t->location;
	if (dst) {
		strbuf_reset(dst);
		strbuf_append(dst, v, (size_t)(end - v));
	}
	return len;
}

/* Write callback: a 2xx body goes to the caller, an error body is kept. */
static size_t http_on_write(char *buf, size_t size, size_t n, void *ud)
{
	struct http_transfer *t = ud;
	size_t len = size * n;
	if (!t->headers_seen) {
		t->headers_seen = true;
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
		t->success_status = t->status >= 200 && t->status < 300;
		if (t->success_status && t->h.on_headers)
			t->h.on_headers(t->ud, t->status, t->ctype.len ? t->ctype.data : NULL);
	}
	if (!t->success_status) {
		size_t room = HTTP_MAX_ERROR_BODY - t->error_body.len;
		strbuf_append(&t->error_body, buf, len < room ? len : room);
		return len;
	}
	if (len == 0)
		return 0;
	if (t->delivered == 0)
		t->t_first_byte = http_now();
	t->delivered += len;
	if (t->h.on_data && t->h.on_data(t->ud, buf, len) != 0) {
		t->aborted = true;
		return CURL_WRITEFUNC_ERROR;
	}
	return len;
}

/* libcurl's progress meter: pass the upload's progress on. */
static int http_on_xferinfo(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
			    curl_off_t ulnow)
{
	struct http_transfer *t = ud;
	(void)dltotal;
	(void)dlnow;
	t->h.on_progress(t->ud, ulnow, ultotal);
	return 0;
}

/* Create and attach the easy handle for one attempt of t; 0 or -1. */
static int http_transfer_attempt(struct http_transfer *t, char **err)
{
	const struct http_request *r = &t->req;
	CURL *e = curl_easy_init();
	if (!e) {
		*err = xstrdup(_("cannot initialise libcurl"));
		return -1;
	}
	t->easy = e;
	t->attempts++;
	t->status = 0;
	t->headers_seen = false;
	t->success_status = false;
	t->errbuf[0] = '\0';
	strbuf_reset(&t->error_body);
	strbuf_reset(&t->ctype);
	strbuf_reset(&t->retry_after);

	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "squint/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, http_on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 30L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (r->connect_timeout_s > 0)
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, r->connect_timeout_s);
	if (r->idle_timeout_s > 0) {
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, r->idle_timeout_s);
	}
	if (r->cacert)
		curl_easy_setopt(e, CURLOPT_CAINFO, r->cacert);
	if (r->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (r->proxy)
		curl_easy_setopt(e, CURLOPT_PROXY, r->proxy);
	if (r->post) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	}
	if (r->max_send_speed > 0)
		curl_easy_setopt(e, CURLOPT_MAX_SEND_SPEED_LARGE, r->max_send_speed);
	if (r->pipewait)
		curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	if (t->h.on_progress) {
		curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, http_on_xferinfo);
		curl_easy_setopt(e, CURLOPT_XFERINFODATA, t);
		curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	}
	CURLMcode mc = curl_multi_add_handle(t->client->multi, e);
	if (mc != CURLM_OK) {
		*err = xasprintf(_("cannot start the request: %s"), curl_multi_strerror(mc));
		curl_easy_cleanup(e);
		t->easy = NULL;
		return -1;
	}
	return 0;
}

struct http_transfer *http_client_start(struct http_client *c, const struct http_request *req,
					const struct http_handlers *h, void *ud, char **err)
{
	struct http_transfer *t = xcalloc(1, sizeof *t);
	t->client = c;
	t->req = *req;
	t->h = *h;
	t->ud = ud;
	t->t_start = http_now();
	strbuf_init(&t->ctype);
	strbuf_init(&t->retry_after);
	strbuf_init(&t->location);
	strbuf_init(&t->error_body);

	/* The key lives only in this in-memory header list: never argv, never logs. */
	if (req->api_key && *req->api_key) {
		char *auth = xasprintf("Authorization: Bearer %s", req->api_key);
		t->headers = curl_slist_append(t->headers, auth);
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	if (req->post)
		t->headers = curl_slist_append(t->headers, "Content-Type: application/json");
	if (req->accept) {
		char *acc = xasprintf("Accept: %s", req->accept);
		t->headers = curl_slist_append(t->headers, acc);
		free(acc);
	}
	/* libcurl would send "Expect: 100-continue" for big bodies and wait. */
	t->headers = curl_slist_append(t->headers, "Expect:");
	for (size_t i = 0; i < req->n_headers; i++)
		t->headers = curl_slist_append(t->headers, req->headers[i]);

	t->next = c->transfers;
	c->transfers = t;
	c->active++;
	if (http_transfer_attempt(t, err) != 0) {
		http_transfer_free(t);
		return NULL;
	}
	return t;
}

void http_transfer_cancel(struct http_transfer *t)
{
	http_transfer_finish(t, HTTP_CANCELLED, NULL, _("cancelled"));
}

/* Return the delay before retry number attempt (1-based), with jitter. */
static long http_backoff_ms(int attempt)
{
	long d = HTTP_RETRY_BASE_MS;
	for (int i = 1; i < attempt && d < HTTP_RETRY_CAP_MS; i++)
		d *= 2;
	if (d > HTTP_RETRY_CAP_MS)
		d = HTTP_RETRY_CAP_MS;
	/* ±25 % so many clients do not retry in lockstep. */
	return d * 3 / 4 + (long)(rand() % (int)(d / 2 + 1));
}

/* Return true when a libcurl failure means the request never got answered. */
static bool http_curl_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

/* Schedule another attempt of t after delay_ms and tell the caller why. */
static void http_transfer_schedule_retry(struct http_transfer *t, long delay_ms,
					 const char *reason)
{
	http_transfer_drop_easy(t);
	t->retry_at = http_now() + (double)delay_ms / 1000.0;
	if (t->h.on_retry)
		t->h.on_retry(t->ud, t->attempts, delay_ms, reason);
}

/* Describe a libcurl failure in one line; newly allocated. */
static char *http_describe_curl(struct http_transfer *t, CURLcode rc, bool *timeout)
{
	*timeout = false;
	const char *detail = t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc);
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		*timeout = true;
		/* A reused connection (the TUI's model list went first) has no
		 * connect time: what was sent tells whether we got through. */
		curl_off_t connect_us = 0;
		long sent = 0;
		curl_easy_getinfo(t->easy, CURLINFO_CONNECT_TIME_T, &connect_us);
		curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &sent);
		if (connect_us == 0 && sent == 0)
			return xasprintf(_("could not connect within %ld s"),
					 t->req.connect_timeout_s);
		if (t->delivered)
			return xasprintf(_("the answer stalled: no data for %ld s (idle timeout)"),
					 t->req.idle_timeout_s);
		return xasprintf(_("no answer within %ld s (idle timeout)"), t->req.idle_timeout_s);
	}
	if (rc == CURLE_COULDNT_RESOLVE_HOST)
		return xasprintf(_("cannot resolve the server's name: %s"), detail);
	if (rc == CURLE_COULDNT_CONNECT)
		return xasprintf(_("cannot connect: %s"), detail);
	if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
	    rc == CURLE_SSL_CONNECT_ERROR)
		return xasprintf(_("TLS failed: %s (see --cacert)"), detail);
	if (t->delivered && (rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR ||
			     rc == CURLE_HTTP2_STREAM || rc == CURLE_HTTP2))
		return xasprintf(_("the connection broke mid-answer: %s"), detail);
	return xasprintf(_("network error: %s"), detail);
}

/* A finished attempt of t: deliver, retry or report. */
static void http_transfer_complete(struct http_transfer *t, CURLcode rc)
{
	if (!t->headers_seen)
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
	bool can_retry = t->attempts <= t->req.retries && t->delivered == 0 && !t->aborted;

	if (t->aborted) {
		http_transfer_finish(t, HTTP_ABORTED, NULL, _("stopped"));
		return;
	}
	if (rc == CURLE_OK && t->status >= 200 && t->status < 300) {
		http_transfer_finish(t, HTTP_OK, NULL, NULL);
		return;
	}
	if (rc == CURLE_OK || (t->status >= 300 && t->error_body.len)) {
		struct api_error api;
		api_error_init(&api);
		api_error_parse(&api, t->status, t->ctype.len ? t->ctype.data : NULL,
				t->error_body.data ? t->error_body.data : "", t->error_body.len);
		/* A server may quote the key it refused: never show it. */
		config_scrub(api.message, t->req.api_key);
		char *line = api_error_format(&api);
		config_scrub(line, t->req.api_key);
		if (t->status >= 300 && t->status < 400 && t->location.len) {
			char *more = xasprintf(_("%s (redirected to %s: use that as the base URL)"),
					       line, t->location.data);
			free(line);
			line = more;
		}
		if (can_retry && api_error_retryable(&api)) {
			long delay = -1;
			if (t->retry_after.len)
				delay = api_retry_after_ms(t->retry_after.data, (long long)time(NULL));
			if (delay > HTTP_RETRY_AFTER_MAX_MS) {
				char *more = xasprintf(_("%s (the server asks to wait %ld s)"), line,
						       delay / 1000);
				free(line);
				line = more;
			} else {
				if (delay < 0)
					delay = http_backoff_ms(t->attempts);
				http_transfer_schedule_retry(t, delay, line);
				free(line);
				api_error_done(&api);
				return;
			}
		}
		t->message = line;
		http_transfer_finish(t, HTTP_STATUS_ERROR, &api, t->message);
		api_error_done(&api);
		return;
	}

	bool timeout;
	char *line = http_describe_curl(t, rc, &timeout);
	if (can_retry && http_curl_retryable(rc)) {
		http_transfer_schedule_retry(t, http_backoff_ms(t->attempts), line);
		free(line);
		return;
	}
	t->message = line;
	http_transfer_finish(t, timeout ? HTTP_TIMEOUT : HTTP_NETWORK_ERROR, NULL, t->message);
}

/* Start the retries that are due; return ms until the next one, or -1. */
static long http_client_due_retries(struct http_client *c)
{
	double now = http_now();
	long next = -1;
	struct http_transfer *t = c->transfers;
	while (t) {
		struct http_transfer *following = t->next;
		if (!t->easy && t->retry_at > 0) {
			if (t->retry_at <= now) {
				t->retry_at = 0;
				char *err = NULL;
				if (http_transfer_attempt(t, &err) != 0) {
					t->message = err;
					http_transfer_finish(t, HTTP_NETWORK_ERROR, NULL, err);
				}
			} else {
				long ms = (long)((t->retry_at - now) * 1000.0) + 1;
				if (next < 0 || ms < next)
					next = ms;
			}
		}
		t = following;
	}
	return next;
}

int http_client_run(struct http_client *c, struct curl_waitfd *extra, unsigned n_extra,
		    int timeout_ms)
{
	long due = http_client_due_retries(c);
	if (due >= 0 && due < timeout_ms)
		timeout_ms = (int)due;
	int numfds = 0;
	curl_multi_poll(c->multi, extra, n_extra, timeout_ms, &numfds);
	int running = 0;
	curl_multi_perform(c->multi, &running);

	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(c->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct http_transfer *t = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		http_transfer_complete(t, msg->data.result);
	}
	http_client_due_retries(c);
	return c->active;
}

long http_transfer_status(const struct http_transfer *t)
{
	return t->status;
}

int http_client_active(const struct http_client *c)
{
	return c->active;
}

void http_client_delete(struct http_client *c)
{
	if (!c)
		return;
	while (c->transfers)
		http_transfer_cancel(c->transfers);
	curl_multi_cleanup(c->multi);
	free(c);
}
