#include <config.h>

#include "ui/chatlayout.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "ui/markdown.h"
#include "ui/width.h"
#include "ui/wrap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Reasoning is indented like body text. */
#define CHATLAYOUT_INDENT 2

/* The empty line; its text is never freed. */
struct cv_line chatlayout_blank = {.text = (char *)""};

/* Free what a line owns. */
void chatlayout_line_done(struct cv_line *l)
{
	if (l->text != chatlayout_blank.text)
		free(l->text);
	free(l->spans);
	memset(l, 0, sizeof *l);
}

/* Free every line of ls but keep the array. */
void chatlayout_lines_clear(struct cv_lines *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		chatlayout_line_done(&ls->v[i]);
	ls->n = 0;
}

/* Drop lines of ls from index k on. */
void chatlayout_lines_truncate(struct cv_lines *ls, size_t k)
{
	while (ls->n > k)
		chatlayout_line_done(&ls->v[--ls->n]);
}

/* Append an empty line to ls and return it (borrowed). */
struct cv_line *chatlayout_lines_push(struct cv_lines *ls)
{
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 8;
		ls->v = xrealloc(ls->v, ls->cap * sizeof *ls->v);
	}
	struct cv_line *l = &ls->v[ls->n++];
	memset(l, 0, sizeof *l);
	return l;
}

/* Add a span of style over [start, start + len) of l, merging with the last. */
void chatlayout_line_span(struct cv_line *l, size_t start, size_t len, unsigned style)
{
	if (!len || !style)
		return;
	if (l->n_spans) {
		struct cv_span *last = &l->spans[l->n_spans - 1];
		if (last->style == style && last->start + last->len == start) {
			last->len += len;
			return;
		}
	}
	l->spans = xrealloc(l->spans, (l->n_spans + 1) * sizeof *l->spans);
	l->spans[l->n_spans++] = (struct cv_span){start, len, style};
}

/* Append to l the text bytes s[0, n) in style; tabs become spaces to the
 * next multiple of 8 counted from *col, the column in the line's text
 * (which wrap.h counts the same way), and *col advances. */
static void chatlayout_line_add(struct cv_line *l, struct strbuf *sb, const char *s, size_t n,
				unsigned style, int *col)
{
	size_t start = sb->len;
	size_t i = 0;
	while (i < n) {
		int w = 0;
		size_t k = width_next_cluster(s + i, n - i, *col, &w);
		if (s[i] == '\t') {
			for (int t = 0; t < w; t++)
				strbuf_putc(sb, ' ');
		} else {
			strbuf_append(sb, s + i, k);
		}
		*col += w;
		i += k;
	}
	chatlayout_line_span(l, start, sb->len - start, style);
}

/* Finish line l from the bytes collected in sb. */
static void chatlayout_line_take(struct cv_line *l, struct strbuf *sb)
{
	l->len = sb->len;
	l->text = sb->data ? strbuf_detach(sb) : xstrdup("");
}

/* Make l one line of text in style, cut to width columns. */
void chatlayout_line_set(struct cv_line *l, const char *text, size_t len, int width, unsigned style)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = width_prefix(text, len, width, NULL);
	int col = 0;
	chatlayout_line_add(l, &sb, text, n, style, &col);
	chatlayout_line_take(l, &sb);
}

/* Wrap the text s[0, n) into ls (see the header): one token of one style. */
void chatlayout_text(struct cv_lines *ls, const char *s, size_t n, int width, int indent,
		     unsigned style)
{
	const struct chatlayout_tint all = {n, style};
	chatlayout_tinted(ls, s, n, width, indent, &all, 1);
}

/* Wrap tinted tokens into ls: the lines of chatlayout_text(), each cut
 * into runs at the tokens' ends. */
void chatlayout_tinted(struct cv_lines *ls, const char *s, size_t n, int width, int indent,
		       const struct chatlayout_tint *tints, size_t n_tints)
{
	struct wrap_lines wl;
	wrap_lines_init(&wl);
	wrap_text(s, n, width, indent, indent, &wl);
	size_t t = 0;
	for (size_t i = 0; i < wl.n; i++) {
		struct cv_line *l = chatlayout_lines_push(ls);
		struct strbuf sb = STRBUF_INIT;
		for (int k = 0; k < indent; k++)
			strbuf_putc(&sb, ' ');
		int col = 0;
		size_t off = wl.v[i].off, end = off + wl.v[i].len;
		while (off < end) {
			while (t < n_tints && tints[t].end <= off)
				t++;
			size_t stop = t < n_tints && tints[t].end < end ? tints[t].end : end;
			unsigned st = t < n_tints ? tints[t].style : 0;
			chatlayout_line_add(l, &sb, s + off, stop - off, st, &col);
			off = stop;
		}
		chatlayout_line_take(l, &sb);
	}
	wrap_lines_done(&wl);
}

/* Lay out reasoning text: in full, or folded to one line that shows how it
 * ends (so a streaming model visibly thinks). */
void chatlayout_reasoning(struct cv_lines *ls, const struct strbuf *r, int width,
				bool expanded, bool streaming)
{
	unsigned st = CV_STYLE_DIM | CV_STYLE_ITALIC;
	if (expanded) {
		struct cv_line *h = chatlayout_lines_push(ls);
		const char *t = "\xe2\x96\xbe reasoning (Ctrl-R folds)";
		chatlayout_line_set(h, t, strlen(t), width, CV_STYLE_DIM | CV_STYLE_MARKER);
		chatlayout_text(ls, r->data, r->len, width, CHATLAYOUT_INDENT + 2, st);
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_append(&sb, "  ", CHATLAYOUT_INDENT);
	strbuf_printf(&sb, "\xe2\x96\xb8 %s (Ctrl-R expands): ",
		      streaming ? "reasoning" : "reasoned");
	/* The tail that fits: walk back from the end, newlines as spaces. */
	int avail = width - width_of(sb.data, sb.len) - 1;
	size_t from = r->len;
	int w = 0;
	while (from > 0) {
		size_t k = from - 1;
		while (k > 0 && ((unsigned char)r->data[k] & 0xC0) == 0x80)
			k--;
		uint32_t cp;
		width_next_char(r->data + k, from - k, &cp);
		int cw = cp == '\n' || cp == '\t' ? 1 : width_char(cp);
		if (w + cw > avail)
			break;
		w += cw;
		from = k;
	}
	if (from > 0)
		strbuf_puts(&sb, "\xe2\x80\xa6");
	for (size_t i = from; i < r->len; i++)
		strbuf_putc(&sb, r->data[i] == '\n' || r->data[i] == '\t' ? ' ' : r->data[i]);
	struct cv_line *l = chatlayout_lines_push(ls);
	chatlayout_line_set(l, sb.data, sb.len, width, st);
	strbuf_done(&sb);
}

/* Return the cv_style bits for markdown.h style bits. */
static unsigned chatlayout_md_style(unsigned md)
{
	static const struct {
		unsigned md, cv;
	} map[] = {
		{MD_ST_BOLD, CV_STYLE_BOLD},
		{MD_ST_ITALIC, CV_STYLE_ITALIC},
		{MD_ST_CODE, CV_STYLE_CODE},
		{MD_ST_STRIKE, CV_STYLE_DIM},
		{MD_ST_LINK, CV_STYLE_LINK},
		{MD_ST_URL, CV_STYLE_LINK | CV_STYLE_DIM},
		{MD_ST_HEADING, CV_STYLE_HEADING},
		{MD_ST_QUOTE, CV_STYLE_QUOTE},
		{MD_ST_CODEBLOCK, CV_STYLE_CODE},
		{MD_ST_CODELABEL, CV_STYLE_CODE | CV_STYLE_BOLD},
		{MD_ST_WRAPMARK, CV_STYLE_CODE | CV_STYLE_DIM},
		{MD_ST_BULLET, CV_STYLE_MARKER | CV_STYLE_BOLD},
		{MD_ST_TABLE, CV_STYLE_MARKER},
		{MD_ST_RULE, CV_STYLE_MARKER},
		{MD_ST_DIM, CV_STYLE_DIM},
	};
	unsigned cv = 0;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (md & map[i].md)
			cv |= map[i].cv;
	return cv;
}

/* Append the rendered Markdown lines md to ls, indent cells in. */
static void chatlayout_take_md(struct cv_lines *ls, const struct md_lines *md, int indent)
{
	for (size_t i = 0; i < md->n; i++) {
		const struct md_line *ml = &md->v[i];
		struct cv_line *l = chatlayout_lines_push(ls);
		struct strbuf sb = STRBUF_INIT;
		for (int k = 0; k < indent; k++)
			strbuf_putc(&sb, ' ');
		strbuf_append(&sb, ml->text, ml->len);
		for (size_t k = 0; k < ml->n_spans; k++)
			chatlayout_line_span(l, (size_t)indent + ml->spans[k].off, ml->spans[k].len,
					     chatlayout_md_style(ml->spans[k].style));
		l->fill = chatlayout_md_style(ml->line_style);
		chatlayout_line_take(l, &sb);
	}
}

/* Render Markdown with markdown.h and take its lines over as ours. */
void chatlayout_markdown(struct cv_lines *ls, const char *s, size_t n, int width, int indent)
{
	struct md_lines md;
	md_lines_init(&md);
	md_render(s, n, width - indent > 1 ? width - indent : 1, &md);
	chatlayout_take_md(ls, &md, indent);
	md_lines_done(&md);
}

/* Lay out code lines inside an open fenced block (see md_render_code). */
void chatlayout_markdown_code(struct cv_lines *ls, const char *fence, size_t fence_len,
			      const char *s, size_t n, int width, int indent)
{
	struct md_lines md;
	md_lines_init(&md);
	md_render_code(fence, fence_len, s, n, width - indent > 1 ? width - indent : 1, &md);
	chatlayout_take_md(ls, &md, indent);
	md_lines_done(&md);
}

/* Return the stable prefix: Markdown's closed blocks; for plain text, which
 * is wrapped line by line, everything up to the last newline. */
size_t chatlayout_stable_prefix(const char *s, size_t n, bool markdown)
{
	if (markdown)
		return md_stable_prefix(s, n);
	for (size_t i = n; i-- > 0;)
		if (s[i] == '\n')
			return i + 1;
	return 0;
}
