#include <config.h>

#include "ui/markdown.h"
#include "ui/markdown-internal.h"

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "ui/width.h"

#include <md4c.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

/* ---- styled text buffers --------------------------------------------- */

/* Initialise an empty buffer. */
void md_text_init(struct md_text *t)
{
	strbuf_init(&t->s);
	t->runs = NULL;
	t->n_runs = 0;
	t->cap_runs = 0;
}

/* Free the buffer's memory. */
void md_text_done(struct md_text *t)
{
	strbuf_done(&t->s);
	free(t->runs);
	md_text_init(t);
}

/* Empty the buffer, keeping its memory. */
void md_text_reset(struct md_text *t)
{
	strbuf_reset(&t->s);
	t->n_runs = 0;
}

/* Make the text appended next carry style. */
static void md_text_style(struct md_text *t, unsigned style)
{
	if (t->n_runs > 0) {
		struct md_run *last = &t->runs[t->n_runs - 1];
		if (last->style == style)
			return;
		if (last->off == t->s.len) {
			/* The last run is still empty: restyle it, or drop it
			 * when that makes it continue the one before. */
			if (t->n_runs > 1 && t->runs[t->n_runs - 2].style == style)
				t->n_runs--;
			else
				last->style = style;
			return;
		}
	}
	if (t->n_runs == t->cap_runs) {
		t->cap_runs = t->cap_runs ? t->cap_runs * 2 : 8;
		t->runs = xrealloc(t->runs, t->cap_runs * sizeof *t->runs);
	}
	t->runs[t->n_runs].off = t->s.len;
	t->runs[t->n_runs].style = style;
	t->n_runs++;
}

/* Append n bytes that are known to be clean, in style. */
void md_text_put(struct md_text *t, const char *s, size_t n, unsigned style)
{
	if (n == 0)
		return;
	md_text_style(t, style);
	strbuf_append(&t->s, s, n);
}

/* Append n bytes of source text in style, making it safe to draw: controls
 * and invalid UTF-8 become U+FFFD, tabs a space, '\n' a hard break when
 * keep_nl (else a space). */
static void md_text_put_clean(struct md_text *t, const char *s, size_t n, unsigned style,
			      int keep_nl)
{
	if (n == 0)
		return;
	md_text_style(t, style);
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x7F)
			j++;
		strbuf_append(&t->s, s + i, j - i);
		if (j == n)
			break;
		unsigned char b = (unsigned char)s[j];
		if (b == '\n') {
			strbuf_putc(&t->s, keep_nl ? '\n' : ' ');
			j++;
		} else if (b == '\t') {
			strbuf_putc(&t->s, ' ');
			j++;
		} else if (b < 0x80) {
			strbuf_append(&t->s, MD_FFFD, 3);
			j++;
		} else {
			uint32_t c;
			size_t k = width_next_char(s + j, n - j, &c);
			if ((c == 0xFFFD && k == 1) || (c >= 0x80 && c < 0xA0))
				strbuf_append(&t->s, MD_FFFD, 3);
			else
				strbuf_append(&t->s, s + j, k);
			j += k;
		}
		i = j;
	}
}

/* ---- md4c callbacks: spans and text ---------------------------------- */

/* Return the style of inline text at this point. */
static unsigned md_cur_style(const struct md_ctx *x)
{
	unsigned st = 0;
	if (x->quote_depth > 0)
		st |= MD_ST_QUOTE;
	if (x->leaf == MD_LEAF_H)
		st |= MD_ST_HEADING | MD_ST_BOLD;
	if (x->leaf == MD_LEAF_CELL && x->cell_head)
		st |= MD_ST_BOLD;
	if (x->n_em)
		st |= MD_ST_ITALIC;
	if (x->n_strong)
		st |= MD_ST_BOLD;
	if (x->n_del)
		st |= MD_ST_STRIKE;
	if (x->n_code)
		st |= MD_ST_CODE;
	if (x->n_link || x->n_img)
		st |= MD_ST_LINK;
	return st;
}

/* Append the text after a link: " (url)", unless the text already is it. */
static void md_link_end(struct md_ctx *x)
{
	const char *h = x->href.data;
	size_t hn = x->href.len;
	if (hn == 0)
		return;
	const char *t = x->para.s.data ? x->para.s.data + x->link_start : "";
	size_t tn = x->para.s.len - x->link_start;
	static const char *const schemes[] = {"", "mailto:", "http://", "https://"};
	for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
		size_t k = strlen(schemes[i]);
		if (hn == k + tn && strncmp(h, schemes[i], k) == 0 && memcmp(h + k, t, tn) == 0)
			return;
	}
	unsigned base = x->quote_depth > 0 ? MD_ST_QUOTE : 0;
	md_text_put(&x->para, " ", 1, md_cur_style(x));
	md_text_put(&x->para, "(", 1, base | MD_ST_URL);
	md_text_put_clean(&x->para, h, hn, base | MD_ST_URL, 0);
	md_text_put(&x->para, ")", 1, base | MD_ST_URL);
}

/* Start an implicit leaf when text arrives outside any (a tight list item). */
static void md_need_leaf(struct md_ctx *x)
{
	if (x->leaf == MD_LEAF_NONE)
		md_leaf_begin(x, MD_LEAF_IMPLICIT);
}

/* md4c: an inline span starts. */
int md_cb_enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
	struct md_ctx *x = ud;
	md_need_leaf(x);
	switch (type) {
	case MD_SPAN_EM:
		x->n_em++;
		break;
	case MD_SPAN_STRONG:
		x->n_strong++;
		break;
	case MD_SPAN_DEL:
		x->n_del++;
		break;
	case MD_SPAN_CODE:
		x->n_code++;
		break;
	case MD_SPAN_A:
		if (x->n_link++ == 0) {
			const MD_SPAN_A_DETAIL *d = detail;
			strbuf_reset(&x->href);
			if (d->href.text)
				strbuf_append(&x->href, d->href.text, d->href.size);
			x->link_start = x->para.s.len;
		}
		break;
	case MD_SPAN_IMG:
		if (x->n_img++ == 0) {
			const MD_SPAN_IMG_DETAIL *d = detail;
			strbuf_reset(&x->src);
			if (d->src.text)
				strbuf_append(&x->src, d->src.text, d->src.size);
			md_text_put(&x->para, "[image: ", 8, md_cur_style(x));
		}
		break;
	default:
		break;
	}
	return 0;
}

/* md4c: an inline span ends. */
int md_cb_leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
	struct md_ctx *x = ud;
	(void)detail;
	md_need_leaf(x);
	switch (type) {
	case MD_SPAN_EM:
		x->n_em--;
		break;
	case MD_SPAN_STRONG:
		x->n_strong--;
		break;
	case MD_SPAN_DEL:
		x->n_del--;
		break;
	case MD_SPAN_CODE:
		x->n_code--;
		break;
	case MD_SPAN_A:
		if (--x->n_link == 0)
			md_link_end(x);
		break;
	case MD_SPAN_IMG:
		if (x->n_img == 1) {
			md_text_put(&x->para, "]", 1, md_cur_style(x));
			x->n_img--;
			if (x->src.len) {
				unsigned base = x->quote_depth > 0 ? MD_ST_QUOTE : 0;
				md_text_put(&x->para, " ", 1, md_cur_style(x));
				md_text_put(&x->para, "(", 1, base | MD_ST_URL);
				md_text_put_clean(&x->para, x->src.data, x->src.len,
						  base | MD_ST_URL, 0);
				md_text_put(&x->para, ")", 1, base | MD_ST_URL);
			}
		} else if (x->n_img > 0) {
			x->n_img--;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* Append the character an entity ("&amp;", "&#x1F600;") stands for, or the
 * entity itself when it is not one we know. */
static void md_put_entity(struct md_ctx *x, const char *s, size_t n)
{
	static const struct {
		const char *name;
		const char *utf8;
	} names[] = {
		{"&amp;", "&"},		  {"&lt;", "<"},	    {"&gt;", ">"},
		{"&quot;", "\""},	  {"&apos;", "'"},	    {"&nbsp;", "\xC2\xA0"},
		{"&copy;", "\xC2\xA9"},	  {"&reg;", "\xC2\xAE"},    {"&trade;", "\xE2\x84\xA2"},
		{"&hellip;", "\xE2\x80\xA6"}, {"&mdash;", "\xE2\x80\x94"}, {"&ndash;", "\xE2\x80\x93"},
		{"&laquo;", "\xC2\xAB"},  {"&raquo;", "\xC2\xBB"},  {"&times;", "\xC3\x97"},
		{"&middot;", "\xC2\xB7"}, {"&deg;", "\xC2\xB0"},    {"&rarr;", "\xE2\x86\x92"},
		{"&larr;", "\xE2\x86\x90"},
	};
	unsigned st = md_cur_style(x);
	if (n >= 4 && s[1] == '#') {
		unsigned long c = 0;
		int hex = s[2] == 'x' || s[2] == 'X';
		char *end;
		char buf[16];
		size_t k = n - (hex ? 3 : 2) - 1;
		if (k > 0 && k < sizeof buf) {
			memcpy(buf, s + (hex ? 3 : 2), k);
			buf[k] = '\0';
			c = strtoul(buf, &end, hex ? 16 : 10);
			if (*end)
				c = 0xFFFD;
		} else {
			c = 0xFFFD;
		}
		if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) || c < 0x20 ||
		    (c >= 0x7F && c < 0xA0))
			c = 0xFFFD;
		uint8_t u[6];
		int m = u8_uctomb(u, (ucs4_t)c, sizeof u);
		if (m > 0)
			md_text_put(&x->para, (const char *)u, (size_t)m, st);
		return;
	}
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		if (strlen(names[i].name) == n && memcmp(names[i].name, s, n) == 0) {
			md_text_put(&x->para, names[i].utf8, strlen(names[i].utf8), st);
			return;
		}
	}
	md_text_put_clean(&x->para, s, n, st, 0);
}

/* Return whether s[0..n) is only spaces. */
static int md_all_spaces(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ')
			return 0;
	return 1;
}

/* md4c: text. */
int md_cb_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
	struct md_ctx *x = ud;
	/* No text can be longer than the source, but for the spaces md4c
	 * makes of tabs that indent code (four for each at most): anything
	 * else is a parser bug, better dropped than followed into unmapped
	 * memory. */
	if (size > x->src_size && (size / 4 > x->src_size || !md_all_spaces(text, size)))
		return 0;
	if (x->in_code) {
		if (type == MD_TEXT_NULLCHAR)
			strbuf_append(&x->code, MD_FFFD, 3);
		else
			strbuf_append(&x->code, text, size);
		return 0;
	}
	md_need_leaf(x);
	unsigned st = md_cur_style(x);
	switch (type) {
	case MD_TEXT_NULLCHAR:
		md_text_put(&x->para, MD_FFFD, 3, st);
		break;
	case MD_TEXT_BR:
		md_text_put(&x->para, x->leaf == MD_LEAF_CELL ? " " : "\n", 1, st);
		break;
	case MD_TEXT_SOFTBR:
		md_text_put(&x->para, " ", 1, st);
		break;
	case MD_TEXT_ENTITY:
		md_put_entity(x, text, size);
		break;
	case MD_TEXT_HTML:
		md_text_put_clean(&x->para, text, size, st, x->leaf == MD_LEAF_HTML);
		break;
	default:
		md_text_put_clean(&x->para, text, size, st, 0);
		break;
	}
	return 0;
}
