/* The conversation: what the user asked (text and images) and what came back
 * (one answer per request, each with its choices), in order.
 *
 * Strings from the wire are kept byte-exact here (they go back to the server
 * in later turns); whatever shows them must sanitize them first.  The model
 * is pure: no I/O, no clock (callers pass times in). */
#ifndef SQUINT_CORE_CONV_H
#define SQUINT_CORE_CONV_H

#include "core/chunk.h"
#include "core/request.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

enum conv_role {
	CONV_USER,
	CONV_ASSISTANT,
	CONV_TOOL,
};

/* One part of a user message; every string owned. */
struct conv_part {
	enum chat_part_kind kind;
	char *text;            /* CHAT_PART_TEXT */
	char *url;             /* CHAT_PART_IMAGE: data: URI or http(s) URL */
	char *name;            /* CHAT_PART_IMAGE: file name or URL, for display */
	char *mime;            /* CHAT_PART_IMAGE: "image/png", or NULL for a URL */
	unsigned width, height; /* 0 when unknown */
	size_t bytes;           /* the file's size; 0 for a URL */
	/* CHAT_PART_IMAGE: what is sent after fitting; 0 when unknown or the
	 * same as above. */
	unsigned sent_width, sent_height;
	size_t sent_bytes;
	bool forgotten; /* CHAT_PART_IMAGE: /forget, not sent any more */
};

struct conv_tool_call {
	char *id; /* NULL until one arrived */
	struct strbuf name;
	struct strbuf arguments;
};

/* One alternative to a token: its text (owned, may hold NULs: use len). */
struct conv_logprob_alt {
	char *token;
	size_t len;
	double logprob;
};

/* One token of an answer's content with its log probability and the most
 * likely tokens at its place (from the logprobs the server sent). */
struct conv_logprob {
	char *token; /* owned, NUL-terminated, may hold NULs: use len */
	size_t len;
	double logprob;
	struct conv_logprob_alt *top;
	size_t n_top;
};

struct conv_choice {
	struct strbuf content;
	struct strbuf reasoning;
	struct conv_tool_call *tool_calls; /* indexed by the call's index */
	size_t n_tool_calls;
	char *finish_reason; /* NULL until one arrived */
	struct conv_logprob *logprobs; /* the content's tokens, when asked for */
	size_t n_logprobs;
};

enum conv_state {
	CONV_STREAMING,   /* the answer is arriving */
	CONV_DONE,        /* finished normally */
	CONV_INTERRUPTED, /* cancelled, cut off or broken: what came is kept */
	CONV_ERROR,       /* failed; error says why */
};

struct conv_usage {
	bool present;
	long prompt_tokens, completion_tokens, total_tokens;
};

struct conv_msg {
	enum conv_role role;
	long long time; /* seconds since the epoch, as given by the caller */
	/* Branches: ids are unique in a conv (1, 2, ...); parent is the id of
	 * the message this one follows, 0 for the first of a conversation.
	 * /retry and /edit add siblings instead of replacing anything. */
	unsigned long long id, parent;
	/* CONV_USER and CONV_TOOL */
	struct conv_part *parts;
	size_t n_parts;
	char *tool_call_id; /* CONV_TOOL */
	/* CONV_ASSISTANT */
	struct conv_choice *choices; /* indexed by choice index */
	size_t n_choices;
	size_t chosen; /* the choice the conversation continues with */
	enum conv_state state;
	char *error; /* one line, or NULL */
	char *model; /* the model asked, or NULL */
	struct conv_usage usage;
	/* CONV_ASSISTANT, as the server reported them (NULL, 0: unknown). */
	char *resp_model, *fingerprint;
	double t_first_byte, t_total; /* seconds from sending */
};

struct conv {
	struct conv_msg *msgs; /* every message of every branch, oldest first */
	size_t n_msgs;
	size_t cap;
	unsigned long long last_id; /* the highest id given out */
	unsigned long long head;    /* the id new messages follow; 0: none */
	/* Private: conv_tokens_used()'s cache. */
	long tokens_cached;
	size_t tokens_n_msgs;
	unsigned long tokens_gen;
};

/* The messages of one request, borrowing from a conv; see conv_request_build. */
struct conv_request {
	struct chat_msg *msgs;
	size_t n_msgs;
	/* Private: the arrays the messages point into. */
	struct chat_part *parts;
	json_object **tool_calls;
	size_t n_tool_calls;
};

/* Initialise an empty conversation; free it with conv_done(). */
void conv_init(struct conv *c);
/* Free everything c owns; it is empty (and reusable) afterwards. */
void conv_done(struct conv *c);

/* Append a user message sent at time t; returns its index (parts are added
 * with conv_msg_add_text and conv_msg_add_image). */
size_t conv_add_user(struct conv *c, long long t);
/* Append a tool result answering call_id with text; returns its index. */
size_t conv_add_tool(struct conv *c, long long t, const char *call_id, const char *text);
/* Append an answer that starts streaming at time t from model (may be NULL);
 * returns its index. */
size_t conv_add_answer(struct conv *c, long long t, const char *model);
/* Return message i (borrowed; valid until the next conv_add_*), or NULL. */
struct conv_msg *conv_msg_at(struct conv *c, size_t i);

/* Add a copy of the len bytes of text as a text part of m. */
void conv_msg_add_text(struct conv_msg *m, const char *text, size_t len);
/* Add an image part to m; every string is copied (mime may be NULL). */
void conv_msg_add_image(struct conv_msg *m, const char *url, const char *name, const char *mime,
			unsigned width, unsigned height, size_t bytes);
/* Return the number of image parts of m. */
size_t conv_msg_n_images(const struct conv_msg *m);
/* Return the text parts of m joined with "\n", newly allocated; the caller
 * frees it. */
char *conv_msg_text(const struct conv_msg *m);

/* Apply one decoded delta to the answer m (the choice is created when new);
 * returns 0, or -1 when the delta's choice or tool index is out of range. */
int conv_answer_apply(struct conv_msg *m, const struct chunk_delta *d);
/* Set the id of tool call index of choice of the answer m (copied) unless it
 * has one; returns 0, or -1 when out of range. */
int conv_answer_set_tool_id(struct conv_msg *m, int choice, int index, const char *id);
/* Append the logprob entries [from, end) of content (a JSON array of
 * {"token", "logprob", "top_logprobs"} objects, as chunk.h keeps them) to
 * choice of the answer m; malformed entries count but keep no data.
 * Returns the number of entries the choice holds afterwards. */
size_t conv_answer_add_logprobs(struct conv_msg *m, int choice, json_object *content,
				size_t from);
/* Make choice i the one the conversation continues with; returns 0, or -1
 * when m has no such choice. */
int conv_answer_choose(struct conv_msg *m, size_t i);
/* Return choice i of the answer m, or NULL when it has none such. */
const struct conv_choice *conv_answer_choice(const struct conv_msg *m, size_t i);
/* End the answer m with state; error (may be NULL) is copied. */
void conv_answer_finish(struct conv_msg *m, enum conv_state state, const char *error);
/* Drop every choice of the answer m and make it streaming again (a loader
 * replacing a checkpoint by the final answer). */
void conv_answer_reset(struct conv_msg *m);
/* Record the usage the server reported for the answer m. */
void conv_answer_set_usage(struct conv_msg *m, long prompt, long completion, long total);
/* Return whether the answer m can be sent back as context: it is done or
 * interrupted and its chosen choice has content or tool calls. */
bool conv_answer_usable(const struct conv_msg *m);

/* Return the index of the message with id, or (size_t)-1 when none. */
size_t conv_find(const struct conv *c, unsigned long long id);
/* Make the next conv_add_* follow the message with id (0: start a new
 * conversation), e.g. the user message for /retry; new messages move the
 * head to themselves. */
void conv_set_head(struct conv *c, unsigned long long id);
/* Give message i the id and parent read from a file (the loader's use);
 * the head moves to it and later ids continue above the highest. */
void conv_msg_set_id(struct conv *c, size_t i, unsigned long long id, unsigned long long parent);
/* Return the indexes of the messages from the first of the branch to
 * message i, in order, newly allocated (count in *n); the caller frees it.
 * A parent that is missing or loops ends the walk. */
size_t *conv_path(const struct conv *c, size_t i, size_t *n);

/* Return the index of the last user message, or (size_t)-1 when none. */
size_t conv_last_user(const struct conv *c);
/* Return the sum of total_tokens over every answer that reported usage. */
long conv_tokens_used(const struct conv *c);

/* Fill r with the messages to send for a request that answers message upto
 * (a user or tool message): every user and tool message up to it, and for
 * each turn the last usable answer (its chosen choice) before the next user
 * message.  r borrows from c until conv_request_done(). */
void conv_request_build(const struct conv *c, size_t upto, struct conv_request *r);
/* Like conv_request_build, but over the branch that ends at message upto
 * only (see conv_path), for a conversation with branches. */
void conv_request_build_path(const struct conv *c, size_t upto, struct conv_request *r);
/* Free what r owns (not what it borrows). */
void conv_request_done(struct conv_request *r);

#endif
