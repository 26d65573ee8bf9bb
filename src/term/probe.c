#include <config.h>

#include "term/probe.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* The queries, DA1 last (see probe.h).  XTSMGRAPHICS "?1;1;0S" reads the
 * colour registers; 16t asks for the cell size, 14t for the text area in
 * pixels (xterm answers neither by default, TIOCGWINSZ covers it there);
 * DECRQM 2026 asks whether synchronized output works. */
static const char probe_queries[] = "\033[?1;1;0S"
				    "\033[16t"
				    "\033[14t"
				    "\033[?2026$p"
				    "\033[c";

/* The Linux console's parser takes the "$" of DECRQM for a final byte and
 * prints the "p": leave that query out there. */
static const char probe_queries_linux[] = "\033[?1;1;0S"
					  "\033[16t"
					  "\033[14t"
					  "\033[c";

/* Cell sizes outside this range are a confused report, not a font. */
#define CELL_MIN 2
#define CELL_MAX 1000

/* Return the static name of g. */
const char *term_graphics_name(enum term_graphics g)
{
	switch (g) {
	case TERM_GRAPHICS_SIXEL:
		return "sixel";
	case TERM_GRAPHICS_BLOCKS:
		return "blocks";
	case TERM_GRAPHICS_NONE:
		break;
	}
	return "none";
}

/* Parse a graphics name into *g; returns 0 or -1. */
int term_graphics_parse(const char *s, enum term_graphics *g)
{
	if (!s)
		return -1;
	if (!strcasecmp(s, "sixel"))
		*g = TERM_GRAPHICS_SIXEL;
	else if (!strcasecmp(s, "blocks"))
		*g = TERM_GRAPHICS_BLOCKS;
	else if (!strcasecmp(s, "none"))
		*g = TERM_GRAPHICS_NONE;
	else
		return -1;
	return 0;
}

/* Return true if s is set and not empty. */
static bool probe_set(const char *s)
{
	return s && *s;
}

/* Return true if s starts with prefix. */
static bool probe_prefix(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

/* Return true when TERM names a terminal that cannot show any graphics
 * (no colour, or no terminal at all). */
static bool probe_term_plain(const char *term)
{
	static const char *const plain[] = {"dumb", "vt52", "vt100", "vt102", "unknown"};
	if (!probe_set(term))
		return true;
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		size_t n = strlen(plain[i]);
		/* "vt100" and "vt100-am" alike, but not "vt100xterm"-ish names. */
		if (!strncmp(term, plain[i], n) && (term[n] == '\0' || term[n] == '-'))
			return true;
	}
	return false;
}

/* Return true when env says we run inside tmux. */
static bool probe_in_tmux(const struct term_env *env)
{
	return probe_set(env->tmux) || probe_prefix(env->term, "tmux");
}

/* Return true when env says we run inside GNU screen (tmux also sets
 * TERM=screen*, so $TMUX decides between them). */
static bool probe_in_screen(const struct term_env *env)
{
	if (probe_in_tmux(env))
		return false;
	return probe_set(env->sty) || probe_prefix(env->term, "screen");
}

/* Return true when the queries are worth writing for env. */
bool term_caps_want_probe(const struct term_env *env)
{
	enum term_graphics g;
	if (probe_set(env->force) && term_graphics_parse(env->force, &g) == 0)
		return false;
	if (!env->is_tty || probe_term_plain(env->term))
		return false;
	/* Screen's own DA1 reply says nothing of the outer terminal, but
	 * the cell size is still worth asking for. */
	return true;
}

/* Return true if v is a plausible cell dimension. */
static bool probe_cell_ok(int v)
{
	return v >= CELL_MIN && v <= CELL_MAX;
}

/* Fill caps' cell size from the best source available: the terminal's
 * CSI 16 t reply (exact), the kernel's pixel size divided by the cells
 * (xterm adds its borders to the pixels, which the division drops), the
 * CSI 14 t text area divided by the cells, else the fallback. */
static void probe_pick_cell(const struct term_replies *r, const struct term_size *ws,
			    struct term_caps *caps)
{
	caps->cell_w = TERM_CELL_W_FALLBACK;
	caps->cell_h = TERM_CELL_H_FALLBACK;
	caps->cell_known = false;
	if (r && probe_cell_ok(r->cell_w) && probe_cell_ok(r->cell_h)) {
		caps->cell_w = r->cell_w;
		caps->cell_h = r->cell_h;
		caps->cell_known = true;
		return;
	}
	if (ws && ws->cols > 0 && ws->rows > 0 && ws->px_w > 0 && ws->px_h > 0 &&
	    probe_cell_ok(ws->px_w / ws->cols) && probe_cell_ok(ws->px_h / ws->rows)) {
		caps->cell_w = ws->px_w / ws->cols;
		caps->cell_h = ws->px_h / ws->rows;
		caps->cell_known = true;
		return;
	}
	if (r && r->area_w > 0 && r->area_h > 0) {
		int cols = r->cols > 0 ? r->cols : ws ? ws->cols : 0;
		int rows = r->rows > 0 ? r->rows : ws ? ws->rows : 0;
		if (cols > 0 && rows > 0 && probe_cell_ok(r->area_w / cols) &&
		    probe_cell_ok(r->area_h / rows)) {
			caps->cell_w = r->area_w / cols;
			caps->cell_h = r->area_h / rows;
			caps->cell_known = true;
		}
	}
}

/* Fill caps from env, the replies and the window size (pure). */
void term_caps_decide(const struct term_env *env, const struct term_replies *r,
		      const struct term_size *ws, int waited_ms, struct term_caps *caps)
{
	size_t w = sizeof caps->why;
	caps->in_tmux = probe_in_tmux(env);
	caps->in_screen = probe_in_screen(env);
	caps->probed = r != NULL;
	caps->answered = r && r->da1;
	caps->sync_output =
		r && (r->sync_output == 1 || r->sync_output == 2 || r->sync_output == 3);
	caps->colors = r && r->colors > 0 ? r->colors : TERM_COLORS_FALLBACK;
	probe_pick_cell(r, ws, caps);

	enum term_graphics g;
	if (probe_set(env->force) && term_graphics_parse(env->force, &g) == 0) {
		caps->graphics = g;
		snprintf(caps->why, w, "%s: forced by %s=%s", term_graphics_name(g),
			 env->force_src ? env->force_src : "graphics", env->force);
		return;
	}
	/* An unknown forced value is ignored (and said so): a typo must not
	 * turn images off without a word. */
	const char *bad = probe_set(env->force) ? " (ignoring unknown " : "";
	char note[64] = "";
	if (*bad)
		snprintf(note, sizeof note, "%s%s=%.16s)", bad,
			 env->force_src ? env->force_src : "graphics", env->force);

	caps->graphics = TERM_GRAPHICS_NONE;
	if (!env->is_tty) {
		snprintf(caps->why, w, "none: not a terminal%s", note);
		return;
	}
	if (probe_term_plain(env->term)) {
		snprintf(caps->why, w, "none: TERM=%.24s shows no graphics%s",
			 probe_set(env->term) ? env->term : "(unset)", note);
		return;
	}
	caps->graphics = TERM_GRAPHICS_BLOCKS;
	if (caps->in_screen) {
		snprintf(caps->why, w, "blocks: inside GNU screen (no sixel)%s", note);
		return;
	}
	const char *where = caps->in_tmux ? "inside tmux, " : "";
	if (!r) {
		snprintf(caps->why, w, "blocks: %sterminal not probed%s", where, note);
		return;
	}
	if (!r->da1) {
		snprintf(caps->why, w, "blocks: %sno reply to DA1 within %d ms%s", where, waited_ms,
			 note);
		return;
	}
	if (r->sixel) {
		caps->graphics = TERM_GRAPHICS_SIXEL;
		snprintf(caps->why, w, "sixel: %sDA1 reply lists 4%s", where, note);
		return;
	}
	if (caps->in_tmux)
		snprintf(caps->why, w,
			 "blocks: inside tmux, DA1 reply lacks 4 (tmux before 3.4 has no sixel)%s",
			 note);
	else
		snprintf(caps->why, w, "blocks: DA1 reply (class %d) lacks 4 (no sixel)%s",
			 r->da1_class, note);
}

/* Return the kernel's window size for fd in *ws (zeros on failure). */
static void probe_winsize(int fd, struct term_size *ws)
{
	struct winsize k;
	memset(ws, 0, sizeof *ws);
	if (ioctl(fd, TIOCGWINSZ, &k) == 0) {
		ws->cols = k.ws_col;
		ws->rows = k.ws_row;
		ws->px_w = k.ws_xpixel;
		ws->px_h = k.ws_ypixel;
	}
}

/* Return milliseconds on the monotonic clock. */
static long long probe_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Write all of buf to fd before the deadline; returns 0 or -1. */
static int probe_write_all(int fd, const char *buf, size_t len, long long deadline)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		long long left = deadline - probe_now_ms();
		if (left <= 0)
			return -1;
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return -1;
	}
	return 0;
}

/* Read replies from fd into parser p until DA1 arrives, the deadline
 * passes or caps' typed buffer is nearly full; typed bytes go to caps. */
static void probe_read(int fd, struct term_reply_parser *p, long long deadline,
		       struct term_caps *caps)
{
	unsigned char in[256];
	while (!p->r.da1) {
		/* Read no more than the typed buffer can take even if every
		 * byte is typed plus a released held sequence; what is left
		 * stays queued in the tty for curses. */
		size_t room = sizeof caps->typed - caps->ntyped;
		if (room <= TERM_REPLY_HOLD_MAX)
			break;
		size_t want = room - TERM_REPLY_HOLD_MAX;
		if (want > sizeof in)
			want = sizeof in;
		long long left = deadline - probe_now_ms();
		if (left <= 0)
			break;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0 || !(pfd.revents & POLLIN))
			break;
		ssize_t n = read(fd, in, want);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n <= 0)
			break;
		caps->ntyped += term_reply_feed(p, in, (size_t)n, caps->typed + caps->ntyped);
	}
	/* An unfinished sequence is not a reply we will ever complete here:
	 * hand it back as typed (a lone ESC is the Escape key). */
	caps->ntyped += term_reply_flush(p, caps->typed + caps->ntyped);
}

/* Write the queries for TERM term on fd in raw mode and collect the replies
 * in p; returns 0 if the queries were written, -1 if the terminal could not
 * be set up. */
static int probe_ask(int fd, const char *term, int timeout_ms, struct term_reply_parser *p,
		     struct term_caps *caps)
{
	bool linux_vt = probe_prefix(term, "linux");
	const char *q = linux_vt ? probe_queries_linux : probe_queries;
	size_t qlen = linux_vt ? sizeof probe_queries_linux - 1 : sizeof probe_queries - 1;
	struct termios saved, raw;
	/* A background job touching its terminal's modes gets SIGTTOU: stay
	 * away.  (A tty that is not our controlling one has no group.) */
	pid_t fg = tcgetpgrp(fd);
	if (fg >= 0 && fg != getpgrp())
		return -1;
	if (tcgetattr(fd, &saved) != 0)
		return -1;
	raw = saved;
	/* No echo, no line editing: replies must neither show nor wait for
	 * Enter.  No signals either: a Ctrl-C killing us here would leave the
	 * terminal without echo; as a typed byte it reaches the UI instead. */
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | IEXTEN | ISIG);
	raw.c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IGNCR | IXON);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &raw) != 0)
		return -1;
	long long deadline = probe_now_ms() + timeout_ms;
	if (probe_write_all(fd, q, qlen, deadline) == 0)
		probe_read(fd, p, deadline, caps);
	/* TCSANOW, not TCSAFLUSH: keys typed but not read yet are the
	 * user's and stay queued for curses. */
	tcsetattr(fd, TCSANOW, &saved);
	return 0;
}

/* Probe the terminal on fd and fill caps; never fails. */
void term_probe(int fd, const char *force, int timeout_ms, struct term_caps *caps)
{
	struct term_env env = {
		.term = getenv("TERM"),
		.tmux = getenv("TMUX"),
		.sty = getenv("STY"),
		.force = force,
		.force_src = "graphics",
		.is_tty = fd >= 0 && isatty(fd),
	};
	if (!probe_set(force)) {
		env.force = getenv("SQUINT_GRAPHICS");
		env.force_src = "SQUINT_GRAPHICS";
	}
	if (timeout_ms <= 0)
		timeout_ms = TERM_PROBE_TIMEOUT_MS;
	caps->ntyped = 0;

	struct term_size ws = {0};
	if (env.is_tty)
		probe_winsize(fd, &ws);
	struct term_reply_parser p;
	term_reply_init(&p);
	bool asked =
		term_caps_want_probe(&env) && probe_ask(fd, env.term, timeout_ms, &p, caps) == 0;
	term_caps_decide(&env, asked ? &p.r : NULL, &ws, timeout_ms, caps);
}

/* Move up to cap typed bytes into buf; returns how many. */
size_t term_caps_take_typed(struct term_caps *caps, unsigned char *buf, size_t cap)
{
	size_t n = caps->ntyped < cap ? caps->ntyped : cap;
	memcpy(buf, caps->typed, n);
	memmove(caps->typed, caps->typed + n, caps->ntyped - n);
	caps->ntyped -= n;
	return n;
}

/* Re-read the cell size from the kernel; returns true if it changed. */
bool term_caps_update_cell(int fd, struct term_caps *caps)
{
	struct term_size ws;
	probe_winsize(fd, &ws);
	if (ws.cols <= 0 || ws.rows <= 0 || ws.px_w <= 0 || ws.px_h <= 0)
		return false;
	int cw = ws.px_w / ws.cols, ch = ws.px_h / ws.rows;
	if (!probe_cell_ok(cw) || !probe_cell_ok(ch))
		return false;
	bool changed = cw != caps->cell_w || ch != caps->cell_h;
	caps->cell_w = cw;
	caps->cell_h = ch;
	caps->cell_known = true;
	return changed;
}
