/* A failed HTTP reply -> one readable line.
 *
 * Error bodies come in many shapes: OpenAI's {"error":{...}}, flat
 * {"message":...} objects, FastAPI's {"detail":...}, JSON arrays wrapping an
 * error (Google), {"errors":[...]}, and from gateways HTML pages or plain text.
 * Whatever arrives, the result is one short line safe to print on a terminal:
 * markup stripped, controls and invalid bytes replaced, length capped. */
#ifndef SQUINT_CORE_ERRBODY_H
#define SQUINT_CORE_ERRBODY_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

/* A parsed error.  Every string is cleaned (one line, no controls, valid
 * UTF-8, capped), newly allocated and owned by the struct; NULL if absent. */
struct api_error {
	long status;   /* HTTP status; 0 for an error that did not come with one */
	char *message; /* the server's message or an excerpt of its page */
	char *type;    /* e.g. "invalid_request_error" */
	char *code;    /* e.g. "rate_limit_exceeded"; numbers become their digits */
	char *param;   /* e.g. "messages" */
};

/* Initialise an empty error. */
void api_error_init(struct api_error *e);
/* Free what e owns; it is empty (and reusable) afterwards. */
void api_error_done(struct api_error *e);
/* Replace e's contents with what an HTTP reply says: its status, its
 * Content-Type (may be NULL) and its body (len bytes, not NUL-terminated,
 * possibly huge or binary; NULL when len is 0). */
void api_error_parse(struct api_error *e, long status, const char *content_type, const char *body,
		     size_t len);
/* Fill e's message, type, code and param from an already parsed JSON error
 * shape (an object or an array wrapping one), keeping e->status; return 0,
 * or -1 (e unchanged) when root holds no recognisable error. */
int api_error_from_json(struct api_error *e, struct json_object *root);
/* Return a newly allocated one-line description, e.g. "HTTP 429 Too Many
 * Requests: Rate limit reached for gpt-4o (rate_limit_exceeded)"; no "HTTP"
 * part when the status is 0.  The caller frees it. */
char *api_error_format(const struct api_error *e);
/* Return whether retrying the request may help: 408, 409, 429, 500, 502, 503,
 * 504 or 529, unless the code or type says the quota is exhausted. */
bool api_error_retryable(const struct api_error *e);

/* Return the translated reason phrase of an HTTP status ("Too Many
 * Requests"), or NULL for a status without a well-known one; static. */
const char *api_status_reason(long status);
/* Return the delay a Retry-After header value asks for, in milliseconds from
 * now_unix (seconds since the epoch): delta-seconds ("120", also "1.5") or an
 * HTTP date (IMF-fixdate, RFC 850 or asctime form).  Dates in the past give 0,
 * the result is capped at one hour, and -1 means the value is unparsable. */
long api_retry_after_ms(const char *value, long long now_unix);

#endif
