/* The server's model list: GET {base_url}/models, for --doctor and
 * --list-models, and the cache file the shell completions read. */
#ifndef SQUINT_MODELS_H
#define SQUINT_MODELS_H

#include "core/config.h"
#include "net/http.h"

#include <stdbool.h>
#include <stddef.h>

struct models_list {
	enum http_outcome outcome;
	long status;	/* HTTP status, 0: no answer */
	double rtt;	/* seconds from start to end of the request */
	char *message;	/* one line when outcome is not HTTP_OK, or the body
			 * was not a model list; NULL otherwise */
	char **ids;	/* model ids in the server's order */
	size_t n_ids;
};

/* GET cfg's {base_url}/models once (no retries) and fill out (which the
 * caller frees with models_list_done).  Returns 0 when the server answered
 * with a list, else -1 with out->message set. */
int models_fetch(const struct squint_config *cfg, struct models_list *out);

/* Free what l owns. */
void models_list_done(struct models_list *l);

/* Return true when id is in l. */
bool models_list_has(const struct models_list *l, const char *id);

/* Parse an OpenAI model list ({"data":[{"id":...},...]}) from body into
 * *ids (newly allocated, the caller frees each and the array); returns the
 * count, or -1 when body is not such a list. */
long models_parse(const char *body, size_t len, char ***ids);

/* Return the cache file path, $XDG_CACHE_HOME/squint/models or
 * $HOME/.cache/squint/models, newly allocated, or NULL. */
char *models_cache_path(void);

/* Write l's ids, one a line, to the cache file (ids with characters a
 * shell would treat specially are left out).  Returns 0 or -1. */
int models_cache_write(const struct models_list *l);

#endif
