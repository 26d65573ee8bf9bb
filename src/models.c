/* The server's model list and its cache. */
#include <config.h>

#include "models.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A model list larger than this is not one. */
#define MODELS_MAX_BODY (8u << 20)

struct models_fetch_state {
	struct strbuf body;
	bool done;
	bool too_big;
	struct models_list *out;
};

/* Collect the body of a 2xx answer. */
static int models_on_data(void *ud, const char *buf, size_t len)
{
	struct models_fetch_state *st = ud;
	if (st->body.len + len > MODELS_MAX_BODY) {
		st->too_big = true;
		return 1;
	}
	strbuf_append(&st->body, buf, len);
	return 0;
}

/* Keep the outcome; the result's message is only borrowed. */
static void models_on_done(void *ud, const struct http_result *res)
{
	struct models_fetch_state *st = ud;
	st->out->outcome = res->outcome;
	st->out->status = res->status;
	st->out->rtt = res->t_end - res->t_start;
	if (res->outcome != HTTP_OK && res->message)
		st->out->message = xstrdup(res->message);
	st->done = true;
}

long models_parse(const char *body, size_t len, char ***ids)
{
	*ids = NULL;
	struct json_tokener *tok = json_tokener_new();
	json_object *root = json_tokener_parse_ex(tok, body, (int)len);
	bool ok = root && json_tokener_get_error(tok) == json_tokener_success;
	json_tokener_free(tok);
	json_object *data = NULL;
	if (!ok || !json_object_object_get_ex(root, "data", &data) ||
	    !json_object_is_type(data, json_type_array)) {
		json_object_put(root);
		return -1;
	}
	size_t n = json_object_array_length(data), k = 0;
	*ids = xcalloc(n + 1, sizeof **ids);
	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(data, i), *id;
		if (json_object_object_get_ex(m, "id", &id) && json_object_is_type(id, json_type_string))
			(*ids)[k++] = xstrdup(json_object_get_string(id));
	}
	json_object_put(root);
	return (long)k;
}

int models_fetch(const struct squint_config *cfg, struct models_list *out)
{
	memset(out, 0, sizeof *out);
	struct models_fetch_state st = {STRBUF_INIT, false, false, out};
	char *err = NULL;
	char *url = xasprintf("%s/models", cfg->base_url);
	struct http_client *client = http_client_new(&err);
	if (!client) {
		out->outcome = HTTP_NETWORK_ERROR;
		out->message = err;
		free(url);
		return -1;
	}
	struct http_request req = {
		.url = url,
		.api_key = cfg->api_key,
		.accept = "application/json",
		.headers = cfg->headers,
		.n_headers = cfg->n_headers,
		.connect_timeout_s = (long)ceil(cfg->connect_timeout),
		.idle_timeout_s = (long)ceil(cfg->idle_timeout < 30 ? cfg->idle_timeout : 30),
		.cacert = cfg->cacert,
		.insecure = cfg->insecure,
		.proxy = cfg->proxy,
		.retries = 0,
	};
	struct http_handlers h = {NULL, models_on_data, NULL, models_on_done, NULL};
	if (!http_client_start(client, &req, &h, &st, &err)) {
		out->outcome = HTTP_NETWORK_ERROR;
		out->message = err;
	} else {
		while (!st.done)
			http_client_run(client, NULL, 0, 1000);
	}
	http_client_delete(client);
	free(url);
	int rc = -1;
	if (out->outcome == HTTP_OK) {
		long n = models_parse(st.body.data ? st.body.data : "", st.body.len, &out->ids);
		if (n >= 0) {
			out->n_ids = (size_t)n;
			rc = 0;
		} else {
			out->message = xstrdup(_("the answer is not a model list"));
		}
	} else if (st.too_big) {
		free(out->message);
		out->message = xstrdup(_("the answer is too large for a model list"));
	}
	strbuf_done(&st.body);
	return rc;
}

void models_list_done(struct models_list *l)
{
	for (size_t i = 0; i < l->n_ids; i++)
		free(l->ids[i]);
	free(l->ids);
	free(l->message);
	memset(l, 0, sizeof *l);
}

bool models_list_has(const struct models_list *l, const char *id)
{
	for (size_t i = 0; id && i < l->n_ids; i++)
		if (strcmp(l->ids[i], id) == 0)
			return true;
	return false;
}

char *models_cache_path(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/squint/models", xdg);
	const char *home = getenv("HOME");
	if (home && home[0] == '/')
		return xasprintf("%s/.cache/squint/models", home);
	return NULL;
}

/* Return true when id is safe to offer as a shell word. */
static bool models_id_safe(const char *id)
{
	if (!*id || strlen(id) > 200)
		return false;
	for (const char *p = id; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "._-:/@+=", *p))
			return false;
	return true;
}

/* Create dir and its missing parents (mode 0700 for the new ones). */
static int models_mkdirs(char *dir)
{
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(dir, 0700);
		*p = '/';
		if (rc != 0 && errno != EEXIST)
			return -1;
	}
	return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

int models_cache_write(const struct models_list *l)
{
	char *path = models_cache_path();
	if (!path)
		return -1;
	char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int rc = -1;
	FILE *f = NULL;
	if (models_mkdirs(dir) == 0 && (f = fopen(tmp, "w")) != NULL) {
		for (size_t i = 0; i < l->n_ids; i++)
			if (models_id_safe(l->ids[i]))
				fprintf(f, "%s\n", l->ids[i]);
		if (fclose(f) == 0 && rename(tmp, path) == 0)
			rc = 0;
		else
			unlink(tmp);
	}
	free(tmp);
	free(dir);
	free(path);
	return rc;
}
