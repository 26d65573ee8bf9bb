/* What the parts of the request parameters share: src/core/params.c (the
 * setters, their checks and the public API) and params-files.c (loading and
 * checking the JSON files of response_format and tools).  Not for use
 * outside them. */
#ifndef SQUINT_CORE_PARAMS_INTERNAL_H
#define SQUINT_CORE_PARAMS_INTERNAL_H

#include "core/params.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* Return a newly allocated, double-quoted rendering of a rejected value for
 * an error message: control bytes escaped (so the message stays one line
 * and cannot drive a terminal) and long values cut; the caller frees it. */
char *params_quote(const char *value);

/* Return true when s is a valid function or schema name: 1 to 64 of
 * [a-zA-Z0-9_-], as the API requires. */
bool params_valid_name(const char *s);

/* Parse the JSON file at path; returns a new json-c value the caller puts,
 * or NULL with *err naming the file and, for bad JSON, json-c's reason and
 * the line and column where it stopped. */
json_object *params_load_json(const char *path, char **err);

/* Turn the JSON of a response_format file into the request's
 * response_format object; returns a new object the caller puts, or NULL with
 * *err set.  root is consumed. */
json_object *params_response_format(const char *path, json_object *root, char **err);

/* Turn the JSON of a tools file into the request's tools array; returns a new
 * non-empty array the caller puts, or NULL with *err set.  root is
 * consumed. */
json_object *params_tools(const char *path, json_object *root, char **err);

#endif
