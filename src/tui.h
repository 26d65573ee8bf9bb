/* The interactive mode: one full-screen chat on one thread, where answers
 * stream while the keyboard stays live. */
#ifndef SQUINT_TUI_H
#define SQUINT_TUI_H

#include "core/config.h"

#include <stdbool.h>
#include <stddef.h>

/* Run the chat with the settings of cfg, inputs (image files and URLs)
 * attached to the first message, debug logging to a file when verbose,
 * the conversation resumed from and saved to the session file session
 * (NULL: none); returns an exit status (see oneshot.h) once the user
 * quits. */
int tui_run(struct squint_config *cfg, char *const *inputs, size_t n_inputs, bool verbose,
	    const char *session);

#endif
