/* Which images are where in the pane: placements from the visible lines,
 * cropped at cell rows when the pane cuts an image. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ui/chatview.h"
#include "ui/placement.h"

/* A line of text (no image). */
static struct cv_line text_line = {.text = (char *)"x", .len = 1};

/* Make line l row r of an image id rows high, cols wide. */
static void img_line(struct cv_line *l, uint64_t id, int r, int rows, int cols)
{
	memset(l, 0, sizeof *l);
	l->text = (char *)"";
	l->image_id = id;
	l->image_row = r;
	l->image_rows = rows;
	l->image_cols = cols;
}

static void test_none(void **state)
{
	(void)state;
	const struct cv_line *v[3] = {&text_line, &text_line, &text_line};
	struct placement p[4];
	assert_int_equal(placement_from_lines(v, 3, 0, 3, 2, p, 4), 0);
	assert_int_equal(placement_from_lines(v, 0, 0, 3, 2, p, 4), 0);
}

static void test_whole(void **state)
{
	(void)state;
	struct cv_line im[4];
	const struct cv_line *v[6] = {&text_line};
	for (int r = 0; r < 4; r++) {
		img_line(&im[r], 7, r, 4, 10);
		v[1 + r] = &im[r];
	}
	v[5] = &text_line;
	struct placement p[4];
	assert_int_equal(placement_from_lines(v, 6, 3, 20, 2, p, 4), 1);
	assert_true(p[0].id == 7);
	assert_int_equal(p[0].row, 4);
	assert_int_equal(p[0].col, 2);
	assert_int_equal(p[0].cols, 10);
	assert_int_equal(p[0].rows, 4);
	assert_int_equal(p[0].crop_top, 0);
	assert_int_equal(p[0].crop_rows, 4);
}

/* Scrolled: the pane starts at the image's row 2 and ends after row 3 of 6. */
static void test_cropped_both_ends(void **state)
{
	(void)state;
	struct cv_line im[6];
	for (int r = 0; r < 6; r++)
		img_line(&im[r], 9, r, 6, 5);
	const struct cv_line *v[2] = {&im[2], &im[3]};
	struct placement p[2];
	assert_int_equal(placement_from_lines(v, 2, 0, 2, 0, p, 2), 1);
	assert_int_equal(p[0].row, 0);
	assert_int_equal(p[0].crop_top, 2);
	assert_int_equal(p[0].crop_rows, 2);
	assert_int_equal(p[0].rows, 6);
}

/* max_rows keeps images off the rows below it (the "more below" marker). */
static void test_max_rows(void **state)
{
	(void)state;
	struct cv_line im[3];
	const struct cv_line *v[4] = {&text_line};
	for (int r = 0; r < 3; r++) {
		img_line(&im[r], 1, r, 3, 4);
		v[1 + r] = &im[r];
	}
	struct placement p[2];
	assert_int_equal(placement_from_lines(v, 4, 0, 3, 0, p, 2), 1);
	assert_int_equal(p[0].crop_rows, 2);
	assert_int_equal(placement_from_lines(v, 4, 0, 1, 0, p, 2), 0);
}

/* Two images in a row, the same image twice, and out of room. */
static void test_two(void **state)
{
	(void)state;
	struct cv_line a[2], b[2];
	for (int r = 0; r < 2; r++) {
		img_line(&a[r], 1, r, 2, 4);
		img_line(&b[r], 1, r, 2, 4);
	}
	const struct cv_line *v[5] = {&a[0], &a[1], &text_line, &b[0], &b[1]};
	struct placement p[2];
	assert_int_equal(placement_from_lines(v, 5, 0, 5, 0, p, 2), 2);
	assert_int_equal(p[0].row, 0);
	assert_int_equal(p[1].row, 3);
	assert_false(placement_equal(&p[0], &p[1]));
	p[1].row = 0;
	assert_true(placement_equal(&p[0], &p[1]));
	assert_int_equal(placement_from_lines(v, 5, 0, 5, 0, p, 1), 1);
	/* Adjacent, no gap: row 0 of the next image starts a new placement. */
	const struct cv_line *w[4] = {&a[0], &a[1], &b[0], &b[1]};
	assert_int_equal(placement_from_lines(w, 4, 0, 4, 0, p, 2), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_cropped_both_ends),
		cmocka_unit_test(test_max_rows),
		cmocka_unit_test(test_two),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
