#ifndef SQUINT_UI_MDSCAN_H
#define SQUINT_UI_MDSCAN_H

/* The Markdown renderer's block scanner: where a streaming answer's blocks
 * are closed for good.  Internal to markdown.c and mdscan.c; markdown.h
 * holds the public entry points. */

#include <stddef.h>

#include "ui/markdown.h"

/* Offsets of the '[' that open link reference definitions. */
struct md_escs {
	size_t *v;
	size_t n, cap;
};

/* Scan src for stable points (see md_stable_prefix) and return the first
 * one (first_only) or the last, 0 when there is none.  When esc is not NULL,
 * record in it where the lines scanned start link reference definitions.
 * When open is not NULL, fill it as md_open_fence() describes (open->line
 * is SIZE_MAX when the text does not end inside such a block). */
size_t md_scan(const char *src, size_t len, int first_only, struct md_escs *esc,
	       struct md_open_fence *open);

#endif
