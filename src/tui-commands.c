/* The /commands of the interactive mode, and images pasted as paths. */
#include <config.h>

#include "tui-internal.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "img/upload.h"
#include "net/fetch.h"
#include "ui/commands.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Attach one image file or URL; returns 0, or -1 after showing why not. */
int tui_attach_one(struct tui *t, const char *arg)
{
	struct attachment a;
	char *err = NULL;
	struct upload_opts uo;
	upload_opts_from_config(&uo, t->cfg);
	uo.fetch = fetch_url;
	/* Local files are decoded and fitted off the loop: typing never
	 * waits for a big image.  URLs need no work, unless they are to be
	 * fetched: the worker downloads them too.  (Without a worker the
	 * download below blocks: the price of a thread that would not start.) */
	bool url = strncasecmp(arg, "http://", 7) == 0 || strncasecmp(arg, "https://", 8) == 0;
	if ((!url || t->cfg->fetch_urls) && tui_images_prepare(t, arg))
		return 0;
	attachment_init(&a);
	if (upload_attach(&a, arg, &uo, &err) != 0) {
		tui_error(t, err);
		free(err);
		attachment_done(&a);
		return -1;
	}
	tui_images_attach(t, &a);
	t->atts = xrealloc(t->atts, (t->n_atts + 1) * sizeof *t->atts);
	t->atts[t->n_atts++] = a;
	tui_log(t, "attached %s", a.summary ? a.summary : a.name);
	t->dirty = true;
	return 0;
}

/* Return a newly allocated copy of path with a leading ~/ expanded. */
static char *tui_expand_home(const char *path)
{
	const char *home = getenv("HOME");
	if (path[0] == '~' && path[1] == '/' && home)
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}

/* /attach: every word is a file, a glob or a URL ('quoted' words may hold
 * spaces). */
static void tui_cmd_attach(struct tui *t, const char *arg)
{
	if (!arg) {
		tui_error(t, _("/attach needs a file, a glob or a URL"));
		return;
	}
	const char *p = arg;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		struct strbuf w = STRBUF_INIT;
		char quote = (*p == '\'' || *p == '"') ? *p++ : 0;
		while (*p && (quote ? *p != quote : *p != ' ')) {
			if (!quote && *p == '\\' && p[1])
				p++;
			strbuf_putc(&w, *p++);
		}
		if (quote && *p)
			p++;
		char *word = tui_expand_home(strbuf_str(&w));
		strbuf_done(&w);
		glob_t g;
		if (!strstr(word, "://") && strpbrk(word, "*?[") &&
		    glob(word, 0, NULL, &g) == 0) {
			for (size_t i = 0; i < g.gl_pathc; i++)
				tui_attach_one(t, g.gl_pathv[i]);
			globfree(&g);
		} else {
			tui_attach_one(t, word);
		}
		free(word);
	}
}

/* /detach N|all. */
static void tui_cmd_detach(struct tui *t, const char *arg)
{
	if (arg && strcmp(arg, "all") == 0) {
		for (size_t i = 0; i < t->n_atts; i++)
			attachment_done(&t->atts[i]);
		t->n_atts = 0;
		tui_images_detached(t);
		t->dirty = true;
		return;
	}
	char *end = NULL;
	long n = arg ? strtol(arg, &end, 10) : 0;
	if (!arg || *end || n < 1 || (size_t)n > t->n_atts) {
		if (t->n_atts)
			tui_error(t, t->n_atts == 1 ? _("/detach 1 or all: there is one attachment")
						    : _("/detach N (a number from the strip) or all"));
		else
			tui_error(t, _("/detach: nothing is attached"));
		return;
	}
	attachment_done(&t->atts[n - 1]);
	memmove(&t->atts[n - 1], &t->atts[n], (t->n_atts - (size_t)n) * sizeof *t->atts);
	t->n_atts--;
	tui_images_detached(t);
	t->dirty = true;
}

/* Set a request parameter from a command; shows the error if refused. */
static void tui_set_param(struct tui *t, const char *key, const char *value)
{
	char *err = NULL;
	if (squint_config_set(t->cfg, key, value, &err) != 0) {
		char *m = xasprintf("/%s: %s", key, err);
		tui_error(t, m);
		free(m);
		free(err);
		return;
	}
	tui_status(t, false, "%s: %s", key, value);
}

/* Append the names of the tools in the array tools to sb. */
static void tui_tool_names(struct strbuf *sb, json_object *tools)
{
	size_t n = json_object_array_length(tools);
	for (size_t i = 0; i < n; i++) {
		json_object *fn = NULL, *name = NULL;
		json_object_object_get_ex(json_object_array_get_idx(tools, i), "function", &fn);
		json_object_object_get_ex(fn, "name", &name);
		strbuf_printf(sb, "%s%s", i ? ", " : "", name ? json_object_get_string(name) : "?");
	}
}

/* Return the value of request parameter name as /set shows it, newly
 * allocated ("-" when it is not set). */
static char *tui_param_value(const struct chat_params *p, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	if (!strcmp(name, "model") && p->model)
		strbuf_puts(&sb, p->model);
	else if (!strcmp(name, "system") && p->system)
		strbuf_puts(&sb, p->system);
	else if (!strcmp(name, "temperature") && p->has_temperature)
		strbuf_printf(&sb, "%g", p->temperature);
	else if (!strcmp(name, "top_p") && p->has_top_p)
		strbuf_printf(&sb, "%g", p->top_p);
	else if (!strcmp(name, "n") && p->has_n)
		strbuf_printf(&sb, "%d", p->n);
	else if (!strcmp(name, "stop"))
		for (int i = 0; i < p->n_stop; i++)
			strbuf_printf(&sb, "%s\"%s\"", i ? ", " : "", p->stop[i]);
	else if (!strcmp(name, "max_tokens") && p->has_max_tokens)
		strbuf_printf(&sb, "%ld", p->max_tokens);
	else if (!strcmp(name, "presence_penalty") && p->has_presence_penalty)
		strbuf_printf(&sb, "%g", p->presence_penalty);
	else if (!strcmp(name, "frequency_penalty") && p->has_frequency_penalty)
		strbuf_printf(&sb, "%g", p->frequency_penalty);
	else if (!strcmp(name, "logit_bias"))
		for (size_t i = 0; i < p->n_logit_bias; i++)
			strbuf_printf(&sb, "%s%ld=%d", i ? ", " : "", p->logit_bias[i].token,
				      p->logit_bias[i].bias);
	else if (!strcmp(name, "user") && p->user)
		strbuf_puts(&sb, p->user);
	else if (!strcmp(name, "seed") && p->has_seed)
		strbuf_printf(&sb, "%lld", p->seed);
	else if (!strcmp(name, "response_format") && p->response_format)
		strbuf_puts(&sb, json_object_to_json_string_ext(p->response_format,
								  JSON_C_TO_STRING_PLAIN));
	else if (!strcmp(name, "tools") && p->tools)
		tui_tool_names(&sb, p->tools);
	else if (!strcmp(name, "tool_choice") && p->tool_choice)
		strbuf_puts(&sb, json_object_to_json_string_ext(p->tool_choice,
								  JSON_C_TO_STRING_PLAIN));
	else if (!strcmp(name, "logprobs") && p->has_logprobs)
		strbuf_puts(&sb, p->logprobs ? "true" : "false");
	else if (!strcmp(name, "top_logprobs") && p->top_logprobs >= 0)
		strbuf_printf(&sb, "%d", p->top_logprobs);
	else if (!strcmp(name, "detail") && p->detail)
		strbuf_puts(&sb, p->detail);
	else if (!strcmp(name, "stream"))
		strbuf_puts(&sb, p->stream ? "true" : "false");
	if (!sb.len)
		strbuf_puts(&sb, "-");
	/* One line, at most 60 bytes of it. */
	for (size_t i = 0; i < sb.len; i++)
		if (sb.data[i] == '\n' || sb.data[i] == '\t')
			sb.data[i] = ' ';
	if (sb.len > 60) {
		size_t cut = 57;
		while (cut > 0 && ((unsigned char)sb.data[cut] & 0xC0) == 0x80)
			cut--;
		sb.len = cut;
		sb.data[cut] = '\0';
		strbuf_puts(&sb, "...");
	}
	return strbuf_detach(&sb);
}

/* The parameters /set lists, in the order of the foundation issue. */
static const char *const tui_params[] = {
	"model", "system", "temperature", "top_p", "n", "stop", "max_tokens",
	"presence_penalty", "frequency_penalty", "logit_bias", "user", "seed",
	"response_format", "tools", "tool_choice", "logprobs", "top_logprobs", "detail",
	"stream",
};

/* /set alone: every request parameter and its value, in the pane. */
static void tui_cmd_set_list(struct tui *t)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, _("Request parameters (/set PARAM VALUE changes one; - is not set):"));
	for (size_t i = 0; i < sizeof tui_params / sizeof tui_params[0]; i++) {
		char *v = tui_param_value(&t->cfg->params, tui_params[i]);
		strbuf_printf(&sb, "\n  %-18s %s", tui_params[i], v);
		free(v);
	}
	tui_note(t, CV_ITEM_NOTICE, strbuf_str(&sb));
	strbuf_done(&sb);
	chatview_bottom(t->view);
}

/* /set PARAM VALUE; /set PARAM shows one; /set alone lists them all. */
static void tui_cmd_set(struct tui *t, const char *arg)
{
	const char *sp = arg ? strchr(arg, ' ') : NULL;
	if (!arg) {
		tui_cmd_set_list(t);
		return;
	}
	if (!sp && chat_params_known(arg)) {
		char *v = tui_param_value(&t->cfg->params, arg);
		tui_status(t, false, "%s = %s", arg, v);
		free(v);
		return;
	}
	if (!sp) {
		tui_error(t, _("/set PARAM VALUE, e.g. /set temperature 0.2 (/set alone lists them)"));
		return;
	}
	char *key = xstrndup(arg, (size_t)(sp - arg));
	while (*sp == ' ')
		sp++;
	if (!chat_params_known(key)) {
		char *m = xasprintf(_("/set: unknown parameter %s"), key);
		tui_error(t, m);
		free(m);
	} else {
		if (!strcmp(key, "stop") || !strcmp(key, "logit_bias"))
			chat_params_unset(&t->cfg->params, key);
		char *err = NULL;
		if (chat_params_set(&t->cfg->params, key, sp, &err) != 0) {
			char *m = xasprintf("/set %s: %s", key, err);
			tui_error(t, m);
			free(m);
			free(err);
		} else {
			tui_status(t, false, "%s = %s", key, sp);
		}
	}
	free(key);
}

/* Start a new conversation. */
static void tui_cmd_new(struct tui *t)
{
	tui_cancel(t);
	tui_session_new(t);
	chatview_clear(t->view);
	chatview_search_clear(t->view);
	if (t->demo)
		tui_note(t, CV_ITEM_NOTICE, _("demo: local test server \xe2\x80\x94 answers are echoes"));
	t->has_last = false;
	tui_status(t, false, "%s", _("new conversation"));
}

/* Run a command line; returns true when text was a command. */
bool tui_command(struct tui *t, const char *text)
{
	char *arg = NULL;
	enum cmd_id id = cmd_parse(text, &arg);
	bool busy = t->req.active;
	switch (id) {
	case CMD_NONE:
		free(arg);
		return false;
	case CMD_UNKNOWN: {
		char *m = xasprintf(_("unknown command %s (/help lists them)"), arg);
		tui_error(t, m);
		free(m);
		break;
	}
	case CMD_HELP:
		tui_note(t, CV_ITEM_NOTICE, cmd_help_text());
		chatview_bottom(t->view);
		break;
	case CMD_ATTACH:
		tui_cmd_attach(t, arg);
		break;
	case CMD_DETACH:
		tui_cmd_detach(t, arg);
		break;
	case CMD_VIEW:
		tui_images_view(t, arg);
		break;
	case CMD_MODEL:
		if (arg)
			tui_set_param(t, "model", arg);
		else
			tui_status(t, false, _("model: %s"),
				   t->cfg->params.model ? t->cfg->params.model : "-");
		break;
	case CMD_SYSTEM:
		if (arg) {
			tui_set_param(t, "system", arg);
		} else {
			chat_params_unset(&t->cfg->params, "system");
			tui_status(t, false, "%s", _("no system prompt"));
		}
		break;
	case CMD_SET:
		tui_cmd_set(t, arg);
		break;
	case CMD_NEW:
		tui_cmd_new(t);
		break;
	case CMD_RETRY: {
		size_t u = tui_session_last_user(t);
		if (busy) {
			tui_error(t, _("an answer is still streaming (Esc cancels it)"));
		} else if (u == (size_t)-1) {
			tui_error(t, _("/retry: nothing to retry yet"));
		} else {
			/* A new branch: the new answer is a sibling of the old. */
			conv_set_head(t->conv, conv_msg_at(t->conv, u)->id);
			t->editing = false;
			tui_session_show(t);
			tui_session_settings(t);
			tui_request(t, u, NULL);
		}
		break;
	}
	case CMD_REASONING:
		chatview_set_reasoning_expanded(t->view, !chatview_reasoning_expanded(t->view));
		break;
	case CMD_COPY:
		tui_cmd_copy(t, arg);
		break;
	case CMD_EDIT:
		tui_cmd_edit(t);
		break;
	case CMD_TOOL:
		tui_cmd_tool(t, arg);
		break;
	case CMD_SAVE:
		tui_cmd_save(t, arg);
		break;
	case CMD_BRANCHES:
		tui_cmd_branches(t);
		break;
	case CMD_FORGET:
		tui_cmd_forget(t, arg);
		break;
	case CMD_QUIT:
		t->quit = tui_session_may_quit(t);
		break;
	}
	free(arg);
	t->dirty = true;
	return true;
}

/* Enter: run the command or send the text. */
void tui_submit(struct tui *t)
{
	const char *text = input_text(&t->input);
	char *arg = NULL;
	enum cmd_id id = cmd_parse(text, &arg);
	free(arg);
	if (id == CMD_NONE && tui_images_sending(t)) {
		tui_status(t, true, "%s", _("the last message is waiting for its images"));
		return;
	}
	if (id == CMD_NONE && t->req.active) {
		/* Keep the text: it goes once this answer is done or cancelled. */
		tui_status(t, true, "%s", _("an answer is still streaming (Esc cancels it)"));
		return;
	}
	char *line = input_take(&t->input);
	if (!tui_command(t, line)) {
		char *unescaped = NULL;
		cmd_parse(line, &unescaped);
		tui_send(t, unescaped ? unescaped : line);
		free(unescaped);
	}
	free(line);
}

/* A paste that is the path of an image file attaches it; returns whether it
 * did. */
bool tui_paste_attach(struct tui *t, const struct ui_event *ev)
{
	char *p = cmd_pasted_path(ev->text, ev->len);
	if (!p)
		return false;
	char *path = tui_expand_home(p);
	free(p);
	struct stat st;
	bool ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	if (ok) {
		unsigned char head[16];
		FILE *f = fopen(path, "rb");
		size_t n = f ? fread(head, 1, sizeof head, f) : 0;
		if (f)
			fclose(f);
		ok = image_sniff(head, n) != IMAGE_UNKNOWN && tui_attach_one(t, path) == 0;
	}
	free(path);
	return ok;
}


/* Return the length of the common prefix of the n strings in v. */
static size_t tui_common_prefix(const char *const *v, size_t n)
{
	if (n == 0)
		return 0;
	size_t k = strlen(v[0]);
	for (size_t i = 1; i < n; i++) {
		size_t j = 0;
		while (j < k && v[i][j] == v[0][j])
			j++;
		k = j;
	}
	return k;
}

/* Replace the input's bytes [off, end) by the completion (n candidates in
 * v), as far as they agree; list them in the status bar when several. */
static void tui_complete_with(struct tui *t, size_t off, const char *const *v, size_t n,
			      const char *suffix)
{
	size_t len = input_len(&t->input);
	if (n == 0) {
		tui_status(t, true, "%s", _("no completion"));
		return;
	}
	size_t k = tui_common_prefix(v, n);
	char *rep = xasprintf("%.*s%s", (int)k, v[0], n == 1 ? suffix : "");
	input_replace(&t->input, off, len - off, rep, strlen(rep));
	free(rep);
	if (n > 1) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < n && i < 20; i++) {
			const char *base = strrchr(v[i], '/');
			strbuf_printf(&sb, "%s%s", i ? "  " : "",
				      base && base[1] ? base + 1 : v[i]);
		}
		if (n > 20)
			strbuf_printf(&sb, "  (+%zu)", n - 20);
		tui_status(t, false, "%s", strbuf_str(&sb));
		strbuf_done(&sb);
	}
	t->dirty = true;
}

/* Tab: complete a /command, or a file path after /attach. */
void tui_complete(struct tui *t)
{
	const char *text = input_text(&t->input);
	size_t len = input_len(&t->input);
	if (text[0] != '/' || input_cursor(&t->input) != len)
		return;
	const char *sp = strchr(text, ' ');
	if (!sp) {
		const char *names[16];
		size_t n = cmd_complete(text, names, 16);
		tui_complete_with(t, 0, names, n, " ");
		return;
	}
	if (strncmp(text, "/model ", 7) == 0) {
		const char *w = text + 7;
		const char **v = xcalloc(t->n_models + 1, sizeof *v);
		size_t n = 0;
		for (size_t i = 0; i < t->n_models; i++)
			if (strncmp(t->models[i], w, strlen(w)) == 0)
				v[n++] = t->models[i];
		tui_complete_with(t, 7, v, n, "");
		free(v);
		return;
	}
	if (strncmp(text, "/attach ", 8) != 0)
		return;
	const char *word = strrchr(text, ' ') + 1;
	char *pattern = xasprintf("%s*", word);
	char *expanded = tui_expand_home(pattern);
	glob_t g;
	int rc = glob(expanded, GLOB_MARK, NULL, &g);
	free(pattern);
	if (rc == 0) {
		/* Keep the user's ~/ when the matches came from it. */
		size_t home = strlen(expanded) - strlen(word) - 1;
		const char **v = xcalloc(g.gl_pathc + 1, sizeof *v);
		char **own = xcalloc(g.gl_pathc + 1, sizeof *own);
		for (size_t i = 0; i < g.gl_pathc; i++) {
			own[i] = word[0] == '~' ? xasprintf("~%s", g.gl_pathv[i] + home + 1)
						: xstrdup(g.gl_pathv[i]);
			v[i] = own[i];
		}
		bool dir = g.gl_pathc == 1 && own[0][strlen(own[0]) - 1] == '/';
		tui_complete_with(t, (size_t)(word - text), v, g.gl_pathc, dir ? "" : " ");
		for (size_t i = 0; i < g.gl_pathc; i++)
			free(own[i]);
		free(own);
		free(v);
		globfree(&g);
	} else {
		tui_status(t, true, "%s", _("no completion"));
	}
	free(expanded);
}
