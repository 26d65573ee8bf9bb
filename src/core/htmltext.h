/* HTML error pages -> their title, first heading and visible text, so a
 * gateway's page becomes a readable line.  Scripts and styles are skipped,
 * entities decoded; nothing is ever interpreted. */
#ifndef SQUINT_CORE_HTMLTEXT_H
#define SQUINT_CORE_HTMLTEXT_H

#include "core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* How much page text is gathered: far more than an excerpt needs. */
#define HTML_MAX_TEXT 2048

/* What a scan of an HTML page gathers. */
struct html_scan {
	struct strbuf title; /* the <title> text */
	struct strbuf h1;    /* the first <h1> text */
	struct strbuf text;  /* all visible text outside the title */
	bool in_title, in_h1, h1_done;
};

/* Gather the title, first heading and visible text of the n bytes of page
 * s into h (zeroed by the caller; its buffers are the caller's to free). */
void html_scan_page(struct html_scan *h, const char *s, size_t n);

/* Return the offset of the first case-insensitive match of needle in the
 * n bytes of s at or after from, or n when there is none. */
size_t html_find_nocase(const char *s, size_t n, size_t from, const char *needle);

#endif
