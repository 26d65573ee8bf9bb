#include <config.h>

#include "ui/markdown.h"
#include "ui/markdown-internal.h"

#include "core/xalloc.h"
#include "ui/width.h"

#include <stdlib.h>
#include <string.h>

/* ---- tables ---------------------------------------------------------- */

/* Return the cell at (row, col), or NULL; cells come in row order. */
static const struct md_cell *md_table_cell(const struct md_ctx *x, size_t *hint, unsigned row,
					   unsigned col)
{
	for (size_t i = *hint; i < x->n_cells; i++) {
		const struct md_cell *c = &x->cells[i];
		if (c->row > row)
			break;
		if (c->row == row && c->col == col) {
			*hint = i + 1;
			return c;
		}
	}
	return NULL;
}

/* Append a cell's styled text to the current row, with extra style bits. */
static void md_row_put_cell(struct md_ctx *x, const struct md_cell *c, unsigned extra)
{
	size_t ri = 0;
	md_row_put_runs(x, c->t.s.data, c->t.s.len, c->t.runs, c->t.n_runs, &ri, 0, c->t.s.len,
			extra);
}

/* Emit the table collected so far: aligned when it fits, as records when not. */
void md_emit_table(struct md_ctx *x)
{
	unsigned ncols = 0, nrows = 0;
	for (size_t i = 0; i < x->n_cells; i++) {
		struct md_cell *c = &x->cells[i];
		c->w = width_of(c->t.s.data ? c->t.s.data : "", c->t.s.len);
		if (c->col + 1 > ncols)
			ncols = c->col + 1;
		if (c->row + 1 > nrows)
			nrows = c->row + 1;
	}
	if (ncols == 0)
		return;
	int *colw = xcalloc(ncols, sizeof *colw);
	int *align = xcalloc(ncols, sizeof *align);
	for (size_t i = 0; i < x->n_cells; i++) {
		const struct md_cell *c = &x->cells[i];
		if (c->w > colw[c->col])
			colw[c->col] = c->w;
		if (c->row == 0)
			align[c->col] = c->align;
	}
	long total = 3L * (ncols - 1);
	for (unsigned k = 0; k < ncols; k++)
		total += colw[k];
	int avail = md_avail(x);
	md_block_start(x);
	size_t hint = 0;
	if (total <= avail) {
		for (unsigned r = 0; r < nrows; r++) {
			md_row_prefix(x, 0);
			for (unsigned k = 0; k < ncols; k++) {
				if (k > 0)
					md_row_put(x, " " MD_BAR " ", strlen(" " MD_BAR " "),
						   MD_ST_TABLE, 3);
				const struct md_cell *c = md_table_cell(x, &hint, r, k);
				int d = colw[k] - (c ? c->w : 0);
				int left = align[k] == MD_ALIGN_RIGHT    ? d
					   : align[k] == MD_ALIGN_CENTER ? d / 2
									 : 0;
				md_row_pad(x, left);
				if (c) {
					md_row_put_cell(x, c, 0);
					x->row_w += c->w;
				}
				md_row_pad(x, d - left);
			}
			md_row_trim(x);
			md_row_end(x, 0);
			if (r == 0) {
				md_row_prefix(x, 0);
				for (unsigned k = 0; k < ncols; k++) {
					if (k > 0)
						md_row_repeat(x, MD_CROSS, 1, MD_ST_TABLE);
					md_row_repeat(x, MD_HLINE, colw[k] + (k > 0) + (k + 1 < ncols),
						      MD_ST_TABLE);
				}
				md_row_end(x, 0);
			}
		}
	} else {
		/* Too wide: one "Header: value" line per cell, a record per row. */
		struct md_text rec;
		md_text_init(&rec);
		for (unsigned r = nrows > 1 ? 1 : 0; r < nrows; r++) {
			if (r > 1)
				md_emit_blank(x, x->box_depth);
			for (unsigned k = 0; k < ncols; k++) {
				size_t h0 = 0, h1 = 0;
				const struct md_cell *h = md_table_cell(x, &h0, 0, k);
				const struct md_cell *c = r ? md_table_cell(x, &h1, r, k) : NULL;
				md_text_reset(&rec);
				if (h) {
					for (size_t i = 0; i < h->t.n_runs; i++) {
						size_t a = h->t.runs[i].off;
						size_t b = i + 1 < h->t.n_runs ? h->t.runs[i + 1].off
									       : h->t.s.len;
						md_text_put(&rec, h->t.s.data + a, b - a,
							    h->t.runs[i].style | MD_ST_BOLD);
					}
					if (c)
						md_text_put(&rec, ": ", 2, MD_ST_BOLD);
				}
				if (c) {
					for (size_t i = 0; i < c->t.n_runs; i++) {
						size_t a = c->t.runs[i].off;
						size_t b = i + 1 < c->t.n_runs ? c->t.runs[i + 1].off
									       : c->t.s.len;
						md_text_put(&rec, c->t.s.data + a, b - a,
							    c->t.runs[i].style);
					}
				}
				md_emit_wrapped(x, rec.s.data ? rec.s.data : "", rec.s.len, rec.runs,
						rec.n_runs, "", 0, 0, 2);
			}
		}
		md_text_done(&rec);
	}
	free(colw);
	free(align);
	md_sep_due(x);
}

/* Free the collected table cells. */
void md_table_clear(struct md_ctx *x)
{
	for (size_t i = 0; i < x->n_cells; i++)
		md_text_done(&x->cells[i].t);
	x->n_cells = 0;
}
