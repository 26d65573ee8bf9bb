/* One input event type for every widget: keys, text, paste, mouse, resize.
 * The curses layer turns what the terminal sends into these; widgets never
 * see curses key codes. */
#ifndef SQUINT_UI_EVENT_H
#define SQUINT_UI_EVENT_H

#include <stddef.h>
#include <stdint.h>

enum ui_event_kind {
	UI_EV_KEY,    /* a named key (key, mods) */
	UI_EV_CHAR,   /* one typed character (ch, mods: UI_MOD_ALT possible) */
	UI_EV_PASTE,  /* bracketed paste: text, len (UTF-8, may hold newlines) */
	UI_EV_MOUSE,  /* wheel or click: key is UI_KEY_WHEEL_UP/DOWN or UI_KEY_CLICK */
	UI_EV_RESIZE, /* the terminal changed size */
};

enum ui_key {
	UI_KEY_NONE,
	UI_KEY_ENTER,
	UI_KEY_TAB,
	UI_KEY_BACKTAB,
	UI_KEY_BACKSPACE,
	UI_KEY_DELETE,
	UI_KEY_ESCAPE,
	UI_KEY_UP,
	UI_KEY_DOWN,
	UI_KEY_LEFT,
	UI_KEY_RIGHT,
	UI_KEY_HOME,
	UI_KEY_END,
	UI_KEY_PAGE_UP,
	UI_KEY_PAGE_DOWN,
	UI_KEY_INSERT,
	UI_KEY_F1,
	UI_KEY_F2,
	UI_KEY_WHEEL_UP,
	UI_KEY_WHEEL_DOWN,
	UI_KEY_CLICK,
};

enum ui_mod {
	UI_MOD_CTRL = 1,
	UI_MOD_ALT = 2,
	UI_MOD_SHIFT = 4,
};

struct ui_event {
	enum ui_event_kind kind;
	enum ui_key key;  /* UI_EV_KEY, UI_EV_MOUSE */
	uint32_t ch;      /* UI_EV_CHAR: a Unicode scalar; Ctrl-A..Z arrive as
			     ch 'a'..'z' with UI_MOD_CTRL */
	unsigned mods;    /* enum ui_mod bits */
	int x, y;         /* UI_EV_MOUSE: cell */
	const char *text; /* UI_EV_PASTE: borrowed for the call */
	size_t len;
};

/* What a widget did with an event; the loop redraws, never the widget. */
enum ui_result {
	UI_IGNORED = 0,
	UI_HANDLED = 1,  /* consumed */
	UI_REDRAW = 2,   /* its drawing changed */
	UI_RELAYOUT = 4, /* its size changed (the input grew, say) */
	UI_SUBMIT = 8,   /* the input editor's text is to be sent */
};

#endif
