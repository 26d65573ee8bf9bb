/* Fuzz the line wrapper (wrap_text in src/ui/wrap.c, widths from width.c).
 *
 * The first three bytes of the input are the parameters (width 1 to 40,
 * then the first and the other lines' indents, -4 to 43, so indents wider
 * than the line occur), the rest is the text.  Invariants, from wrap.h:
 *   - lines come in order, do not overlap, stay inside their '\n'-separated
 *     segment, and every segment gives at least one line;
 *   - a line's width is the display width of its bytes (tabs counted from
 *     the line's start), and it is at most the cells left after its indent
 *     (at least 1), unless it is a single cluster wider than that;
 *   - lines start and end at cluster boundaries (never inside a character
 *     or between a character and its combining marks);
 *   - lines do not end in spaces or tabs, and the only bytes left out of
 *     all lines are spaces, tabs and '\n'. */
#include <config.h>

#include "ui/width.h"
#include "ui/wrap.h"
#include "fuzz.h"

#include <string.h>

/* Return whether the bytes before pos, past any spaces and tabs, end in a
 * ZWJ (U+200D). */
static int after_zwj(const char *s, size_t pos)
{
	while (pos > 0 && (s[pos - 1] == ' ' || s[pos - 1] == '\t'))
		pos--;
	return pos >= 3 && memcmp(s + pos - 3, "\xE2\x80\x8D", 3) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	int width = 1 + data[0] % 40;
	int indent_first = (int)(data[1] % 48) - 4;
	int indent_rest = (int)(data[2] % 48) - 4;
	const char *s = (const char *)data + 3;
	size_t len = size - 3;

	/* Cluster boundaries, walking each segment from its start; and which
	 * segment each byte is in. */
	unsigned char *boundary = calloc(len + 1, 1);
	unsigned char *covered = calloc(len + 1, 1);
	size_t *segment = calloc(len + 1, sizeof *segment);
	FUZZ_ASSERT(boundary && covered && segment, "out of memory");
	size_t nseg = 0;
	for (size_t a = 0;; nseg++) {
		const char *nl = memchr(s + a, '\n', len - a);
		size_t b = nl ? (size_t)(nl - s) : len;
		boundary[a] = 1;
		for (size_t i = a; i < b;) {
			int cw;
			size_t n = width_next_cluster(s + i, b - i, 0, &cw);
			FUZZ_ASSERT(n > 0 && n <= b - i, "width_next_cluster gave %zu at %zu", n,
				    i);
			for (size_t k = i; k < i + n; k++)
				segment[k] = nseg;
			i += n;
			boundary[i] = 1;
		}
		segment[b] = nseg;
		if (!nl)
			break;
		a = b + 1;
	}
	nseg++;

	struct wrap_lines wl;
	wrap_lines_init(&wl);
	wrap_text(s, len, width, indent_first, indent_rest, &wl);

	size_t end = 0;
	size_t *per_seg = calloc(nseg, sizeof *per_seg);
	FUZZ_ASSERT(per_seg, "out of memory");
	for (size_t i = 0; i < wl.n; i++) {
		const struct wrap_line *l = &wl.v[i];
		FUZZ_ASSERT(l->off <= len && l->len <= len - l->off,
			    "line %zu at [%zu, +%zu) of %zu bytes", i, l->off, l->len, len);
		FUZZ_ASSERT(l->off >= end,
			    "line %zu starts at %zu, inside the previous line (ends at %zu)", i,
			    l->off, end);
		end = l->off + l->len;
		FUZZ_ASSERT(!memchr(s + l->off, '\n', l->len), "line %zu holds a '\\n'", i);
		per_seg[segment[l->off]]++;
		/* width.c glues whatever follows a ZWJ into its cluster, even a
		 * space, where the wrapper breaks: allow a cut next to a dangling
		 * ZWJ (and its spaces), which splits no visible character. */
		FUZZ_ASSERT((boundary[l->off] || after_zwj(s, l->off)) &&
				    (boundary[end] || after_zwj(s, end)),
			    "line %zu [%zu, %zu) cuts a cluster: \"%.*s\"", i, l->off, end,
			    (int)l->len, s + l->off);
		if (l->len)
			FUZZ_ASSERT(s[end - 1] != ' ' && s[end - 1] != '\t',
				    "line %zu ends in a space", i);
		memset(covered + l->off, 1, l->len);

		int w = width_of(s + l->off, l->len);
		FUZZ_ASSERT(w == l->width, "line %zu claims %d cells, its text takes %d: \"%.*s\"",
			    i, l->width, w, (int)l->len, s + l->off);
		int indent = i == 0 ? indent_first : indent_rest;
		int avail = width - (indent > 0 ? indent : 0);
		if (avail < 1)
			avail = 1;
		if (w > avail) {
			/* Only a single cluster wider than the space may overflow,
			 * standing alone (spaces before it hang at the break). */
			int cw = 0;
			size_t n = width_next_cluster(s + l->off, l->len, 0, &cw);
			FUZZ_ASSERT(n == l->len && cw > avail,
				    "line %zu is %d cells with %d available (width %d, indent %d): "
				    "\"%.*s\"",
				    i, w, avail, width, indent, (int)l->len, s + l->off);
		}
	}
	for (size_t k = 0; k < nseg; k++)
		FUZZ_ASSERT(per_seg[k] > 0, "segment %zu gave no line", k);
	for (size_t k = 0; k < len; k++)
		FUZZ_ASSERT(covered[k] || s[k] == ' ' || s[k] == '\t' || s[k] == '\n',
			    "byte %zu (0x%02x) is in no line", k, (unsigned char)s[k]);

	/* The lines append: a second text goes after the first's. */
	size_t n1 = wl.n;
	wrap_text(s, len < 16 ? len : 16, width, 0, 0, &wl);
	FUZZ_ASSERT(wl.n > n1, "appending gave no line");
	wrap_lines_clear(&wl);
	FUZZ_ASSERT(wl.n == 0, "wrap_lines_clear kept lines");
	wrap_lines_done(&wl);
	free(per_seg);
	free(boundary);
	free(covered);
	free(segment);
	return 0;
}
