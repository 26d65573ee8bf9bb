/* gettext glue: every user-facing string goes through _() or N_(). */
#ifndef SQUINT_I18N_H
#define SQUINT_I18N_H

#include <config.h>

#if ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) (s)
#endif
#define N_(s) (s)

#endif
