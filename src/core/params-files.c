/* Angle brackets on purpose: from src/core, "config.h" would find
 * core/config.h (the config module) before autoconf's header. */
#include <config.h>

#include "core/params-internal.h"

#include "core/xalloc.h"
#include "i18n.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Files named by response_format and tools are read whole; a schema or a
 * tool list bigger than this is a mistake (a wrong file), not a use case. */
#define PARAMS_FILE_MAX (8u * 1024u * 1024u)

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
json_object *params_load_json(const char *path, char **err)
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
json_object *params_response_format(const char *path, json_object *root, char **err)
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
json_object *params_tools(const char *path, json_object *root, char **err)
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
