/* Model output -> text that is safe to put on a terminal.
 *
 * Answers come from a remote model and may carry escape sequences (OSC 52
 * clipboard writes, screen clears, title changes) or bidi controls that make
 * text read differently from what it is.  Every byte of model output passes
 * through here before it reaches a terminal: printable UTF-8, newlines and
 * tabs are kept; everything else is shown visibly instead of being executed. */
#ifndef SQUINT_CORE_SANITIZE_H
#define SQUINT_CORE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"

/* Carry-over between pieces: a UTF-8 sequence or a CR split across feeds. */
struct sanitize_state {
	unsigned char pend[4]; /* a valid but incomplete UTF-8 prefix */
	size_t npend;
	bool last_cr; /* the previous piece ended with a CR not yet resolved */
};

/* Start a new stream in st. */
void sanitize_init(struct sanitize_state *st);
/* Append the safe form of the len bytes at s to out; pieces may split anywhere. */
void sanitize_feed(struct sanitize_state *st, struct strbuf *out, const char *s, size_t len);
/* Flush what the stream left pending into out (an unfinished sequence becomes U+FFFD) and reset st. */
void sanitize_finish(struct sanitize_state *st, struct strbuf *out);
/* Append the safe form of one whole string to out (init + feed + finish). */
void sanitize_string(struct strbuf *out, const char *s, size_t len);
/* Return a newly allocated one-line copy of s (NUL-terminated): every
 * control character and invalid byte made visible, tabs and newlines made
 * spaces; for messages built from outside
 * text (file names, records); the caller frees it. */
char *sanitize_line(const char *s);

/* UTF-8 by the rules above, for the rest of the program. */
/* Return the length (2-4) of the valid multi-byte sequence at s (n bytes
 * there), or 0 when s does not start one: ASCII, a stray continuation
 * byte, an overlong form, a surrogate, a value above U+10FFFF or a cut
 * sequence. */
size_t sanitize_utf8_len(const unsigned char *s, size_t n);
/* Return the code point of the valid sequence s of n (2-4) bytes. */
uint32_t sanitize_utf8_decode(const unsigned char *s, size_t n);
/* Write code point cp as UTF-8 to b and return its length (1-4);
 * surrogates and values above U+10FFFF are written as U+FFFD. */
size_t sanitize_utf8_encode(char b[4], uint32_t cp);

#endif
