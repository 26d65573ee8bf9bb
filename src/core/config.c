/* Angle brackets on purpose: from src/core, "config.h" would find this
 * module's own header before autoconf's. */
#include <config.h>

#include "core/config.h"

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

#define CONFIG_DEFAULT_RETRIES 2
#define CONFIG_MAX_RETRIES 20
#define CONFIG_DEFAULT_IDLE_TIMEOUT 300.0
#define CONFIG_DEFAULT_CONNECT_TIMEOUT 30.0
/* Timeouts beyond this are typos, and would overflow milliseconds. */
#define CONFIG_MAX_TIMEOUT 1000000.0
/* A config file is a handful of lines; anything bigger is the wrong file. */
#define CONFIG_FILE_MAX (1024u * 1024u)
/* How much of api_key_cmd's output is kept; the rest is read and dropped
 * so the command never dies of SIGPIPE. */
#define CONFIG_KEY_OUTPUT_MAX (64u * 1024u)

/* Overwrite s with zeros in a way the compiler cannot drop, so a freed key
 * does not linger in the heap. */
static void config_wipe(char *s)
{
	if (!s)
		return;
	volatile char *v = s;
	while (*v)
		*v++ = '\0';
}

/* Forget the key and every key source. */
static void config_clear_key(struct squint_config *c)
{
	config_wipe(c->api_key);
	free(c->api_key);
	free(c->key_source);
	free(c->key_env);
	free(c->key_cmd);
	c->api_key = c->key_source = c->key_env = c->key_cmd = NULL;
}

/* Free every string of a list and the list; *n becomes 0. */
static void config_free_list(char ***list, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*list)[i]);
	free(*list);
	*list = NULL;
	*n = 0;
}

/* Append s (taken over) to a list of strings. */
static void config_push(char ***list, size_t *n, char *s)
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
}

void squint_config_init(struct squint_config *c)
{
	memset(c, 0, sizeof *c);
	c->base_url = xstrdup(SQUINT_DEFAULT_BASE_URL);
	c->retries = CONFIG_DEFAULT_RETRIES;
	c->idle_timeout = CONFIG_DEFAULT_IDLE_TIMEOUT;
	c->connect_timeout = CONFIG_DEFAULT_CONNECT_TIMEOUT;
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
	config_free_list(&c->files, &c->n_files);
	config_free_list(&c->warnings, &c->n_warnings);
	memset(c, 0, sizeof *c);
}

/* Return a newly allocated double-quoted copy of value for a message,
 * control bytes escaped and long values cut; the caller frees it.  Never
 * used on anything that may hold a secret. */
static char *config_quote(const char *value)
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
static bool config_has_control(const char *s)
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
static void config_scrub(char *msg, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	if (!msg || n < 4)
		return;
	for (char *at = strstr(msg, secret); at; at = strstr(at + n, secret))
		memset(at, '*', n);
}

/* Return 0 with the value in *out when s is one whole finite decimal number
 * (no spaces, hex, inf or nan), else -1. */
static int config_parse_double(const char *s, double *out)
{
	char *end;

	if (!*s || strspn(s, "0123456789+-.eE") != strlen(s))
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (*end || end == s || errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* Return 0 with the value in *out when s is one whole decimal integer that
 * fits an int, else -1. */
static int config_parse_int(const char *s, int *out)
{
	char *end;
	const char *d = s + (*s == '+' || *s == '-');

	if (!isdigit((unsigned char)*d))
		return -1;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*end || errno == ERANGE || v < -2147483647L || v > 2147483647L)
		return -1;
	*out = (int)v;
	return 0;
}

/* Return 0 with the value in *out for true/false/yes/no/on/off/1/0, else
 * -1; the same words chat_params_set() takes. */
static int config_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* Set base_url: an http(s) URL without spaces; trailing slashes are dropped
 * so "/chat/completions" can be appended.  Returns 0 or -1 with *err. */
static int config_set_base_url(struct squint_config *c, const char *value, char **err)
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
	if (config_parse_double(value, &v) == 0 && v > 0 && v <= CONFIG_MAX_TIMEOUT) {
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
	"max_file_mb", "jpeg_quality", "webp_quality",
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
		if (config_parse_int(value, &iv) == 0 && iv >= 0 && iv <= 65535) {
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
		if (config_parse_bool(value, &b) == 0) {
			c->max_edge = b ? 0 : -1;
			return 0;
		}
		*err = xasprintf(_("%s must be true or false"), key);
		return -1;
	}
	if (strcmp(key, "max_megapixels") == 0 || strcmp(key, "max_file_mb") == 0) {
		if (config_parse_double(value, &dv) == 0 && dv > 0 && dv <= 100000) {
			*(key[4] == 'm' ? &c->max_megapixels : &c->max_file_mb) = dv;
			return 0;
		}
		char *q = config_quote(value);
		*err = xasprintf(_("%s must be a number above 0, not %s"), key, q);
		free(q);
		return -1;
	}
	if (strcmp(key, "jpeg_quality") == 0 || strcmp(key, "webp_quality") == 0) {
		if (config_parse_int(value, &iv) == 0 && iv >= 1 && iv <= 100) {
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
		if (config_parse_int(value, &v) == 0 && v >= 0 && v <= CONFIG_MAX_RETRIES) {
			c->retries = v;
			return 0;
		}
		char *q = config_quote(value);
		*err = xasprintf(_("%s must be a whole number from %d to %d, not %s"), key, 0,
				 CONFIG_MAX_RETRIES, q);
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
		if (config_parse_bool(value, &c->insecure) == 0)
			return 0;
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
	if (rc < 0)
		config_scrub(*err, c->api_key);
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
	} else if (strcmp(key, "idle_timeout") == 0) {
		c->idle_timeout = CONFIG_DEFAULT_IDLE_TIMEOUT;
	} else if (strcmp(key, "connect_timeout") == 0) {
		c->connect_timeout = CONFIG_DEFAULT_CONNECT_TIMEOUT;
	} else if (strcmp(key, "cacert") == 0) {
		free(c->cacert);
		c->cacert = NULL;
	} else if (strcmp(key, "insecure") == 0) {
		c->insecure = false;
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

/* ---- the config file ------------------------------------------------- */

enum config_section {
	CONFIG_SECTION_DEFAULTS, /* [defaults], and keys before any section */
	CONFIG_SECTION_CHOSEN,	 /* [profile NAME] of the chosen profile */
	CONFIG_SECTION_OTHER,	 /* any other profile: keys checked, not applied */
};

/* One "key = value" line of a section that gets applied. */
struct config_entry {
	int line;
	enum config_section section;
	char *key;
	char *value;
};

/* State shared by the line reader and the handler inih calls: the reader
 * hands inih one line at a time, so it knows each line's number and
 * section when the handler runs for it. */
struct config_parse {
	const char *path;
	const char *profile; /* the chosen profile, or NULL */
	const char *data;
	size_t len, pos;
	int line;
	enum config_section section;
	bool profile_seen;
	bool has_key_cmd;
	char **literal_keys; /* every non-empty api_key of the file, to scrub */
	size_t n_literal_keys;
	struct config_entry *entries;
	size_t n_entries;
	int err_line; /* line of err, the first error found */
	char *err;    /* reason without "FILE:LINE: " */
};

/* Record reason (taken over) as the error of line, unless an earlier one is
 * already recorded. */
static void config_parse_fail(struct config_parse *st, int line, char *reason)
{
	if (st->err) {
		free(reason);
		return;
	}
	st->err = reason;
	st->err_line = line;
}

/* Handle a "[...]" line: set the current section, or record an error for an
 * unknown one.  Sections are read here rather than from inih, which cuts
 * long names. */
static void config_parse_section(struct config_parse *st, const char *text)
{
	const char *end = strchr(text, ']');
	if (!end)
		return; /* inih reports the syntax error */
	char *name = xstrndup(text + 1, (size_t)(end - text - 1));
	char *s = name + strspn(name, " \t");
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';

	if (strcmp(s, "defaults") == 0) {
		st->section = CONFIG_SECTION_DEFAULTS;
	} else if (strncmp(s, "profile", 7) == 0 && (s[7] == ' ' || s[7] == '\t')) {
		const char *p = s + 7 + strspn(s + 7, " \t");
		if (st->profile && strcmp(p, st->profile) == 0) {
			st->section = CONFIG_SECTION_CHOSEN;
			st->profile_seen = true;
		} else {
			st->section = CONFIG_SECTION_OTHER;
		}
	} else {
		char *q = config_quote(s);
		config_parse_fail(st, st->line,
				  xasprintf(_("unknown section %s; sections are [defaults] and "
					      "[profile NAME]"),
					    q));
		free(q);
		st->section = CONFIG_SECTION_OTHER;
	}
	free(name);
}

/* inih's fgets-like reader over the file in memory: returns the next line
 * in str (at most num - 1 bytes) or NULL at the end.  Leading blanks are
 * dropped so an indented line is never taken as the continuation of the
 * previous value (which inih would silently do). */
static char *config_parse_read(char *str, int num, void *stream)
{
	struct config_parse *st = stream;

	if (st->pos >= st->len)
		return NULL;
	const char *start = st->data + st->pos;
	const char *nl = memchr(start, '\n', st->len - st->pos);
	size_t n = nl ? (size_t)(nl - start) : st->len - st->pos;
	st->pos += n + (nl != NULL);
	st->line++;

	while (n > 0 && isspace((unsigned char)*start)) {
		start++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)start[n - 1]))
		n--;
	if (num < 2)
		return NULL;
	if (n > (size_t)num - 2) {
		config_parse_fail(st, st->line,
				  xasprintf(_("line too long (at most %d characters)"), num - 2));
		n = (size_t)num - 2;
	}
	memcpy(str, start, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	if (n > 0 && str[0] == '[')
		config_parse_section(st, str);
	return str;
}

/* Return true for the keys that name where the API key comes from; they are
 * file-only (never a flag), so squint_config_set() does not take them. */
static bool config_is_key_source(const char *key)
{
	return strcmp(key, "api_key") == 0 || strcmp(key, "api_key_env") == 0 ||
	       strcmp(key, "api_key_cmd") == 0;
}

/* inih's handler: check the key, remember the entries of the sections that
 * will be applied.  Always returns 1, so inih's own result only reports
 * syntax errors. */
static int config_parse_handle(void *user, const char *section, const char *name,
			       const char *value)
{
	struct config_parse *st = user;

	(void)section; /* config_parse_read() tracks sections itself */
	if (!squint_config_known(name) && !config_is_key_source(name)) {
		char *q = config_quote(name);
		config_parse_fail(st, st->line, xasprintf(_("unknown key %s"), q));
		free(q);
		return 1;
	}
	if (strcmp(name, "api_key") == 0 && *value)
		config_push(&st->literal_keys, &st->n_literal_keys, xstrdup(value));
	if (strcmp(name, "api_key_cmd") == 0)
		st->has_key_cmd = true;
	if (st->section == CONFIG_SECTION_OTHER)
		return 1;
	st->entries = xrealloc(st->entries, (st->n_entries + 1) * sizeof *st->entries);
	struct config_entry *e = &st->entries[st->n_entries++];
	e->line = st->line;
	e->section = st->section;
	e->key = xstrdup(name);
	e->value = xstrdup(value);
	return 1;
}

/* Return a newly allocated path for a file named in the config file:
 * absolute paths stay, "~/" is the home directory, anything else is
 * relative to dir (the config file's directory).  The caller frees it. */
static char *config_resolve_path(const char *dir, const char *value)
{
	const char *home = getenv("HOME");
	if (!*value || value[0] == '/')
		return xstrdup(value);
	if (value[0] == '~' && value[1] == '/' && home && *home)
		return xasprintf("%s%s", home, value + 1);
	return xasprintf("%s/%s", dir, value);
}

/* Return a newly allocated description of a section for key_source and
 * messages: "profile NAME" or "[defaults]". */
static char *config_section_name(const struct config_parse *st, enum config_section section)
{
	if (section == CONFIG_SECTION_CHOSEN)
		return xasprintf(_("profile %s"), st->profile);
	return xstrdup(_("[defaults]"));
}

/* Apply one key source entry (api_key, api_key_env, api_key_cmd): it
 * replaces any earlier source; nothing is read or run yet.  Returns 0 or
 * -1 with *err; messages never show the key. */
static int config_apply_key_source(struct squint_config *c, const struct config_parse *st,
				   const struct config_entry *e, char **err)
{
	char *where = config_section_name(st, e->section);
	int rc = 0;

	if (strcmp(e->key, "api_key") == 0) {
		if (config_has_control(e->value)) {
			*err = xstrdup(_("api_key must not contain control characters"));
			rc = -1;
		} else {
			config_clear_key(c);
			/* An empty api_key says "this endpoint takes no key", which
			 * also keeps OPENAI_API_KEY away from it. */
			c->api_key = *e->value ? xstrdup(e->value) : NULL;
			c->key_source = xasprintf(_("api_key of %s in %s"), where, st->path);
		}
	} else if (strcmp(e->key, "api_key_env") == 0) {
		const char *v = e->value;
		bool ok = (isalpha((unsigned char)v[0]) || v[0] == '_') &&
			  strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_") == strlen(v);
		if (!ok) {
			char *q = config_quote(v);
			*err = xasprintf(_("api_key_env must be the name of an environment "
					   "variable, not %s"),
					 q);
			free(q);
			rc = -1;
		} else {
			config_clear_key(c);
			c->key_env = xstrdup(v);
			c->key_source = xasprintf(_("api_key_env %s of %s"), v, where);
		}
	} else {
		if (!*e->value) {
			*err = xstrdup(_("api_key_cmd must not be empty"));
			rc = -1;
		} else {
			config_clear_key(c);
			c->key_cmd = xstrdup(e->value);
			c->key_source = xasprintf(_("api_key_cmd of %s"), where);
		}
	}
	if (rc == 0 && e->section == CONFIG_SECTION_CHOSEN)
		c->key_from_profile = true;
	free(where);
	return rc;
}

/* Apply the entries of one section kind in file order.  The first "stop",
 * "logit_bias" or "header" of a section replaces what an earlier layer
 * set; later ones in the same section add to it.  Returns 0 or -1 with *err
 * set to "FILE:LINE: reason". */
static int config_apply_section(struct squint_config *c, const struct config_parse *st,
				enum config_section section, const char *dir, char **err)
{
	bool reset_stop = false, reset_bias = false, reset_header = false;

	for (size_t i = 0; i < st->n_entries; i++) {
		const struct config_entry *e = &st->entries[i];
		char *reason = NULL;
		int rc;

		if (e->section != section)
			continue;
		if (strcmp(e->key, "stop") == 0 && !reset_stop) {
			squint_config_unset(c, "stop");
			reset_stop = true;
		} else if (strcmp(e->key, "logit_bias") == 0 && !reset_bias) {
			squint_config_unset(c, "logit_bias");
			reset_bias = true;
		} else if (strcmp(e->key, "header") == 0 && !reset_header) {
			squint_config_unset(c, "header");
			reset_header = true;
		}

		if (config_is_key_source(e->key)) {
			rc = config_apply_key_source(c, st, e, &reason);
		} else if (strcmp(e->key, "tools") == 0 || strcmp(e->key, "response_format") == 0 ||
			   strcmp(e->key, "cacert") == 0) {
			char *path = config_resolve_path(dir, e->value);
			rc = squint_config_set(c, e->key, path, &reason);
			free(path);
		} else {
			rc = squint_config_set(c, e->key, e->value, &reason);
		}
		if (rc < 0) {
			*err = xasprintf("%s:%d: %s", st->path, e->line, reason);
			free(reason);
			return -1;
		}
		if (section == CONFIG_SECTION_CHOSEN && strcmp(e->key, "base_url") == 0)
			c->base_url_from_profile = true;
	}
	return 0;
}

/* Read the whole config file from f into a newly allocated NUL-terminated
 * buffer (length in *len); NULL with *err when it cannot be read, is too
 * big, or is not text.  The caller frees the buffer. */
static char *config_read_file(FILE *f, const char *path, size_t *len, char **err)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[4096];
	size_t got;

	while (sb.len <= CONFIG_FILE_MAX && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
		strbuf_append(&sb, chunk, got);
	if (ferror(f))
		*err = xasprintf(_("cannot read %s: %s"), path, strerror(errno));
	else if (sb.len > CONFIG_FILE_MAX)
		*err = xasprintf(_("%s is larger than %u MiB"), path, CONFIG_FILE_MAX >> 20);
	else if (sb.len && memchr(sb.data, '\0', sb.len))
		*err = xasprintf(_("%s is not a text file"), path);
	else {
		*len = sb.len;
		return strbuf_detach(&sb);
	}
	strbuf_done(&sb);
	return NULL;
}

/* Add the warnings a file's permissions call for: a literal key readable
 * by others, or a key command others may rewrite. */
static void config_check_mode(struct squint_config *c, const struct config_parse *st,
			      const struct stat *sb)
{
	if (st->n_literal_keys > 0 && (sb->st_mode & (S_IRGRP | S_IROTH)))
		config_push(&c->warnings, &c->n_warnings,
			    xasprintf(_("%s: holds an API key and is readable by others; run "
					"chmod 600 %s"),
				      st->path, st->path));
	if (st->has_key_cmd && (sb->st_mode & (S_IWGRP | S_IWOTH)))
		config_push(&c->warnings, &c->n_warnings,
			    xasprintf(_("%s: names an api_key_cmd and is writable by others, who "
					"could change the command; run chmod 600 %s"),
				      st->path, st->path));
}

int squint_config_load_file(struct squint_config *c, const char *path, const char *profile,
			    char **err)
{
	char *owned = NULL;
	bool is_default = path == NULL;

	if (is_default) {
		owned = squint_config_default_path();
		if (!owned) {
			if (!profile)
				return 0;
			*err = xasprintf(_("no profile \"%s\": there is no config file (HOME is "
					   "not set)"),
					 profile);
			return -1;
		}
		path = owned;
	}

	FILE *f = fopen(path, "r");
	if (!f) {
		int e = errno;
		int rc = -1;
		if (is_default && e == ENOENT && !profile)
			rc = 0;
		else if (e == ENOENT && profile)
			*err = xasprintf(_("no profile \"%s\": %s does not exist"), profile,
					 path);
		else
			*err = xasprintf(_("cannot read config file %s: %s"), path, strerror(e));
		free(owned);
		return rc;
	}
	struct stat sb;
	size_t len = 0;
	char *data = NULL;
	if (fstat(fileno(f), &sb) != 0) {
		*err = xasprintf(_("cannot read config file %s: %s"), path, strerror(errno));
	} else if (S_ISDIR(sb.st_mode)) {
		*err = xasprintf(_("cannot read config file %s: %s"), path, strerror(EISDIR));
	} else {
		data = config_read_file(f, path, &len, err);
	}
	fclose(f);
	if (!data) {
		free(owned);
		return -1;
	}

	struct config_parse st = {
		.path = path,
		.profile = profile,
		.data = data,
		.len = len,
		.section = CONFIG_SECTION_DEFAULTS,
	};
	/* inih would skip a BOM itself, but only on the raw first line. */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		st.pos = 3;
	int rc = ini_parse_stream(config_parse_read, &st, config_parse_handle, &st);
	if (rc > 0 && (!st.err || rc < st.err_line)) {
		free(st.err);
		st.err = xstrdup(_("expected \"key = value\" or a [section]"));
		st.err_line = rc;
	}

	int result = 0;
	char *dir = NULL;
	if (rc < 0 && !st.err) {
		*err = xasprintf(_("cannot read config file %s: out of memory"), path);
		result = -1;
	} else if (st.err) {
		*err = xasprintf("%s:%d: %s", path, st.err_line, st.err);
		result = -1;
	} else if (profile && !st.profile_seen) {
		*err = xasprintf(_("no profile \"%s\" in %s"), profile, path);
		result = -1;
	} else {
		const char *slash = strrchr(path, '/');
		dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
			    : xstrdup(".");
		config_check_mode(c, &st, &sb);
		result = config_apply_section(c, &st, CONFIG_SECTION_DEFAULTS, dir, err);
		if (result == 0 && profile)
			result = config_apply_section(c, &st, CONFIG_SECTION_CHOSEN, dir, err);
		if (result == 0) {
			free(c->profile);
			c->profile = xstrdup(profile);
			config_push(&c->files, &c->n_files, xstrdup(path));
		}
	}

	for (size_t i = 0; i < st.n_literal_keys; i++) {
		if (result < 0)
			config_scrub(*err, st.literal_keys[i]);
		config_wipe(st.literal_keys[i]);
	}
	config_free_list(&st.literal_keys, &st.n_literal_keys);
	for (size_t i = 0; i < st.n_entries; i++) {
		/* Values may hold a literal key. */
		config_wipe(st.entries[i].value);
		free(st.entries[i].key);
		free(st.entries[i].value);
	}
	free(st.entries);
	free(st.err);
	config_wipe(data);
	free(data);
	free(dir);
	free(owned);
	return result;
}

/* ---- environment and key resolution ---------------------------------- */

int squint_config_apply_env(struct squint_config *c, char **err)
{
	char *reason = NULL;

	/* The deliberate exception to "environment beats profile": a profile
	 * that names its own key source describes another provider, so
	 * OPENAI_API_KEY must not replace its key (it would go to an endpoint
	 * it was never meant for), and OPENAI_BASE_URL must not replace the
	 * profile's endpoint (the profile's key would go to the environment's
	 * endpoint).  --base-url, an explicit choice, still wins. */
	const char *key = getenv("OPENAI_API_KEY");
	if (key && *key && !c->key_from_profile) {
		config_clear_key(c);
		c->api_key = xstrdup(key);
		c->key_source = xstrdup("OPENAI_API_KEY");
	}

	const char *url = getenv("OPENAI_BASE_URL");
	if (url && *url && !(c->key_from_profile && c->base_url_from_profile)) {
		if (config_set_base_url(c, url, &reason) < 0) {
			config_scrub(reason, c->api_key);
			*err = xasprintf("OPENAI_BASE_URL: %s", reason);
			free(reason);
			return -1;
		}
	}

	const char *model = getenv("SQUINT_MODEL");
	if (model && *model) {
		if (chat_params_set(&c->params, "model", model, &reason) < 0) {
			config_scrub(reason, c->api_key);
			*err = xasprintf("SQUINT_MODEL: %s", reason);
			free(reason);
			return -1;
		}
	}
	return 0;
}

/* Run cmd with /bin/sh -c and return its first output line, trimmed, newly
 * allocated (the caller wipes and frees it), or NULL with *err naming
 * source (never the output).  stdin is /dev/null unless it is a terminal,
 * so a command cannot swallow text piped to squint, yet can still ask for
 * a passphrase. */
static char *config_run_key_cmd(const char *cmd, const char *source, char **err)
{
	int fds[2];

	if (pipe(fds) != 0) {
		*err = xasprintf(_("%s: cannot run the command: %s"), source, strerror(errno));
		return NULL;
	}
	bool tty = isatty(STDIN_FILENO); /* asked before fork: the child stays minimal */
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		*err = xasprintf(_("%s: cannot run the command: %s"), source, strerror(e));
		return NULL;
	}
	if (pid == 0) {
		close(fds[0]);
		if (fds[1] != STDOUT_FILENO) {
			dup2(fds[1], STDOUT_FILENO);
			close(fds[1]);
		}
		if (!tty) {
			int nul = open("/dev/null", O_RDONLY);
			if (nul >= 0 && nul != STDIN_FILENO) {
				dup2(nul, STDIN_FILENO);
				close(nul);
			}
		}
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);

	char *out = xmalloc(CONFIG_KEY_OUTPUT_MAX + 1);
	size_t n = 0;
	for (;;) {
		char sink[4096];
		char *dst = n < CONFIG_KEY_OUTPUT_MAX ? out + n : sink;
		size_t room = n < CONFIG_KEY_OUTPUT_MAX ? CONFIG_KEY_OUTPUT_MAX - n : sizeof sink;
		ssize_t got = read(fds[0], dst, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (dst != sink)
			n += (size_t)got;
	}
	close(fds[0]);
	out[n] = '\0';

	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = -1;
			break;
		}
	}

	char *key = NULL;
	if (status == -1)
		*err = xasprintf(_("%s: cannot wait for the command: %s"), source,
				 strerror(errno));
	else if (WIFSIGNALED(status))
		*err = xasprintf(_("%s: the command was killed by signal %d"), source,
				 WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		*err = xasprintf(_("%s: the command failed with exit status %d"), source,
				 WEXITSTATUS(status));
	else {
		char *line = out + strspn(out, " \t\r\n");
		size_t len = strcspn(line, "\n");
		while (len > 0 && isspace((unsigned char)line[len - 1]))
			len--;
		if (len == 0)
			*err = xasprintf(_("%s: the command printed no key"), source);
		else
			key = xstrndup(line, len);
	}
	config_wipe(out);
	free(out);
	return key;
}

int squint_config_resolve_key(struct squint_config *c, char **err)
{
	if (c->key_env) {
		const char *v = getenv(c->key_env);
		if (!v || !*v) {
			*err = xasprintf(_("%s: the variable is not set"), c->key_source);
			return -1;
		}
		c->api_key = xstrdup(v);
		free(c->key_env);
		c->key_env = NULL;
	} else if (c->key_cmd) {
		char *key = config_run_key_cmd(c->key_cmd, c->key_source, err);
		if (!key)
			return -1;
		c->api_key = key;
		free(c->key_cmd);
		c->key_cmd = NULL;
	}
	/* The key goes into an HTTP header: a CR or LF in it would let it
	 * smuggle in other headers. */
	if (c->api_key && config_has_control(c->api_key)) {
		*err = xasprintf(_("%s: the key contains control characters"),
				 c->key_source ? c->key_source : "api_key");
		return -1;
	}
	return 0;
}
