#include <config.h>

#include "core/sse.h"
#include "core/xalloc.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Buffers bigger than this are freed once their line or event is done, so a
 * single huge event does not pin its memory for the rest of the stream. */
#define SSE_KEEP_BYTES ((size_t)64 << 10)

/* A byte buffer whose size the peer decides: running out of memory is
 * reported to the caller, not fatal as with xalloc. */
struct sse_buf {
	char *data; /* NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
};

struct sse_parser {
	sse_event_fn fn;
	void *ud;
	size_t max_line;
	struct sse_buf line; /* a line whose end has not arrived yet */
	struct sse_buf data; /* WHATWG data buffer: each data line plus "\n" */
	struct sse_buf type; /* WHATWG event type buffer */
	struct sse_buf id;   /* WHATWG last event ID buffer */
	long retry;
	unsigned bom_seen; /* bytes of a BOM matched at the stream's start */
	bool started;      /* past the place where a BOM may be */
	bool after_cr;     /* the last piece ended in CR: a leading LF ends nothing */
	int status;        /* sticky non-zero result of a feed */
};

static const unsigned char sse_bom[3] = {0xEF, 0xBB, 0xBF};

/* Make room for n more bytes plus a NUL; returns 0, or -1 if memory ran out
 * (the buffer is unchanged then). */
static int sse_buf_reserve(struct sse_buf *b, size_t n)
{
	if (n >= SIZE_MAX - b->len)
		return -1;
	if (b->len + n < b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap <= b->len + n) {
		if (cap > SIZE_MAX / 2) {
			cap = b->len + n + 1;
			break;
		}
		cap *= 2;
	}
	char *d = xalloc_try_realloc(b->data, cap);
	if (!d)
		return -1;
	b->data = d;
	b->cap = cap;
	return 0;
}

/* Append n bytes and keep the NUL; returns 0, or -1 if memory ran out. */
static int sse_buf_append(struct sse_buf *b, const char *s, size_t n)
{
	if (sse_buf_reserve(b, n))
		return -1;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

/* Replace the contents with n bytes; returns 0, or -1 if memory ran out. */
static int sse_buf_set(struct sse_buf *b, const char *s, size_t n)
{
	b->len = 0;
	return sse_buf_append(b, s, n);
}

/* Empty the buffer, giving back its memory if it grew large. */
static void sse_buf_clear(struct sse_buf *b)
{
	b->len = 0;
	if (b->cap > SSE_KEEP_BYTES) {
		free(b->data);
		b->data = NULL;
		b->cap = 0;
	} else if (b->data) {
		b->data[0] = '\0';
	}
}

/* Free the buffer's memory. */
static void sse_buf_free(struct sse_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Return the contents as a string, "" when empty; borrowed. */
static const char *sse_buf_str(const struct sse_buf *b)
{
	return b->len ? b->data : "";
}

/* Return a new parser (never NULL: a small fixed size, so exhaustion ends
 * the program like any xalloc); freed by sse_parser_delete().  Callers did
 * not check for NULL, and the torture test found it. */
struct sse_parser *sse_parser_new(size_t max_line, sse_event_fn fn, void *ud)
{
	struct sse_parser *p = xcalloc(1, sizeof(*p));
	p->fn = fn;
	p->ud = ud;
	p->max_line = max_line ? max_line : SSE_DEFAULT_MAX_LINE;
	p->retry = -1;
	return p;
}

/* Free the parser and its buffers. */
void sse_parser_delete(struct sse_parser *p)
{
	if (!p)
		return;
	sse_buf_free(&p->line);
	sse_buf_free(&p->data);
	sse_buf_free(&p->type);
	sse_buf_free(&p->id);
	free(p);
}

/* Dispatch the collected event, if it has data; returns the callback's value
 * (0 when nothing was dispatched). */
static int sse_dispatch(struct sse_parser *p)
{
	/* WHATWG: with an empty data buffer only the type is forgotten. */
	if (p->data.len == 0) {
		sse_buf_clear(&p->type);
		return 0;
	}
	/* Drop the "\n" that followed the last data line. */
	p->data.len--;
	p->data.data[p->data.len] = '\0';

	struct sse_event ev = {
		.type = p->type.len ? p->type.data : "message",
		.data = p->data.data,
		.data_len = p->data.len,
		.id = sse_buf_str(&p->id),
	};
	int rc = p->fn ? p->fn(p->ud, &ev) : 0;
	sse_buf_clear(&p->data);
	sse_buf_clear(&p->type);
	return rc;
}

/* Return whether the n-byte field name equals the NUL-terminated name. */
static bool sse_field_is(const char *field, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(field, name, n) == 0;
}

/* Parse a retry: value; returns milliseconds, or -1 unless it is all ASCII
 * digits.  Huge values saturate rather than wrap. */
static long sse_parse_retry(const char *s, size_t n)
{
	long v = 0;
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		int d = s[i] - '0';
		v = v > (LONG_MAX - d) / 10 ? LONG_MAX : v * 10 + d;
	}
	return v;
}

/* Interpret one complete line (without its end); returns 0, SSE_ERR_NOMEM
 * or the callback's value. */
static int sse_line(struct sse_parser *p, const char *line, size_t n)
{
	if (n == 0)
		return sse_dispatch(p);
	if (line[0] == ':')
		return 0;

	const char *colon = memchr(line, ':', n);
	size_t field_len = colon ? (size_t)(colon - line) : n;
	const char *value = line + n;
	size_t value_len = 0;
	if (colon) {
		value = colon + 1;
		value_len = n - field_len - 1;
		/* Only one space is syntax; more belong to the value. */
		if (value_len && *value == ' ') {
			value++;
			value_len--;
		}
	}

	int err = 0;
	if (sse_field_is(line, field_len, "data")) {
		err = sse_buf_reserve(&p->data, value_len + 1);
		if (!err) {
			sse_buf_append(&p->data, value, value_len);
			sse_buf_append(&p->data, "\n", 1);
		}
	} else if (sse_field_is(line, field_len, "event")) {
		err = sse_buf_set(&p->type, value, value_len);
	} else if (sse_field_is(line, field_len, "id")) {
		/* An id with NUL could not be sent back in Last-Event-ID. */
		if (!memchr(value, '\0', value_len))
			err = sse_buf_set(&p->id, value, value_len);
	} else if (sse_field_is(line, field_len, "retry")) {
		long r = sse_parse_retry(value, value_len);
		if (r >= 0)
			p->retry = r;
	}
	return err ? SSE_ERR_NOMEM : 0;
}

/* Return the first c in [pos, end), or end if there is none. */
static const char *sse_find(const char *pos, const char *end, int c)
{
	const char *q = memchr(pos, c, (size_t)(end - pos));
	return q ? q : end;
}

/* Split len bytes (past any BOM) into lines and interpret them; returns 0 or
 * the first non-zero result. */
static int sse_parse(struct sse_parser *p, const char *buf, size_t len)
{
	const char *pos = buf;
	const char *end = buf + len;

	if (len && p->after_cr) {
		p->after_cr = false;
		if (*pos == '\n')
			pos++;
	}

	/* The next LF and CR at or after pos (end: none).  Each is searched for
	 * again only once pos passed it, so a piece is scanned once by memchr
	 * however its line ends are mixed. */
	const char *lf = NULL;
	const char *cr = NULL;
	while (pos < end) {
		if (!lf || lf < pos)
			lf = sse_find(pos, end, '\n');
		if (!cr || cr < pos)
			cr = sse_find(pos, end, '\r');
		const char *eol = lf < cr ? lf : cr;
		size_t n = (size_t)(eol - pos);

		/* line.len never exceeds max_line: it is checked before growing. */
		if (n > p->max_line - p->line.len)
			return SSE_ERR_LINE_TOO_LONG;
		if (eol == end)
			return sse_buf_append(&p->line, pos, n) ? SSE_ERR_NOMEM : 0;

		int rc;
		if (p->line.len) {
			/* The line began in an earlier piece: complete it there. */
			if (sse_buf_append(&p->line, pos, n))
				return SSE_ERR_NOMEM;
			rc = sse_line(p, p->line.data, p->line.len);
			sse_buf_clear(&p->line);
		} else {
			/* The whole line is in this piece: use it in place. */
			rc = sse_line(p, pos, n);
		}

		pos = eol + 1;
		if (*eol == '\r') {
			if (pos < end) {
				if (*pos == '\n')
					pos++;
			} else {
				p->after_cr = true;
			}
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* Parse one more piece; returns 0 or the sticky stop/error value. */
int sse_parser_feed(struct sse_parser *p, const char *buf, size_t len)
{
	if (p->status)
		return p->status;

	/* One BOM may open the stream, possibly split across pieces; the bytes
	 * of a false start are held back and then parsed as ordinary input. */
	while (!p->started && len) {
		if ((unsigned char)*buf == sse_bom[p->bom_seen]) {
			buf++;
			len--;
			if (++p->bom_seen == sizeof(sse_bom)) {
				p->started = true;
				p->bom_seen = 0;
			}
		} else {
			unsigned held = p->bom_seen;
			p->started = true;
			p->bom_seen = 0;
			p->status = sse_parse(p, (const char *)sse_bom, held);
			if (p->status)
				return p->status;
		}
	}
	if (len)
		p->status = sse_parse(p, buf, len);
	return p->status;
}

/* Drop the unfinished line and event and get ready for a new stream; returns 0. */
int sse_parser_finish(struct sse_parser *p)
{
	sse_buf_clear(&p->line);
	sse_buf_clear(&p->data);
	sse_buf_clear(&p->type);
	p->bom_seen = 0;
	p->started = false;
	p->after_cr = false;
	p->status = 0;
	return 0;
}

/* Return the bytes held for the unfinished line and event. */
size_t sse_parser_pending(const struct sse_parser *p)
{
	return p->line.len + p->data.len + p->type.len + p->bom_seen;
}

/* Return the last retry: value in milliseconds, or -1. */
long sse_parser_retry(const struct sse_parser *p)
{
	return p->retry;
}
