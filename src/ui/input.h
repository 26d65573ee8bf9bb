/* The input editor's model: a multi-line UTF-8 buffer with a cursor, Emacs
 * keys, a kill buffer, undo, history and a cached layout for drawing.
 * Pure: no curses, no terminal I/O, never prints.  The curses layer feeds it
 * struct ui_event and draws what input_layout() describes. */
#ifndef SQUINT_UI_INPUT_H
#define SQUINT_UI_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/strbuf.h"
#include "ui/event.h"

/* Bracketed pastes longer than this (bytes, before normalising) are refused. */
#define INPUT_PASTE_LIMIT_DEFAULT ((size_t)1 << 20)
/* The text never grows beyond this: edits that would are refused. */
#define INPUT_MAX_BYTES ((size_t)64 << 20)
/* History keeps the newest this many entries. */
#define INPUT_HISTORY_MAX 1000

/* One visual row: a slice of the text, never holding a '\n'. */
struct input_row {
	size_t off; /* first byte in input_text() */
	size_t len; /* bytes (the '\n' ending a logical line belongs to no row) */
	int cells;  /* cells its clusters take; above the width only for whitespace
		       hanging past a soft wrap, or one cluster wider than the row */
};

/* What to draw, from input_layout(). */
struct input_layout {
	const struct input_row *rows; /* borrowed from the input: valid until the
					 next call given a non-const input */
	int n_rows;                   /* at least 1 */
	int cursor_row, cursor_col;   /* cell of the cursor: col < width always */
	int width;                    /* the width the rows were made for */
};

struct input_undo;

/* Embed it and use the functions below; the fields are private. */
struct input {
	struct strbuf text; /* always valid UTF-8, no controls but '\n' and '\t' */
	size_t cursor;      /* byte offset, always on a grapheme cluster boundary */
	int cmd, prev_cmd;  /* what this and the previous event did (kill runs,
			       typing runs, vertical moves) */
	int goal_col;       /* column kept across consecutive Up/Down */
	struct strbuf kill; /* the last kill, for Ctrl-Y */

	struct input_undo *undo; /* oldest first */
	size_t n_undo, cap_undo, undo_bytes;
	unsigned undo_group;

	char **hist;       /* oldest first, owned */
	size_t n_hist, cap_hist;
	char **hist_edit;  /* while browsing: n_hist + 1 slots (the last is the
			      draft), each NULL or the text as the user left it */
	size_t hist_pos;   /* slot on show; n_hist when not browsing */

	size_t paste_limit; /* 0: no limit */
	char *message;      /* why the last event was refused, or NULL */

	/* Layout cache; rows stay valid until the text or the width changes. */
	struct input_row *rows, *spare;
	size_t n_rows, cap_rows, cap_spare;
	int lay_width;      /* width of rows; 0: none yet */
	bool lay_valid;
	size_t lay_len;     /* text length rows were made for */
	size_t keep_prefix; /* bytes at the start unchanged since then */
	size_t keep_suffix; /* bytes at the end unchanged since then */
	char *brk;          /* line-break scratch */
	size_t cap_brk;
	int view_width;     /* the width of the last input_layout() call */
	int top;            /* first visible row, see input_first_visible_row() */
};

/* Initialise an embedded editor: empty, no history, the default paste limit. */
void input_init(struct input *in);
/* Free everything the editor owns; input_init() makes it usable again. */
void input_done(struct input *in);

/* Apply one event; returns UI_IGNORED or UI_HANDLED plus UI_REDRAW when the
 * drawing changed, UI_RELAYOUT when the text changed (the height may have),
 * UI_SUBMIT when Enter asks to send (the caller takes the text).
 *
 *   Enter, Ctrl-M            send (UI_SUBMIT); ignored when blank
 *   Alt-Enter, Shift-Enter, Ctrl-J       insert a newline
 *   Left/Right, Ctrl-B/Ctrl-F            one character (grapheme cluster)
 *   Ctrl-Left/Right, Alt-b/Alt-f         one word back / to the word's end
 *   Home/End, Ctrl-A/Ctrl-E              start/end of the logical line
 *   Ctrl-Home/End, Alt-</Alt->           start/end of the text
 *   Up/Down, Ctrl-P/Ctrl-N   a visual row; from the first/last row, older/
 *                            newer history (the draft is kept)
 *   Backspace, Ctrl-H        delete the character before (or only its last
 *                            combining mark)
 *   Delete, Ctrl-D           delete the character under; Ctrl-D on an empty
 *                            input is ignored (the caller may quit)
 *   Ctrl-K / Ctrl-U          kill to the end / start of the line (at the
 *                            end / start: the line break)
 *   Ctrl-W                   kill back to white space
 *   Alt-Backspace, Ctrl-Backspace, Ctrl-Alt-H   kill the word before
 *   Alt-d, Ctrl-Delete, Alt-Delete              kill the word after
 *   Ctrl-Y                   yank the last kill (consecutive kills join)
 *   Ctrl-_, Ctrl-/           undo (typing and deleting runs are one step)
 *   bracketed paste          insert, normalised, as one undo step; refused
 *                            over the paste limit (see input_message())
 *
 * Ignored, for the caller: Tab, Shift-Tab, Escape, PgUp/PgDn, Insert, F1,
 * Alt-Left/Right, Ctrl/Alt with Up/Down, other Ctrl and Alt keys, mouse,
 * resize.  Raw C0 bytes are read as their Ctrl-letter (0x1F as Ctrl-_). */
enum ui_result input_handle(struct input *in, const struct ui_event *ev);

/* Return the message for the status bar about why the last input_handle()
 * refused something (a paste over the limit), or NULL; borrowed, valid until
 * the next input_handle(). */
const char *input_message(const struct input *in);

/* Return the text, NUL-terminated; borrowed, valid until the next change. */
const char *input_text(const struct input *in);
/* Return the length of the text in bytes. */
size_t input_len(const struct input *in);
/* Return whether the text has no bytes at all. */
bool input_is_empty(const struct input *in);
/* Return whether the text holds nothing but white space (Enter ignores it). */
bool input_is_blank(const struct input *in);
/* Replace the whole text (normalised like a paste) as one undoable edit,
 * cursor at the end; returns 0, or -1 when it is over INPUT_MAX_BYTES. */
int input_set_text(struct input *in, const char *text);
/* Return the text as a newly allocated string the caller frees; the buffer is
 * emptied, the text added to history, undo and history browsing reset. */
char *input_take(struct input *in);
/* Empty the text as one undoable edit. */
void input_clear(struct input *in);

/* Return the cursor as a byte offset into input_text(). */
size_t input_cursor(const struct input *in);
/* Move the cursor to the cluster boundary at or before byte off. */
void input_set_cursor(struct input *in, size_t off);
/* Move the cursor to the text nearest a cell of the last layout (row, col),
 * as for a mouse click; rows are layout rows, not screen rows. */
void input_set_cursor_cell(struct input *in, int row, int col);
/* Insert n bytes at the cursor (normalised like a paste) as one undoable
 * edit; returns 0, or -1 when the text would grow over INPUT_MAX_BYTES. */
int input_insert(struct input *in, const char *s, size_t n);
/* Replace bytes [off, off + len) (widened to cluster boundaries) by n bytes
 * of s as one undoable edit, cursor after them, as completion needs;
 * returns 0, or -1 when the text would grow over INPUT_MAX_BYTES. */
int input_replace(struct input *in, size_t off, size_t len, const char *s, size_t n);

/* Set the largest bracketed paste accepted, in bytes; 0 accepts any size. */
void input_set_paste_limit(struct input *in, size_t bytes);

/* Add a copy of entry, normalised like a paste, as the newest (blank entries
 * and repeats of the newest are skipped; the oldest goes beyond
 * INPUT_HISTORY_MAX).  Ends history browsing; the text stays as it is. */
void input_history_add(struct input *in, const char *entry);
/* Replace the history by n entries, oldest first (copied; filtered as by
 * input_history_add(), only the newest INPUT_HISTORY_MAX kept). */
void input_history_load(struct input *in, const char *const *entries, size_t n);
/* Return how many history entries there are. */
size_t input_history_count(const struct input *in);
/* Return entry i (0 is the oldest); borrowed, valid until history changes. */
const char *input_history_get(const struct input *in, size_t i);

/* Describe the text wrapped to width cells (at least 1) into *out: rows
 * wrap where UAX #14 allows (after white space, between CJK characters...),
 * words wider than the row are cut at a cluster boundary, wide characters
 * never straddle the edge, white space that overflows hangs past it (stays
 * in the row, not drawn), a '\n' starts a row, and a line whose last row
 * reaches the edge gets an empty row after it for the cursor.  Cached:
 * recomputed only when the text or the width changed, and then only around
 * the edit.  Call it with the width you draw at: Up/Down use it. */
void input_layout(struct input *in, int width, struct input_layout *out);
/* Return the first row to show when max_rows fit, scrolling as little as
 * keeps the cursor in view (sticky, like a text editor; never leaving empty
 * rows below the text). */
int input_first_visible_row(struct input *in, const struct input_layout *l, int max_rows);
/* Return the end of the grapheme cluster starting at byte off; the cells it
 * takes drawn at column col of its row go to *cells.  Cells follow width.h
 * (what ncurses advances): a tab goes to the next multiple of 8 counted from
 * the row's start, so draw it as spaces; a row's cells equal width_of() of
 * its bytes.  Step through a row with this to draw it, stopping at the first
 * cluster that does not fit (hanging white space, an oversized cluster). */
size_t input_cluster_next(const struct input *in, size_t off, int col, int *cells);

#endif
