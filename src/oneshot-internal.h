/* What the parts of the one-shot mode share: src/oneshot.c (the request,
 * the answer on stdout, the exit status) and oneshot-session.c (-s FILE).
 * Not for use outside them. */
#ifndef SQUINT_ONESHOT_INTERNAL_H
#define SQUINT_ONESHOT_INTERNAL_H

#include "oneshot.h"
#include "core/attach.h"
#include "core/chunk.h"
#include "core/params.h"
#include "core/sanitize.h"
#include "core/session.h"
#include "core/sessionfile.h"
#include "core/sse.h"
#include "core/strbuf.h"
#include "net/http.h"

#include <stdbool.h>
#include <stddef.h>

/* The state of one request in flight. */
struct oneshot {
	const struct oneshot_args *args;
	struct squint_config *cfg;
	bool tty;           /* stdout is a terminal: filter the answer */
	bool stream;        /* we asked for a stream */
	bool sse;           /* the answer is an event stream */
	bool raw_json;      /* the answer is one JSON object (buffered) */
	struct sse_parser *sse_parser;
	struct chat_response resp;
	struct strbuf body; /* a non-streamed answer */
	struct strbuf out;  /* text waiting to be written to stdout */
	struct sanitize_state san;
	struct sanitize_state san_err;
	int live_choice;    /* the choice printed as it arrives */
	bool printed_any;
	bool ended_line;
	bool finished;
	struct http_result result;
	char *result_message;
	bool cancelled;
	/* -s FILE: the conversation and where it is saved (NULL without). */
	struct session *sess;
	struct sessionfile *sf;
	size_t answer;       /* the answer's index in sess->conv */
	double last_ckpt;    /* monotonic seconds of the last checkpoint */
	bool save_failed;    /* reported once: one line, not one per record */
};

/* Print one error line on stderr with a safe rendering of msg. */
void oneshot_error(const char *msg);

/* -s: open and load the session file; 0, or -1 after printing why. */
int oneshot_session_open(struct oneshot *o, const char *path);
/* -s: add the question (text and the n_atts images atts) to the session
 * with any change of system prompt or parameters p, and save them;
 * returns the request body for the whole branch, newly allocated (length
 * in *len). */
char *oneshot_session_ask(struct oneshot *o, struct chat_params *p, const char *text,
			  size_t text_len, const struct attachment *atts, size_t n_atts, size_t *len);
/* -s: save what arrived of the answer, at most once a second. */
void oneshot_checkpoint(struct oneshot *o);
/* -s: complete the answer from the transfer and the response, and save it. */
void oneshot_session_finish(struct oneshot *o);

#endif
