/* What the parts of the input editor share: src/ui/input.c (the buffer,
 * undo, history and the public API), input-layout.c (wrapping into rows)
 * and input-commands.c (the keys and what they do).  Not for use outside
 * them. */
#ifndef SQUINT_UI_INPUT_INTERNAL_H
#define SQUINT_UI_INPUT_INTERNAL_H

#include "ui/input.h"

#include <stdbool.h>
#include <stddef.h>

#include "core/strbuf.h"
#include "ui/event.h"

/* What an event did, for the decisions that depend on the one before it:
 * typing and deleting runs coalesce into one undo group, consecutive kills
 * grow one kill, consecutive Up/Down keep their goal column. */
enum input_cmd {
	INPUT_CMD_OTHER,
	INPUT_CMD_TYPE,
	INPUT_CMD_BACKSPACE,
	INPUT_CMD_DELETE,
	INPUT_CMD_KILL,
	INPUT_CMD_VERTICAL,
};

/* One reversible edit: at pos, ins_len bytes replaced what del holds. */
struct input_undo {
	size_t pos;
	size_t ins_len;
	char *del; /* owned; NULL when nothing was removed */
	size_t del_len;
	size_t cursor;  /* the cursor before the edit, restored by undo */
	unsigned group; /* records of one group are undone together */
};

/* ---- input.c ---------------------------------------------------------- */

/* Append s[0..n) to out normalised: CRLF and CR become '\n' (so do NEL and
 * the Unicode line/paragraph separators), other controls are dropped ('\t'
 * stays), broken UTF-8 becomes U+FFFD. */
void input_normalize(struct strbuf *out, const char *s, size_t n);
/* Write a byte count for people ("1.5 MiB") into buf. */
void input_format_size(char *buf, size_t n, size_t bytes);
/* Replace the pending message (for input_message()) by a copy of msg. */
void input_set_message(struct input *in, const char *msg);
/* Return whether the text may grow by n bytes; sets the message when not. */
bool input_room(struct input *in, size_t grow);
/* Replace [pos, pos + del) by ins[0..n) without recording undo; the layout
 * cache learns which parts of the text are still what it laid out. */
void input_splice(struct input *in, size_t pos, size_t del, const char *ins, size_t n);
/* Replace [pos, pos + del) by ins[0..n) as an undoable edit of this kind. */
void input_edit(struct input *in, size_t pos, size_t del, const char *ins, size_t n, int kind);
/* Put the cursor at off, moved forward out of any cluster it fell into. */
void input_cursor_to(struct input *in, size_t off);
/* Return the flags for an edit: the text and maybe the height changed. */
enum ui_result input_changed(void);
/* Move the cursor to off; returns the flags (a redraw only if it moved). */
enum ui_result input_move(struct input *in, size_t off);
/* Show the previous (dir < 0) or next history slot, keeping the user's
 * edits to the one being left; the draft is the slot after the newest. */
enum ui_result input_history_step(struct input *in, int dir);

/* ---- input-layout.c --------------------------------------------------- */

/* Bring the row cache up to date for width, redoing only the rows around
 * what changed. */
void input_layout_update(struct input *in, int width);
/* Return the width Up/Down wrap at: the last one drawn, else none. */
int input_nav_width(const struct input *in);
/* Find the cell (row, col) of byte off in the (valid) cached layout. */
void input_cell_of(const struct input *in, size_t off, int *row, int *col);
/* Return the boundary in row r nearest to column goal without passing it;
 * a soft-wrapped row's end belongs to the next row, so it is not offered. */
size_t input_row_offset(const struct input *in, size_t r, int goal);

#endif
