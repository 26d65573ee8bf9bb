/* The interactive mode's session file (-s FILE, /save FILE): the
 * conversation loaded and shown again, every turn appended as it happens,
 * the answer streaming checkpointed once a second, and a save that fails
 * shown on the status bar and retried while everything stays in memory.
 *
 * The conversation always lives in t->sess (its conv is t->conv), with a
 * file or without: /save can write it out at any time, and the settings
 * records say which system prompt and parameters each turn was asked with. */
#include <config.h>

#include "tui-internal.h"
#include "core/sessiondir.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A failed save is tried again this often (and with every new record). */
#define TUI_SAVE_RETRY_S 3.0

/* ---- writing ------------------------------------------------------------- */

/* Return whether the session file was deleted (or renamed away) under us. */
static bool tui_session_gone(struct tui *t)
{
	struct stat st;
	if (t->sf->fd >= 0 && fstat(t->sf->fd, &st) == 0 && st.st_nlink == 0)
		return true;
	return t->sf->fd >= 0 && stat(t->sf->path, &st) != 0 && errno == ENOENT;
}

/* Note the outcome of a write: err (taken; NULL: all is on disk); a
 * failure is said on the status bar when loud (a new record), or when it
 * is new (a retry). */
static void tui_session_outcome(struct tui *t, char *err, bool loud)
{
	if (!err) {
		if (t->save_failed) {
			tui_status(t, false, _("saved to %s again"), t->sf->path);
			tui_log(t, "session: saved again");
		}
		t->save_failed = false;
		t->quit_warned = false;
		free(t->save_err);
		t->save_err = NULL;
		return;
	}
	bool news = !t->save_failed || !t->save_err || strcmp(t->save_err, err) != 0;
	if (tui_session_gone(t) && !t->save_whole) {
		/* What went to the deleted file is lost with it: write it all
		 * again (by the retries) once its place can take it. */
		t->save_whole = true;
	}
	t->save_failed = true;
	free(t->save_err);
	t->save_err = err;
	t->last_retry = http_now();
	/* Said again with every record that fails: nothing must look saved
	 * that is not. */
	if (loud || news)
		tui_status(t, true, _("save failed: %s (retrying; /save FILE saves elsewhere)"),
			   err);
	if (news)
		tui_log(t, "session: %s", err);
}

static int tui_session_write_all(struct tui *t, const char *path, bool fresh, char **err);

/* Append the records in rec to the file (see tui-internal.h). */
void tui_session_write(struct tui *t, struct strbuf *rec, bool loud)
{
	if (!t->sf || t->sf->locked_out || !rec->len) {
		strbuf_reset(rec);
		return;
	}
	char *err = NULL;
	if (t->save_whole) {
		/* The file went away: its records are in memory, not pending. */
		strbuf_reset(rec);
		char *path = xstrdup(t->sf->path);
		if (tui_session_write_all(t, path, false, &err) == 0)
			t->save_whole = false;
		free(path);
		tui_session_outcome(t, err, loud);
		return;
	}
	if (sessionfile_append(t->sf, rec->data, rec->len, &err) != 0)
		tui_session_outcome(t, err, loud);
	else
		tui_session_outcome(t, NULL, loud);
	strbuf_reset(rec);
}

/* Save message i (a question, a tool result or a finished answer). */
void tui_session_save_msg(struct tui *t, size_t i)
{
	struct strbuf rec = STRBUF_INIT;
	session_encode_msg(&t->sess, i, &rec);
	tui_session_write(t, &rec, true);
	strbuf_done(&rec);
}

/* Before a new answer: records for a changed system prompt or
 * parameters, so that the file knows what each turn was asked with. */
void tui_session_settings(struct tui *t)
{
	struct session *s = &t->sess;
	struct chat_params *p = &t->cfg->params;
	long long now = (long long)time(NULL);
	struct strbuf rec = STRBUF_INIT;
	const char *sys = session_system(s, s->conv.head);
	if (p->system ? !sys || strcmp(p->system, sys) != 0 : sys != NULL)
		session_encode_system(s, &rec, p->system, now);
	json_object *pj = session_params_json(p);
	if (!json_object_equal(pj, session_params(s, s->conv.head)))
		session_encode_params(s, &rec, pj, now);
	json_object_put(pj);
	tui_session_write(t, &rec, true);
	strbuf_done(&rec);
}

/* Save that the conversation goes on with choice k of answer i. */
void tui_session_choose(struct tui *t, size_t i, size_t k)
{
	const struct conv_msg *m = conv_msg_at(t->conv, i);
	if (!m || m->state == CONV_STREAMING)
		return; /* its final record says which */
	struct strbuf rec = STRBUF_INIT;
	unsigned long long head = t->conv->head;
	session_encode_select(&t->sess, &rec, m->id, (long)k, (long long)time(NULL));
	conv_set_head(t->conv, head);
	tui_session_write(t, &rec, true);
	strbuf_done(&rec);
}

/* Every wake-up: checkpoint the streaming answer, retry a failed save. */
void tui_session_tick(struct tui *t)
{
	if (!t->sf || t->sf->locked_out)
		return;
	double now = http_now();
	if (t->req.active && now - t->last_ckpt >= sessionfile_ckpt_interval()) {
		t->last_ckpt = now;
		struct strbuf rec = STRBUF_INIT;
		if (session_encode_checkpoint(&t->sess, t->req.msg, &rec))
			tui_session_write(t, &rec, false);
		strbuf_done(&rec);
	}
	/* A failure with nothing pending (a file that cannot be written,
	 * not needed yet) waits for the next record. */
	if (t->save_failed && (t->save_whole || sessionfile_pending(t->sf)) &&
	    now - t->last_retry >= TUI_SAVE_RETRY_S) {
		t->last_retry = now;
		char *err = NULL;
		if (t->save_whole) {
			struct strbuf none = STRBUF_INIT;
			strbuf_putc(&none, '\n');
			tui_session_write(t, &none, false); /* writes everything, see there */
			strbuf_done(&none);
		} else {
			tui_session_outcome(t, sessionfile_flush(t->sf, &err) == 0 ? NULL : err, false);
		}
		t->dirty = true;
	}
}

/* Return the status bar's session state with a separator, or NULL. */
char *tui_session_status(struct tui *t)
{
	if (!t->sf && t->autosave_failed)
		return xstrdup(_("not saved \xc2\xb7 "));
	if (!t->sf)
		return NULL;
	if (t->sf->locked_out)
		return xstrdup(_("read-only \xc2\xb7 "));
	if (!t->save_failed)
		return xstrdup(_("saved \xc2\xb7 "));
	size_t pending = sessionfile_pending(t->sf);
	if (!pending || t->save_whole)
		return xstrdup(_("not saved \xc2\xb7 "));
	char *b = tui_bytes(pending);
	char *s = xasprintf(_("unsaved %s \xc2\xb7 "), b);
	free(b);
	return s;
}

/* ---- /save and the file going away ---------------------------------------- */

/* Write the whole conversation to path, a new file (fresh: it must not
 * exist; else it may have been emptied or removed), and go on saving
 * there; 0, or -1 with *err (the old file stays). */
static int tui_session_write_all(struct tui *t, const char *path, bool fresh, char **err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	bool created = fd >= 0;
	if (fd < 0 && !fresh && errno == EEXIST) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
			fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		else
			errno = EEXIST;
	}
	if (fd < 0) {
		*err = errno == EEXIST ? xasprintf(_("%s exists; /save writes a new file"), path)
				       : xasprintf(_("cannot save to %s: %s"), path, strerror(errno));
		return -1;
	}
	close(fd);
	struct sessionfile *nf = xcalloc(1, sizeof *nf);
	struct session empty;
	session_init(&empty);
	char *note = NULL;
	int rc = sessionfile_open(nf, path, &empty, PACKAGE_VERSION, (long long)time(NULL), &note,
				  err);
	session_done(&empty);
	if (rc == 0 && (note || nf->locked_out)) {
		*err = note ? note : xasprintf(_("cannot save to %s"), path);
		note = NULL;
		rc = -1;
	}
	free(note);
	if (rc == 0) {
		/* The records: the file's header is written, the images are
		 * all new to it (session_encode_all knows). */
		struct strbuf all = STRBUF_INIT;
		session_encode_all(&t->sess, &all, (long long)time(NULL));
		rc = sessionfile_append(nf, all.data, all.len, err);
		strbuf_done(&all);
		if (rc != 0) {
			/* The images the session now thinks written are not:
			 * the next record repeats them where they are needed. */
			for (size_t i = 0; i < t->sess.n_images; i++) {
				free(t->sess.images[i].url);
				t->sess.images[i].url = NULL;
			}
		}
	}
	if (rc != 0) {
		if (created)
			unlink(path);
		sessionfile_close(nf);
		free(nf);
		return -1;
	}
	if (t->sf) {
		sessionfile_close(t->sf);
		free(t->sf);
	}
	t->sf = nf;
	return 0;
}

/* Create the default session file for a conversation whose first
 * question is text, and save to it from now on. */
void tui_session_autosave(struct tui *t, const char *text)
{
	if (t->sf || !t->autosave_dir)
		return;
	/* A file size limit must fail the write (and be reported), not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	char *err = NULL, *path = NULL;
	if (sessiondir_make(t->autosave_dir) != 0)
		err = xasprintf(_("cannot create %s: %s"), t->autosave_dir, strerror(errno));
	else
		path = sessiondir_create(t->autosave_dir, (long long)time(NULL), text, &err);
	if (path && tui_session_write_all(t, path, false, &err) != 0) {
		unlink(path);
		free(path);
		path = NULL;
	}
	if (!path) {
		/* Not again with every question: /save FILE is the way now. */
		free(t->autosave_dir);
		t->autosave_dir = NULL;
		t->autosave_failed = true;
		char *line = xasprintf(_("not saving: %s (/save FILE saves elsewhere)"), err);
		tui_note(t, CV_ITEM_ERROR, line);
		tui_status(t, true, "%s", line);
		free(line);
		tui_log(t, "session: %s", err);
		free(err);
		return;
	}
	t->autosaved = true;
	t->last_ckpt = http_now();
	tui_log(t, "session: saving to %s", path);
	free(path);
}

/* /save FILE. */
void tui_cmd_save(struct tui *t, const char *arg)
{
	if (!arg) {
		tui_error(t, _("/save FILE: the name of a new session file"));
		return;
	}
	char *path = arg[0] == '~' && arg[1] == '/' && getenv("HOME")
			     ? xasprintf("%s%s", getenv("HOME"), arg + 1)
			     : xstrdup(arg);
	char *err = NULL;
	if (tui_session_write_all(t, path, true, &err) != 0) {
		tui_error(t, err);
		free(err);
		free(path);
		return;
	}
	t->save_whole = false;
	t->save_failed = false;
	free(t->save_err);
	t->save_err = NULL;
	t->last_ckpt = http_now();
	tui_log(t, "session: saved to %s", path);
	tui_status(t, false, _("saved to %s; the session goes on there"), path);
	free(path);
}

/* ---- showing the conversation --------------------------------------------- */

/* Return the index of the last user message on the current branch. */
size_t tui_session_last_user(struct tui *t)
{
	size_t n = 0, li = conv_find(t->conv, t->conv->head), u = (size_t)-1;
	size_t *path = li == (size_t)-1 ? NULL : conv_path(t->conv, li, &n);
	for (size_t k = n; k-- > 0 && u == (size_t)-1;)
		if (t->conv->msgs[path[k]].role == CONV_USER)
			u = path[k];
	free(path);
	return u;
}

/* Add a question or a tool result to the pane. */
static void tui_session_show_user(struct tui *t, const struct conv_msg *m)
{
	struct strbuf shown = STRBUF_INIT;
	for (size_t k = 0; k < m->n_parts; k++) {
		const struct conv_part *p = &m->parts[k];
		if (shown.len)
			strbuf_putc(&shown, '\n');
		if (p->kind == CHAT_PART_TEXT) {
			sanitize_string(&shown, p->text, strlen(p->text));
			continue;
		}
		size_t number = tui_images_restore(t, p);
		char *d = tui_image_desc(p->name ? p->name : "image", p->mime, p->width, p->height,
					 p->bytes);
		strbuf_printf(&shown, "[image %zu: %s%s]", number, d,
			      p->forgotten ? _(" \xc2\xb7 forgotten: not sent") : "");
		free(d);
	}
	char *who = m->role == CONV_TOOL ? xasprintf(_("tool %s"), m->tool_call_id)
					 : xstrdup(_("You"));
	char *label = tui_label(who, (time_t)m->time);
	size_t item = chatview_add(t->view, CV_ITEM_USER, label, strbuf_str(&shown), shown.len);
	tui_images_sent(t, item);
	free(label);
	free(who);
	strbuf_done(&shown);
}

/* Add answer i to the pane, as it ended. */
static void tui_session_show_answer(struct tui *t, size_t i)
{
	const struct conv_msg *m = conv_msg_at(t->conv, i);
	char *label = tui_label(m->model ? m->model : "assistant", (time_t)m->time);
	size_t item = chatview_add(t->view, CV_ITEM_ASSISTANT, label, "", 0);
	free(label);
	struct strbuf sb = STRBUF_INIT;
	for (size_t c = 0; c < m->n_choices; c++) {
		const struct conv_choice *ch = &m->choices[c];
		for (int r = 0; r < 2; r++) {
			const struct strbuf *text = r ? &ch->reasoning : &ch->content;
			strbuf_reset(&sb);
			sanitize_string(&sb, strbuf_str(text), text->len);
			if (sb.len || c)
				chatview_append_choice(t->view, item, c, r, strbuf_str(&sb), sb.len);
		}
		for (size_t k = 0; k < ch->n_tool_calls; k++) {
			const struct conv_tool_call *tc = &ch->tool_calls[k];
			strbuf_reset(&sb);
			strbuf_puts(&sb, "\xe2\x9a\x99 ");
			sanitize_string(&sb, strbuf_str(&tc->name), tc->name.len);
			if (tc->id) {
				strbuf_puts(&sb, " \xc2\xb7 ");
				sanitize_string(&sb, tc->id, strlen(tc->id));
			}
			char *body = tui_answer_pretty(&tc->arguments);
			chatview_set_tool(t->view, item, c, k, strbuf_str(&sb), body);
			free(body);
		}
	}
	if (m->n_choices > 1)
		chatview_show_choice(t->view, item, m->chosen);
	if (m->state == CONV_INTERRUPTED || m->state == CONV_ERROR) {
		bool err = m->state == CONV_ERROR;
		strbuf_reset(&sb);
		strbuf_puts(&sb, err ? "\xe2\x9c\x97 " : "\xe2\x96\xa0 ");
		const char *why = m->error ? m->error
				  : err	   ? _("the request failed")
					   : _("interrupted (the answer was cut short)");
		sanitize_string(&sb, why, strlen(why));
		chatview_set_footer(t->view, item, strbuf_str(&sb),
				    err ? CV_STYLE_ERROR : CV_STYLE_NOTICE);
	}
	strbuf_done(&sb);
	t->has_last = true;
	t->last_msg = i;
	t->last_item = item;
	t->lp_sel = (size_t)-1;
}

/* Add the messages of the current branch to the pane. */
static void tui_session_show_path(struct tui *t)
{
	size_t n = 0, li = conv_find(t->conv, t->conv->head);
	size_t *path = li == (size_t)-1 ? NULL : conv_path(t->conv, li, &n);
	for (size_t k = 0; k < n; k++) {
		const struct conv_msg *m = conv_msg_at(t->conv, path[k]);
		if (m->role == CONV_ASSISTANT)
			tui_session_show_answer(t, path[k]);
		else
			tui_session_show_user(t, m);
	}
	free(path);
	chatview_bottom(t->view);
	t->dirty = true;
}

/* Show the current branch afresh in the pane. */
void tui_session_show(struct tui *t)
{
	chatview_clear(t->view);
	chatview_search_clear(t->view);
	tui_images_reset(t);
	t->has_last = false;
	if (t->demo)
		tui_note(t, CV_ITEM_NOTICE, _("demo: local test server \xe2\x80\x94 answers are echoes"));
	tui_session_show_path(t);
}

/* ---- opening and closing -------------------------------------------------- */

/* Open the file of -s path and load it; 0, or -1 after printing why. */
int tui_session_open(struct tui *t, const char *path)
{
	/* A file size limit must fail the write (and be reported), not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	t->sf = xcalloc(1, sizeof *t->sf);
	char *note = NULL, *err = NULL;
	if (sessionfile_open(t->sf, path, &t->sess, PACKAGE_VERSION, (long long)time(NULL), &note,
			     &err) != 0) {
		fprintf(stderr, "squint: %s\n", err);
		free(err);
		free(t->sf);
		t->sf = NULL;
		return -1;
	}
	t->save_err = note;
	t->save_failed = note && !t->sf->locked_out;
	/* The session's model, parameters and system prompt, unless the
	 * flags or the config file chose their own. */
	struct chat_params *p = &t->cfg->params;
	bool model_chosen = p->model && strcmp(p->model, SQUINT_DEFAULT_MODEL) != 0;
	session_params_restore(p, session_params(&t->sess, t->sess.leaf), model_chosen);
	const char *sys = session_system(&t->sess, t->sess.leaf);
	if (!p->system && sys)
		p->system = xstrdup(sys);
	return 0;
}

/* Show the loaded conversation, the file's note and warnings. */
void tui_session_resumed(struct tui *t)
{
	struct session *s = &t->sess;
	size_t n = 0, li = conv_find(t->conv, t->conv->head);
	size_t *path = li == (size_t)-1 ? NULL : conv_path(t->conv, li, &n);
	/* The questions of the branch come back as the input's history. */
	char **hist = xcalloc(n + 1, sizeof *hist);
	size_t nh = 0;
	for (size_t k = 0; k < n; k++) {
		const struct conv_msg *m = conv_msg_at(t->conv, path[k]);
		if (m->role == CONV_USER && m->n_parts > conv_msg_n_images(m))
			hist[nh++] = conv_msg_text(m);
	}
	input_history_load(&t->input, (const char *const *)hist, nh);
	for (size_t k = 0; k < nh; k++)
		free(hist[k]);
	free(hist);
	free(path);
	tui_session_show_path(t);
	for (size_t i = 0; i < s->n_warnings; i++)
		tui_note(t, CV_ITEM_ERROR, s->warnings[i]);
	char *line = n ? xasprintf(P_("resumed %s: %zu message on this branch",
				      "resumed %s: %zu messages on this branch", n),
				   t->sf->path, n)
		       : xasprintf(_("saving to %s"), t->sf->path);
	/* On the status bar, not in the pane: the pane shows what it showed
	 * when the session was left, line for line. */
	tui_status(t, false, "%s", line);
	free(line);
	if (t->save_err) {
		tui_note(t, CV_ITEM_ERROR, t->save_err);
		if (t->sf->locked_out)
			tui_status(t, true, _("%s (nothing is saved; /save FILE saves elsewhere)"),
				   t->save_err);
		else
			tui_status(t, true, _("save failed: %s (retrying; /save FILE saves elsewhere)"),
				   t->save_err);
	}
	chatview_bottom(t->view);
}

/* /new: a new conversation; the file keeps the old one. */
void tui_session_new(struct tui *t)
{
	t->editing = false;
	if (t->sf && t->autosaved) {
		/* A default session holds one conversation: the next question
		 * starts a file of its own. */
		tui_session_close(t);
		t->autosaved = false;
	} else if (t->sf) {
		conv_set_head(t->conv, 0);
		t->sess.leaf = 0;
		return;
	}
	tui_images_unborrow(t);
	session_done(&t->sess);
	session_init(&t->sess);
}

/* Quit, unless the session is not saved and the user was not told yet. */
bool tui_session_may_quit(struct tui *t)
{
	if (!t->sf || t->sf->locked_out || !t->save_failed || t->quit_warned ||
	    (!t->save_whole && !sessionfile_pending(t->sf)))
		return true;
	/* One more try first. */
	t->last_retry = 0;
	tui_session_tick(t);
	if (!t->save_failed)
		return true;
	t->quit_warned = true;
	tui_status(t, true, "%s",
		   _("the session is not saved: /save FILE saves it elsewhere; quit again to "
		     "leave without"));
	return false;
}

/* Save what is pending and close the file. */
void tui_session_close(struct tui *t)
{
	if (!t->sf)
		return;
	char *err = NULL;
	if (!t->sf->locked_out && sessionfile_pending(t->sf) &&
	    sessionfile_flush(t->sf, &err) != 0) {
		fprintf(stderr, "squint: %s\n", err);
		free(err);
	}
	sessionfile_close(t->sf);
	free(t->sf);
	t->sf = NULL;
}

/* ---- /forget -------------------------------------------------------------- */

/* Return the image parts of the current branch, one per distinct image in
 * the order they first appear (the numbers the pane shows), count in *n;
 * the array is newly allocated, the parts borrowed. */
static struct conv_part **tui_session_images(struct tui *t, size_t *n)
{
	size_t np = 0, li = conv_find(t->conv, t->conv->head);
	size_t *path = li == (size_t)-1 ? NULL : conv_path(t->conv, li, &np);
	struct conv_part **v = NULL;
	*n = 0;
	for (size_t k = 0; k < np; k++) {
		struct conv_msg *m = conv_msg_at(t->conv, path[k]);
		for (size_t j = 0; j < m->n_parts; j++) {
			struct conv_part *p = &m->parts[j];
			if (p->kind != CHAT_PART_IMAGE || !p->url)
				continue;
			bool seen = false;
			for (size_t i = 0; i < *n && !seen; i++)
				seen = strcmp(v[i]->url, p->url) == 0;
			if (seen)
				continue;
			v = xrealloc(v, (*n + 1) * sizeof *v);
			v[(*n)++] = p;
		}
	}
	free(path);
	return v;
}

/* /forget N. */
void tui_cmd_forget(struct tui *t, const char *arg)
{
	size_t n = 0;
	struct conv_part **im = tui_session_images(t, &n);
	char *end = NULL;
	long k = arg ? strtol(arg, &end, 10) : 0;
	if (!n) {
		tui_error(t, _("/forget: no image in this conversation"));
	} else if (!arg || *end || k < 1 || (size_t)k > n) {
		char *m = xasprintf(_("/forget N: the number of an image of the conversation "
				      "([image N], 1 to %zu)"),
				    n);
		tui_error(t, m);
		free(m);
	} else if (im[k - 1]->forgotten) {
		tui_status(t, false, _("image %ld is not sent already"), k);
	} else {
		char *name = sanitize_line(im[k - 1]->name ? im[k - 1]->name : "image");
		struct strbuf rec = STRBUF_INIT;
		session_encode_forget(&t->sess, &rec, im[k - 1]->url, (long long)time(NULL));
		tui_session_write(t, &rec, true);
		strbuf_done(&rec);
		tui_session_show(t);
		if (!t->save_failed)
			tui_status(t, false,
				   _("image %ld (%s) is no longer sent; the session file keeps it"), k,
				   name);
		tui_log(t, "session: forgot image %ld", k);
		free(name);
	}
	free(im);
	t->dirty = true;
}
