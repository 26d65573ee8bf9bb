/* Display width of UTF-8 text, in terminal cells.
 *
 * The rule everywhere: a width is the number of cells the cursor advances
 * when the text is drawn through ncurses.  ncurses places characters by
 * wcwidth(), so we follow per-code-point widths (libunistring's uc_width with
 * the "UTF-8" encoding: East Asian ambiguous characters are narrow) and only
 * ever round *up* where terminals disagree, because a line that is a cell too
 * short leaves a blank while a line that is a cell too long breaks the layout.
 *
 *   - printable ASCII and most scripts: 1; CJK and other East Asian wide: 2;
 *   - combining marks, ZWJ, ZWSP, variation selectors, tags: 0;
 *   - U+1F300..U+1FAFF (the emoji blocks, even their few narrow symbols): 2;
 *     a narrow character followed by VS16 (U+FE0F, emoji presentation): 2;
 *   - a pair of regional indicators (a flag): 2 (1 + 1, as wcwidth says);
 *   - a ZWJ sequence (family, profession emoji) and a skin-tone modifier
 *     count as the sum of their visible parts (👨‍👩‍👧 is 6): that is what
 *     wcwidth, ncurses, xterm, VTE and tmux do; terminals that fuse the
 *     sequence into one glyph draw it narrower and leave blank cells;
 *   - C0 controls, DEL and C1 controls: 2, the width of their caret form
 *     ("^A") - callers should have made them visible already;
 *   - a byte that is not valid UTF-8: 1 (drawn as U+FFFD), one byte at a time;
 *   - a tab advances to the next multiple of 8 from the column it starts at.
 *
 * A "cluster" here is what must never be split across lines: a character and
 * the zero-width characters that follow it, a VS16 sequence, a ZWJ sequence,
 * an emoji with its skin-tone modifier, a flag.  Invalid bytes and controls are
 * clusters of their own. */
#ifndef SQUINT_UI_WIDTH_H
#define SQUINT_UI_WIDTH_H

#include <stddef.h>
#include <stdint.h>

/* Decode the character at s (len > 0 bytes available) into *c and return its
 * length in bytes; an invalid or truncated sequence gives U+FFFD and 1 byte.
 * Returns 0 when len is 0. */
size_t width_next_char(const char *s, size_t len, uint32_t *c);

/* Return the width of the code point c on its own (a tab counts 8, as at
 * column 0; a lone combining mark 0; a control 2). */
int width_char(uint32_t c);

/* Return the byte length of the cluster at s and store its width, drawn from
 * column col (which only matters for tabs), in *cols.  Returns 0 when len is 0. */
size_t width_next_cluster(const char *s, size_t len, int col, int *cols);

/* Return the width of the len bytes at s drawn from column col (tabs). */
int width_of_at(const char *s, size_t len, int col);

/* Return the width of the len bytes at s drawn from column 0. */
int width_of(const char *s, size_t len);

/* Return how many bytes of s fit in max_cols cells from column 0 without
 * splitting a cluster, and store their width in *cols_out (may be NULL). */
size_t width_prefix(const char *s, size_t len, int max_cols, int *cols_out);

#endif
