/* Terminal probe: what the terminal can show, learned once before curses
 * starts.
 *
 * term_probe() puts the tty in raw mode for at most ~150 ms, writes the
 * queries (XTSMGRAPHICS colour registers, CSI 16 t cell size, CSI 14 t text
 * area, DECRQM 2026 synchronized output, and DA1 last: every terminal
 * answers DA1, so its reply means every other reply has come or never
 * will), reads the replies with poll() and restores the terminal.  A
 * missing reply is not an error: the probe gives up quietly and picks a
 * safe answer.  Keys typed meanwhile are kept for the caller
 * (term_caps_take_typed()).  The decision itself is the pure function
 * term_caps_decide(), so it is unit-tested without a terminal.
 *
 * Rules, first match wins:
 *   SQUINT_GRAPHICS (or the caller's forced value) = sixel|blocks|none;
 *   not a tty, TERM unset, dumb, vt52/vt100/vt102 -> none;
 *   GNU screen -> blocks (it shows no sixel);
 *   DA1 lists attribute 4 -> sixel (inside tmux that means tmux >= 3.4
 *   built with sixel: it stores and redraws the images itself);
 *   otherwise (tmux 3.3, no DA1 reply, no 4) -> blocks. */
#ifndef SQUINT_TERM_PROBE_H
#define SQUINT_TERM_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "term/reply.h"

/* How long the probe waits for the replies, in total. */
#define TERM_PROBE_TIMEOUT_MS 150

/* Cell size used when neither the kernel nor the terminal tells it. */
#define TERM_CELL_W_FALLBACK 10
#define TERM_CELL_H_FALLBACK 20

/* Colour registers assumed for sixel when the terminal does not say. */
#define TERM_COLORS_FALLBACK 256

/* Typed bytes the probe keeps; near full it stops reading, so the rest
 * stays in the tty's queue for curses.  Small enough for ncurses' ungetch()
 * queue (137 entries). */
#define TERM_TYPED_MAX 128

enum term_graphics {
	TERM_GRAPHICS_NONE,
	TERM_GRAPHICS_BLOCKS,
	TERM_GRAPHICS_SIXEL,
};

/* What squint may draw, and why. */
struct term_caps {
	enum term_graphics graphics;
	int cell_w, cell_h; /* pixels per cell; fallback 10 x 20 */
	bool cell_known;    /* cell size came from the kernel or the terminal */
	int colors;	    /* sixel colour registers (reported, or 256) */
	bool in_tmux, in_screen;
	bool sync_output; /* DECRPM says mode 2026 (synchronized output) works */
	bool probed;	  /* the queries were written */
	bool answered;	  /* the DA1 reply arrived in time */
	char why[192];	  /* one line for --doctor, e.g. "sixel: DA1 reply lists 4" */
	unsigned char typed[TERM_TYPED_MAX]; /* keys typed during the probe */
	size_t ntyped;
};

/* The environment the decision looks at (term_probe() reads the process's;
 * tests fill it by hand).  NULL or "" means unset. */
struct term_env {
	const char *term;      /* $TERM */
	const char *tmux;      /* $TMUX */
	const char *sty;       /* $STY (GNU screen) */
	const char *force;     /* sixel|blocks|none, or NULL */
	const char *force_src; /* where force came from, for why: "SQUINT_GRAPHICS" */
	bool is_tty;
};

/* The window size the kernel reports (TIOCGWINSZ); zeros when unknown. */
struct term_size {
	int cols, rows;
	int px_w, px_h; /* ws_xpixel, ws_ypixel: xterm includes its borders */
};

/* Return the name of g: "sixel", "blocks" or "none" (static). */
const char *term_graphics_name(enum term_graphics g);

/* Parse "sixel", "blocks" or "none" (any case) into *g; returns 0, or -1 for
 * anything else (then *g is untouched). */
int term_graphics_parse(const char *s, enum term_graphics *g);

/* Return true when term_caps_decide() needs replies for env, i.e. when it
 * is worth writing the queries at all. */
bool term_caps_want_probe(const struct term_env *env);

/* Decide caps from env, the replies (NULL: not probed) and the kernel's
 * window size (NULL: unknown); waited_ms goes into why when DA1 never came.
 * Fills every field of caps except typed/ntyped, which it leaves alone. */
void term_caps_decide(const struct term_env *env, const struct term_replies *r,
		      const struct term_size *ws, int waited_ms, struct term_caps *caps);

/* Probe the terminal on fd (open read-write on the terminal, e.g.
 * open("/dev/tty", O_RDWR | O_NOCTTY)) before curses starts, and fill caps.
 * force is a --graphics flag or config value (NULL: none); when NULL,
 * $SQUINT_GRAPHICS is used.  A forced value skips the queries.  Waits at
 * most timeout_ms (<= 0: TERM_PROBE_TIMEOUT_MS).  Never fails: on any
 * problem it stops asking and decides from what it has.  The termios state
 * is restored before it returns. */
void term_probe(int fd, const char *force, int timeout_ms, struct term_caps *caps);

/* Move the bytes typed during the probe into buf (up to cap bytes) and
 * return how many; what does not fit stays for the next call.  The TUI
 * feeds them to its input before reading the terminal (with ncurses:
 * ungetch() them in reverse order, last byte first). */
size_t term_caps_take_typed(struct term_caps *caps, unsigned char *buf, size_t cap);

/* Re-read the cell size from the kernel (after a resize or font change) into
 * caps; returns true if it changed.  Keeps the last known size when the
 * kernel reports no pixels. */
bool term_caps_update_cell(int fd, struct term_caps *caps);

#endif
