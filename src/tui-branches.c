/* /branches: the tree of the conversation in place of the pane, one row
 * per question (and per answer where /retry made several); Enter goes on
 * with the branch through the chosen row, and the switch is saved. */
#include <config.h>

#include "tui-internal.h"
#include "core/sessiontree.h"
#include "ui/chatlayout.h"
#include "ui/curses/screen.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tui_branches {
	struct session_tree_row *rows;
	size_t n, sel, top;
	struct cv_lines lines;
	const struct cv_line **ptrs;
};

/* Row text is cut to this many bytes of the message. */
#define TUI_BRANCH_TEXT 60

/* /branches. */
void tui_cmd_branches(struct tui *t)
{
	if (t->req.active) {
		tui_error(t, _("an answer is still streaming (Esc cancels it)"));
		return;
	}
	struct tui_branches *b = xcalloc(1, sizeof *b);
	b->rows = session_tree_rows(t->conv, t->conv->head, TUI_BRANCH_TEXT, &b->n);
	if (!b->n) {
		free(b->rows);
		free(b);
		tui_status(t, false, "%s", _("/branches: the conversation is empty"));
		return;
	}
	/* Start on the last row of the current branch. */
	for (size_t i = 0; i < b->n; i++)
		if (b->rows[i].current)
			b->sel = i;
	t->branches = b;
	tui_status(t, false, "%s",
		   _("branches: \xe2\x86\x91\xe2\x86\x93 choose, Enter switches, Esc closes"));
	t->dirty = true;
}

/* Free the list. */
void tui_branches_close(struct tui *t)
{
	struct tui_branches *b = t->branches;
	if (!b)
		return;
	session_tree_free(b->rows, b->n);
	for (size_t i = 0; i < b->lines.n; i++)
		chatlayout_line_done(&b->lines.v[i]);
	free(b->lines.v);
	free(b->ptrs);
	free(b);
	t->branches = NULL;
	t->dirty = true;
}

/* Switch to the branch through the selected row, and say so in the file. */
static void tui_branches_switch(struct tui *t)
{
	struct tui_branches *b = t->branches;
	size_t i = b->rows[b->sel].msg;
	unsigned long long leaf = session_tree_leaf(t->conv, i);
	char *what = xstrdup(b->rows[b->sel].text);
	tui_branches_close(t);
	t->editing = false;
	struct strbuf rec = STRBUF_INIT;
	session_encode_select(&t->sess, &rec, leaf, -1, (long long)time(NULL));
	tui_session_write(t, &rec, true);
	strbuf_done(&rec);
	tui_session_show(t);
	if (!t->save_failed)
		tui_status(t, false, _("on the branch of %s"), what);
	tui_log(t, "session: switched to branch %llu", leaf);
	free(what);
}

/* A key while the list is open. */
bool tui_branches_key(struct tui *t, const struct ui_event *ev)
{
	struct tui_branches *b = t->branches;
	if (!b)
		return false;
	if (ev->kind == UI_EV_RESIZE)
		return false;
	bool ctrl = ev->kind == UI_EV_CHAR && (ev->mods & UI_MOD_CTRL);
	size_t page = b->lines.n > 2 ? b->lines.n - 2 : 1;
	if ((ev->kind == UI_EV_KEY && ev->key == UI_KEY_ESCAPE) || (ctrl && ev->ch == 'c') ||
	    (ev->kind == UI_EV_CHAR && !ev->mods && ev->ch == 'q')) {
		tui_branches_close(t);
		tui_status(t, false, NULL);
	} else if (ev->kind == UI_EV_KEY && ev->key == UI_KEY_ENTER) {
		tui_branches_switch(t);
	} else if ((ev->kind == UI_EV_KEY && ev->key == UI_KEY_UP) ||
		   (ev->kind == UI_EV_CHAR && !ev->mods && ev->ch == 'k') ||
		   (ev->kind == UI_EV_MOUSE && ev->key == UI_KEY_WHEEL_UP)) {
		if (b->sel > 0)
			b->sel--;
	} else if ((ev->kind == UI_EV_KEY && ev->key == UI_KEY_DOWN) ||
		   (ev->kind == UI_EV_CHAR && !ev->mods && ev->ch == 'j') ||
		   (ev->kind == UI_EV_MOUSE && ev->key == UI_KEY_WHEEL_DOWN)) {
		if (b->sel + 1 < b->n)
			b->sel++;
	} else if (ev->kind == UI_EV_KEY && ev->key == UI_KEY_PAGE_UP) {
		b->sel = b->sel > page ? b->sel - page : 0;
	} else if (ev->kind == UI_EV_KEY && ev->key == UI_KEY_PAGE_DOWN) {
		b->sel = b->sel + page < b->n ? b->sel + page : b->n - 1;
	} else if (ev->kind == UI_EV_KEY && ev->key == UI_KEY_HOME) {
		b->sel = 0;
	} else if (ev->kind == UI_EV_KEY && ev->key == UI_KEY_END) {
		b->sel = b->n - 1;
	}
	t->dirty = true;
	return true;
}

/* Draw the list in place of the pane. */
void tui_branches_frame(struct tui *t, struct screen_frame *f, int width)
{
	struct tui_branches *b = t->branches;
	if (!b)
		return;
	int rows = f->pane_rows - 1 > 0 ? f->pane_rows - 1 : 1;
	if (b->sel < b->top)
		b->top = b->sel;
	if (b->sel >= b->top + (size_t)rows)
		b->top = b->sel - (size_t)rows + 1;
	for (size_t i = 0; i < b->lines.n; i++)
		chatlayout_line_done(&b->lines.v[i]);
	b->lines.n = 0;
	char *head = xasprintf(P_("Branches (%zu row; \xe2\x97\x8f the current one) \xc2\xb7 "
				  "\xe2\x86\x91\xe2\x86\x93 choose \xc2\xb7 Enter switches \xc2\xb7 "
				  "Esc closes",
				  "Branches (%zu rows; \xe2\x97\x8f the current one) \xc2\xb7 "
				  "\xe2\x86\x91\xe2\x86\x93 choose \xc2\xb7 Enter switches \xc2\xb7 "
				  "Esc closes",
				  b->n),
			       b->n);
	chatlayout_line_set(chatlayout_lines_push(&b->lines), head, strlen(head), width,
			    CV_STYLE_NOTICE | CV_STYLE_BOLD);
	free(head);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = b->top; i < b->n && i < b->top + (size_t)rows; i++) {
		const struct session_tree_row *r = &b->rows[i];
		strbuf_reset(&sb);
		strbuf_puts(&sb, i == b->sel ? "\xe2\x96\xb6 " : "  ");
		for (int d = 0; d < r->depth && d < 20; d++)
			strbuf_puts(&sb, "  ");
		strbuf_puts(&sb, r->current ? "\xe2\x97\x8f " : "\xe2\x97\x8b ");
		strbuf_puts(&sb, r->text);
		unsigned style = i == b->sel ? CV_STYLE_SELECTED : r->current ? 0 : CV_STYLE_DIM;
		struct cv_line *l = chatlayout_lines_push(&b->lines);
		chatlayout_line_set(l, sb.data, sb.len, width, style);
	}
	strbuf_done(&sb);
	b->ptrs = xrealloc(b->ptrs, (b->lines.n + 1) * sizeof *b->ptrs);
	for (size_t k = 0; k < b->lines.n; k++)
		b->ptrs[k] = &b->lines.v[k];
	f->pane = b->ptrs;
	f->n_pane = (int)b->lines.n;
	f->marker = NULL;
	f->query = NULL;
	f->images = NULL;
	f->n_images = 0;
}
