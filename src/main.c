/* squint: arguments, configuration, mode selection — nothing else. */
#include <config.h>

#include "core/config.h"
#include "core/sanitize.h"
#include "core/sanitize.h"
#include "core/session.h"
#include "core/sessiondir.h"
#include "core/sessionfile.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "batch.h"
#include "doctor.h"
#include "models.h"
#include "oneshot.h"
#include "options.h"
#include "session-export.h"
#include "tui.h"
#include "version.h"

#include <curl/curl.h>
#include <json-c/json_c_version.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Print "squint: MSG" on stderr, with control characters shown visibly:
 * messages carry file names and text from files. */
static void main_error(const char *msg)
{
	char *clean = sanitize_line(msg);
	fprintf(stderr, "squint: %s\n", clean);
	free(clean);
}

/* --list: print the saved sessions, newest first; returns an exit status. */
static int main_list(void)
{
	char *dir = sessiondir_path();
	struct sessiondir_entry *e = NULL;
	size_t n = dir ? sessiondir_list(dir, &e) : 0;
	if (!n)
		printf(_("no saved conversations in %s\n"), dir ? dir : "~/.local/state/squint/sessions");
	for (size_t i = 0; i < n; i++) {
		char date[32] = "";
		time_t tt = (time_t)e[i].created;
		struct tm tm;
		if (localtime_r(&tt, &tm))
			strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
		char *path = sanitize_line(e[i].path);
		double kb = (double)e[i].size / 1024.0;
		char *turns = xasprintf(P_("%zu turn", "%zu turns", e[i].turns), e[i].turns);
		char *images = xasprintf(P_("%zu image", "%zu images", e[i].images), e[i].images);
		printf(_("%s  %s\n    %s \xc2\xb7 %s \xc2\xb7 %s \xc2\xb7 %.1f %s\n"), date,
		       *e[i].title ? e[i].title : _("(no text)"), path, turns, images,
		       kb >= 1024 ? kb / 1024 : kb, kb >= 1024 ? "MB" : "kB");
		free(turns);
		free(images);
		free(path);
	}
	sessiondir_list_free(e, n);
	free(dir);
	return fflush(stdout) == 0 ? SQUINT_EXIT_OK : SQUINT_EXIT_USAGE;
}

/* -c: set o->session to the most recent saved session; 0, or -1 after
 * saying there is none. */
static int main_continue(struct options *o)
{
	char *dir = sessiondir_path();
	char *path = dir ? sessiondir_latest(dir) : NULL;
	free(dir);
	if (!path) {
		main_error(_("-c: no saved conversation to continue (see squint --list)"));
		return -1;
	}
	free(o->session);
	o->session = path;
	return 0;
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
	/* SQUINT_LOCALEDIR: catalogs not yet installed (the build tree). */
	const char *localedir = getenv("SQUINT_LOCALEDIR");
	bindtextdomain(PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
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
	if (o.list) {
		int rc = main_list();
		options_done(&o);
		return rc;
	}
	if (o.cont && main_continue(&o) != 0) {
		options_done(&o);
		return SQUINT_EXIT_USAGE;
	}
	if (o.export_file || o.format || o.output) {
		int rc = SQUINT_EXIT_USAGE;
		if (!o.export_file)
			main_error(_("--format and --export-to go with --export FILE"));
		else
			rc = session_export_run(o.export_file, o.format, o.output);
		options_done(&o);
		return rc;
	}
	int status = SQUINT_EXIT_USAGE;
	struct squint_config cfg;
	squint_config_init(&cfg);
	if (!o.each && (o.jobs || o.group || o.unordered || o.out)) {
		main_error(_("--jobs, --group, --unordered and --out go with --each"));
		goto out;
	}
	if (o.each && (!o.prompt || o.json_output || o.session || o.preview)) {
		main_error(o.prompt ? _("--each does not go with --json, --session or --preview "
					"(use --out FILE.jsonl for machine-readable answers)")
				    : _("--each needs a question: -p PROMPT"));
		goto out;
	}
	/* From here on the process holds the API key: no core dump and no
	 * ptrace by other processes of the user may read it. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
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
	if (o.each) {
		struct batch_args args = {o.prompt, o.inputs, o.n_inputs, (int)o.jobs, (int)o.group,
					  o.unordered, o.out, o.verbose};
		status = batch_run(&cfg, &args);
	} else if (o.prompt) {
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
