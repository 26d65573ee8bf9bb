#include <config.h>

#include "ui/curses/screen.h"
#include "ui/width.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/xalloc.h"

/* Colour pairs. */
enum {
	SCREEN_PAIR_USER = 1,
	SCREEN_PAIR_ASSISTANT,
	SCREEN_PAIR_ERROR,
	SCREEN_PAIR_NOTICE,
	SCREEN_PAIR_CODE,
	SCREEN_PAIR_LINK,
	SCREEN_PAIR_QUOTE,
	SCREEN_PAIR_HEADING,
	SCREEN_PAIR_MARKER,
	SCREEN_PAIR_MATCH,
	SCREEN_PAIR_STATUS,
	SCREEN_PAIR_STATUS_BUSY,
	SCREEN_PAIR_STATUS_ERROR,
	SCREEN_PAIR_STRIP,
	SCREEN_PAIR_PROB_HIGH, /* token tints (F2), most to least likely */
	SCREEN_PAIR_PROB_MID,
	SCREEN_PAIR_PROB_LOW,
	SCREEN_PAIR_PROB_VLOW,
};

static SCREEN *screen_term;
static FILE *screen_tty;
static bool screen_colour;
static bool screen_active;
static struct term_caps screen_tcaps;
static struct images *screen_images;

/* Terminal modes squint turns on: bracketed paste. */
static void screen_modes(bool on)
{
	if (!screen_tty)
		return;
	fputs(on ? "\033[?2004h" : "\033[?2004l", screen_tty);
	fflush(screen_tty);
}

/* Set up the colour pairs, adapted to what the terminal has. */
static void screen_init_colours(void)
{
	const char *nc = getenv("NO_COLOR");
	if (!has_colors() || (nc && *nc))
		return;
	start_color();
	use_default_colors();
	screen_colour = true;
	bool many = COLORS >= 256;
	init_pair(SCREEN_PAIR_USER, COLOR_CYAN, -1);
	init_pair(SCREEN_PAIR_ASSISTANT, COLOR_GREEN, -1);
	init_pair(SCREEN_PAIR_ERROR, COLOR_RED, -1);
	init_pair(SCREEN_PAIR_NOTICE, COLOR_YELLOW, -1);
	init_pair(SCREEN_PAIR_CODE, many ? 223 : COLOR_YELLOW, many ? 236 : -1);
	init_pair(SCREEN_PAIR_LINK, COLOR_BLUE, -1);
	init_pair(SCREEN_PAIR_QUOTE, many ? 245 : COLOR_WHITE, -1);
	init_pair(SCREEN_PAIR_HEADING, COLOR_MAGENTA, -1);
	init_pair(SCREEN_PAIR_MARKER, many ? 244 : COLOR_CYAN, -1);
	init_pair(SCREEN_PAIR_MATCH, COLOR_BLACK, COLOR_YELLOW);
	init_pair(SCREEN_PAIR_STATUS, COLOR_BLACK, COLOR_WHITE);
	init_pair(SCREEN_PAIR_STATUS_BUSY, COLOR_BLACK, COLOR_CYAN);
	init_pair(SCREEN_PAIR_STATUS_ERROR, COLOR_WHITE, COLOR_RED);
	init_pair(SCREEN_PAIR_STRIP, COLOR_CYAN, -1);
	init_pair(SCREEN_PAIR_PROB_HIGH, COLOR_GREEN, -1);
	init_pair(SCREEN_PAIR_PROB_MID, COLOR_YELLOW, -1);
	init_pair(SCREEN_PAIR_PROB_LOW, many ? 208 : COLOR_MAGENTA, -1);
	init_pair(SCREEN_PAIR_PROB_VLOW, COLOR_RED, -1);
}

/* Take over the terminal; graphics ("sixel", "blocks", "none" or NULL to
 * probe) is the configuration's choice, which SQUINT_GRAPHICS overrides. */
int screen_init(const char *graphics, char **err)
{
	screen_tty = fopen("/dev/tty", "r+");
	if (!screen_tty) {
		*err = xasprintf("cannot open the terminal (/dev/tty): the interactive mode needs "
				 "one; use -p PROMPT");
		return -1;
	}
	/* Ask the terminal what it shows before curses reads its input. */
	const char *env = getenv("SQUINT_GRAPHICS");
	term_probe(fileno(screen_tty), env && *env ? NULL : graphics, 0, &screen_tcaps);
	screen_term = newterm(NULL, screen_tty, screen_tty);
	if (!screen_term) {
		fclose(screen_tty);
		screen_tty = NULL;
		const char *t = getenv("TERM");
		*err = xasprintf("cannot use the terminal (TERM=%s)", t ? t : "");
		return -1;
	}
	set_term(screen_term);
	screen_active = true;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* Esc cancels a stream: it must not wait ncurses' default second. */
	set_escdelay(25);
	intrflush(stdscr, FALSE);
	meta(stdscr, TRUE);
	screen_init_colours();
	/* Keys typed during the probe come first (ungetch is last in, first out). */
	unsigned char typed[TERM_TYPED_MAX];
	size_t n_typed = term_caps_take_typed(&screen_tcaps, typed, sizeof typed);
	while (n_typed > 0)
		ungetch(typed[--n_typed]);
	screen_images = images_new(screen_tty, &screen_tcaps, screen_colour);
	screen_modes(true);
	xalloc_set_exit_hook(screen_done);
	return 0;
}

/* Give the terminal back. */
void screen_done(void)
{
	if (!screen_term)
		return;
	if (screen_active) {
		screen_modes(false);
		endwin();
		screen_active = false;
	}
	images_delete(screen_images);
	screen_images = NULL;
	delscreen(screen_term);
	screen_term = NULL;
	fclose(screen_tty);
	screen_tty = NULL;
}

/* Give the terminal back for a while. */
void screen_suspend(void)
{
	if (!screen_active)
		return;
	screen_modes(false);
	endwin();
	screen_active = false;
}

/* Take it back after a suspend. */
void screen_resume(void)
{
	if (screen_active || !screen_term)
		return;
	screen_active = true;
	reset_prog_mode();
	screen_modes(true);
	clearok(curscr, TRUE);
	if (screen_images)
		images_invalidate(screen_images);
	refresh();
}

/* Return the descriptor to poll. */
int screen_fd(void)
{
	return screen_tty ? fileno(screen_tty) : -1;
}

/* Store the size. */
void screen_size(int *rows, int *cols)
{
	*rows = LINES;
	*cols = COLS;
}

/* Repaint all next time. */
void screen_invalidate(void)
{
	clearok(curscr, TRUE);
	if (screen_images)
		images_invalidate(screen_images);
}

/* Return the terminal's capabilities. */
const struct term_caps *screen_caps(void)
{
	return screen_images ? images_caps(screen_images) : &screen_tcaps;
}

/* Follow a resize. */
bool screen_sync_size(void)
{
	return screen_images && images_sync_size(screen_images, LINES, COLS);
}

/* Forget an image's renderings. */
void screen_forget_image(uint64_t id)
{
	if (screen_images)
		images_forget(screen_images, id);
}

/* Return the curses attributes for a set of cv_style bits. */
static attr_t screen_attr(unsigned st)
{
	attr_t a = A_NORMAL;
	short pair = 0;
	if (st & CV_STYLE_BOLD)
		a |= A_BOLD;
	if (st & CV_STYLE_DIM)
		a |= A_DIM;
	if (st & CV_STYLE_ITALIC)
		a |= A_ITALIC;
	if (st & CV_STYLE_UNDERLINE)
		a |= A_UNDERLINE;
	if (st & CV_STYLE_QUOTE)
		pair = SCREEN_PAIR_QUOTE;
	if (st & CV_STYLE_LINK) {
		pair = SCREEN_PAIR_LINK;
		a |= A_UNDERLINE;
	}
	if (st & CV_STYLE_HEADING) {
		pair = SCREEN_PAIR_HEADING;
		a |= A_BOLD;
	}
	if (st & CV_STYLE_MARKER)
		pair = SCREEN_PAIR_MARKER;
	if (st & CV_STYLE_CODE) {
		pair = SCREEN_PAIR_CODE;
		if (!screen_colour)
			a |= A_BOLD;
	}
	if (st & CV_STYLE_USER)
		pair = SCREEN_PAIR_USER;
	if (st & CV_STYLE_ASSISTANT)
		pair = SCREEN_PAIR_ASSISTANT;
	if (st & CV_STYLE_NOTICE)
		pair = SCREEN_PAIR_NOTICE;
	if (st & CV_STYLE_ERROR) {
		pair = SCREEN_PAIR_ERROR;
		a |= A_BOLD;
	}
	if (st & CV_STYLE_PROB_HIGH)
		pair = SCREEN_PAIR_PROB_HIGH;
	if (st & CV_STYLE_PROB_MID)
		pair = SCREEN_PAIR_PROB_MID;
	if (st & CV_STYLE_PROB_LOW) {
		pair = SCREEN_PAIR_PROB_LOW;
		a |= screen_colour ? A_NORMAL : A_UNDERLINE;
	}
	if (st & CV_STYLE_PROB_VLOW) {
		pair = SCREEN_PAIR_PROB_VLOW;
		a |= screen_colour ? A_BOLD : A_BOLD | A_UNDERLINE;
	}
	if (st & CV_STYLE_SELECTED)
		a |= A_REVERSE;
	if (st & CV_STYLE_CONTROL)
		a |= A_REVERSE;
	if (screen_colour && pair)
		a |= COLOR_PAIR(pair);
	return a;
}

/* Draw s[0, len) at the cursor, at most max_cols cells; returns the cells drawn. */
static int screen_put(const char *s, size_t len, int max_cols)
{
	int cols = 0;
	size_t n = width_prefix(s, len, max_cols, &cols);
	if (n)
		addnstr(s, (int)n);
	return cols;
}

/* Return the style of byte k of line l. */
static unsigned screen_style_at(const struct cv_line *l, size_t k)
{
	for (size_t i = 0; i < l->n_spans; i++)
		if (k >= l->spans[i].start && k < l->spans[i].start + l->spans[i].len)
			return l->spans[i].style;
	return 0;
}

/* Draw line l at row y, highlighting matches of query. */
static void screen_draw_line(int y, const struct cv_line *l, const char *query)
{
	move(y, 0);
	int col = 0;
	size_t qlen = query ? strlen(query) : 0;
	long next = qlen ? chatview_find(l->text, l->len, query, 0) : -1;
	size_t i = 0;
	while (i < l->len && col < COLS) {
		bool match = next >= 0 && i >= (size_t)next && i < (size_t)next + qlen;
		unsigned st = screen_style_at(l, i);
		/* The run of bytes with the same style and match state. */
		size_t j = i + 1;
		while (j < l->len && screen_style_at(l, j) == st) {
			if (next >= 0 && (j == (size_t)next || j == (size_t)next + qlen))
				break;
			j++;
		}
		attr_t a = match ? (screen_colour ? COLOR_PAIR(SCREEN_PAIR_MATCH) : A_REVERSE)
				 : screen_attr(st);
		attrset(a);
		col += screen_put(l->text + i, j - i, COLS - col);
		i = j;
		if (next >= 0 && i >= (size_t)next + qlen)
			next = chatview_find(l->text, l->len, query, i);
	}
	attrset(screen_attr(l->fill));
	if (l->fill && col < COLS)
		hline(' ', COLS - col);
	attrset(A_NORMAL);
}

/* Draw the status bar on the last row. */
static void screen_draw_status(const struct screen_frame *f)
{
	int y = LINES - 1;
	short pair = f->status == SCREEN_STATUS_ERROR  ? SCREEN_PAIR_STATUS_ERROR
		     : f->status == SCREEN_STATUS_BUSY ? SCREEN_PAIR_STATUS_BUSY
						       : SCREEN_PAIR_STATUS;
	attr_t a = screen_colour ? COLOR_PAIR(pair) : A_REVERSE;
	attrset(a);
	move(y, 0);
	hline(' ', COLS);
	const char *l = f->status_left ? f->status_left : "";
	const char *m = f->status_mid ? f->status_mid : "";
	const char *r = f->status_right ? f->status_right : "";
	/* Room goes to the right end (short), then the middle (what just
	 * happened, an error say), then the left: a long model name gives way
	 * down to 16 columns. */
	int wr = width_of(r, strlen(r));
	if (wr > COLS / 3)
		wr = 0;
	int wl = width_of(l, strlen(l));
	int avail = COLS - 2 - (wr ? wr + 2 : 0);
	int max_l = wl < avail ? wl : avail;
	if (*m) {
		int wm = width_of(m, strlen(m));
		int floor = wl < 16 ? wl : 16;
		if (max_l + 2 + wm > avail)
			max_l = avail - 2 - wm > floor ? avail - 2 - wm : floor;
		if (max_l > avail)
			max_l = avail;
	}
	if (max_l < 0)
		max_l = 0;
	move(y, 1);
	int col = 1 + screen_put(l, strlen(l), max_l);
	int end = COLS - 1 - (wr ? wr + 2 : 0);
	if (*m && col + 3 < end) {
		move(y, col + 2);
		attron(A_BOLD);
		screen_put(m, strlen(m), end - col - 2);
		attroff(A_BOLD);
	}
	if (wr) {
		move(y, COLS - 1 - wr);
		screen_put(r, strlen(r), wr);
	}
	attrset(A_NORMAL);
}

/* Draw frame f. */
void screen_draw(const struct screen_frame *f)
{
	if (!screen_active)
		return;
	erase();
	if (f->too_small) {
		curs_set(0);
		move(0, 0);
		screen_put(f->too_small, strlen(f->too_small), COLS);
		if (screen_images)
			images_refresh(screen_images, NULL, 0); /* and the images go */
		else
			refresh();
		return;
	}
	for (int i = 0; i < f->n_pane && i < f->pane_rows; i++)
		screen_draw_line(i, f->pane[i], f->query);
	if (screen_images && f->n_images)
		images_draw_cells(screen_images, f->images, f->n_images);
	if (f->marker && f->pane_rows > 0) {
		int w = width_of(f->marker, strlen(f->marker));
		int x = COLS - w - 1 > 0 ? COLS - w - 1 : 0;
		move(f->pane_rows - 1, x);
		attrset(screen_colour ? COLOR_PAIR(SCREEN_PAIR_STATUS_BUSY) | A_BOLD : A_REVERSE);
		screen_put(f->marker, strlen(f->marker), COLS - x);
		attrset(A_NORMAL);
	}
	int y = f->pane_rows;
	for (int i = 0; i < f->n_strip; i++, y++) {
		move(y, 0);
		attrset(screen_colour ? COLOR_PAIR(SCREEN_PAIR_STRIP) : A_DIM);
		screen_put(f->strip[i].s, f->strip[i].len, COLS);
		attrset(A_NORMAL);
	}
	int input_y = y;
	const char *prompt = f->prompt ? f->prompt : "";
	int pw = width_of(prompt, strlen(prompt));
	for (int i = 0; i < f->n_input; i++, y++) {
		move(y, 0);
		if (i == 0) {
			attrset(A_BOLD);
			screen_put(prompt, strlen(prompt), COLS);
			attrset(A_NORMAL);
		}
		move(y, pw);
		screen_put(f->input[i].s, f->input[i].len, COLS - pw);
	}
	screen_draw_status(f);
	if (f->cursor_visible) {
		int cx = pw + f->cursor_col;
		move(input_y + f->cursor_row, cx < COLS ? cx : COLS - 1);
		curs_set(1);
	} else {
		curs_set(0);
	}
	if (screen_images)
		images_refresh(screen_images, f->images, f->n_images);
	else
		refresh();
}

const char *screen_curses_version(void)
{
	const char *nc = curses_version(); /* "ncurses 6.4.20221231" */
	return strncmp(nc, "ncurses ", 8) == 0 ? nc + 8 : nc;
}

