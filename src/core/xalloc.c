#include <config.h>

#include "core/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*xalloc_exit_hook)(void);

void xalloc_set_exit_hook(void (*hook)(void))
{
	xalloc_exit_hook = hook;
}

/* Leave the terminal sane, say why, and stop: there is no way on. */
_Noreturn void xalloc_out_of_memory(size_t n)
{
	if (xalloc_exit_hook)
		xalloc_exit_hook();
	fprintf(stderr, "squint: out of memory (%zu bytes)\n", n);
	exit(1);
}

#ifdef SQUINT_TORTURE
static long torture_fail_at = -1; /* -1: not read yet */
static long torture_count;
static const char *torture_count_file;

/* Write the number of counted allocations where SQUINT_TORTURE_COUNT says. */
static void xalloc_torture_report(void)
{
	FILE *f = fopen(torture_count_file, "w");
	if (f) {
		fprintf(f, "%ld\n", torture_count);
		fclose(f);
	}
}

/* Read the settings at start-up, so the count is written even when nothing
 * was allocated. */
static void xalloc_torture_init(void)
{
	if (torture_fail_at < 0) {
		const char *v = getenv("SQUINT_TORTURE");
		torture_fail_at = v ? strtol(v, NULL, 10) : 0;
		if (torture_fail_at < 0)
			torture_fail_at = 0;
		torture_count_file = getenv("SQUINT_TORTURE_COUNT");
		if (torture_count_file && *torture_count_file)
			atexit(xalloc_torture_report);
	}
}

__attribute__((constructor)) static void xalloc_torture_start(void)
{
	xalloc_torture_init();
}

bool xalloc_torture_fail(void)
{
	xalloc_torture_init();
	return ++torture_count == torture_fail_at;
}
#endif

void *xalloc_try_malloc(size_t n)
{
	return xalloc_torture_fail() ? NULL : malloc(n ? n : 1);
}

void *xalloc_try_calloc(size_t n, size_t sz)
{
	return xalloc_torture_fail() ? NULL : calloc(n ? n : 1, sz ? sz : 1);
}

void *xalloc_try_realloc(void *p, size_t n)
{
	return xalloc_torture_fail() ? NULL : realloc(p, n ? n : 1);
}

void *xmalloc(size_t n)
{
	void *p = xalloc_try_malloc(n);
	if (!p)
		xalloc_out_of_memory(n);
	return p;
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = xalloc_try_calloc(n, sz);
	if (!p)
		xalloc_out_of_memory(n * sz);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = xalloc_try_realloc(p, n);
	if (!q)
		xalloc_out_of_memory(n);
	return q;
}

char *xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	char *p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
