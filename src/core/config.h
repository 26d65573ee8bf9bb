/* Configuration: built-in defaults, the config file's [defaults] and
 * [profile NAME] sections, the environment and flags, merged into one
 * struct that holds everything needed to make requests.
 *
 * Always include this header as "core/config.h": plain "config.h" is
 * autoconf's.  Files in src/core that write #include "config.h" find this
 * header first (quote includes search the including file's directory
 * first), so it pulls in autoconf's header itself to keep them working. */
#ifndef SQUINT_CORE_CONFIG_H
#define SQUINT_CORE_CONFIG_H

#include <config.h>

#include "core/params.h"

#include <stdbool.h>
#include <stddef.h>

#define SQUINT_DEFAULT_BASE_URL "https://api.openai.com/v1"
#define SQUINT_DEFAULT_MODEL "gpt-4o-mini"

struct squint_config {
	char *base_url; /* never NULL; no trailing '/' */
	/* The API key, NULL when there is none (local servers need none).
	 * Never printed, logged, or put in a message. */
	char *api_key;
	/* Where the key comes from, for --doctor: "OPENAI_API_KEY",
	 * "api_key_env FOO of profile work", "api_key_cmd of profile work",
	 * "api_key of [defaults] in FILE"; never the key.  NULL: no key. */
	char *key_source;
	char *profile; /* the profile applied, NULL: [defaults] only */

	char **headers; /* extra request headers, each "Name: value" */
	size_t n_headers;
	int retries;		/* 0..20, default 2 */
	double idle_timeout;	/* seconds without a byte, > 0, default 300 */
	double connect_timeout; /* seconds, > 0, default 30 */
	char *cacert;		/* CA bundle file, NULL: the system's */
	bool insecure;		/* skip TLS verification */
	char *proxy;		/* NULL: libcurl's default (the environment) */
	int max_line_mb;	/* cap on one line of a stream, MiB, default 16 */
	int max_answer_mb;	/* cap on an answer (a choice's text; a whole JSON body), MiB, default 64 */

	struct chat_params params; /* model defaults to gpt-4o-mini */

	/* Images: fitting for upload and the limits of what is read. */
	long max_edge;		/* -1: auto (fit to the model), 0: send as is, else px */
	double max_megapixels;	/* default 100 */
	double max_file_mb;	/* default 50; also caps a fetched URL */
	bool fetch_urls;	/* download http(s) images and send them as data URIs */
	int jpeg_quality;	/* 1..100, default 85 */
	int webp_quality;	/* 1..100, default 85 */
	int preview_rows;	/* thumbnail height in the TUI, rows; default 12 */
	char *graphics;		/* "sixel", "blocks", "none", or NULL: probe */
	bool no_save;		/* save = false: no default session file (TUI) */

	char **files; /* config files read, in order */
	size_t n_files;
	char **warnings; /* for the caller to show; never hold the key */
	size_t n_warnings;

	/* Private to config.c: a key source not resolved yet (see
	 * squint_config_resolve_key), and which settings the chosen profile
	 * made itself (they beat the environment, see squint_config_apply_env). */
	char *key_env;
	char *key_cmd;
	bool key_from_profile;
	bool base_url_from_profile;
};

/* Fill c with the built-in defaults: base_url https://api.openai.com/v1,
 * model gpt-4o-mini, stream on, retries 2, idle timeout 300 s, connect
 * timeout 30 s, no key. */
void squint_config_init(struct squint_config *c);
/* Free everything c owns (wiping the key first). */
void squint_config_done(struct squint_config *c);

/* Return the default config file path, $XDG_CONFIG_HOME/squint/config or
 * $HOME/.config/squint/config, newly allocated (the caller frees it), or
 * NULL when neither variable gives an absolute directory. */
char *squint_config_default_path(void);

/* Read the INI file at path (NULL: the default path) and apply its
 * [defaults] section, then the [profile NAME] section when profile is not
 * NULL, whatever their order in the file.  A missing default file is no
 * error; a missing explicit file is, and so is a missing profile.  Unknown
 * sections and keys, and bad values of the applied sections, are errors
 * naming FILE:LINE.  Relative paths (tools, response_format, cacert) are
 * taken from the file's directory.  May add warnings to c.  Returns 0, or
 * -1 with *err set to a newly allocated message (the caller frees it); c
 * may be partly changed then. */
int squint_config_load_file(struct squint_config *c, const char *path, const char *profile,
			    char **err);

/* Apply OPENAI_API_KEY, OPENAI_BASE_URL and SQUINT_MODEL (empty counts as
 * unset).  A chosen profile that names its own key source keeps its key
 * and its base_url (see config.c).  Returns 0, or -1 with *err newly
 * allocated (a bad value). */
int squint_config_apply_env(struct squint_config *c, char **err);

/* Set one setting from its text: base_url, header (adds one), retries,
 * idle_timeout, connect_timeout, cacert, insecure, proxy, or any name
 * chat_params_set() knows.  One validation path for the file and flags.
 * Returns 0, or -1 with *err set to a newly allocated reason that does not
 * name the source (the caller adds "FILE:LINE" or "--flag"). */
int squint_config_set(struct squint_config *c, const char *key, const char *value, char **err);

/* Return the setting called key to its built-in default (headers: none;
 * parameters: see chat_params_unset), so a flag can replace a list that a
 * config file started. */
void squint_config_unset(struct squint_config *c, const char *key);

/* Return true when key is a setting squint_config_set() knows. */
bool squint_config_known(const char *key);

/* Resolve a key source that was only named so far: read the variable of
 * api_key_env, or run api_key_cmd (with /bin/sh -c; its first output line,
 * trimmed, is the key).  Call it once everything is applied and a request
 * is about to be made, so --help never runs a command.  Returns 0 (api_key
 * may still be NULL: no key configured), or -1 with *err newly allocated;
 * messages name the source, never the key or the command's output. */
int squint_config_resolve_key(struct squint_config *c, char **err);

/* Mask in place every piece (12 bytes or more, or all of a shorter key) of
 * secret that msg holds; NULL msg or secret is fine. */
void config_scrub(char *msg, const char *secret);

#endif
