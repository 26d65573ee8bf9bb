/* gettext glue: every user-facing string goes through _(), P_() or N_(). */
#ifndef SQUINT_I18N_H
#define SQUINT_I18N_H

#include <config.h>

#if ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
/* The singular s or plural p form for the count n ("1 image", "2 images"). */
#define P_(s, p, n) ngettext(s, p, (unsigned long)(n))
#else
#define _(s) (s)
#define P_(s, p, n) ((n) == 1 ? (s) : (p))
#endif
#define N_(s) (s)

#endif
