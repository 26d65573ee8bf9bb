/* Allocation helpers for small internal allocations: they end the program
 * with a clear message on exhaustion instead of returning NULL.  Anything
 * sized by outside input (files, network, images) must use plain malloc and
 * report its own error instead. */
#ifndef SQUINT_CORE_XALLOC_H
#define SQUINT_CORE_XALLOC_H

#include <stddef.h>

/* Called before exiting on exhaustion (the UI sets it to endwin()). */
void xalloc_set_exit_hook(void (*hook)(void));

/* Return a newly allocated block of n bytes; never NULL. The caller frees it. */
void *xmalloc(size_t n);
/* Return a newly allocated zeroed array of n elements of size sz. */
void *xcalloc(size_t n, size_t sz);
/* Resize p to n bytes; never NULL. */
void *xrealloc(void *p, size_t n);
/* Return a newly allocated copy of s (NULL stays NULL). The caller frees it. */
char *xstrdup(const char *s);
/* Return a newly allocated copy of the first n bytes of s, NUL-terminated. */
char *xstrndup(const char *s, size_t n);
/* Return a newly allocated printf-formatted string. The caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
