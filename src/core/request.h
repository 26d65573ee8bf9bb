/* Conversation messages and parameters -> the JSON body of a chat request. */
#ifndef SQUINT_CORE_REQUEST_H
#define SQUINT_CORE_REQUEST_H

#include "core/params.h"

#include <stddef.h>

enum chat_part_kind {
	CHAT_PART_TEXT,
	CHAT_PART_IMAGE,
};

/* One part of a message's content; strings are borrowed. */
struct chat_part {
	enum chat_part_kind kind;
	const char *text; /* CHAT_PART_TEXT */
	const char *url;  /* CHAT_PART_IMAGE: https://... or data:image/...;base64,... */
};

/* One message of the conversation as the API sees it; everything borrowed. */
struct chat_msg {
	const char *role; /* "system", "user", "assistant", "tool" */
	const struct chat_part *parts;
	size_t n_parts;
	json_object *tool_calls;  /* assistant: array, or NULL */
	const char *tool_call_id; /* tool: the call answered, or NULL */
};

/* Build the request body for params and msgs (the system prompt of params,
 * when set, goes first).  Fields are sent only when set; a message whose
 * parts are all text is sent with string content, one with images as an
 * array of parts, each image carrying params->detail when set.  Returns a
 * newly allocated NUL-terminated JSON text (its length in *len when len is
 * not NULL); the caller frees it. */
char *request_build(const struct chat_params *p, const struct chat_msg *msgs, size_t n_msgs,
		    size_t *len);

/* Return a new json-c object for the messages array alone (as
 * request_build would send it, system prompt included); caller puts it. */
json_object *request_messages_json(const struct chat_params *p, const struct chat_msg *msgs,
				   size_t n_msgs);

#endif
