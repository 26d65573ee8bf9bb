/* What the parts of the config module share: src/core/config.c (settings),
 * configfile.c (the INI file) and configkey.c (environment and key).
 * Not for use outside them. */
#ifndef SQUINT_CORE_CONFIG_INTERNAL_H
#define SQUINT_CORE_CONFIG_INTERNAL_H

#include "core/config.h"

#include <stdbool.h>

#define CONFIG_DEFAULT_RETRIES 2
#define CONFIG_MAX_RETRIES 20
#define CONFIG_DEFAULT_IDLE_TIMEOUT 300.0
#define CONFIG_DEFAULT_CONNECT_TIMEOUT 30.0
/* Caps on what a server may make squint hold (MiB): one SSE line, and one
 * answer.  A real answer is a few hundred KiB; a line holds one token. */
#define CONFIG_DEFAULT_MAX_LINE_MB 16
#define CONFIG_DEFAULT_MAX_ANSWER_MB 64
#define CONFIG_MAX_CAP_MB 4096
/* Timeouts beyond this are typos, and would overflow milliseconds. */
#define CONFIG_MAX_TIMEOUT 1000000.0
/* A config file is a handful of lines; anything bigger is the wrong file. */
#define CONFIG_FILE_MAX (1024u * 1024u)
/* How much of api_key_cmd's output is kept; the rest is read and dropped
 * so the command never dies of SIGPIPE. */
#define CONFIG_KEY_OUTPUT_MAX (64u * 1024u)

/* Forget the key and every key source. */
void config_clear_key(struct squint_config *c);

/* Free every string of a list and the list; *n becomes 0. */
void config_free_list(char ***list, size_t *n);

/* Return true when s holds a control byte (CR and LF included). */
bool config_has_control(const char *s);

/* Append s (taken over) to a list of strings. */
void config_push(char ***list, size_t *n, char *s);

/* Return a newly allocated double-quoted copy of value for a message,
 * control bytes escaped and long values cut; the caller frees it.  Never
 * used on anything that may hold a secret. */
char *config_quote(const char *value);

/* Mask every occurrence of secret in msg with '*', in place.  Messages quote
 * rejected values, and a user may paste the key where another value goes;
 * keys shorter than 4 bytes are no secret worth garbling a message for. */
void config_scrub(char *msg, const char *secret);

/* Overwrite s with zeros in a way the compiler cannot drop, so a freed key
 * does not linger in the heap. */
void config_wipe(char *s);

/* Set base_url: an http(s) URL without spaces; trailing slashes are dropped
 * so "/chat/completions" can be appended.  Returns 0 or -1 with *err. */
int config_set_base_url(struct squint_config *c, const char *value, char **err);

#endif
