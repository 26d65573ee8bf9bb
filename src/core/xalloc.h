/* Allocation helpers for small internal allocations: they end the program
 * with a clear message on exhaustion instead of returning NULL.  Anything
 * sized by outside input (files, network, images) must use plain malloc and
 * report its own error instead. */
#ifndef SQUINT_CORE_XALLOC_H
#define SQUINT_CORE_XALLOC_H

#include <stdbool.h>
#include <stddef.h>

/* Called before exiting on exhaustion (the UI sets it to endwin()). */
void xalloc_set_exit_hook(void (*hook)(void));

/* End the program as the helpers below do when n bytes cannot be had: the
 * exit hook, one line on stderr, exit status 1.  For callers that learn of
 * exhaustion another way (the torture build's json-c boundary). */
_Noreturn void xalloc_out_of_memory(size_t n);
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

/* Allocation for sizes driven by outside input: like malloc, calloc and
 * realloc (NULL on failure, the caller reports it), but counted by the
 * torture build like every other allocation. */
void *xalloc_try_malloc(size_t n);
void *xalloc_try_calloc(size_t n, size_t sz);
void *xalloc_try_realloc(void *p, size_t n);

/* The allocation-failure test build (configure --enable-torture):
 * SQUINT_TORTURE=N in the environment makes the N-th counted allocation
 * fail (N = 0: none fails); SQUINT_TORTURE_COUNT=FILE writes the number of
 * counted allocations to FILE at exit.  Counted: the x* helpers above,
 * libcurl's allocations (through curl_global_init_mem) and the places
 * where squint hands text to json-c's parser (json-c has no allocator hook,
 * so a failure there stands for json-c running out of memory).  Returns
 * true when this allocation is the one to fail; always false in a normal
 * build. */
#ifdef SQUINT_TORTURE
bool xalloc_torture_fail(void);
#else
#define xalloc_torture_fail() false
#endif

#endif
