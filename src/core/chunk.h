/* chat.completion.chunk / chat.completion JSON -> one assembled response,
 * plus live deltas as they arrive.
 *
 * Each SSE event's data goes to chunk_decode_event(); a whole non-streaming
 * body goes to chunk_decode_completion().  Both fill the same struct
 * chat_response and report what was new through a callback, so the caller
 * prints a streamed and a non-streamed answer the same way.  Strings from the
 * wire are kept byte-exact: they may hold NULs and invalid UTF-8, so always
 * use the lengths. */
#ifndef SQUINT_CORE_CHUNK_H
#define SQUINT_CORE_CHUNK_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/strbuf.h"

/* Default caps, see chat_response_set_limits(). */
#define CHUNK_DEFAULT_MAX_CONTENT ((size_t)64 << 20)
#define CHUNK_DEFAULT_MAX_CHOICES 128
#define CHUNK_MAX_TOOL_CALLS 128

struct chat_tool_call {
	bool present;            /* false for a gap left by a higher index */
	char *id;                /* NULL until one arrived */
	char *type;              /* NULL until one arrived ("function" is implied) */
	struct strbuf name;      /* function name */
	struct strbuf arguments; /* JSON text, appended piece by piece */
};

struct chat_choice {
	bool present; /* false for a gap left by a higher index */
	int index;
	char *role; /* first role seen, or NULL */
	struct strbuf content;
	bool has_content;                  /* a string (maybe empty) or parts arrived for content */
	struct strbuf reasoning;           /* reasoning_content or reasoning */
	struct chat_tool_call *tool_calls; /* indexed by the tool call's index */
	size_t n_tool_calls;
	char *finish_reason;           /* last non-null one, or NULL */
	json_object *logprobs_content; /* array of logprob entries across chunks, or NULL */
	size_t n_bytes; /* content + reasoning + tool names and arguments, for the cap */
};

struct chat_usage {
	bool present;
	long prompt_tokens, completion_tokens, total_tokens;
	long reasoning_tokens; /* completion_tokens_details.reasoning_tokens, or -1 */
	long cached_tokens;    /* prompt_tokens_details.cached_tokens, or -1 */
};

struct chat_error {
	bool present;
	/* Each NULL when absent; a numeric code is kept as its text ("429"). */
	char *message, *type, *code, *param;
};

struct chat_response {
	char *id, *object, *model, *system_fingerprint; /* NULL when absent */
	long long created;
	struct chat_choice *choices; /* indexed by choice index; see present */
	size_t n_choices;
	struct chat_usage usage;
	struct chat_error error; /* the first error that arrived */
	bool saw_done;           /* [DONE], or a whole completion body was decoded */
	size_t n_events;         /* events and bodies decoded, whatever their result */
	size_t n_malformed;
	char *malformed_sample; /* first bad payload, at most 80 bytes, or NULL */

	/* Private: caps, the secret to mask, the reused JSON tokener. */
	const char *secret;
	size_t max_content_bytes;
	int max_choices;
	json_tokener *tok;
};

enum chunk_delta_kind {
	CHUNK_DELTA_ROLE,      /* text = role; once per choice, when it first arrives */
	CHUNK_DELTA_CONTENT,   /* text = a piece of content */
	CHUNK_DELTA_REASONING, /* text = a piece of reasoning */
	CHUNK_DELTA_TOOL_NAME, /* text = a piece of tool call tool_index's name */
	CHUNK_DELTA_TOOL_CALL, /* text = a piece of tool call tool_index's arguments */
	CHUNK_DELTA_FINISH,    /* text = finish_reason */
};

/* What a decoded event added; text is borrowed, valid during the callback
 * only, never empty, and may hold NULs (use len). */
struct chunk_delta {
	enum chunk_delta_kind kind;
	int choice;
	int tool_index; /* -1 unless a TOOL_ kind */
	const char *text;
	size_t len;
};

/* Called for every delta, in arrival order. */
typedef void (*chunk_delta_fn)(void *ud, const struct chunk_delta *d);

enum chunk_result {
	CHUNK_OK,
	CHUNK_DONE,      /* the data was [DONE] */
	CHUNK_ERROR,     /* an error object arrived: r->error is filled */
	CHUNK_MALFORMED, /* not a JSON object: counted, the response is unchanged */
	CHUNK_LIMIT,     /* a cap was exceeded: the rest of that event is dropped */
};

enum chat_response_state {
	CHAT_RESPONSE_COMPLETE,
	CHAT_RESPONSE_TRUNCATED,
	CHAT_RESPONSE_ERROR,
};

/* Initialise an empty response with the default caps; free it with
 * chat_response_done(). */
void chat_response_init(struct chat_response *r);

/* Free everything the response owns; it must be initialised again to reuse. */
void chat_response_done(struct chat_response *r);

/* Set the caps: max_content_bytes per choice for content, reasoning and tool
 * calls together (0: default 64 MiB), max_choices for choice indexes
 * (0: default 128). */
void chat_response_set_limits(struct chat_response *r, size_t max_content_bytes, int max_choices);

/* Mask secret (not copied: it must outlive r) wherever an error the server
 * sends quotes it, so the key never reaches a message or a session file. */
void chat_response_set_secret(struct chat_response *r, const char *secret);

/* Decode one SSE event's data (len bytes, not NUL-terminated) into r,
 * calling fn(ud, ...) for each delta (fn may be NULL); returns the result. */
enum chunk_result chunk_decode_event(struct chat_response *r, const char *data, size_t len,
				     chunk_delta_fn fn, void *ud);

/* Decode a whole non-streaming chat.completion body into r and report its
 * content through fn as deltas too; returns the result.  A decoded body sets
 * saw_done: it was complete on the wire. */
enum chunk_result chunk_decode_completion(struct chat_response *r, const char *body, size_t len,
					  chunk_delta_fn fn, void *ud);

/* Return ERROR if an error arrived; COMPLETE after [DONE] or when every
 * present choice (at least one) has a finish_reason; TRUNCATED otherwise. */
enum chat_response_state chat_response_state(const struct chat_response *r);

/* Return a new chat.completion object built from r; the caller
 * json_object_put()s it. */
json_object *chat_response_to_json(const struct chat_response *r);

#endif
