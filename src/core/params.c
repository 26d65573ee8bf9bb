/* Angle brackets on purpose: from src/core, "config.h" would find
 * core/config.h (the config module) before autoconf's header. */
#include <config.h>

#include "core/params.h"
#include "core/params-internal.h"

#include "core/parse.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PARAMS_MAX_LOGIT_BIAS 300
#define PARAMS_MAX_TOP_LOGPROBS 20
/* Longest piece of a rejected value quoted back in an error message. */
#define PARAMS_QUOTE_MAX 60

void chat_params_init(struct chat_params *p)
{
	memset(p, 0, sizeof *p);
	p->top_logprobs = -1;
	p->stream = true;
}

void chat_params_done(struct chat_params *p)
{
	free(p->model);
	free(p->system);
	for (int i = 0; i < p->n_stop; i++)
		free(p->stop[i]);
	free(p->logit_bias);
	free(p->user);
	json_object_put(p->response_format);
	json_object_put(p->tools);
	json_object_put(p->tool_choice);
	free(p->detail);
	chat_params_init(p);
}

/* Deep-copy every field; json objects are shared by reference because no
 * code mutates them once chat_params_set() stored them. */
void chat_params_copy(struct chat_params *dst, const struct chat_params *src)
{
	*dst = *src;
	dst->model = xstrdup(src->model);
	dst->system = xstrdup(src->system);
	for (int i = 0; i < src->n_stop; i++)
		dst->stop[i] = xstrdup(src->stop[i]);
	dst->logit_bias = NULL;
	if (src->n_logit_bias > 0) {
		dst->logit_bias = xcalloc(src->n_logit_bias, sizeof *dst->logit_bias);
		memcpy(dst->logit_bias, src->logit_bias,
		       src->n_logit_bias * sizeof *dst->logit_bias);
	}
	dst->user = xstrdup(src->user);
	dst->response_format = json_object_get(src->response_format);
	dst->tools = json_object_get(src->tools);
	dst->tool_choice = json_object_get(src->tool_choice);
	dst->detail = xstrdup(src->detail);
}

/* Return a newly allocated, double-quoted rendering of a rejected value for
 * an error message: control bytes escaped (so the message stays one line
 * and cannot drive a terminal) and long values cut; the caller frees it. */
char *params_quote(const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_putc(&sb, '"');
	for (i = 0; value[i] && i < PARAMS_QUOTE_MAX; i++) {
		unsigned char ch = (unsigned char)value[i];
		if (ch < 0x20 || ch == 0x7f)
			strbuf_printf(&sb, "\\x%02x", ch);
		else if (ch == '"' || ch == '\\')
			strbuf_printf(&sb, "\\%c", ch);
		else
			strbuf_putc(&sb, (char)ch);
	}
	if (value[i])
		strbuf_puts(&sb, "...");
	strbuf_putc(&sb, '"');
	return strbuf_detach(&sb);
}

/* Return true when s is a valid function or schema name: 1 to 64 of
 * [a-zA-Z0-9_-], as the API requires. */
bool params_valid_name(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/* Parse a number for name in [min, max]; returns 0 or -1 with *err set. */
static int params_get_double(const char *name, const char *value, double min, double max,
			     double *out, char **err)
{
	double v;

	if (parse_double(value, &v) == 0 && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	char *q = params_quote(value);
	*err = xasprintf(_("%s must be a number from %g to %g, not %s"), name, min, max, q);
	free(q);
	return -1;
}

/* Parse a whole number for name in [min, max]; returns 0 or -1 with *err
 * set.  max == LLONG_MAX words the message as "at least min". */
static int params_get_ll(const char *name, const char *value, long long min, long long max,
			 long long *out, char **err)
{
	long long v;

	if (parse_ll(value, &v) == 0 && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	char *q = params_quote(value);
	if (max == LLONG_MAX && min != LLONG_MIN)
		*err = xasprintf(_("%s must be a whole number of at least %lld, not %s"), name,
				 min, q);
	else
		*err = xasprintf(_("%s must be a whole number from %lld to %lld, not %s"), name,
				 min, max, q);
	free(q);
	return -1;
}

/* Parse a yes/no value for name; returns 0 or -1 with *err set. */
static int params_get_bool(const char *name, const char *value, bool *out, char **err)
{
	if (parse_bool(value, out) == 0)
		return 0;
	char *q = params_quote(value);
	*err = xasprintf(_("%s must be true or false (yes/no, on/off, 1/0), not %s"), name, q);
	free(q);
	return -1;
}

/* Strip ASCII spaces and tabs from both ends of s in place; returns s. */
static char *params_trim(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	size_t skip = strspn(s, " \t");
	memmove(s, s + skip, n - skip + 1);
	return s;
}

/* Add or replace one logit_bias entry from "TOKEN=BIAS"; returns 0 or -1
 * with *err set. */
static int params_add_logit_bias(struct chat_params *p, const char *value, char **err)
{
	char *copy = xstrdup(value);
	char *eq = strchr(copy, '=');
	long long token = -1, bias = 0;
	int ok = 0;

	if (eq) {
		*eq = '\0';
		char *t = params_trim(copy), *b = params_trim(eq + 1);
		ok = t[0] != '-' && t[0] != '+' && parse_ll(t, &token) == 0 &&
		     token <= LONG_MAX && parse_ll(b, &bias) == 0;
	}
	free(copy);
	if (!ok) {
		char *q = params_quote(value);
		*err = xasprintf(_("logit_bias must be TOKEN=BIAS with a token number and a whole "
				   "bias from -100 to 100, not %s"),
				 q);
		free(q);
		return -1;
	}
	if (bias < -100 || bias > 100) {
		char *q = params_quote(value);
		*err = xasprintf(_("logit_bias: the bias must be a whole number from -100 to 100, "
				   "not %s"),
				 q);
		free(q);
		return -1;
	}
	for (size_t i = 0; i < p->n_logit_bias; i++) {
		if (p->logit_bias[i].token == (long)token) {
			p->logit_bias[i].bias = (int)bias;
			return 0;
		}
	}
	if (p->n_logit_bias >= PARAMS_MAX_LOGIT_BIAS) {
		*err = xasprintf(_("at most %d logit_bias entries"), PARAMS_MAX_LOGIT_BIAS);
		return -1;
	}
	p->logit_bias = xrealloc(p->logit_bias, (p->n_logit_bias + 1) * sizeof *p->logit_bias);
	p->logit_bias[p->n_logit_bias].token = (long)token;
	p->logit_bias[p->n_logit_bias].bias = (int)bias;
	p->n_logit_bias++;
	return 0;
}

/* Replace the string *slot with a copy of value, or with NULL when value is
 * empty and empty_unsets is true. */
static void params_store_string(char **slot, const char *value, bool empty_unsets)
{
	free(*slot);
	*slot = empty_unsets && !*value ? NULL : xstrdup(value);
}

/* Set temperature (0..2). */
static int params_set_temperature(struct chat_params *p, const char *name, const char *value,
				  char **err)
{
	if (params_get_double(name, value, 0, 2, &p->temperature, err) < 0)
		return -1;
	p->has_temperature = true;
	return 0;
}

/* Set top_p (0..1). */
static int params_set_top_p(struct chat_params *p, const char *name, const char *value,
			    char **err)
{
	if (params_get_double(name, value, 0, 1, &p->top_p, err) < 0)
		return -1;
	p->has_top_p = true;
	return 0;
}

/* Set n (1..CHAT_PARAMS_MAX_N). */
static int params_set_n(struct chat_params *p, const char *name, const char *value, char **err)
{
	long long v;
	if (params_get_ll(name, value, 1, CHAT_PARAMS_MAX_N, &v, err) < 0)
		return -1;
	p->n = (int)v;
	p->has_n = true;
	return 0;
}

/* Add one stop sequence (at most CHAT_PARAMS_MAX_STOP, never empty). */
static int params_set_stop(struct chat_params *p, const char *name, const char *value,
			   char **err)
{
	(void)name;
	if (!*value) {
		*err = xstrdup(_("a stop sequence must not be empty"));
		return -1;
	}
	if (p->n_stop >= CHAT_PARAMS_MAX_STOP) {
		*err = xasprintf(_("at most %d stop sequences"), CHAT_PARAMS_MAX_STOP);
		return -1;
	}
	p->stop[p->n_stop++] = xstrdup(value);
	return 0;
}

/* Set max_tokens (>= 1). */
static int params_set_max_tokens(struct chat_params *p, const char *name, const char *value,
				 char **err)
{
	long long v;
	if (params_get_ll(name, value, 1, LONG_MAX, &v, err) < 0)
		return -1;
	p->max_tokens = (long)v;
	p->has_max_tokens = true;
	return 0;
}

/* Set presence_penalty (-2..2). */
static int params_set_presence_penalty(struct chat_params *p, const char *name,
				       const char *value, char **err)
{
	if (params_get_double(name, value, -2, 2, &p->presence_penalty, err) < 0)
		return -1;
	p->has_presence_penalty = true;
	return 0;
}

/* Set frequency_penalty (-2..2). */
static int params_set_frequency_penalty(struct chat_params *p, const char *name,
					const char *value, char **err)
{
	if (params_get_double(name, value, -2, 2, &p->frequency_penalty, err) < 0)
		return -1;
	p->has_frequency_penalty = true;
	return 0;
}

/* Add or replace one logit_bias entry. */
static int params_set_logit_bias(struct chat_params *p, const char *name, const char *value,
				 char **err)
{
	(void)name;
	return params_add_logit_bias(p, value, err);
}

/* Set user (empty: unset). */
static int params_set_user(struct chat_params *p, const char *name, const char *value,
			   char **err)
{
	(void)name;
	(void)err;
	params_store_string(&p->user, value, true);
	return 0;
}

/* Set seed (any 64-bit integer). */
static int params_set_seed(struct chat_params *p, const char *name, const char *value,
			   char **err)
{
	if (params_get_ll(name, value, LLONG_MIN, LLONG_MAX, &p->seed, err) < 0)
		return -1;
	p->has_seed = true;
	return 0;
}

/* json_mode true asks for {"type":"json_object"}; false drops any
 * response_format, so a profile can turn off what [defaults] asked for. */
static int params_set_json_mode(struct chat_params *p, const char *name, const char *value,
				char **err)
{
	bool on;
	if (params_get_bool(name, value, &on, err) < 0)
		return -1;
	json_object_put(p->response_format);
	p->response_format = NULL;
	if (on) {
		p->response_format = json_object_new_object();
		json_object_object_add(p->response_format, "type",
				       json_object_new_string("json_object"));
	}
	return 0;
}

/* Set response_format from a JSON file (a schema or a full format). */
static int params_set_response_format(struct chat_params *p, const char *name,
				      const char *value, char **err)
{
	if (!*value) {
		*err = xasprintf(_("%s needs a file name"), name);
		return -1;
	}
	json_object *root = params_load_json(value, err);
	if (!root)
		return -1;
	json_object *rf = params_response_format(value, root, err);
	if (!rf)
		return -1;
	json_object_put(p->response_format);
	p->response_format = rf;
	return 0;
}

/* Set tools from a JSON file. */
static int params_set_tools(struct chat_params *p, const char *name, const char *value,
			    char **err)
{
	if (!*value) {
		*err = xasprintf(_("%s needs a file name"), name);
		return -1;
	}
	json_object *root = params_load_json(value, err);
	if (!root)
		return -1;
	json_object *tools = params_tools(value, root, err);
	if (!tools)
		return -1;
	json_object_put(p->tools);
	p->tools = tools;
	return 0;
}

/* Set tool_choice: none, auto, required, or a function name to force. */
static int params_set_tool_choice(struct chat_params *p, const char *name, const char *value,
				  char **err)
{
	json_object *choice;

	(void)name;
	if (strcmp(value, "none") == 0 || strcmp(value, "auto") == 0 ||
	    strcmp(value, "required") == 0) {
		choice = json_object_new_string(value);
	} else if (params_valid_name(value)) {
		json_object *fn = json_object_new_object();
		json_object_object_add(fn, "name", json_object_new_string(value));
		choice = json_object_new_object();
		json_object_object_add(choice, "type", json_object_new_string("function"));
		json_object_object_add(choice, "function", fn);
	} else {
		char *q = params_quote(value);
		*err = xasprintf(_("tool_choice must be none, auto, required or a function name "
				   "(1 to 64 letters, digits, _ or -), not %s"),
				 q);
		free(q);
		return -1;
	}
	json_object_put(p->tool_choice);
	p->tool_choice = choice;
	return 0;
}

/* Set logprobs; false also drops top_logprobs, which the API refuses
 * without logprobs. */
static int params_set_logprobs(struct chat_params *p, const char *name, const char *value,
			       char **err)
{
	if (params_get_bool(name, value, &p->logprobs, err) < 0)
		return -1;
	p->has_logprobs = true;
	if (!p->logprobs)
		p->top_logprobs = -1;
	return 0;
}

/* Set top_logprobs (0..20); it turns logprobs on, which it needs. */
static int params_set_top_logprobs(struct chat_params *p, const char *name, const char *value,
				   char **err)
{
	long long v;
	if (params_get_ll(name, value, 0, PARAMS_MAX_TOP_LOGPROBS, &v, err) < 0)
		return -1;
	p->top_logprobs = (int)v;
	p->has_logprobs = true;
	p->logprobs = true;
	return 0;
}

/* Set detail: low, high or auto. */
static int params_set_detail(struct chat_params *p, const char *name, const char *value,
			     char **err)
{
	static const char *const ok[] = {"low", "high", "auto"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		if (strcasecmp(value, ok[i]) == 0) {
			params_store_string(&p->detail, ok[i], false);
			return 0;
		}
	}
	char *q = params_quote(value);
	*err = xasprintf(_("%s must be low, high or auto, not %s"), name, q);
	free(q);
	return -1;
}

/* Set model (never empty). */
static int params_set_model(struct chat_params *p, const char *name, const char *value,
			    char **err)
{
	if (!value[strspn(value, " \t")]) {
		*err = xasprintf(_("%s must not be empty"), name);
		return -1;
	}
	params_store_string(&p->model, value, false);
	return 0;
}

/* Set the system prompt (empty: none, so a profile can drop the default). */
static int params_set_system(struct chat_params *p, const char *name, const char *value,
			     char **err)
{
	(void)name;
	(void)err;
	params_store_string(&p->system, value, true);
	return 0;
}

/* Set stream. */
static int params_set_stream(struct chat_params *p, const char *name, const char *value,
			     char **err)
{
	return params_get_bool(name, value, &p->stream, err);
}

/* One setter per parameter name: each validates value, stores it in p and
 * returns 0, or returns -1 with *err set and p unchanged. */
struct params_entry {
	const char *name;
	int (*set)(struct chat_params *p, const char *name, const char *value, char **err);
};

static const struct params_entry params_table[] = {
	{"temperature", params_set_temperature},
	{"top_p", params_set_top_p},
	{"n", params_set_n},
	{"stop", params_set_stop},
	{"max_tokens", params_set_max_tokens},
	{"presence_penalty", params_set_presence_penalty},
	{"frequency_penalty", params_set_frequency_penalty},
	{"logit_bias", params_set_logit_bias},
	{"user", params_set_user},
	{"seed", params_set_seed},
	{"json_mode", params_set_json_mode},
	{"response_format", params_set_response_format},
	{"tools", params_set_tools},
	{"tool_choice", params_set_tool_choice},
	{"logprobs", params_set_logprobs},
	{"top_logprobs", params_set_top_logprobs},
	{"detail", params_set_detail},
	{"model", params_set_model},
	{"system", params_set_system},
	{"stream", params_set_stream},
};

/* Return the table entry for name (static), or NULL when name is no
 * parameter. */
static const struct params_entry *params_find(const char *name)
{
	for (size_t i = 0; i < sizeof params_table / sizeof params_table[0]; i++) {
		if (strcmp(params_table[i].name, name) == 0)
			return &params_table[i];
	}
	return NULL;
}

int chat_params_set(struct chat_params *p, const char *name, const char *value, char **err)
{
	const struct params_entry *e = params_find(name);
	if (!e) {
		char *q = params_quote(name);
		*err = xasprintf(_("unknown parameter %s"), q);
		free(q);
		return -1;
	}
	return e->set(p, name, value, err);
}

bool chat_params_known(const char *name)
{
	return params_find(name) != NULL;
}

void chat_params_unset(struct chat_params *p, const char *name)
{
	if (strcmp(name, "temperature") == 0) {
		p->has_temperature = false;
	} else if (strcmp(name, "top_p") == 0) {
		p->has_top_p = false;
	} else if (strcmp(name, "n") == 0) {
		p->has_n = false;
	} else if (strcmp(name, "stop") == 0) {
		for (int i = 0; i < p->n_stop; i++) {
			free(p->stop[i]);
			p->stop[i] = NULL;
		}
		p->n_stop = 0;
	} else if (strcmp(name, "max_tokens") == 0) {
		p->has_max_tokens = false;
	} else if (strcmp(name, "presence_penalty") == 0) {
		p->has_presence_penalty = false;
	} else if (strcmp(name, "frequency_penalty") == 0) {
		p->has_frequency_penalty = false;
	} else if (strcmp(name, "logit_bias") == 0) {
		free(p->logit_bias);
		p->logit_bias = NULL;
		p->n_logit_bias = 0;
	} else if (strcmp(name, "user") == 0) {
		params_store_string(&p->user, "", true);
	} else if (strcmp(name, "seed") == 0) {
		p->has_seed = false;
	} else if (strcmp(name, "json_mode") == 0 || strcmp(name, "response_format") == 0) {
		json_object_put(p->response_format);
		p->response_format = NULL;
	} else if (strcmp(name, "tools") == 0) {
		json_object_put(p->tools);
		p->tools = NULL;
	} else if (strcmp(name, "tool_choice") == 0) {
		json_object_put(p->tool_choice);
		p->tool_choice = NULL;
	} else if (strcmp(name, "logprobs") == 0) {
		p->has_logprobs = false;
		p->logprobs = false;
		p->top_logprobs = -1;
	} else if (strcmp(name, "top_logprobs") == 0) {
		p->top_logprobs = -1;
	} else if (strcmp(name, "detail") == 0) {
		params_store_string(&p->detail, "", true);
	} else if (strcmp(name, "model") == 0) {
		params_store_string(&p->model, "", true);
	} else if (strcmp(name, "system") == 0) {
		params_store_string(&p->system, "", true);
	} else if (strcmp(name, "stream") == 0) {
		p->stream = true;
	}
}
