/* Fuzz the config file reader (squint_config_load_file in
 * src/core/configfile.c, and the settings of config.c and params.c).
 *
 * There is no entry point for a file in memory, so the input is written to
 * a file in a private temporary directory (also HOME) and loaded from there,
 * with no profile or the profile "work" (chosen by the input's hash) and
 * mode 0600 or 0644.  Settings that name files (tools, response_format,
 * cacert) are read relative to that directory; inputs naming /dev, /proc,
 * /sys or /run are skipped, as reading a terminal or a FIFO would block.
 *
 * Invariants: no crash or leak; a failure comes with one message line
 * without control bytes; the value of any api_key line of the input never
 * appears in a message or a warning, whole or (for a key-like value of
 * letters, digits, '-' and '_') as a run of 24 of its bytes: a message
 * quotes at most 60 bytes of a value, so a longer key pasted where another
 * value goes would otherwise show most of itself. */
#include <config.h>

#include "core/config.h"
#include "fuzz.h"

#include <ctype.h>
#include <stdbool.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes of a key that may not appear in a message in one run. */
#define KEY_WINDOW 24

static char dir[256];
static char path[300];

/* Remove the temporary directory at exit. */
static void cleanup(void)
{
	if (path[0])
		unlink(path);
	if (dir[0])
		rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/squint-fuzz-config.XXXXXX",
		 tmp && *tmp == '/' ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
	snprintf(path, sizeof path, "%s/config", dir);
	setenv("HOME", dir, 1);
	unsetenv("XDG_CONFIG_HOME");
	atexit(cleanup);
	return 0;
}

/* Return whether the n bytes at s contain the NUL-terminated needle. */
static int contains(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (k > n)
		return 0;
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			return 1;
	return 0;
}

/* Append to keys the value of every "api_key = VALUE" (or ':') line of the
 * input, cut at an inline comment and trimmed as inih does (the reader may
 * cut it further, at a long line: its value is then part of ours, and
 * finding ours in a message still means finding the key). */
static size_t find_keys(const char *s, size_t n, char **keys, size_t max)
{
	size_t nk = 0;
	for (size_t a = 0; a < n && nk < max;) {
		const char *nl = memchr(s + a, '\n', n - a);
		size_t b = nl ? (size_t)(nl - s) : n;
		size_t i = a;
		while (i < b && isspace((unsigned char)s[i]))
			i++;
		if (b - i > 7 && memcmp(s + i, "api_key", 7) == 0) {
			i += 7;
			while (i < b && isspace((unsigned char)s[i]))
				i++;
			if (i < b && (s[i] == '=' || s[i] == ':')) {
				i++;
				/* inih ends a value at a ';' after white space. */
				size_t e = b;
				for (size_t j = i; j < b; j++) {
					if (s[j] == ';' && j > i &&
					    isspace((unsigned char)s[j - 1])) {
						e = j;
						break;
					}
				}
				while (i < e && isspace((unsigned char)s[i]))
					i++;
				while (e > i && isspace((unsigned char)s[e - 1]))
					e--;
				/* The scrubbing leaves '*' runs: keys made of '*' could
				 * re-form; and keys under 4 bytes are not scrubbed. */
				if (e - i >= 4 && !memchr(s + i, '*', e - i) &&
				    !memchr(s + i, '\0', e - i)) {
					keys[nk] = strndup(s + i, e - i);
					FUZZ_ASSERT(keys[nk], "out of memory");
					nk++;
				}
			}
		}
		a = b + 1;
	}
	return nk;
}

/* Check one message that may be shown to the user.  Error messages are
 * scrubbed of every literal key, so no key may appear in them at all;
 * warnings and key_source are not (their text is fixed), so there only a
 * key-like run can be told from the message's own words. */
static void check_message(const char *what, const char *msg, char **keys, size_t nk, bool scrubbed)
{
	size_t n = strlen(msg);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT((unsigned char)msg[i] >= 0x20 && msg[i] != 0x7f,
			    "%s has the control byte 0x%02x: %s", what, (unsigned char)msg[i], msg);
	/* The path of the file is in messages: blank it out. */
	char *m = strdup(msg);
	FUZZ_ASSERT(m, "out of memory");
	size_t pl = strlen(path);
	for (char *at = strstr(m, path); at; at = strstr(at, path))
		memset(at, ' ', pl);
	for (size_t k = 0; k < nk; k++) {
		const char *key = keys[k];
		size_t kl = strlen(key);
		/* A short key of lower-case letters ("file") may be a word of
		 * the message itself, not a quote of the key. */
		bool word = kl < 8 && strspn(key, "abcdefghijklmnopqrstuvwxyz") == kl;
		FUZZ_ASSERT(!scrubbed || word || !strstr(m, key),
			    "%s shows the api_key \"%s\": %s", what, key, msg);
		/* Runs of a key-like value (letters, digits, '-', '_': no
		 * message text has 24 of those in a row, so a run found is the
		 * key's). */
		if (kl < KEY_WINDOW ||
		    strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"0123456789-_") != kl)
			continue;
		for (size_t i = 0; i + KEY_WINDOW <= kl; i++) {
			char w[KEY_WINDOW + 1];
			memcpy(w, key + i, KEY_WINDOW);
			w[KEY_WINDOW] = '\0';
			FUZZ_ASSERT(!strstr(m, w), "%s shows %d bytes of the api_key \"%s\": %s",
				    what, KEY_WINDOW, key, msg);
		}
	}
	free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	if (contains(s, size, "dev") || contains(s, size, "proc") || contains(s, size, "sys") ||
	    contains(s, size, "run"))
		return 0;

	struct fuzz_rng rng;
	fuzz_rng_seed(&rng, data, size);
	const char *profile = fuzz_rng_below(&rng, 2) ? "work" : NULL;
	mode_t mode = fuzz_rng_below(&rng, 4) ? 0600 : 0644;

	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	FUZZ_ASSERT(fd >= 0, "cannot create %s", path);
	FUZZ_ASSERT(write(fd, data, size) == (ssize_t)size, "cannot write %s", path);
	fchmod(fd, mode);
	close(fd);

	char *keys[16];
	size_t nk = find_keys(s, size, keys, 16);

	struct squint_config c;
	squint_config_init(&c);
	char *err = NULL;
	int rc = squint_config_load_file(&c, path, profile, &err);
	FUZZ_ASSERT(rc == 0 || rc == -1, "squint_config_load_file returned %d", rc);
	if (rc < 0) {
		FUZZ_ASSERT(err && *err, "a failure without a message");
		check_message("the error", err, keys, nk, true);
	} else {
		FUZZ_ASSERT(!err, "success with a message: %s", err);
		FUZZ_ASSERT(c.base_url && *c.base_url, "no base_url");
		FUZZ_ASSERT(c.base_url[strlen(c.base_url) - 1] != '/', "base_url %s ends in '/'",
			    c.base_url);
		FUZZ_ASSERT(c.retries >= 0 && c.retries <= 20, "retries %d", c.retries);
		FUZZ_ASSERT(c.idle_timeout > 0 && c.connect_timeout > 0,
			    "a timeout is not positive");
		for (size_t i = 0; i < c.n_headers; i++)
			FUZZ_ASSERT(!strpbrk(c.headers[i], "\r\n"), "header %zu holds a line end",
				    i);
		if (c.key_source)
			check_message("key_source", c.key_source, keys, nk, false);
	}
	for (size_t i = 0; i < c.n_warnings; i++)
		check_message("a warning", c.warnings[i], keys, nk, false);
	free(err);
	squint_config_done(&c);
	for (size_t k = 0; k < nk; k++)
		free(keys[k]);
	return 0;
}
