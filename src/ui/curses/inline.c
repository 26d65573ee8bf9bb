#include <config.h>

#include "ui/curses/inline.h"
#include "core/sanitize.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "img/blocks.h"
#include "img/sixel.h"

#include <errno.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write all of sb to fd; 0 or -1. */
static int inline_write(int fd, const struct strbuf *sb)
{
	size_t off = 0;
	while (off < sb->len) {
		ssize_t n = write(fd, sb->data + off, sb->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Append the SGR sequence for cell c's colours in grid mode m. */
static void inline_cell_colors(struct strbuf *sb, const struct block_cell *c, enum blocks_mode m)
{
	if (m == BLOCKS_MONO)
		return;
	if (c->fg_idx >= 0 && c->bg_idx >= 0)
		strbuf_printf(sb, "\033[38;5;%d;48;5;%dm", c->fg_idx, c->bg_idx);
	else
		strbuf_printf(sb, "\033[38;2;%u;%u;%u;48;2;%u;%u;%um", (c->fg >> 16) & 255,
			      (c->fg >> 8) & 255, c->fg & 255, (c->bg >> 16) & 255,
			      (c->bg >> 8) & 255, c->bg & 255);
}

/* Append the UTF-8 encoding of code point u. */
static void inline_put_utf8(struct strbuf *sb, uint32_t u)
{
	char b[4];
	strbuf_append(sb, b, sanitize_utf8_encode(b, u));
}

int inline_preview_print(int fd, const struct image *img, const char *label,
			 const struct term_caps *caps, int max_cols, int max_rows, char **err)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, label);
	strbuf_putc(&sb, '\n');
	int rc = 0;
	if (caps->graphics == TERM_GRAPHICS_SIXEL) {
		struct sixel_out so;
		memset(&so, 0, sizeof so);
		rc = sixel_render(img, max_cols, max_rows, caps->cell_w, caps->cell_h, 0, 0,
				  caps->colors, &so, err);
		if (rc == 0) {
			strbuf_append(&sb, so.data, so.len);
			/* xterm leaves the cursor on the image's last row,
			 * mlterm below it: a newline then lands on fresh text
			 * in both. */
			strbuf_putc(&sb, '\n');
			sixel_out_free(&so);
		}
	} else if (caps->graphics == TERM_GRAPHICS_BLOCKS) {
		struct block_grid g;
		memset(&g, 0, sizeof g);
		bool utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
		const char *ct = getenv("COLORTERM");
		bool direct = ct && (strcmp(ct, "truecolor") == 0 || strcmp(ct, "24bit") == 0);
		rc = blocks_render(img, max_cols, max_rows, caps->cell_w, caps->cell_h,
				   direct ? BLOCKS_TRUECOLOR : BLOCKS_256, utf8 ? 0 : BLOCKS_ASCII,
				   &g, err);
		for (int y = 0; rc == 0 && y < g.rows; y++) {
			for (int x = 0; x < g.cols; x++) {
				const struct block_cell *c = &g.cells[y * g.cols + x];
				inline_cell_colors(&sb, c, g.mode);
				inline_put_utf8(&sb, c->ch);
			}
			strbuf_puts(&sb, "\033[0m\n");
		}
		if (rc == 0)
			blocks_grid_free(&g);
	}
	if (rc == 0 && inline_write(fd, &sb) != 0) {
		*err = xasprintf("%s", strerror(errno));
		rc = -1;
	}
	strbuf_done(&sb);
	return rc;
}
