#include <config.h>

#include "ui/markdown.h"
#include "ui/markdown-internal.h"

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "ui/width.h"

#include <md4c.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- leaf blocks ----------------------------------------------------- */

/* Start collecting inline text for a leaf of the given kind. */
void md_leaf_begin(struct md_ctx *x, enum md_leaf kind)
{
	x->leaf = kind;
	md_text_reset(&x->para);
}

/* Emit the leaf block collected so far, if any, and end it. */
void md_leaf_flush(struct md_ctx *x)
{
	enum md_leaf kind = x->leaf;
	if (kind == MD_LEAF_NONE || kind == MD_LEAF_CELL)
		return;
	x->leaf = MD_LEAF_NONE;
	struct md_text *t = &x->para;
	if (kind == MD_LEAF_HTML) {
		while (t->s.len > 0 && t->s.data[t->s.len - 1] == '\n')
			t->s.data[--t->s.len] = '\0';
	}
	if (kind != MD_LEAF_H && t->s.len == 0)
		return;
	md_block_start(x);
	if (kind == MD_LEAF_H) {
		char lead[8];
		unsigned lv = x->h_level < 1 ? 1 : x->h_level > 6 ? 6 : x->h_level;
		memset(lead, '#', lv);
		lead[lv] = ' ';
		lead[lv + 1] = '\0';
		md_emit_wrapped(x, t->s.data ? t->s.data : "", t->s.len, t->runs, t->n_runs, lead,
				MD_ST_HEADING | MD_ST_DIM, (int)lv + 1, (int)lv + 1);
	} else {
		md_emit_wrapped(x, t->s.data, t->s.len, t->runs, t->n_runs, "", 0, 0, 0);
	}
	md_text_reset(t);
	md_sep_due(x);
}

/* Emit a horizontal rule across the available width. */
static void md_emit_rule(struct md_ctx *x)
{
	md_block_start(x);
	md_row_prefix(x, 0);
	md_row_repeat(x, MD_HLINE, md_avail(x), MD_ST_RULE);
	md_row_end(x, 0);
	md_sep_due(x);
}

/* Append to out one line of code, made safe and with tabs expanded to 8. */
static void md_code_expand(struct strbuf *out, const char *s, size_t n)
{
	int col = 0;
	size_t i = 0;
	while (i < n) {
		unsigned char b = (unsigned char)s[i];
		if (b >= 0x20 && b < 0x7F) {
			strbuf_putc(out, (char)b);
			col++;
			i++;
			continue;
		}
		if (b == '\t') {
			do {
				strbuf_putc(out, ' ');
				col++;
			} while (col % 8);
			i++;
			continue;
		}
		uint32_t c;
		size_t k = width_next_char(s + i, n - i, &c);
		if ((c == 0xFFFD && k == 1) || c < 0x20 || (c >= 0x7F && c < 0xA0)) {
			strbuf_append(out, MD_FFFD, 3);
			col++;
		} else {
			strbuf_append(out, s + i, k);
			col += width_char(c);
		}
		i += k;
	}
}

/* Emit the collected code block: a label row, then its lines cut at the
 * width with a marker on each continuation row. */
static void md_emit_code(struct md_ctx *x)
{
	const unsigned st = MD_ST_CODEBLOCK;
	int avail = md_avail(x);
	md_block_start(x);
	if (x->lang.len > 0) {
		struct strbuf *t = &x->tmp;
		strbuf_reset(t);
		strbuf_puts(t, MD_HLINE " ");
		md_code_expand(t, x->lang.data, x->lang.len);
		strbuf_puts(t, " " MD_HLINE);
		int w;
		size_t n = width_prefix(t->data, t->len, avail, &w);
		md_row_prefix(x, 0);
		md_row_put(x, t->data, n, st | MD_ST_CODELABEL, w);
		md_row_end(x, st);
	}
	const char *s = x->code.data ? x->code.data : "";
	size_t len = x->code.len;
	/* Every line of code ends in '\n': the last one ends the block. */
	if (len > 0 && s[len - 1] == '\n')
		len--;
	size_t a = 0;
	for (;;) {
		const char *nl = memchr(s + a, '\n', len - a);
		size_t b = nl ? (size_t)(nl - s) : len;
		struct strbuf *t = &x->tmp;
		strbuf_reset(t);
		md_code_expand(t, s + a, b - a);
		const char *e = t->data ? t->data : "";
		size_t pos = 0;
		int first = 1;
		do {
			md_row_prefix(x, 0);
			int room = avail;
			if (!first && avail >= 2) {
				md_row_put(x, MD_HOOK, strlen(MD_HOOK), st | MD_ST_WRAPMARK, 1);
				room--;
			}
			int w;
			size_t k = width_prefix(e + pos, t->len - pos, room, &w);
			if (k == 0 && pos < t->len) /* one cluster wider than the room */
				k = width_next_cluster(e + pos, t->len - pos, 0, &w);
			md_row_put(x, e + pos, k, st, w);
			md_row_end(x, st);
			pos += k;
			first = 0;
		} while (pos < t->len);
		if (!nl)
			break;
		a = b + 1;
	}
	md_sep_due(x);
}

/* ---- md4c callbacks: blocks ------------------------------------------ */

/* Push a container; past MD_MAX_DEPTH it is only counted. */
static struct md_box *md_box_push(struct md_ctx *x, int kind)
{
	int d = x->box_depth++;
	if (d >= MD_MAX_DEPTH)
		return NULL;
	struct md_box *b = &x->boxes[d];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	return b;
}

/* Pop the innermost container; returns it, or NULL when it was not kept. */
static struct md_box *md_box_pop(struct md_ctx *x)
{
	int d = --x->box_depth;
	return d < MD_MAX_DEPTH ? &x->boxes[d] : NULL;
}

/* Return the innermost kept list, or NULL. */
static struct md_list *md_list_top(struct md_ctx *x)
{
	if (x->list_depth == 0 || x->list_depth > MD_MAX_DEPTH)
		return NULL;
	return &x->lists[x->list_depth - 1];
}

/* Fill b's marker for a new item of list l (depth: 1 for a top list). */
static void md_item_mark(struct md_box *b, struct md_list *l, int depth,
			 const MD_BLOCK_LI_DETAIL *li)
{
	static const char *const bullets[] = {"\xE2\x80\xA2", "\xE2\x97\xA6", "\xE2\x96\xAA"};
	char num[24] = "";
	if (l && l->ordered)
		snprintf(num, sizeof num, "%u%c ", l->next, l->delim ? l->delim : '.');
	const char *task = "";
	if (li && li->is_task)
		task = li->task_mark == ' ' ? "[ ] " : "[x] ";
	if (l && l->ordered)
		snprintf(b->mark, sizeof b->mark, "%s%s", num, task);
	else if (*task)
		snprintf(b->mark, sizeof b->mark, "%s", task);
	else
		snprintf(b->mark, sizeof b->mark, "%s ", bullets[(depth - 1) % 3]);
	b->mark_len = strlen(b->mark);
	b->mark_w = width_of(b->mark, b->mark_len);
}

/* md4c: a block starts. */
int md_cb_enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct md_ctx *x = ud;
	if (x->leaf == MD_LEAF_IMPLICIT)
		md_leaf_flush(x);
	switch (type) {
	case MD_BLOCK_DOC:
		break;
	case MD_BLOCK_QUOTE:
		md_box_push(x, MD_BOX_QUOTE);
		x->quote_depth++;
		break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL: {
		struct md_list *parent = md_list_top(x);
		/* A list nested right in a tight item hugs the item's text. */
		if (parent && parent->tight && x->box_depth > 0 && x->box_depth <= MD_MAX_DEPTH &&
		    x->boxes[x->box_depth - 1].kind == MD_BOX_ITEM)
			x->pending_sep = 0;
		if (x->list_depth++ < MD_MAX_DEPTH) {
			struct md_list *l = &x->lists[x->list_depth - 1];
			memset(l, 0, sizeof *l);
			if (type == MD_BLOCK_OL) {
				const MD_BLOCK_OL_DETAIL *d = detail;
				l->ordered = 1;
				l->next = d->start;
				l->delim = d->mark_delimiter;
				l->tight = d->is_tight;
			} else {
				const MD_BLOCK_UL_DETAIL *d = detail;
				l->tight = d->is_tight;
			}
		}
		break;
	}
	case MD_BLOCK_LI: {
		struct md_list *l = md_list_top(x);
		if (l && l->tight && l->items > 0)
			x->pending_sep = 0;
		struct md_box *b = md_box_push(x, MD_BOX_ITEM);
		if (b)
			md_item_mark(b, l, x->list_depth, detail);
		if (l) {
			l->items++;
			l->next++;
		}
		break;
	}
	case MD_BLOCK_HR:
		md_emit_rule(x);
		break;
	case MD_BLOCK_H:
		x->h_level = ((const MD_BLOCK_H_DETAIL *)detail)->level;
		md_leaf_begin(x, MD_LEAF_H);
		break;
	case MD_BLOCK_CODE: {
		const MD_BLOCK_CODE_DETAIL *d = detail;
		x->in_code = 1;
		strbuf_reset(&x->code);
		strbuf_reset(&x->lang);
		if (d->lang.text && d->lang.size)
			strbuf_append(&x->lang, d->lang.text, d->lang.size);
		break;
	}
	case MD_BLOCK_HTML:
		md_leaf_begin(x, MD_LEAF_HTML);
		break;
	case MD_BLOCK_P:
		md_leaf_begin(x, MD_LEAF_P);
		break;
	case MD_BLOCK_TABLE:
		x->in_table = 1;
		x->row = 0;
		md_table_clear(x);
		break;
	case MD_BLOCK_THEAD:
		x->in_head = 1;
		break;
	case MD_BLOCK_TBODY:
		x->in_head = 0;
		break;
	case MD_BLOCK_TR:
		x->col = 0;
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		x->cell_head = type == MD_BLOCK_TH;
		x->cell_align = detail ? (int)((const MD_BLOCK_TD_DETAIL *)detail)->align : 0;
		md_leaf_begin(x, MD_LEAF_CELL);
		break;
	}
	return 0;
}

/* md4c: a block ends. */
int md_cb_leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct md_ctx *x = ud;
	(void)detail;
	if (x->leaf == MD_LEAF_IMPLICIT)
		md_leaf_flush(x);
	switch (type) {
	case MD_BLOCK_QUOTE:
		md_box_pop(x);
		x->quote_depth--;
		md_sep_due(x);
		break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		x->list_depth--;
		md_sep_due(x);
		break;
	case MD_BLOCK_LI: {
		struct md_box *b = x->box_depth <= MD_MAX_DEPTH ? &x->boxes[x->box_depth - 1] : NULL;
		if (b && !b->marked) {
			/* An empty item still shows its marker. */
			md_block_start(x);
			md_row_prefix(x, 0);
			md_row_trim(x);
			md_row_end(x, 0);
			md_sep_due(x);
		}
		md_box_pop(x);
		break;
	}
	case MD_BLOCK_H:
	case MD_BLOCK_HTML:
	case MD_BLOCK_P:
		md_leaf_flush(x);
		break;
	case MD_BLOCK_CODE:
		x->in_code = 0;
		md_emit_code(x);
		break;
	case MD_BLOCK_TABLE:
		md_emit_table(x);
		md_table_clear(x);
		x->in_table = 0;
		break;
	case MD_BLOCK_TR:
		x->row++;
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		if (x->leaf == MD_LEAF_CELL) {
			if (x->n_cells == x->cap_cells) {
				x->cap_cells = x->cap_cells ? x->cap_cells * 2 : 16;
				x->cells = xrealloc(x->cells, x->cap_cells * sizeof *x->cells);
			}
			struct md_cell *c = &x->cells[x->n_cells++];
			c->t = x->para; /* the cell takes the buffer over */
			md_text_init(&x->para);
			c->row = x->row;
			c->col = x->col;
			c->align = x->cell_align;
			c->w = 0;
			x->leaf = MD_LEAF_NONE;
		}
		x->col++;
		break;
	default:
		break;
	}
	return 0;
}
