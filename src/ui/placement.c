#include <config.h>

#include "ui/placement.h"

/* Find the visible images among the lines. */
int placement_from_lines(const struct cv_line *const *lines, int n, int top, int max_rows, int col,
			 struct placement *out, int max)
{
	int count = 0;
	if (n > max_rows)
		n = max_rows;
	for (int i = 0; i < n && count < max;) {
		const struct cv_line *l = lines[i];
		if (!l->image_id || l->image_rows < 1 || l->image_row < 0 ||
		    l->image_row >= l->image_rows) {
			i++;
			continue;
		}
		/* The run of lines that continue this image row by row. */
		int j = i + 1;
		while (j < n && lines[j]->image_id == l->image_id &&
		       lines[j]->image_row == l->image_row + (j - i) &&
		       lines[j]->image_rows == l->image_rows)
			j++;
		out[count++] = (struct placement){
			.id = l->image_id,
			.row = top + i,
			.col = col,
			.cols = l->image_cols,
			.rows = l->image_rows,
			.crop_top = l->image_row,
			.crop_rows = j - i,
		};
		i = j;
	}
	return count;
}

/* Compare two placements. */
bool placement_equal(const struct placement *a, const struct placement *b)
{
	return a->id == b->id && a->row == b->row && a->col == b->col && a->cols == b->cols &&
	       a->rows == b->rows && a->crop_top == b->crop_top && a->crop_rows == b->crop_rows;
}
