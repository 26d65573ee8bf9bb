/* The /commands of the interactive mode: their table, parsing and help, and
 * reading a pasted file path.  Pure: no curses, no I/O. */
#ifndef SQUINT_UI_COMMANDS_H
#define SQUINT_UI_COMMANDS_H

#include <stddef.h>

enum cmd_id {
	CMD_NONE,    /* not a command: text to send */
	CMD_UNKNOWN, /* starts with '/' but names no command */
	CMD_HELP,
	CMD_ATTACH,
	CMD_DETACH,
	CMD_MODEL,
	CMD_SYSTEM,
	CMD_SET,
	CMD_NEW,
	CMD_RETRY,
	CMD_REASONING,
	CMD_QUIT,
	CMD_COPY,
	CMD_EDIT,
	CMD_TOOL,
	CMD_VIEW,
	CMD_SAVE,
	CMD_BRANCHES,
	CMD_FORGET,
};

/* Parse the input text: returns the command and sets *arg to its argument
 * (trimmed, newly allocated, NULL when there is none; the caller frees it).
 * "//text" is no command: *arg is then "/text", the text to send. */
enum cmd_id cmd_parse(const char *text, char **arg);

/* Return the help text (keys and commands), lines separated by '\n'; static. */
const char *cmd_help_text(void);

/* Return the names ("/attach", ...) that start with prefix, at most max of
 * them, in out (static strings); returns how many. */
size_t cmd_complete(const char *prefix, const char **out, size_t max);

/* Find fenced code block n (from 1) of the Markdown text s[0, len): a
 * ``` or ~~~ fence (at most 3 spaces in), up to the closing fence or the
 * end.  Sets *start and *n_bytes to its content (without the fences, the
 * last newline included); returns 0, or -1 when there is no block n. */
int cmd_code_block(const char *s, size_t len, int n, size_t *start, size_t *n_bytes);

/* Return the file path a paste holds when it is one path as terminals paste
 * a dropped file: surrounding blanks trimmed, '...' or "..." quotes removed,
 * backslash escapes undone, a file:// prefix dropped (with %XX decoded);
 * newly allocated (the caller frees it), or NULL when the paste is not one
 * absolute or ~/ path on one line. */
char *cmd_pasted_path(const char *s, size_t len);

#endif
