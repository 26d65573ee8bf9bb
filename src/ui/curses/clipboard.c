/* OSC 52 clipboard writes.
 *
 * Inside tmux two sequences go out.  The plain one reaches tmux itself,
 * which keeps it as a paste buffer and passes it on to the outer terminal
 * when `set-clipboard` is `on` (tmux's default, `external`, ignores it).
 * The wrapped one goes through tmux untouched to the outer terminal when
 * `allow-passthrough` is `on`.  Whichever of the two options the user has,
 * the clipboard is set; with both, the outer terminal gets the same text
 * twice, which is harmless. */
#include <config.h>

#include "ui/curses/clipboard.h"
#include "core/attach.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Return the OSC 52 sequence for data. */
char *clipboard_osc52(const char *data, size_t len, bool tmux, size_t *out_len)
{
	size_t b64_len = attach_base64_len(len);
	char *b64 = xmalloc(b64_len + 1);
	attach_base64_encode(b64, (const unsigned char *)data, len);
	struct strbuf sb = STRBUF_INIT;
	strbuf_printf(&sb, "\033]52;c;%s\a", b64);
	if (tmux)
		strbuf_printf(&sb, "\033Ptmux;\033\033]52;c;%s\a\033\\", b64);
	free(b64);
	*out_len = sb.len;
	return strbuf_detach(&sb);
}

/* Write the clipboard sequence to fd. */
int clipboard_copy(int fd, const char *data, size_t len)
{
	const char *tmux = getenv("TMUX");
	size_t n = 0;
	char *seq = clipboard_osc52(data, len, tmux && *tmux, &n);
	size_t off = 0;
	int rc = 0;
	while (off < n) {
		ssize_t w = write(fd, seq + off, n - off);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue; /* the terminal is slow: it drains */
		if (w <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)w;
	}
	free(seq);
	return rc;
}
