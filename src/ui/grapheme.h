/* Grapheme clusters of UTF-8 text, as the input editor's cursor moves by
 * them: UAX #29 extended grapheme clusters (libunistring's properties, with
 * the rules for emoji ZWJ sequences and flags applied here) joined with
 * width.h's clusters wherever the two disagree (width.h glues a zero-width
 * space to the character before it, or anything to a ZWJ), so that a
 * cluster boundary never splits what is drawn as one, and a row's cells,
 * summed cluster by cluster, are exactly what width_of() measures for it.
 *
 * The text must be valid UTF-8 (the input editor normalises everything that
 * enters its buffer): the decoders never meet a broken sequence.  Offsets
 * are bytes into s, which holds len bytes. */
#ifndef SQUINT_UI_GRAPHEME_H
#define SQUINT_UI_GRAPHEME_H

#include <stdbool.h>
#include <stddef.h>

#include <unitypes.h>

/* Return the code point at byte p (p < len); its length goes to *n. */
ucs4_t grapheme_cp(const char *s, size_t len, size_t p, int *n);

/* Return the start of the code point that ends at byte p (p > 0). */
size_t grapheme_cp_start(const char *s, size_t p);

/* Return the end of the cluster starting at the boundary p (p < len). */
size_t grapheme_next(const char *s, size_t len, size_t p);

/* Return the start of the cluster that ends at the boundary p (p > 0). */
size_t grapheme_prev(const char *s, size_t len, size_t p);

/* Return p if it is a cluster boundary, else the end (forward) or start
 * (!forward) of the cluster around it; p may be anywhere up to len. */
size_t grapheme_snap(const char *s, size_t len, size_t p, bool forward);

/* Return the end of the cluster at boundary p (p < len); the cells it takes
 * drawn from column col go to *cells (width.h's rules, which follow what
 * ncurses advances: a tab goes to the next multiple of 8, a ZWJ sequence
 * counts its visible parts) and its first code point to *base. */
size_t grapheme_info(const char *s, size_t len, size_t p, int col, int *cells, ucs4_t *base);

#endif
