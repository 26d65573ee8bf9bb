/* Incremental parser for the terminal's replies to squint's probe queries.
 *
 * Replies arrive on the same input as the keys the user types, in any split
 * (a reply may end in the next read, a key may sit between two replies).
 * The parser takes bytes as they come, swallows the reply sequences and
 * records what they say, and hands every other byte back, in order, as
 * typed input: a key pressed during the probe is never lost, and a reply is
 * never typed into the editor.  Pure: no I/O, no allocation.
 *
 * Sequences treated as replies (all CSI, ESC [ ... final):
 *   CSI ? ... c               DA1; attribute 4 means sixel graphics
 *   CSI > ... c, CSI = ... c  DA2, DA3 (swallowed)
 *   CSI ? Pi ; Ps ; Pv... S   XTSMGRAPHICS (Pi 1: colour registers,
 *                             Pi 2: maximum sixel geometry; Ps 0 = success)
 *   CSI ? Pd ; Ps $ y         DECRPM (mode 2026: synchronized output)
 *   CSI 4 ; h ; w t           text area in pixels
 *   CSI 6 ; h ; w t           cell size in pixels
 *   CSI 8 ; rows ; cols t     text area in cells
 *   any other CSI with a private marker ? > = (keys never send one)
 * Keys (CSI A, CSI 1;5C, CSI 200~, SGR mouse CSI < ... M, SS3, Alt+key,
 * a lone ESC) are typed input.  DCS and OSC strings are not swallowed:
 * squint never asks for one, and ESC P / ESC ] are also Alt+Shift+P / Alt+]. */
#ifndef SQUINT_TERM_REPLY_H
#define SQUINT_TERM_REPLY_H

#include <stdbool.h>
#include <stddef.h>

/* Longest sequence the parser holds back while it is incomplete; a longer
 * one is not a reply and goes back as typed bytes. */
#define TERM_REPLY_HOLD_MAX 64

/* What the replies said so far; -1 (or false) until a reply says it. */
struct term_replies {
	bool da1;	 /* a DA1 reply arrived (every terminal answers it last) */
	bool sixel;	 /* DA1 listed attribute 4 */
	int da1_class;	 /* first DA1 parameter: 1 (VT100), 62..65 (VT220..VT525) */
	int colors;	 /* XTSMGRAPHICS colour registers */
	int sixel_max_w; /* XTSMGRAPHICS maximum sixel geometry, pixels */
	int sixel_max_h;
	int cell_w, cell_h; /* CSI 6 ; h ; w t */
	int area_w, area_h; /* CSI 4 ; h ; w t, pixels */
	int rows, cols;	    /* CSI 8 ; rows ; cols t */
	int sync_output;    /* DECRPM for mode 2026: 0 unknown, 1 set, 2 reset,
			       3 always set, 4 always reset */
	int nreplies;	    /* replies swallowed, recognised or not */
};

/* The parser; embed it and start it with term_reply_init(). */
struct term_reply_parser {
	struct term_replies r;
	unsigned char hold[TERM_REPLY_HOLD_MAX]; /* an incomplete sequence */
	size_t nhold;
};

/* Reset p to the start of a stream with nothing recorded. */
void term_reply_init(struct term_reply_parser *p);

/* Parse len bytes; every byte that is not part of a reply is copied to
 * typed, in order, and the count is returned.  typed needs room for
 * len + TERM_REPLY_HOLD_MAX bytes (a held sequence that turns out not to be
 * a reply is released with the byte that decides it).  A sequence still
 * incomplete at the end of in is held for the next call. */
size_t term_reply_feed(struct term_reply_parser *p, const unsigned char *in, size_t len,
		       unsigned char *typed);

/* End the stream: the held incomplete sequence (a lone ESC: the Escape key)
 * is copied to typed (room for TERM_REPLY_HOLD_MAX bytes) and its length
 * returned; the recorded replies are kept. */
size_t term_reply_flush(struct term_reply_parser *p, unsigned char *typed);

/* Return how many bytes p holds back. */
size_t term_reply_pending(const struct term_reply_parser *p);

#endif
