#include <config.h>

#include "img/preview.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

/* Boxes and cells beyond these are nonsense; the limits keep every pixel
 * product inside an int. */
#define FIT_CELLS_MAX 4000
#define FIT_CELL_MAX  1000

/* Fit an image into a box of cells (see preview.h); fills *g. */
void preview_fit(unsigned img_w, unsigned img_h, int max_cols, int max_rows, int cell_w, int cell_h,
		 struct preview_geom *g)
{
	memset(g, 0, sizeof *g);
	if (img_w == 0 || img_h == 0 || max_cols < 1 || max_rows < 1 || cell_w < 1 || cell_h < 1)
		return;
	if (max_cols > FIT_CELLS_MAX)
		max_cols = FIT_CELLS_MAX;
	if (max_rows > FIT_CELLS_MAX)
		max_rows = FIT_CELLS_MAX;
	if (cell_w > FIT_CELL_MAX)
		cell_w = FIT_CELL_MAX;
	if (cell_h > FIT_CELL_MAX)
		cell_h = FIT_CELL_MAX;
	long long box_w = (long long)max_cols * cell_w, box_h = (long long)max_rows * cell_h;
	long long w = img_w, h = img_h;
	/* Never enlarge: a small screenshot stays pixel for pixel. */
	if (w > box_w || h > box_h) {
		/* Scale by the tighter side; the other side is rounded. */
		if (w * box_h >= h * box_w) {
			h = (h * box_w + w / 2) / w;
			w = box_w;
		} else {
			w = (w * box_h + h / 2) / h;
			h = box_h;
		}
	}
	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	int rows = (int)((h + cell_h - 1) / cell_h);
	/* Sixel paints six pixel rows at a time; if the last band would
	 * reach below the last cell row, shrink the picture a little so it
	 * cannot (at most 5 pixel rows; cells under 6 px tall cannot help). */
	long long limit = (long long)rows * cell_h / 6 * 6;
	if (h > limit && limit >= 6) {
		w = ((long long)img_w * limit + img_h / 2) / img_h;
		if (w > box_w)
			w = box_w;
		if (w < 1)
			w = 1;
		h = limit;
	}
	g->px_w = (int)w;
	g->px_h = (int)h;
	g->cols = (int)((w + cell_w - 1) / cell_w);
	g->rows = (int)((h + cell_h - 1) / cell_h);
}

/* One cached rendering, on the LRU list and in a hash chain. */
struct preview_entry {
	struct preview_key key; /* normalised: unused fields zero */
	uint64_t hash;
	size_t bytes;
	struct preview_entry *newer, *older; /* LRU list */
	struct preview_entry *chain;	     /* same bucket */
	struct sixel_out sixel;		     /* PREVIEW_SIXEL */
	struct block_grid blocks;	     /* PREVIEW_BLOCKS */
	struct sixel_prep *prep;	     /* PREVIEW_SIXEL_PREP */
};

struct preview_cache {
	size_t max_bytes, bytes, count;
	struct preview_entry **buckets;
	size_t nbuckets; /* a power of two */
	struct preview_entry *newest, *oldest;
};

#define PREVIEW_BUCKETS_MIN 64

/* Return a new empty cache; freed with preview_cache_delete(). */
struct preview_cache *preview_cache_new(size_t max_bytes)
{
	struct preview_cache *c = xcalloc(1, sizeof *c);
	c->max_bytes = max_bytes ? max_bytes : PREVIEW_DEFAULT_BYTES;
	c->nbuckets = PREVIEW_BUCKETS_MIN;
	c->buckets = xcalloc(c->nbuckets, sizeof *c->buckets);
	return c;
}

/* Free e and what it owns (it must be unlinked already). */
static void preview_entry_free(struct preview_entry *e)
{
	sixel_out_free(&e->sixel);
	blocks_grid_free(&e->blocks);
	sixel_prep_delete(e->prep);
	free(e);
}

/* Free every entry; the cache stays usable. */
void preview_cache_clear(struct preview_cache *c)
{
	struct preview_entry *e = c->newest;
	while (e) {
		struct preview_entry *next = e->older;
		preview_entry_free(e);
		e = next;
	}
	memset(c->buckets, 0, c->nbuckets * sizeof *c->buckets);
	c->newest = c->oldest = NULL;
	c->bytes = c->count = 0;
}

/* Free c and everything in it. */
void preview_cache_delete(struct preview_cache *c)
{
	if (!c)
		return;
	preview_cache_clear(c);
	free(c->buckets);
	free(c);
}

/* Return the bytes c holds. */
size_t preview_cache_bytes(const struct preview_cache *c)
{
	return c->bytes;
}

/* Return the entries c holds. */
size_t preview_cache_count(const struct preview_cache *c)
{
	return c->count;
}

/* Return the 64-bit FNV-1a hash of len bytes. */
uint64_t preview_hash(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Return k with the fields its kind ignores zeroed, so that two requests
 * for the same bytes are the same key. */
static struct preview_key preview_key_norm(const struct preview_key *k, enum preview_kind kind)
{
	struct preview_key n;
	memset(&n, 0, sizeof n);
	n.image_id = k->image_id;
	n.kind = kind;
	n.max_cols = k->max_cols;
	n.max_rows = k->max_rows;
	n.cell_w = k->cell_w;
	n.cell_h = k->cell_h;
	if (kind == PREVIEW_BLOCKS) {
		n.mode = k->mode;
		n.flags = k->flags;
		return n;
	}
	n.colors = k->colors;
	if (kind == PREVIEW_SIXEL) {
		n.crop_top = k->crop_top;
		n.crop_rows = k->crop_rows > 0 ? k->crop_rows : 0;
	}
	return n;
}

/* Return a hash of the normalised key k. */
static uint64_t preview_key_hash(const struct preview_key *k)
{
	/* Hash the fields, not the struct: padding bytes are not part of
	 * the key. */
	long long f[] = {k->kind,   k->max_cols, k->max_rows, k->cell_w,   k->cell_h,
			 k->colors, k->mode,	 k->flags,    k->crop_top, k->crop_rows};
	uint64_t h = k->image_id ^ 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		h ^= (uint64_t)f[i] + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
		h *= 0xff51afd7ed558ccdULL;
	}
	return h ^ (h >> 33);
}

/* Return true if the normalised keys a and b are equal. */
static bool preview_key_equal(const struct preview_key *a, const struct preview_key *b)
{
	return a->image_id == b->image_id && a->kind == b->kind && a->max_cols == b->max_cols &&
	       a->max_rows == b->max_rows && a->cell_w == b->cell_w && a->cell_h == b->cell_h &&
	       a->colors == b->colors && a->mode == b->mode && a->flags == b->flags &&
	       a->crop_top == b->crop_top && a->crop_rows == b->crop_rows;
}

/* Take e off the LRU list. */
static void preview_lru_unlink(struct preview_cache *c, struct preview_entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

/* Put e at the most recently used end of the LRU list. */
static void preview_lru_push(struct preview_cache *c, struct preview_entry *e)
{
	e->newer = NULL;
	e->older = c->newest;
	if (c->newest)
		c->newest->newer = e;
	else
		c->oldest = e;
	c->newest = e;
}

/* Return the entry for normalised key k (hash h), marking it most recently
 * used, or NULL. */
static struct preview_entry *preview_find(struct preview_cache *c, const struct preview_key *k,
					  uint64_t h)
{
	struct preview_entry *e = c->buckets[h & (c->nbuckets - 1)];
	for (; e; e = e->chain)
		if (e->hash == h && preview_key_equal(&e->key, k))
			break;
	if (e && c->newest != e) {
		preview_lru_unlink(c, e);
		preview_lru_push(c, e);
	}
	return e;
}

/* Unlink e from its hash chain and the LRU list, uncount and free it. */
static void preview_remove(struct preview_cache *c, struct preview_entry *e)
{
	struct preview_entry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];
	while (*pp != e)
		pp = &(*pp)->chain;
	*pp = e->chain;
	preview_lru_unlink(c, e);
	c->bytes -= e->bytes;
	c->count--;
	preview_entry_free(e);
}

/* Double the bucket array once the chains grow long. */
static void preview_grow(struct preview_cache *c)
{
	size_t n = c->nbuckets * 2;
	struct preview_entry **b = xcalloc(n, sizeof *b);
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct preview_entry *e = c->buckets[i];
		while (e) {
			struct preview_entry *next = e->chain;
			e->chain = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
			e = next;
		}
	}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = n;
}

/* Link the filled entry e (key, hash, bytes set) into c as the most
 * recent, replacing an entry with its key, then evict the least recently
 * used others until c fits its limit again. */
static void preview_insert(struct preview_cache *c, struct preview_entry *e)
{
	struct preview_entry *old = preview_find(c, &e->key, e->hash);
	if (old)
		preview_remove(c, old);
	if (c->count + 1 > c->nbuckets * 2)
		preview_grow(c);
	struct preview_entry **head = &c->buckets[e->hash & (c->nbuckets - 1)];
	e->chain = *head;
	*head = e;
	preview_lru_push(c, e);
	c->bytes += e->bytes;
	c->count++;
	while (c->bytes > c->max_bytes && c->oldest != e)
		preview_remove(c, c->oldest);
}

/* Return a new entry for normalised key k, with its hash and bookkeeping
 * bytes counted. */
static struct preview_entry *preview_entry_new(const struct preview_key *k)
{
	struct preview_entry *e = xcalloc(1, sizeof *e);
	e->key = *k;
	e->hash = preview_key_hash(k);
	e->bytes = sizeof *e;
	return e;
}

/* Return the cached sixel for k (borrowed), or NULL. */
const struct sixel_out *preview_cache_get_sixel(struct preview_cache *c,
						const struct preview_key *k)
{
	struct preview_key n = preview_key_norm(k, PREVIEW_SIXEL);
	struct preview_entry *e = preview_find(c, &n, preview_key_hash(&n));
	return e ? &e->sixel : NULL;
}

/* Return the cached grid for k (borrowed), or NULL. */
const struct block_grid *preview_cache_get_blocks(struct preview_cache *c,
						  const struct preview_key *k)
{
	struct preview_key n = preview_key_norm(k, PREVIEW_BLOCKS);
	struct preview_entry *e = preview_find(c, &n, preview_key_hash(&n));
	return e ? &e->blocks : NULL;
}

/* Store s under k, taking its string; returns the stored copy (borrowed). */
const struct sixel_out *preview_cache_put_sixel(struct preview_cache *c,
						const struct preview_key *k, struct sixel_out *s)
{
	struct preview_key n = preview_key_norm(k, PREVIEW_SIXEL);
	struct preview_entry *e = preview_entry_new(&n);
	e->sixel = *s;
	memset(s, 0, sizeof *s);
	e->bytes += e->sixel.data ? e->sixel.len + 1 : 0;
	preview_insert(c, e);
	return &e->sixel;
}

/* Store g under k, taking its cells; returns the stored copy (borrowed). */
const struct block_grid *preview_cache_put_blocks(struct preview_cache *c,
						  const struct preview_key *k, struct block_grid *g)
{
	struct preview_key n = preview_key_norm(k, PREVIEW_BLOCKS);
	struct preview_entry *e = preview_entry_new(&n);
	e->blocks = *g;
	memset(g, 0, sizeof *g);
	if (e->blocks.cells)
		e->bytes +=
			(size_t)e->blocks.cols * (size_t)e->blocks.rows * sizeof(struct block_cell);
	preview_insert(c, e);
	return &e->blocks;
}

/* Drop every entry of image_id. */
void preview_cache_forget(struct preview_cache *c, uint64_t image_id)
{
	struct preview_entry *e = c->newest;
	while (e) {
		struct preview_entry *next = e->older;
		if (e->key.image_id == image_id)
			preview_remove(c, e);
		e = next;
	}
}

/* Return the cached sixel_prep for k (crop ignored), making and caching it
 * from img on a miss; NULL with *err set on failure. */
static struct sixel_prep *preview_prep(struct preview_cache *c, const struct preview_key *k,
				       const struct image *img, char **err)
{
	struct preview_key n = preview_key_norm(k, PREVIEW_SIXEL_PREP);
	uint64_t h = preview_key_hash(&n);
	struct preview_entry *e = preview_find(c, &n, h);
	if (e)
		return e->prep;
	struct sixel_prep *sp;
	if (sixel_prep_new(img, k->max_cols, k->max_rows, k->cell_w, k->cell_h, k->colors, &sp,
			   err) != 0)
		return NULL;
	e = preview_entry_new(&n);
	e->prep = sp;
	e->bytes += sixel_prep_bytes(sp);
	preview_insert(c, e);
	return sp;
}

/* Return the sixel for k, encoding it on a miss (borrowed), or NULL. */
const struct sixel_out *preview_sixel(struct preview_cache *c, const struct preview_key *k,
				      const struct image *img, char **err)
{
	const struct sixel_out *hit = preview_cache_get_sixel(c, k);
	if (hit || !img)
		return hit;
	struct sixel_prep *sp = preview_prep(c, k, img, err);
	if (!sp)
		return NULL;
	struct sixel_out s;
	if (sixel_prep_encode(sp, k->crop_top, k->crop_rows, &s, err) != 0)
		return NULL;
	return preview_cache_put_sixel(c, k, &s);
}

/* Return the grid for k, rendering it on a miss (borrowed), or NULL. */
const struct block_grid *preview_blocks(struct preview_cache *c, const struct preview_key *k,
					const struct image *img, char **err)
{
	const struct block_grid *hit = preview_cache_get_blocks(c, k);
	if (hit || !img)
		return hit;
	struct block_grid g;
	if (blocks_render(img, k->max_cols, k->max_rows, k->cell_w, k->cell_h, k->mode, k->flags,
			  &g, err) != 0)
		return NULL;
	return preview_cache_put_blocks(c, k, &g);
}
