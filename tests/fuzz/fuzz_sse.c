/* Fuzz the SSE parser (src/core/sse.c).
 *
 * The input is a stream as a server would send it.  It is parsed whole, one
 * byte at a time and in random pieces, and each way must dispatch the same
 * events and end in the same state as a plain reference implementation of
 * the WHATWG rules below; then the parser is finished and fed the stream
 * again, which must give the same events again (with the last event id
 * carried over).  The line cap and a callback that stops after K events are
 * chosen from the input's hash. */
#include <config.h>

#include "core/sse.h"
#include "core/strbuf.h"
#include "fuzz.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

/* What a run produced: every event serialised, and how it ended. */
struct sse_run {
	struct strbuf log;
	int n_events;
	int stop_after; /* the callback returns 7 at this event (0: never) */
	int status;
	long retry;
	size_t pending;
};

/* Serialise one event into log: type, id, data with their lengths. */
static void sse_log_event(struct strbuf *log, const char *type, const char *id, const char *data,
			  size_t data_len)
{
	strbuf_printf(log, "[%zu:", strlen(type));
	strbuf_puts(log, type);
	strbuf_printf(log, "|%zu:", strlen(id));
	strbuf_puts(log, id);
	strbuf_printf(log, "|%zu:", data_len);
	strbuf_append(log, data, data_len);
	strbuf_puts(log, "]\n");
}

/* The parser's callback: check the event, log it, stop after stop_after. */
static int sse_on_event(void *ud, const struct sse_event *ev)
{
	struct sse_run *run = ud;
	FUZZ_ASSERT(ev->type && ev->data && ev->id, "an event field is NULL");
	FUZZ_ASSERT(ev->data[ev->data_len] == '\0', "data is not NUL-terminated at data_len");
	sse_log_event(&run->log, ev->type, ev->id, ev->data, ev->data_len);
	run->n_events++;
	if (run->stop_after && run->n_events == run->stop_after)
		return 7;
	return 0;
}

/* ---- the reference: the WHATWG algorithm over a whole buffer ---------- */

struct sse_ref {
	struct sse_run *run;
	size_t max_line;
	struct strbuf data, type, id;
	long retry;
};

/* Interpret one line; returns 0 or the stop value. */
static int sse_ref_line(struct sse_ref *r, const char *line, size_t n)
{
	if (n == 0) {
		int rc = 0;
		if (r->data.len) {
			r->data.len--; /* the last "\n" */
			r->data.data[r->data.len] = '\0';
			struct sse_run *run = r->run;
			sse_log_event(&run->log, r->type.len ? r->type.data : "message",
				      strbuf_str(&r->id), r->data.data, r->data.len);
			run->n_events++;
			if (run->stop_after && run->n_events == run->stop_after)
				rc = 7;
		}
		strbuf_reset(&r->data);
		strbuf_reset(&r->type);
		return rc;
	}
	if (line[0] == ':')
		return 0;
	const char *colon = memchr(line, ':', n);
	size_t flen = colon ? (size_t)(colon - line) : n;
	const char *v = colon ? colon + 1 : line + n;
	size_t vlen = colon ? n - flen - 1 : 0;
	if (vlen && *v == ' ') {
		v++;
		vlen--;
	}
	if (flen == 4 && memcmp(line, "data", 4) == 0) {
		strbuf_append(&r->data, v, vlen);
		strbuf_putc(&r->data, '\n');
	} else if (flen == 5 && memcmp(line, "event", 5) == 0) {
		strbuf_reset(&r->type);
		strbuf_append(&r->type, v, vlen);
	} else if (flen == 2 && memcmp(line, "id", 2) == 0) {
		if (!memchr(v, '\0', vlen)) {
			strbuf_reset(&r->id);
			strbuf_append(&r->id, v, vlen);
		}
	} else if (flen == 5 && memcmp(line, "retry", 5) == 0 && vlen > 0) {
		long x = 0;
		size_t i;
		for (i = 0; i < vlen && v[i] >= '0' && v[i] <= '9'; i++) {
			int d = v[i] - '0';
			x = x > (LONG_MAX - d) / 10 ? LONG_MAX : x * 10 + d;
		}
		if (i == vlen)
			r->retry = x;
	}
	return 0;
}

/* Parse buf as one whole stream into run (retry carried in and out). */
static void sse_ref_parse(struct sse_ref *r, const char *buf, size_t len)
{
	struct sse_run *run = r->run;
	size_t pos = 0;
	if (len == 0) {
		run->status = 0;
		run->retry = r->retry;
		run->pending = r->data.len + r->type.len;
		return;
	}
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		pos = 3;
	} else if (len < 3 && memcmp(buf, "\xEF\xBB\xBF", len) == 0) {
		/* A stream that may still turn out to start with a BOM. */
		run->status = 0;
		run->retry = r->retry;
		run->pending = len;
		return;
	}
	run->status = 0;
	while (pos < len) {
		size_t e = pos;
		while (e < len && buf[e] != '\n' && buf[e] != '\r')
			e++;
		if (e - pos > r->max_line) {
			run->status = SSE_ERR_LINE_TOO_LONG;
			break;
		}
		if (e == len) {
			run->pending = e - pos; /* an unfinished line */
			break;
		}
		int rc = sse_ref_line(r, buf + pos, e - pos);
		pos = e + 1;
		if (buf[e] == '\r' && pos < len && buf[pos] == '\n')
			pos++;
		if (rc) {
			run->status = rc;
			break;
		}
	}
	run->retry = r->retry;
	if (run->status == 0)
		run->pending += r->data.len + r->type.len;
}

/* ---- the parser under test ------------------------------------------- */

/* Feed buf to p in pieces chosen by how: 0 whole, 1 byte by byte, 2 random. */
static int sse_feed(struct sse_parser *p, const char *buf, size_t len, int how,
		    struct fuzz_rng *rng)
{
	int rc = 0;
	if (how == 0 || len == 0)
		return sse_parser_feed(p, buf, len);
	for (size_t i = 0; i < len;) {
		size_t n = how == 1 ? 1 : 1 + fuzz_rng_below(rng, 48);
		if (n > len - i)
			n = len - i;
		int r = sse_parser_feed(p, buf + i, n);
		FUZZ_ASSERT(rc == 0 || r == rc, "a sticky result changed from %d to %d", rc, r);
		rc = r;
		i += n;
	}
	return rc;
}

/* Compare two runs of the same stream. */
static void sse_compare(const struct sse_run *a, const struct sse_run *b, const char *what)
{
	FUZZ_ASSERT(a->n_events == b->n_events, "%s: %d events, the reference %d", what,
		    b->n_events, a->n_events);
	FUZZ_ASSERT(a->log.len == b->log.len &&
			    memcmp(strbuf_str(&a->log), strbuf_str(&b->log), a->log.len) == 0,
		    "%s: the events differ from the reference's:\n%s\n--- the reference:\n%s", what,
		    strbuf_str(&b->log), strbuf_str(&a->log));
	FUZZ_ASSERT(a->status == b->status, "%s: status %d, the reference %d", what, b->status,
		    a->status);
	FUZZ_ASSERT(a->retry == b->retry, "%s: retry %ld, the reference %ld", what, b->retry,
		    a->retry);
	if (a->status == 0)
		FUZZ_ASSERT(a->pending == b->pending, "%s: %zu bytes pending, the reference %zu",
			    what, b->pending, a->pending);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct fuzz_rng rng;
	fuzz_rng_seed(&rng, data, size);
	size_t max_line = fuzz_rng_below(&rng, 4) == 0 ? 1 + fuzz_rng_below(&rng, 200) : 0;
	int stop_after = fuzz_rng_below(&rng, 4) == 0 ? 1 + (int)fuzz_rng_below(&rng, 4) : 0;

	/* Two passes of the reference: the second starts a new stream that
	 * keeps the last event id and retry. */
	struct sse_run ref[2];
	struct sse_ref r = {.max_line = max_line ? max_line : SSE_DEFAULT_MAX_LINE, .retry = -1};
	strbuf_init(&r.data);
	strbuf_init(&r.type);
	strbuf_init(&r.id);
	for (int pass = 0; pass < 2; pass++) {
		memset(&ref[pass], 0, sizeof ref[pass]);
		ref[pass].stop_after = stop_after;
		r.run = &ref[pass];
		sse_ref_parse(&r, buf, size);
		strbuf_reset(&r.data);
		strbuf_reset(&r.type);
	}
	strbuf_done(&r.data);
	strbuf_done(&r.type);
	strbuf_done(&r.id);

	static const char *const names[] = {"whole", "byte by byte", "random pieces"};
	for (int how = 0; how < 3; how++) {
		struct sse_run run = {.stop_after = stop_after};
		struct sse_parser *p = sse_parser_new(max_line, sse_on_event, &run);
		FUZZ_ASSERT(p, "sse_parser_new failed");
		for (int pass = 0; pass < 2; pass++) {
			strbuf_init(&run.log);
			run.n_events = 0;
			run.status = sse_feed(p, buf, size, how, &rng);
			run.retry = sse_parser_retry(p);
			run.pending = sse_parser_pending(p);
			/* A finished stream must be fed again from scratch. */
			FUZZ_ASSERT(sse_parser_feed(p, "", 0) == run.status,
				    "an empty feed changed the result");
			char what[64];
			snprintf(what, sizeof what, "%s, pass %d", names[how], pass + 1);
			sse_compare(&ref[pass], &run, what);
			strbuf_done(&run.log);
			FUZZ_ASSERT(sse_parser_finish(p) == 0, "sse_parser_finish failed");
			FUZZ_ASSERT(sse_parser_pending(p) == 0, "%zu bytes pending after finish",
				    sse_parser_pending(p));
		}
		sse_parser_delete(p);
	}
	strbuf_done(&ref[0].log);
	strbuf_done(&ref[1].log);
	return 0;
}
