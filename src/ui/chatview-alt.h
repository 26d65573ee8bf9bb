/* What chatview.c and chatview-alt.c share: an answer's choices, tool call
 * blocks and token tints live in a struct cv_alts that chatview.c holds per
 * item without knowing its inside.  Private to those two files. */
#ifndef SQUINT_UI_CHATVIEW_ALT_H
#define SQUINT_UI_CHATVIEW_ALT_H

#include "core/strbuf.h"
#include "ui/chatlayout.h"
#include "ui/chatview.h"

#include <stdbool.h>
#include <stddef.h>

struct cv_alts;

/* An item's parts, borrowed from chatview.c until the item changes. */
struct cv_item_ref {
	struct strbuf *text, *reasoning; /* of the shown choice */
	struct cv_alts **alts;           /* NULL until chatview-alt.c makes one */
};

/* How much of an item to lay out again after a change (cv_item_ref). */
enum cv_dirty {
	CV_DIRTY_NONE,
	CV_DIRTY_TEXT, /* header and body (more text, more choices, tints) */
	CV_DIRTY_ALL,  /* everything (another choice is shown) */
};

/* (chatview.c) Point r at item id's parts and mark what dirty says for
 * layout; returns false when there is no item id. */
bool cv_item_ref(struct chatview *v, size_t id, enum cv_dirty dirty, struct cv_item_ref *r);
/* (chatview.c) Return the view's "show tints" flag, to read or change. */
bool *cv_view_tinted(struct chatview *v);

/* Free a (NULL is fine). */
void cv_alts_delete(struct cv_alts *a);
/* Return the header for label with a's tabs ("label  [2/3]"), newly
 * allocated, or NULL when the label goes as it is. */
char *cv_alts_header(const struct cv_alts *a, const char *label);
/* Lay the shown choice's tool blocks out for width if needed; returns how
 * many lines they take. */
size_t cv_alts_tool_lines(struct cv_alts *a, int width);
/* Return tool block line k (laid out already); borrowed. */
const struct cv_line *cv_alts_tool_line(const struct cv_alts *a, size_t k);
/* Forget the laid-out tool lines (the width changed). */
void cv_alts_drop_layout(struct cv_alts *a);
/* Return whether the shown choice of a has tinted tokens. */
bool cv_alts_has_tints(const struct cv_alts *a);
/* Lay the shown choice's tinted tokens out into body (cleared first). */
void cv_alts_layout_tinted(const struct cv_alts *a, struct cv_lines *body, int width, int indent);

#endif
