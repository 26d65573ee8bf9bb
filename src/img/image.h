/* A decoded picture: 8-bit RGBA pixels, and the small helpers every image
 * module shares (allocation with checked sizes, EXIF orientation, one-line
 * error messages, byte counts for people).
 *
 * Pixel buffers are sized by outside input, so they come from plain malloc
 * and failures are returned, never fatal. */
#ifndef SQUINT_IMG_IMAGE_H
#define SQUINT_IMG_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

struct image {
	unsigned w, h;
	unsigned char *rgba; /* w*h*4 bytes, rows top to bottom, straight (not premultiplied) alpha */
};

/* Initialise an empty image (0×0, no pixels). */
void image_init(struct image *img);
/* Free img's pixels; it is empty (and reusable) afterwards. */
void image_free(struct image *img);
/* Give img (emptied first) an uninitialised w×h pixel buffer from plain
 * malloc; return 0, or -1 when w or h is 0, the size overflows or memory
 * runs out (img is then empty). */
int image_alloc(struct image *img, unsigned w, unsigned h);
/* Return the byte size of a w×h RGBA buffer, or 0 when it is empty or would
 * not fit in a size_t (nor its row size in an int, which libpng needs). */
size_t image_buffer_size(unsigned w, unsigned h);
/* Return whether any pixel of img is not fully opaque. */
bool image_has_alpha(const struct image *img);
/* Turn img upright according to an EXIF orientation (1-8; anything else is
 * taken as 1): mirror and/or rotate its pixels, swapping w and h for 5-8.
 * Return 0, or -1 when memory runs out (img is then unchanged). */
int image_orient(struct image *img, int orientation);

/* Return a newly allocated human-readable byte count ("512 bytes",
 * "356 kB", "2.4 MB", in units of 1024); the caller frees it. */
char *image_format_bytes(size_t bytes);
/* Store in *err (when err is not NULL) a newly allocated one-line message
 * "NAME: TEXT" with TEXT formatted from fmt, for the caller to free; a NULL
 * name reads "image".  Return -1, so that failures can `return image_fail(...)`. */
int image_fail(char **err, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
