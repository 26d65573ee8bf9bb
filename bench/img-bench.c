/* img-bench: how long squint takes to get one image ready to send and to
 * show its first preview, for `make bench` (bench/run-bench-images).
 *
 *   img-bench FILE MODEL RUNS [--no-preview] [--out SENT]
 *
 * The file is read once.  Each of RUNS runs then does what attaching it
 * does: img_prepare_upload_pixels() for MODEL (max_edge auto, default
 * limits and qualities) and the base64 data: URI of the result; and,
 * unless --no-preview, what the first inline preview costs after that
 * when nothing is cached yet: sixel_render() of the fitted pixels the
 * preparation left (the interactive mode's preview worker does the same,
 * without decoding again) into 60x12 cells of 10x20 pixels with 256
 * colours.  Times are wall clock (CLOCK_MONOTONIC);
 * the medians are printed.  --no-preview is for the peak-memory run, which
 * the script makes in a separate process under GNU time so that it counts
 * preparation alone; --out writes the bytes sent, to look at.
 *
 * The last line is for scripts:
 *   prep_ms=.. sent=.. orig=.. w=.. h=.. fmt=.. preview_ms=.. decoded_bytes=..
 * (sizes in bytes; decoded_bytes is the full-size RGBA buffer, w*h*4 of the
 * original, which peak memory is compared with). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/attach.h"
#include "img/decode.h"
#include "img/encode.h"
#include "img/prepare.h"
#include "img/fit.h"
#include "img/image.h"
#include "img/preview.h"
#include "img/sixel.h"

/* The first preview's box: the default 12 rows of a 60-column strip, in
 * cells of a common 10x20 pixel font, with xterm's 256 colour registers. */
#define BENCH_COLS   60
#define BENCH_ROWS   12
#define BENCH_CELL_W 10
#define BENCH_CELL_H 20
#define BENCH_COLORS 256

/* Return the monotonic clock in milliseconds. */
static double bench_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Compare two doubles for qsort(). */
static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Return the median of the n values at v (sorting them in place); 0 for n 0. */
static double bench_median(double *v, int n)
{
	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Print msg (and free it) after "img-bench: ", and exit with status 1. */
static void bench_die(char *msg)
{
	fprintf(stderr, "img-bench: %s\n", msg ? msg : "out of memory");
	free(msg);
	exit(1);
}

/* Time one first preview as the interactive mode makes it: from the
 * fitted pixels that preparing the upload left (no second decode), by
 * sixel_render().  Store the time in *sixel_ms and return the sixel
 * string's length; exit on failure. */
static size_t bench_preview(const struct image *fitted, double *sixel_ms)
{
	char *err = NULL;
	double t1 = bench_now_ms();
	struct sixel_out out = {0};
	if (sixel_render(fitted, BENCH_COLS, BENCH_ROWS, BENCH_CELL_W, BENCH_CELL_H, 0, 0, BENCH_COLORS, &out,
			 &err) != 0)
		bench_die(err);
	*sixel_ms = bench_now_ms() - t1;
	size_t n = out.len;
	sixel_out_free(&out);
	return n;
}

/* Write the len bytes at data to path; exit on failure. */
static void bench_write(const char *path, const unsigned char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "img-bench: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	const char *out_path = NULL;
	int preview = 1, nargs = 0;
	const char *args[3] = {NULL, NULL, NULL};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-preview") == 0)
			preview = 0;
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out_path = argv[++i];
		else if (nargs < 3)
			args[nargs++] = argv[i];
		else
			nargs = 4;
	}
	int runs = nargs == 3 ? atoi(args[2]) : 0;
	if (nargs != 3 || runs < 1) {
		fprintf(stderr, "usage: img-bench FILE MODEL RUNS [--no-preview] [--out SENT]\n");
		return 2;
	}
	const char *path = args[0], *model = args[1];

	unsigned char *file;
	size_t len;
	char *err = NULL;
	if (attachment_read(path, IMG_DEFAULT_MAX_BYTES, &file, &len, &err) != 0)
		bench_die(err);

	double *prep = calloc((size_t)runs * 6, sizeof *prep);
	if (!prep)
		bench_die(NULL);
	double *dec = prep + runs, *scale = dec + runs, *enc = scale + runs;
	double *pdec = enc + runs, *psix = pdec + runs;
	struct img_upload up;
	img_upload_init(&up);
	struct image fitted;
	image_init(&fitted);
	size_t uri_len = 0, sixel_len = 0;
	for (int r = 0; r < runs; r++) {
		double t0 = bench_now_ms();
		if (img_prepare_upload_pixels(file, len, path, model, NULL, IMG_MAX_EDGE_AUTO, NULL, NULL, &up,
					      preview ? &fitted : NULL, &err) != 0)
			bench_die(err);
		char *uri = attachment_data_uri(up.data, up.len, up.type);
		if (!uri)
			bench_die(NULL);
		prep[r] = bench_now_ms() - t0;
		uri_len = strlen(uri);
		free(uri);
		dec[r] = up.decode_ms;
		scale[r] = up.scale_ms;
		enc[r] = up.encode_ms;
		if (preview) {
			pdec[r] = 0;
			sixel_len = bench_preview(&fitted, &psix[r]);
		}
	}
	if (out_path)
		bench_write(out_path, up.data, up.len);

	double prep_ms = bench_median(prep, runs);
	double ps = bench_median(psix, runs);
	double preview_ms = 0;
	if (preview) {
		/* The median of the sums, not the sum of the medians. */
		for (int r = 0; r < runs; r++)
			prep[r] = pdec[r] + psix[r];
		preview_ms = bench_median(prep, runs);
	}
	unsigned long long decoded = (unsigned long long)up.orig_w * up.orig_h * 4;
	const char *fmt = img_encoder_name(up.encoder);

	printf("%s  (model %s, median of %d)\n", up.summary ? up.summary : path, model, runs);
	printf("  prepare %.1f ms: decode %.1f, scale %.1f, encode %.1f, base64 data URI %zu "
	       "bytes\n",
	       prep_ms, bench_median(dec, runs), bench_median(scale, runs), bench_median(enc, runs),
	       uri_len);
	printf("  kind %s; candidates:", up.kind == IMG_KIND_PHOTO ? "photo" : "screenshot");
	for (unsigned i = 0; i < up.ncand; i++)
		printf(" %s %zu B %.1f ms%s", img_encoder_name(up.cand[i].encoder),
		       up.cand[i].bytes, up.cand[i].ms, i + 1 < up.ncand ? "," : "\n");
	if (up.ncand == 0)
		printf(" none\n");
	printf("  sent %zu of %zu bytes (%.1f%%) as %ux%u %s\n", up.len, len,
	       100.0 * (double)up.len / (double)len, up.w, up.h, fmt);
	if (preview)
		printf("  first preview %.1f ms: sixel %.1f from the %ux%u fitted pixels, no decode "
		       "(%d×%d cells of %d×%d px, %d colours, %zu bytes)\n",
		       preview_ms, ps, fitted.w, fitted.h, BENCH_COLS, BENCH_ROWS, BENCH_CELL_W, BENCH_CELL_H,
		       BENCH_COLORS, sixel_len);
	printf("prep_ms=%.2f sent=%zu orig=%zu w=%u h=%u fmt=%s preview_ms=%.2f "
	       "decoded_bytes=%llu\n",
	       prep_ms, up.len, len, up.w, up.h, fmt, preview_ms, decoded);

	img_upload_done(&up);
	image_free(&fitted);
	free(prep);
	free(file);
	return 0;
}
