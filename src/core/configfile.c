/* Angle brackets on purpose: from src/core, "config.h" would find this
 * module's own header before autoconf's. */
#include <config.h>

#include "core/config.h"
#include "core/config-internal.h"

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
			/* Not quoted back: what lands here by mistake is often
			 * the key itself. */
			*err = xstrdup(_("api_key_env must be the name of an environment "
					 "variable (letters, digits and _), not a key"));
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

	if (result < 0 && *err) {
		/* Paths and values come from the file: show controls visibly. */
		char *clean = sanitize_line(*err);
		free(*err);
		*err = clean;
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

