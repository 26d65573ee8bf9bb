#include <config.h>

/* cmocka needs these first, in this order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img/blocks.h"
#include "img/preview.h"

#define FULL_BLOCK 0x2588

/* Fill img (allocated here) with w x h quadrants: red, green / blue, white. */
static void make_quadrants(struct image *img, unsigned w, unsigned h)
{
	image_init(img);
	assert_int_equal(image_alloc(img, w, h), 0);
	for (unsigned y = 0; y < h; y++) {
		for (unsigned x = 0; x < w; x++) {
			uint32_t c = y < h / 2 ? (x < w / 2 ? 0xff0000 : 0x00ff00)
					       : (x < w / 2 ? 0x0000ff : 0xffffff);
			unsigned char *p = img->rgba + ((size_t)y * w + x) * 4;
			p[0] = (unsigned char)(c >> 16);
			p[1] = (unsigned char)(c >> 8);
			p[2] = (unsigned char)c;
			p[3] = 255;
		}
	}
}

/* Return the cell (x, y) of g. */
static const struct block_cell *cell_at(const struct block_grid *g, int x, int y)
{
	assert_true(x >= 0 && x < g->cols && y >= 0 && y < g->rows);
	return &g->cells[(size_t)y * (size_t)g->cols + (size_t)x];
}

/* Return the colour a solid cell shows: the background behind a space,
 * the foreground of a full block. */
static uint32_t solid_colour(const struct block_cell *c)
{
	if (c->ch == ' ')
		return c->bg;
	if (c->ch == FULL_BLOCK)
		return c->fg;
	/* Any other symbol: both colours must agree for a flat area. */
	return c->fg == c->bg ? c->fg : 0xdeadbeef;
}

/* Return true if colour c is within tol of want on every channel. */
static bool near(uint32_t c, uint32_t want, int tol)
{
	for (int s = 0; s < 24; s += 8)
		if (abs((int)(c >> s & 0xff) - (int)(want >> s & 0xff)) > tol)
			return false;
	return true;
}

/* Return true if ch is a symbol a one-column block rendering may use. */
static bool block_symbol(uint32_t ch)
{
	return ch == ' ' || (ch >= 0x2580 && ch <= 0x259f);
}

static void test_quadrants(void **state)
{
	(void)state;
	struct image img;
	make_quadrants(&img, 160, 160);
	struct block_grid g;
	char *err = NULL;
	/* Cells of 10 x 20: a square image is twice as many columns as rows. */
	assert_int_equal(blocks_render(&img, 16, 8, 10, 20, BLOCKS_TRUECOLOR, 0, &g, &err), 0);
	assert_null(err);
	assert_int_equal(g.cols, 16);
	assert_int_equal(g.rows, 8);
	assert_int_equal(g.mode, BLOCKS_TRUECOLOR);
	assert_true(near(solid_colour(cell_at(&g, 0, 0)), 0xff0000, 16));
	assert_true(near(solid_colour(cell_at(&g, 15, 0)), 0x00ff00, 16));
	assert_true(near(solid_colour(cell_at(&g, 0, 7)), 0x0000ff, 16));
	assert_true(near(solid_colour(cell_at(&g, 15, 7)), 0xffffff, 16));
	for (int i = 0; i < g.cols * g.rows; i++) {
		assert_true(block_symbol(g.cells[i].ch));
		assert_int_equal(g.cells[i].fg_idx, -1);
		assert_int_equal(g.cells[i].bg_idx, -1);
		assert_true(g.cells[i].fg <= 0xffffff && g.cells[i].bg <= 0xffffff);
	}
	blocks_grid_free(&g);
	blocks_grid_free(&g); /* zeroed: harmless */
	image_free(&img);
}

static void test_geometry(void **state)
{
	(void)state;
	struct image img;
	make_quadrants(&img, 200, 100);
	struct block_grid g;
	/* The grid is what preview_fit() says, for several cell shapes. */
	static const int shapes[][2] = {{10, 20}, {10, 10}, {8, 17}, {20, 10}, {1, 1}};
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		struct preview_geom pg;
		preview_fit(img.w, img.h, 40, 12, shapes[i][0], shapes[i][1], &pg);
		assert_int_equal(blocks_render(&img, 40, 12, shapes[i][0], shapes[i][1],
					       BLOCKS_TRUECOLOR, 0, &g, NULL),
				 0);
		assert_int_equal(g.cols, pg.cols);
		assert_int_equal(g.rows, pg.rows);
		assert_true(g.cols <= 40 && g.rows <= 12);
		blocks_grid_free(&g);
	}
	/* 200 x 100 in 10 x 20 cells: 20 x 5, aspect kept (2:1 image, cells
	 * 1:2, so 4 columns per row). */
	assert_int_equal(blocks_render(&img, 40, 12, 10, 20, BLOCKS_TRUECOLOR, 0, &g, NULL), 0);
	assert_int_equal(g.cols, 20);
	assert_int_equal(g.rows, 5);
	/* Left half red-ish at the top, right half green-ish. */
	assert_true(near(solid_colour(cell_at(&g, 1, 0)), 0xff0000, 16));
	assert_true(near(solid_colour(cell_at(&g, 18, 0)), 0x00ff00, 16));
	assert_true(near(solid_colour(cell_at(&g, 18, 4)), 0xffffff, 16));
	blocks_grid_free(&g);
	/* Square cells: twice the rows. */
	assert_int_equal(blocks_render(&img, 40, 12, 10, 10, BLOCKS_TRUECOLOR, 0, &g, NULL), 0);
	assert_int_equal(g.cols, 20);
	assert_int_equal(g.rows, 10);
	blocks_grid_free(&g);
	image_free(&img);
}

static void test_half_cells(void **state)
{
	(void)state;
	/* A red top half over a blue bottom half in one cell's height: the
	 * half block draws both in one cell. */
	struct image img;
	image_init(&img);
	assert_int_equal(image_alloc(&img, 10, 20), 0);
	for (unsigned y = 0; y < 20; y++)
		for (unsigned x = 0; x < 10; x++) {
			unsigned char *p = img.rgba + ((size_t)y * 10 + x) * 4;
			p[0] = y < 10 ? 255 : 0;
			p[1] = 0;
			p[2] = y < 10 ? 0 : 255;
			p[3] = 255;
		}
	struct block_grid g;
	assert_int_equal(blocks_render(&img, 1, 1, 10, 20, BLOCKS_TRUECOLOR, 0, &g, NULL), 0);
	assert_int_equal(g.cols, 1);
	assert_int_equal(g.rows, 1);
	const struct block_cell *c = cell_at(&g, 0, 0);
	/* Upper half block with red on blue, or lower half with blue on red. */
	if (c->ch == 0x2580) {
		assert_true(near(c->fg, 0xff0000, 16));
		assert_true(near(c->bg, 0x0000ff, 16));
	} else {
		assert_int_equal(c->ch, 0x2584);
		assert_true(near(c->fg, 0x0000ff, 16));
		assert_true(near(c->bg, 0xff0000, 16));
	}
	blocks_grid_free(&g);
	image_free(&img);
}

static void test_ascii(void **state)
{
	(void)state;
	struct image img;
	make_quadrants(&img, 64, 64);
	/* A diagonal line, so that symbols other than space are needed. */
	for (unsigned i = 0; i < 64; i++)
		memcpy(img.rgba + ((size_t)i * 64 + i) * 4, "\x00\x00\x00\xff", 4);
	struct block_grid g;
	assert_int_equal(
		blocks_render(&img, 16, 8, 8, 16, BLOCKS_TRUECOLOR, BLOCKS_ASCII, &g, NULL), 0);
	for (int i = 0; i < g.cols * g.rows; i++)
		assert_true(g.cells[i].ch >= 0x20 && g.cells[i].ch < 0x7f);
	assert_true(near(cell_at(&g, 0, g.rows - 1)->bg, 0x0000ff, 16) ||
		    near(cell_at(&g, 0, g.rows - 1)->fg, 0x0000ff, 16));
	blocks_grid_free(&g);
	image_free(&img);
}

static void test_modes(void **state)
{
	(void)state;
	assert_int_equal(blocks_mode_for_colors(1 << 24), BLOCKS_TRUECOLOR);
	assert_int_equal(blocks_mode_for_colors(256), BLOCKS_256);
	assert_int_equal(blocks_mode_for_colors(88), BLOCKS_16);
	assert_int_equal(blocks_mode_for_colors(16), BLOCKS_16);
	assert_int_equal(blocks_mode_for_colors(8), BLOCKS_8);
	assert_int_equal(blocks_mode_for_colors(2), BLOCKS_MONO);
	assert_int_equal(blocks_mode_for_colors(-1), BLOCKS_MONO);

	struct image img;
	make_quadrants(&img, 64, 64);
	static const struct {
		enum blocks_mode mode;
		int lo, hi;
	} modes[] = {{BLOCKS_256, 16, 255}, {BLOCKS_16, 0, 15}, {BLOCKS_8, 0, 7}};
	for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
		struct block_grid g;
		assert_int_equal(blocks_render(&img, 8, 4, 8, 16, modes[m].mode, 0, &g, NULL), 0);
		assert_int_equal(g.mode, modes[m].mode);
		for (int i = 0; i < g.cols * g.rows; i++) {
			const struct block_cell *c = &g.cells[i];
			assert_true(c->fg_idx >= modes[m].lo && c->fg_idx <= modes[m].hi);
			assert_true(c->bg_idx >= modes[m].lo && c->bg_idx <= modes[m].hi);
		}
		/* The top-left stays reddish: more red than green or blue. */
		uint32_t tl = solid_colour(cell_at(&g, 0, 0));
		assert_true((tl >> 16 & 0xff) > (tl >> 8 & 0xff) &&
			    (tl >> 16 & 0xff) > (tl & 0xff));
		blocks_grid_free(&g);
	}
	struct block_grid g;
	assert_int_equal(blocks_render(&img, 8, 4, 8, 16, BLOCKS_MONO, 0, &g, NULL), 0);
	for (int i = 0; i < g.cols * g.rows; i++) {
		assert_int_equal(g.cells[i].fg_idx, -1);
		assert_true(block_symbol(g.cells[i].ch));
	}
	blocks_grid_free(&g);
	image_free(&img);
}

static void test_transparent(void **state)
{
	(void)state;
	struct image img;
	make_quadrants(&img, 40, 40);
	for (size_t i = 0; i < 40 * 40; i++)
		img.rgba[i * 4 + 3] = 0;
	struct block_grid g;
	assert_int_equal(blocks_render(&img, 4, 2, 10, 20, BLOCKS_TRUECOLOR, 0, &g, NULL), 0);
	for (int i = 0; i < g.cols * g.rows; i++)
		assert_int_equal(solid_colour(&g.cells[i]), 0x000000);
	blocks_grid_free(&g);
	image_free(&img);
}

static void test_tiny_and_huge(void **state)
{
	(void)state;
	struct image img;
	make_quadrants(&img, 1, 1);
	struct block_grid g;
	assert_int_equal(blocks_render(&img, 60, 12, 10, 20, BLOCKS_TRUECOLOR, 0, &g, NULL), 0);
	assert_int_equal(g.cols, 1);
	assert_int_equal(g.rows, 1);
	blocks_grid_free(&g);
	image_free(&img);
	make_quadrants(&img, 8000, 100);
	assert_int_equal(blocks_render(&img, 60, 12, 10, 20, BLOCKS_TRUECOLOR, 0, &g, NULL), 0);
	assert_int_equal(g.cols, 60);
	assert_int_equal(g.rows, 1);
	blocks_grid_free(&g);
	image_free(&img);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct block_grid g;
	char *err = NULL;
	struct image empty;
	image_init(&empty);
	assert_int_equal(blocks_render(&empty, 10, 10, 10, 20, BLOCKS_TRUECOLOR, 0, &g, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "blocks: "));
	free(err);
	assert_null(g.cells);
	struct image img;
	make_quadrants(&img, 4, 4);
	err = NULL;
	assert_int_equal(blocks_render(&img, 0, 10, 10, 20, BLOCKS_TRUECOLOR, 0, &g, &err), -1);
	assert_non_null(err);
	free(err);
	assert_int_equal(blocks_render(&img, 10, 10, 10, 0, BLOCKS_TRUECOLOR, 0, &g, NULL), -1);
	image_free(&img);
}

/* ---- the preview cache, blocks side ---- */

/* Return a blocks key for image id. */
static struct preview_key key_blocks(uint64_t id)
{
	struct preview_key k;
	memset(&k, 0, sizeof k);
	k.image_id = id;
	k.kind = PREVIEW_BLOCKS;
	k.max_cols = 40;
	k.max_rows = 12;
	k.cell_w = 10;
	k.cell_h = 20;
	k.mode = BLOCKS_TRUECOLOR;
	return k;
}

static void test_cache_blocks(void **state)
{
	(void)state;
	struct preview_cache *c = preview_cache_new(0);
	struct image img;
	make_quadrants(&img, 200, 100);
	struct preview_key k = key_blocks(42);
	assert_null(preview_blocks(c, &k, NULL, NULL));
	char *err = NULL;
	const struct block_grid *g = preview_blocks(c, &k, &img, &err);
	assert_null(err);
	assert_non_null(g);
	assert_int_equal(g->cols, 20);
	assert_int_equal(g->rows, 5);
	assert_int_equal(preview_cache_count(c), 1);
	/* Bytes: the cells plus bookkeeping. */
	size_t cells = (size_t)20 * 5 * sizeof(struct block_cell);
	assert_true(preview_cache_bytes(c) >= cells && preview_cache_bytes(c) < cells + 512);
	/* Same key (crop and colours ignored for blocks): the same grid. */
	struct preview_key k2 = k;
	k2.crop_top = 3;
	k2.crop_rows = 1;
	k2.colors = 16;
	assert_ptr_equal(preview_blocks(c, &k2, &img, NULL), g);
	assert_ptr_equal(preview_cache_get_blocks(c, &k2), g);
	/* Mode and flags split it. */
	k2 = k;
	k2.mode = BLOCKS_256;
	assert_null(preview_cache_get_blocks(c, &k2));
	const struct block_grid *g256 = preview_blocks(c, &k2, &img, NULL);
	assert_non_null(g256);
	assert_int_equal(g256->mode, BLOCKS_256);
	k2.flags = BLOCKS_ASCII;
	assert_null(preview_cache_get_blocks(c, &k2));
	assert_int_equal(preview_cache_count(c), 2);
	/* No sixel under a blocks key. */
	assert_null(preview_cache_get_sixel(c, &k));
	/* A hand-made grid put under a key is returned as is. */
	struct block_grid mine = {.cols = 1, .rows = 1, .mode = BLOCKS_MONO};
	mine.cells = calloc(1, sizeof *mine.cells);
	assert_non_null(mine.cells);
	mine.cells[0].ch = 'x';
	k2 = key_blocks(43);
	const struct block_grid *put = preview_cache_put_blocks(c, &k2, &mine);
	assert_null(mine.cells);
	assert_int_equal(put->cells[0].ch, 'x');
	/* Eviction by bytes: a cache too small for two grids keeps the
	 * newest. */
	preview_cache_delete(c);
	c = preview_cache_new(cells + cells / 2);
	assert_non_null(preview_blocks(c, &k, &img, NULL));
	k2 = key_blocks(44);
	assert_non_null(preview_blocks(c, &k2, &img, NULL));
	assert_int_equal(preview_cache_count(c), 1);
	assert_null(preview_cache_get_blocks(c, &k));
	assert_non_null(preview_cache_get_blocks(c, &k2));
	/* Errors come back as messages. */
	k.max_rows = 0;
	err = NULL;
	assert_null(preview_blocks(c, &k, &img, &err));
	assert_non_null(err);
	free(err);
	image_free(&img);
	preview_cache_delete(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quadrants),     cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_half_cells),    cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_modes),	      cmocka_unit_test(test_transparent),
		cmocka_unit_test(test_tiny_and_huge), cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_cache_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
