/* Angle brackets on purpose: from src/core, "config.h" would find this
 * module's own header before autoconf's. */
#include <config.h>

#include "core/config.h"
#include "core/config-internal.h"

#include "core/parse.h"
#include "core/sanitize.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Overwrite s with zeros in a way the compiler cannot drop, so a freed key
 * does not linger in the heap. */
void config_wipe(char *s)
{
	if (!s)
		return;
	volatile char *v = s;
	while (*v)
		*v++ = '\0';
}

/* Forget the key and every key source. */
void config_clear_key(struct squint_config *c)
{
	config_wipe(c->api_key);
	free(c->api_key);
	free(c->key_source);
	free(c->key_env);
	free(c->key_cmd);
	c->api_key = c->key_source = c->key_env = c->key_cmd = NULL;
}

/* Free every string of a list and the list; *n becomes 0. */
void config_free_list(char ***list, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*list)[i]);
	free(*list);
	*list = NULL;
	*n = 0;
}

/* Append s (taken over) to a list of strings. */
void config_push(char ***list, size_t *n, char *s)
{
	*list = xrealloc(*list, (*n + 1) * sizeof **list);
	(*list)[(*n)++] = s;
}

/* The built-in image settings. */
static void config_image_defaults(struct squint_config *c)
{
	c->max_edge = -1;
	c->max_megapixels = 100;
	c->max_file_mb = 50;
	c->jpeg_quality = 85;
	c->webp_quality = 85;
	c->preview_rows = 12;
	free(c->graphics);
	c->graphics = NULL;
}

void squint_config_init(struct squint_config *c)
{
	memset(c, 0, sizeof *c);
	c->base_url = xstrdup(SQUINT_DEFAULT_BASE_URL);
	c->retries = CONFIG_DEFAULT_RETRIES;
	c->idle_timeout = CONFIG_DEFAULT_IDLE_TIMEOUT;
	c->connect_timeout = CONFIG_DEFAULT_CONNECT_TIMEOUT;
	c->max_line_mb = CONFIG_DEFAULT_MAX_LINE_MB;
	c->max_answer_mb = CONFIG_DEFAULT_MAX_ANSWER_MB;
	config_image_defaults(c);
	chat_params_init(&c->params);
	c->params.model = xstrdup(SQUINT_DEFAULT_MODEL);
}

void squint_config_done(struct squint_config *c)
{
	free(c->base_url);
	config_clear_key(c);
	free(c->profile);
	config_free_list(&c->headers, &c->n_headers);
	free(c->cacert);
	free(c->proxy);
	chat_params_done(&c->params);
	free(c->graphics);
	config_free_list(&c->files, &c->n_files);
	config_free_list(&c->warnings, &c->n_warnings);
	memset(c, 0, sizeof *c);
}

/* Return a newly allocated double-quoted copy of value for a message,
 * control bytes escaped and long values cut; the caller frees it.  Never
 * used on anything that may hold a secret. */
char *config_quote(const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_putc(&sb, '"');
	for (i = 0; value[i] && i < 60; i++) {
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

/* Return true when s holds a control byte (CR and LF included). */
bool config_has_control(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	}
	return false;
}

/* Mask every occurrence of secret in msg with '*', in place.  Messages quote
 * rejected values, and a user may paste the key where another value goes;
 * keys shorter than 4 bytes are no secret worth garbling a message for. */
void config_scrub(char *msg, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	if (!msg || n < 4)
		return;
	/* Quoted values are cut short and keys get pasted into other values,
	 * so a message may hold any piece of the key: mask every run of 12
	 * or more bytes (all of a shorter key) that appears in the key. */
	size_t min = n < 12 ? n : 12;
	for (char *at = msg; *at; at++) {
		size_t best = 0;
		for (const char *k = secret; *k; k++) {
			size_t l = 0;
			while (at[l] && k[l] && at[l] == k[l])
				l++;
			if (l > best)
				best = l;
		}
		if (best >= min) {
			memset(at, '*', best);
			at += best - 1;
		}
	}
}




/* Set base_url: an http(s) URL without spaces; trailing slashes are dropped
 * so "/chat/completions" can be appended.  Returns 0 or -1 with *err. */
int config_set_base_url(struct squint_config *c, const char *value, char **err)
{
	bool ok = (strncasecmp(value, "http://", 7) == 0 && value[7]) ||
		  (strncasecmp(value, "https://", 8) == 0 && value[8]);
	for (const char *s = value; ok && *s; s++) {
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			ok = false;
	}
	if (!ok) {
		char *q = config_quote(value);
		*err = xasprintf(_("base_url must be an http:// or https:// URL, not %s"), q);
		free(q);
		return -1;
	}
	size_t n = strlen(value);
	while (n > 0 && value[n - 1] == '/')
		n--;
	free(c->base_url);
	c->base_url = xstrndup(value, n);
	return 0;
}

/* Add one "Name: value" header: Name an HTTP token, value non-empty with no
 * control characters.  Messages never quote the value, which may be a
 * gateway's secret.  Returns 0 or -1 with *err. */
static int config_add_header(struct squint_config *c, const char *value, char **err)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~0123456789"
				    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	const char *colon = strchr(value, ':');
	if (!colon || colon == value) {
		*err = xstrdup(_("header must be \"Name: value\""));
		return -1;
	}
	size_t nlen = (size_t)(colon - value);
	if (strspn(value, tchar) != nlen) {
		char *name = xstrndup(value, nlen);
		char *q = config_quote(name);
		*err = xasprintf(_("header name %s is not a valid HTTP header name"), q);
		free(q);
		free(name);
		return -1;
	}
	const char *v = colon + 1;
	v += strspn(v, " \t");
	size_t vlen = strlen(v);
	while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (vlen == 0) {
		*err = xstrdup(_("header must be \"Name: value\" with a value"));
		return -1;
	}
	for (size_t i = 0; i < vlen; i++) {
		unsigned char ch = (unsigned char)v[i];
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			*err = xstrdup(_("a header value must not contain control characters"));
			return -1;
		}
	}
	config_push(&c->headers, &c->n_headers, xasprintf("%.*s: %.*s", (int)nlen, value,
							   (int)vlen, v));
	return 0;
}

/* Set a timeout in seconds (> 0); returns 0 or -1 with *err. */
static int config_set_timeout(const char *key, const char *value, double *out, char **err)
{
	double v;
	if (parse_double(value, &v) == 0 && v > 0 && v <= CONFIG_MAX_TIMEOUT) {
		*out = v;
		return 0;
	}
	char *q = config_quote(value);
	*err = xasprintf(_("%s must be a number of seconds above 0 and at most %g, not %s"), key,
			 CONFIG_MAX_TIMEOUT, q);
	free(q);
	return -1;
}

/* Keys of squint_config_set() besides the request parameters. */
static const char *const config_keys[] = {
	"base_url",	"header", "retries",  "idle_timeout", "connect_timeout",
	"cacert",	"insecure", "proxy", "max_edge", "original", "max_megapixels",
	"max_file_mb", "jpeg_quality", "webp_quality", "preview_rows", "graphics",
	"max_line_mb", "max_answer_mb",
	"save", "fetch_urls",
};

/* Set one of the image settings; returns 0, -1 with *err, or 1 when key is
 * not one of them. */
static int config_set_image(struct squint_config *c, const char *key, const char *value,
			    char **err)
{
	int iv;
	double dv;
	if (strcmp(key, "max_edge") == 0) {
		if (strcmp(value, "auto") == 0) {
			c->max_edge = -1;
			return 0;
		}
		if (parse_int(value, &iv) == 0 && iv >= 0 && iv <= 65535) {
			c->max_edge = iv;
			return 0;
		}
		char *q = config_quote(value);
		*err = xasprintf(_("%s must be auto, 0 (send as is) or a number of pixels, not %s"),
				 key, q);
		free(q);
		return -1;
	}
	if (strcmp(key, "original") == 0) {
		bool b;
		if (parse_bool(value, &b) == 0) {
			c->max_edge = b ? 0 : -1;
			return 0;
		}
		*err = xasprintf(_("%s must be true or false"), key);
		return -1;
	}
	if (strcmp(key, "max_megapixels") == 0 || strcmp(key, "max_file_mb") == 0) {
		if (parse_double(value, &dv) == 0 && dv > 0 && dv <= 100000) {
			*(key[4] == 'm' ? &c->max_megapixels : &c->max_file_mb) = dv;
			return 0;
		}
		char *q = config_quote(value);
		*err = xasprintf(_("%s must be a number above 0, not %s"), key, q);
		free(q);
		return -1;
	}
	if (strcmp(key, "preview_rows") == 0) {
		if (parse_int(value, &iv) == 0 && iv >= 1 && iv <= 100) {
			c->preview_rows = iv;
			return 0;
		}
		char *q = config_quote(value);
		*err = xasprintf(_("%s must be a whole number from %d to %d, not %s"), key, 1, 100, q);
		free(q);
		return -1;
	}
	if (strcmp(key, "graphics") == 0) {
		if (strcmp(value, "auto") == 0 || strcmp(value, "sixel") == 0 ||
		    strcmp(value, "blocks") == 0 || strcmp(value, "none") == 0) {
			free(c->graphics);
			c->graphics = strcmp(value, "auto") == 0 ? NULL : xstrdup(value);
			return 0;
		}
		char *q = config_quote(value);
		*err = xasprintf(_("%s must be auto, sixel, blocks or none, not %s"), key, q);
		free(q);
		return -1;
	}
	if (strcmp(key, "jpeg_quality") == 0 || strcmp(key, "webp_quality") == 0) {
		if (parse_int(value, &iv) == 0 && iv >= 1 && iv <= 100) {
			*(key[0] == 'j' ? &c->jpeg_quality : &c->webp_quality) = iv;
			return 0;
		}
		char *q = config_quote(value);
		*err = xasprintf(_("%s must be a whole number from %d to %d, not %s"), key, 1, 100, q);
		free(q);
		return -1;
	}
	return 1;
}

bool squint_config_known(const char *key)
{
	for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
		if (strcmp(config_keys[i], key) == 0)
			return true;
	}
	return chat_params_known(key);
}

/* squint_config_set() without the scrubbing of the key from messages. */
static int config_set(struct squint_config *c, const char *key, const char *value, char **err)
{
	if (strcmp(key, "base_url") == 0)
		return config_set_base_url(c, value, err);
	if (strcmp(key, "header") == 0)
		return config_add_header(c, value, err);
	if (strcmp(key, "retries") == 0) {
		int v;
		if (parse_int(value, &v) == 0 && v >= 0 && v <= CONFIG_MAX_RETRIES) {
			c->retries = v;
			return 0;
		}
		char *q = config_quote(value);
		*err = xasprintf(_("%s must be a whole number from %d to %d, not %s"), key, 0,
				 CONFIG_MAX_RETRIES, q);
		free(q);
		return -1;
	}
	if (strcmp(key, "max_line_mb") == 0 || strcmp(key, "max_answer_mb") == 0) {
		int v;
		if (parse_int(value, &v) == 0 && v >= 1 && v <= CONFIG_MAX_CAP_MB) {
			*(key[4] == 'l' ? &c->max_line_mb : &c->max_answer_mb) = v;
			return 0;
		}
		char *q = config_quote(value);
		*err = xasprintf(_("%s must be a whole number of MiB from %d to %d, not %s"), key, 1,
				 CONFIG_MAX_CAP_MB, q);
		free(q);
		return -1;
	}
	if (strcmp(key, "idle_timeout") == 0)
		return config_set_timeout(key, value, &c->idle_timeout, err);
	if (strcmp(key, "connect_timeout") == 0)
		return config_set_timeout(key, value, &c->connect_timeout, err);
	if (strcmp(key, "cacert") == 0) {
		if (!*value) {
			*err = xasprintf(_("%s needs a file name"), key);
			return -1;
		}
		/* Checked now so a typo is reported as such, not as a TLS
		 * failure after the connection is made. */
		if (access(value, R_OK) != 0) {
			*err = xasprintf(_("cannot read %s: %s"), value, strerror(errno));
			return -1;
		}
		free(c->cacert);
		c->cacert = xstrdup(value);
		return 0;
	}
	if (strcmp(key, "insecure") == 0) {
		if (parse_bool(value, &c->insecure) == 0)
			return 0;
		char *q = config_quote(value);
		*err = xasprintf(_("%s must be true or false (yes/no, on/off, 1/0), not %s"), key,
				 q);
		free(q);
		return -1;
	}
	if (strcmp(key, "fetch_urls") == 0) {
		if (parse_bool(value, &c->fetch_urls) == 0)
			return 0;
		char *q = config_quote(value);
		*err = xasprintf(_("%s must be true or false (yes/no, on/off, 1/0), not %s"), key,
				 q);
		free(q);
		return -1;
	}
	if (strcmp(key, "save") == 0) {
		bool b;
		if (parse_bool(value, &b) == 0) {
			c->no_save = !b;
			return 0;
		}
		char *q = config_quote(value);
		*err = xasprintf(_("%s must be true or false (yes/no, on/off, 1/0), not %s"), key,
				 q);
		free(q);
		return -1;
	}
	if (strcmp(key, "proxy") == 0) {
		/* Not quoted back: a proxy URL may carry a password. */
		if (config_has_control(value)) {
			*err = xstrdup(_("proxy must not contain control characters"));
			return -1;
		}
		free(c->proxy);
		c->proxy = xstrdup(value); /* "" is libcurl's "no proxy at all" */
		return 0;
	}
	int rc = config_set_image(c, key, value, err);
	if (rc <= 0)
		return rc;
	if (chat_params_known(key))
		return chat_params_set(&c->params, key, value, err);
	char *q = config_quote(key);
	*err = xasprintf(_("unknown setting %s"), q);
	free(q);
	return -1;
}

int squint_config_set(struct squint_config *c, const char *key, const char *value, char **err)
{
	int rc = config_set(c, key, value, err);
	if (rc < 0) {
		char *clean = sanitize_line(*err);
		free(*err);
		*err = clean;
		config_scrub(*err, c->api_key);
	}
	return rc;
}

void squint_config_unset(struct squint_config *c, const char *key)
{
	if (strcmp(key, "base_url") == 0) {
		free(c->base_url);
		c->base_url = xstrdup(SQUINT_DEFAULT_BASE_URL);
	} else if (strcmp(key, "header") == 0) {
		config_free_list(&c->headers, &c->n_headers);
	} else if (strcmp(key, "retries") == 0) {
		c->retries = CONFIG_DEFAULT_RETRIES;
	} else if (strcmp(key, "max_line_mb") == 0) {
		c->max_line_mb = CONFIG_DEFAULT_MAX_LINE_MB;
	} else if (strcmp(key, "max_answer_mb") == 0) {
		c->max_answer_mb = CONFIG_DEFAULT_MAX_ANSWER_MB;
	} else if (strcmp(key, "idle_timeout") == 0) {
		c->idle_timeout = CONFIG_DEFAULT_IDLE_TIMEOUT;
	} else if (strcmp(key, "connect_timeout") == 0) {
		c->connect_timeout = CONFIG_DEFAULT_CONNECT_TIMEOUT;
	} else if (strcmp(key, "cacert") == 0) {
		free(c->cacert);
		c->cacert = NULL;
	} else if (strcmp(key, "insecure") == 0) {
		c->insecure = false;
	} else if (strcmp(key, "fetch_urls") == 0) {
		c->fetch_urls = false;
	} else if (strcmp(key, "proxy") == 0) {
		free(c->proxy);
		c->proxy = NULL;
	} else if (strcmp(key, "max_edge") == 0 || strcmp(key, "original") == 0) {
		c->max_edge = -1;
	} else if (strcmp(key, "model") == 0) {
		free(c->params.model);
		c->params.model = xstrdup(SQUINT_DEFAULT_MODEL);
	} else {
		chat_params_unset(&c->params, key);
	}
}

char *squint_config_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/squint/config", xdg);
	const char *home = getenv("HOME");
	if (home && home[0] == '/')
		return xasprintf("%s/.config/squint/config", home);
	return NULL;
}

