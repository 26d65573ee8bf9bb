/* A growable byte buffer, always NUL-terminated. */
#ifndef SQUINT_CORE_STRBUF_H
#define SQUINT_CORE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *data; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
};

#define STRBUF_INIT {NULL, 0, 0}

/* Initialise an embedded buffer (empty, owns nothing). */
void strbuf_init(struct strbuf *sb);
/* Free the buffer's memory; it is empty and reusable afterwards. */
void strbuf_done(struct strbuf *sb);
/* Make room for n more bytes (plus the NUL). */
void strbuf_grow(struct strbuf *sb, size_t n);
/* Append n bytes. */
void strbuf_append(struct strbuf *sb, const char *s, size_t n);
/* Append a NUL-terminated string. */
void strbuf_puts(struct strbuf *sb, const char *s);
/* Append one byte. */
void strbuf_putc(struct strbuf *sb, char c);
/* Append printf-formatted text. */
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drop the contents but keep the memory. */
void strbuf_reset(struct strbuf *sb);
/* Return the contents as a string ("" when empty); borrowed. */
const char *strbuf_str(const struct strbuf *sb);
/* Hand over the contents as a newly allocated string the caller frees; sb is emptied. */
char *strbuf_detach(struct strbuf *sb);

#endif
