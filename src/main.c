/* squint: arguments, configuration, mode selection — nothing else. */
#include <config.h>

#include "core/config.h"
#include "core/sanitize.h"
#include "core/sanitize.h"
#include "core/session.h"
#include "core/sessionfile.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "doctor.h"
#include "models.h"
#include "oneshot.h"
#include "options.h"
#include "tui.h"
#include "version.h"

#include <curl/curl.h>
#include <json-c/json_c_version.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Print "squint: MSG" on stderr, with control characters shown visibly:
 * messages carry file names and text from files. */
static void main_error(const char *msg)
{
	char *clean = sanitize_line(msg);
	fprintf(stderr, "squint: %s\n", clean);
	free(clean);
}

/* --export: print the current branch of the session file as format
 * ("messages" or "markdown"); returns an exit status. */
static int main_export(const char *file, const char *format)
{
	if (!format)
		format = "messages";
	if (strcmp(format, "messages") != 0 && strcmp(format, "markdown") != 0) {
		char *msg = xasprintf(_("--format: unknown format \"%s\" (messages or markdown)"),
				      format);
		main_error(msg);
		free(msg);
		return SQUINT_EXIT_USAGE;
	}
	struct session s;
	char *err = NULL;
	session_init(&s);
	if (sessionfile_read(file, &s, &err) != 0) {
		main_error(err);
		free(err);
		session_done(&s);
		return SQUINT_EXIT_USAGE;
	}
	for (size_t i = 0; i < s.n_warnings; i++)
		main_error(s.warnings[i]);
	char *text;
	if (format[1] == 'e') {
		json_object *msgs = session_export_messages(&s);
		text = xasprintf("%s\n", json_object_to_json_string_ext(
						 msgs, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(msgs);
	} else {
		text = session_export_markdown(&s);
	}
	/* Text from a file may be anyone's: never let it drive the terminal. */
	struct strbuf out = STRBUF_INIT;
	if (isatty(STDOUT_FILENO))
		sanitize_string(&out, text, strlen(text));
	else
		strbuf_puts(&out, text);
	fwrite(strbuf_str(&out), 1, out.len, stdout);
	strbuf_done(&out);
	free(text);
	session_done(&s);
	return fflush(stdout) == 0 ? SQUINT_EXIT_OK : SQUINT_EXIT_USAGE;
}

/* Build the configuration: defaults, file, profile, environment, flags.
 * Returns 0, or -1 after printing the reason. */
static int main_configure(struct squint_config *cfg, const struct options *o, char **errp)
{
	char *err = NULL;
	const char *profile = o->profile;
	if (!profile) {
		const char *env = getenv("SQUINT_PROFILE");
		if (env && *env)
			profile = env;
	}
	int rc = squint_config_load_file(cfg, o->config_file, profile, &err);
	for (size_t i = 0; !errp && i < cfg->n_warnings; i++)
		main_error(cfg->warnings[i]);
	if (rc != 0)
		goto fail;
	if (squint_config_apply_env(cfg, &err) != 0)
		goto fail;
	for (size_t i = 0; i < o->n_settings; i++) {
		const struct option_setting *s = &o->settings[i];
		/* A list flag replaces the config file's list instead of adding. */
		bool first = true;
		for (size_t k = 0; k < i; k++)
			if (strcmp(o->settings[k].key, s->key) == 0)
				first = false;
		if (first && (!strcmp(s->key, "stop") || !strcmp(s->key, "logit_bias") ||
			      !strcmp(s->key, "header")))
			squint_config_unset(cfg, s->key);
		if (squint_config_set(cfg, s->key, s->value, &err) != 0) {
			char *msg = xasprintf("%s: %s", s->flag, err);
			free(err);
			err = msg;
			goto fail;
		}
	}
	if (squint_config_resolve_key(cfg, &err) != 0)
		goto fail;
	return 0;
fail:
	if (errp) { /* --doctor reports it itself */
		*errp = err;
		return -1;
	}
	main_error(err);
	free(err);
	return -1;
}

/* --list-models: print the server's model ids, one a line, and keep them
 * for the shell completions; returns an exit status. */
static int main_list_models(const struct squint_config *cfg)
{
	struct models_list l;
	int status = SQUINT_EXIT_OK;
	if (models_fetch(cfg, &l) != 0) {
		char *msg = xasprintf(_("cannot list the models of %s: %s"), cfg->base_url,
				      l.message ? l.message : "?");
		main_error(msg);
		free(msg);
		status = l.outcome == HTTP_STATUS_ERROR ? SQUINT_EXIT_SERVER
			 : l.outcome == HTTP_OK		? SQUINT_EXIT_SERVER
							: SQUINT_EXIT_NETWORK;
	} else {
		for (size_t i = 0; i < l.n_ids; i++) {
			char *id = sanitize_line(l.ids[i]);
			printf("%s\n", id);
			free(id);
		}
		models_cache_write(&l);
	}
	models_list_done(&l);
	return status;
}

/* Return true when cfg talks to OpenAI itself, which always needs a key
 * (local and self-hosted servers often need none). */
static bool main_needs_key(const struct squint_config *cfg)
{
	return strncmp(cfg->base_url, "https://api.openai.com", 22) == 0;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
#if ENABLE_NLS
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);
#endif
	struct options o;
	char *err = NULL;
	if (options_parse(&o, argc, argv, &err) != OPTIONS_OK) {
		main_error(err);
		free(err);
		options_done(&o);
		return SQUINT_EXIT_USAGE;
	}
	if (o.help || o.version) {
		if (o.help)
			options_print_help();
		else
			version_print(stdout);
		options_done(&o);
		return SQUINT_EXIT_OK;
	}
	if (o.export_file || o.format) {
		int rc = SQUINT_EXIT_USAGE;
		if (!o.export_file)
			main_error(_("--format goes with --export FILE"));
		else
			rc = main_export(o.export_file, o.format);
		options_done(&o);
		return rc;
	}
	int status = SQUINT_EXIT_USAGE;
	struct squint_config cfg;
	squint_config_init(&cfg);
	if (o.doctor) {
		char *cerr = NULL;
		main_configure(&cfg, &o, &cerr);
		status = doctor_run(&cfg, cerr, o.config_file);
		free(cerr);
		goto out;
	}
	if (main_configure(&cfg, &o, NULL) != 0)
		goto out;
	if (o.list_models) {
		status = main_list_models(&cfg);
		goto out;
	}
	if (!cfg.api_key && main_needs_key(&cfg)) {
		main_error(_("no API key: set OPENAI_API_KEY, or api_key_env or api_key_cmd in "
			     "the config file (see squint(1))"));
		goto out;
	}
	if (o.prompt) {
		struct oneshot_args args = {o.prompt, o.inputs, o.n_inputs, o.json_output,
					    o.verbose, o.preview, o.session};
		status = oneshot_run(&cfg, &args);
	} else if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		main_error(_("the interactive mode needs a terminal; use -p PROMPT to ask once"));
	} else {
		status = tui_run(&cfg, o.inputs, o.n_inputs, o.verbose, o.session);
	}
out:
	squint_config_done(&cfg);
	options_done(&o);
	return status;
}
