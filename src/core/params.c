/* Angle brackets on purpose: from src/core, "config.h" would find
 * core/config.h (the config module) before autoconf's header. */
#include <config.h>

#include "core/params.h"

#include "core/parse.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Files named by response_format and tools are read whole; a schema or a
 * tool list bigger than this is a mistake (a wrong file), not a use case. */
#define PARAMS_FILE_MAX (8u * 1024u * 1024u)
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
static char *params_quote(const char *value)
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
static bool params_valid_name(const char *s)
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

/* Read the whole file at path (at most PARAMS_FILE_MAX bytes) into a newly
 * allocated NUL-terminated buffer; returns it (length in *len) or NULL with
 * *err set.  The caller frees the buffer.  Plain malloc: the size comes
 * from outside. */
static char *params_read_file(const char *path, size_t *len, char **err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = xasprintf(_("cannot read %s: %s"), path, strerror(errno));
		return NULL;
	}
	size_t cap = 0, n = 0;
	char *buf = NULL;
	int failed = 0;
	for (;;) {
		if (n == cap) {
			if (cap > PARAMS_FILE_MAX)
				break;
			size_t want = cap ? cap * 2 : 64 * 1024;
			if (want > PARAMS_FILE_MAX + 1)
				want = PARAMS_FILE_MAX + 1;
			char *more = realloc(buf, want + 1);
			if (!more) {
				failed = ENOMEM;
				break;
			}
			buf = more;
			cap = want;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f))
				failed = errno ? errno : EIO;
			break;
		}
	}
	fclose(f);
	if (failed) {
		*err = xasprintf(_("cannot read %s: %s"), path, strerror(failed));
		free(buf);
		return NULL;
	}
	if (n > PARAMS_FILE_MAX) {
		*err = xasprintf(_("%s is larger than %u MiB"), path, PARAMS_FILE_MAX >> 20);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Parse the JSON file at path; returns a new json-c value the caller puts,
 * or NULL with *err naming the file and, for bad JSON, json-c's reason and
 * the line and column where it stopped. */
static json_object *params_load_json(const char *path, char **err)
{
	size_t len;
	char *data = params_read_file(path, &len, err);
	if (!data)
		return NULL;
	if (memchr(data, '\0', len)) {
		*err = xasprintf(_("%s is not a JSON text file"), path);
		free(data);
		return NULL;
	}

	struct json_tokener *tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	json_object *obj = json_tokener_parse_ex(tok, data, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t at = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		/* A number at the very end (or a cut file) needs an explicit end
		 * of input before the tokener can decide. */
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		at = len;
	}
	json_tokener_free(tok);
	if (jerr != json_tokener_success) {
		size_t line = 1, col = 1;
		for (size_t i = 0; i < at && i < len; i++) {
			if (data[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		*err = xasprintf(_("%s: invalid JSON at line %zu, column %zu: %s"), path, line,
				 col, json_tokener_error_desc(jerr));
		json_object_put(obj);
		obj = NULL;
	}
	free(data);
	return obj;
}

/* Return a newly allocated schema name from path: its base name without the
 * extension, every character outside [a-zA-Z0-9_-] turned into '_', at most
 * 64 characters ("schema" when nothing is left).  The caller frees it. */
static char *params_schema_name(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	if (n > 64)
		n = 64;
	if (n == 0)
		return xstrdup("schema");
	char *name = xstrndup(base, n);
	for (char *c = name; *c; c++) {
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
			*c = '_';
	}
	return name;
}

/* Return the string member key of obj, or NULL when missing or not a string;
 * borrowed from obj. */
static const char *params_member_string(json_object *obj, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Turn the JSON of a response_format file into the request's
 * response_format object; returns a new object the caller puts, or NULL with
 * *err set.  root is consumed. */
static json_object *params_response_format(const char *path, json_object *root, char **err)
{
	if (!json_object_is_type(root, json_type_object)) {
		*err = xasprintf(_("%s does not hold a JSON object"), path);
		json_object_put(root);
		return NULL;
	}
	json_object *type;
	if (json_object_object_get_ex(root, "type", &type) &&
	    json_object_is_type(type, json_type_string)) {
		const char *t = json_object_get_string(type);
		if (strcmp(t, "json_object") == 0 || strcmp(t, "text") == 0)
			return root;
		if (strcmp(t, "json_schema") == 0) {
			/* Already a full response_format: check what the API will
			 * insist on, and give it a name when it has none. */
			json_object *js;
			if (!json_object_object_get_ex(root, "json_schema", &js) ||
			    !json_object_is_type(js, json_type_object)) {
				*err = xasprintf(_("%s: \"json_schema\" must be an object"), path);
				json_object_put(root);
				return NULL;
			}
			json_object *v;
			if (json_object_object_get_ex(js, "schema", &v) &&
			    !json_object_is_type(v, json_type_object)) {
				*err = xasprintf(_("%s: \"schema\" must be an object"), path);
				json_object_put(root);
				return NULL;
			}
			if (!json_object_object_get_ex(js, "name", &v)) {
				char *name = params_schema_name(path);
				json_object_object_add(js, "name", json_object_new_string(name));
				free(name);
			} else if (!json_object_is_type(v, json_type_string) ||
				   !params_valid_name(json_object_get_string(v))) {
				*err = xasprintf(_("%s: the schema's name must be 1 to 64 letters, "
						   "digits, _ or -"),
						 path);
				json_object_put(root);
				return NULL;
			}
			return root;
		}
	}
	/* Anything else is taken to be the JSON Schema itself. */
	json_object *js = json_object_new_object();
	char *name = params_schema_name(path);
	json_object_object_add(js, "name", json_object_new_string(name));
	free(name);
	json_object_object_add(js, "schema", root);
	json_object_object_add(js, "strict", json_object_new_boolean(1));
	json_object *rf = json_object_new_object();
	json_object_object_add(rf, "type", json_object_new_string("json_schema"));
	json_object_object_add(rf, "json_schema", js);
	return rf;
}

/* Check one function object (the "function" member of a tool); returns 0 or
 * -1 with *err set.  index counts from 1 for the message. */
static int params_check_function(const char *path, size_t index, json_object *fn, char **err)
{
	json_object *v;

	if (!json_object_is_type(fn, json_type_object)) {
		*err = xasprintf(_("tool %zu in %s: \"function\" must be an object"), index, path);
		return -1;
	}
	const char *name = params_member_string(fn, "name");
	if (!name) {
		*err = xasprintf(_("tool %zu in %s has no function name"), index, path);
		return -1;
	}
	if (!params_valid_name(name)) {
		char *q = params_quote(name);
		*err = xasprintf(_("tool %zu in %s: function name %s must be 1 to 64 letters, "
				   "digits, _ or -"),
				 index, path, q);
		free(q);
		return -1;
	}
	if (json_object_object_get_ex(fn, "description", &v) &&
	    !json_object_is_type(v, json_type_string)) {
		*err = xasprintf(_("tool %zu in %s: \"description\" must be a string"), index,
				 path);
		return -1;
	}
	if (json_object_object_get_ex(fn, "parameters", &v) &&
	    !json_object_is_type(v, json_type_object)) {
		*err = xasprintf(_("tool %zu in %s: \"parameters\" must be an object"), index,
				 path);
		return -1;
	}
	return 0;
}

/* Return a new tool object ({"type":"function","function":...}) for one
 * entry of a tools file, which may be a full tool or a bare function
 * object; NULL with *err set when it is neither.  item stays the caller's. */
static json_object *params_tool(const char *path, size_t index, json_object *item, char **err)
{
	json_object *fn, *type;

	if (!json_object_is_type(item, json_type_object)) {
		*err = xasprintf(_("tool %zu in %s is not a JSON object"), index, path);
		return NULL;
	}
	if (json_object_object_get_ex(item, "function", &fn)) {
		if (json_object_object_get_ex(item, "type", &type) &&
		    (!json_object_is_type(type, json_type_string) ||
		     strcmp(json_object_get_string(type), "function") != 0)) {
			*err = xasprintf(_("tool %zu in %s: only tools of type \"function\" are "
					   "supported"),
					 index, path);
			return NULL;
		}
	} else if (json_object_object_get_ex(item, "type", &type)) {
		*err = xasprintf(_("tool %zu in %s: only tools of type \"function\" are supported"),
				 index, path);
		return NULL;
	} else {
		fn = item; /* a bare function object */
	}
	if (params_check_function(path, index, fn, err) < 0)
		return NULL;
	json_object *tool = json_object_new_object();
	json_object_object_add(tool, "type", json_object_new_string("function"));
	json_object_object_add(tool, "function", json_object_get(fn));
	return tool;
}

/* Turn the JSON of a tools file into the request's tools array; returns a new
 * non-empty array the caller puts, or NULL with *err set.  root is
 * consumed. */
static json_object *params_tools(const char *path, json_object *root, char **err)
{
	json_object *out = json_object_new_array();
	size_t n = json_object_is_type(root, json_type_array) ? json_object_array_length(root) : 1;

	if (!json_object_is_type(root, json_type_array) &&
	    !json_object_is_type(root, json_type_object)) {
		*err = xasprintf(_("%s does not hold a JSON array of tools"), path);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *item = json_object_is_type(root, json_type_array)
					    ? json_object_array_get_idx(root, i)
					    : root;
		json_object *tool = params_tool(path, i + 1, item, err);
		if (!tool)
			goto fail;
		json_object *fn;
		json_object_object_get_ex(tool, "function", &fn);
		const char *name = params_member_string(fn, "name");
		for (size_t j = 0; j < i; j++) {
			json_object *ofn;
			json_object_object_get_ex(json_object_array_get_idx(out, j), "function",
						  &ofn);
			if (strcmp(params_member_string(ofn, "name"), name) == 0) {
				*err = xasprintf(_("tool name \"%s\" appears twice in %s"), name,
						 path);
				json_object_put(tool);
				goto fail;
			}
		}
		json_object_array_add(out, tool);
	}
	if (json_object_array_length(out) == 0) {
		*err = xasprintf(_("no tools in %s"), path);
		goto fail;
	}
	json_object_put(root);
	return out;
fail:
	json_object_put(out);
	json_object_put(root);
	return NULL;
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
