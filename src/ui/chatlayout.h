/* Text -> the styled lines of the chat pane, for one width: plain wrapping
 * and Markdown answers, each line owning its text and style spans.  Pure:
 * no curses, no I/O. */
#ifndef SQUINT_UI_CHATLAYOUT_H
#define SQUINT_UI_CHATLAYOUT_H

#include "core/strbuf.h"
#include "ui/chatview.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable array of lines; each line is owned. */
struct cv_lines {
	struct cv_line *v;
	size_t n, cap;
};

/* The empty line (static: never free its text). */
extern struct cv_line chatlayout_blank;

/* Free what line l owns; it is empty afterwards. */
void chatlayout_line_done(struct cv_line *l);
/* Free every line of ls but keep its array. */
void chatlayout_lines_clear(struct cv_lines *ls);
/* Free the lines of ls from index k on. */
void chatlayout_lines_truncate(struct cv_lines *ls, size_t k);
/* Append an empty line to ls; returns it, borrowed until ls changes. */
struct cv_line *chatlayout_lines_push(struct cv_lines *ls);
/* Style bytes [start, start + len) of l (spans must come in order). */
void chatlayout_line_span(struct cv_line *l, size_t start, size_t len, unsigned style);

/* Make l one line holding text (len bytes) in style, cut at width columns. */
void chatlayout_line_set(struct cv_line *l, const char *text, size_t len, int width,
			 unsigned style);
/* Append the text s[0, n) to ls wrapped at width columns, every line
 * indented by indent spaces, a newline starting a new line. */
void chatlayout_text(struct cv_lines *ls, const char *s, size_t n, int width, int indent,
		     unsigned style);
/* One token of tinted text: it ends at byte end of the text, in style. */
struct chatlayout_tint {
	size_t end;
	unsigned style;
};
/* Append the text s[0, n) to ls wrapped like chatlayout_text(), each token
 * (tints, in order, ends increasing) in its own style. */
void chatlayout_tinted(struct cv_lines *ls, const char *s, size_t n, int width, int indent,
		       const struct chatlayout_tint *tints, size_t n_tints);
/* Append the Markdown text s[0, n) to ls, rendered and wrapped at width
 * columns with indent spaces in front of every line. */
void chatlayout_markdown(struct cv_lines *ls, const char *s, size_t n, int width, int indent);
/* Append s[0, n), lines inside an open fenced code block that began with
 * fence[0, fence_len), laid out as chatlayout_markdown() lays them out there
 * (see md_open_fence). */
void chatlayout_markdown_code(struct cv_lines *ls, const char *fence, size_t fence_len,
			      const char *s, size_t n, int width, int indent);
/* Return how many bytes at the start of the Markdown (or plain) text s[0, n)
 * form blocks that later text cannot change, so they can be laid out once. */
size_t chatlayout_stable_prefix(const char *s, size_t n, bool markdown);
/* Append reasoning text r to ls: in full when expanded, else one dimmed line
 * showing how it ends; streaming says whether it is still arriving. */
void chatlayout_reasoning(struct cv_lines *ls, const struct strbuf *r, int width, bool expanded,
			  bool streaming);

#endif
