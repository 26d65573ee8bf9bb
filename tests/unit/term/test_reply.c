#include <config.h>

/* cmocka needs these first, in this order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "term/probe.h"
#include "term/reply.h"

/* Every stream is parsed whole, one byte at a time, and split in two and
 * in three at every offset: what is recorded and what comes back as typed
 * input must not depend on how the bytes were cut. */

struct parsed {
	struct term_replies r;
	unsigned char typed[1024];
	size_t ntyped;
};

/* Parse in[0..len) cut at a and b (a <= b <= len), then flush. */
static void parse_cut(const char *in, size_t len, size_t a, size_t b, struct parsed *out)
{
	struct term_reply_parser p;
	term_reply_init(&p);
	const unsigned char *u = (const unsigned char *)in;
	size_t cuts[4] = {0, a, b, len};
	out->ntyped = 0;
	for (int i = 0; i < 3; i++) {
		size_t n = cuts[i + 1] - cuts[i];
		assert_true(out->ntyped + n + TERM_REPLY_HOLD_MAX <= sizeof out->typed);
		out->ntyped += term_reply_feed(&p, u + cuts[i], n, out->typed + out->ntyped);
		assert_true(term_reply_pending(&p) <= TERM_REPLY_HOLD_MAX);
	}
	out->ntyped += term_reply_flush(&p, out->typed + out->ntyped);
	assert_int_equal(term_reply_pending(&p), 0);
	out->r = p.r;
}

/* Parse one byte at a time. */
static void parse_bytes(const char *in, size_t len, struct parsed *out)
{
	struct term_reply_parser p;
	term_reply_init(&p);
	out->ntyped = 0;
	for (size_t i = 0; i < len; i++)
		out->ntyped += term_reply_feed(&p, (const unsigned char *)in + i, 1,
					       out->typed + out->ntyped);
	out->ntyped += term_reply_flush(&p, out->typed + out->ntyped);
	out->r = p.r;
}

/* Assert that a and b recorded the same and typed the same. */
static void assert_same(const struct parsed *a, const struct parsed *b)
{
	/* Field by field: struct copies need not copy padding. */
	const struct term_replies *x = &a->r, *y = &b->r;
	assert_int_equal(x->da1, y->da1);
	assert_int_equal(x->sixel, y->sixel);
	assert_int_equal(x->da1_class, y->da1_class);
	assert_int_equal(x->colors, y->colors);
	assert_int_equal(x->sixel_max_w, y->sixel_max_w);
	assert_int_equal(x->sixel_max_h, y->sixel_max_h);
	assert_int_equal(x->cell_w, y->cell_w);
	assert_int_equal(x->cell_h, y->cell_h);
	assert_int_equal(x->area_w, y->area_w);
	assert_int_equal(x->area_h, y->area_h);
	assert_int_equal(x->rows, y->rows);
	assert_int_equal(x->cols, y->cols);
	assert_int_equal(x->sync_output, y->sync_output);
	assert_int_equal(x->nreplies, y->nreplies);
	assert_int_equal(a->ntyped, b->ntyped);
	assert_memory_equal(a->typed, b->typed, a->ntyped);
}

/* Parse in every way and return the result in *out (all ways agreeing);
 * assert the typed bytes equal typed. */
static void parse_all(const char *in, size_t len, const char *typed, size_t typed_len,
		      struct parsed *out)
{
	parse_cut(in, len, len, len, out);
	assert_int_equal(out->ntyped, typed_len);
	assert_memory_equal(out->typed, typed, typed_len);
	struct parsed *other = malloc(sizeof *other);
	assert_non_null(other);
	parse_bytes(in, len, other);
	assert_same(out, other);
	for (size_t a = 0; a <= len; a++) {
		/* Three pieces at every pair would be quadratic in a slow
		 * way for long inputs; every pair up to 80 bytes is enough. */
		size_t bmax = len <= 80 ? len : a;
		for (size_t b = a; b <= bmax; b++) {
			parse_cut(in, len, a, b, other);
			assert_same(out, other);
		}
	}
	free(other);
}

#define S(lit) lit, sizeof(lit) - 1

static void test_da1_with_sixel(void **state)
{
	(void)state;
	struct parsed p;
	parse_all(S("\033[?63;1;2;4;6;9;15;16;22;28c"), S(""), &p);
	assert_true(p.r.da1);
	assert_true(p.r.sixel);
	assert_int_equal(p.r.da1_class, 63);
	assert_int_equal(p.r.nreplies, 1);
}

static void test_da1_without_sixel(void **state)
{
	(void)state;
	struct parsed p;
	parse_all(S("\033[?64;1;2;6;9;15;16;17;18;21;22;28c"), S(""), &p);
	assert_true(p.r.da1);
	assert_false(p.r.sixel);
	assert_int_equal(p.r.da1_class, 64);
	/* tmux 3.3: VT100 class, no 4. */
	parse_all(S("\033[?1;2c"), S(""), &p);
	assert_true(p.r.da1);
	assert_false(p.r.sixel);
	assert_int_equal(p.r.da1_class, 1);
	/* Class 4 is not the sixel attribute. */
	parse_all(S("\033[?4;2c"), S(""), &p);
	assert_false(p.r.sixel);
	/* tmux 3.4 built with sixel. */
	parse_all(S("\033[?1;2;4c"), S(""), &p);
	assert_true(p.r.sixel);
	/* A bare class. */
	parse_all(S("\033[?6c"), S(""), &p);
	assert_true(p.r.da1);
	assert_int_equal(p.r.da1_class, 6);
	assert_false(p.r.sixel);
}

static void test_graphics_registers(void **state)
{
	(void)state;
	struct parsed p;
	parse_all(S("\033[?1;0;1024S"), S(""), &p);
	assert_int_equal(p.r.colors, 1024);
	assert_false(p.r.da1);
	parse_all(S("\033[?2;0;600;360S"), S(""), &p);
	assert_int_equal(p.r.sixel_max_w, 600);
	assert_int_equal(p.r.sixel_max_h, 360);
	assert_int_equal(p.r.colors, -1);
	/* Failure statuses (xterm without graphics, tmux's geometry) are
	 * swallowed but say nothing. */
	parse_all(S("\033[?1;3;0S\033[?2;3;0S"), S(""), &p);
	assert_int_equal(p.r.colors, -1);
	assert_int_equal(p.r.sixel_max_w, -1);
	assert_int_equal(p.r.nreplies, 2);
	parse_all(S("\033[?1;0;0S"), S(""), &p);
	assert_int_equal(p.r.colors, -1);
}

static void test_window_reports(void **state)
{
	(void)state;
	struct parsed p;
	parse_all(S("\033[6;20;10t"), S(""), &p);
	assert_int_equal(p.r.cell_h, 20);
	assert_int_equal(p.r.cell_w, 10);
	parse_all(S("\033[4;480;800t\033[8;24;80t"), S(""), &p);
	assert_int_equal(p.r.area_h, 480);
	assert_int_equal(p.r.area_w, 800);
	assert_int_equal(p.r.rows, 24);
	assert_int_equal(p.r.cols, 80);
	assert_int_equal(p.r.cell_w, -1);
	/* Zero sizes and unknown reports are swallowed and ignored. */
	parse_all(S("\033[6;0;0t\033[3;10;10t\033[6;20t"), S(""), &p);
	assert_int_equal(p.r.cell_w, -1);
	assert_int_equal(p.r.nreplies, 3);
}

static void test_decrpm(void **state)
{
	(void)state;
	struct parsed p;
	parse_all(S("\033[?2026;2$y"), S(""), &p);
	assert_int_equal(p.r.sync_output, 2);
	parse_all(S("\033[?2026;0$y"), S(""), &p);
	assert_int_equal(p.r.sync_output, 0);
	/* Another mode, or a bad value: swallowed, not recorded. */
	parse_all(S("\033[?2004;1$y\033[?2026;9$y"), S(""), &p);
	assert_int_equal(p.r.sync_output, 0);
	assert_int_equal(p.r.nreplies, 2);
}

static void test_full_probe_reply(void **state)
{
	(void)state;
	/* What xterm -ti vt340 sends back to the probe's batch. */
	struct parsed p;
	parse_all(S("\033[?1;0;1024S\033[?2026;0$y\033[?63;1;2;4;6;9;15;16;22;28c"), S(""), &p);
	assert_int_equal(p.r.colors, 1024);
	assert_true(p.r.sixel);
	assert_int_equal(p.r.nreplies, 3);
}

static void test_keys_pass_through(void **state)
{
	(void)state;
	struct parsed p;
	/* Plain text, UTF-8, controls. */
	parse_all(S("hello \xc3\xa9\xe2\x82\xac\r\t\x7f\x03"),
		  S("hello \xc3\xa9\xe2\x82\xac\r\t\x7f\x03"), &p);
	assert_int_equal(p.r.nreplies, 0);
	/* Arrows, modified arrows, function keys (xterm's Shift-F4 ends in
	 * S, like XTSMGRAPHICS, but has no '?'), Delete, paste markers,
	 * SS3 keys, SGR and X10 mouse, focus events. */
	static const char keys[] = "\033[A\033[1;5C\033[1;2S\033[3~\033[200~x\033[201~\033OP"
				   "\033[<0;10;5M\033[<0;10;5m\033[M !!\033[I\033[O\033[2;5R";
	parse_all(keys, sizeof keys - 1, keys, sizeof keys - 1, &p);
	assert_int_equal(p.r.nreplies, 0);
	assert_false(p.r.da1);
}

static void test_lone_escape_and_alt(void **state)
{
	(void)state;
	struct parsed p;
	/* The Escape key alone, at the end: given back on flush. */
	parse_all(S("\033"), S("\033"), &p);
	/* Escape then text, Alt+x, Escape Escape, ESC [ at the very end. */
	parse_all(S("\033x\033\033y\033["), S("\033x\033\033y\033["), &p);
	/* Alt+Shift+P and Alt+] are not DCS/OSC openers here. */
	parse_all(S("\033Pab\033]c"), S("\033Pab\033]c"), &p);
	assert_int_equal(p.r.nreplies, 0);
}

static void test_interleaved(void **state)
{
	(void)state;
	struct parsed p;
	/* Keys before, between and after replies; an arrow between two. */
	parse_all(S("ab\033[?1;0;256Sc\033[Ad\033[6;18;9t\033[?62;4ce"), S("abc\033[Ade"), &p);
	assert_int_equal(p.r.colors, 256);
	assert_int_equal(p.r.cell_w, 9);
	assert_int_equal(p.r.cell_h, 18);
	assert_true(p.r.sixel);
	assert_int_equal(p.r.nreplies, 3);
	/* An Escape key right before a reply. */
	parse_all(S("\033\033[?64;4c"), S("\033"), &p);
	assert_true(p.r.sixel);
}

static void test_garbage(void **state)
{
	(void)state;
	struct parsed p;
	/* A control byte or an ESC inside a CSI ends it: the held bytes
	 * are typed input, and a new ESC starts over (and may be a reply). */
	parse_all(S("\033[?6\n\033[?1\033[?62;4c"), S("\033[?6\n\033[?1"), &p);
	assert_true(p.r.sixel);
	/* A parameter after an intermediate: not a CSI, typed. */
	parse_all(S("\033[?2026$1y"), S("\033[?2026$1y"), &p);
	assert_int_equal(p.r.nreplies, 0);
	/* 8-bit bytes inside a CSI. */
	parse_all(S("\033[12\xc3\xa9"), S("\033[12\xc3\xa9"), &p);
	/* Sub-parameters: swallowed as a reply, not read. */
	parse_all(S("\033[?64:4c"), S(""), &p);
	assert_false(p.r.sixel);
	assert_false(p.r.da1);
	assert_int_equal(p.r.nreplies, 1);
	/* Huge numbers saturate instead of overflowing. */
	parse_all(S("\033[?1;0;99999999999999999999S"), S(""), &p);
	assert_int_equal(p.r.colors, 999999);
	/* Empty parameters. */
	parse_all(S("\033[?;;c"), S(""), &p);
	assert_true(p.r.da1);
	assert_false(p.r.sixel);
}

static void test_too_long(void **state)
{
	(void)state;
	/* A CSI longer than the parser holds is not a reply: it comes back
	 * typed, byte for byte, and parsing resumes after it. */
	char in[300], want[300];
	size_t n = 0;
	in[n++] = '\033';
	in[n++] = '[';
	in[n++] = '?';
	while (n < 200)
		in[n++] = '1';
	in[n++] = 'c';
	memcpy(want, in, n);
	size_t nwant = n;
	memcpy(in + n, "\033[?62;4c", 8);
	n += 8;
	struct parsed p;
	parse_all(in, n, want, nwant, &p);
	assert_true(p.r.sixel);
	assert_int_equal(p.r.nreplies, 1);
}

static void test_other_replies_swallowed(void **state)
{
	(void)state;
	struct parsed p;
	/* DA2, DA3 and kitty's keyboard flags. */
	parse_all(S("\033[>41;379;0c\033[=1c\033[?0u"), S(""), &p);
	assert_int_equal(p.r.nreplies, 3);
	assert_false(p.r.da1);
}

static void test_random(void **state)
{
	(void)state;
	/* Random streams from an alphabet rich in sequence bytes: however
	 * they are cut, the parser records and types the same, and every
	 * byte comes out typed or inside a swallowed reply, never twice. */
	static const char alphabet[] = "\033\033\033[?[?[>0123456789;;;cStt$yAx~\n\x9b";
	unsigned seed = 12345;
	for (int round = 0; round < 300; round++) {
		char in[48];
		for (size_t i = 0; i < sizeof in; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		struct parsed whole, other;
		parse_cut(in, sizeof in, sizeof in, sizeof in, &whole);
		assert_true(whole.ntyped <= sizeof in);
		parse_bytes(in, sizeof in, &other);
		assert_same(&whole, &other);
		for (size_t a = 0; a <= sizeof in; a += 3)
			for (size_t b = a; b <= sizeof in; b += 5) {
				parse_cut(in, sizeof in, a, b, &other);
				assert_same(&whole, &other);
			}
		/* Typed bytes are a subsequence of the input. */
		size_t j = 0;
		for (size_t i = 0; i < sizeof in && j < whole.ntyped; i++)
			if ((unsigned char)in[i] == whole.typed[j])
				j++;
		assert_int_equal(j, whole.ntyped);
	}
}

static void test_capacity(void **state)
{
	(void)state;
	/* typed never needs more than len + TERM_REPLY_HOLD_MAX. */
	struct term_reply_parser p;
	term_reply_init(&p);
	unsigned char typed[TERM_REPLY_HOLD_MAX + 1];
	unsigned char in[TERM_REPLY_HOLD_MAX];
	in[0] = '\033';
	in[1] = '[';
	memset(in + 2, '1', sizeof in - 2);
	assert_int_equal(term_reply_feed(&p, in, TERM_REPLY_HOLD_MAX, typed), 0);
	assert_int_equal(term_reply_pending(&p), TERM_REPLY_HOLD_MAX);
	assert_int_equal(term_reply_feed(&p, (const unsigned char *)"1", 1, typed),
			 TERM_REPLY_HOLD_MAX + 1);
	assert_int_equal(term_reply_pending(&p), 0);
}

/* ---- the probe's decision (pure) ---- */

/* Return caps decided for env and replies (NULL: not probed) with a
 * window of ws. */
static struct term_caps decide(const struct term_env *env, const char *replies,
			       const struct term_size *ws)
{
	struct term_caps caps;
	memset(&caps, 0, sizeof caps);
	if (!replies) {
		term_caps_decide(env, NULL, ws, 150, &caps);
		return caps;
	}
	struct parsed p;
	parse_cut(replies, strlen(replies), 0, 0, &p);
	term_caps_decide(env, &p.r, ws, 150, &caps);
	return caps;
}

static void test_decide_sixel(void **state)
{
	(void)state;
	struct term_env env = {.term = "xterm-256color", .is_tty = true};
	struct term_size ws = {.cols = 80, .rows = 24, .px_w = 804, .px_h = 484};
	assert_true(term_caps_want_probe(&env));
	struct term_caps c = decide(&env, "\033[?1;0;1024S\033[?63;1;2;4c", &ws);
	assert_int_equal(c.graphics, TERM_GRAPHICS_SIXEL);
	assert_string_equal(c.why, "sixel: DA1 reply lists 4");
	assert_int_equal(c.colors, 1024);
	/* xterm's 2 px borders on each side do not change the cell. */
	assert_int_equal(c.cell_w, 10);
	assert_int_equal(c.cell_h, 20);
	assert_true(c.cell_known);
	assert_true(c.answered);
	assert_false(c.in_tmux);
	assert_false(c.sync_output);
}

static void test_decide_cell_sources(void **state)
{
	(void)state;
	struct term_env env = {.term = "xterm", .is_tty = true};
	struct term_size ws = {.cols = 80, .rows = 24, .px_w = 804, .px_h = 484};
	/* CSI 16 t wins over the kernel. */
	struct term_caps c = decide(&env, "\033[6;17;8t\033[?62;4c", &ws);
	assert_int_equal(c.cell_w, 8);
	assert_int_equal(c.cell_h, 17);
	/* No pixels from the kernel: text area / cells. */
	struct term_size nopx = {.cols = 80, .rows = 24};
	c = decide(&env, "\033[4;432;720t\033[?62;4c", &nopx);
	assert_int_equal(c.cell_w, 9);
	assert_int_equal(c.cell_h, 18);
	assert_true(c.cell_known);
	/* Nothing at all: the fallback. */
	c = decide(&env, "\033[?62;4c", &nopx);
	assert_int_equal(c.cell_w, TERM_CELL_W_FALLBACK);
	assert_int_equal(c.cell_h, TERM_CELL_H_FALLBACK);
	assert_false(c.cell_known);
	assert_int_equal(c.colors, TERM_COLORS_FALLBACK);
	/* Nonsense sizes are not believed. */
	c = decide(&env, "\033[6;5000;1t\033[?62;4c", NULL);
	assert_int_equal(c.cell_w, TERM_CELL_W_FALLBACK);
	/* Synchronized output. */
	c = decide(&env, "\033[?2026;2$y\033[?62;4c", NULL);
	assert_true(c.sync_output);
}

static void test_decide_no_sixel(void **state)
{
	(void)state;
	struct term_env env = {.term = "xterm-256color", .is_tty = true};
	struct term_caps c = decide(&env, "\033[?64;1;2;6;9;15;16;17;18;21;22;28c", NULL);
	assert_int_equal(c.graphics, TERM_GRAPHICS_BLOCKS);
	assert_string_equal(c.why, "blocks: DA1 reply (class 64) lacks 4 (no sixel)");
	c = decide(&env, "", NULL);
	assert_int_equal(c.graphics, TERM_GRAPHICS_BLOCKS);
	assert_string_equal(c.why, "blocks: no reply to DA1 within 150 ms");
	assert_false(c.answered);
	assert_true(c.probed);
}

static void test_decide_tmux_screen(void **state)
{
	(void)state;
	struct term_env env = {
		.term = "tmux-256color", .tmux = "/tmp/tmux-0/default,1,0", .is_tty = true};
	struct term_caps c = decide(&env, "\033[8;24;80t\033[?1;2c", NULL);
	assert_int_equal(c.graphics, TERM_GRAPHICS_BLOCKS);
	assert_true(c.in_tmux);
	assert_false(c.in_screen);
	assert_string_equal(
		c.why, "blocks: inside tmux, DA1 reply lacks 4 (tmux before 3.4 has no sixel)");
	/* tmux >= 3.4 with sixel stores and redraws images itself. */
	c = decide(&env, "\033[?1;2;4c", NULL);
	assert_int_equal(c.graphics, TERM_GRAPHICS_SIXEL);
	assert_string_equal(c.why, "sixel: inside tmux, DA1 reply lists 4");
	/* tmux's default TERM is screen: $TMUX tells them apart. */
	env.term = "screen-256color";
	c = decide(&env, "\033[?1;2c", NULL);
	assert_true(c.in_tmux);
	assert_false(c.in_screen);
	/* TERM=tmux* without $TMUX (e.g. after sudo) is still tmux. */
	env.term = "tmux";
	env.tmux = NULL;
	c = decide(&env, "\033[?1;2c", NULL);
	assert_true(c.in_tmux);
	/* GNU screen: blocks whatever DA1 says. */
	env.term = "screen.xterm-256color";
	c = decide(&env, "\033[?62;4c", NULL);
	assert_true(c.in_screen);
	assert_int_equal(c.graphics, TERM_GRAPHICS_BLOCKS);
	assert_string_equal(c.why, "blocks: inside GNU screen (no sixel)");
	env.term = "xterm";
	env.sty = "1234.pts-0.host";
	c = decide(&env, "\033[?62;4c", NULL);
	assert_true(c.in_screen);
	assert_int_equal(c.graphics, TERM_GRAPHICS_BLOCKS);
}

static void test_decide_plain(void **state)
{
	(void)state;
	static const char *const plain[] = {"dumb", "vt100", "vt102", "vt100-am", "vt52", "", NULL};
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		struct term_env env = {.term = plain[i], .is_tty = true};
		assert_false(term_caps_want_probe(&env));
		struct term_caps c = decide(&env, NULL, NULL);
		assert_int_equal(c.graphics, TERM_GRAPHICS_NONE);
		assert_non_null(strstr(c.why, "none: TERM="));
	}
	struct term_env env = {.term = "vt220", .is_tty = true};
	assert_true(term_caps_want_probe(&env));
	env.is_tty = false;
	env.term = "xterm";
	assert_false(term_caps_want_probe(&env));
	struct term_caps c = decide(&env, NULL, NULL);
	assert_int_equal(c.graphics, TERM_GRAPHICS_NONE);
	assert_string_equal(c.why, "none: not a terminal");
}

static void test_decide_forced(void **state)
{
	(void)state;
	struct term_env env = {.term = "dumb", .force = "SIXEL", .force_src = "SQUINT_GRAPHICS"};
	assert_false(term_caps_want_probe(&env));
	struct term_caps c = decide(&env, NULL, NULL);
	assert_int_equal(c.graphics, TERM_GRAPHICS_SIXEL);
	assert_string_equal(c.why, "sixel: forced by SQUINT_GRAPHICS=SIXEL");
	assert_int_equal(c.cell_w, TERM_CELL_W_FALLBACK);
	assert_int_equal(c.colors, TERM_COLORS_FALLBACK);
	env.force = "blocks";
	env.force_src = NULL;
	env.term = "tmux";
	c = decide(&env, NULL, NULL);
	assert_int_equal(c.graphics, TERM_GRAPHICS_BLOCKS);
	assert_string_equal(c.why, "blocks: forced by graphics=blocks");
	assert_true(c.in_tmux);
	env.force = "none";
	c = decide(&env, NULL, NULL);
	assert_int_equal(c.graphics, TERM_GRAPHICS_NONE);
	/* A typo is ignored, and said so. */
	env.force = "sixels";
	env.force_src = "SQUINT_GRAPHICS";
	env.term = "xterm";
	env.is_tty = true;
	assert_true(term_caps_want_probe(&env));
	c = decide(&env, "\033[?62;4c", NULL);
	assert_int_equal(c.graphics, TERM_GRAPHICS_SIXEL);
	assert_string_equal(c.why,
			    "sixel: DA1 reply lists 4 (ignoring unknown SQUINT_GRAPHICS=sixels)");
}

static void test_graphics_names(void **state)
{
	(void)state;
	enum term_graphics g = TERM_GRAPHICS_NONE;
	assert_int_equal(term_graphics_parse("Blocks", &g), 0);
	assert_int_equal(g, TERM_GRAPHICS_BLOCKS);
	assert_int_equal(term_graphics_parse("kitty", &g), -1);
	assert_int_equal(g, TERM_GRAPHICS_BLOCKS);
	assert_int_equal(term_graphics_parse(NULL, &g), -1);
	assert_string_equal(term_graphics_name(TERM_GRAPHICS_SIXEL), "sixel");
	assert_string_equal(term_graphics_name(TERM_GRAPHICS_NONE), "none");
}

static void test_take_typed(void **state)
{
	(void)state;
	struct term_caps c;
	memset(&c, 0, sizeof c);
	memcpy(c.typed, "hello", 5);
	c.ntyped = 5;
	unsigned char buf[8];
	assert_int_equal(term_caps_take_typed(&c, buf, 2), 2);
	assert_memory_equal(buf, "he", 2);
	assert_int_equal(term_caps_take_typed(&c, buf, sizeof buf), 3);
	assert_memory_equal(buf, "llo", 3);
	assert_int_equal(term_caps_take_typed(&c, buf, sizeof buf), 0);
}

static void test_probe_not_a_tty(void **state)
{
	(void)state;
	/* /dev/null is no terminal: no queries, no waiting, "none". */
	FILE *f = fopen("/dev/null", "r+");
	assert_non_null(f);
	struct term_caps c;
	memset(&c, 0, sizeof c);
	term_probe(fileno(f), "", 0, &c);
	fclose(f);
	assert_false(c.probed);
	assert_int_equal(c.ntyped, 0);
	/* Unless forced (SQUINT_GRAPHICS may be set by whoever runs us). */
	if (!getenv("SQUINT_GRAPHICS") || !*getenv("SQUINT_GRAPHICS")) {
		assert_int_equal(c.graphics, TERM_GRAPHICS_NONE);
		assert_string_equal(c.why, "none: not a terminal");
	}
	memset(&c, 0, sizeof c);
	term_probe(-1, "blocks", 0, &c);
	assert_int_equal(c.graphics, TERM_GRAPHICS_BLOCKS);
	assert_string_equal(c.why, "blocks: forced by graphics=blocks");
}

/* Open a pty pair into *master and *slave, with the given window size. */
static void open_pty(int *master, int *slave, const struct winsize *ws)
{
	*master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(*master >= 0);
	assert_int_equal(grantpt(*master), 0);
	assert_int_equal(unlockpt(*master), 0);
	*slave = open(ptsname(*master), O_RDWR | O_NOCTTY);
	assert_true(*slave >= 0);
	assert_int_equal(ioctl(*slave, TIOCSWINSZ, ws), 0);
}

/* Return everything readable on fd now, NUL-terminated, in buf. */
static size_t drain(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	while (n + 1 < cap && poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN)) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return n;
}

/* Set the environment the probe reads to a plain xterm. */
static void env_xterm(void)
{
	setenv("TERM", "xterm-256color", 1);
	unsetenv("TMUX");
	unsetenv("STY");
	unsetenv("SQUINT_GRAPHICS");
}

static void test_probe_pty(void **state)
{
	(void)state;
	env_xterm();
	int master, slave;
	struct winsize ws = {.ws_row = 24, .ws_col = 80, .ws_xpixel = 724, .ws_ypixel = 412};
	open_pty(&master, &slave, &ws);
	struct termios before;
	assert_int_equal(tcgetattr(slave, &before), 0);
	/* The terminal "answers" before the probe reads, with keys typed
	 * around the replies; the probe must stop at DA1 and not wait. */
	static const char answer[] = "x\033[?1;0;64Sy\033[?2026;1$y\033[?62;4;22cz";
	assert_int_equal(write(master, answer, sizeof answer - 1), (ssize_t)(sizeof answer - 1));
	struct term_caps c;
	memset(&c, 0, sizeof c);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	term_probe(slave, NULL, 2000, &c);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms < 1000);
	assert_int_equal(c.graphics, TERM_GRAPHICS_SIXEL);
	assert_string_equal(c.why, "sixel: DA1 reply lists 4");
	assert_int_equal(c.colors, 64);
	assert_true(c.sync_output);
	assert_int_equal(c.cell_w, 9);
	assert_int_equal(c.cell_h, 17);
	unsigned char typed[16];
	size_t n = term_caps_take_typed(&c, typed, sizeof typed);
	assert_int_equal(n, 3);
	assert_memory_equal(typed, "xyz", 3);
	/* The queries went out, DA1 last; the modes are back as they were. */
	char out[512];
	drain(master, out, sizeof out);
	assert_non_null(strstr(out, "\033[?1;1;0S"));
	assert_non_null(strstr(out, "\033[16t"));
	assert_non_null(strstr(out, "\033[14t"));
	assert_non_null(strstr(out, "\033[?2026$p"));
	assert_non_null(strstr(out, "\033[c"));
	struct termios after;
	assert_int_equal(tcgetattr(slave, &after), 0);
	assert_int_equal(after.c_lflag, before.c_lflag);
	assert_int_equal(after.c_iflag, before.c_iflag);
	close(slave);
	close(master);
}

static void test_probe_pty_silent(void **state)
{
	(void)state;
	env_xterm();
	int master, slave;
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	open_pty(&master, &slave, &ws);
	/* A terminal that never answers, and an Escape key: the probe gives
	 * up after its timeout and hands the key back. */
	assert_int_equal(write(master, "\033", 1), 1);
	struct term_caps c;
	memset(&c, 0, sizeof c);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	term_probe(slave, NULL, 100, &c);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 90 && ms < 600);
	assert_int_equal(c.graphics, TERM_GRAPHICS_BLOCKS);
	assert_string_equal(c.why, "blocks: no reply to DA1 within 100 ms");
	assert_false(c.cell_known);
	assert_int_equal(c.ntyped, 1);
	assert_int_equal(c.typed[0], 0x1b);
	/* A late reply stays in the tty for the input layer to swallow. */
	close(slave);
	close(master);
}

static void test_probe_pty_typed_overflow(void **state)
{
	(void)state;
	env_xterm();
	int master, slave;
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	open_pty(&master, &slave, &ws);
	/* A paste bigger than the probe keeps: it stops reading, and what it
	 * did not read is still queued, in order, for curses. */
	char paste[2000];
	for (size_t i = 0; i < sizeof paste; i++)
		paste[i] = (char)('a' + i % 26);
	assert_int_equal(write(master, paste, sizeof paste), (ssize_t)sizeof paste);
	struct term_caps c;
	memset(&c, 0, sizeof c);
	term_probe(slave, NULL, 100, &c);
	assert_true(c.ntyped > 0 && c.ntyped <= TERM_TYPED_MAX);
	assert_memory_equal(c.typed, paste, c.ntyped);
	char rest[4096];
	size_t n = drain(slave, rest, sizeof rest);
	assert_int_equal(c.ntyped + n, sizeof paste);
	assert_memory_equal(rest, paste + c.ntyped, n);
	close(slave);
	close(master);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_da1_with_sixel),
		cmocka_unit_test(test_da1_without_sixel),
		cmocka_unit_test(test_graphics_registers),
		cmocka_unit_test(test_window_reports),
		cmocka_unit_test(test_decrpm),
		cmocka_unit_test(test_full_probe_reply),
		cmocka_unit_test(test_keys_pass_through),
		cmocka_unit_test(test_lone_escape_and_alt),
		cmocka_unit_test(test_interleaved),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_other_replies_swallowed),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_decide_sixel),
		cmocka_unit_test(test_decide_cell_sources),
		cmocka_unit_test(test_decide_no_sixel),
		cmocka_unit_test(test_decide_tmux_screen),
		cmocka_unit_test(test_decide_plain),
		cmocka_unit_test(test_decide_forced),
		cmocka_unit_test(test_graphics_names),
		cmocka_unit_test(test_take_typed),
		cmocka_unit_test(test_probe_not_a_tty),
		cmocka_unit_test(test_probe_pty),
		cmocka_unit_test(test_probe_pty_silent),
		cmocka_unit_test(test_probe_pty_typed_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
