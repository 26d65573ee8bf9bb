#include <config.h>

#include "ui/markdown.h"
#include "ui/markdown-internal.h"
#include "ui/mdscan.h"

#include "core/strbuf.h"

#include <limits.h>
#include <md4c.h>
#include <stdlib.h>
#include <string.h>

/* NUL bytes after the copy of the source that md4c parses (see md_render). */
#define MD_PAD 16

/* ---- lines ----------------------------------------------------------- */

/* Initialise an empty array. */
void md_lines_init(struct md_lines *ls)
{
	ls->v = NULL;
	ls->n = 0;
	ls->cap = 0;
}

/* Free the lines from index n on. */
void md_lines_truncate(struct md_lines *ls, size_t n)
{
	while (ls->n > n) {
		struct md_line *l = &ls->v[--ls->n];
		free(l->text);
		free(l->spans);
	}
}

/* Free every line, keep the array. */
void md_lines_clear(struct md_lines *ls)
{
	md_lines_truncate(ls, 0);
}

/* Free everything; ls is empty afterwards. */
void md_lines_done(struct md_lines *ls)
{
	md_lines_clear(ls);
	free(ls->v);
	md_lines_init(ls);
}

/* ---- entry points ---------------------------------------------------- */

/* Parse one chunk of the source (n bytes at src, escs: where to escape a
 * '[') and emit its lines. */
static void md_parse_chunk(struct md_ctx *x, const char *src, size_t n, const struct md_escs *escs,
			   struct strbuf *buf)
{
	static const char pad[MD_PAD];
	static const MD_PARSER parser = {
		.abi_version = 0,
		.flags = MD_DIALECT_GITHUB,
		.enter_block = md_cb_enter_block,
		.leave_block = md_cb_leave_block,
		.enter_span = md_cb_enter_span,
		.leave_span = md_cb_leave_span,
		.text = md_cb_text,
		.debug_log = NULL,
		.syntax = NULL,
	};
	/* md4c 0.4.8 reads past the end of its input when the text stops in
	 * a link destination ("[a](http://x" followed by ")" in memory turns
	 * into a link with a bogus length): exactly what a prefix of a
	 * streaming answer looks like.  So md4c parses a copy that ends in
	 * NULs.  The copy also escapes link reference definitions, which
	 * would otherwise vanish: references are shown as written, never
	 * resolved, so that no later text can change earlier lines. */
	/* md4c 0.4.8 can open a span it never closes ("*a [l](u*v)"): every
	 * chunk starts plain, so one stray span cannot tint all that follows
	 * and a chunk renders the same alone as in the whole. */
	x->n_em = x->n_strong = x->n_del = x->n_code = x->n_link = x->n_img = 0;
	strbuf_reset(buf);
	size_t a = 0;
	for (size_t i = 0; i < escs->n; i++) {
		strbuf_append(buf, src + a, escs->v[i] - a);
		strbuf_putc(buf, '\\');
		a = escs->v[i];
	}
	strbuf_append(buf, src + a, n - a);
	size_t size = buf->len;
	strbuf_append(buf, pad, sizeof pad);
	/* md4c sizes are 32-bit; a longer block is cut (4 GiB is no answer). */
	if (size > UINT_MAX - MD_PAD)
		size = UINT_MAX - MD_PAD;
	x->src_size = (MD_SIZE)size;
	x->pending_sep = 0;
	x->chunk_start = x->n_out;
	md_parse(buf->data, (MD_SIZE)size, &parser, x);
	/* After an aborted parse, show what was collected. */
	md_leaf_flush(x);
	x->in_code = 0;
	x->leaf = MD_LEAF_NONE;
}

/* Render src at width and append the lines to out, which owns them. */
void md_render(const char *src, size_t len, int width, struct md_lines *out)
{
	if (len == 0)
		return;
	struct md_ctx x;
	memset(&x, 0, sizeof x);
	x.width = width < 1 ? 1 : width;
	x.out = out;
	md_text_init(&x.para);
	strbuf_init(&x.href);
	strbuf_init(&x.src);
	strbuf_init(&x.code);
	strbuf_init(&x.lang);
	strbuf_init(&x.row_text);
	strbuf_init(&x.tmp);
	wrap_lines_init(&x.wl);
	struct strbuf buf = STRBUF_INIT;
	struct md_escs escs = {NULL, 0, 0};

	/* The text is parsed one stable chunk at a time (see md_scan), each
	 * followed by an empty line when it showed anything.  So rendering a
	 * stable prefix and the rest apart gives, by construction, the lines of
	 * the whole: the streaming answer's cache can never disagree with a
	 * full render. */
	size_t a = 0;
	while (a < len) {
		escs.n = 0;
		size_t q = md_scan(src + a, len - a, 1, &escs, NULL);
		size_t n = q ? q : len - a;
		size_t before = x.n_out;
		md_parse_chunk(&x, src + a, n, &escs, &buf);
		if (q && x.n_out > before)
			md_row_end(&x, 0);
		a += n;
	}

	md_table_clear(&x);
	free(x.cells);
	md_text_done(&x.para);
	strbuf_done(&x.href);
	strbuf_done(&x.src);
	strbuf_done(&x.code);
	strbuf_done(&x.lang);
	strbuf_done(&x.row_text);
	strbuf_done(&x.tmp);
	free(x.row_spans);
	wrap_lines_done(&x.wl);
	strbuf_done(&buf);
	free(escs.v);
}

/* Render code lines as they show inside a fenced block (see markdown.h). */
void md_render_code(const char *fence, size_t fence_len, const char *src, size_t len, int width,
		    struct md_lines *out)
{
	if (len == 0)
		return;
	struct strbuf b = STRBUF_INIT;
	strbuf_append(&b, fence, fence_len);
	strbuf_putc(&b, '\n');
	strbuf_append(&b, src, len);
	md_render(b.data, b.len, width, out);
	strbuf_done(&b);
}
