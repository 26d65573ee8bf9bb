/* The chat pane's model: layout per width, incremental streaming, the
 * viewport that follows or stays put, and search. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/chatlayout.h"
#include "ui/chatview.h"
#include "ui/commands.h"

/* Return the visible lines of v joined with '\n' (static buffer). */
static const char *screen(struct chatview *v)
{
	static char buf[16384];
	const struct cv_line *lines[256];
	int n = chatview_visible(v, lines, 256);
	size_t k = 0;
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%.*s\n", (int)lines[i]->len,
				      lines[i]->text);
	}
	return buf;
}

/* Return visible line i's text (static buffer), or "" past the end. */
static const char *row(struct chatview *v, int i)
{
	static char buf[1024];
	const struct cv_line *lines[256];
	int n = chatview_visible(v, lines, 256);
	if (i >= n)
		return "";
	snprintf(buf, sizeof buf, "%.*s", (int)lines[i]->len, lines[i]->text);
	return buf;
}

/* Add n user items "message K" to v. */
static void fill(struct chatview *v, int n)
{
	for (int i = 0; i < n; i++) {
		char t[32];
		snprintf(t, sizeof t, "message %d", i);
		chatview_add(v, CV_ITEM_USER, "You", t, strlen(t));
	}
}

static void test_layout_items(void **state)
{
	(void)state;
	struct chatview *v = chatview_new();
	chatview_resize(v, 15, 10);
	chatview_add(v, CV_ITEM_USER, "You", "hello world again", 17);
	chatview_add(v, CV_ITEM_ERROR, NULL, "bad", 3);
	/* Label, text indented by two and wrapped at 15, blank; the error. */
	assert_string_equal(screen(v), "You\n  hello world\n  again\n\nbad\n\n");
	assert_int_equal(chatview_count(v), 2);
	/* The label is styled as the user's. */
	const struct cv_line *l[8];
	chatview_visible(v, l, 8);
	assert_int_equal(l[0]->n_spans, 1);
	assert_true(l[0]->spans[0].style & CV_STYLE_USER);
	assert_true(l[4]->spans[0].style & CV_STYLE_ERROR);
	/* A narrower width lays out again. */
	chatview_resize(v, 10, 10);
	assert_string_equal(row(v, 1), "  hello");
	chatview_delete(v);
}

static void test_streaming_tail(void **state)
{
	(void)state;
	struct chatview *v = chatview_new();
	chatview_resize(v, 40, 20);
	size_t id = chatview_add(v, CV_ITEM_ASSISTANT, "bot", "", 0);
	chatview_set_streaming(v, id, true);
	const char *parts[] = {"First para", "graph.\n\nSecond ", "**bold** text", "\n\n- item"};
	for (size_t i = 0; i < 4; i++) {
		chatview_append(v, id, parts[i], strlen(parts[i]));
		screen(v); /* lay out the tail as a frame would */
	}
	chatview_set_streaming(v, id, false);
	const char *streamed = screen(v);
	char copy[4096];
	snprintf(copy, sizeof copy, "%s", streamed);
	/* The same text laid out at once gives the same lines. */
	struct chatview *w = chatview_new();
	chatview_resize(w, 40, 20);
	const char *all = "First paragraph.\n\nSecond **bold** text\n\n- item";
	chatview_add(w, CV_ITEM_ASSISTANT, "bot", all, strlen(all));
	assert_string_equal(copy, screen(w));
	assert_non_null(strstr(copy, "Second bold text"));
	chatview_delete(w);
	chatview_delete(v);
}

static void test_reasoning_fold(void **state)
{
	(void)state;
	struct chatview *v = chatview_new();
	chatview_resize(v, 60, 10);
	size_t id = chatview_add(v, CV_ITEM_ASSISTANT, "bot", "answer", 6);
	chatview_append_reasoning(v, id, "step one\nstep two", 17);
	assert_non_null(strstr(row(v, 1), "reasoned (Ctrl-R expands): step one step two"));
	assert_string_equal(row(v, 2), "  answer");
	chatview_set_reasoning_expanded(v, true);
	assert_true(chatview_reasoning_expanded(v));
	assert_non_null(strstr(row(v, 1), "reasoning (Ctrl-R folds)"));
	assert_string_equal(row(v, 2), "    step one");
	assert_string_equal(row(v, 3), "    step two");
	chatview_delete(v);
}

static void test_follow_and_scroll(void **state)
{
	(void)state;
	struct chatview *v = chatview_new();
	chatview_resize(v, 30, 6);
	fill(v, 10); /* 3 lines each: 30 lines */
	assert_true(chatview_following(v));
	/* Following shows the last lines. */
	assert_string_equal(row(v, 5), "");
	assert_string_equal(row(v, 4), "  message 9");
	chatview_scroll(v, -3);
	assert_false(chatview_following(v));
	assert_string_equal(row(v, 1), "  message 7");
	/* New text below does not move the view; it is marked unseen. */
	assert_false(chatview_unseen(v));
	chatview_add(v, CV_ITEM_USER, "You", "message 10", 10);
	assert_true(chatview_unseen(v));
	assert_string_equal(row(v, 1), "  message 7");
	/* Scrolling back down to the bottom follows again. */
	chatview_scroll(v, 100);
	assert_true(chatview_following(v));
	assert_false(chatview_unseen(v));
	assert_string_equal(row(v, 4), "  message 10");
	/* Top and pages. */
	chatview_top(v);
	assert_string_equal(row(v, 0), "You");
	assert_string_equal(row(v, 1), "  message 0");
	chatview_page(v, 1);
	assert_string_equal(row(v, 0), "  message 1"); /* 4 lines down */
	chatview_page(v, -1);
	chatview_page(v, -1);
	assert_string_equal(row(v, 1), "  message 0");
	chatview_bottom(v);
	assert_true(chatview_following(v));
	/* A short conversation: scrolling up changes nothing. */
	chatview_clear(v);
	fill(v, 1);
	chatview_scroll(v, -2);
	assert_true(chatview_following(v));
	assert_string_equal(row(v, 0), "You");
	chatview_delete(v);
}

/* The images on and near the view, the visible ones first. */
static void test_images_near(void **state)
{
	(void)state;
	struct chatview *v = chatview_new();
	uint64_t ids[8];
	assert_int_equal(chatview_images_near(v, 10, 10, ids, 8), 0);
	chatview_resize(v, 30, 6);
	/* Items 3 lines each, 5 with an image of 2 rows: items 2, 5 and 8
	 * start at lines 6, 17 and 28, their images at 8, 19 and 30; 36
	 * lines in all, the last 6 (30-35) shown. */
	for (int i = 0; i < 10; i++) {
		char t[32];
		snprintf(t, sizeof t, "message %d", i);
		size_t id = chatview_add(v, CV_ITEM_USER, "You", t, strlen(t));
		if (i % 3 == 2)
			chatview_add_image(v, id, 100 + (uint64_t)i, 4, 2);
	}
	assert_int_equal(chatview_images_near(v, 0, 0, ids, 8), 1);
	assert_int_equal(ids[0], 108);
	/* Line 20 (image 105's second row) is 10 lines above the view. */
	assert_int_equal(chatview_images_near(v, 9, 100, ids, 8), 1);
	assert_int_equal(chatview_images_near(v, 10, 0, ids, 8), 2);
	assert_int_equal(ids[0], 108);
	assert_int_equal(ids[1], 105);
	assert_int_equal(chatview_images_near(v, 100, 0, ids, 8), 3);
	assert_int_equal(ids[2], 102);
	assert_int_equal(chatview_images_near(v, 100, 0, ids, 2), 2);
	/* From the top (lines 0-5): image 102 is 3 lines below. */
	chatview_top(v);
	assert_int_equal(chatview_images_near(v, 100, 2, ids, 8), 0);
	assert_int_equal(chatview_images_near(v, 100, 3, ids, 8), 1);
	assert_int_equal(ids[0], 102);
	assert_int_equal(chatview_images_near(v, 0, 100, ids, 8), 3);
	assert_int_equal(ids[1], 105);
	assert_int_equal(ids[2], 108);
	/* In the middle, one image in view (line 19, image 105). */
	chatview_scroll(v, 15);
	assert_int_equal(chatview_images_near(v, 0, 0, ids, 8), 1);
	assert_int_equal(ids[0], 105);
	chatview_delete(v);
}

static void test_search(void **state)
{
	(void)state;
	struct chatview *v = chatview_new();
	chatview_resize(v, 30, 6);
	chatview_add(v, CV_ITEM_USER, "You", "Needle one", 10);
	fill(v, 10);
	chatview_add(v, CV_ITEM_USER, "You", "needle two", 10);
	fill(v, 10);
	assert_int_equal(chatview_search(v, "zzz", -1), -1);
	assert_true(chatview_following(v));
	/* Towards older text from the bottom: "needle two" first. */
	assert_int_equal(chatview_search(v, "NEEDLE", -1), 0);
	assert_string_equal(chatview_search_query(v), "NEEDLE");
	assert_false(chatview_following(v));
	assert_non_null(strstr(screen(v), "needle two"));
	assert_int_equal(chatview_search(v, "NEEDLE", -1), 0);
	assert_non_null(strstr(screen(v), "Needle one"));
	/* Then it wraps around to the newest again. */
	assert_int_equal(chatview_search(v, "NEEDLE", -1), 0);
	assert_non_null(strstr(screen(v), "needle two"));
	/* And forwards. */
	assert_int_equal(chatview_search(v, "NEEDLE", 1), 0);
	assert_non_null(strstr(screen(v), "Needle one"));
	chatview_search_clear(v);
	assert_null(chatview_search_query(v));
	chatview_delete(v);
}

static void test_find(void **state)
{
	(void)state;
	assert_int_equal(chatview_find("Hello World", 11, "world", 0), 6);
	assert_int_equal(chatview_find("Hello World", 11, "WORLD", 7), -1);
	assert_int_equal(chatview_find("aaa", 3, "aa", 1), 1);
	assert_int_equal(chatview_find("abc", 3, "", 0), -1);
	assert_int_equal(chatview_find("ab", 2, "abc", 0), -1);
	assert_int_equal(chatview_find("x\xc3\xa9y", 4, "\xc3\xa9", 0), 1);
}

static void test_footer_and_label(void **state)
{
	(void)state;
	struct chatview *v = chatview_new();
	chatview_resize(v, 40, 10);
	size_t id = chatview_add(v, CV_ITEM_ASSISTANT, "bot", "partial", 7);
	chatview_set_footer(v, id, "\xe2\x96\xa0 interrupted", CV_STYLE_NOTICE);
	chatview_set_label(v, id, "bot 2");
	assert_string_equal(screen(v), "bot 2\n  partial\n\xe2\x96\xa0 interrupted\n\n");
	chatview_set_footer(v, id, NULL, 0);
	assert_string_equal(screen(v), "bot 2\n  partial\n\n");
	chatview_delete(v);
}

static void test_large_conversation_is_lazy(void **state)
{
	(void)state;
	struct chatview *v = chatview_new();
	chatview_resize(v, 50, 20);
	fill(v, 20000);
	/* Only what is visible gets laid out; this must be instant. */
	for (int i = 0; i < 1000; i++)
		assert_string_equal(row(v, 18), "  message 19999");
	chatview_scroll(v, -30);
	assert_string_equal(row(v, 0), "  message 19983");
	chatview_delete(v);
}

static void test_commands(void **state)
{
	(void)state;
	char *arg;
	assert_int_equal(cmd_parse("hello", &arg), CMD_NONE);
	assert_null(arg);
	assert_int_equal(cmd_parse("  /attach  a b.png  ", &arg), CMD_ATTACH);
	assert_string_equal(arg, "a b.png");
	free(arg);
	assert_int_equal(cmd_parse("/quit", &arg), CMD_QUIT);
	assert_null(arg);
	assert_int_equal(cmd_parse("/clear", &arg), CMD_NEW);
	assert_int_equal(cmd_parse("/nope x", &arg), CMD_UNKNOWN);
	assert_string_equal(arg, "/nope");
	free(arg);
	assert_int_equal(cmd_parse("//etc/passwd", &arg), CMD_NONE);
	assert_string_equal(arg, "/etc/passwd");
	free(arg);
	const char *out[8];
	assert_int_equal(cmd_complete("/re", out, 8), 2);
	assert_string_equal(out[0], "/reasoning");
	assert_non_null(strstr(cmd_help_text(), "/detach"));
	char *p = cmd_pasted_path(" '/tmp/a b.png'\n", 16);
	assert_string_equal(p, "/tmp/a b.png");
	free(p);
	p = cmd_pasted_path("/tmp/a\\ b.png", 13);
	assert_string_equal(p, "/tmp/a b.png");
	free(p);
	p = cmd_pasted_path("file:///tmp/a%20b.png", 21);
	assert_string_equal(p, "/tmp/a b.png");
	free(p);
	assert_null(cmd_pasted_path("hello world", 11));
	assert_null(cmd_pasted_path("/a\n/b", 5));
}

/* Several choices: tabs in the header, switching shows the other text and
 * keeps each choice's own; tool blocks and tints belong to their choice. */
static void test_choices(void **state)
{
	(void)state;
	struct chatview *v = chatview_new();
	chatview_resize(v, 40, 20);
	size_t a = chatview_add(v, CV_ITEM_ASSISTANT, "m", "", 0);
	chatview_set_streaming(v, a, true);
	chatview_append_choice(v, a, 0, false, "zero", 4);
	assert_int_equal(chatview_n_choices(v, a), 1);
	assert_null(strstr(screen(v), "[1/"));
	chatview_append_choice(v, a, 2, false, "two", 3);
	chatview_append_choice(v, a, 1, false, "one", 3);
	chatview_append_choice(v, a, 1, true, "thinking", 8);
	assert_int_equal(chatview_n_choices(v, a), 3);
	assert_non_null(strstr(screen(v), "m  [1/3]"));
	assert_non_null(strstr(screen(v), "zero"));
	assert_null(strstr(screen(v), "one"));
	assert_int_equal(chatview_show_choice(v, a, 1), 0);
	assert_int_equal(chatview_shown_choice(v, a), 1);
	assert_non_null(strstr(screen(v), "m  [2/3]"));
	assert_non_null(strstr(screen(v), "one"));
	assert_non_null(strstr(screen(v), "reasoning (Ctrl-R"));
	assert_null(strstr(screen(v), "zero"));
	/* Text for the shown choice and for a hidden one while shown. */
	chatview_append_choice(v, a, 1, false, "+1", 2);
	chatview_append_choice(v, a, 0, false, "+0", 2);
	assert_non_null(strstr(screen(v), "one+1"));
	assert_int_equal(chatview_show_choice(v, a, 0), 0);
	assert_non_null(strstr(screen(v), "zero+0"));
	assert_null(strstr(screen(v), "reasoning (Ctrl-R"));
	assert_int_equal(chatview_show_choice(v, a, 3), -1);
	assert_int_equal(chatview_show_choice(v, 99, 0), -1);
	/* A tool block of choice 2 shows with it only. */
	chatview_set_tool(v, a, 2, 0, "T get_weather", "{\n  \"q\": 1\n}");
	assert_null(strstr(screen(v), "get_weather"));
	chatview_show_choice(v, a, 2);
	assert_non_null(strstr(screen(v), "T get_weather\n    {\n      \"q\": 1\n    }\n"));
	chatview_set_tool(v, a, 2, 0, "T get_weather", "{}");
	assert_non_null(strstr(screen(v), "    {}\n"));
	chatview_delete(v);
}

/* Tints: a token per span in its probability's style, the selected one
 * marked; only while tinted, and only for the choice shown. */
static void test_tints(void **state)
{
	(void)state;
	assert_int_equal(chatview_prob_style(0), CV_STYLE_PROB_HIGH);
	assert_int_equal(chatview_prob_style(-0.1), CV_STYLE_PROB_HIGH);
	assert_int_equal(chatview_prob_style(-0.5), CV_STYLE_PROB_MID);
	assert_int_equal(chatview_prob_style(-1.5), CV_STYLE_PROB_LOW);
	assert_int_equal(chatview_prob_style(-5), CV_STYLE_PROB_VLOW);
	struct chatview *v = chatview_new();
	chatview_resize(v, 40, 20);
	size_t a = chatview_add(v, CV_ITEM_ASSISTANT, "m", "**Hi** you", 10);
	chatview_append_tint(v, a, 0, "**Hi**", 6, -0.01);
	chatview_append_tint(v, a, 0, " you", 4, -3);
	chatview_append_tint(v, a, 1, "other", 5, -3);
	assert_int_equal(chatview_n_tints(v, a), 2);
	assert_non_null(strstr(screen(v), "  Hi you")); /* Markdown */
	chatview_set_tinted(v, true);
	assert_true(chatview_tinted(v));
	assert_non_null(strstr(screen(v), "  **Hi** you")); /* the tokens */
	const struct cv_line *lines[8];
	int n = chatview_visible(v, lines, 8);
	const struct cv_line *l = NULL;
	for (int i = 0; i < n; i++)
		if (strstr(lines[i]->text, "**Hi**"))
			l = lines[i];
	assert_non_null(l);
	assert_int_equal(l->n_spans, 2);
	assert_int_equal(l->spans[0].start, 2);
	assert_int_equal(l->spans[0].len, 6);
	assert_int_equal(l->spans[0].style, CV_STYLE_PROB_HIGH);
	assert_int_equal(l->spans[1].style, CV_STYLE_PROB_VLOW);
	chatview_select_token(v, a, 1);
	n = chatview_visible(v, lines, 8);
	for (int i = 0; i < n; i++)
		if (strstr(lines[i]->text, "**Hi**"))
			l = lines[i];
	assert_int_equal(l->spans[1].style, CV_STYLE_PROB_VLOW | CV_STYLE_SELECTED);
	chatview_show_choice(v, a, 1);
	assert_non_null(strstr(screen(v), "  other"));
	chatview_show_choice(v, a, 0);
	chatview_set_tinted(v, false);
	assert_non_null(strstr(screen(v), "  Hi you"));
	chatview_delete(v);
}

/* Fenced code blocks of an answer, for /copy N. */
static void test_code_block(void **state)
{
	(void)state;
	const char *s = "text\n```sh\necho 1\n```\nmore\n  ~~~~\na\n~~~\nb\n~~~~\n```\nopen";
	size_t st, n;
	assert_int_equal(cmd_code_block(s, strlen(s), 1, &st, &n), 0);
	assert_int_equal(n, 7);
	assert_memory_equal(s + st, "echo 1\n", 7);
	/* A shorter closing fence does not close a longer one. */
	assert_int_equal(cmd_code_block(s, strlen(s), 2, &st, &n), 0);
	assert_memory_equal(s + st, "a\n~~~\nb\n", n);
	/* An unclosed block runs to the end. */
	assert_int_equal(cmd_code_block(s, strlen(s), 3, &st, &n), 0);
	assert_memory_equal(s + st, "open", n);
	assert_int_equal(cmd_code_block(s, strlen(s), 4, &st, &n), -1);
	assert_int_equal(cmd_code_block(s, strlen(s), 0, &st, &n), -1);
	assert_int_equal(cmd_code_block("``x``", 5, 1, &st, &n), -1);
	assert_int_equal(cmd_code_block("", 0, 1, &st, &n), -1);
}

/* Append to b the lines of v, text and styles, one per row. */
static void dump(struct chatview *v, char *b, size_t cap)
{
	const struct cv_line *lines[512];
	int n = chatview_visible(v, lines, 512);
	size_t k = 0;
	b[0] = '\0';
	for (int i = 0; i < n && k < cap; i++) {
		const struct cv_line *l = lines[i];
		k += (size_t)snprintf(b + k, cap - k, "%.*s|%x", (int)l->len, l->text, l->fill);
		for (size_t j = 0; j < l->n_spans && k < cap; j++)
			k += (size_t)snprintf(b + k, cap - k, " %zu+%zu:%x", l->spans[j].start,
					      l->spans[j].len, l->spans[j].style);
		if (k < cap)
			k += (size_t)snprintf(b + k, cap - k, "\n");
	}
}

/* A streaming answer inside a code fence lays out only its last line again;
 * after every piece its lines must be exactly those of the same text laid
 * out at once, styles included. */
static void test_streaming_code_fence(void **state)
{
	(void)state;
	static const char *texts[] = {
		"Here:\n\n```c\nint main(void)\n{\n\treturn 0;\n}\n```\n\nDone.\n",
		"Text right before\n```\nshort\nline one is long enough to wrap at the width of forty cells\nb\n```\nafter\n",
		"~~~~ sh\n```\nnot a close\n~~~\nstill code\n~~~~\n\n   ```\n   indented fence\n     more\n   ```\n",
		"- item\n\n  ```\n  in a list\n  ```\n\n> ```\n> quoted\n\n```python\nx = 1\n\n\ny = 2\n",
		"```\n\n\nblank lines first\n```\n```js\nback to back\n```\n",
	};
	static const size_t steps[] = {1, 3, 7};
	static char got[65536], want[65536];
	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		for (size_t si = 0; si < sizeof steps / sizeof steps[0]; si++) {
			struct chatview *v = chatview_new();
			chatview_resize(v, 40, 400);
			size_t id = chatview_add(v, CV_ITEM_ASSISTANT, "bot", "", 0);
			chatview_set_streaming(v, id, true);
			size_t len = strlen(texts[t]);
			for (size_t a = 0; a < len; a += steps[si]) {
				size_t n = a + steps[si] <= len ? steps[si] : len - a;
				chatview_append(v, id, texts[t] + a, n);
				dump(v, got, sizeof got);
				struct chatview *w = chatview_new();
				chatview_resize(w, 40, 400);
				chatview_add(w, CV_ITEM_ASSISTANT, "bot", texts[t], a + n);
				dump(w, want, sizeof want);
				chatview_delete(w);
				if (strcmp(got, want) != 0)
					fail_msg("text %zu, step %zu, at %zu:\n%s---\n%s", t, steps[si],
						 a + n, got, want);
			}
			chatview_delete(v);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_items),
		cmocka_unit_test(test_streaming_tail),
		cmocka_unit_test(test_streaming_code_fence),
		cmocka_unit_test(test_reasoning_fold),
		cmocka_unit_test(test_follow_and_scroll),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_footer_and_label),
		cmocka_unit_test(test_large_conversation_is_lazy),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_images_near),
		cmocka_unit_test(test_choices),
		cmocka_unit_test(test_tints),
		cmocka_unit_test(test_code_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
