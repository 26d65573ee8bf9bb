#include <config.h>

#include "net/fetch.h"
#include "core/attach.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "net/http.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fetch_state {
	unsigned char *buf; /* plain malloc: its size comes from the network */
	size_t len, cap;
	size_t max_bytes;
	bool too_big; /* the body went over max_bytes */
	bool no_mem;  /* growing buf failed */
	const atomic_bool *cancel;
};

int fetch_global_init(char **err)
{
	return http_global_setup(err);
}

/* libcurl's write callback: append, or stop the transfer as soon as the
 * body would pass the cap (returning less than given aborts it). */
static size_t fetch_on_write(char *data, size_t size, size_t n, void *ud)
{
	struct fetch_state *st = ud;
	size_t len = size * n;
	if (len > st->max_bytes - st->len) {
		st->too_big = true;
		return 0;
	}
	if (st->len + len > st->cap) {
		size_t cap = st->cap ? st->cap : 64 * 1024;
		while (cap < st->len + len)
			cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
		if (cap > st->max_bytes)
			cap = st->max_bytes;
		unsigned char *p = realloc(st->buf, cap);
		if (!p) {
			st->no_mem = true;
			return 0;
		}
		st->buf = p;
		st->cap = cap;
	}
	memcpy(st->buf + st->len, data, len);
	st->len += len;
	return len;
}

/* libcurl's progress callback: non-zero stops the transfer when the
 * caller cancelled it. */
static int fetch_on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
			     curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	const struct fetch_state *st = ud;
	return st->cancel && atomic_load(st->cancel) ? 1 : 0;
}

/* Store in *err the one line that says why url failed with rc; -1. */
static int fetch_fail(char **err, const char *url, CURL *e, CURLcode rc,
		      const struct fetch_state *st, const struct fetch_opts *o, const char *errbuf)
{
	const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
	long status = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (st->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		char *limit = attach_format_size(o->max_bytes, 0);
		*err = xasprintf(_("%s: the image is larger than the %s limit (max_file_mb)"), url,
				 limit);
		free(limit);
	} else if (st->no_mem) {
		*err = xasprintf(_("%s: not enough memory for the image"), url);
	} else if (rc == CURLE_ABORTED_BY_CALLBACK) {
		*err = xasprintf(_("%s: download cancelled"), url);
	} else if (rc == CURLE_HTTP_RETURNED_ERROR) {
		*err = xasprintf(_("%s: the image host answered HTTP %ld"), url, status);
	} else if (rc == CURLE_TOO_MANY_REDIRECTS) {
		*err = xasprintf(_("%s: more than %d redirects"), url, FETCH_MAX_REDIRECTS);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		curl_off_t connect_us = 0;
		curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect_us);
		if (connect_us == 0)
			*err = xasprintf(_("%s: could not connect within %ld s"), url,
					 o->connect_timeout_s);
		else
			*err = xasprintf(
				_("%s: the download stalled: no data for %ld s (idle timeout)"),
				url, o->idle_timeout_s);
	} else if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY) {
		*err = xasprintf(_("%s: cannot resolve the host's name: %s"), url, detail);
	} else if (rc == CURLE_COULDNT_CONNECT) {
		*err = xasprintf(_("%s: cannot connect: %s"), url, detail);
	} else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
		   rc == CURLE_SSL_CONNECT_ERROR) {
		*err = xasprintf(_("%s: TLS failed: %s (see --cacert)"), url, detail);
	} else if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
		*err = xasprintf(_("%s: only http and https are fetched: %s"), url, detail);
	} else {
		*err = xasprintf(_("%s: download failed: %s"), url, detail);
	}
	return -1;
}

/* GET url into *out; 0, or -1 with *err. */
int fetch_url(const char *url, const struct fetch_opts *o, unsigned char **out, size_t *out_len,
	      char **err)
{
	*out = NULL;
	*out_len = 0;
	if (fetch_global_init(err) != 0)
		return -1;
	CURL *e = curl_easy_init();
	if (!e) {
		*err = xasprintf(_("%s: cannot initialise libcurl"), url);
		return -1;
	}
	struct fetch_state st = {.max_bytes = o->max_bytes, .cancel = o->cancel};
	char errbuf[CURL_ERROR_SIZE] = "";
	/* Only what is set here goes out: this handle never sees the API
	 * key or the configured headers, also not after a redirect. */
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "squint/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRECTS);
	curl_easy_setopt(e, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &st);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, fetch_on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, &st);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	/* A declared length over the cap stops the transfer before the body. */
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
	if (o->connect_timeout_s > 0)
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s);
	if (o->idle_timeout_s > 0) {
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, o->idle_timeout_s);
	}
	if (o->cacert)
		curl_easy_setopt(e, CURLOPT_CAINFO, o->cacert);
	if (o->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->proxy)
		curl_easy_setopt(e, CURLOPT_PROXY, o->proxy);
	CURLcode rc = curl_easy_perform(e);
	if (rc != CURLE_OK) {
		fetch_fail(err, url, e, rc, &st, o, errbuf);
		curl_easy_cleanup(e);
		free(st.buf);
		return -1;
	}
	curl_easy_cleanup(e);
	if (st.len == 0) {
		free(st.buf);
		*err = xasprintf(_("%s: the image host sent nothing"), url);
		return -1;
	}
	*out = st.buf;
	*out_len = st.len;
	return 0;
}
