/* Word wrapping by the Unicode line breaking rules (UAX #14, libunistring),
 * with widths from width.h.
 *
 * The text is cut into display lines of at most `width` cells, indents
 * included:
 *   - '\n' is a hard break; every other break is a UAX #14 break opportunity
 *     (between words, after hyphens, between CJK characters, ...);
 *   - a URL (http://, https://, ftp://, file://, mailto:, www.) is never broken
 *     inside when it fits on a line of its own; a longer one is cut hard;
 *   - a word longer than the line is cut at a cluster boundary, never inside a
 *     character or between a character and its combining marks;
 *   - spaces and tabs at a break hang past the edge and are dropped from the
 *     line, and trailing spaces at a hard break or at the end are dropped too;
 *     leading spaces are kept (indentation) unless they alone overflow a line;
 *   - a tab advances to the next multiple of 8 counted from the start of the
 *     line's text (after the indent): callers that draw lines must expand tabs
 *     the same way (or have replaced them);
 *   - a line is wider than its space only when a single cluster is wider than
 *     the whole space (a CJK character at width 1): it then stands alone.
 * The cost is linear in the length of the text. */
#ifndef SQUINT_UI_WRAP_H
#define SQUINT_UI_WRAP_H

#include <stddef.h>

/* One display line: bytes [off, off + len) of the text, `width` cells wide
 * (the indent is not part of it: the caller draws the indent itself). */
struct wrap_line {
	size_t off;
	size_t len;
	int width;
};

/* A growable array of lines; owns v. */
struct wrap_lines {
	struct wrap_line *v;
	size_t n, cap;
};

/* Initialise an empty array (owns nothing yet). */
void wrap_lines_init(struct wrap_lines *wl);
/* Forget the lines but keep the memory for reuse. */
void wrap_lines_clear(struct wrap_lines *wl);
/* Free the memory; wl is empty and reusable afterwards. */
void wrap_lines_done(struct wrap_lines *wl);

/* Append to out the lines of the len bytes at s wrapped at width cells
 * (values below 1 count as 1).  The first line leaves indent_first cells for
 * the caller's indent, every other line (wrapped or after a '\n')
 * indent_rest; the text always gets at least one cell.  Empty text, and each
 * empty line between two '\n', gives one empty line. */
void wrap_text(const char *s, size_t len, int width, int indent_first, int indent_rest,
	       struct wrap_lines *out);

#endif
