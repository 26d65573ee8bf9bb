/* The conversation pane without curses: items (turns, notices, errors) laid
 * out into styled lines for one width, a viewport that follows new text or
 * stays put, and search.
 *
 * Each item caches its lines for the current width; while an answer streams
 * only its open tail is laid out again, so a frame costs what is visible,
 * never the length of the conversation.  Text given to the view must already
 * be sanitized (core/sanitize.h): the view trusts it to hold no controls. */
#ifndef SQUINT_UI_CHATVIEW_H
#define SQUINT_UI_CHATVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Style bits of a span; the curses layer maps them to attributes. */
enum cv_style {
	CV_STYLE_BOLD = 1u << 0,
	CV_STYLE_DIM = 1u << 1,
	CV_STYLE_ITALIC = 1u << 2,
	CV_STYLE_UNDERLINE = 1u << 3,
	CV_STYLE_CODE = 1u << 4,      /* inline code or a code block: own background */
	CV_STYLE_LINK = 1u << 5,      /* link text or its URL */
	CV_STYLE_QUOTE = 1u << 6,     /* block quote text and bar */
	CV_STYLE_HEADING = 1u << 7,
	CV_STYLE_USER = 1u << 8,      /* the user's label */
	CV_STYLE_ASSISTANT = 1u << 9, /* an answer's label */
	CV_STYLE_ERROR = 1u << 10,
	CV_STYLE_NOTICE = 1u << 11,   /* help, demo note, command feedback */
	CV_STYLE_MARKER = 1u << 12,   /* decorations: wrap marks, code labels, rules */
	CV_STYLE_CONTROL = 1u << 13,  /* a control character shown visibly */
	/* A token tinted by its probability (F2), most to least likely. */
	CV_STYLE_PROB_HIGH = 1u << 14,
	CV_STYLE_PROB_MID = 1u << 15,
	CV_STYLE_PROB_LOW = 1u << 16,
	CV_STYLE_PROB_VLOW = 1u << 17,
	CV_STYLE_SELECTED = 1u << 18, /* the token whose alternatives are shown */
};

/* A run of one style over bytes [start, start + len) of a line's text. */
struct cv_span {
	size_t start, len;
	unsigned style;
};

/* One screen row of laid-out text: valid UTF-8 that fits the width. */
struct cv_line {
	char *text;
	size_t len;
	struct cv_span *spans; /* in order, not overlapping; gaps are unstyled */
	size_t n_spans;
	unsigned fill; /* style painted from the end of the text to the edge */
	/* A row of an image (image_id != 0): no text, the image's row
	 * image_row of image_rows, image_cols cells wide from the left. */
	uint64_t image_id;
	int image_row, image_rows, image_cols;
};

enum cv_kind {
	CV_ITEM_USER,      /* a question: label line, then plain text */
	CV_ITEM_ASSISTANT, /* an answer: label line, reasoning, Markdown text */
	CV_ITEM_NOTICE,    /* a note from squint: plain text, no label */
	CV_ITEM_ERROR,     /* an error line: no label */
};

struct chatview;

/* Return a new, empty view; the caller frees it with chatview_delete(). */
struct chatview *chatview_new(void);
/* Free v and everything it holds (NULL is fine). */
void chatview_delete(struct chatview *v);
/* Drop every item and go back to following the bottom. */
void chatview_clear(struct chatview *v);

/* Set the pane's size in cells; layouts for another width are redone lazily. */
void chatview_resize(struct chatview *v, int width, int height);

/* Append an item with the first len bytes of text; label (may be NULL) is
 * copied.  Returns the item's id for the calls below. */
size_t chatview_add(struct chatview *v, enum cv_kind kind, const char *label, const char *text,
		    size_t len);
/* Return the number of items. */
size_t chatview_count(const struct chatview *v);
/* Show an image under item id's text in cols x rows cells (whole rows: it
 * is alone on them); image_id (not 0) names it for the drawing code. */
void chatview_add_image(struct chatview *v, size_t id, uint64_t image_id, int cols,
			int rows);
/* Change the cells of every showing of image_id (after a resize). */
void chatview_set_image_size(struct chatview *v, uint64_t image_id, int cols, int rows);
/* Return whether any item shows image_id. */
bool chatview_has_image(const struct chatview *v, uint64_t image_id);
/* Call fn for every image the view shows (its id and cells), in order. */
void chatview_each_image(const struct chatview *v,
			 void (*fn)(void *ud, uint64_t image_id, int cols, int rows),
			 void *ud);
/* Append len bytes of (sanitized) text to item id. */
void chatview_append(struct chatview *v, size_t id, const char *text, size_t len);
/* Append len bytes of (sanitized) reasoning text to item id. */
void chatview_append_reasoning(struct chatview *v, size_t id, const char *text, size_t len);
/* Replace item id's label (NULL: none). */
void chatview_set_label(struct chatview *v, size_t id, const char *label);
/* Set the one line shown under item id's text (NULL: none), in style. */
void chatview_set_footer(struct chatview *v, size_t id, const char *text, unsigned style);
/* Mark whether item id is still streaming (its tail is laid out again on
 * every change while it is). */
void chatview_set_streaming(struct chatview *v, size_t id, bool streaming);
/* Show reasoning in full (true) or folded to one line (false). */
void chatview_set_reasoning_expanded(struct chatview *v, bool expanded);
/* Return whether reasoning is shown in full. */
bool chatview_reasoning_expanded(const struct chatview *v);

/* Scroll by lines (negative: towards older text).  Reaching the bottom
 * follows new text again. */
void chatview_scroll(struct chatview *v, int lines);
/* Scroll by a page less two lines of context (dir < 0: up). */
void chatview_page(struct chatview *v, int dir);
/* Go to the first line of the conversation. */
void chatview_top(struct chatview *v);
/* Go to the bottom and follow new text. */
void chatview_bottom(struct chatview *v);
/* Return whether the view follows new text (it is at the bottom). */
bool chatview_following(const struct chatview *v);
/* Return whether text arrived below the view since the user scrolled away. */
bool chatview_unseen(const struct chatview *v);

/* Fill out with up to max lines to draw, top to bottom (borrowed, valid
 * until the next change to v); returns how many (fewer than the height when
 * the conversation is short). */
int chatview_visible(struct chatview *v, const struct cv_line **out, int max);

/* Store in ids (at most max, each once) the images the view shows, then
 * those on the before lines above it, then those on the after lines below
 * it (to prepare them before they scroll in); returns how many. */
size_t chatview_images_near(struct chatview *v, int before, int after, uint64_t *ids, size_t max);

/* Search for query (case-insensitive for ASCII) from the current match, or
 * from the view's edge, towards older text (dir < 0) or newer (dir > 0),
 * wrapping around once; the match's line is brought into view.  Returns 0,
 * or -1 when nothing matches (the view does not move). */
int chatview_search(struct chatview *v, const char *query, int dir);
/* Forget the current query and match. */
void chatview_search_clear(struct chatview *v);
/* Return the current query, or NULL; borrowed. */
const char *chatview_search_query(const struct chatview *v);
/* Return the byte offset of the first occurrence of q (ASCII letters
 * compared without case) in s[from, len), or -1. */
long chatview_find(const char *s, size_t len, const char *q, size_t from);

/* ---- answers with several choices, tool calls and token tints
 * (chatview-alt.c).  Choice 0 is the one chatview_append() fills until
 * another is shown; every text must already be sanitized. */

/* Append text (or reasoning) to choice c of answer id; the answer shows
 * tabs ("[1/3]" after its label) once it has several choices. */
void chatview_append_choice(struct chatview *v, size_t id, size_t c, bool reasoning,
			    const char *text, size_t len);
/* Return the number of choices of item id (1 for an item without any). */
size_t chatview_n_choices(struct chatview *v, size_t id);
/* Return the choice item id shows. */
size_t chatview_shown_choice(struct chatview *v, size_t id);
/* Show choice c of item id; returns 0, or -1 when it has no such choice. */
int chatview_show_choice(struct chatview *v, size_t id, size_t c);
/* Set tool call block k of choice c of item id: a title line and a body
 * (pretty-printed arguments, several lines), both copied. */
void chatview_set_tool(struct chatview *v, size_t id, size_t c, size_t k, const char *title,
		       const char *body);
/* Append one token of choice c of item id with its log probability, for
 * the tinted view. */
void chatview_append_tint(struct chatview *v, size_t id, size_t c, const char *text, size_t len,
			  double logprob);
/* Return the number of tinted tokens of the shown choice of item id. */
size_t chatview_n_tints(struct chatview *v, size_t id);
/* Mark token k of item id's shown choice as selected ((size_t)-1: none). */
void chatview_select_token(struct chatview *v, size_t id, size_t k);
/* Show answers that have tokens as tinted tokens (true) or as Markdown. */
void chatview_set_tinted(struct chatview *v, bool on);
/* Return whether answers are shown tinted. */
bool chatview_tinted(struct chatview *v);
/* Return the CV_STYLE_PROB_* style for a token's log probability. */
unsigned chatview_prob_style(double logprob);

#endif
