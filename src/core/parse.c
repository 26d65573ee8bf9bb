#include <config.h>

#include "core/parse.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A finite decimal number, the whole of s. */
int parse_double(const char *s, double *out)
{
	char *end;

	if (!*s || strspn(s, "0123456789+-.eE") != strlen(s))
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (*end || end == s || errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* A decimal long long, the whole of s. */
int parse_ll(const char *s, long long *out)
{
	char *end;
	const char *d = s + (*s == '+' || *s == '-');

	if (!isdigit((unsigned char)*d))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

/* A decimal int, the whole of s. */
int parse_int(const char *s, int *out)
{
	long long v;

	if (parse_ll(s, &v) != 0 || v < INT_MIN || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

/* A switch, the whole of s. */
int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}
