#include <config.h>

#include "core/sanitize.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* U+FFFD REPLACEMENT CHARACTER, encoded. */
static const char sanitize_fffd[] = "\xEF\xBF\xBD";

/* Start a new stream in st. */
void sanitize_init(struct sanitize_state *st)
{
	memset(st, 0, sizeof *st);
}

/* Return the length of the sequence that lead byte b starts (2-4), or 0 when
 * b can never start one (continuation bytes, C0/C1 overlong leads, F5-FF). */
static size_t sanitize_seq_len(unsigned char b)
{
	if (b >= 0xC2 && b <= 0xDF)
		return 2;
	if (b >= 0xE0 && b <= 0xEF)
		return 3;
	if (b >= 0xF0 && b <= 0xF4)
		return 4;
	return 0;
}

/* Return whether b may be byte number k (1-based after the lead) of a
 * sequence started by lead.  The narrowed second-byte ranges are what reject
 * overlongs (E0, F0), surrogates (ED) and code points above U+10FFFF (F4)
 * as early as possible, so that each maximal ill-formed subpart becomes
 * exactly one U+FFFD, as Unicode recommends. */
static int sanitize_cont_ok(unsigned char lead, size_t k, unsigned char b)
{
	unsigned char lo = 0x80, hi = 0xBF;
	if (k == 1) {
		if (lead == 0xE0)
			lo = 0xA0;
		else if (lead == 0xED)
			hi = 0x9F;
		else if (lead == 0xF0)
			lo = 0x90;
		else if (lead == 0xF4)
			hi = 0x8F;
	}
	return b >= lo && b <= hi;
}

/* Return the length of the valid sequence at s, or 0 (see the header). */
size_t sanitize_utf8_len(const unsigned char *s, size_t n)
{
	size_t need = sanitize_seq_len(s[0]);
	if (!need || n < need)
		return 0;
	for (size_t k = 1; k < need; k++)
		if (!sanitize_cont_ok(s[0], k, s[k]))
			return 0;
	return need;
}

/* Write cp to b as UTF-8; return its length (see the header). */
size_t sanitize_utf8_encode(char b[4], uint32_t cp)
{
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		b[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	b[0] = (char)(0xF0 | cp >> 18);
	b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	b[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Return the code point of the complete, valid sequence s of n bytes. */
uint32_t sanitize_utf8_decode(const unsigned char *s, size_t n)
{
	if (n == 2)
		return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
	if (n == 3)
		return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
	return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
	       (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}

/* Return whether code point cp must be shown as <U+XXXX> instead of itself:
 * C1 controls (0x9B is a one-byte CSI on some terminals) and the bidi
 * embedding/override/isolate controls used for "Trojan source" spoofing. */
static int sanitize_cp_hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Append the complete valid sequence s of n bytes to out, or its visible name. */
static void sanitize_put_seq(struct strbuf *out, const unsigned char *s, size_t n)
{
	uint32_t cp = sanitize_utf8_decode(s, n);
	if (sanitize_cp_hidden(cp))
		strbuf_printf(out, "<U+%04X>", (unsigned)cp);
	else
		strbuf_append(out, (const char *)s, n);
}

/* Append the caret notation of the ASCII control b (C0 or DEL) to out. */
static void sanitize_put_caret(struct strbuf *out, unsigned char b)
{
	char buf[2] = {'^', (char)(b == 0x7F ? '?' : b + 0x40)};
	strbuf_append(out, buf, 2);
}

/* Feed bytes to a pending partial sequence until it completes, proves
 * invalid, or the input runs out; return how many bytes were consumed.  An
 * invalid byte is not consumed: it starts over in the main loop, exactly as it
 * would have if the piece had not been split. */
static size_t sanitize_resume(struct sanitize_state *st, struct strbuf *out, const unsigned char *s,
			      size_t len)
{
	size_t i = 0;
	size_t need = sanitize_seq_len(st->pend[0]);
	while (st->npend && i < len) {
		if (!sanitize_cont_ok(st->pend[0], st->npend, s[i])) {
			strbuf_append(out, sanitize_fffd, 3);
			st->npend = 0;
			break;
		}
		st->pend[st->npend++] = s[i++];
		if (st->npend == need) {
			sanitize_put_seq(out, st->pend, need);
			st->npend = 0;
		}
	}
	return i;
}

/* Append the safe form of len bytes to out, carrying split sequences in st. */
void sanitize_feed(struct sanitize_state *st, struct strbuf *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	if (st->npend)
		i = sanitize_resume(st, out, s, len);
	if (st->last_cr && i < len) {
		st->last_cr = false;
		if (s[i] == '\n') {
			strbuf_putc(out, '\n');
			i++;
		} else {
			strbuf_append(out, "^M", 2);
		}
	}
	if (i >= len)
		return;
	/* Most output is plain text: reserve once, then copy whole runs of safe
	 * bytes with one append instead of byte by byte. */
	strbuf_grow(out, len - i);
	size_t run = i;
	while (i < len) {
		unsigned char b = s[i];
		if ((b >= 0x20 && b < 0x7F) || b == '\n' || b == '\t') {
			i++;
			continue;
		}
		if (b < 0x80) {
			strbuf_append(out, (const char *)s + run, i - run);
			if (b != '\r') {
				sanitize_put_caret(out, b);
			} else if (i + 1 == len) {
				st->last_cr = true;
			} else if (s[i + 1] == '\n') {
				strbuf_putc(out, '\n');
				i++;
			} else {
				strbuf_append(out, "^M", 2);
			}
			run = ++i;
			continue;
		}
		size_t need = sanitize_seq_len(b);
		size_t k = 1;
		while (need && k < need && i + k < len && sanitize_cont_ok(b, k, s[i + k]))
			k++;
		if (need && k == need) {
			uint32_t cp = sanitize_utf8_decode(s + i, need);
			if (sanitize_cp_hidden(cp)) {
				strbuf_append(out, (const char *)s + run, i - run);
				strbuf_printf(out, "<U+%04X>", (unsigned)cp);
				run = i + need;
			}
			i += need;
			continue;
		}
		strbuf_append(out, (const char *)s + run, i - run);
		if (need && i + k == len) {
			/* A valid prefix cut by the end of the piece: wait for more. */
			memcpy(st->pend, s + i, k);
			st->npend = k;
			return;
		}
		strbuf_append(out, sanitize_fffd, 3);
		i += need ? k : 1;
		run = i;
	}
	strbuf_append(out, (const char *)s + run, i - run);
}

/* Flush what st holds into out and reset it. */
void sanitize_finish(struct sanitize_state *st, struct strbuf *out)
{
	if (st->last_cr)
		strbuf_append(out, "^M", 2);
	if (st->npend)
		strbuf_append(out, sanitize_fffd, 3);
	sanitize_init(st);
}

/* Append the safe form of one whole string to out. */
void sanitize_string(struct strbuf *out, const char *s, size_t len)
{
	struct sanitize_state st;
	sanitize_init(&st);
	sanitize_feed(&st, out, s, len);
	sanitize_finish(&st, out);
}

char *sanitize_line(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	sanitize_string(&sb, s, strlen(s));
	/* One line: the tabs and newlines sanitize keeps become spaces. */
	for (size_t i = 0; i < sb.len; i++)
		if (sb.data[i] == '\t' || sb.data[i] == '\n')
			sb.data[i] = ' ';
	return strbuf_detach(&sb);
}
