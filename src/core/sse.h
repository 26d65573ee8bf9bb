/* Incremental server-sent-events parser (WHATWG "event stream" rules).
 *
 * Bytes arrive in arbitrary pieces from the network; the parser splits them
 * into lines (LF, CR or CRLF, even when a CRLF straddles two pieces), skips
 * one leading UTF-8 BOM and comments, collects fields and calls back once
 * per dispatched event.  Bytes are passed through unchanged: no UTF-8
 * validation, and a sequence split across pieces comes out whole. */
#ifndef SQUINT_CORE_SSE_H
#define SQUINT_CORE_SSE_H

#include <stddef.h>

/* Values sse_parser_feed() returns besides 0 and the callback's own. */
#define SSE_ERR_LINE_TOO_LONG (-1)
#define SSE_ERR_NOMEM (-2)

/* Default cap on one line's length (64 MiB). */
#define SSE_DEFAULT_MAX_LINE ((size_t)64 << 20)

/* One dispatched event; every pointer is borrowed and valid only during the
 * callback. */
struct sse_event {
	const char *type; /* the event: field, or "message" without one */
	const char *data; /* data lines joined by "\n"; NUL-terminated, may hold NULs */
	size_t data_len;
	const char *id; /* last event id seen on the stream, or "" */
};

/* Called once per event; returns 0 to go on, or a positive value that stops
 * parsing and is returned by sse_parser_feed(). */
typedef int (*sse_event_fn)(void *ud, const struct sse_event *ev);

struct sse_parser;

/* Return a new parser calling fn(ud, ...) per event (never NULL);
 * max_line caps one line's length in bytes (0: SSE_DEFAULT_MAX_LINE).
 * The caller frees it with sse_parser_delete(). */
struct sse_parser *sse_parser_new(size_t max_line, sse_event_fn fn, void *ud);

/* Free the parser and everything it buffers (NULL is fine). */
void sse_parser_delete(struct sse_parser *p);

/* Parse len more bytes of the stream, dispatching every event they complete.
 * Returns 0, SSE_ERR_LINE_TOO_LONG, SSE_ERR_NOMEM, or the callback's non-zero
 * value; any non-zero result is sticky: later feeds return it again without
 * parsing, until sse_parser_finish(). */
int sse_parser_feed(struct sse_parser *p, const char *buf, size_t len);

/* End the stream: as WHATWG says, an incomplete last line or event is
 * discarded.  The parser is reset for a new stream (keeping the last event
 * id and retry, which outlive a connection).  Returns 0. */
int sse_parser_finish(struct sse_parser *p);

/* Return how many bytes the parser holds (partial line, event data and type),
 * so a caller can cap memory driven by the peer. */
size_t sse_parser_pending(const struct sse_parser *p);

/* Return the last valid retry: value in milliseconds, or -1 if none. */
long sse_parser_retry(const struct sse_parser *p);

#endif
