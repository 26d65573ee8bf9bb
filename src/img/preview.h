/* Inline previews: how many cells an image takes, and a byte-bounded LRU
 * cache of its encoded renderings (sixel strings, block grids).
 *
 * The layout calls preview_fit() to reserve cells before anything is
 * encoded; the frame code then asks preview_sixel() or preview_blocks()
 * for the rendering, which is encoded on the first request and served from
 * the cache afterwards.  Sixel crops of one image share its scaled bitmap
 * and palette (also cached), so scrolling an image through the pane costs
 * one encode per new crop and no quantising.
 *
 * Entries are keyed by everything that changes the bytes: image id, kind,
 * the cell box, the cell size, the palette size or block mode, and the crop.
 * Bytes are counted (strings, cells, bitmaps, plus bookkeeping); when a put
 * takes the total over the limit, least recently used entries go until it
 * fits again, except the entry just put, which stays even when it alone is
 * over the limit (so the pointer just returned is always valid). */
#ifndef SQUINT_IMG_PREVIEW_H
#define SQUINT_IMG_PREVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "img/blocks.h"
#include "img/image.h"
#include "img/sixel.h"

#define PREVIEW_DEFAULT_BYTES ((size_t)16 << 20) /* 16 MiB */

/* Where an image goes inside a box of cells. */
struct preview_geom {
	int px_w, px_h; /* the scaled image in pixels */
	int cols, rows; /* the cells it covers: reserve these */
};

/* Fit an img_w x img_h image into max_cols x max_rows cells of cell_w x
 * cell_h pixels: the aspect ratio kept, never enlarged, at least one pixel
 * and one cell, and a height whose six-pixel sixel bands end inside its
 * last cell row.  Fills *g (zeros when an argument is not positive). */
void preview_fit(unsigned img_w, unsigned img_h, int max_cols, int max_rows, int cell_w, int cell_h,
		 struct preview_geom *g);

enum preview_kind {
	PREVIEW_SIXEL,
	PREVIEW_BLOCKS,
	PREVIEW_SIXEL_PREP, /* inside the cache: a scaled bitmap and palette */
};

/* What a preview is keyed by; fields a kind does not use are ignored (set
 * them to 0).  Start from a zeroed struct. */
struct preview_key {
	uint64_t image_id;	 /* unique per image content: a serial or preview_hash() */
	enum preview_kind kind;	 /* PREVIEW_SIXEL or PREVIEW_BLOCKS */
	int max_cols, max_rows;	 /* the box the image is fitted into */
	int cell_w, cell_h;	 /* term_caps cell size, pixels */
	int colors;		 /* sixel: palette size (term_caps.colors) */
	enum blocks_mode mode;	 /* blocks: from blocks_mode_for_colors(COLORS) */
	unsigned flags;		 /* blocks: BLOCKS_ASCII */
	int crop_top, crop_rows; /* sixel: cell rows drawn (0, 0: all); blocks draw
				    the visible rows of the whole grid instead */
};

struct preview_cache;

/* Return a new empty cache holding at most max_bytes (0: the default 16
 * MiB); the caller frees it with preview_cache_delete(). */
struct preview_cache *preview_cache_new(size_t max_bytes);

/* Free c and everything in it (NULL is fine). */
void preview_cache_delete(struct preview_cache *c);

/* Return the sixel for k (k->kind is taken as PREVIEW_SIXEL), encoding it
 * from img on a miss (img NULL: look up only, NULL on a miss).  The result
 * is borrowed from the cache and valid until the next call that adds to c,
 * so write it out before asking for the next one.  Returns NULL with *err
 * (if err is not NULL and img was given) a newly allocated message on
 * failure. */
const struct sixel_out *preview_sixel(struct preview_cache *c, const struct preview_key *k,
				      const struct image *img, char **err);

/* Return the block grid for k (k->kind is taken as PREVIEW_BLOCKS), as
 * preview_sixel() does. */
const struct block_grid *preview_blocks(struct preview_cache *c, const struct preview_key *k,
					const struct image *img, char **err);

/* Return the cached sixel for k, marking it most recently used, or NULL. */
const struct sixel_out *preview_cache_get_sixel(struct preview_cache *c,
						const struct preview_key *k);

/* Return the cached block grid for k, marking it most recently used, or NULL. */
const struct block_grid *preview_cache_get_blocks(struct preview_cache *c,
						  const struct preview_key *k);

/* Store s under k (replacing an entry with that key), taking its string
 * and zeroing *s; may evict others.  Returns the stored copy (borrowed). */
const struct sixel_out *preview_cache_put_sixel(struct preview_cache *c,
						const struct preview_key *k, struct sixel_out *s);

/* Store g under k as preview_cache_put_sixel() does. */
const struct block_grid *preview_cache_put_blocks(struct preview_cache *c,
						  const struct preview_key *k,
						  struct block_grid *g);

/* Drop every entry of image_id (an attachment removed, a session closed). */
void preview_cache_forget(struct preview_cache *c, uint64_t image_id);

/* Drop every entry. */
void preview_cache_clear(struct preview_cache *c);

/* Return the bytes c holds now. */
size_t preview_cache_bytes(const struct preview_cache *c);

/* Return the number of entries c holds now. */
size_t preview_cache_count(const struct preview_cache *c);

/* Return a 64-bit FNV-1a hash of len bytes at data, usable as image_id
 * (an attachment serial number is cheaper when there is one). */
uint64_t preview_hash(const void *data, size_t len);

#endif
