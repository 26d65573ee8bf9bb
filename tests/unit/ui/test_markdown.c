#include <config.h>

/* cmocka needs these first, in this order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "core/strbuf.h"
#include "ui/markdown.h"
#include "ui/width.h"

/* Check what every rendered line must satisfy: NUL-terminated valid UTF-8
 * without controls or tabs, spans covering the text in order, the width
 * right, and (max_w > 0) no wider than max_w. */
static void check_lines(const struct md_lines *ls, int max_w)
{
	for (size_t i = 0; i < ls->n; i++) {
		const struct md_line *l = &ls->v[i];
		assert_non_null(l->text);
		assert_int_equal(l->text[l->len], '\0');
		assert_int_equal(strlen(l->text), l->len);
		assert_null(u8_check((const uint8_t *)l->text, l->len));
		for (size_t k = 0; k < l->len; k++) {
			unsigned char b = (unsigned char)l->text[k];
			assert_true(b >= 0x20 && b != 0x7F);
		}
		size_t off = 0;
		for (size_t k = 0; k < l->n_spans; k++) {
			assert_int_equal(l->spans[k].off, off);
			assert_true(l->spans[k].len > 0);
			off += l->spans[k].len;
		}
		assert_int_equal(off, l->len);
		assert_int_equal(l->width, width_of(l->text, l->len));
		if (max_w > 0)
			assert_true(l->width <= max_w);
	}
}

/* Render src at width into ls (cleared first) and check the lines. */
static void render(const char *src, int width, struct md_lines *ls)
{
	md_lines_clear(ls);
	md_render(src, strlen(src), width, ls);
	check_lines(ls, width >= 10 ? width : 0);
}

/* Return the line texts of ls joined by '\n'; the caller frees it. */
static char *join(const struct md_lines *ls)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < ls->n; i++) {
		if (i)
			strbuf_putc(&sb, '\n');
		strbuf_append(&sb, ls->v[i].text, ls->v[i].len);
	}
	if (!sb.data)
		strbuf_puts(&sb, "");
	return strbuf_detach(&sb);
}

/* Assert that src rendered at width gives exactly the lines of want. */
#define assert_md(src, width, want)                                                                \
	do {                                                                                       \
		struct md_lines ls_;                                                               \
		md_lines_init(&ls_);                                                               \
		render((src), (width), &ls_);                                                      \
		char *got_ = join(&ls_);                                                           \
		assert_string_equal(got_, (want));                                                 \
		free(got_);                                                                        \
		md_lines_done(&ls_);                                                               \
	} while (0)

/* Return the style of the span holding the first byte of needle in line l,
 * checking that the span holds all of it. */
static unsigned style_of(const struct md_line *l, const char *needle)
{
	const char *p = strstr(l->text, needle);
	assert_non_null(p);
	size_t off = (size_t)(p - l->text);
	for (size_t k = 0; k < l->n_spans; k++) {
		const struct md_span *sp = &l->spans[k];
		if (off >= sp->off && off < sp->off + sp->len) {
			assert_true(off + strlen(needle) <= sp->off + sp->len);
			return sp->style;
		}
	}
	fail();
	return 0;
}

static void test_empty(void **state)
{
	(void)state;
	struct md_lines ls;
	md_lines_init(&ls);
	md_render("", 0, 80, &ls);
	assert_int_equal(ls.n, 0);
	md_render("\n\n\n", 3, 80, &ls);
	assert_int_equal(ls.n, 0);
	md_render("   \n", 4, 80, &ls);
	assert_int_equal(ls.n, 0);
	md_lines_done(&ls);
	md_lines_done(&ls);
}

static void test_paragraphs(void **state)
{
	(void)state;
	const char *src = "The quick brown fox jumps over the lazy dog.\n\nSecond one.";
	assert_md(src, 20, "The quick brown fox\njumps over the lazy\ndog.\n\nSecond one.");
	assert_md(src, 200, "The quick brown fox jumps over the lazy dog.\n\nSecond one.");
	assert_md(src, 10, "The quick\nbrown fox\njumps over\nthe lazy\ndog.\n\nSecond\none.");
	/* Many empty lines in the source are one on screen; soft breaks are
	 * spaces, hard breaks new lines. */
	assert_md("a\n\n\n\nb", 20, "a\n\nb");
	assert_md("a\nb", 20, "a b");
	assert_md("a  \nb\\\nc", 20, "a\nb\nc");
	/* Tabs inside text are spaces. */
	assert_md("a\tb", 20, "a b");
}

static void test_headings(void **state)
{
	(void)state;
	assert_md("# Title\n\ntext", 20, "# Title\n\ntext");
	assert_md("### Three\nSetext\n======", 20, "### Three\n\n# Setext");
	assert_md("## A heading that wraps", 12, "## A heading\n   that\n   wraps");
	assert_md("#", 20, "# ");
	struct md_lines ls;
	md_lines_init(&ls);
	render("## Big *news*", 40, &ls);
	assert_int_equal(ls.n, 1);
	assert_int_equal(style_of(&ls.v[0], "##"), MD_ST_HEADING | MD_ST_DIM);
	assert_int_equal(style_of(&ls.v[0], "Big"), MD_ST_HEADING | MD_ST_BOLD);
	assert_int_equal(style_of(&ls.v[0], "news"), MD_ST_HEADING | MD_ST_BOLD | MD_ST_ITALIC);
	md_lines_done(&ls);
}

static void test_emphasis(void **state)
{
	(void)state;
	struct md_lines ls;
	md_lines_init(&ls);
	render("plain **bold** *it* ~~gone~~ `x = 1` ***both***", 80, &ls);
	assert_int_equal(ls.n, 1);
	const struct md_line *l = &ls.v[0];
	assert_string_equal(l->text, "plain bold it gone x = 1 both");
	assert_int_equal(style_of(l, "plain"), 0);
	assert_int_equal(style_of(l, "bold"), MD_ST_BOLD);
	assert_int_equal(style_of(l, "it"), MD_ST_ITALIC);
	assert_int_equal(style_of(l, "gone"), MD_ST_STRIKE);
	assert_int_equal(style_of(l, "x = 1"), MD_ST_CODE);
	assert_int_equal(style_of(l, "both"), MD_ST_BOLD | MD_ST_ITALIC);
	/* Styles go on across a wrap. */
	render("**one two three**", 5, &ls);
	assert_int_equal(ls.n, 3);
	assert_int_equal(style_of(&ls.v[1], "two"), MD_ST_BOLD);
	assert_int_equal(ls.v[1].n_spans, 1);
	/* Unfinished emphasis (a streaming answer) shows as typed. */
	render("some **bold and `code", 80, &ls);
	assert_string_equal(ls.v[0].text, "some **bold and `code");
	assert_int_equal(style_of(&ls.v[0], "bold"), 0);
	md_lines_done(&ls);
}

static void test_links(void **state)
{
	(void)state;
	struct md_lines ls;
	md_lines_init(&ls);
	render("See [the docs](https://ex.com/d) now.", 80, &ls);
	assert_string_equal(ls.v[0].text, "See the docs (https://ex.com/d) now.");
	assert_int_equal(style_of(&ls.v[0], "the docs"), MD_ST_LINK);
	assert_int_equal(style_of(&ls.v[0], "(https://ex.com/d)"), MD_ST_URL);
	assert_int_equal(style_of(&ls.v[0], " now."), 0);
	/* Autolinks: the text is the URL, shown once. */
	render("<https://a.b/c> and https://d.e/f and www.g.h and me@x.org", 80, &ls);
	assert_string_equal(ls.v[0].text, "https://a.b/c and https://d.e/f and www.g.h and me@x.org");
	assert_int_equal(style_of(&ls.v[0], "https://a.b/c"), MD_ST_LINK);
	assert_int_equal(style_of(&ls.v[0], "www.g.h"), MD_ST_LINK);
	render("[https://a.b](https://a.b)", 80, &ls);
	assert_string_equal(ls.v[0].text, "https://a.b");
	/* The URL moves to its own line rather than being cut. */
	assert_md("Read [this](https://example.com/x/y)", 25,
		  "Read this\n(https://example.com/x/y)");
	/* Images. */
	render("![a cat](cat.png)", 80, &ls);
	assert_string_equal(ls.v[0].text, "[image: a cat] (cat.png)");
	assert_int_equal(style_of(&ls.v[0], "[image: a cat]"), MD_ST_LINK);
	assert_int_equal(style_of(&ls.v[0], "(cat.png)"), MD_ST_URL);
	md_lines_done(&ls);
}

static void test_code_blocks(void **state)
{
	(void)state;
	/* md4c turns leading tabs into spaces (tab stops of 4); other tabs
	 * are expanded to stops of 8. */
	const char *src = "```c\nint main(void) { return 0; }\n\tx;\ta\n```\nafter";
	assert_md(src, 40,
		  "─ c ─\nint main(void) { return 0; }\n    x;  a\n\nafter");
	assert_md(src, 12,
		  "─ c ─\nint main(voi\n↪d) { return\n↪ 0; }\n    x;  a\n\nafter");
	struct md_lines ls;
	md_lines_init(&ls);
	render(src, 12, &ls);
	assert_int_equal(ls.n, 7);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(ls.v[i].line_style, MD_ST_CODEBLOCK);
		assert_true(ls.v[i].width <= 12);
	}
	assert_int_equal(ls.v[5].line_style, 0);
	assert_int_equal(style_of(&ls.v[0], "─ c ─"), MD_ST_CODEBLOCK | MD_ST_CODELABEL);
	assert_int_equal(style_of(&ls.v[1], "int"), MD_ST_CODEBLOCK);
	assert_int_equal(style_of(&ls.v[2], "↪"), MD_ST_CODEBLOCK | MD_ST_WRAPMARK);
	assert_int_equal(style_of(&ls.v[2], "d)"), MD_ST_CODEBLOCK);
	/* In a text shorter than the spaces md4c makes of its tabs, an
	 * indented code line keeps its indent. */
	assert_md("```\n\t\t\tx", 40, "            x");
	assert_md("```\nx\n\t\t\t", 40, "x\n            ");
	/* Markdown inside code is text; blank lines inside are kept. */
	assert_md("```\n**not bold**\n\n# nor a heading\n```", 40,
		  "**not bold**\n\n# nor a heading");
	render("```\n**not bold**\n\n# nor a heading\n```", 40, &ls);
	assert_int_equal(ls.n, 3);
	assert_int_equal(ls.v[1].line_style, MD_ST_CODEBLOCK);
	assert_int_equal(ls.v[1].len, 0);
	/* Wide characters are never cut: one that does not fit moves down. */
	assert_md("```\nab中文\n```", 3, "ab\n↪中\n↪文");
	/* Indented code has no label. */
	assert_md("para\n\n    indented\n      more", 40, "para\n\nindented\n  more");
	/* An open fence while streaming: a code block to the end. */
	assert_md("Look:\n\n```python\nprint(1)\n\nx = [", 40,
		  "Look:\n\n─ python ─\nprint(1)\n\nx = [");
	render("```python\nprint(1)\n\nx = [", 40, &ls);
	assert_int_equal(ls.n, 4);
	for (size_t i = 0; i < ls.n; i++)
		assert_int_equal(ls.v[i].line_style, MD_ST_CODEBLOCK);
	/* Controls and bad bytes inside code become U+FFFD. */
	assert_md("```\na\x01" "b\xFF" "c\n```", 40, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c");
	/* An empty block is one empty row, so that it shows. */
	render("```\n```", 40, &ls);
	assert_int_equal(ls.n, 1);
	assert_int_equal(ls.v[0].line_style, MD_ST_CODEBLOCK);
	md_lines_done(&ls);
}

static void test_lists(void **state)
{
	(void)state;
	assert_md("- one\n- two\n- three", 20, "• one\n• two\n• three");
	assert_md("Intro:\n\n* a\n* b\n\nOutro.", 20, "Intro:\n\n• a\n• b\n\nOutro.");
	/* Hanging indent, nested lists, wrapping. */
	const char *nested = "- first item that wraps\n"
			     "  - nested item that also wraps\n"
			     "    - third level\n"
			     "- last";
	assert_md(nested, 16,
		  "• first item\n"
		  "  that wraps\n"
		  "  ◦ nested item\n"
		  "    that also\n"
		  "    wraps\n"
		  "    ▪ third\n"
		  "      level\n"
		  "• last");
	assert_md(nested, 80,
		  "• first item that wraps\n"
		  "  ◦ nested item that also wraps\n"
		  "    ▪ third level\n"
		  "• last");
	struct md_lines ls;
	md_lines_init(&ls);
	render(nested, 16, &ls);
	assert_int_equal(style_of(&ls.v[0], "•"), MD_ST_BULLET);
	assert_int_equal(style_of(&ls.v[2], "◦"), MD_ST_BULLET);
	assert_int_equal(style_of(&ls.v[0], "first"), 0);
	/* Ordered lists keep their start and delimiter. */
	assert_md("3. three\n4. four", 20, "3. three\n4. four");
	assert_md("1) a\n1) b\n1) c", 20, "1) a\n2) b\n3) c");
	assert_md("9. nine\n10. ten wraps here", 10, "9. nine\n10. ten\n    wraps\n    here");
	/* Loose lists keep an empty line between items; items hold blocks. */
	assert_md("- a\n\n- b\n\n  more b", 20, "• a\n\n• b\n\n  more b");
	/* Task lists. */
	assert_md("- [ ] todo\n- [x] done", 20, "[ ] todo\n[x] done");
	render("- [ ] todo\n- [x] done", 20, &ls);
	assert_int_equal(style_of(&ls.v[1], "[x]"), MD_ST_BULLET);
	/* An empty item still shows its marker. */
	assert_md("-\n- b", 20, "•\n• b");
	/* Code inside an item is indented under it. */
	assert_md("1. run:\n\n   ```sh\n   make\n   ```", 20, "1. run:\n\n   ─ sh ─\n   make");
	render("1. run:\n\n   ```sh\n   make\n   ```", 20, &ls);
	assert_int_equal(ls.v[3].line_style, MD_ST_CODEBLOCK);
	assert_int_equal(style_of(&ls.v[3], "make"), MD_ST_CODEBLOCK);
	assert_int_equal(style_of(&ls.v[3], "   "), 0);
	md_lines_done(&ls);
}

static void test_quotes(void **state)
{
	(void)state;
	assert_md("> quoted text that wraps around", 16, "│ quoted text\n│ that wraps\n│ around");
	assert_md("> a\n>\n> b", 20, "│ a\n│\n│ b");
	assert_md("before\n\n> one\n> > two\n\nafter", 20,
		  "before\n\n│ one\n│\n│ │ two\n\nafter");
	assert_md("> - x\n> - y", 20, "│ • x\n│ • y");
	struct md_lines ls;
	md_lines_init(&ls);
	render("> said **this**", 40, &ls);
	assert_int_equal(style_of(&ls.v[0], "│"), MD_ST_QUOTE);
	assert_int_equal(style_of(&ls.v[0], "said"), MD_ST_QUOTE);
	assert_int_equal(style_of(&ls.v[0], "this"), MD_ST_QUOTE | MD_ST_BOLD);
	md_lines_done(&ls);
}

static void test_tables(void **state)
{
	(void)state;
	const char *src = "| Name | Description | Qty |\n"
			  "|---|:-:|--:|\n"
			  "| apple | a red fruit | 3 |\n"
			  "| kiwi | green and *fuzzy* | 12 |\n";
	/* Fits: aligned columns, left, centre, right. */
	assert_md(src, 40,
		  "Name  │   Description   │ Qty\n"
		  "──────┼─────────────────┼────\n"
		  "apple │   a red fruit   │   3\n"
		  "kiwi  │ green and fuzzy │  12");
	assert_md(src, 29,
		  "Name  │   Description   │ Qty\n"
		  "──────┼─────────────────┼────\n"
		  "apple │   a red fruit   │   3\n"
		  "kiwi  │ green and fuzzy │  12");
	struct md_lines ls;
	md_lines_init(&ls);
	render(src, 40, &ls);
	assert_int_equal(style_of(&ls.v[0], "Name"), MD_ST_BOLD);
	assert_int_equal(style_of(&ls.v[0], " │ "), MD_ST_TABLE);
	assert_int_equal(style_of(&ls.v[1], "──"), MD_ST_TABLE);
	assert_int_equal(style_of(&ls.v[3], "fuzzy"), MD_ST_ITALIC);
	assert_int_equal(style_of(&ls.v[3], "kiwi"), 0);
	/* Does not fit: a record per row, one wrapped line per cell. */
	assert_md(src, 27,
		  "Name: apple\n"
		  "Description: a red fruit\n"
		  "Qty: 3\n"
		  "\n"
		  "Name: kiwi\n"
		  "Description: green and\n"
		  "  fuzzy\n"
		  "Qty: 12");
	render(src, 20, &ls);
	assert_int_equal(style_of(&ls.v[0], "Name: "), MD_ST_BOLD);
	assert_int_equal(style_of(&ls.v[0], "apple"), 0);
	/* Short rows get empty cells; a lone header row is a table too. */
	assert_md("| a | b |\n|---|---|\n| 1 |", 20, "a │ b\n──┼──\n1 │");
	assert_md("| a | b |\n|---|---|", 20, "a │ b\n──┼──");
	assert_md("| a | b |\n|---|---|", 3, "a\nb");
	/* Inside a quote. */
	assert_md("> | a | b |\n> |---|---|\n> | 1 | 2 |", 20, "│ a │ b\n│ ──┼──\n│ 1 │ 2");
	md_lines_done(&ls);
}

static void test_rules_and_html(void **state)
{
	(void)state;
	assert_md("a\n\n---\n\nb", 10, "a\n\n──────────\n\nb");
	struct md_lines ls;
	md_lines_init(&ls);
	render("***", 5, &ls);
	assert_int_equal(ls.n, 1);
	assert_int_equal(style_of(&ls.v[0], "─────"), MD_ST_RULE);
	md_lines_done(&ls);
	/* HTML is shown as written, never interpreted. */
	assert_md("<div>\n<b>hi</b>\n</div>\n\ntext <i>x</i>", 40,
		  "<div>\n<b>hi</b>\n</div>\n\ntext <i>x</i>");
	assert_md("<!-- c -->", 40, "<!-- c -->");
	/* Entities are decoded. */
	assert_md("&amp; &lt;&gt; &#65;&#x42; &copy; &nosuch;", 40, "& <> AB © &nosuch;");
	assert_md("&#0; &#1;", 40, "\xEF\xBF\xBD \xEF\xBF\xBD");
}

static void test_robustness(void **state)
{
	(void)state;
	/* Controls and invalid UTF-8 become U+FFFD. */
	assert_md("a\x01" "b\x1b[31mc\x7f" "d", 40,
		  "a\xEF\xBF\xBD" "b\xEF\xBF\xBD[31mc\xEF\xBF\xBD" "d");
	assert_md("x\xFFy \xC2\x85", 40, "x\xEF\xBF\xBDy \xEF\xBF\xBD");
	assert_md("[l](http://a\x01)", 40, "[l](http://a\xEF\xBF\xBD)");
	/* A NUL in the source. */
	struct md_lines ls;
	md_lines_init(&ls);
	md_render("a\0b", 3, 40, &ls);
	check_lines(&ls, 40);
	assert_string_equal(ls.v[0].text, "a\xEF\xBF\xBD" "b");
	/* Width 1 and below still renders everything. */
	md_lines_clear(&ls);
	const char *mix = "- > # x\n\n| a |\n|---|\n| 1 |\n\n```\nxy\n```";
	md_render(mix, strlen(mix), 0, &ls);
	check_lines(&ls, 0);
	assert_true(ls.n > 3);
	/* Deep nesting is capped, not an ever wider prefix. */
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 200; i++)
		strbuf_puts(&sb, "> ");
	strbuf_puts(&sb, "deep");
	md_lines_clear(&ls);
	md_render(sb.data, sb.len, 80, &ls);
	check_lines(&ls, 0);
	assert_int_equal(ls.n, 1);
	assert_true(strstr(ls.v[0].text, "deep") != NULL);
	strbuf_reset(&sb);
	for (int i = 0; i < 100; i++) {
		for (int k = 0; k < i; k++)
			strbuf_puts(&sb, "  ");
		strbuf_puts(&sb, "- x\n");
	}
	md_lines_clear(&ls);
	md_render(sb.data, sb.len, 80, &ls);
	check_lines(&ls, 0);
	strbuf_done(&sb);
	md_lines_done(&ls);
}

static void test_cjk(void **state)
{
	(void)state;
	assert_md("中文文本测试，这是一个段落。", 10, "中文文本测\n试，这是一\n个段落。");
	assert_md("Mixed 中文 and English words", 10, "Mixed 中文\nand\nEnglish\nwords");
	assert_md("> 日本語のテキスト", 8, "│ 日本語\n│ のテキ\n│ スト");
}

static void test_widths(void **state)
{
	(void)state;
	const char *doc = "# Report\n\n"
			  "Some *intro* text with a [link](https://example.com/page) and `code`.\n\n"
			  "- item one\n- item **two** is longer\n  1. sub\n  2. sub two\n\n"
			  "> a quote with text\n\n"
			  "```js\nconsole.log('hello, world'); // a comment\n```\n\n"
			  "| k | v |\n|---|---|\n| alpha | 1 |\n\n"
			  "---\n\nThe end.";
	struct md_lines ls;
	md_lines_init(&ls);
	for (int w = 10; w <= 200; w += 1) {
		render(doc, w, &ls);
		assert_true(ls.n > 10);
	}
	render(doc, 200, &ls);
	char *got = join(&ls);
	const char *want = "# Report\n\n"
			   "Some intro text with a link (https://example.com/page) and code.\n\n"
			   "• item one\n• item two is longer\n  1. sub\n  2. sub two\n\n"
			   "│ a quote with text\n\n"
			   "─ js ─\nconsole.log('hello, world'); // a comment\n\n"
			   "k     │ v\n──────┼──\nalpha │ 1\n\n";
	assert_memory_equal(got, want, strlen(want));
	assert_string_equal(ls.v[ls.n - 1].text, "The end.");
	assert_int_equal(ls.v[ls.n - 3].width, 200);
	free(got);
	/* Every line fits at every width, even narrow. */
	render(doc, 10, &ls);
	check_lines(&ls, 10);
	md_lines_done(&ls);
}

static void test_stable_prefix(void **state)
{
	(void)state;
#define SP(s) md_stable_prefix((s), strlen(s))
	assert_int_equal(SP(""), 0);
	assert_int_equal(SP("abc"), 0);
	assert_int_equal(SP("abc\n"), 0);
	assert_int_equal(SP("abc\n\n"), 5);
	assert_int_equal(SP("abc\n\ndef"), 5);
	assert_int_equal(SP("abc\n\ndef\n\n\nghi"), 11);
	assert_int_equal(SP("abc\n  \t\ndef"), 8); /* whitespace-only counts */
	assert_int_equal(SP("abc\r\n\r\ndef"), 7);
	/* A lone CR ends a line too, but no stable point comes right after
	 * one: in a shorter text it could be half a CRLF. */
	assert_int_equal(SP("abc\r\rdef"), 0);
	assert_int_equal(SP("abc\n\r"), 0);
	assert_int_equal(SP("p\n\n```\nx\r```\r\n\r\nq\n"), 16);
	/* An open fence: the prefix stops before it. */
	assert_int_equal(SP("p\n\n```c\nx\n\ny\n"), 3);
	assert_int_equal(SP("p\n\n```c\nx\n\ny\n```\n\nq"), 18);
	assert_int_equal(SP("p\n\n~~~~\n```\n\n~~~\n\n"), 3);
	assert_int_equal(SP("p\n\n~~~~\n```\n\n~~~~\n\n"), 19);
	/* Only spaces may follow a closing fence: "```\t" is code. */
	assert_int_equal(SP("a\n\n```\nx\n```\t\n\ny\n```\n\nq\n\n"), 25);
	assert_int_equal(SP("a\n\n```\nx\n```  \n\ny\n"), 16);
	/* md4c ends fences in quotes and list items in more ways than are
	 * modelled (a fence line right after one is eaten, for one): after a
	 * fence in a quote or a list, nothing is called stable. */
	assert_int_equal(SP("p\n\n> ```\n> x\n\nq\n\n"), 3);
	assert_int_equal(SP("p\n\n> ```\n```\nx\n\n```\ny\n\nz\n"), 3);
	/* Lists may go on after an empty line: not stable until one ends. */
	assert_int_equal(SP("- a\n\n- b\n\n"), 0);
	assert_int_equal(SP("- a\n\n  more\n\n"), 0);
	assert_int_equal(SP("1. a\n\n2. b\n\nend\n\n"), 17);
	assert_int_equal(SP("para\n\n- a\n- b\n\n"), 6);
	assert_int_equal(SP("> - a\n\nq\n"), 7); /* a list in a quote ends with it */
	assert_int_equal(SP("- a\n\n   ```\nnot in list\n\n> q\n```\nafter\n\nx\n"), 0);
	assert_int_equal(SP("- a\n  - b\n\n  ```\n  x\n\n  y\n```\n\nz\n"), 0);
	assert_int_equal(SP("* ```\n\n```c\nx\n\nz\n"), 0);
	assert_int_equal(SP("- `````\n\n```\nx\n\n```\ny\n\nz\n"), 0);
	assert_int_equal(SP("1. a\n   ```\n   x\n   ```\n\nq\n\n"), 0);
	assert_int_equal(SP("- a\n```\ncode\n\n```\n\nq\n"), 0);
	/* Before the list, and without one, the points stay. */
	assert_int_equal(SP("p\n\n- a\n   ```\n   x\n   ```\n\nq\n\n"), 3);
	assert_int_equal(SP("p\n\n```\nx\n```\n\nq\n\n"), 17);

	/* Indented code runs on past empty lines. */
	assert_int_equal(SP("p\n\n    code\n\n    more\n\nq\n\n"), 26);
	assert_int_equal(SP("p\n\n    code\n\n"), 3);
	/* HTML comments and <pre> blocks run on past empty lines. */
	assert_int_equal(SP("p\n\n<!-- a\n\nb -->\n\n"), 18);
	assert_int_equal(SP("p\n\n<!-- a\n\n"), 3);
	assert_int_equal(SP("p\n\n<pre>\n\n"), 3);
	assert_int_equal(SP("p\n\n<div>\n\n"), 10);
	/* HTML blocks as md4c 0.4.8 reads them.  One opened by <pre>,
	 * <script> or <style> ends at any of their end tags (the case of
	 * letters aside, of nothing else); <textarea> opens none that runs
	 * past empty lines; "<!-->" opens and ends a comment; <header> is
	 * no block-level tag to it (its list stops at <head>), and neither
	 * a tag like it nor such a block in a list item is modelled. */
	assert_int_equal(SP("p\n\n<pre>\n</script>\n```\n\n</pre>\n\nq\n\n"), 3);
	assert_int_equal(SP("p\n\n<PRE>\nx\n\n</PrE>\n\ny\n\n"), 23);
	assert_int_equal(SP("p\n\n<script>x<\x0fscript>\n\n```\n\nq\n\n"), 3);
	assert_int_equal(SP("p\n\n<textarea>\n\n```\n\nx\n</textarea>\n\nq\n\n"), 3);
	assert_int_equal(SP("p\n\n<!-->\n```\n-->\n\nx\n```\n\ny\n\n"), 28);
	assert_int_equal(SP("p\n\ntext\n<header>\n```\n\nq\n\n"), 3);
	assert_int_equal(SP("p\n\n- <pre>\n\n```\n\n</pre>\n\ny\n\n"), 3);
	/* In a block-level HTML block a fence line is HTML; after any other
	 * HTML block (not modelled), nothing is called stable. */
	assert_int_equal(SP("p\n\n<div>\n```\n\nq\n\n"), 17);
	assert_int_equal(SP("p\n\n<b>\n```\n\nq\n\n"), 3);
	/* Indented code does not interrupt a paragraph, and md4c then opens
	 * a fence at any indent (a tab reaches column 4): the empty line in
	 * it is no stable point, nor the one after a fence-like line in it. */
	assert_int_equal(SP("text\n\t```\ncode\n\n```\n\nq\n\n"), 24);
	assert_int_equal(SP("text\n    more\n\t~~~\nx\n\n  ~~~\n\nq\n\n"), 32);
	assert_int_equal(SP("t\n\t```\n\tif (a) {\n  ~~~\n```\nz\n\n~x\n\n~~~~ y\n"), 34);
	/* After an empty line or a closed fence it is indented code; after
	 * a heading or an HTML block nothing past it is called stable. */
	assert_int_equal(SP("p\n\n    ```\nx\n\nq\n\n"), 17);
	assert_int_equal(SP("```\nx\n```\n    ```\ny\n\nq\n\n"), 24);
	assert_int_equal(SP("p\n\n# h\n    ```\n\nq\n\n"), 3);
	assert_int_equal(SP("p\n\n<!-- a -->\n    ```\ny\n\nq\n\n"), 3);
	assert_int_equal(SP("p\n\ntext\n    <pre>\n\nq\n\n"), 3);
	/* A fence line right after a table row: md4c's table goes on. */
	assert_int_equal(SP("p\n\n| a | b |\n|---|---|\n```\n\nx\n```\n\nq\n\n"), 3);
	/* The length is respected. */
	assert_int_equal(md_stable_prefix("abc\n\ndef", 4), 0);
	assert_int_equal(md_stable_prefix("abc\n\ndef", 5), 5);
#undef SP
}

/* Assert that lines a[a0..a0+n) equal b[b0..b0+n): text, spans, styles. */
static void assert_lines_equal(const struct md_lines *a, size_t a0, const struct md_lines *b,
			       size_t b0, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct md_line *x = &a->v[a0 + i], *y = &b->v[b0 + i];
		assert_string_equal(x->text, y->text);
		assert_int_equal(x->line_style, y->line_style);
		assert_int_equal(x->width, y->width);
		assert_int_equal(x->n_spans, y->n_spans);
		for (size_t k = 0; k < x->n_spans; k++) {
			assert_int_equal(x->spans[k].off, y->spans[k].off);
			assert_int_equal(x->spans[k].len, y->spans[k].len);
			assert_int_equal(x->spans[k].style, y->spans[k].style);
		}
	}
}

/* Stream doc a byte at a time as the TUI does: at every length, rendering
 * the stable prefix and the rest separately must give the whole's lines. */
static void stream_check(const char *doc, int width)
{
	size_t len = strlen(doc);
	struct md_lines whole, parts;
	md_lines_init(&whole);
	md_lines_init(&parts);
	size_t last = 0, cached = 0;
	for (size_t n = 0; n <= len; n++) {
		size_t p = md_stable_prefix(doc, n);
		assert_true(p <= n);
		assert_true(p >= last); /* never goes back */
		last = p;
		md_lines_clear(&whole);
		md_render(doc, n, width, &whole);
		check_lines(&whole, 0);
		md_lines_clear(&parts);
		md_render(doc, p, width, &parts);
		size_t head = parts.n;
		assert_true(head <= whole.n);
		/* The TUI keeps the prefix's lines and renders the tail after. */
		md_lines_truncate(&parts, head);
		md_render(doc + p, n - p, width, &parts);
		if (parts.n != whole.n) {
			char *a = join(&whole), *b = join(&parts);
			fprintf(stderr, "at %zu (prefix %zu):\n--- whole\n%s\n--- parts\n%s\n", n, p, a,
				b);
			free(a);
			free(b);
		}
		assert_int_equal(parts.n, whole.n);
		assert_lines_equal(&parts, 0, &whole, 0, whole.n);
		/* A prefix cached earlier is as good, and scanning on from it
		 * finds the same stable point. */
		if (cached) {
			md_lines_clear(&parts);
			md_render(doc, cached, width, &parts);
			md_render(doc + cached, n - cached, width, &parts);
			assert_int_equal(parts.n, whole.n);
			assert_lines_equal(&parts, 0, &whole, 0, whole.n);
			size_t q = md_stable_prefix(doc + cached, n - cached);
			assert_int_equal(q ? cached + q : cached, p);
		} else {
			cached = p;
		}
		/* Inside a fence open at the top, the lines up to its last
		 * complete one are kept and the rest laid out as code alone
		 * (md_render_code): the same lines too. */
		struct md_open_fence f;
		if (md_open_fence(doc + p, n - p, &f)) {
			assert_true(f.line < f.mark_end && f.mark_end <= f.body && f.body <= n - p);
			md_lines_clear(&parts);
			md_render(doc, p + f.body, width, &parts);
			md_render_code(doc + p + f.line, f.mark_end - f.line, doc + p + f.body,
				       n - p - f.body, width, &parts);
			/* (Streaming waits for a first code line.) */
			const char *nl = memchr(doc + p + f.line, '\n', f.body - f.line);
			if (nl && (size_t)(nl - doc) + 1 < p + f.body) {
				assert_int_equal(parts.n, whole.n);
				assert_lines_equal(&parts, 0, &whole, 0, whole.n);
			}
		}
	}
	md_lines_done(&whole);
	md_lines_done(&parts);
}

static void test_streaming(void **state)
{
	(void)state;
	stream_check("# Title\n\nFirst paragraph with **bold\ntext** that goes on.\n\n"
		     "```c\nint x;\n\n\nint y;\n```\n\n"
		     "Between.\n\n"
		     "- a\n- b\n\n  b continues\n\n- c\n\n"
		     "1. one\n\n1. two\n\nAfter list.\n\n"
		     "> quote\n>\n> more\n\n"
		     "    indented\n\n    code\n\n"
		     "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
		     "<!-- comment\n\nstill -->\n\n"
		     "Last line, no newline",
		     30);
	stream_check("Intro\n\n> ```\n> in quote\n\nout\n\n~~~\n```\n\n~~~\n\nend\n", 20);
	stream_check("a\n\n\n\nb\n\n---\n\n***\n\n# h\n\n", 10);
	stream_check("See [a][1].\n\n[1]: http://x.y\n\n> q\n\n>\n\nend [b](http://z) x\n", 16);
	/* A fence md4c opens after paragraph text at a tab's indent. */
	stream_check("Eg:\n\nSo f(x):\n\t```\nret\nint x;\n\tif (a) {\n  ~~~\n```\nafter\n\n"
		     "~x\n\n\n~~~~ y\nz\n",
		     20);
	stream_check("-```a\n\t```b\n   ```c\n\t```d\n\t```e\n", 12);
	stream_check("```\nx\n```\t\ny\n```\nz\n\nw\n", 20);
	stream_check("- a\nb\n<script>x<\x0fscript>\n\n[1]\n ```\nin\n>t\n    ```\nn\n\n>in\n| L\n",
		     19);
}

/* A fence open at the end: md_open_fence() and md_render_code(). */
static void test_open_fence(void **state)
{
	(void)state;
	struct md_open_fence f;
	struct md_lines ls;
	md_lines_init(&ls);
	/* A fence indented by 3: md4c takes up to 3 columns of indent off
	 * its lines; a tab there reaches column 4, one column is left. */
	const char *s = "a\n\n   ```c\n\tx\n  \ty\n";
	assert_true(md_open_fence(s + 3, strlen(s) - 3, &f));
	assert_int_equal(f.line, 0);
	assert_int_equal(f.mark_end, 6);
	assert_int_equal(f.body, strlen(s) - 3);
	assert_md(s, 40, "a\n\n─ c ─\n x\n y");
	md_render_code(s + 3, 6, "\tx\n  \ty\n", 7, 40, &ls);
	char *got = join(&ls);
	assert_string_equal(got, " x\n y");
	free(got);
	/* md4c opens a fence after paragraph text at any indent (here a
	 * tab's 4 columns), and takes all of it off the fence's lines.
	 * Alone that line would open indented code: it is never continued
	 * apart, nor a fence-like line inside it taken for a fence. */
	s = "-```a\n\t```b\n   ```c\n\t```d\n";
	assert_false(md_open_fence(s, strlen(s), &f));
	assert_md(s, 40, "-```a\n\n─ b ─\n```c\n```d");
	assert_false(md_open_fence("p\n    ~~~\nx\n", 13, &f));
	md_lines_done(&ls);
}

/* Random documents from awkward lines, streamed byte by byte. */
static void test_streaming_random(void **state)
{
	(void)state;
	static const char *const pieces[] = {
		"para text here\n", "more *words* and **bold\n", "\n", "\n", "\n", "- item\n",
		"  continued\n", "    indented\n", "1. one\n", "1. again\n", "> quote\n", ">\n",
		"> > deep\n", "```\n", "~~~\n", "| a | b |\n", "|---|---|\n", "| 1 | 2 |\n",
		"# head\n", "setext\n", "===\n", "---\n", "<!-- c\n", "-->\n", "<pre>\n",
		"  - nested\n", "\tcode tab\n", "text [l](http://x) end\n", "   \n", "> ```\n",
		"- ```\n", "[r]: http://r\n", "see [r][r]\n",
	};
	unsigned seed = 2024;
	struct strbuf sb = STRBUF_INIT;
	for (int d = 0; d < 40; d++) {
		strbuf_reset(&sb);
		seed = seed * 1103515245u + 12345u;
		int n = 3 + (int)((seed >> 16) % 10);
		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			strbuf_puts(&sb, pieces[(seed >> 16) % (sizeof pieces / sizeof *pieces)]);
		}
		stream_check(sb.data, 24);
	}
	strbuf_done(&sb);
}

static void test_refdefs(void **state)
{
	(void)state;
	/* Definitions are shown, references left as written. */
	assert_md("See [the docs][1].\n\n[1]: https://a.b", 40,
		  "See [the docs][1].\n\n[1]: https://a.b");
	assert_md("[x]: http://c.d\n[x]", 40, "[x]: http://c.d [x]");
	/* Not in code. */
	assert_md("```\n[c]: d\n```", 40, "[c]: d");
	assert_md("- [a]: b", 40, "• [a]: b");
	/* Inline links are unaffected. */
	assert_md("[a](http://b) [c]", 40, "a (http://b) [c]");
}

/* A megabyte of mixed Markdown renders (linear time: it must finish). */
static void test_big(void **state)
{
	(void)state;
	const char *chunk = "## Section\n\nSome **bold** text and `code` with a [link](http://x.y) "
			    "and 中文 and more words to wrap around.\n\n"
			    "- item\n- item two\n\n```\ncode line\tx\n```\n\n"
			    "| a | b |\n|---|---|\n| 1 | 2 |\n\n";
	struct strbuf sb = STRBUF_INIT;
	while (sb.len < (1u << 20))
		strbuf_puts(&sb, chunk);
	struct md_lines ls;
	md_lines_init(&ls);
	md_render(sb.data, sb.len, 100, &ls);
	assert_true(ls.n > 50000);
	check_lines(&ls, 100);
	assert_true(md_stable_prefix(sb.data, sb.len) == sb.len);
	/* One huge paragraph, and one huge code line. */
	strbuf_reset(&sb);
	while (sb.len < (1u << 20))
		strbuf_puts(&sb, "word *emph* ");
	md_lines_clear(&ls);
	md_render(sb.data, sb.len, 80, &ls);
	check_lines(&ls, 80);
	strbuf_reset(&sb);
	strbuf_puts(&sb, "```\n");
	while (sb.len < (1u << 20))
		strbuf_puts(&sb, "abcdefgh");
	md_lines_clear(&ls);
	md_render(sb.data, sb.len, 80, &ls);
	assert_true(ls.n > (1u << 20) / 80);
	strbuf_done(&sb);
	md_lines_done(&ls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),	   cmocka_unit_test(test_paragraphs),
		cmocka_unit_test(test_headings),   cmocka_unit_test(test_emphasis),
		cmocka_unit_test(test_links),	   cmocka_unit_test(test_code_blocks),
		cmocka_unit_test(test_lists),	   cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_tables),	   cmocka_unit_test(test_rules_and_html),
		cmocka_unit_test(test_robustness), cmocka_unit_test(test_cjk),
		cmocka_unit_test(test_widths),	   cmocka_unit_test(test_stable_prefix),
		cmocka_unit_test(test_streaming),  cmocka_unit_test(test_streaming_random),
		cmocka_unit_test(test_open_fence), cmocka_unit_test(test_refdefs),
		cmocka_unit_test(test_big),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
