#include <config.h>

/* Ask blocks.h for libchafa: see the end of that header for why. */
#define SQUINT_BLOCKS_WANT_CHAFA
#include "img/blocks.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "img/fit.h"
#include "img/preview.h"

#define BLOCKS_CELLS_MAX 4000
#define BLOCKS_CELL_MAX	 1000

/* Return the block mode for a terminal of colors colours. */
enum blocks_mode blocks_mode_for_colors(int colors)
{
	if (colors >= (1 << 24))
		return BLOCKS_TRUECOLOR;
	if (colors >= 256)
		return BLOCKS_256;
	if (colors >= 16)
		return BLOCKS_16;
	if (colors >= 8)
		return BLOCKS_8;
	return BLOCKS_MONO;
}

/* Free g's cells and zero it. */
void blocks_grid_free(struct block_grid *g)
{
	free(g->cells);
	memset(g, 0, sizeof *g);
}

/* Return chafa's canvas mode for mode.  INDEXED_240 rather than 256: the
 * 16 low colours are the user's theme, so their RGB is unknown. */
static ChafaCanvasMode blocks_canvas_mode(enum blocks_mode mode)
{
	switch (mode) {
	case BLOCKS_TRUECOLOR:
		return CHAFA_CANVAS_MODE_TRUECOLOR;
	case BLOCKS_256:
		return CHAFA_CANVAS_MODE_INDEXED_240;
	case BLOCKS_16:
		return CHAFA_CANVAS_MODE_INDEXED_16;
	case BLOCKS_8:
		return CHAFA_CANVAS_MODE_INDEXED_8;
	case BLOCKS_MONO:
		break;
	}
	return CHAFA_CANVAS_MODE_FGBG;
}

/* Return a newly allocated copy of img's pixels composited on black, or
 * NULL when memory runs out; the caller frees it. */
static unsigned char *blocks_flatten(const struct image *img)
{
	size_t n = (size_t)img->w * img->h;
	unsigned char *p = malloc(n * 4);
	if (!p)
		return NULL;
	const unsigned char *s = img->rgba;
	for (size_t i = 0; i < n; i++, s += 4) {
		unsigned a = s[3];
		p[i * 4 + 0] = (unsigned char)((s[0] * a + 127) / 255);
		p[i * 4 + 1] = (unsigned char)((s[1] * a + 127) / 255);
		p[i * 4 + 2] = (unsigned char)((s[2] * a + 127) / 255);
		p[i * 4 + 3] = 255;
	}
	return p;
}

/* Return a new symbol map for flags; the caller unrefs it. */
static ChafaSymbolMap *blocks_symbols(unsigned flags)
{
	ChafaSymbolMap *map = chafa_symbol_map_new();
	if (flags & BLOCKS_ASCII) {
		chafa_symbol_map_add_by_tags(map, CHAFA_SYMBOL_TAG_SPACE | CHAFA_SYMBOL_TAG_ASCII);
	} else {
		/* Whole, half and quadrant blocks: in every font that has box
		 * drawing, and one column wide.  Wide and ambiguous-width
		 * symbols would break curses' column count. */
		chafa_symbol_map_add_by_tags(map, CHAFA_SYMBOL_TAG_SPACE | CHAFA_SYMBOL_TAG_SOLID |
							  CHAFA_SYMBOL_TAG_BLOCK |
							  CHAFA_SYMBOL_TAG_HALF |
							  CHAFA_SYMBOL_TAG_QUAD);
		chafa_symbol_map_remove_by_tags(map, CHAFA_SYMBOL_TAG_WIDE | CHAFA_SYMBOL_TAG_BAD);
	}
	return map;
}

/* Read cell (x, y) of canvas into c, with both colours always usable: chafa
 * leaves the unused foreground of a space (and anything transparent) at -1
 * or stale, and a curses pair needs two real colours. */
static void blocks_take_cell(ChafaCanvas *canvas, int x, int y, enum blocks_mode mode, bool indexed,
			     struct block_cell *c)
{
	gint fg = -1, bg = -1, fi = -1, bi = -1;
	c->ch = chafa_canvas_get_char_at(canvas, x, y);
	c->fg_idx = c->bg_idx = -1;
	if (mode == BLOCKS_MONO) {
		/* Two-tone: the symbol is drawn in the default colours. */
		c->fg = 0xffffff;
		c->bg = 0x000000;
		return;
	}
	chafa_canvas_get_colors_at(canvas, x, y, &fg, &bg);
	if (indexed) {
		chafa_canvas_get_raw_colors_at(canvas, x, y, &fi, &bi);
		if (fi < 0 || fi > 255)
			fi = fg = -1;
		if (bi < 0 || bi > 255)
			bi = bg = -1;
	}
	if (c->ch == ' ' || fg < 0) {
		fg = bg;
		fi = bi;
	}
	if (bg < 0) {
		bg = fg;
		bi = fi;
	}
	/* Both missing cannot happen once the image is opaque; black is the
	 * background transparent pixels are composited on anyway. */
	c->fg = fg < 0 ? 0 : (uint32_t)fg & 0xffffff;
	c->bg = bg < 0 ? 0 : (uint32_t)bg & 0xffffff;
	if (indexed) {
		c->fg_idx = (int16_t)(fi < 0 ? 0 : fi);
		c->bg_idx = (int16_t)(bi < 0 ? 0 : bi);
	}
}

/* Render img into a grid of cells (the caller frees it); returns 0 or -1. */
int blocks_render(const struct image *img, int max_cols, int max_rows, int cell_w, int cell_h,
		  enum blocks_mode mode, unsigned flags, struct block_grid *out, char **err)
{
	memset(out, 0, sizeof *out);
	if (!img || !img->rgba || img->w == 0 || img->h == 0)
		return image_fail(err, "blocks", "%s", _("no pixels to show"));
	if (max_cols < 1 || max_rows < 1 || max_cols > BLOCKS_CELLS_MAX ||
	    max_rows > BLOCKS_CELLS_MAX || cell_w < 1 || cell_h < 1 || cell_w > BLOCKS_CELL_MAX ||
	    cell_h > BLOCKS_CELL_MAX)
		return image_fail(err, "blocks", _("bad preview box %dx%d cells of %dx%d pixels"),
				  max_cols, max_rows, cell_w, cell_h);
	if (img->w > (unsigned)INT32_MAX / 4 || img->h > (unsigned)INT32_MAX)
		return image_fail(err, "blocks", _("image too large (%ux%u)"), img->w, img->h);

	struct preview_geom g;
	preview_fit(img->w, img->h, max_cols, max_rows, cell_w, cell_h, &g);
	struct block_cell *cells = calloc((size_t)g.cols * (size_t)g.rows, sizeof *cells);
	if (!cells)
		return image_fail(err, "blocks", "%s", _("out of memory"));
	const struct image *src = img;
	struct image small;
	image_init(&small);
	unsigned char *flat = NULL;
	if (image_has_alpha(img)) {
		/* Compositing needs a copy: make it of a picture no bigger
		 * than the cells need (chafa samples 8 x 8 per cell), not of a
		 * 100-megapixel original. */
		unsigned tw = (unsigned)(g.px_w > g.cols * 8 ? g.px_w : g.cols * 8);
		unsigned th = (unsigned)(g.px_h > g.rows * 8 ? g.px_h : g.rows * 8);
		if (tw > img->w)
			tw = img->w;
		if (th > img->h)
			th = img->h;
		bool shrink = tw < img->w || th < img->h;
		if (!shrink || img_scale(img, tw, th, &small) == 0) {
			src = shrink ? &small : img;
			flat = blocks_flatten(src);
		}
		if (!flat) {
			image_free(&small);
			free(cells);
			return image_fail(err, "blocks", "%s", _("out of memory"));
		}
	}
	const unsigned char *pixels = flat ? flat : img->rgba;

	ChafaSymbolMap *map = blocks_symbols(flags);
	ChafaCanvasConfig *cfg = chafa_canvas_config_new();
	chafa_canvas_config_set_geometry(cfg, g.cols, g.rows);
	chafa_canvas_config_set_cell_geometry(cfg, cell_w, cell_h);
	chafa_canvas_config_set_canvas_mode(cfg, blocks_canvas_mode(mode));
	chafa_canvas_config_set_symbol_map(cfg, map);
	if (mode == BLOCKS_256)
		chafa_canvas_config_set_color_space(cfg, CHAFA_COLOR_SPACE_DIN99D);
	if (mode == BLOCKS_MONO)
		chafa_canvas_config_set_dither_mode(cfg, CHAFA_DITHER_MODE_ORDERED);
	ChafaCanvas *canvas = chafa_canvas_new(cfg);
	chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED, pixels, (gint)src->w,
				     (gint)src->h, (gint)src->w * 4);

	bool indexed = mode == BLOCKS_256 || mode == BLOCKS_16 || mode == BLOCKS_8;
	for (int y = 0; y < g.rows; y++)
		for (int x = 0; x < g.cols; x++)
			blocks_take_cell(canvas, x, y, mode, indexed,
					 &cells[(size_t)y * (size_t)g.cols + (size_t)x]);
	chafa_canvas_unref(canvas);
	chafa_canvas_config_unref(cfg);
	chafa_symbol_map_unref(map);
	free(flat);
	image_free(&small);

	out->cols = g.cols;
	out->rows = g.rows;
	out->mode = mode;
	out->cells = cells;
	return 0;
}
