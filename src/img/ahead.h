#ifndef SQUINT_IMG_AHEAD_H
#define SQUINT_IMG_AHEAD_H

#include <stddef.h>

#include "img/fit.h"

/* Reading rows ahead on a thread of their own: a decoder's rows (libpng's
 * inflating and unfiltering, say) are produced on a second thread while
 * img_scale_rows() resamples the ones before them, so on two cores a big
 * picture takes about as long as the slower of the two, not their sum.
 * The thread starts when the first row is asked for (whatever the scaler
 * allocates first is allocated before it) and reads at most a ring's worth
 * of rows ahead of the consumer. */
struct img_ahead;

/* From this many pixels up, rows are read ahead. */
#define IMG_AHEAD_PIXELS (1u << 20)

/* Wrap src, whose rows are row_bytes long (src->w * 4 for RGBA; a
 * decoder's raw rows may differ): *wrapped hands out the same rows, in
 * order, read ahead by a thread, copied into the buffer its row() is
 * given.  Return the state to pass to img_ahead_finish(), or NULL (use
 * src directly then) when the picture is under IMG_AHEAD_PIXELS, too
 * small to be worth a thread, or memory runs out. */
struct img_ahead *img_ahead_new(const struct img_rows *src, size_t row_bytes, struct img_rows *wrapped);

/* Stop the thread (when the consumer stopped early, it stops reading at the
 * next row), wait for it and free a.  Return whether a row of src failed;
 * a failure's message was set by src's row() on the thread, which has
 * ended by now. */
bool img_ahead_finish(struct img_ahead *a);

#endif
