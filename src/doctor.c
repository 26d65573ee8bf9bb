/* squint --doctor.  Every line is one finding; a problem is followed by a
 * hint.  Nothing from outside (environment values, file names, the server's
 * words) reaches the terminal unfiltered, and the key is never shown: only
 * where it comes from. */
#include <config.h>

#include "doctor.h"
#include "core/sanitize.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "models.h"
#include "term/probe.h"
#include "ui/curses/terminfo.h"


#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum doctor_level {
	DOCTOR_OK,
	DOCTOR_INFO,
	DOCTOR_WARN,
	DOCTOR_FAIL,
};

struct doctor {
	int n_warn;
	int n_fail;
};

/* Print one finding: a tag, then the text (sanitized: it may hold outside
 * words), then the hint when there is one. */
static void doctor_line(struct doctor *d, enum doctor_level lv, const char *hint, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));
static void doctor_line(struct doctor *d, enum doctor_level lv, const char *hint, const char *fmt,
			...)
{
	static const char *const tags[] = {"ok  ", "info", "WARN", "FAIL"};
	va_list ap;
	va_start(ap, fmt);
	char *raw = NULL;
	if (vasprintf(&raw, fmt, ap) < 0)
		raw = NULL;
	va_end(ap);
	char *text = sanitize_line(raw ? raw : "?");
	free(raw);
	printf("  [%s] %s\n", tags[lv], text);
	free(text);
	if (hint && lv >= DOCTOR_WARN) {
		char *h = sanitize_line(hint);
		printf("         %s %s\n", _("hint:"), h);
		free(h);
	}
	if (lv == DOCTOR_WARN)
		d->n_warn++;
	else if (lv == DOCTOR_FAIL)
		d->n_fail++;
}

/* Return getenv(name), or NULL when it is unset or empty. */
static const char *doctor_env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* Terminal: TERM, locale, colours, graphics, cell size, multiplexers,
 * clipboard. */
static void doctor_terminal(struct doctor *d, const struct squint_config *cfg)
{
	printf("%s\n", _("Terminal"));
	const char *term = doctor_env("TERM");
	if (!term)
		doctor_line(d, DOCTOR_FAIL, _("export TERM=xterm-256color (or your terminal's name)"),
			    "%s", _("TERM is not set"));
	else if (!strcmp(term, "dumb"))
		doctor_line(d, DOCTOR_WARN, _("run squint in a real terminal emulator, or use -p"),
			    "TERM=%s", term);
	else
		doctor_line(d, DOCTOR_OK, NULL, "TERM=%s", term);

	const char *cs = nl_langinfo(CODESET);
	const char *loc = setlocale(LC_CTYPE, NULL);
	if (cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8")))
		doctor_line(d, DOCTOR_OK, NULL, _("locale: %s (UTF-8)"), loc ? loc : "?");
	else
		doctor_line(d, DOCTOR_FAIL,
			    _("set LANG (or LC_ALL) to a UTF-8 locale such as C.UTF-8 or "
			      "en_US.UTF-8; `locale -a` lists those installed"),
			    _("locale: %s uses %s, not UTF-8: text other than ASCII will be shown "
			      "as ?"),
			    loc ? loc : "?", cs ? cs : "?");

	bool known;
	int colors = terminfo_colours(term, &known);
	const char *ct = doctor_env("COLORTERM");
	bool truecolor = ct && (!strcmp(ct, "truecolor") || !strcmp(ct, "24bit"));
	if (term && !known)
		doctor_line(d, DOCTOR_WARN, _("install ncurses-term, or set TERM to a known terminal"),
			    _("colours: terminfo has no entry for %s"), term);
	else if (colors >= 8 || truecolor)
		doctor_line(d, DOCTOR_OK, NULL, _("colours: %d%s"), colors,
			    truecolor ? _(" (and 24-bit, COLORTERM)") : "");
	else if (term)
		doctor_line(d, DOCTOR_WARN, _("set TERM to a colour terminal, e.g. xterm-256color"),
			    _("colours: none (%s has %d)"), term, colors);

	struct term_caps caps;
	memset(&caps, 0, sizeof caps);
	int fd = -1;
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		term_probe(fd, cfg->graphics, 0, &caps);
		close(fd);
	} else {
		const char *force = cfg->graphics ? cfg->graphics : doctor_env("SQUINT_GRAPHICS");
		struct term_env env = {term,
				       doctor_env("TMUX"),
				       doctor_env("STY"),
				       force,
				       cfg->graphics ? "graphics" : "SQUINT_GRAPHICS",
				       false};
		term_caps_decide(&env, NULL, NULL, 0, &caps);
	}
	if (caps.graphics == TERM_GRAPHICS_SIXEL)
		doctor_line(d, DOCTOR_OK, NULL, _("images: %s"), caps.why);
	else if (caps.graphics == TERM_GRAPHICS_BLOCKS)
		doctor_line(d, DOCTOR_INFO,
			    _("for sharp images use a terminal with sixel (foot, WezTerm, mlterm, "
			      "xterm -ti vt340; tmux 3.4 or later built with sixel)"),
			    _("images: colour blocks, no sixel (%s)"), caps.why);
	else
		doctor_line(d, isatty(STDOUT_FILENO) ? DOCTOR_WARN : DOCTOR_INFO,
			    _("images are only listed; run squint in a terminal, or set "
			      "SQUINT_GRAPHICS=blocks"),
			    _("images: none (%s)"), caps.why);
	if (caps.cell_known)
		doctor_line(d, DOCTOR_OK, NULL, _("cell size: %d x %d pixels"), caps.cell_w,
			    caps.cell_h);
	else
		doctor_line(d, DOCTOR_INFO, NULL,
			    _("cell size: not reported, assuming %d x %d pixels"), caps.cell_w,
			    caps.cell_h);

	bool tmux = doctor_env("TMUX") != NULL, screen = doctor_env("STY") != NULL;
	if (tmux)
		doctor_line(d, DOCTOR_INFO, NULL, "%s",
			    _("inside tmux: sixel needs tmux 3.4 or later built with it; for the "
			      "clipboard, set -g set-clipboard on (or allow-passthrough on)"));
	if (screen)
		doctor_line(d, DOCTOR_INFO, NULL, "%s",
			    _("inside GNU screen: images are drawn as colour blocks"));
	if (doctor_env("SSH_CONNECTION"))
		doctor_line(d, DOCTOR_INFO, NULL, "%s",
			    _("over SSH: images and the clipboard (OSC 52) go to your local "
			      "terminal"));
	doctor_line(d, DOCTOR_INFO, NULL, "%s",
		    tmux ? _("clipboard: OSC 52, through tmux (needs set-clipboard on or "
			     "allow-passthrough on)")
			 : _("clipboard: OSC 52 (your terminal must allow programs to set it)"));
}

/* Configuration: files and their permissions, profile, key source. */
static void doctor_config(struct doctor *d, const struct squint_config *cfg,
			  const char *config_err, const char *config_file)
{
	printf("\n%s\n", _("Configuration"));
	if (config_err)
		doctor_line(d, DOCTOR_FAIL, _("fix the line named, or start from squint.conf(5)"),
			    "%s", config_err);
	if (cfg->n_files == 0) {
		char *def = config_file ? xstrdup(config_file) : squint_config_default_path();
		doctor_line(d, DOCTOR_INFO, NULL, _("no config file read (looked for %s)"),
			    def ? def : "~/.config/squint/config");
		free(def);
	}
	for (size_t i = 0; i < cfg->n_files; i++) {
		struct stat sb;
		const char *f = cfg->files[i];
		if (stat(f, &sb) != 0) {
			doctor_line(d, DOCTOR_INFO, NULL, _("file read: %s"), f);
			continue;
		}
		unsigned mode = sb.st_mode & 07777;
		char *fix = xasprintf(_("chmod 600 %s"), f);
		if (sb.st_mode & (S_IWGRP | S_IWOTH))
			doctor_line(d, DOCTOR_FAIL, fix,
				    _("file read: %s (mode %04o: others can change it, and with it "
				      "where your key goes)"),
				    f, mode);
		else if ((sb.st_mode & (S_IRGRP | S_IROTH)) && cfg->api_key && cfg->key_source &&
			 strstr(cfg->key_source, "api_key of") && strstr(cfg->key_source, f))
			doctor_line(d, DOCTOR_FAIL, fix,
				    _("file read: %s (mode %04o: others can read the key in it)"), f,
				    mode);
		else
			doctor_line(d, DOCTOR_OK, NULL, _("file read: %s (mode %04o)"), f, mode);
		free(fix);
	}
	for (size_t i = 0; i < cfg->n_warnings; i++)
		doctor_line(d, DOCTOR_WARN, _("see squint.conf(5)"), "%s", cfg->warnings[i]);
	if (cfg->profile)
		doctor_line(d, DOCTOR_OK, NULL, _("profile: %s"), cfg->profile);
	else
		doctor_line(d, DOCTOR_INFO, NULL, "%s", _("profile: none ([defaults] only)"));
	bool openai = strncmp(cfg->base_url, "https://api.openai.com", 22) == 0;
	if (cfg->api_key)
		doctor_line(d, DOCTOR_OK, NULL, _("API key: from %s"),
			    cfg->key_source ? cfg->key_source : "?");
	else if (openai)
		doctor_line(d, DOCTOR_FAIL,
			    _("export OPENAI_API_KEY, or set api_key_env or api_key_cmd in the "
			      "config file"),
			    "%s", _("API key: none, and api.openai.com needs one"));
	else
		doctor_line(d, DOCTOR_INFO, NULL, "%s",
			    _("API key: none (fine for servers that need none)"));
	doctor_line(d, DOCTOR_OK, NULL, _("model: %s"),
		    cfg->params.model ? cfg->params.model : SQUINT_DEFAULT_MODEL);
}

/* Return true when url's host is this machine. */
static bool doctor_is_local(const char *url)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	return !strncmp(h, "127.", 4) || !strncmp(h, "localhost", 9) || !strncmp(h, "[::1]", 5);
}

/* Endpoint: reachable, TLS, the model list and the chosen model, timing. */
static void doctor_endpoint(struct doctor *d, const struct squint_config *cfg)
{
	printf("\n%s\n", _("Endpoint"));
	doctor_line(d, DOCTOR_INFO, NULL, _("base URL: %s"), cfg->base_url);
	bool https = strncmp(cfg->base_url, "https://", 8) == 0;
	if (!https && cfg->api_key && !doctor_is_local(cfg->base_url))
		doctor_line(d, DOCTOR_WARN, _("use an https:// base URL"), "%s",
			    _("TLS: not used, and the key would travel unencrypted"));
	struct models_list l;
	models_fetch(cfg, &l);
	const char *model = cfg->params.model ? cfg->params.model : SQUINT_DEFAULT_MODEL;
	int ms = (int)(l.rtt * 1000 + 0.5);
	switch (l.outcome) {
	case HTTP_OK:
	case HTTP_STATUS_ERROR:
		doctor_line(d, DOCTOR_OK, NULL, _("reachable: the server answered in %d ms"), ms);
		if (https && cfg->insecure)
			doctor_line(d, DOCTOR_WARN,
				    _("drop --insecure (insecure = true); give the CA with --cacert"),
				    "%s", _("TLS: the certificate is NOT checked"));
		else if (https)
			doctor_line(d, DOCTOR_OK, NULL, _("TLS: certificate verified%s%s"),
				    cfg->cacert ? _(" against ") : "", cfg->cacert ? cfg->cacert : "");
		else
			doctor_line(d, DOCTOR_INFO, NULL, "%s", _("TLS: not used (http://)"));
		break;
	case HTTP_TIMEOUT:
		doctor_line(d, DOCTOR_FAIL,
			    _("check the address and your network or proxy; --connect-timeout "
			      "waits longer"),
			    _("reachable: no (%s)"), l.message ? l.message : "timeout");
		break;
	default: {
		const char *m = l.message ? l.message : "?";
		bool tls = strstr(m, "certificate") || strstr(m, "SSL") || strstr(m, "TLS");
		doctor_line(d, DOCTOR_FAIL,
			    tls ? _("give the server's CA with --cacert FILE (cacert in the config)")
				: _("check base_url (--base-url, OPENAI_BASE_URL) and that the server "
				    "runs; behind a proxy, set https_proxy or --proxy"),
			    _("reachable: no (%s)"), m);
		break;
	}
	}
	if (l.outcome == HTTP_OK && l.ids) {
		doctor_line(d, DOCTOR_OK, NULL, P_("GET /models: %ld, %zu model", "GET /models: %ld, %zu models", l.n_ids), l.status,
			    l.n_ids);
		if (models_list_has(&l, model))
			doctor_line(d, DOCTOR_OK, NULL, _("model %s: listed by the server"), model);
		else
			doctor_line(d, DOCTOR_WARN,
				    _("pick a listed model with --model or model = in the config; "
				      "squint --list-models shows them"),
				    _("model %s: not in the server's list of %zu"), model, l.n_ids);
		models_cache_write(&l);
	} else if (l.outcome == HTTP_OK) {
		doctor_line(d, DOCTOR_WARN, _("is base_url the API's root (often ending in /v1)?"),
			    _("GET /models: %ld, but %s"), l.status, l.message ? l.message : "?");
	} else if (l.outcome == HTTP_STATUS_ERROR) {
		const char *hint =
			l.status == 401 || l.status == 403
				? _("check the key (OPENAI_API_KEY, api_key_env, api_key_cmd)")
			: l.status == 404 ? _("some servers have no model list and chat still works; "
					      "otherwise check that base_url ends in /v1")
					  : _("try again later; see the server's status page");
		doctor_line(d, l.status == 404 ? DOCTOR_WARN : DOCTOR_FAIL, hint,
			    _("GET /models: %s"), l.message ? l.message : "?");
	}
	models_list_done(&l);
}

int doctor_run(const struct squint_config *cfg, const char *config_err, const char *config_file)
{
	struct doctor d = {0, 0};
	printf(_("squint %s doctor\n\n"), PACKAGE_VERSION);
	doctor_terminal(&d, cfg);
	doctor_config(&d, cfg, config_err, config_file);
	doctor_endpoint(&d, cfg);
	printf("\n");
	if (d.n_fail == 0 && d.n_warn == 0) {
		printf("%s\n", _("Everything looks fine."));
	} else {
		char *problems = xasprintf(P_("%d problem", "%d problems", d.n_fail), d.n_fail);
		char *warnings = xasprintf(P_("%d warning", "%d warnings", d.n_warn), d.n_warn);
		printf(_("%s, %s: see the hints above.\n"), problems, warnings);
		free(problems);
		free(warnings);
	}
	fflush(stdout);
	return d.n_fail ? 1 : 0;
}
