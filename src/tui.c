/* The interactive mode: the loop, the request in flight, the frame.
 *
 * One thread for everything the user sees and the network (attached images
 * are decoded and fitted by a worker thread doing only pure work, whose
 * results arrive through a pipe: see img/worker.h).  http_client_run()
 * waits on libcurl's sockets, the terminal, the image worker's pipe and a
 * self-pipe for signals together (curl_multi_poll with extra fds: one
 * streaming transfer needs no socket-action bookkeeping).  Every wake-up
 * drains all keys and signals; whatever changed sets `dirty`, and a frame is
 * drawn when the last one is old enough: TUI_KEY_FRAME_S after a key (so a
 * key echoes within ~8 ms even while an answer streams), TUI_STREAM_FRAME_S
 * while streaming without keys (30 frames/s is plenty for reading, and
 * each frame re-lays the open block), TUI_FRAME_S otherwise. */
#include <config.h>

#include "tui.h"
#include "tui-internal.h"
#include "core/attach.h"
#include "core/conv.h"
#include "core/sessiondir.h"
#include "core/sanitize.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "net/http.h"
#include "oneshot.h"
#include "ui/chatview.h"
#include "ui/curses/keys.h"
#include "ui/curses/screen.h"
#include "ui/input.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int tui_sig_pipe[2] = {-1, -1};

/* Signal handler: wake the loop with the signal's number. */
static void tui_on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;
	if (write(tui_sig_pipe[1], &b, 1) < 0) {
		/* The pipe is full: a wake-up is pending anyway. */
	}
	errno = saved;
}

/* Write one line to the debug log (with -v); never the API key. */
void tui_log(struct tui *t, const char *fmt, ...)
{
	if (!t->log)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	localtime_r(&ts.tv_sec, &tm);
	char when[32];
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(t->log, "%s.%03ld tui: ", when, ts.tv_nsec / 1000000);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(t->log, fmt, ap);
	va_end(ap);
	fputc('\n', t->log);
	fflush(t->log);
}

/* Open the debug log under $XDG_STATE_HOME (or ~/.local/state)/squint;
 * returns the stream, or NULL when it cannot be opened. */
static FILE *tui_log_open(void)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char *dir;
	if (state && *state == '/')
		dir = xasprintf("%s/squint", state);
	else if (home && *home == '/')
		dir = xasprintf("%s/.local/state/squint", home);
	else
		return NULL;
	/* mkdir -p, one level at a time. */
	for (char *p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	}
	mkdir(dir, 0700);
	char *path = xasprintf("%s/squint.log", dir);
	FILE *f = fopen(path, "a");
	free(path);
	free(dir);
	return f;
}

/* Set the status bar's message (NULL clears it). */
void tui_status(struct tui *t, bool error, const char *fmt, ...)
{
	free(t->status_msg);
	t->status_msg = NULL;
	t->status_error = error;
	if (fmt) {
		/* Status lines are short: a fixed buffer (cut if need be) will do. */
		char buf[1024];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(buf, sizeof buf, fmt, ap);
		va_end(ap);
		/* One line, and nothing that could drive the terminal. */
		for (char *p = buf; *p; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
		struct strbuf safe = STRBUF_INIT;
		sanitize_string(&safe, buf, strlen(buf));
		t->status_msg = strbuf_detach(&safe);
	}
	t->dirty = true;
}

/* Add a one-line note (or error) to the pane; text is sanitized here. */
void tui_note(struct tui *t, enum cv_kind kind, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	sanitize_string(&sb, text, strlen(text));
	chatview_add(t->view, kind, NULL, strbuf_str(&sb), sb.len);
	strbuf_done(&sb);
	t->dirty = true;
}

/* Report an error: one line in the pane and in the status bar. */
void tui_error(struct tui *t, const char *msg)
{
	char *line = xasprintf("\xe2\x9c\x97 %s", msg);
	tui_note(t, CV_ITEM_ERROR, line);
	free(line);
	tui_status(t, true, "%s", msg);
	tui_log(t, "error: %s", msg);
}

/* Return a newly allocated label "WHO · HH:MM" for a message at time when. */
char *tui_label(const char *who, time_t when)
{
	struct tm tm;
	localtime_r(&when, &tm);
	char hm[16];
	strftime(hm, sizeof hm, "%H:%M", &tm);
	struct strbuf sb = STRBUF_INIT;
	sanitize_string(&sb, who, strlen(who));
	strbuf_printf(&sb, " \xc2\xb7 %s", hm);
	return strbuf_detach(&sb);
}

/* Return a newly allocated human size ("3.2 kB"). */
char *tui_bytes(size_t n)
{
	if (n < 1000)
		return xasprintf("%zu B", n);
	if (n < 1000 * 1000)
		return xasprintf("%.1f kB", (double)n / 1000);
	return xasprintf("%.1f MB", (double)n / 1e6);
}

/* Return a newly allocated one-line description of an image. */
char *tui_image_desc(const char *name, const char *mime, unsigned w, unsigned h,
			    size_t bytes)
{
	struct strbuf sb = STRBUF_INIT;
	sanitize_string(&sb, name, strlen(name));
	if (mime) {
		const char *slash = strchr(mime, '/');
		strbuf_printf(&sb, "  %s", slash ? slash + 1 : mime);
	}
	if (w && h)
		strbuf_printf(&sb, "  %u\xc3\x97%u", w, h);
	if (bytes) {
		char *b = tui_bytes(bytes);
		strbuf_printf(&sb, "  %s", b);
		free(b);
	}
	return strbuf_detach(&sb);
}

/* ---- keys ----------------------------------------------------------------- */

/* Suspend (Ctrl-Z, SIGTSTP): give the terminal back, stop, take it again. */
static void tui_suspend(struct tui *t)
{
	screen_suspend();
	signal(SIGTSTP, SIG_DFL);
	raise(SIGTSTP);
	/* Running again (SIGCONT). */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tui_on_signal;
	sigaction(SIGTSTP, &sa, NULL);
	screen_resume();
	t->dirty = true;
}

/* Ctrl-C: cancel, else clear the input, else quit on the second press. */
static void tui_ctrl_c(struct tui *t)
{
	if (t->req.active) {
		tui_cancel(t);
	} else if (!input_is_empty(&t->input)) {
		input_clear(&t->input);
	} else if (t->ctrl_c_armed) {
		t->quit = tui_session_may_quit(t);
	} else {
		t->ctrl_c_armed = true;
		tui_status(t, false, "%s", _("press Ctrl-C again to quit (or Ctrl-D)"));
		return;
	}
	t->dirty = true;
}

/* Keys while searching; returns true when the event was used. */
static bool tui_search_event(struct tui *t, const struct ui_event *ev)
{
	if (ev->kind == UI_EV_KEY && ev->key == UI_KEY_ESCAPE) {
		t->mode = TUI_MODE_INPUT;
		chatview_search_clear(t->view);
		tui_status(t, false, NULL);
		return true;
	}
	if (t->mode == TUI_MODE_SEARCH_NAV) {
		if (ev->kind == UI_EV_CHAR && !ev->mods && (ev->ch == 'n' || ev->ch == 'N')) {
			if (chatview_search(t->view, input_text(&t->query), ev->ch == 'n' ? -1 : 1) != 0)
				tui_status(t, true, _("not found: %s"), input_text(&t->query));
			t->dirty = true;
			return true;
		}
		if ((ev->kind == UI_EV_CHAR && !ev->mods && ev->ch == '/') ||
		    (ev->kind == UI_EV_CHAR && (ev->mods & UI_MOD_CTRL) && ev->ch == 'f')) {
			t->mode = TUI_MODE_SEARCH_EDIT;
			t->dirty = true;
			return true;
		}
		if (ev->kind == UI_EV_KEY && ev->key == UI_KEY_ENTER) {
			t->mode = TUI_MODE_INPUT;
			t->dirty = true;
			return true;
		}
		return ev->kind == UI_EV_CHAR || ev->kind == UI_EV_PASTE;
	}
	if (ev->kind == UI_EV_KEY && ev->key == UI_KEY_ENTER) {
		if (input_is_empty(&t->query))
			return true;
		chatview_search_clear(t->view);
		if (chatview_search(t->view, input_text(&t->query), -1) != 0)
			tui_status(t, true, _("not found: %s"), input_text(&t->query));
		else
			tui_status(t, false, "%s", _("n: older match, N: newer, /: new search, Esc: done"));
		t->mode = TUI_MODE_SEARCH_NAV;
		return true;
	}
	if (ev->kind == UI_EV_KEY && (ev->key == UI_KEY_UP || ev->key == UI_KEY_DOWN))
		return false;
	if (ev->kind == UI_EV_PASTE || ev->kind == UI_EV_CHAR || ev->kind == UI_EV_KEY) {
		if (ev->kind == UI_EV_KEY && (ev->key == UI_KEY_PAGE_UP || ev->key == UI_KEY_PAGE_DOWN))
			return false;
		input_handle(&t->query, ev);
		t->dirty = true;
		return true;
	}
	return false;
}

/* One event from the terminal. */
static void tui_event(struct tui *t, const struct ui_event *ev)
{
	bool ctrl = ev->kind == UI_EV_CHAR && (ev->mods & UI_MOD_CTRL);
	if (!(ctrl && ev->ch == 'c') && t->ctrl_c_armed) {
		t->ctrl_c_armed = false;
		tui_status(t, false, NULL);
	}
	if (ev->kind == UI_EV_RESIZE) {
		t->dirty = true;
		return;
	}
	if (tui_branches_key(t, ev))
		return;
	if (tui_images_key(t, ev))
		return;
	if (ev->kind == UI_EV_MOUSE) {
		if (ev->key == UI_KEY_WHEEL_UP || ev->key == UI_KEY_WHEEL_DOWN)
			chatview_scroll(t->view, ev->key == UI_KEY_WHEEL_UP ? -3 : 3);
		t->dirty = true;
		return;
	}
	if (ctrl && ev->ch == 'c') {
		if (t->mode != TUI_MODE_INPUT && !t->req.active) {
			struct ui_event esc = {.kind = UI_EV_KEY, .key = UI_KEY_ESCAPE};
			tui_search_event(t, &esc);
			return;
		}
		tui_ctrl_c(t);
		return;
	}
	if (ctrl && ev->ch == 'z') {
		tui_suspend(t);
		return;
	}
	if (ctrl && ev->ch == 'l') {
		screen_invalidate();
		t->dirty = true;
		return;
	}
	if (ctrl && ev->ch == 'r') {
		chatview_set_reasoning_expanded(t->view, !chatview_reasoning_expanded(t->view));
		t->dirty = true;
		return;
	}
	if (ev->kind == UI_EV_KEY && ev->key == UI_KEY_ESCAPE && t->req.active) {
		tui_cancel(t);
		return;
	}
	if (t->mode != TUI_MODE_INPUT && tui_search_event(t, ev))
		return;
	if (tui_answer_key(t, ev))
		return;
	if (ev->kind == UI_EV_KEY) {
		bool empty = input_is_empty(&t->input);
		bool pane = empty || (ev->mods & UI_MOD_CTRL);
		t->dirty = true;
		switch (ev->key) {
		case UI_KEY_PAGE_UP:
		case UI_KEY_PAGE_DOWN:
			chatview_page(t->view, ev->key == UI_KEY_PAGE_UP ? -1 : 1);
			return;
		case UI_KEY_HOME:
			if (pane) {
				chatview_top(t->view);
				return;
			}
			break;
		case UI_KEY_END:
			if (pane) {
				chatview_bottom(t->view);
				return;
			}
			break;
		case UI_KEY_ESCAPE:
			tui_status(t, false, NULL);
			return;
		case UI_KEY_F1:
			tui_command(t, "/help");
			return;
		case UI_KEY_TAB:
			tui_complete(t);
			return;
		default:
			break;
		}
	}
	if (ctrl && ev->ch == 'f' && input_is_empty(&t->input)) {
		t->mode = TUI_MODE_SEARCH_EDIT;
		tui_status(t, false, "%s", _("search: type the text, Enter finds it, Esc leaves"));
		return;
	}
	if (ctrl && ev->ch == 'd' && input_is_empty(&t->input)) {
		t->quit = tui_session_may_quit(t);
		return;
	}
	if (ev->kind == UI_EV_PASTE && tui_paste_attach(t, ev))
		return;
	if (ev->kind == UI_EV_KEY && ev->key == UI_KEY_ENTER && !ev->mods && t->n_atts &&
	    input_is_blank(&t->input) && !t->req.active) {
		/* Images alone are a question too. */
		input_clear(&t->input);
		tui_send(t, "");
		return;
	}
	enum ui_result r = input_handle(&t->input, ev);
	if (r & UI_SUBMIT)
		tui_submit(t);
	const char *msg = input_message(&t->input);
	if (msg)
		tui_status(t, true, "%s", msg);
	if (r != UI_IGNORED)
		t->dirty = true;
}

/* ---- the frame ------------------------------------------------------------ */

/* Return the status bar's middle text, newly allocated. */
static char *tui_status_text(struct tui *t, enum screen_status *kind)
{
	static const char *const spin[] = {"\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9",
					   "\xe2\xa0\xb8", "\xe2\xa0\xbc", "\xe2\xa0\xb4",
					   "\xe2\xa0\xa6", "\xe2\xa0\xa7", "\xe2\xa0\x87",
					   "\xe2\xa0\x8f"};
	struct tui_req *q = &t->req;
	double now = http_now();
	*kind = SCREEN_STATUS_NORMAL;
	if (q->active) {
		*kind = SCREEN_STATUS_BUSY;
		if (q->retry_at > now)
			return xasprintf(_("retrying in %.0f s (%s)"), ceil(q->retry_at - now),
					 q->retry_reason ? q->retry_reason : "");
		char *up = tui_upload_status(t);
		if (up)
			return up;
		if (q->t_first == 0)
			return xasprintf(_("waiting %s %.0f s"), spin[(long)(now * 10) % 10],
					 floor(now - q->t_start));
		double dt = now - q->t_first;
		return xasprintf(P_("streaming %s %ld token, %.0f tokens/s",
				    "streaming %s %ld tokens, %.0f tokens/s", q->n_tokens),
				 spin[(long)(now * 10) % 10], q->n_tokens,
				 dt > 0.05 ? (double)q->n_tokens / dt : 0.0);
	}
	if (t->status_msg) {
		*kind = t->status_error ? SCREEN_STATUS_ERROR : SCREEN_STATUS_NORMAL;
		return xstrdup(t->status_msg);
	}
	char *lp = tui_logprob_status(t);
	if (lp)
		return lp;
	return xstrdup(_("idle \xc2\xb7 F1 or /help for keys"));
}

/* Fill rows with the text of the visible input rows (tabs as spaces);
 * returns how many, at most max. */
static int tui_input_rows(struct input *in, int width, int max, struct strbuf *rows,
			  int *cur_row, int *cur_col)
{
	struct input_layout lay;
	input_layout(in, width, &lay);
	int first = input_first_visible_row(in, &lay, max);
	int n = 0;
	for (int r = first; r < lay.n_rows && n < max; r++, n++) {
		const struct input_row *row = &lay.rows[r];
		const char *text = input_text(in);
		strbuf_reset(&rows[n]);
		size_t off = row->off, end = row->off + row->len;
		int col = 0;
		while (off < end) {
			int cells = 0;
			size_t next = input_cluster_next(in, off, col, &cells);
			if (col + cells > width)
				break; /* white space hanging past the edge */
			if (text[off] == '\t') {
				for (int k = 0; k < cells; k++)
					strbuf_putc(&rows[n], ' ');
			} else {
				strbuf_append(&rows[n], text + off, next - off);
			}
			col += cells;
			off = next;
		}
	}
	*cur_row = lay.cursor_row - first;
	*cur_col = lay.cursor_col;
	return n;
}

/* Draw one frame from the model. */
static void tui_draw(struct tui *t)
{
	int rows, cols;
	screen_size(&rows, &cols);
	struct screen_frame f;
	memset(&f, 0, sizeof f);
	t->last_draw = http_now();
	t->frames++;
	if (cols < TUI_MIN_COLS || rows < TUI_MIN_ROWS) {
		f.too_small = _("terminal too small (need 40\xc3\x97" "10)");
		screen_draw(&f);
		t->dirty = false;
		return;
	}
	/* The strip: previews (band rows, drawn blank here), then one row per
	 * attachment, the last says how many more. */
	int band = tui_images_strip_rows(t, rows);
	int n_strip = t->n_atts > TUI_MAX_STRIP ? TUI_MAX_STRIP : (int)t->n_atts;
	struct screen_text strip[TUI_MAX_STRIP + TUI_STRIP_PREVIEW_ROWS];
	char *strip_s[TUI_MAX_STRIP] = {NULL};
	for (int i = 0; i < band; i++)
		strip[i] = (struct screen_text){"", 0};
	for (int i = 0; i < n_strip; i++) {
		const struct attachment *a = &t->atts[i];
		if (i == TUI_MAX_STRIP - 1 && t->n_atts > TUI_MAX_STRIP) {
			strip_s[i] = xasprintf(_(" \xf0\x9f\x93\x8e %zu more attachments"),
					       t->n_atts - (size_t)i);
		} else {
			char *d = tui_attachment_desc(a);
			strip_s[i] = xasprintf(" \xf0\x9f\x93\x8e [%d] %s", i + 1, d);
			free(d);
		}
		strip[band + i] = (struct screen_text){strip_s[i], strlen(strip_s[i])};
	}
	/* The input grows up to a third of the screen. */
	bool searching = t->mode != TUI_MODE_INPUT;
	const char *prompt = searching ? _("search: ") : "> ";
	int pw = (int)strlen(prompt);
	int max_in = rows / 3 > 1 ? rows / 3 : 1;
	struct strbuf in_rows[64];
	if (max_in > 64)
		max_in = 64;
	for (int i = 0; i < max_in; i++)
		strbuf_init(&in_rows[i]);
	int cr = 0, cc = 0;
	int n_in = tui_input_rows(searching ? &t->query : &t->input, cols - pw, max_in, in_rows,
				  &cr, &cc);
	struct screen_text in_text[64];
	for (int i = 0; i < n_in; i++)
		in_text[i] = (struct screen_text){strbuf_str(&in_rows[i]), in_rows[i].len};
	f.pane_rows = rows - 1 - band - n_strip - n_in;
	tui_images_layout(t, cols);
	chatview_resize(t->view, cols, f.pane_rows);
	const struct cv_line **pane = xcalloc((size_t)f.pane_rows + 1, sizeof *pane);
	f.n_pane = chatview_visible(t->view, pane, f.pane_rows);
	f.pane = pane;
	f.query = chatview_search_query(t->view);
	if (!chatview_following(t->view))
		f.marker = chatview_unseen(t->view) ? _("\xe2\x86\x93 new text below (End)")
						    : _("\xe2\x86\x93 more below");
	tui_images_frame(t, &f, cols, f.pane_rows, band);
	tui_branches_frame(t, &f, cols);
	f.strip = strip;
	f.n_strip = band + n_strip;
	f.prompt = prompt;
	f.input = in_text;
	f.n_input = n_in;
	f.cursor_row = cr;
	f.cursor_col = cc;
	f.cursor_visible = t->mode != TUI_MODE_SEARCH_NAV;
	const char *model = t->cfg->params.model ? t->cfg->params.model : "-";
	char *left = xasprintf("%s%s%s%s", t->demo ? "demo \xc2\xb7 " : "",
			       t->cfg->profile ? t->cfg->profile : "", t->cfg->profile ? "/" : "",
			       model);
	struct strbuf safe_left = STRBUF_INIT;
	sanitize_string(&safe_left, left, strlen(left));
	char *mid = tui_status_text(t, &f.status);
	char *saved = tui_session_status(t);
	long used = conv_tokens_used(t->conv);
	char *right = xasprintf(P_("%s%ld token", "%s%ld tokens", used), saved ? saved : "", used);
	free(saved);
	f.status_left = strbuf_str(&safe_left);
	f.status_mid = mid;
	f.status_right = right;
	screen_draw(&f);
	tui_images_drawn(t);
	free(left);
	strbuf_done(&safe_left);
	free(mid);
	free(right);
	free(pane);
	for (int i = 0; i < n_strip; i++)
		free(strip_s[i]);
	for (int i = 0; i < max_in; i++)
		strbuf_done(&in_rows[i]);
	t->dirty = false;
}

/* ---- the loop --------------------------------------------------------------- */

/* Handle the signals that arrived. */
static void tui_drain_signals(struct tui *t)
{
	unsigned char b;
	while (read(tui_sig_pipe[0], &b, 1) == 1) {
		switch (b) {
		case SIGINT:
			tui_ctrl_c(t);
			break;
		case SIGTERM:
		case SIGHUP:
			t->quit = true;
			break;
		case SIGTSTP:
			tui_suspend(t);
			break;
		case SIGCONT:
			screen_invalidate();
			t->dirty = true;
			break;
		default:
			break;
		}
	}
}

/* Install the signal handlers (self-pipe); returns 0 or -1. */
static int tui_signals(bool on)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT};
	if (!on) {
		for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
			signal(sigs[i], SIG_DFL);
		close(tui_sig_pipe[0]);
		close(tui_sig_pipe[1]);
		tui_sig_pipe[0] = tui_sig_pipe[1] = -1;
		return 0;
	}
	if (pipe(tui_sig_pipe) != 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(tui_sig_pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(tui_sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tui_on_signal;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* Run the loop until the user quits. */
static void tui_loop(struct tui *t)
{
	bool keyed = false; /* a key arrived since the last frame */
	while (!t->quit) {
		double now = http_now();
		int timeout = 1000;
		if (t->req.active && now - t->last_draw >= TUI_TICK_S)
			t->dirty = true; /* the spinner and the clocks move */
		if (t->exit_after > 0)
			t->dirty = true; /* SQUINT_TUI_EXIT_AFTER counts frames: keep drawing */
		double gap = keyed ? TUI_KEY_FRAME_S
				   : t->req.active ? TUI_STREAM_FRAME_S : TUI_FRAME_S;
		if (t->dirty) {
			double due = t->last_draw + gap;
			timeout = due <= now ? 0 : (int)ceil((due - now) * 1000);
		} else if (t->req.active) {
			timeout = (int)(TUI_TICK_S * 1000);
		}
		struct curl_waitfd fds[3] = {{screen_fd(), CURL_WAIT_POLLIN, 0},
					     {tui_sig_pipe[0], CURL_WAIT_POLLIN, 0},
					     {tui_images_fd(t), CURL_WAIT_POLLIN, 0}};
		http_client_run(t->http, fds, fds[2].fd >= 0 ? 3 : 2, timeout);
		tui_images_poll(t);
		tui_session_tick(t);
		tui_drain_signals(t);
		struct ui_event ev;
		while (!t->quit && keys_read(t->keys, &ev)) {
			tui_event(t, &ev);
			keyed = true;
		}
		gap = keyed ? TUI_KEY_FRAME_S : t->req.active ? TUI_STREAM_FRAME_S : TUI_FRAME_S;
		if (t->dirty && http_now() >= t->last_draw + gap) {
			tui_draw(t);
			keyed = false;
			if (t->exit_after > 0 && t->frames >= t->exit_after)
				t->quit = true;
		}
	}
}

/* Return whether cfg talks to a server on this machine without a key: the
 * test server, most likely, whose answers echo the question. */
static bool tui_is_demo(const struct squint_config *cfg)
{
	if (cfg->api_key)
		return false;
	const char *u = cfg->base_url;
	const char *p = strstr(u, "://");
	p = p ? p + 3 : u;
	return strncmp(p, "127.0.0.1", 9) == 0 || strncmp(p, "localhost", 9) == 0;
}

/* Run the chat until the user quits; returns the exit status. */
int tui_run(struct squint_config *cfg, char *const *inputs, size_t n_inputs, bool verbose,
	    const char *session)
{
	struct tui t;
	memset(&t, 0, sizeof t);
	t.cfg = cfg;
	session_init(&t.sess);
	t.conv = &t.sess.conv;
	if (verbose)
		t.log = tui_log_open();
	if (session && tui_session_open(&t, session) != 0) {
		session_done(&t.sess);
		if (t.log)
			fclose(t.log);
		return SQUINT_EXIT_USAGE;
	}
	const char *ea = getenv("SQUINT_TUI_EXIT_AFTER");
	t.exit_after = ea ? atol(ea) : 0;
	char *err = NULL;
	t.http = http_client_new(&err);
	if (!t.http) {
		fprintf(stderr, "squint: %s\n", err);
		free(err);
		tui_session_close(&t);
		session_done(&t.sess);
		if (t.log)
			fclose(t.log);
		return SQUINT_EXIT_NETWORK;
	}
	if (screen_init(cfg->graphics, &err) != 0) {
		fprintf(stderr, "squint: %s\n", err);
		free(err);
		http_client_delete(t.http);
		tui_session_close(&t);
		session_done(&t.sess);
		if (t.log)
			fclose(t.log);
		return SQUINT_EXIT_USAGE;
	}
	if (!session && !cfg->no_save)
		t.autosave_dir = sessiondir_path();
	tui_images_init(&t);
	const char *mouse = getenv("SQUINT_MOUSE");
	t.keys = keys_new(!(mouse && strcmp(mouse, "0") == 0));
	tui_signals(true);
	t.url = xasprintf("%s/chat/completions", cfg->base_url);
	t.view = chatview_new();
	input_init(&t.input);
	input_init(&t.query);
	t.demo = tui_is_demo(cfg);
	tui_log(&t, "start: %s, model %s", cfg->base_url, cfg->params.model ? cfg->params.model : "-");
	if (t.demo)
		tui_note(&t, CV_ITEM_NOTICE, _("demo: local test server \xe2\x80\x94 answers are echoes"));
	for (size_t i = 0; i < cfg->n_warnings; i++)
		tui_note(&t, CV_ITEM_NOTICE, cfg->warnings[i]);
	if (t.sf)
		tui_session_resumed(&t);
	for (size_t i = 0; i < n_inputs; i++)
		tui_attach_one(&t, inputs[i]);
	tui_fetch_models(&t);
	t.dirty = true;
	tui_loop(&t);

	tui_log(&t, "quit after %ld frames", t.frames);
	/* Cancelling runs on_done, which still needs the view (and saves the
	 * answer as interrupted). */
	http_client_delete(t.http);
	keys_delete(t.keys);
	tui_images_done(&t);
	screen_done();
	tui_signals(false);
	tui_branches_close(&t);
	tui_session_close(&t);
	for (size_t i = 0; i < t.n_atts; i++)
		attachment_done(&t.atts[i]);
	free(t.atts);
	input_done(&t.input);
	input_done(&t.query);
	chatview_delete(t.view);
	session_done(&t.sess);
	free(t.save_err);
	free(t.autosave_dir);
	free(t.url);
	free(t.status_msg);
	for (size_t i = 0; i < t.n_models; i++)
		free(t.models[i]);
	free(t.models);
	free(t.models_url);
	strbuf_done(&t.models_body);
	if (t.log)
		fclose(t.log);
	return SQUINT_EXIT_OK;
}
