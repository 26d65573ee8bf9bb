#include <config.h>

#include "ui/commands.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	enum cmd_id id;
} cmd_table[] = {
	{"/attach", CMD_ATTACH}, {"/clear", CMD_NEW},   {"/detach", CMD_DETACH},
	{"/exit", CMD_QUIT},     {"/help", CMD_HELP},   {"/model", CMD_MODEL},
	{"/new", CMD_NEW},       {"/quit", CMD_QUIT},   {"/reasoning", CMD_REASONING},
	{"/retry", CMD_RETRY},   {"/set", CMD_SET},     {"/system", CMD_SYSTEM},
	{"/copy", CMD_COPY},     {"/edit", CMD_EDIT},   {"/tool", CMD_TOOL},
	{"/view", CMD_VIEW},     {"/save", CMD_SAVE},
	{"/branches", CMD_BRANCHES}, {"/forget", CMD_FORGET},
};

/* Return whether c is a blank (space, tab, newline). */
static bool cmd_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Parse a command line. */
enum cmd_id cmd_parse(const char *text, char **arg)
{
	*arg = NULL;
	const char *s = text;
	while (cmd_blank(*s))
		s++;
	if (s[0] != '/')
		return CMD_NONE;
	if (s[1] == '/') {
		*arg = xstrdup(s + 1);
		return CMD_NONE;
	}
	size_t n = 1;
	while (s[n] && !cmd_blank(s[n]))
		n++;
	enum cmd_id id = CMD_UNKNOWN;
	for (size_t i = 0; i < sizeof cmd_table / sizeof cmd_table[0]; i++)
		if (strlen(cmd_table[i].name) == n && memcmp(cmd_table[i].name, s, n) == 0)
			id = cmd_table[i].id;
	const char *a = s + n;
	while (cmd_blank(*a))
		a++;
	size_t al = strlen(a);
	while (al && cmd_blank(a[al - 1]))
		al--;
	if (id == CMD_UNKNOWN)
		*arg = xstrndup(s, n);
	else if (al)
		*arg = xstrndup(a, al);
	return id;
}

/* Return the help text. */
const char *cmd_help_text(void)
{
	return "Keys\n"
	       "  Enter            send (the text and the attached images)\n"
	       "  Alt-Enter, C-j   new line in the input\n"
	       "  Up / Down        input history (or move between input lines)\n"
	       "  Esc, C-c         cancel the answer that is streaming (it is kept)\n"
	       "  C-c              clear the input; twice on an empty input: quit\n"
	       "  C-d              quit (on an empty input)\n"
	       "  PgUp / PgDn      scroll the conversation; mouse wheel too\n"
	       "  Home / End       top / bottom of the conversation (empty input), or C-Home / C-End\n"
	       "  C-f              (empty input) search: type, Enter; n / N older / newer match; Esc ends\n"
	       "  C-r              show or fold reasoning\n"
	       "  Alt-Left/Right   (several choices, -n) show the previous / next choice; the\n"
	       "                   one shown is the one the conversation goes on with;\n"
	       "                   Tab / Shift-Tab too on an empty input\n"
	       "  F2               tint answer tokens by probability (asked with --logprobs)\n"
	       "  Alt-Up/Down      (tints on) select a token: its alternatives show below\n"
	       "  C-l              redraw the screen;  C-z  suspend\n"
	       "  C-a C-e C-b C-f M-b M-f C-d C-h C-k C-u C-w C-y M-d C-_   edit the input (Emacs keys)\n"
	       "Commands\n"
	       "  /attach PATH|GLOB|URL...  attach images to the next message (or paste a file's path)\n"
	       "  /detach N|all             remove attachment N (from the strip), or all of them\n"
	       "  /view N                   show attachment N (or image N of the conversation) large\n"
	       "  /model [NAME]             use another model (alone: show the model)\n"
	       "  /system [TEXT]            set the system prompt (alone: remove it)\n"
	       "  /set [PARAM [VALUE]]      set a request parameter (temperature, max_tokens, ...);\n"
	       "                            alone: list them all with their values\n"
	       "  /retry                    a new answer to the last question\n"
	       "  /edit                     put the last question back into the input\n"
	       "  /copy [N]                 copy the last answer (or its code block N) to the\n"
	       "                            clipboard (OSC 52; in tmux: set-clipboard on)\n"
	       "  /tool ID TEXT             answer tool call ID with TEXT (then the model goes on)\n"
	       "  /reasoning                show or fold reasoning (like C-r)\n"
	       "  /save FILE                write the whole conversation to the new session file\n"
	       "                            FILE and go on saving there\n"
	       "  /branches                 the tree of the conversation: choose a branch to\n"
	       "                            go on with (\xe2\x86\x91\xe2\x86\x93, Enter; Esc closes)\n"
	       "  /forget N                 stop sending image N (the session file keeps it)\n"
	       "  /new, /clear              start a new conversation\n"
	       "  /help                     this text\n"
	       "  /quit, /exit              leave squint\n"
	       "  //text                    send text that starts with '/'";
}

/* Return the command names starting with prefix. */
size_t cmd_complete(const char *prefix, const char **out, size_t max)
{
	size_t n = 0, pl = strlen(prefix);
	for (size_t i = 0; i < sizeof cmd_table / sizeof cmd_table[0] && n < max; i++)
		if (strncmp(cmd_table[i].name, prefix, pl) == 0)
			out[n++] = cmd_table[i].name;
	return n;
}

/* Return the length of the fence that opens or closes at line s[0, n) (3
 * or more ` or ~ after at most 3 spaces), setting *ch to its character;
 * 0 when the line is no fence. */
static size_t cmd_fence(const char *s, size_t n, char *ch)
{
	size_t i = 0;
	while (i < n && i < 3 && s[i] == ' ')
		i++;
	if (i >= n || (s[i] != '`' && s[i] != '~'))
		return 0;
	size_t k = i;
	while (k < n && s[k] == s[i])
		k++;
	if (k - i < 3)
		return 0;
	*ch = s[i];
	return k - i;
}

/* Find fenced code block n. */
int cmd_code_block(const char *s, size_t len, int n, size_t *start, size_t *n_bytes)
{
	int seen = 0;
	size_t open_len = 0, from = 0;
	char open_ch = 0;
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(s + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - s) + 1 : len;
		size_t line = end - off - (nl ? 1 : 0);
		char ch = 0;
		size_t f = cmd_fence(s + off, line, &ch);
		if (!open_len && f) {
			open_len = f;
			open_ch = ch;
			from = end;
			seen++;
		} else if (open_len && f >= open_len && ch == open_ch) {
			/* A closing fence has nothing but blanks after it. */
			size_t k = off;
			while (k < off + line && s[k] == ' ')
				k++;
			k += f;
			while (k < off + line && (s[k] == ' ' || s[k] == '\t'))
				k++;
			if (k == off + line) {
				if (seen == n) {
					*start = from;
					*n_bytes = off - from;
					return 0;
				}
				open_len = 0;
			}
		}
		off = end;
	}
	if (open_len && seen == n) {
		*start = from;
		*n_bytes = len - from;
		return 0;
	}
	return -1;
}

/* Return the value of hex digit c, or -1. */
static int cmd_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read a pasted path. */
char *cmd_pasted_path(const char *s, size_t len)
{
	while (len && cmd_blank(*s))
		s++, len--;
	while (len && cmd_blank(s[len - 1]))
		len--;
	if (len < 2 || memchr(s, '\n', len) || memchr(s, '\0', len))
		return NULL;
	if ((s[0] == '\'' || s[0] == '"') && s[len - 1] == s[0]) {
		s++;
		len -= 2;
	}
	struct strbuf sb = STRBUF_INIT;
	bool url = len > 7 && strncmp(s, "file://", 7) == 0;
	if (url) {
		s += 7;
		len -= 7;
	}
	for (size_t i = 0; i < len; i++) {
		if (!url && s[i] == '\\' && i + 1 < len) {
			strbuf_putc(&sb, s[++i]);
		} else if (url && s[i] == '%' && i + 2 < len && cmd_hex(s[i + 1]) >= 0 &&
			   cmd_hex(s[i + 2]) >= 0) {
			strbuf_putc(&sb, (char)(cmd_hex(s[i + 1]) * 16 + cmd_hex(s[i + 2])));
			i += 2;
		} else {
			strbuf_putc(&sb, s[i]);
		}
	}
	char *p = strbuf_detach(&sb);
	if (!p || !(p[0] == '/' || (p[0] == '~' && p[1] == '/')) || strchr(p, '\0') != p + strlen(p)) {
		free(p);
		return NULL;
	}
	return p;
}
