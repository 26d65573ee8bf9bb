#include <config.h>

#include "ui/curses/images.h"
#include "core/xalloc.h"
#include "img/blocks.h"
#include "img/preview.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

struct images {
	FILE *out;
	struct term_caps caps;
	bool colour, utf8;
	struct preview_cache *cache;
	struct images_item *shown; /* what the terminal shows now (sixel) */
	int n_shown, cap_shown;
	bool force; /* emit everything on the next frame */
	int lines, cols;
};

/* Return a new drawer. */
struct images *images_new(FILE *out, const struct term_caps *caps, bool colour)
{
	struct images *im = xcalloc(1, sizeof *im);
	im->out = out;
	im->caps = *caps;
	im->colour = colour;
	const char *cs = nl_langinfo(CODESET);
	im->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	im->cache = preview_cache_new(0);
	im->lines = LINES;
	im->cols = COLS;
	return im;
}

/* Free the drawer. */
void images_delete(struct images *im)
{
	if (!im)
		return;
	preview_cache_delete(im->cache);
	free(im->shown);
	free(im);
}

/* Return the capabilities. */
const struct term_caps *images_caps(const struct images *im)
{
	return &im->caps;
}

/* Follow a change of the terminal's size. */
bool images_sync_size(struct images *im, int lines, int cols)
{
	if (lines == im->lines && cols == im->cols)
		return false;
	im->lines = lines;
	im->cols = cols;
	/* The terminal may keep pixels where they were: repaint it all. */
	im->force = true;
	clearok(curscr, TRUE);
	int fd = fileno(im->out);
	return fd >= 0 && term_caps_update_cell(fd, &im->caps);
}

/* Emit everything again next time. */
void images_invalidate(struct images *im)
{
	im->force = true;
}

/* Drop an image's renderings. */
void images_forget(struct images *im, uint64_t id)
{
	preview_cache_forget(im->cache, id);
}

/* Fill *k with the cache key of item it in the drawer's mode. */
static void images_key(const struct images *im, const struct images_item *it, bool sixel,
		       struct preview_key *k)
{
	memset(k, 0, sizeof *k);
	k->image_id = it->p.id;
	k->kind = sixel ? PREVIEW_SIXEL : PREVIEW_BLOCKS;
	k->max_cols = it->max_cols;
	k->max_rows = it->max_rows;
	k->cell_w = im->caps.cell_w;
	k->cell_h = im->caps.cell_h;
	if (sixel) {
		k->colors = im->caps.colors;
		/* The whole image is one entry, each crop another. */
		if (it->p.crop_top != 0 || it->p.crop_rows != it->p.rows) {
			k->crop_top = it->p.crop_top;
			k->crop_rows = it->p.crop_rows;
		}
	} else {
		k->mode = blocks_mode_for_colors(im->colour ? COLORS : 0);
		k->flags = im->utf8 ? 0 : BLOCKS_ASCII;
	}
}

/* Return the colour pair for a block cell (0 when there is none to have). */
static int images_pair(const struct block_grid *g, const struct block_cell *c)
{
	int p = -1;
	switch (g->mode) {
	case BLOCKS_TRUECOLOR:
		p = alloc_pair((int)c->fg, (int)c->bg);
		break;
	case BLOCKS_256:
	case BLOCKS_16:
	case BLOCKS_8:
		p = alloc_pair(c->fg_idx, c->bg_idx);
		break;
	case BLOCKS_MONO:
		break;
	}
	return p < 0 ? 0 : p;
}

/* Draw the wait text of item it (no picture yet) on its first visible row,
 * dimmed and cut to its columns: the rows keep their height meanwhile. */
static void images_draw_wait(const struct images_item *it)
{
	const struct placement *p = &it->p;
	if (!it->wait_text || p->crop_rows < 1 || p->row < 0 || p->row >= LINES || p->col >= COLS)
		return;
	wchar_t w[256];
	size_t n = mbstowcs(w, it->wait_text, sizeof w / sizeof w[0] - 1);
	if (n == (size_t)-1)
		return;
	/* The text may use the whole box, not only the image's columns: a
	 * small image's "no preview: why" would be cut to a word. */
	int room = it->max_cols > p->cols ? it->max_cols : p->cols, used = 0;
	if (room > COLS - p->col)
		room = COLS - p->col;
	size_t k = 0;
	while (k < n && used + (wcwidth(w[k]) > 0 ? wcwidth(w[k]) : 0) <= room) {
		used += wcwidth(w[k]) > 0 ? wcwidth(w[k]) : 0;
		k++;
	}
	wattron(stdscr, A_DIM);
	mvwaddnwstr(stdscr, p->row, p->col, w, (int)k);
	wattroff(stdscr, A_DIM);
}

/* Draw the visible rows of the block renderings into stdscr. */
void images_draw_cells(struct images *im, const struct images_item *v, int n)
{
	if (im->caps.graphics == TERM_GRAPHICS_NONE)
		return;
	for (int i = 0; i < n; i++) {
		const struct images_item *it = &v[i];
		if (!it->img) {
			images_draw_wait(it);
			continue;
		}
		if (im->caps.graphics == TERM_GRAPHICS_SIXEL && !it->cells)
			continue;
		struct preview_key k;
		images_key(im, it, false, &k);
		const struct block_grid *g = preview_blocks(im->cache, &k, it->img, NULL);
		if (!g)
			continue;
		for (int r = 0; r < it->p.crop_rows; r++) {
			int gy = it->p.crop_top + r, y = it->p.row + r;
			if (gy >= g->rows || y < 0 || y >= LINES)
				break;
			for (int x = 0; x < g->cols && it->p.col + x < COLS; x++) {
				const struct block_cell *c = &g->cells[gy * g->cols + x];
				wchar_t wch[2] = {(wchar_t)c->ch, 0};
				int pair = images_pair(g, c);
				cchar_t cc;
				setcchar(&cc, wch, A_NORMAL, 0, &pair);
				mvwadd_wch(stdscr, y, it->p.col + x, &cc);
			}
		}
	}
}

/* Return whether cells a and b hold the same thing. */
static bool images_same_cell(const cchar_t *a, const cchar_t *b)
{
	wchar_t wa[CCHARW_MAX + 1], wb[CCHARW_MAX + 1];
	attr_t aa, ab;
	short pa, pb;
	int xa = 0, xb = 0;
	memset(wa, 0, sizeof wa);
	memset(wb, 0, sizeof wb);
	getcchar(a, wa, &aa, &pa, &xa);
	getcchar(b, wb, &ab, &pb, &xb);
	return aa == ab && xa == xb && memcmp(wa, wb, sizeof wa) == 0;
}

/* Return whether doupdate() will write any cell of rows [y, y + n). */
static bool images_rows_change(int y, int n)
{
	for (int r = y; r < y + n && r < LINES; r++) {
		for (int x = 0; x < COLS; x++) {
			cchar_t a, b;
			if (mvwin_wch(newscr, r, x, &a) == ERR || mvwin_wch(curscr, r, x, &b) == ERR)
				return true;
			if (!images_same_cell(&a, &b))
				return true;
		}
	}
	return false;
}

/* Return whether the cells item it covers are blank in the composed frame. */
static bool images_area_blank(const struct images_item *it)
{
	const struct placement *p = &it->p;
	if (p->row < 0 || p->row + p->crop_rows > LINES - 1 || p->col < 0 || p->col + p->cols > COLS)
		return false; /* never the last row: a sixel there scrolls */
	for (int r = p->row; r < p->row + p->crop_rows; r++) {
		for (int x = p->col; x < p->col + p->cols; x++) {
			cchar_t c;
			wchar_t w[CCHARW_MAX + 1];
			attr_t a;
			short pair;
			int ext = 0;
			memset(w, 0, sizeof w);
			if (mvwin_wch(newscr, r, x, &c) == ERR)
				return false;
			getcchar(&c, w, &a, &pair, &ext);
			if (w[0] != L' ' || w[1] != 0 || ext != 0 ||
			    (a & (A_REVERSE | A_STANDOUT | A_UNDERLINE)))
				return false;
		}
	}
	return true;
}

/* Write len bytes to fd, whatever it takes. */
static void images_write(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, s, len);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return; /* the terminal is gone: the loop will notice */
		}
		s += w;
		len -= (size_t)w;
	}
}

/* Write the sixel of item it at its place. */
static void images_emit(struct images *im, const struct images_item *it)
{
	struct preview_key k;
	images_key(im, it, true, &k);
	const struct sixel_out *s = preview_sixel(im->cache, &k, it->img, NULL);
	if (!s)
		return;
	int fd = fileno(im->out);
	char pos[48];
	int n = snprintf(pos, sizeof pos, "\0337\033[%d;%dH", it->p.row + 1, it->p.col + 1);
	images_write(fd, pos, (size_t)n);
	images_write(fd, s->data, s->len);
	images_write(fd, "\0338", 2);
}

/* Finish the frame. */
void images_refresh(struct images *im, const struct images_item *v, int n)
{
	wnoutrefresh(stdscr);
	if (im->caps.graphics != TERM_GRAPHICS_SIXEL) {
		doupdate();
		return;
	}
	bool *show = xcalloc((size_t)n + 1, sizeof *show);
	bool *emit = xcalloc((size_t)n + 1, sizeof *emit);
	/* Reading cells moves a window's cursor: newscr's is where doupdate()
	 * leaves the terminal's, curscr's is where ncurses believes it is. */
	int ny, nx, cy, cx;
	getyx(newscr, ny, nx);
	getyx(curscr, cy, cx);
	for (int i = 0; i < n; i++)
		show[i] = v[i].img && !v[i].cells && images_area_blank(&v[i]);
	/* Rows an image left (or may have left): ncurses repaints them. */
	for (int j = 0; j < im->n_shown; j++) {
		const struct images_item *o = &im->shown[j];
		bool kept = false;
		for (int i = 0; i < n && !kept; i++)
			kept = show[i] && placement_equal(&o->p, &v[i].p) &&
			       o->max_cols == v[i].max_cols && o->max_rows == v[i].max_rows;
		if (!kept && o->p.row < LINES) {
			int rows = o->p.crop_rows;
			if (o->p.row + rows > LINES)
				rows = LINES - o->p.row;
			wredrawln(stdscr, o->p.row, rows);
		}
	}
	bool any = false;
	for (int i = 0; i < n; i++) {
		if (!show[i])
			continue;
		bool same = false;
		for (int j = 0; j < im->n_shown && !same; j++)
			same = placement_equal(&im->shown[j].p, &v[i].p) &&
			       im->shown[j].max_cols == v[i].max_cols &&
			       im->shown[j].max_rows == v[i].max_rows;
		emit[i] = im->force || !same || images_rows_change(v[i].p.row, v[i].p.crop_rows);
		any |= emit[i];
	}
	wmove(newscr, ny, nx);
	wmove(curscr, cy, cx);
	int fd = fileno(im->out);
	bool sync = any && im->caps.sync_output;
	if (sync) {
		fflush(im->out);
		images_write(fd, "\033[?2026h", 8);
	}
	doupdate();
	fflush(im->out);
	im->n_shown = 0;
	for (int i = 0; i < n; i++) {
		if (!show[i])
			continue;
		if (emit[i])
			images_emit(im, &v[i]);
		if (im->n_shown == im->cap_shown) {
			im->cap_shown = im->cap_shown ? im->cap_shown * 2 : 8;
			im->shown = xrealloc(im->shown, (size_t)im->cap_shown * sizeof *im->shown);
		}
		im->shown[im->n_shown] = v[i];
		im->shown[im->n_shown].img = NULL; /* borrowed for one frame only */
		im->n_shown++;
	}
	if (sync)
		images_write(fd, "\033[?2026l", 8);
	im->force = false;
	free(show);
	free(emit);
}
