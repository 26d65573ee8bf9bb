/* Angle brackets on purpose: from src/core, "config.h" would find this
 * module's own header before autoconf's. */
#include <config.h>

#include "core/config.h"
#include "core/config-internal.h"

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
