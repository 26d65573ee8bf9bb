#include <config.h>

#include "ui/curses/keys.h"
#include "core/sanitize.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "term/reply.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

/* Our codes for the bracketed-paste markers, far above ncurses' own. */
#define KEYS_PASTE_BEGIN 0x6F00
#define KEYS_PASTE_END 0x6F01
/* A paste larger than this is cut (the rest is dropped). */
#define KEYS_MAX_PASTE (16u * 1024 * 1024)

struct keys {
	bool in_paste;
	struct strbuf paste;  /* text of the paste being collected */
	struct strbuf done;   /* text of the last paste event handed out */
	/* Late replies to the terminal probe (they can arrive after curses
	 * started, over a slow link) are swallowed here, never typed. */
	struct term_reply_parser replies;
};

/* Return a new reader. */
struct keys *keys_new(bool mouse)
{
	struct keys *k = xcalloc(1, sizeof *k);
	term_reply_init(&k->replies);
	define_key("\033[200~", KEYS_PASTE_BEGIN);
	define_key("\033[201~", KEYS_PASTE_END);
	if (mouse) {
		mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		mouseinterval(0);
	}
	return k;
}

/* Free k. */
void keys_delete(struct keys *k)
{
	if (!k)
		return;
	strbuf_done(&k->paste);
	strbuf_done(&k->done);
	free(k);
}

/* Return whether a paste is being collected. */
bool keys_in_paste(const struct keys *k)
{
	return k->in_paste;
}

/* Append the UTF-8 form of c to sb. */
static void keys_put_utf8(struct strbuf *sb, uint32_t c)
{
	char b[4];
	strbuf_append(sb, b, sanitize_utf8_encode(b, c));
}

/* Fill ev for a named key. */
static bool keys_named(struct ui_event *ev, enum ui_key key, unsigned mods)
{
	ev->kind = UI_EV_KEY;
	ev->key = key;
	ev->mods = mods;
	return true;
}

/* Map an extended key by its terminfo name ("kHOM5": Ctrl-Home, the digit
 * is xterm's modifier code: 3 Alt, 5 Ctrl, 2 Shift). */
static bool keys_extended(int code, struct ui_event *ev)
{
	const char *name = keyname(code);
	if (!name || name[0] != 'k' || strlen(name) < 4)
		return false;
	static const struct {
		const char *prefix;
		enum ui_key key;
	} map[] = {
		{"kHOM", UI_KEY_HOME}, {"kEND", UI_KEY_END}, {"kLFT", UI_KEY_LEFT},
		{"kRIT", UI_KEY_RIGHT}, {"kUP", UI_KEY_UP},  {"kDN", UI_KEY_DOWN},
		{"kPRV", UI_KEY_PAGE_UP}, {"kNXT", UI_KEY_PAGE_DOWN}, {"kDC", UI_KEY_DELETE},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		size_t pl = strlen(map[i].prefix);
		if (strncmp(name, map[i].prefix, pl) != 0 || !name[pl] || name[pl + 1])
			continue;
		int m = name[pl] - '1';
		if (m < 1 || m > 7)
			return false;
		unsigned mods = ((m & 1) ? UI_MOD_SHIFT : 0) | ((m & 2) ? UI_MOD_ALT : 0) |
				((m & 4) ? UI_MOD_CTRL : 0);
		return keys_named(ev, map[i].key, mods);
	}
	return false;
}

/* Turn a curses key code into ev; returns false for codes we ignore. */
static bool keys_code(struct keys *k, int code, struct ui_event *ev)
{
	(void)k;
	switch (code) {
	case KEY_UP: return keys_named(ev, UI_KEY_UP, 0);
	case KEY_DOWN: return keys_named(ev, UI_KEY_DOWN, 0);
	case KEY_LEFT: return keys_named(ev, UI_KEY_LEFT, 0);
	case KEY_RIGHT: return keys_named(ev, UI_KEY_RIGHT, 0);
	case KEY_SLEFT: return keys_named(ev, UI_KEY_LEFT, UI_MOD_SHIFT);
	case KEY_SRIGHT: return keys_named(ev, UI_KEY_RIGHT, UI_MOD_SHIFT);
	case KEY_HOME: return keys_named(ev, UI_KEY_HOME, 0);
	case KEY_END: return keys_named(ev, UI_KEY_END, 0);
	case KEY_PPAGE: return keys_named(ev, UI_KEY_PAGE_UP, 0);
	case KEY_NPAGE: return keys_named(ev, UI_KEY_PAGE_DOWN, 0);
	case KEY_DC: return keys_named(ev, UI_KEY_DELETE, 0);
	case KEY_IC: return keys_named(ev, UI_KEY_INSERT, 0);
	case KEY_BACKSPACE: return keys_named(ev, UI_KEY_BACKSPACE, 0);
	case KEY_ENTER: return keys_named(ev, UI_KEY_ENTER, 0);
	case KEY_BTAB: return keys_named(ev, UI_KEY_BACKTAB, UI_MOD_SHIFT);
	case KEY_F(1): return keys_named(ev, UI_KEY_F1, 0);
	case KEY_F(2): return keys_named(ev, UI_KEY_F2, 0);
	case KEY_RESIZE:
		ev->kind = UI_EV_RESIZE;
		return true;
	case KEY_MOUSE: {
		MEVENT me;
		if (getmouse(&me) != OK)
			return false;
		ev->kind = UI_EV_MOUSE;
		ev->x = me.x;
		ev->y = me.y;
		if (me.bstate & BUTTON4_PRESSED)
			ev->key = UI_KEY_WHEEL_UP;
		else if (me.bstate & BUTTON5_PRESSED)
			ev->key = UI_KEY_WHEEL_DOWN;
		else
			return false;
		return true;
	}
	default:
		return keys_extended(code, ev);
	}
}

/* Turn a typed character into ev (Alt when it followed a lone Esc). */
static bool keys_char(uint32_t c, unsigned mods, struct ui_event *ev)
{
	ev->mods = mods;
	switch (c) {
	case '\r':
		return keys_named(ev, UI_KEY_ENTER, mods);
	case '\t':
		return keys_named(ev, UI_KEY_TAB, mods);
	case 8:
	case 127:
		return keys_named(ev, UI_KEY_BACKSPACE, mods);
	case 27:
		return keys_named(ev, UI_KEY_ESCAPE, mods);
	default:
		break;
	}
	ev->kind = UI_EV_CHAR;
	if (c >= 1 && c <= 26) {
		ev->ch = 'a' + c - 1;
		ev->mods |= UI_MOD_CTRL;
	} else if (c == 0x1F) {
		/* Ctrl-_ (and Ctrl-/ on most terminals): the editor's undo. */
		ev->ch = '_';
		ev->mods |= UI_MOD_CTRL;
	} else if (c < 0x20 || (c >= 0x80 && c < 0xA0)) {
		return false;
	} else {
		ev->ch = c;
	}
	return true;
}

/* After ESC [ (read): read the rest of a CSI sequence and swallow it when it
 * is a reply to the probe (term/reply.h); returns -1 when swallowed, else 1
 * with the bytes after ESC [ pushed back to be read as typed. */
static int keys_csi(struct keys *k)
{
	unsigned char out[TERM_REPLY_HOLD_MAX * 2 + 8];
	size_t n = term_reply_feed(&k->replies, (const unsigned char *)"\033[", 2, out);
	/* Replies come in one write: wait for no byte that is not there yet. */
	for (int i = 0; n == 0 && term_reply_pending(&k->replies) && i < TERM_REPLY_HOLD_MAX; i++) {
		wint_t c;
		int r = get_wch(&c);
		if (r != OK || c > 0x7f) {
			if (r == KEY_CODE_YES)
				ungetch((int)c);
			else if (r == OK)
				unget_wch(c);
			break;
		}
		unsigned char b = (unsigned char)c;
		n = term_reply_feed(&k->replies, &b, 1, out);
	}
	if (n == 0 && term_reply_pending(&k->replies))
		n = term_reply_flush(&k->replies, out);
	if (n == 0)
		return -1;
	/* out holds ESC [ and what followed: give back all after ESC [. */
	for (size_t i = n; i-- > 2;)
		ungetch(out[i]);
	return 1;
}

/* Read the next event. */
bool keys_read(struct keys *k, struct ui_event *ev)
{
	for (;;) {
		wint_t wc;
		int r = get_wch(&wc);
		if (r == ERR)
			return false;
		memset(ev, 0, sizeof *ev);
		if (k->in_paste) {
			if (r == KEY_CODE_YES && wc == KEYS_PASTE_END) {
				k->in_paste = false;
				strbuf_reset(&k->done);
				strbuf_append(&k->done, strbuf_str(&k->paste), k->paste.len);
				strbuf_reset(&k->paste);
				ev->kind = UI_EV_PASTE;
				ev->text = strbuf_str(&k->done);
				ev->len = k->done.len;
				return true;
			}
			if (r == KEY_CODE_YES) {
				if (wc == KEY_ENTER)
					strbuf_putc(&k->paste, '\n');
				continue;
			}
			if (k->paste.len < KEYS_MAX_PASTE)
				keys_put_utf8(&k->paste, wc == '\r' ? '\n' : (uint32_t)wc);
			continue;
		}
		if (r == KEY_CODE_YES) {
			if (wc == KEYS_PASTE_BEGIN) {
				k->in_paste = true;
				strbuf_reset(&k->paste);
				continue;
			}
			if (wc == KEYS_PASTE_END)
				continue;
			if (keys_code(k, (int)wc, ev))
				return true;
			continue;
		}
		if (wc == 27) {
			/* Esc then a character at once is Alt+character. */
			wint_t next;
			int r2 = get_wch(&next);
			if (r2 == OK && next == '[') {
				int got = keys_csi(k);
				if (got < 0)
					continue; /* a reply, swallowed */
				if (got > 0) {
					/* Not a reply: Alt+[ then the rest as typed. */
					if (keys_char('[', UI_MOD_ALT, ev))
						return true;
					continue;
				}
			}
			if (r2 == OK && next != 27) {
				if (keys_char((uint32_t)next, UI_MOD_ALT, ev))
					return true;
				continue;
			}
			/* A lone Esc: give back what followed it. */
			if (r2 == KEY_CODE_YES)
				ungetch((int)next);
			else if (r2 == OK)
				unget_wch(next);
		}
		if (keys_char((uint32_t)wc, 0, ev))
			return true;
	}
}
