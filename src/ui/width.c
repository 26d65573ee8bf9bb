#include <config.h>

#include "ui/width.h"

#include <unictype.h>
#include <unistr.h>
#include <uniwidth.h>

#define WIDTH_ZWJ  0x200Du
#define WIDTH_VS16 0xFE0Fu
#define WIDTH_TAB  8

/* Return whether c is a C0 control, DEL or a C1 control. */
static int width_is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c < 0xA0);
}

/* Return whether c is a regional indicator (half of a flag). */
static int width_is_ri(uint32_t c)
{
	return c >= 0x1F1E6 && c <= 0x1F1FF;
}

/* Return whether c is a skin-tone modifier. */
static int width_is_skin(uint32_t c)
{
	return c >= 0x1F3FB && c <= 0x1F3FF;
}

/* Decode one character; invalid input gives U+FFFD and 1 byte (see width.h). */
size_t width_next_char(const char *s, size_t len, uint32_t *c)
{
	if (len == 0) {
		*c = 0;
		return 0;
	}
	unsigned char b = (unsigned char)s[0];
	if (b < 0x80) {
		*c = b;
		return 1;
	}
	ucs4_t uc;
	int n = u8_mbtoucr(&uc, (const uint8_t *)s, len);
	if (n <= 0) {
		/* One byte at a time, so that every bad byte shows as one U+FFFD
		 * one cell wide and a resync happens at the next valid lead. */
		*c = 0xFFFD;
		return 1;
	}
	*c = uc;
	return (size_t)n;
}

/* Return the width of one code point on its own. */
int width_char(uint32_t c)
{
	if (c == '\t')
		return WIDTH_TAB;
	if (width_is_control(c))
		return 2;
	if (c >= 0x20 && c < 0x7F)
		return 1;
	/* Soft hyphen: uc_width says 0, but wcwidth (and so ncurses) draws it. */
	if (c == 0xAD)
		return 1;
	/* The emoji blocks: newer than some width tables, and drawn wide by
	 * every terminal that has a colour emoji font. */
	if (c >= 0x1F300 && c <= 0x1FAFF)
		return 2;
	int w = uc_width(c, "UTF-8");
	return w < 0 ? 1 : w;
}

/* Return whether c, following a cluster, belongs to it with no width of its
 * own (combining marks, ZWJ, variation selectors, tags, Hangul jamo V/T). */
static int width_is_extender(uint32_t c)
{
	if (width_is_control(c) || c < 0x300)
		return 0;
	return width_char(c) == 0;
}

/* Return the byte length of the cluster at s; its width goes to *cols. */
size_t width_next_cluster(const char *s, size_t len, int col, int *cols)
{
	uint32_t c;
	size_t n = width_next_char(s, len, &c);
	if (n == 0) {
		*cols = 0;
		return 0;
	}
	/* Fast path: ASCII not followed by a possible combining mark. */
	if (c >= 0x20 && c < 0x7F && (n == len || (unsigned char)s[1] < 0x80)) {
		*cols = 1;
		return 1;
	}
	if (c == 0xFFFD && n == 1) {
		*cols = 1;
		return 1;
	}
	if (c == '\t') {
		if (col < 0)
			col = 0;
		*cols = WIDTH_TAB - col % WIDTH_TAB;
		return 1;
	}
	if (width_is_control(c)) {
		*cols = 2;
		return n;
	}
	int w = width_char(c);
	int single = 1; /* the cluster is still one code point */
	int ri_open = width_is_ri(c);
	int emoji = w == 2;
	for (;;) {
		uint32_t d;
		size_t m = width_next_char(s + n, len - n, &d);
		if (m == 0 || (d == 0xFFFD && m == 1) || width_is_control(d))
			break;
		if (d == WIDTH_ZWJ) {
			n += m;
			single = 0;
			/* ZWJ glues the next visible character to this cluster, so
			 * that a family emoji is never split across lines; its width
			 * still counts (see width.h). */
			uint32_t e;
			size_t k = width_next_char(s + n, len - n, &e);
			if (k == 0 || (e == 0xFFFD && k == 1) || width_is_control(e) ||
			    e == WIDTH_ZWJ)
				continue;
			n += k;
			w += width_char(e);
			emoji = 1;
			continue;
		}
		if (d == WIDTH_VS16) {
			if (single && w == 1)
				w = 2;
			n += m;
			single = 0;
			emoji = 1;
			continue;
		}
		if (ri_open && width_is_ri(d)) {
			n += m;
			w += width_char(d);
			ri_open = 0;
			single = 0;
			continue;
		}
		if (emoji && width_is_skin(d)) {
			n += m;
			w += width_char(d);
			single = 0;
			continue;
		}
		if (width_is_extender(d)) {
			n += m;
			single = 0;
			continue;
		}
		/* Spacing marks (Devanagari vowel signs...) take cells of their
		 * own but belong to the cluster all the same. */
		if (d >= 0x300 && uc_is_general_category(d, UC_CATEGORY_Mc)) {
			n += m;
			w += width_char(d);
			single = 0;
			continue;
		}
		break;
	}
	*cols = w;
	return n;
}

/* Return the width of s drawn from column col. */
int width_of_at(const char *s, size_t len, int col)
{
	int start = col;
	size_t i = 0;
	while (i < len) {
		unsigned char b = (unsigned char)s[i];
		if (b >= 0x20 && b < 0x7F && (i + 1 == len || (unsigned char)s[i + 1] < 0x80)) {
			col++;
			i++;
			continue;
		}
		int w;
		i += width_next_cluster(s + i, len - i, col, &w);
		col += w;
	}
	return col - start;
}

/* Return the width of s drawn from column 0. */
int width_of(const char *s, size_t len)
{
	return width_of_at(s, len, 0);
}

/* Return how many bytes of whole clusters fit in max_cols cells. */
size_t width_prefix(const char *s, size_t len, int max_cols, int *cols_out)
{
	int col = 0;
	size_t i = 0;
	while (i < len) {
		int w;
		size_t n = width_next_cluster(s + i, len - i, col, &w);
		if (col + w > max_cols)
			break;
		col += w;
		i += n;
	}
	if (cols_out)
		*cols_out = col;
	return i;
}
