/* What the image unit tests share: their fixture files and pixel access.
 * Include after <cmocka.h>. */
#ifndef SQUINT_TESTS_UNIT_IMG_HELPERS_H
#define SQUINT_TESTS_UNIT_IMG_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "img/image.h"

/* Return the newly allocated path of fixture name in tests/img-data: from
 * $top_srcdir under make check, else next to this source file. */
static inline char *fixture_path(const char *name)
{
	const char *top = getenv("top_srcdir");
	if (top && *top)
		return xasprintf("%s/tests/img-data/%s", top, name);
	const char *me = __FILE__;
	const char *cut = strstr(me, "tests/unit/img/");
	if (!cut)
		return xasprintf("tests/img-data/%s", name);
	return xasprintf("%.*stests/img-data/%s", (int)(cut - me), me, name);
}

/* Return the newly allocated contents of fixture name, its size in *len. */
static inline unsigned char *fixture_read(const char *name, size_t *len)
{
	char *path = fixture_path(name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = xrealloc(buf, cap);
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	free(path);
	*len = n;
	return buf;
}

/* Return a pointer to pixel (x, y) of img (which must have it). */
static inline unsigned char *px(const struct image *img, unsigned x, unsigned y)
{
	assert_true(x < img->w && y < img->h);
	return img->rgba + ((size_t)y * img->w + x) * 4;
}

#endif
