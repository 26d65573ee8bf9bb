/* Markdown (md4c, GitHub dialect) -> styled, wrapped display lines.
 *
 * Pure layout: no curses, no terminal I/O.  md_render() turns a Markdown
 * text into lines no wider than `width` cells (except where a single
 * character is wider than the space left for it), each a UTF-8 string with
 * style spans covering it from start to end.  How things look:
 *
 *   - paragraphs: wrapped by wrap.h; blocks are separated by one empty line;
 *     a hard break ("  \n" or "\\\n") starts a new line, a soft break is a space;
 *   - headings: "# ", "## ", ... (MD_ST_HEADING | MD_ST_DIM) then the text
 *     (MD_ST_HEADING | MD_ST_BOLD); wrapped lines hang under the text;
 *   - emphasis MD_ST_ITALIC, strong MD_ST_BOLD, ~~strike~~ MD_ST_STRIKE,
 *     `code` MD_ST_CODE (the text is kept, the backticks are not);
 *   - links: the text (MD_ST_LINK), then " (url)" with "(url)" MD_ST_URL,
 *     left out when the text is the URL (autolinks); images: "[image: alt]"
 *     (MD_ST_LINK) then " (src)";
 *   - fenced and indented code: a label row "─ lang ─" (MD_ST_CODELABEL) when
 *     the fence names a language, then one row per line, never wrapped at
 *     words: a line longer than the width is cut at the width and continues
 *     on the next row after a "↪" (MD_ST_WRAPMARK); tabs expanded to 8;
 *     every row of the block, label included, has line_style
 *     MD_ST_CODEBLOCK and its text spans carry MD_ST_CODEBLOCK;
 *     an open fence (a streaming answer) is a code block to the end;
 *   - lists: "• " / "◦ " / "▪ " by depth, "1. " (the source's start number and
 *     '.' or ')'), "[ ] " / "[x] " for task items (all MD_ST_BULLET); wrapped
 *     and following lines hang under the item's text; nested lists indent;
 *     tight lists have no empty lines between items, loose ones do;
 *   - block quotes: every line starts "│ " (MD_ST_QUOTE), text inside also
 *     carries MD_ST_QUOTE; nested quotes repeat the bar;
 *   - tables: when the natural widths fit, aligned columns (left, centre,
 *     right as the source says) separated by " │ ", and a "───┼───" rule under
 *     the header (separators and rule MD_ST_TABLE, header cells MD_ST_BOLD);
 *     when they do not fit, each body row becomes a record of one wrapped
 *     "Header: value" line per cell (header MD_ST_BOLD), records separated by
 *     an empty line;
 *   - horizontal rules: "─" across the width (MD_ST_RULE);
 *   - HTML, block or inline, is shown as the plain text it is;
 *   - link reference definitions ("[1]: https://...") are shown as written
 *     and references ("[text][1]") are not resolved: a definition arriving
 *     at the end of an answer would otherwise change lines drawn long ago;
 *   - control characters and invalid UTF-8 become U+FFFD: a line's text is
 *     always valid UTF-8 without tabs or controls, so widths are exact.
 *
 * Prefixes (quote bars, bullets, the indentation under a list item) are part
 * of a line's text, with their own spans. */
#ifndef SQUINT_UI_MARKDOWN_H
#define SQUINT_UI_MARKDOWN_H

#include <stddef.h>

/* Style bits of a span or a line. */
#define MD_ST_BOLD      0x0001u
#define MD_ST_ITALIC    0x0002u
#define MD_ST_CODE      0x0004u /* inline code */
#define MD_ST_STRIKE    0x0008u
#define MD_ST_LINK      0x0010u /* a link's text */
#define MD_ST_URL       0x0020u /* the "(url)" shown after a link */
#define MD_ST_HEADING   0x0040u
#define MD_ST_QUOTE     0x0080u
#define MD_ST_CODEBLOCK 0x0100u
#define MD_ST_CODELABEL 0x0200u /* a code block's language label */
#define MD_ST_WRAPMARK  0x0400u /* the "↪" that starts a continued code row */
#define MD_ST_BULLET    0x0800u /* list markers */
#define MD_ST_TABLE     0x1000u /* table separators and header rule */
#define MD_ST_RULE      0x2000u /* horizontal rules */
#define MD_ST_DIM       0x4000u

/* A run of bytes [off, off + len) of a line's text in one style (0: plain). */
struct md_span {
	size_t off, len;
	unsigned style;
};

/* One display line.  text is NUL-terminated; the spans cover it in order,
 * without gaps.  line_style MD_ST_CODEBLOCK asks the drawer to paint the
 * code background from the end of the text to the right edge as well. */
struct md_line {
	char *text;
	size_t len;
	struct md_span *spans;
	size_t n_spans;
	unsigned line_style;
	int width; /* cells */
};

/* A growable array of lines; owns the lines and their text and spans. */
struct md_lines {
	struct md_line *v;
	size_t n, cap;
};

/* Initialise an empty array. */
void md_lines_init(struct md_lines *ls);
/* Free every line from index n on (keep the first n) and keep the array. */
void md_lines_truncate(struct md_lines *ls, size_t n);
/* Free every line and keep the array for reuse. */
void md_lines_clear(struct md_lines *ls);
/* Free everything; ls is empty and reusable afterwards. */
void md_lines_done(struct md_lines *ls);

/* Render the len bytes of Markdown at src for width cells (values below 1
 * count as 1) and append the lines to out, which owns them.  Empty input
 * appends nothing.
 *
 * Streaming: the text is parsed one chunk at a time, cut at its stable
 * points (md_stable_prefix), and every chunk that ends at one and showed
 * anything is followed by one empty line.  So for any p that
 * md_stable_prefix() returned for any prefix of src, rendering src[0..p) and
 * then src[p..len) into the same md_lines gives exactly the lines of
 * rendering src[0..len): the TUI renders a stable prefix once, keeps those
 * lines, and re-renders only the tail as tokens arrive. */
void md_render(const char *src, size_t len, int width, struct md_lines *out);

/* Return the byte offset up to which src holds complete blocks that no
 * appended text can change: the end of the last empty line that is outside
 * a fenced code block, an indented code block, a list (whose items may go on
 * after an empty line) and an HTML <pre>/<script>/<style>/comment
 * block; 0 when there is none.  It never decreases as text is appended.  It
 * costs one pass over src; to avoid rescanning a long answer, keep the last
 * result p and scan on from there: q = md_stable_prefix(src + p, len - p)
 * gives the same answer, p + q, when q > 0 (and p when q is 0). */
size_t md_stable_prefix(const char *src, size_t len);

/* Where a text ends inside an unclosed fenced code block (offsets into the
 * text scanned). */
struct md_open_fence {
	size_t line;     /* its opening line */
	size_t mark_end; /* just past the opening line's indent and fence run */
	size_t body;     /* just past its last complete line */
};

/* Return 1 and fill *f when src, which starts at a stable point (or at its
 * beginning), ends inside a fenced code block that is not in a list or a
 * quote and whose opening line is complete; else return 0.  Inside such a
 * block every complete line is laid out alone: a streaming answer's cache
 * keeps the lines of src[0..body) and renders what follows with
 * md_render_code(src + line, mark_end - line, ...), so a long code block
 * costs per token only its last line, not the whole block again. */
int md_open_fence(const char *src, size_t len, struct md_open_fence *f);

/* Append the lines md_render() gives to the len bytes at src inside a
 * fenced code block whose opening line starts with the fence[0..fence_len)
 * (indent and fence run, no info string): the code rows alone, without the
 * label row. */
void md_render_code(const char *fence, size_t fence_len, const char *src, size_t len, int width,
		    struct md_lines *out);

#endif
