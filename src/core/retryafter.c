#include <config.h>

#include "core/errbody.h"

#include <stddef.h>
#include <string.h>

/* Retry-After: delta-seconds or an HTTP-date (RFC 9110 §10.2.3), parsed by
 * hand: strptime's day and month names follow LC_TIME and strtod's decimal
 * point follows LC_NUMERIC, and both are set from the user's locale. */

/* Longest delay honoured, in milliseconds. */
#define ERRBODY_MAX_RETRY_MS 3600000L

/* A read position in a header value. */
struct errbody_cursor {
	const char *s;
	size_t n, i;
};

/* Skip spaces at c; return how many were skipped. */
static size_t errbody_cur_spaces(struct errbody_cursor *c)
{
	size_t from = c->i;
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
		c->i++;
	return c->i - from;
}

/* Read min to max decimal digits at c into *v; return 0, or -1 (c unmoved). */
static int errbody_cur_num(struct errbody_cursor *c, size_t min, size_t max, int *v)
{
	size_t k = 0;
	int x = 0;
	while (c->i + k < c->n && k < max && c->s[c->i + k] >= '0' && c->s[c->i + k] <= '9')
		x = x * 10 + (c->s[c->i + k++] - '0');
	if (k < min || (c->i + k < c->n && c->s[c->i + k] >= '0' && c->s[c->i + k] <= '9'))
		return -1;
	c->i += k;
	*v = x;
	return 0;
}

/* Consume the character ch at c; return 0, or -1 if another is there. */
static int errbody_cur_char(struct errbody_cursor *c, char ch)
{
	if (c->i >= c->n || c->s[c->i] != ch)
		return -1;
	c->i++;
	return 0;
}

/* Read a run of ASCII letters at c; return its length (the word starts at *w). */
static size_t errbody_cur_word(struct errbody_cursor *c, const char **w)
{
	*w = c->s + c->i;
	size_t from = c->i;
	while (c->i < c->n && ((c->s[c->i] >= 'a' && c->s[c->i] <= 'z') || (c->s[c->i] >= 'A' && c->s[c->i] <= 'Z')))
		c->i++;
	return c->i - from;
}

/* Read an English month abbreviation at c; return 1-12, or -1. */
static int errbody_cur_month(struct errbody_cursor *c)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *w;
	if (errbody_cur_word(c, &w) != 3)
		return -1;
	for (int m = 0; m < 12; m++)
		if (strncasecmp(w, months + 3 * m, 3) == 0)
			return m + 1;
	return -1;
}

/* Read "HH:MM:SS" at c into *secs (seconds since midnight); return 0 or -1. */
static int errbody_cur_time(struct errbody_cursor *c, long *secs)
{
	int h, m, s;
	if (errbody_cur_num(c, 2, 2, &h) || errbody_cur_char(c, ':') || errbody_cur_num(c, 2, 2, &m) ||
	    errbody_cur_char(c, ':') || errbody_cur_num(c, 2, 2, &s))
		return -1;
	if (h > 23 || m > 59 || s > 60)
		return -1;
	*secs = h * 3600L + m * 60L + s;
	return 0;
}

/* Return the number of days from 1970-01-01 to the given civil date
 * (proleptic Gregorian; Howard Hinnant's days_from_civil). */
static long long errbody_days_from_civil(long long y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Parse an HTTP date in any of its three forms at c (the whole value) into
 * *t, seconds since the epoch; return 0 or -1.  now_unix places two-digit
 * RFC 850 years. */
static int errbody_http_date(struct errbody_cursor *c, long long now_unix, long long *t)
{
	static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
					   "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
					   "Saturday", "Sunday"};
	const char *w;
	size_t wl = errbody_cur_word(c, &w);
	bool known = false;
	for (size_t i = 0; i < sizeof days / sizeof days[0] && !known; i++)
		known = strlen(days[i]) == wl && strncasecmp(days[i], w, wl) == 0;
	if (!known)
		return -1;
	bool comma = errbody_cur_char(c, ',') == 0;
	if (!errbody_cur_spaces(c))
		return -1;
	int day, month, year;
	long secs;
	if (comma) {
		/* "06 Nov 1994 08:49:37 GMT" or "06-Nov-94 08:49:37 GMT" */
		if (errbody_cur_num(c, 1, 2, &day))
			return -1;
		bool rfc850 = errbody_cur_char(c, '-') == 0;
		if (!rfc850 && !errbody_cur_spaces(c))
			return -1;
		if ((month = errbody_cur_month(c)) < 0)
			return -1;
		if (rfc850 ? errbody_cur_char(c, '-') != 0 : !errbody_cur_spaces(c))
			return -1;
		size_t at = c->i;
		if (errbody_cur_num(c, 2, 4, &year) || (c->i - at != 2 && c->i - at != 4))
			return -1;
		if (c->i - at == 2) {
			/* RFC 9110: a two-digit year more than 50 years ahead is in the past. */
			long long now_year = 1970 + now_unix / 31556952;
			long long y = now_year - now_year % 100 + year;
			if (y > now_year + 50)
				y -= 100;
			else if (y <= now_year - 50)
				y += 100; /* "20" read in 1999 is 2020, not 1920 */
			year = (int)y;
		}
		if (!errbody_cur_spaces(c) || errbody_cur_time(c, &secs))
			return -1;
		errbody_cur_spaces(c);
		size_t zl = errbody_cur_word(c, &w);
		if (zl && !(zl == 3 && (strncasecmp(w, "GMT", 3) == 0 || strncasecmp(w, "UTC", 3) == 0)))
			return -1;
	} else {
		/* asctime: "Nov  6 08:49:37 1994" */
		if ((month = errbody_cur_month(c)) < 0 || !errbody_cur_spaces(c) ||
		    errbody_cur_num(c, 1, 2, &day) || !errbody_cur_spaces(c) || errbody_cur_time(c, &secs) ||
		    !errbody_cur_spaces(c) || errbody_cur_num(c, 4, 4, &year))
			return -1;
	}
	errbody_cur_spaces(c);
	if (c->i != c->n || day < 1 || day > 31)
		return -1;
	*t = errbody_days_from_civil(year, month, day) * 86400 + secs;
	return 0;
}

/* Return the Retry-After delay in milliseconds (0 to one hour), or -1 if unparsable. */
long api_retry_after_ms(const char *value, long long now_unix)
{
	if (!value)
		return -1;
	struct errbody_cursor c = {value, strlen(value), 0};
	while (c.n && (value[c.n - 1] == ' ' || value[c.n - 1] == '\t' || value[c.n - 1] == '\r' ||
		       value[c.n - 1] == '\n'))
		c.n--;
	errbody_cur_spaces(&c);
	if (c.i >= c.n)
		return -1;
	if (value[c.i] >= '0' && value[c.i] <= '9') {
		/* delta-seconds; parsed by hand because strtod follows the
		 * locale's decimal point and "1.5" must mean 1500 ms anywhere. */
		long long ms = 0;
		while (c.i < c.n && value[c.i] >= '0' && value[c.i] <= '9') {
			if (ms <= ERRBODY_MAX_RETRY_MS)
				ms = ms * 10 + (value[c.i] - '0') * 1000LL;
			c.i++;
		}
		if (c.i < c.n && value[c.i] == '.') {
			c.i++;
			size_t from = c.i;
			long long scale = 100;
			while (c.i < c.n && value[c.i] >= '0' && value[c.i] <= '9') {
				ms += (value[c.i] - '0') * scale;
				scale /= 10;
				c.i++;
			}
			if (c.i == from)
				return -1;
		}
		if (c.i != c.n)
			return -1;
		return ms > ERRBODY_MAX_RETRY_MS ? ERRBODY_MAX_RETRY_MS : (long)ms;
	}
	long long t;
	if (errbody_http_date(&c, now_unix, &t) != 0)
		return -1;
	if (t <= now_unix)
		return 0;
	if (t - now_unix > ERRBODY_MAX_RETRY_MS / 1000)
		return ERRBODY_MAX_RETRY_MS;
	return (long)((t - now_unix) * 1000);
}
