/* Request parameters: what the user chose for the body of a chat request.
 * Every field carries its own "set" state, because the wire contract sends a
 * field only when it was set.  Flags, environment and config file all go
 * through chat_params_set(), so one function validates every value. */
#ifndef SQUINT_CORE_PARAMS_H
#define SQUINT_CORE_PARAMS_H

#include <json-c/json.h>
#include <stdbool.h>

#define CHAT_PARAMS_MAX_STOP 4
#define CHAT_PARAMS_MAX_N 128

struct chat_logit_bias {
	long token;
	int bias; /* -100..100 */
};

struct chat_params {
	char *model;  /* NULL: unset */
	char *system; /* system prompt text; NULL: none */

	bool has_temperature;
	double temperature; /* 0..2 */
	bool has_top_p;
	double top_p; /* 0..1 */
	bool has_n;
	int n; /* 1..CHAT_PARAMS_MAX_N */
	int n_stop;
	char *stop[CHAT_PARAMS_MAX_STOP];
	bool has_max_tokens;
	long max_tokens; /* >= 1 */
	bool has_presence_penalty;
	double presence_penalty; /* -2..2 */
	bool has_frequency_penalty;
	double frequency_penalty; /* -2..2 */
	size_t n_logit_bias;
	struct chat_logit_bias *logit_bias;
	char *user;
	bool has_seed;
	long long seed;
	/* response_format: NULL, or an object such as {"type":"json_object"} or
	 * {"type":"json_schema","json_schema":{...}}; owned. */
	json_object *response_format;
	json_object *tools;       /* array of tool objects; owned; never empty */
	json_object *tool_choice; /* string or object; owned */
	bool has_logprobs;
	bool logprobs;
	int top_logprobs; /* -1: unset; 0..20 */
	char *detail;     /* "low" | "high" | "auto" | NULL */
	bool stream;      /* default true */
};

/* Set every field to unset; stream defaults to true. */
void chat_params_init(struct chat_params *p);
/* Free everything p owns; p is unset afterwards. */
void chat_params_done(struct chat_params *p);
/* Deep-copy src into dst (dst must be initialised or done). */
void chat_params_copy(struct chat_params *dst, const struct chat_params *src);

/* Set the parameter called name (the config file's key, which is also the
 * long flag's name: "temperature", "top_p", "n", "stop", "max_tokens",
 * "presence_penalty", "frequency_penalty", "logit_bias" ("ID=BIAS"), "user",
 * "seed", "json_mode" (bool), "response_format" (a JSON-schema file name),
 * "tools" (a JSON file name), "tool_choice", "logprobs" (bool),
 * "top_logprobs", "detail", "model", "system", "stream" (bool)) from its text
 * value.  "stop" and "logit_bias" add one more entry each time.  Returns 0, or
 * -1 with *err set to a newly allocated one-line reason (the caller frees it)
 * that does not name the source (the caller adds "file:line" or "--flag"). */
int chat_params_set(struct chat_params *p, const char *name, const char *value, char **err);

/* Return true when name is a parameter chat_params_set() knows. */
bool chat_params_known(const char *name);

/* Make the parameter called name unset again (stop and logit_bias lose every
 * entry, stream goes back to true, json_mode drops response_format), so a
 * later layer, such as a flag after the config file, can replace a list
 * instead of adding to it.  Unknown names are ignored. */
void chat_params_unset(struct chat_params *p, const char *name);

#endif
