/* Whole values from text, as flags, the config file and /set take them:
 * the value must be the whole string (no spaces around it, nothing after
 * it).  Each parser returns 0 with the value in *out, or -1 and leaves
 * *out alone. */
#ifndef SQUINT_CORE_PARSE_H
#define SQUINT_CORE_PARSE_H

#include <stdbool.h>

/* A finite decimal number: digits, sign, point, exponent; no hex, inf or
 * nan, nothing that overflows. */
int parse_double(const char *s, double *out);
/* A decimal integer with an optional sign that fits a long long. */
int parse_ll(const char *s, long long *out);
/* A decimal integer with an optional sign that fits an int. */
int parse_int(const char *s, int *out);
/* true/false, yes/no, on/off or 1/0, in any case. */
int parse_bool(const char *s, bool *out);

#endif
