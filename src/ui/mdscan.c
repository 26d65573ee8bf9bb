#include <config.h>

/* The block scanner behind streaming: it finds the stable points of a
 * Markdown text (where every block before is closed for good) without
 * parsing it, one cheap pass over its lines. */

#include "ui/mdscan.h"

#include "core/xalloc.h"

#include <stdint.h>
#include <string.h>

/* Return whether [s, e) is a list item marker line: "-", "*", "+" or 1-9
 * digits and "." or ")", then a space, a tab or the end of the line. */
static int md_is_list_marker(const char *s, const char *e)
{
	if (s < e && (*s == '-' || *s == '*' || *s == '+'))
		return s + 1 == e || s[1] == ' ' || s[1] == '\t';
	const char *p = s;
	while (p < e && p - s < 9 && *p >= '0' && *p <= '9')
		p++;
	if (p == s || p == e || (*p != '.' && *p != ')'))
		return 0;
	p++;
	return p == e || *p == ' ' || *p == '\t';
}

/* Return whether [s, e) is a thematic break ("---", "* * *", "___"). */
static int md_is_rule(const char *s, const char *e)
{
	char ch = s < e ? *s : 0;
	if (ch != '-' && ch != '*' && ch != '_')
		return 0;
	int n = 0;
	for (const char *p = s; p < e; p++) {
		if (*p == ch)
			n++;
		else if (*p != ' ' && *p != '\t')
			return 0;
	}
	return n >= 3;
}

/* Return the length of the fence run (3+ '`' or '~') at [s, e), or 0. */
static size_t md_fence_len(const char *s, const char *e, char *ch)
{
	if (s >= e || (*s != '`' && *s != '~'))
		return 0;
	const char *p = s;
	while (p < e && *p == *s)
		p++;
	if (p - s < 3)
		return 0;
	if (*s == '`' && memchr(p, '`', (size_t)(e - p)))
		return 0; /* a backtick fence's info string has no backtick */
	*ch = *s;
	return (size_t)(p - s);
}

/* Return c with an ASCII capital made small. */
static int md_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Return whether [s, e) contains the NUL-terminated needle, the case of
 * ASCII letters ignored (only of letters: "<\x0fscript>" is no
 * "</script>"). */
static int md_has_ci(const char *s, const char *e, const char *needle)
{
	size_t k = strlen(needle);
	for (const char *p = s; p + k <= e; p++) {
		size_t i = 0;
		while (i < k && md_lower(p[i]) == md_lower(needle[i]))
			i++;
		if (i == k)
			return 1;
	}
	return 0;
}

/* Return whether [s, e) opens an HTML block of CommonMark's kind 6 (a
 * block-level tag; the block ends at an empty line), as md4c 0.4.8 has
 * them: it knows no h2 to h6 and no search, and it stops at the first
 * name of its list that starts the tag's name, so that basefont,
 * colgroup, frameset, header, link, menuitem, param, thead and track
 * (after base, col, frame, head, li, menu, p, th and tr) are not of this
 * kind either.  (Tags md4c takes for another kind are murky.) */
static int md_html_kind6(const char *s, const char *e)
{
	static const char *const names[] = {
		"address", "article", "aside",	 "base",    "blockquote", "body",	"caption",
		"center",  "col",     "dd",	 "details", "dialog",	  "dir",	"div",
		"dl",	   "dt",      "fieldset", "figcaption", "figure", "footer",	"form",
		"frame",   "h1",      "head",	 "hr",	    "html",	  "iframe",	"legend",
		"li",	   "main",    "menu",	 "nav",	    "noframes",	  "ol",		"optgroup",
		"option",  "p",	      "section", "source",  "summary",	  "table",	"tbody",
		"td",	   "tfoot",   "th",	 "title",   "tr",	  "ul",
	};
	if (s >= e || *s != '<')
		return 0;
	const char *p = s + 1;
	if (p < e && *p == '/')
		p++;
	const char *n = p;
	while (p < e && (((unsigned)((*p | 0x20) - 'a') < 26u) || (*p >= '0' && *p <= '9')))
		p++;
	if (p == n || !(p == e || *p == ' ' || *p == '\t' || *p == '>' ||
			(*p == '/' && p + 1 < e && p[1] == '>')))
		return 0;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strlen(names[i]) == (size_t)(p - n) && md_has_ci(n, p, names[i]))
			return 1;
	return 0;
}

/* What ends an HTML block of kind 1: md4c 0.4.8 ends one at any of
 * "</pre>", "</script>" and "</style>", whichever tag opened it. */
static const char md_kind1_end[] = "</pre>";

/* Return whether the line [s, e) ends an open HTML block of kind 1 or 2
 * whose end marker is end. */
static int md_html_closes(const char *end, const char *s, const char *e)
{
	if (end == md_kind1_end)
		return md_has_ci(s, e, "</pre>") || md_has_ci(s, e, "</script>") ||
		       md_has_ci(s, e, "</style>");
	return md_has_ci(s, e, end);
}

/* If [s, e) opens an HTML block that runs past empty lines (CommonMark
 * kinds 1 and 2), set *kind12, and return its end marker unless it closes
 * on the same line.  md4c 0.4.8 knows no <textarea> of kind 1, and looks
 * for the end from the '<' on: "<!-->" opens and closes a comment. */
static const char *md_html_opener(const char *s, const char *e, int *kind12)
{
	static const char *const tags[] = {"<pre", "<script", "<style"};
	if (s >= e || *s != '<')
		return NULL;
	if (e - s >= 4 && memcmp(s, "<!--", 4) == 0) {
		*kind12 = 1;
		return md_has_ci(s + 2, e, "-->") ? NULL : "-->";
	}
	for (size_t i = 0; i < sizeof tags / sizeof *tags; i++) {
		size_t k = strlen(tags[i]);
		if ((size_t)(e - s) < k || !md_has_ci(s, s + k, tags[i]))
			continue;
		if ((size_t)(e - s) > k && s[k] != ' ' && s[k] != '>' && s[k] != '\t')
			continue;
		*kind12 = 1;
		return md_html_closes(md_kind1_end, s + k, e) ? NULL : md_kind1_end;
	}
	return NULL;
}

/* Return whether [s, e) starts a link reference definition: "[label]:". */
static int md_is_refdef(const char *s, const char *e)
{
	if (s >= e || *s != '[')
		return 0;
	int label = 0;
	for (const char *p = s + 1; p < e; p++) {
		if (*p == '\\' && p + 1 < e) {
			p++;
			label = 1;
		} else if (*p == '[') {
			return 0;
		} else if (*p == ']') {
			return label && p + 1 < e && p[1] == ':';
		} else if (*p != ' ' && *p != '\t') {
			label = 1;
		}
	}
	return 0;
}

/* Scan src for stable points (see md_stable_prefix) and return the first
 * one (first_only) or the last, 0 when there is none.  When esc is not NULL,
 * record in it where the lines scanned start link reference definitions.
 * At a stable point the scan is back in its initial state, so scanning on
 * from there and scanning the rest afresh find the same points. */
size_t md_scan(const char *src, size_t len, int first_only, struct md_escs *esc,
	       struct md_open_fence *open)
{
	size_t stable = 0;
	char fence_ch = 0;
	size_t fence_n = 0; /* an open fence's length (0: none) */
	int fence_quote = 0; /* the open fence is inside a block quote */
	const char *html_end = NULL; /* an open HTML block's end marker */
	int in_list = 0;
	/* Seen a line that may open an HTML block: md4c's kinds 3 to 7 are
	 * not modelled (what a fence line inside one is, where it ends), so
	 * no point after it is called stable. */
	int murky = 0;
	int list_indent = 0;  /* the latest bare list item's content column */
	int fence_list = 0;   /* the open fence's item's content column (0: none) */
	int in_icode = 0; /* the current block is indented code */
	int prev_blank = 1;
	/* What md4c's previous line was, as far as a line indented by 4
	 * columns or more (outside lists) cares.  After an empty line (or
	 * the closing line of a fence: md4c reads it as one) or indented
	 * code, that is indented code.  After paragraph text it is not
	 * (indented code does not interrupt a paragraph), and md4c 0.4.8
	 * then tries it as the opening line of a fence, or of an HTML block,
	 * with no limit on the indent: "text\n\t```" opens a fence.  After
	 * anything else (a heading, a rule, an HTML block, a table, a quote
	 * or a list, which md4c each reads its own way) it is not known. */
	enum { MD_AFTER_BLANK, MD_AFTER_TEXT, MD_AFTER_OTHER } after = MD_AFTER_BLANK;
	/* The open fence's opening line, the end of its fence run, the end of
	 * its last complete line (SIZE_MAX: the fence is not at the top). */
	size_t fence_line = SIZE_MAX, fence_mark = 0, fence_body = 0;
	int last_quote = 0; /* the previous line was in a block quote */
	int piped = 0; /* a line since the last empty one held '|': a table? */
	size_t a = 0;
	while (a < len) {
		/* An unfinished last line is scanned for definitions only: it
		 * is never stable, whatever it holds so far. */
		/* Lines end at LF, CR or CRLF, as md4c reads them; a CR that
		 * ends the text may yet be half a CRLF: unfinished. */
		const char *nl = memchr(src + a, '\n', len - a);
		const char *cr = memchr(src + a, '\r', (size_t)((nl ? nl : src + len) - (src + a)));
		if (cr)
			nl = cr;
		int unfinished = nl == NULL || (*nl == '\r' && nl + 1 == src + len);
		const char *s = src + a;
		const char *e = nl ? nl : src + len;
		size_t next = len;
		if (nl && !unfinished)
			next = (size_t)(nl - src) + (*nl == '\r' && nl[1] == '\n' ? 2 : 1);
		/* No stable point right after a lone CR: in a shorter text the
		 * same CR could be half a CRLF, and the point not found. */
		int lone_cr = nl && *nl == '\r' && next == (size_t)(nl - src) + 1;
		int indent = 0;
		const char *p = s;
		while (p < e && (*p == ' ' || *p == '\t')) {
			indent = *p == '\t' ? indent + 4 - indent % 4 : indent + 1;
			p++;
		}
		int blank = p == e;
		int before_quote = last_quote;
		last_quote = p < e && *p == '>';
		int before_pipe = piped;
		piped = blank ? 0 : piped || memchr(s, '|', (size_t)(e - s)) != NULL;
		a = next;
		int before = after;
		after = MD_AFTER_OTHER;

		/* A fence inside a list item ends with the item: at a line with
		 * text left of the item's content (code has no lazy lines). */
		if (fence_n && fence_list && !blank && indent < fence_list) {
			/* Left of every item's content the list is over too
			 * (after code there is no lazy line to keep it).  md4c
			 * still tries such a line as the fence's closing line:
			 * one is taken as that, one with an info string or too
			 * short becomes paragraph text, anything else is read
			 * afresh. */
			char ch;
			size_t n = md_fence_len(p, e, &ch);
			int closing = n && ch == fence_ch; /* or text, if short */
			fence_n = 0;
			/* Past this md4c has too many corners to follow. */
			murky = 1;
			if (indent < 2)
				in_list = 0;
			if (closing) {
				prev_blank = 0;
				continue;
			}
		}
		if (fence_n) {
			const char *r = p;
			if (fence_quote) {
				/* A fence inside a quote ends with the quote: at an
				 * empty line or a line without '>'. */
				if (r == e || *r != '>') {
					/* md4c tries a fence line of the same
					 * character there as the closing line:
					 * it is eaten, never a new fence. */
					char ch;
					size_t n = md_fence_len(p, e, &ch);
					fence_n = 0;
					if (n && ch == fence_ch) {
						prev_blank = 0;
						continue;
					}
				} else {
					while (r < e && (*r == '>' || *r == ' ' || *r == '\t'))
						r++;
				}
			}
			if (fence_n) {
				char ch;
				size_t n = md_fence_len(r, e, &ch);
				if (n >= fence_n && ch == fence_ch &&
				    (indent <= 3 || in_list || fence_quote)) {
					/* Only spaces may follow (md4c 0.4.8
					 * takes "```\t" for a code line). */
					const char *q = r + n;
					while (q < e && *q == ' ')
						q++;
					if (q == e) {
						fence_n = 0;
						after = MD_AFTER_BLANK;
					}
				}
				if (!unfinished)
					fence_body = next;
				prev_blank = 0;
				continue;
			}
		}
		if (html_end && !*html_end && blank)
			html_end = NULL; /* kind 6 ends here; the empty line is read below */
		if (html_end) {
			if (*html_end && md_html_closes(html_end, s, e))
				html_end = NULL;
			prev_blank = 0;
			continue;
		}
		if (blank) {
			after = MD_AFTER_BLANK;
			if (!in_list && !in_icode && !unfinished && !murky && !lone_cr) {
				stable = next;
				if (first_only)
					break;
			}
			prev_blank = 1;
			continue;
		}
		if (prev_blank && in_list && indent < 2 && !md_is_list_marker(p, e))
			in_list = 0;
		/* Indented code runs on past empty lines.  An indented line that
		 * merely continues a paragraph is taken for code too: that only
		 * delays the next stable point.  (Indent is in columns, a tab
		 * running to the next multiple of 4, as md4c counts it.) */
		in_icode = indent >= 4 && !in_list;
		prev_blank = 0;
		char ch;
		size_t n;
		if (in_icode) {
			if (before == MD_AFTER_BLANK) {
				after = MD_AFTER_BLANK; /* more indented code */
				continue;
			}
			/* No code to md4c.  A fence after paragraph text is
			 * followed here (see after); one after anything else,
			 * and an HTML block (md4c opens one at any indent too),
			 * are not: past them nothing is called stable. */
			if (*p == '<')
				murky = 1;
			n = md_fence_len(p, e, &ch);
			if (!n || before != MD_AFTER_TEXT) {
				if (n)
					murky = 1;
				/* Else lazy text: still a paragraph. */
				if (!n && before == MD_AFTER_TEXT && !piped)
					after = MD_AFTER_TEXT;
				continue;
			}
			/* A fence, though it looks like code to everyone but
			 * md4c: never continued apart (alone it is code). */
			in_icode = 0;
			fence_ch = ch;
			fence_n = n;
			fence_quote = 0;
			fence_list = 0;
			fence_line = SIZE_MAX;
			fence_mark = (size_t)(p + n - src);
			fence_body = next;
			continue;
		}
		/* Look past list markers and quote marks for a fence or a list. */
		const char *q = p;
		int quoted = 0;
		for (;;) {
			if (q < e && *q == '>') {
				quoted = 1;
				q++;
				while (q < e && (*q == ' ' || *q == '\t'))
					q++;
				continue;
			}
			if (!md_is_rule(q, e) && md_is_list_marker(q, e)) {
				/* A list in a quote ends with the quote, at the
				 * next empty line: only a bare list goes on. */
				if (!quoted)
					in_list = 1;
				while (q < e && *q != ' ' && *q != '\t')
					q++;
				const char *mark_end = q;
				while (q < e && (*q == ' ' || *q == '\t'))
					q++;
				/* Content starts after the marker and its spaces,
				 * or one column after the marker when those are
				 * more than four or the line ends there. */
				if (!quoted)
					list_indent = (q == e || q - mark_end > 4)
							      ? (int)(mark_end - s) + 1
							      : (int)(q - s);
				continue;
			}
			break;
		}
		if (esc && md_is_refdef(q, e)) {
			if (esc->n == esc->cap) {
				esc->cap = esc->cap ? esc->cap * 2 : 8;
				esc->v = xrealloc(esc->v, esc->cap * sizeof *esc->v);
			}
			esc->v[esc->n++] = (size_t)(q - src);
		}
		n = md_fence_len(q, e, &ch);
		/* In what may be a table a fence line is a row to md4c, in a
		 * paragraph it opens code: which one is not modelled.  Nor are
		 * all the ways md4c ends a fence in a quote or a list, or right
		 * after a quote (fuzzing kept finding new ones): past such a
		 * fence nothing is called stable. */
		if (n && (before_pipe || quoted || before_quote || in_list))
			murky = 1;
		if (n) {
			fence_ch = ch;
			fence_n = n;
			fence_quote = quoted;
			/* A fence left of the latest item's content is no lazy
			 * line: left of every item's, the list has ended before
			 * it; else it is in an outer item, whose content column
			 * is only known to be 2 or more. */
			int left_item = in_list && q == p && indent < list_indent;
			int left_list = left_item && indent < 2;
			if (left_list)
				in_list = 0;
			fence_list = in_list && !quoted ? (left_item ? 2 : list_indent) : 0;
			/* Only a complete opening line at the top (no quote, no
			 * list, no marker before it, not right after a quote,
			 * whose own fence md4c may take it to close, nor in what
			 * may be a table, whose rows run on to an empty line) can
			 * be continued apart. */
			int top = !quoted && !in_list && !left_list && !murky && q == p && !unfinished &&
				  !before_quote &&
				  !before_pipe;
			fence_line = top ? (size_t)(s - src) : SIZE_MAX;
			fence_mark = (size_t)(q + n - src);
			fence_body = next;
			continue;
		}
		int kind12 = 0;
		html_end = md_html_opener(q, e, &kind12);
		/* In a quote or a list item such a block also ends with it
		 * (at an empty line and a line left of it): not modelled. */
		if (kind12 && (quoted || in_list))
			murky = 1;
		if (!kind12 && !quoted && !in_list && md_html_kind6(q, e)) {
			html_end = ""; /* runs to the next empty line */
		} else if (!kind12 && q + 1 < e && *q == '<' &&
		    ((unsigned)((q[1] | 0x20) - 'a') < 26u || q[1] == '/' || q[1] == '!' ||
		     q[1] == '?'))
			murky = 1;
		/* Paragraph text for sure: not in a quote or a list, no
		 * table (no '|' since the last empty line), no HTML, no
		 * heading, rule or setext or table underline. */
		if (q == p && !in_list && !piped && !html_end && !kind12 &&
		    !memchr("#=-:|<>", *p, 7) && !md_is_rule(p, e))
			after = MD_AFTER_TEXT;
	}
	if (open) {
		int inside = fence_n && fence_line != SIZE_MAX && fence_line >= stable;
		open->line = inside ? fence_line : SIZE_MAX;
		open->mark_end = inside ? fence_mark : 0;
		open->body = inside ? fence_body : 0;
	}
	return stable;
}

/* Return the end of the last stable empty line, or 0 (see markdown.h). */
size_t md_stable_prefix(const char *src, size_t len)
{
	return md_scan(src, len, 0, NULL, NULL);
}

/* Tell whether src ends inside a fenced code block at the top level (see
 * markdown.h). */
int md_open_fence(const char *src, size_t len, struct md_open_fence *f)
{
	md_scan(src, len, 0, NULL, f);
	return f->line != SIZE_MAX;
}
