/* The terminal: ncurses set-up and tear-down, and drawing one frame from a
 * description the loop builds.  This and keys.c are the only files that
 * talk curses or write escape sequences. */
#ifndef SQUINT_UI_CURSES_SCREEN_H
#define SQUINT_UI_CURSES_SCREEN_H

#include "term/probe.h"
#include "ui/chatview.h"
#include "ui/curses/images.h"

#include <stdbool.h>
#include <stddef.h>

/* How the status bar looks. */
enum screen_status {
	SCREEN_STATUS_NORMAL,
	SCREEN_STATUS_BUSY,  /* a request is under way */
	SCREEN_STATUS_ERROR, /* the last thing that happened was an error */
};

/* One piece of text to draw (not NUL-terminated). */
struct screen_text {
	const char *s;
	size_t len;
};

/* Everything one frame shows; all borrowed for the call. */
struct screen_frame {
	const char *too_small; /* when set, the only thing drawn */

	/* The conversation pane: rows [0, pane_rows). */
	int pane_rows;
	const struct cv_line *const *pane;
	int n_pane;
	const char *query;  /* search matches to highlight, or NULL */
	const char *marker; /* drawn over the pane's last row, right-aligned, or NULL */
	/* Images anywhere on the screen (pane and strip), on rows drawn blank. */
	const struct images_item *images;
	int n_images;

	/* The attachment strip, then the input, then the status bar. */
	const struct screen_text *strip;
	int n_strip;
	const char *prompt; /* first input row's prefix ("> ", "search: ") */
	const struct screen_text *input;
	int n_input;
	int cursor_row, cursor_col; /* within the input rows, after the prefix */
	bool cursor_visible;

	const char *status_left, *status_mid, *status_right;
	enum screen_status status;
};

/* Take over the terminal (/dev/tty, so redirections cannot break the UI),
 * after probing what it can show (term/probe.h; keys typed meanwhile are
 * kept); returns 0, or -1 with *err set to a newly allocated message. */
int screen_init(const char *graphics, char **err);
/* Give the terminal back as it was (safe to call twice, and from atexit). */
void screen_done(void);
/* Give the terminal back before the process stops (Ctrl-Z). */
void screen_suspend(void);
/* Take it again after SIGCONT and repaint everything. */
void screen_resume(void);
/* Return the descriptor the loop polls for input. */
int screen_fd(void);
/* Store the terminal's size in cells. */
void screen_size(int *rows, int *cols);
/* Repaint the whole terminal on the next frame (Ctrl-L). */
void screen_invalidate(void);
/* Return what the terminal can show (borrowed; valid until screen_done()). */
const struct term_caps *screen_caps(void);
/* Follow a change of the terminal's size before a frame is laid out;
 * returns true when the cell size in pixels changed. */
bool screen_sync_size(void);
/* Forget the cached renderings of image id (it is gone). */
void screen_forget_image(uint64_t id);
/* Draw frame f and put the cursor where it belongs. */
void screen_draw(const struct screen_frame *f);

/* The curses library's version without its name, e.g. "6.4.20221231". */
const char *screen_curses_version(void);

#endif
