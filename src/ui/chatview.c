#include <config.h>

#include "ui/chatview.h"
#include "ui/chatlayout.h"
#include "ui/chatview-alt.h"
#include "ui/markdown.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Body text is indented under its label by this many columns. */
#define CV_INDENT 2

struct cv_item {
	enum cv_kind kind;
	char *label;
	struct strbuf text;
	struct strbuf reasoning;
	char *footer;
	unsigned footer_style;
	bool streaming;
	struct cv_image *images; /* shown under the text, in order */
	size_t n_images;

	/* The layout cache, valid for width (-1: none). */
	int width;
	bool has_header, has_footer;
	struct cv_line header, footer_line;
	struct cv_lines reason, body, pics;
	size_t stable_bytes; /* text laid out for good into body.v[0, n_stable) */
	size_t n_stable;
	/* Inside an open code fence (fence_bytes > 0): text[0, fence_bytes)
	 * is laid out into body.v[0, n_fence); the fence opened at fence_line. */
	size_t fence_bytes, n_fence, fence_line;
	bool header_dirty, reason_dirty, body_dirty, footer_dirty, pics_dirty;
	struct cv_alts *alts; /* choices, tool calls, tints (chatview-alt.c) */
};

struct chatview {
	struct cv_item *items;
	size_t n, cap;
	int width, height;
	bool follow, unseen, reasoning_expanded;
	size_t top_item, top_line; /* the anchor: first visible line, when not following */
	char *query;
	bool has_match;
	size_t match_item, match_line;
	bool tinted; /* answers with token probabilities shown tinted (F2) */
};

/* An image under an item's text. */
struct cv_image {
	uint64_t id;
	int cols, rows;
};

/* Return how much of it's text will never be laid out differently: the
 * closed blocks while streaming, all of it once finished.  The scan goes on
 * from the last stable point, not from the start. */
static size_t cv_stable_prefix(const struct cv_item *it)
{
	if (!it->streaming)
		return it->text.len;
	size_t from = it->stable_bytes;
	size_t q = chatlayout_stable_prefix(it->text.data + from, it->text.len - from,
					    it->kind == CV_ITEM_ASSISTANT);
	return q ? from + q : from;
}

/* Return the base style of an item's body text. */
static unsigned cv_body_style(const struct cv_item *it)
{
	switch (it->kind) {
	case CV_ITEM_ERROR:
		return CV_STYLE_ERROR;
	case CV_ITEM_NOTICE:
		return CV_STYLE_NOTICE;
	default:
		return 0;
	}
}

/* Lay out the text s[0, n) of it into its body lines. */
static void cv_layout_slice(struct cv_item *it, const char *s, size_t n, int width)
{
	if (it->kind == CV_ITEM_ASSISTANT)
		chatlayout_markdown(&it->body, s, n, width, CV_INDENT);
	else
		chatlayout_text(&it->body, s, n, width,
				it->kind == CV_ITEM_USER ? CV_INDENT : 0, cv_body_style(it));
}

/* Lay out the tail of a streaming answer that ends inside a code fence at
 * the top level: complete code lines are laid out once, only the last,
 * unfinished one again.  Return false when the tail is not such a fence. */
static bool cv_layout_fence(struct cv_item *it, int width)
{
	if (!it->streaming || it->kind != CV_ITEM_ASSISTANT)
		return false;
	const char *t = it->text.data + it->stable_bytes;
	struct md_open_fence f;
	if (!md_open_fence(t, it->text.len - it->stable_bytes, &f))
		return false;
	size_t line = it->stable_bytes + f.line, body = it->stable_bytes + f.body;
	const char *fence = it->text.data + line;
	size_t fence_len = f.mark_end - f.line;
	if (it->fence_bytes == 0 || it->fence_line != line) {
		/* A block holding at least one complete code line: lay out
		 * the text up to there as a whole, the first time. */
		const char *nl = memchr(fence, '\n', it->text.len - line);
		if (!nl || body <= (size_t)(nl - it->text.data) + 1)
			return false;
		chatlayout_lines_truncate(&it->body, it->n_stable);
		cv_layout_slice(it, t, body - it->stable_bytes, width);
		it->fence_line = line;
		it->fence_bytes = body;
		it->n_fence = it->body.n;
	} else {
		chatlayout_lines_truncate(&it->body, it->n_fence);
		if (body > it->fence_bytes) {
			chatlayout_markdown_code(&it->body, fence, fence_len,
						 it->text.data + it->fence_bytes,
						 body - it->fence_bytes, width, CV_INDENT);
			it->fence_bytes = body;
			it->n_fence = it->body.n;
		}
	}
	if (it->text.len > it->fence_bytes)
		chatlayout_markdown_code(&it->body, fence, fence_len, it->text.data + it->fence_bytes,
					 it->text.len - it->fence_bytes, width, CV_INDENT);
	return true;
}

/* Bring it's body lines up to date: the stable part grows, the open tail is
 * laid out again (a code fence's only from its last line). */
static void cv_layout_body(struct cv_item *it, int width)
{
	size_t stable = cv_stable_prefix(it);
	if (stable > it->stable_bytes) {
		chatlayout_lines_truncate(&it->body, it->n_stable);
		cv_layout_slice(it, it->text.data + it->stable_bytes, stable - it->stable_bytes, width);
		it->stable_bytes = stable;
		it->n_stable = it->body.n;
		it->fence_bytes = 0;
	}
	if (cv_layout_fence(it, width))
		return;
	it->fence_bytes = 0;
	chatlayout_lines_truncate(&it->body, it->n_stable);
	if (it->text.len > it->stable_bytes)
		cv_layout_slice(it, it->text.data + it->stable_bytes, it->text.len - it->stable_bytes,
				width);
}

/* Return a new, empty view. */
struct chatview *chatview_new(void)
{
	struct chatview *v = xcalloc(1, sizeof *v);
	v->width = 80;
	v->height = 24;
	v->follow = true;
	return v;
}

/* Free the cached lines of it. */
static void cv_item_drop_layout(struct cv_item *it)
{
	chatlayout_line_done(&it->header);
	chatlayout_line_done(&it->footer_line);
	chatlayout_lines_clear(&it->reason);
	chatlayout_lines_clear(&it->body);
	chatlayout_lines_clear(&it->pics);
	free(it->reason.v);
	free(it->body.v);
	free(it->pics.v);
	memset(&it->reason, 0, sizeof it->reason);
	memset(&it->body, 0, sizeof it->body);
	memset(&it->pics, 0, sizeof it->pics);
	cv_alts_drop_layout(it->alts);
	it->has_header = it->has_footer = false;
	it->stable_bytes = it->n_stable = 0;
	it->fence_bytes = 0;
	it->width = -1;
}

/* Free everything of one item. */
static void cv_item_done(struct cv_item *it)
{
	cv_item_drop_layout(it);
	free(it->label);
	free(it->footer);
	free(it->images);
	cv_alts_delete(it->alts);
	strbuf_done(&it->text);
	strbuf_done(&it->reasoning);
}

/* Free the view. */
void chatview_delete(struct chatview *v)
{
	if (!v)
		return;
	chatview_clear(v);
	free(v->items);
	free(v->query);
	free(v);
}

/* Drop every item. */
void chatview_clear(struct chatview *v)
{
	for (size_t i = 0; i < v->n; i++)
		cv_item_done(&v->items[i]);
	v->n = 0;
	v->follow = true;
	v->unseen = false;
	v->top_item = v->top_line = 0;
	v->has_match = false;
}

/* Set the pane size. */
void chatview_resize(struct chatview *v, int width, int height)
{
	v->width = width < 1 ? 1 : width;
	v->height = height < 0 ? 0 : height;
}

/* Return item id, or NULL. */
static struct cv_item *cv_item(struct chatview *v, size_t id)
{
	return id < v->n ? &v->items[id] : NULL;
}

/* Note that item content changed: text below the view is unseen. */
static void cv_changed(struct chatview *v)
{
	if (!v->follow)
		v->unseen = true;
}

/* Append an item. */
size_t chatview_add(struct chatview *v, enum cv_kind kind, const char *label, const char *text,
		    size_t len)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		v->items = xrealloc(v->items, v->cap * sizeof *v->items);
	}
	struct cv_item *it = &v->items[v->n];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->label = xstrdup(label);
	it->width = -1;
	strbuf_append(&it->text, text ? text : "", text ? len : 0);
	cv_changed(v);
	return v->n++;
}

/* Return the number of items. */
size_t chatview_count(const struct chatview *v)
{
	return v->n;
}

/* Show an image under an item's text. */
void chatview_add_image(struct chatview *v, size_t id, uint64_t image_id, int cols, int rows)
{
	struct cv_item *it = cv_item(v, id);
	if (!it || !image_id || cols < 1 || rows < 1)
		return;
	it->images = xrealloc(it->images, (it->n_images + 1) * sizeof *it->images);
	it->images[it->n_images++] = (struct cv_image){image_id, cols, rows};
	it->pics_dirty = true;
	cv_changed(v);
}

/* Change the cells of an image everywhere it shows. */
void chatview_set_image_size(struct chatview *v, uint64_t image_id, int cols, int rows)
{
	if (cols < 1 || rows < 1)
		return;
	for (size_t i = 0; i < v->n; i++) {
		struct cv_item *it = &v->items[i];
		for (size_t k = 0; k < it->n_images; k++) {
			struct cv_image *im = &it->images[k];
			if (im->id == image_id && (im->cols != cols || im->rows != rows)) {
				im->cols = cols;
				im->rows = rows;
				it->pics_dirty = true;
			}
		}
	}
}

/* Return whether an item shows image_id. */
bool chatview_has_image(const struct chatview *v, uint64_t image_id)
{
	for (size_t i = 0; i < v->n; i++)
		for (size_t k = 0; k < v->items[i].n_images; k++)
			if (v->items[i].images[k].id == image_id)
				return true;
	return false;
}

/* Call fn for every image shown. */
void chatview_each_image(const struct chatview *v,
			 void (*fn)(void *ud, uint64_t image_id, int cols, int rows), void *ud)
{
	for (size_t i = 0; i < v->n; i++)
		for (size_t k = 0; k < v->items[i].n_images; k++)
			fn(ud, v->items[i].images[k].id, v->items[i].images[k].cols,
			   v->items[i].images[k].rows);
}

/* Lay out it's images: one line per cell row, a blank line between two. */
static void cv_layout_pics(struct cv_item *it)
{
	chatlayout_lines_clear(&it->pics);
	for (size_t k = 0; k < it->n_images; k++) {
		const struct cv_image *im = &it->images[k];
		if (k > 0)
			chatlayout_line_set(chatlayout_lines_push(&it->pics), "", 0, 1, 0);
		for (int r = 0; r < im->rows; r++) {
			struct cv_line *l = chatlayout_lines_push(&it->pics);
			chatlayout_line_set(l, "", 0, 1, 0);
			l->image_id = im->id;
			l->image_row = r;
			l->image_rows = im->rows;
			l->image_cols = im->cols;
		}
	}
}

/* Append text to an item. */
void chatview_append(struct chatview *v, size_t id, const char *text, size_t len)
{
	struct cv_item *it = cv_item(v, id);
	if (!it || !len)
		return;
	strbuf_append(&it->text, text, len);
	it->body_dirty = true;
	cv_changed(v);
}

/* Append reasoning to an item. */
void chatview_append_reasoning(struct chatview *v, size_t id, const char *text, size_t len)
{
	struct cv_item *it = cv_item(v, id);
	if (!it || !len)
		return;
	strbuf_append(&it->reasoning, text, len);
	it->reason_dirty = true;
	cv_changed(v);
}

/* Replace an item's label. */
void chatview_set_label(struct chatview *v, size_t id, const char *label)
{
	struct cv_item *it = cv_item(v, id);
	if (!it)
		return;
	free(it->label);
	it->label = xstrdup(label);
	it->header_dirty = true;
}

/* Set an item's footer line. */
void chatview_set_footer(struct chatview *v, size_t id, const char *text, unsigned style)
{
	struct cv_item *it = cv_item(v, id);
	if (!it)
		return;
	free(it->footer);
	it->footer = xstrdup(text);
	it->footer_style = style;
	it->footer_dirty = true;
	cv_changed(v);
}

/* Mark an item as streaming or not. */
void chatview_set_streaming(struct chatview *v, size_t id, bool streaming)
{
	struct cv_item *it = cv_item(v, id);
	if (!it || it->streaming == streaming)
		return;
	it->streaming = streaming;
	/* The whole text becomes stable: lay it out once more, all of it, so
	 * the finished answer is exactly what md4c makes of the whole even
	 * where the scanner's stable points were wrong (they are a guess at
	 * md4c's blocks, checked by fuzzing). */
	if (!streaming) {
		it->n_stable = it->stable_bytes = 0;
		it->fence_bytes = 0;
	}
	it->body_dirty = true;
	it->reason_dirty = true;
}

/* Expand or fold reasoning everywhere. */
void chatview_set_reasoning_expanded(struct chatview *v, bool expanded)
{
	v->reasoning_expanded = expanded;
	for (size_t i = 0; i < v->n; i++)
		v->items[i].reason_dirty = true;
}

/* Return whether reasoning is expanded. */
bool chatview_reasoning_expanded(const struct chatview *v)
{
	return v->reasoning_expanded;
}

/* Point r at item id's parts for chatview-alt.c, marking it dirty. */
bool cv_item_ref(struct chatview *v, size_t id, enum cv_dirty dirty, struct cv_item_ref *r)
{
	struct cv_item *it = cv_item(v, id);
	if (!it)
		return false;
	*r = (struct cv_item_ref){&it->text, &it->reasoning, &it->alts};
	if (dirty == CV_DIRTY_ALL)
		it->width = -1;
	if (dirty != CV_DIRTY_NONE) {
		it->header_dirty = it->body_dirty = true;
		cv_changed(v);
	}
	return true;
}

/* Return the view's tinted flag. */
bool *cv_view_tinted(struct chatview *v)
{
	return &v->tinted;
}

/* Bring it's cached lines up to date for the view's width. */
static void cv_item_layout(struct chatview *v, struct cv_item *it)
{
	if (it->width != v->width) {
		cv_item_drop_layout(it);
		it->width = v->width;
		it->header_dirty = it->reason_dirty = it->body_dirty = it->footer_dirty = true;
		it->pics_dirty = true;
	}
	if (it->header_dirty) {
		chatlayout_line_done(&it->header);
		it->has_header = it->label && (it->kind == CV_ITEM_USER || it->kind == CV_ITEM_ASSISTANT);
		char *tabs = cv_alts_header(it->alts, it->label);
		const char *h = tabs ? tabs : it->label;
		if (it->has_header)
			chatlayout_line_set(&it->header, h, strlen(h), v->width,
				    CV_STYLE_BOLD | (it->kind == CV_ITEM_USER ? CV_STYLE_USER
									      : CV_STYLE_ASSISTANT));
		free(tabs);
		it->header_dirty = false;
	}
	if (it->reason_dirty) {
		chatlayout_lines_clear(&it->reason);
		if (it->reasoning.len)
			chatlayout_reasoning(&it->reason, &it->reasoning, v->width,
					    v->reasoning_expanded, it->streaming);
		it->reason_dirty = false;
	}
	if (it->body_dirty && v->tinted && cv_alts_has_tints(it->alts)) {
		cv_alts_layout_tinted(it->alts, &it->body, v->width, CV_INDENT);
		it->n_stable = it->stable_bytes = 0;
		it->fence_bytes = 0;
		it->body_dirty = false;
	} else if (it->body_dirty) {
		cv_layout_body(it, v->width);
		it->body_dirty = false;
	}
	if (it->pics_dirty) {
		cv_layout_pics(it);
		it->pics_dirty = false;
	}
	if (it->footer_dirty) {
		chatlayout_line_done(&it->footer_line);
		it->has_footer = it->footer != NULL;
		if (it->has_footer)
			chatlayout_line_set(&it->footer_line, it->footer, strlen(it->footer), v->width,
				    it->footer_style);
		it->footer_dirty = false;
	}
}

/* Return the number of lines of item i, laying it out first. */
static size_t cv_item_lines(struct chatview *v, size_t i)
{
	struct cv_item *it = &v->items[i];
	cv_item_layout(v, it);
	return (it->has_header ? 1u : 0u) + it->reason.n + it->body.n +
	       cv_alts_tool_lines(it->alts, v->width) + it->pics.n + (it->has_footer ? 1u : 0u) + 1u;
}

/* Return line k of item i (laid out already); borrowed. */
static const struct cv_line *cv_item_line(struct chatview *v, size_t i, size_t k)
{
	struct cv_item *it = &v->items[i];
	if (it->has_header) {
		if (k == 0)
			return &it->header;
		k--;
	}
	if (k < it->reason.n)
		return &it->reason.v[k];
	k -= it->reason.n;
	if (k < it->body.n)
		return &it->body.v[k];
	k -= it->body.n;
	if (k < cv_alts_tool_lines(it->alts, v->width))
		return cv_alts_tool_line(it->alts, k);
	k -= cv_alts_tool_lines(it->alts, v->width);
	if (k < it->pics.n)
		return &it->pics.v[k];
	k -= it->pics.n;
	if (it->has_footer && k == 0)
		return &it->footer_line;
	return &chatlayout_blank;
}

/* Find the anchor that shows the last height lines: *item, *line. */
static void cv_bottom_anchor(struct chatview *v, size_t *item, size_t *line)
{
	size_t need = (size_t)v->height;
	for (size_t i = v->n; i-- > 0;) {
		size_t nl = cv_item_lines(v, i);
		if (nl >= need) {
			*item = i;
			*line = nl - need;
			return;
		}
		need -= nl;
	}
	*item = 0;
	*line = 0;
}

/* Follow again when the anchor reached the bottom. */
static void cv_normalize(struct chatview *v)
{
	if (v->follow)
		return;
	size_t bi, bl;
	cv_bottom_anchor(v, &bi, &bl);
	if (v->top_item > bi || (v->top_item == bi && v->top_line >= bl))
		chatview_bottom(v);
}

/* Move the anchor up by k lines. */
static void cv_move_up(struct chatview *v, size_t k)
{
	if (v->follow) {
		cv_bottom_anchor(v, &v->top_item, &v->top_line);
		v->follow = false;
	}
	while (k > 0) {
		if (v->top_line >= k) {
			v->top_line -= k;
			return;
		}
		k -= v->top_line;
		if (v->top_item == 0) {
			v->top_line = 0;
			return;
		}
		v->top_item--;
		v->top_line = cv_item_lines(v, v->top_item);
	}
}

/* Move the anchor down by k lines. */
static void cv_move_down(struct chatview *v, size_t k)
{
	if (v->follow || v->n == 0)
		return;
	while (k > 0) {
		size_t nl = cv_item_lines(v, v->top_item);
		if (v->top_line + k < nl) {
			v->top_line += k;
			break;
		}
		k -= nl - v->top_line;
		if (v->top_item + 1 >= v->n) {
			v->top_line = nl;
			break;
		}
		v->top_item++;
		v->top_line = 0;
	}
}

/* Scroll by lines. */
void chatview_scroll(struct chatview *v, int lines)
{
	if (lines < 0)
		cv_move_up(v, (size_t)-(long)lines);
	else
		cv_move_down(v, (size_t)lines);
	cv_normalize(v);
}

/* Scroll by a page. */
void chatview_page(struct chatview *v, int dir)
{
	int step = v->height > 3 ? v->height - 2 : 1;
	chatview_scroll(v, dir < 0 ? -step : step);
}

/* Go to the top. */
void chatview_top(struct chatview *v)
{
	v->follow = false;
	v->top_item = v->top_line = 0;
	cv_normalize(v);
}

/* Go to the bottom and follow. */
void chatview_bottom(struct chatview *v)
{
	v->follow = true;
	v->unseen = false;
}

/* Return whether following. */
bool chatview_following(const struct chatview *v)
{
	return v->follow;
}

/* Return whether text arrived below the view. */
bool chatview_unseen(const struct chatview *v)
{
	return v->unseen && !v->follow;
}

/* Fill out with the visible lines. */
int chatview_visible(struct chatview *v, const struct cv_line **out, int max)
{
	int h = v->height < max ? v->height : max;
	size_t item, line;
	if (v->follow) {
		cv_bottom_anchor(v, &item, &line);
	} else {
		item = v->top_item < v->n ? v->top_item : (v->n ? v->n - 1 : 0);
		line = v->top_line;
	}
	int k = 0;
	for (size_t i = item; i < v->n && k < h; i++) {
		size_t nl = cv_item_lines(v, i);
		for (size_t l = i == item ? line : 0; l < nl && k < h; l++)
			out[k++] = cv_item_line(v, i, l);
	}
	return k;
}

/* Return the first occurrence of q in s[from, len), ASCII case folded. */
long chatview_find(const char *s, size_t len, const char *q, size_t from)
{
	size_t ql = q ? strlen(q) : 0;
	if (ql == 0 || ql > len)
		return -1;
	for (size_t i = from; i + ql <= len; i++) {
		size_t k = 0;
		while (k < ql) {
			unsigned char a = (unsigned char)s[i + k], b = (unsigned char)q[k];
			if (a >= 'A' && a <= 'Z')
				a = (unsigned char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (unsigned char)(b - 'A' + 'a');
			if (a != b)
				break;
			k++;
		}
		if (k == ql)
			return (long)i;
	}
	return -1;
}

/* Step position (*i, *l) one line in dir; returns false at either end. */
static bool cv_step(struct chatview *v, size_t *i, size_t *l, int dir)
{
	if (dir < 0) {
		if (*l > 0) {
			(*l)--;
			return true;
		}
		if (*i == 0)
			return false;
		(*i)--;
		*l = cv_item_lines(v, *i) - 1;
		return true;
	}
	if (*l + 1 < cv_item_lines(v, *i)) {
		(*l)++;
		return true;
	}
	if (*i + 1 >= v->n)
		return false;
	(*i)++;
	*l = 0;
	return true;
}

/* Add id to ids[0, *n) unless it is there or the array is full. */
static void cv_near_add(uint64_t id, uint64_t *ids, size_t max, size_t *n)
{
	for (size_t k = 0; k < *n; k++)
		if (ids[k] == id)
			return;
	if (*n < max)
		ids[(*n)++] = id;
}

/* Collect the images near the view: the visible ones, then those on the
 * before lines above it, then those on the after lines below it. */
size_t chatview_images_near(struct chatview *v, int before, int after, uint64_t *ids, size_t max)
{
	size_t n = 0, item, line;
	if (!v->n || max == 0)
		return 0;
	if (v->follow) {
		cv_bottom_anchor(v, &item, &line);
	} else {
		item = v->top_item < v->n ? v->top_item : v->n - 1;
		line = v->top_line;
	}
	size_t top_i = item, top_l = line, i = item, l = line;
	/* The anchor may name a line past an item that has become shorter. */
	if (l >= cv_item_lines(v, i))
		l = cv_item_lines(v, i) ? cv_item_lines(v, i) - 1 : 0;
	top_l = l;
	bool more = cv_item_lines(v, i) > 0;
	for (int k = 0; more && k < v->height; k++) {
		const struct cv_line *cl = cv_item_line(v, i, l);
		if (cl->image_id)
			cv_near_add(cl->image_id, ids, max, &n);
		if (k + 1 < v->height)
			more = cv_step(v, &i, &l, 1);
	}
	size_t bi = i, bl = l;
	i = top_i;
	l = top_l;
	for (int k = 0; k < before && cv_item_lines(v, i) && cv_step(v, &i, &l, -1); k++) {
		const struct cv_line *cl = cv_item_line(v, i, l);
		if (cl->image_id)
			cv_near_add(cl->image_id, ids, max, &n);
	}
	i = bi;
	l = bl;
	for (int k = 0; more && k < after && cv_step(v, &i, &l, 1); k++) {
		const struct cv_line *cl = cv_item_line(v, i, l);
		if (cl->image_id)
			cv_near_add(cl->image_id, ids, max, &n);
	}
	return n;
}

/* Set (*i, *l) to the first (dir > 0) or last (dir < 0) visible line. */
static void cv_view_edge(struct chatview *v, int dir, size_t *i, size_t *l)
{
	if (v->follow)
		cv_bottom_anchor(v, i, l);
	else
		*i = v->top_item, *l = v->top_line;
	if (*i >= v->n) {
		*i = v->n - 1;
		*l = 0;
	}
	if (*l >= cv_item_lines(v, *i))
		*l = cv_item_lines(v, *i) - 1;
	for (int k = 1; dir < 0 && k < v->height && cv_step(v, i, l, 1); k++)
		;
}

/* Search for query in dir. */
int chatview_search(struct chatview *v, const char *query, int dir)
{
	if (!query || !*query || v->n == 0)
		return -1;
	if (!v->query || strcmp(v->query, query) != 0) {
		free(v->query);
		v->query = xstrdup(query);
	}
	size_t i, l;
	/* From the current match, or the visible lines first. */
	bool check = !v->has_match || v->match_item >= v->n;
	if (check)
		cv_view_edge(v, -dir, &i, &l);
	else
		i = v->match_item, l = v->match_line;
	size_t si = i, sl = l;
	bool wrapped = false;
	for (;;) {
		if (!check && !cv_step(v, &i, &l, dir)) {
			if (wrapped)
				return -1;
			wrapped = true;
			i = dir < 0 ? v->n - 1 : 0;
			l = dir < 0 ? cv_item_lines(v, i) - 1 : 0;
		}
		bool back = wrapped && i == si && l == sl;
		if (l < cv_item_lines(v, i)) {
			const struct cv_line *ln = cv_item_line(v, i, l);
			if (chatview_find(ln->text, ln->len, query, 0) >= 0)
				break;
		}
		if (back)
			return -1;
		check = false;
	}
	v->has_match = true;
	v->match_item = i;
	v->match_line = l;
	/* Show the match a third of the way down, with context above it. */
	v->follow = false;
	v->top_item = i;
	v->top_line = l;
	cv_move_up(v, (size_t)(v->height / 3));
	cv_normalize(v);
	return 0;
}

/* Forget the search. */
void chatview_search_clear(struct chatview *v)
{
	free(v->query);
	v->query = NULL;
	v->has_match = false;
}

/* Return the query. */
const char *chatview_search_query(const struct chatview *v)
{
	return v->query;
}
