/* The system clipboard through the terminal: OSC 52, which works over SSH
 * because the terminal, not the host, owns the clipboard. */
#ifndef SQUINT_UI_CURSES_CLIPBOARD_H
#define SQUINT_UI_CURSES_CLIPBOARD_H

#include <stdbool.h>
#include <stddef.h>

/* Return the escape sequence that puts data (len bytes) on the clipboard:
 * ESC ] 52 ; c ; BASE64 BEL, and when tmux is set the same once more
 * wrapped for tmux's passthrough (ESC P tmux; ... ESC \, every ESC inside
 * doubled).  Newly allocated; *out_len gets its length; the caller frees
 * it. */
char *clipboard_osc52(const char *data, size_t len, bool tmux, size_t *out_len);

/* Write the sequence for data to the terminal on fd (between two frames:
 * curses has flushed its output); tmux is detected from $TMUX.  Returns 0,
 * or -1 when the write failed. */
int clipboard_copy(int fd, const char *data, size_t len);

#endif
