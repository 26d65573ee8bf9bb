#include <config.h>

#include "ui/grapheme.h"

#include <stdint.h>

#include <unictype.h>
#include <unigbrk.h>
#include <unistr.h>

#include "ui/width.h"

/* Tab stops, as width.h counts them. */
#define GRAPHEME_TAB_STOP 8

/* The text is valid UTF-8 (everything entering the input is normalised), so
 * the decoders below never meet a broken sequence. */

/* Return the code point at byte p (p < len); its length goes to *n. */
ucs4_t grapheme_cp(const char *s, size_t len, size_t p, int *n)
{
	ucs4_t c;
	*n = u8_mbtouc(&c, (const uint8_t *)s + p, len - p);
	return c;
}

/* Return the start of the code point that ends at byte p (p > 0). */
size_t grapheme_cp_start(const char *s, size_t p)
{
	do
		p--;
	while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80);
	return p;
}

/* Return the Grapheme_Cluster_Break property of c. */
static int grapheme_gbp(ucs4_t c)
{
	int g = uc_graphemeclusterbreak_property(c);
	/* Obsolete since Unicode 11, but an old table may still say it. */
	if (g == GBP_EM)
		return GBP_EXTEND;
	return g;
}

/* Return 1 when rules GB3-GB9b keep a and b in one cluster, 0 when they
 * break, -1 when it depends on what came before (GB11 emoji ZWJ sequences,
 * GB12/13 regional indicator pairs): libunistring 1.0's own segmenter only
 * looks at pairs and splits flags and ZWJ sequences, hence this. */
static int grapheme_gb_pair(int a, ucs4_t bc, int b)
{
	if (a == GBP_CR && b == GBP_LF)
		return 1;
	if (a == GBP_CONTROL || a == GBP_CR || a == GBP_LF)
		return 0;
	if (b == GBP_CONTROL || b == GBP_CR || b == GBP_LF)
		return 0;
	if (a == GBP_L && (b == GBP_L || b == GBP_V || b == GBP_LV || b == GBP_LVT))
		return 1;
	if ((a == GBP_LV || a == GBP_V) && (b == GBP_V || b == GBP_T))
		return 1;
	if ((a == GBP_LVT || a == GBP_T) && b == GBP_T)
		return 1;
	if (b == GBP_EXTEND || b == GBP_ZWJ || b == GBP_SPACINGMARK)
		return 1;
	if (a == GBP_PREPEND)
		return 1;
	if (a == GBP_ZWJ && uc_is_property_extended_pictographic(bc))
		return -1;
	if (a == GBP_RI && b == GBP_RI)
		return -1;
	return 0;
}

/* Return whether two bytes are both ASCII and so, CR LF aside, two clusters. */
static bool grapheme_ascii_pair(const char *s, size_t p)
{
	unsigned char a = (unsigned char)s[p], b = (unsigned char)s[p + 1];
	return a < 0x80 && b < 0x80 && !(a == '\r' && b == '\n');
}

/* Return the end of the UAX #29 extended grapheme cluster starting at the
 * boundary p (p < len). */
static size_t grapheme_uax_next(const char *s, size_t len, size_t p)
{
	int n;
	ucs4_t ac = grapheme_cp(s, len, p, &n);
	int a = grapheme_gbp(ac);
	size_t q = p + (size_t)n;
	unsigned ri = a == GBP_RI;
	bool pict = uc_is_property_extended_pictographic(ac), zwj_after_pict = false;
	while (q < len) {
		ucs4_t bc = grapheme_cp(s, len, q, &n);
		int b = grapheme_gbp(bc);
		int keep = grapheme_gb_pair(a, bc, b);
		if (keep < 0)
			keep = a == GBP_RI ? (int)(ri % 2) : zwj_after_pict;
		if (!keep)
			break;
		ri = b == GBP_RI ? ri + 1 : 0;
		zwj_after_pict = b == GBP_ZWJ && pict;
		pict = uc_is_property_extended_pictographic(bc) || (pict && b == GBP_EXTEND);
		a = b;
		q += (size_t)n;
	}
	return q;
}

/* The cursor's clusters are UAX #29 grapheme clusters joined with width.h's
 * clusters wherever the two disagree (width.h glues a zero-width space to
 * the character before it, or anything to a ZWJ): the cursor then never
 * splits what is drawn as one, and a row's cells, summed cluster by
 * cluster, are exactly what width_of() measures for the row. */

/* Return the end of the cluster starting at the boundary p (p < len). */
size_t grapheme_next(const char *s, size_t len, size_t p)
{
	if (p + 1 == len && (unsigned char)s[p] < 0x80)
		return p + 1;
	if (p + 1 < len && grapheme_ascii_pair(s, p))
		return p + 1;
	size_t a = grapheme_uax_next(s, len, p), b = p;
	int w;
	b += width_next_cluster(s + b, len - b, 0, &w);
	while (a != b) {
		if (a < b)
			a = grapheme_uax_next(s, len, a);
		else
			b += width_next_cluster(s + b, len - b, 0, &w);
	}
	return a;
}

/* Return whether width.h starts a new cluster at b after a, whatever came
 * before a: nothing it glues or absorbs (ZWJ and what follows one, VS16,
 * regional indicators, skin tones, zero-width and spacing marks). */
static bool grapheme_wc_starts(ucs4_t a, ucs4_t b)
{
	if (a < 0x20 || b < 0x20)
		return true;
	if (a == 0x200D || b == 0x200D || b == 0xFE0F)
		return false;
	if ((b >= 0x1F1E6 && b <= 0x1F1FF) || (b >= 0x1F3FB && b <= 0x1F3FF))
		return false;
	if (b >= 0x300 && (width_char(b) == 0 || uc_is_general_category(b, UC_CATEGORY_Mc)))
		return false;
	return true;
}

/* Return the nearest byte at or before p (a code point start) that is a
 * cluster boundary whatever came earlier, so scans can restart there. */
static size_t grapheme_anchor(const char *s, size_t len, size_t p)
{
	while (p > 0 && p < len) {
		if (grapheme_ascii_pair(s, p - 1))
			return p;
		size_t a0 = grapheme_cp_start(s, p);
		int n;
		ucs4_t ac = grapheme_cp(s, len, a0, &n), bc = grapheme_cp(s, len, p, &n);
		if (grapheme_gb_pair(grapheme_gbp(ac), bc, grapheme_gbp(bc)) == 0 &&
		    grapheme_wc_starts(ac, bc))
			return p;
		p = a0;
	}
	return p;
}

/* Return the start of the cluster that ends at the boundary p (p > 0). */
size_t grapheme_prev(const char *s, size_t len, size_t p)
{
	if (p == 1 && (unsigned char)s[0] < 0x80)
		return 0;
	if (p >= 2 && grapheme_ascii_pair(s, p - 2))
		return p - 1;
	size_t x = grapheme_anchor(s, len, grapheme_cp_start(s, p));
	for (;;) {
		size_t nx = grapheme_next(s, len, x);
		if (nx >= p)
			return x;
		x = nx;
	}
}

/* Return p if it is a cluster boundary, else the end (forward) or start
 * (!forward) of the cluster around it; p may be anywhere up to len. */
size_t grapheme_snap(const char *s, size_t len, size_t p, bool forward)
{
	if (p >= len)
		return len;
	size_t x = p;
	while (x > 0 && ((unsigned char)s[x] & 0xC0) == 0x80)
		x--;
	x = grapheme_anchor(s, len, x);
	while (x < p) {
		size_t nx = grapheme_next(s, len, x);
		if (nx > p)
			return forward ? nx : x;
		x = nx;
	}
	return x;
}

/* Return the end of the cluster at boundary p (p < len); the cells it takes
 * drawn from column col go to *cells (width.h's rules, which follow what
 * ncurses advances: a tab goes to the next multiple of 8, a ZWJ sequence
 * counts its visible parts) and its first code point to *base. */
size_t grapheme_info(const char *s, size_t len, size_t p, int col, int *cells, ucs4_t *base)
{
	unsigned char c0 = (unsigned char)s[p];
	if (c0 < 0x80 && c0 != '\r' && (p + 1 == len || (unsigned char)s[p + 1] < 0x80)) {
		*base = c0;
		if (c0 == '\t')
			*cells = GRAPHEME_TAB_STOP - (col < 0 ? 0 : col) % GRAPHEME_TAB_STOP;
		else
			*cells = c0 == '\n' ? 0 : 1;
		return p + 1;
	}
	size_t q = grapheme_next(s, len, p);
	int n;
	*base = grapheme_cp(s, len, p, &n);
	*cells = width_of_at(s + p, q - p, col);
	return q;
}
