/* What the terminal sends -> struct ui_event: keys with their modifiers,
 * bracketed paste collected into one event, the mouse wheel, resizes.
 * Call keys_read() until it returns 0 on every wake-up: ncurses keeps bytes
 * it already read in its own queue, where poll() cannot see them. */
#ifndef SQUINT_UI_CURSES_KEYS_H
#define SQUINT_UI_CURSES_KEYS_H

#include "ui/event.h"

#include <stdbool.h>

struct keys;

/* Return a new reader for the current screen (after screen_init()); mouse
 * says whether to ask for wheel events.  The caller frees it with
 * keys_delete(). */
struct keys *keys_new(bool mouse);
/* Free k (NULL is fine). */
void keys_delete(struct keys *k);
/* Read the next event into *ev; returns true, or false when no input is
 * pending.  A paste's text is borrowed until the next call. */
bool keys_read(struct keys *k, struct ui_event *ev);
/* Return whether a paste has started and not yet ended. */
bool keys_in_paste(const struct keys *k);

#endif
