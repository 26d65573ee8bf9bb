#include <config.h>

#include "core/htmltext.h"
#include "core/sanitize.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>


/* Add n bytes of page text to whichever parts of h are being gathered. */
static void html_put(struct html_scan *h, const char *s, size_t n)
{
	if (h->in_title) {
		if (h->title.len < HTML_MAX_TEXT)
			strbuf_append(&h->title, s, n);
		return;
	}
	if (h->text.len < HTML_MAX_TEXT)
		strbuf_append(&h->text, s, n);
	if (h->in_h1 && h->h1.len < HTML_MAX_TEXT)
		strbuf_append(&h->h1, s, n);
}

/* Return the index of the first case-insensitive occurrence of needle in
 * s[from..n), or n when there is none. */
size_t html_find_nocase(const char *s, size_t n, size_t from, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = from; i + k <= n; i++)
		if (strncasecmp(s + i, needle, k) == 0)
			return i;
	return n;
}

/* Return the UTF-8 encoding length of cp written to b (U+FFFD for NUL,
 * surrogates and values beyond U+10FFFF). */
static size_t html_encode_cp(char *b, uint32_t cp)
{
	return sanitize_utf8_encode(b, cp ? cp : 0xFFFD);
}

/* Return the value of hex or decimal digit c in the given base, or -1. */
static int html_digit(char c, int base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == 16 && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the character reference starting at s[i] == '&' into h; return the
 * index after it.  Unknown or unterminated references stay literal text. */
static size_t html_entity(struct html_scan *h, const char *s, size_t n, size_t i)
{
	static const struct {
		const char *name;
		uint32_t cp;
	} names[] = {
		{"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},
		{"apos", '\''},    {"nbsp", 0xA0},    {"mdash", 0x2014}, {"ndash", 0x2013},
		{"hellip", 0x2026}, {"copy", 0xA9},   {"reg", 0xAE},     {"trade", 0x2122},
		{"laquo", 0xAB},   {"raquo", 0xBB},   {"middot", 0xB7},  {"bull", 0x2022},
		{"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C}, {"rdquo", 0x201D},
		{"times", 0xD7},
	};
	size_t j = i + 1, start;
	uint32_t cp = 0;
	bool ok = false;
	if (j < n && s[j] == '#') {
		int base = 10;
		j++;
		if (j < n && (s[j] == 'x' || s[j] == 'X')) {
			base = 16;
			j++;
		}
		start = j;
		/* Eight digits at most, so cp cannot overflow. */
		for (int d; j < n && j - start < 8 && (d = html_digit(s[j], base)) >= 0; j++)
			cp = cp * (uint32_t)base + (uint32_t)d;
		ok = j > start && j < n && s[j] == ';';
	} else {
		start = j;
		while (j < n && j - start < 8 &&
		       ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
			j++;
		if (j < n && s[j] == ';')
			for (size_t k = 0; k < sizeof names / sizeof names[0] && !ok; k++)
				if (strlen(names[k].name) == j - start &&
				    memcmp(names[k].name, s + start, j - start) == 0) {
					cp = names[k].cp;
					ok = true;
				}
	}
	if (!ok) {
		html_put(h, "&", 1);
		return i + 1;
	}
	char b[4];
	html_put(h, b, html_encode_cp(b, cp));
	return j + 1;
}

/* Return whether the tag name at s (n bytes) is name, ignoring case. */
static bool html_tag_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

/* Gather the title, first heading and visible text of an HTML page into h:
 * tags become spaces, comments, scripts and styles are dropped. */
void html_scan_page(struct html_scan *h, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (s[i] == '&') {
			i = html_entity(h, s, n, i);
			continue;
		}
		if (s[i] != '<') {
			size_t j = i;
			while (j < n && s[j] != '<' && s[j] != '&')
				j++;
			html_put(h, s + i, j - i);
			i = j;
			continue;
		}
		if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			size_t end = html_find_nocase(s, n, i + 4, "-->");
			i = end < n ? end + 3 : n;
			html_put(h, " ", 1);
			continue;
		}
		size_t j = i + 1;
		bool closing = j < n && s[j] == '/';
		if (closing)
			j++;
		size_t name = j;
		while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
				 (s[j] >= '0' && s[j] <= '9')))
			j++;
		size_t name_len = j - name;
		if (name_len == 0 && !closing && (j >= n || (s[j] != '!' && s[j] != '?'))) {
			html_put(h, "<", 1); /* a lone '<' in text */
			i++;
			continue;
		}
		const char *gt = memchr(s + j, '>', n - j);
		if (!gt)
			break; /* a tag cut by the end of the body */
		i = (size_t)(gt - s) + 1;
		if (!closing && (html_tag_is(s + name, name_len, "script") ||
				 html_tag_is(s + name, name_len, "style"))) {
			const char *end_tag = html_tag_is(s + name, name_len, "script") ? "</script" : "</style";
			size_t end = html_find_nocase(s, n, i, end_tag);
			const char *egt = end < n ? memchr(s + end, '>', n - end) : NULL;
			i = egt ? (size_t)(egt - s) + 1 : n;
		} else if (html_tag_is(s + name, name_len, "title")) {
			h->in_title = !closing;
		} else if (html_tag_is(s + name, name_len, "h1")) {
			if (!closing && !h->h1_done) {
				h->in_h1 = true;
			} else if (closing && h->in_h1) {
				h->in_h1 = false;
				h->h1_done = true;
			}
		}
		html_put(h, " ", 1);
	}
}

