/* The interactive mode's pictures in a frame: the conversation's
 * thumbnails where the pane shows them, the previews of the attachment
 * strip (always colour blocks), and /view N, which shows one image fitted
 * to the whole pane until a key closes it. */
#include <config.h>

#include "tui-images-internal.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "img/preview.h"
#include "ui/chatlayout.h"
#include "ui/curses/images.h"
#include "ui/curses/screen.h"
#include "ui/placement.h"

#include <stdlib.h>
#include <string.h>

/* Rows and most columns of a preview in the attachment strip. */
#define TUI_STRIP_ROWS TUI_STRIP_PREVIEW_ROWS
#define TUI_STRIP_COLS 16

/* Return the rows the strip's previews take on a screen rows high. */
int tui_images_strip_rows(struct tui *t, int rows)
{
	if (!t->images || screen_caps()->graphics == TERM_GRAPHICS_NONE || rows < 18)
		return 0;
	for (size_t k = 0; k < t->n_atts; k++)
		if (tui_images_find(t, t->atts[k].preview_id))
			return TUI_STRIP_ROWS;
	return 0;
}

/* Append an item for placement p of entry e, fitted into box cols x rows. */
static void tui_images_push(struct tui_images *r, size_t *n, const struct placement *p,
			    const struct tui_image *e, int box_cols, int box_rows, bool cells)
{
	if (*n == r->cap_items) {
		r->cap_items = r->cap_items ? r->cap_items * 2 : 16;
		r->items = xrealloc(r->items, r->cap_items * sizeof *r->items);
	}
	bool ready = e->state == TUI_THUMB_READY;
	r->items[(*n)++] = (struct images_item){.p = *p,
						.img = ready ? &e->thumb : NULL,
						.max_cols = box_cols,
						.max_rows = box_rows,
						.cells = cells,
						.wait_text = e->state == TUI_THUMB_FAILED
								     ? e->failed
								     : _("preparing\xe2\x80\xa6")};
}

/* Build the /view pane: a caption line, then the image fitted to the rest. */
static void tui_images_view_pane(struct tui *t, struct screen_frame *f, struct tui_image *e,
				 int width)
{
	struct tui_images *r = t->images;
	const struct term_caps *caps = screen_caps();
	chatlayout_lines_clear(&r->view_lines);
	char *cap = xasprintf(_("image %zu: %s \xc2\xb7 any key closes"), e->number, e->desc);
	chatlayout_line_set(chatlayout_lines_push(&r->view_lines), cap, strlen(cap), width,
			    CV_STYLE_NOTICE | CV_STYLE_BOLD);
	free(cap);
	struct preview_geom g;
	int box_rows = f->pane_rows - 1 > 0 ? f->pane_rows - 1 : 1;
	preview_fit(e->lay_w, e->lay_h, width, box_rows, caps->cell_w, caps->cell_h, &g);
	for (int k = 0; k < g.rows && k < box_rows; k++) {
		struct cv_line *l = chatlayout_lines_push(&r->view_lines);
		chatlayout_line_set(l, "", 0, 1, 0);
		l->image_id = e->id;
		l->image_row = k;
		l->image_rows = g.rows;
		l->image_cols = g.cols;
	}
	r->view_ptrs = xrealloc(r->view_ptrs, (r->view_lines.n + 1) * sizeof *r->view_ptrs);
	for (size_t k = 0; k < r->view_lines.n; k++)
		r->view_ptrs[k] = &r->view_lines.v[k];
	f->pane = r->view_ptrs;
	f->n_pane = (int)r->view_lines.n;
	f->marker = NULL;
	f->query = NULL;
	r->view_cols = width;
	r->view_rows = box_rows;
}

/* Fill f->images for this frame: the pane's thumbnails (or the /view
 * image in place of the pane) and the strip's previews at strip_row. */
void tui_images_frame(struct tui *t, struct screen_frame *f, int width, int strip_row, int band)
{
	struct tui_images *r = t->images;
	size_t n = 0;
	f->images = NULL;
	f->n_images = 0;
	if (!r || screen_caps()->graphics == TERM_GRAPHICS_NONE)
		return;
	struct tui_image *viewed = tui_images_find(t, r->viewing);
	if (r->viewing && !viewed)
		r->viewing = 0;
	tui_images_lazy(t, f);
	struct placement ps[64];
	int max_rows = f->pane_rows - (f->marker ? 1 : 0);
	if (viewed) {
		tui_images_view_pane(t, f, viewed, width);
		int np = placement_from_lines(f->pane, f->n_pane, 0, f->pane_rows, 0, ps, 64);
		for (int i = 0; i < np; i++)
			tui_images_push(r, &n, &ps[i], viewed, r->view_cols, r->view_rows, false);
	} else {
		int np = placement_from_lines(f->pane, f->n_pane, 0, max_rows, TUI_IMG_INDENT, ps, 64);
		for (int i = 0; i < np; i++) {
			struct tui_image *e = tui_images_find(t, ps[i].id);
			if (e)
				tui_images_push(r, &n, &ps[i], e, e->box_cols, e->box_rows, false);
		}
	}
	/* The strip: previews side by side, in the order of the list below,
	 * always as colour blocks: the strip comes and goes with the
	 * attachments, and xterm was seen to bring back pieces of a sixel
	 * there after the rows were repainted. */
	const struct term_caps *caps = screen_caps();
	int col = 1;
	for (size_t k = 0; band > 0 && k < t->n_atts; k++) {
		struct tui_image *e = tui_images_find(t, t->atts[k].preview_id);
		if (!e)
			continue;
		struct preview_geom g;
		preview_fit(e->lay_w, e->lay_h, TUI_STRIP_COLS, band, caps->cell_w, caps->cell_h, &g);
		if (col + g.cols > width)
			break;
		struct placement p = {.id = e->id, .row = strip_row, .col = col, .cols = g.cols,
				      .rows = g.rows, .crop_top = 0, .crop_rows = g.rows};
		tui_images_push(r, &n, &p, e, TUI_STRIP_COLS, band, true);
		col += g.cols + 2;
	}
	f->images = r->items;
	f->n_images = (int)n;
}

/* /view N: attachment N of the strip when something is attached, else
 * image N of the conversation. */
void tui_images_view(struct tui *t, const char *arg)
{
	struct tui_images *r = t->images;
	char *end = NULL;
	long n = arg ? strtol(arg, &end, 10) : 0;
	if (!arg || *end || n < 1) {
		tui_error(t, _("/view N: the number of an attachment, or of an image in the "
			       "conversation"));
		return;
	}
	if (screen_caps()->graphics == TERM_GRAPHICS_NONE) {
		tui_error(t, _("/view: this terminal shows no images (SQUINT_GRAPHICS=blocks "
			       "forces colour blocks)"));
		return;
	}
	struct tui_image *e = NULL;
	if (t->n_atts) {
		if ((size_t)n > t->n_atts) {
			tui_error(t, _("/view N: N is the number of an attachment in the strip"));
			return;
		}
		e = tui_images_find(t, t->atts[n - 1].preview_id);
		if (e)
			e->number = (size_t)n;
	} else {
		for (size_t i = 0; i < r->n && !e; i++)
			if (r->v[i].sent && r->v[i].number == (size_t)n)
				e = &r->v[i];
	}
	if (!e) {
		char *m = xasprintf(_("/view: image %ld has no preview (a URL, or unreadable)"), n);
		tui_error(t, m);
		free(m);
		return;
	}
	r->viewing = e->id;
	t->dirty = true;
}

/* A key while an image is viewed closes it; returns whether it was used. */
bool tui_images_key(struct tui *t, const struct ui_event *ev)
{
	if (!t->images || !t->images->viewing)
		return false;
	if (ev->kind != UI_EV_KEY && ev->kind != UI_EV_CHAR && ev->kind != UI_EV_PASTE)
		return ev->kind == UI_EV_MOUSE;
	t->images->viewing = 0;
	t->dirty = true;
	return true;
}
