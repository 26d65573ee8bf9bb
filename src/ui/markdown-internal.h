/* What the parts of the Markdown renderer share: src/ui/markdown.c (the
 * lines and the entry points, which run md4c), markdown-rows.c (building
 * display lines), markdown-block.c (the block callbacks, leaf blocks and
 * code blocks), markdown-inline.c (styled text buffers and the span and
 * text callbacks: links, images, entities) and markdown-table.c (tables).
 * Not for use outside them. */
#ifndef SQUINT_UI_MARKDOWN_INTERNAL_H
#define SQUINT_UI_MARKDOWN_INTERNAL_H

#include "ui/markdown.h"

#include <md4c.h>
#include <stddef.h>

#include "core/strbuf.h"
#include "ui/wrap.h"

/* Deeper nesting than this is parsed but not indented further: past it a
 * prefix would eat the whole width. */
#define MD_MAX_DEPTH 16

#define MD_FFFD  "\xEF\xBF\xBD"
#define MD_BAR   "\xE2\x94\x82" /* │ */
#define MD_HLINE "\xE2\x94\x80" /* ─ */
#define MD_CROSS "\xE2\x94\xBC" /* ┼ */
#define MD_HOOK  "\xE2\x86\xAA" /* ↪ */

/* ---- styled text buffers --------------------------------------------- */

/* A run of a styled buffer: from off to the next run's off. */
struct md_run {
	size_t off;
	unsigned style;
};

/* Text collected for one leaf block (a paragraph, a heading, a cell). */
struct md_text {
	struct strbuf s;
	struct md_run *runs;
	size_t n_runs, cap_runs;
};

/* ---- render state ---------------------------------------------------- */

enum md_box_kind { MD_BOX_QUOTE, MD_BOX_ITEM };

/* A container that prefixes every line inside it. */
struct md_box {
	int kind;
	char mark[40]; /* an item's marker, e.g. "• " or "12. " */
	size_t mark_len;
	int mark_w;
	int marked; /* the marker is drawn: later lines get spaces */
};

/* A list being rendered. */
struct md_list {
	int ordered;
	unsigned next; /* the next item's number */
	char delim;
	int tight;
	unsigned items; /* items entered so far */
};

enum md_leaf { MD_LEAF_NONE, MD_LEAF_IMPLICIT, MD_LEAF_P, MD_LEAF_H, MD_LEAF_HTML, MD_LEAF_CELL };

/* One table cell, its text moved out of the paragraph buffer. */
struct md_cell {
	struct md_text t;
	unsigned row, col;
	int align;
	int w;
};

/* Everything one md_render() call works with. */
struct md_ctx {
	int width;
	MD_SIZE src_size;
	struct md_lines *out;
	size_t n_out; /* lines this call appended */
	size_t chunk_start; /* n_out when the current chunk began */
	int pending_sep; /* the next block starts with an empty line */
	int sep_depth; /* ... inside that many containers */

	struct md_box boxes[MD_MAX_DEPTH];
	int box_depth; /* entered boxes; only the first MD_MAX_DEPTH are kept */
	int quote_depth;
	struct md_list lists[MD_MAX_DEPTH];
	int list_depth;

	/* inline text of the current leaf block */
	enum md_leaf leaf;
	unsigned h_level;
	int cell_head;
	struct md_text para;
	int n_em, n_strong, n_del, n_code, n_link, n_img;
	struct strbuf href;
	size_t link_start;
	struct strbuf src; /* an image's source */

	/* the current code block */
	int in_code;
	struct strbuf code;
	struct strbuf lang;

	/* the current table */
	int in_table, in_head;
	unsigned row, col;
	int cell_align;
	struct md_cell *cells;
	size_t n_cells, cap_cells;

	/* the display line being built */
	struct strbuf row_text;
	struct md_span *row_spans;
	size_t row_n, row_cap;
	int row_w;

	struct wrap_lines wl;
	struct strbuf tmp;
};

/* ---- markdown-inline.c ----------------------------------------------- */

/* Initialise an empty buffer. */
void md_text_init(struct md_text *t);
/* Free the buffer's memory. */
void md_text_done(struct md_text *t);
/* Empty the buffer, keeping its memory. */
void md_text_reset(struct md_text *t);
/* Append n bytes that are known to be clean, in style. */
void md_text_put(struct md_text *t, const char *s, size_t n, unsigned style);
/* md4c: an inline span starts. */
int md_cb_enter_span(MD_SPANTYPE type, void *detail, void *ud);
/* md4c: an inline span ends. */
int md_cb_leave_span(MD_SPANTYPE type, void *detail, void *ud);
/* md4c: text. */
int md_cb_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud);

/* ---- markdown-rows.c ------------------------------------------------- */

/* Append n bytes of clean text in style, w cells wide, to the current row. */
void md_row_put(struct md_ctx *x, const char *s, size_t n, unsigned style, int w);
/* Append n plain spaces to the current row. */
void md_row_pad(struct md_ctx *x, int n);
/* Append the string s, repeated n times, in style (s is one cell wide). */
void md_row_repeat(struct md_ctx *x, const char *s, int n, unsigned style);
/* Drop the trailing spaces of the current row. */
void md_row_trim(struct md_ctx *x);
/* Append the prefixes of all the open containers to the current row. */
void md_row_prefix(struct md_ctx *x, int blank);
/* Return the cells left for content after the prefixes (at least 1). */
int md_avail(const struct md_ctx *x);
/* Move the current row to the output as a new line with line_style. */
void md_row_end(struct md_ctx *x, unsigned line_style);
/* Emit an empty row to separate blocks, with the quote bars of the first
 * depth containers. */
void md_emit_blank(struct md_ctx *x, int depth);
/* Note that the next block is to be separated from the one that just ended,
 * by an empty row inside the containers open now. */
void md_sep_due(struct md_ctx *x);
/* Start a block: separate it from the previous one when that is due.  The
 * separator is drawn lazily, so that a container entered since (a quote)
 * does not draw its bar on it, and an empty one draws nothing at all. */
void md_block_start(struct md_ctx *x);
/* Append to the current row the part [off, end) of a styled buffer, walking
 * its runs from *ri (kept across calls: lines come in order). */
void md_row_put_runs(struct md_ctx *x, const char *text, size_t text_len, const struct md_run *runs,
		     size_t n_runs, size_t *ri, size_t off, size_t end, unsigned extra);
/* Emit a styled buffer wrapped at the available width: the first line after
 * lead (lead_w cells), the others indented by hang_w spaces. */
void md_emit_wrapped(struct md_ctx *x, const char *text, size_t len, const struct md_run *runs,
		     size_t n_runs, const char *lead, unsigned lead_style, int lead_w, int hang_w);

/* ---- markdown-block.c ------------------------------------------------ */

/* Start collecting inline text for a leaf of the given kind. */
void md_leaf_begin(struct md_ctx *x, enum md_leaf kind);
/* Emit the leaf block collected so far, if any, and end it. */
void md_leaf_flush(struct md_ctx *x);
/* md4c: a block starts. */
int md_cb_enter_block(MD_BLOCKTYPE type, void *detail, void *ud);
/* md4c: a block ends. */
int md_cb_leave_block(MD_BLOCKTYPE type, void *detail, void *ud);

/* ---- markdown-table.c ------------------------------------------------ */

/* Emit the table collected so far: aligned when it fits, as records when not. */
void md_emit_table(struct md_ctx *x);
/* Free the collected table cells. */
void md_table_clear(struct md_ctx *x);

#endif
