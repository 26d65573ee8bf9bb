/* session-bench FILE: load the session file FILE (median of 5 loads, ms)
 * and time appends to a copy of it in the same directory: 200 question
 * records and 200 checkpoints, each one write() and fsync() as squint
 * does them.  Prints one machine-readable line:
 *   load_ms=L append_med_us=M append_p90_us=P records=N warnings=W
 * Run by bench/run-bench-session for make bench. */
#include <config.h>

#include "core/session.h"
#include "core/sessionfile.h"
#include "core/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Return monotonic seconds. */
static double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sort doubles ascending. */
static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: session-bench FILE\n");
		return 2;
	}
	double loads[5];
	size_t records = 0, warnings = 0;
	for (int k = 0; k < 5; k++) {
		struct session s;
		char *err = NULL;
		session_init(&s);
		double t0 = bench_now();
		if (sessionfile_read(argv[1], &s, &err) != 0) {
			fprintf(stderr, "session-bench: %s\n", err);
			return 1;
		}
		loads[k] = (bench_now() - t0) * 1000;
		records = s.n_records;
		warnings = s.n_warnings;
		session_done(&s);
	}
	qsort(loads, 5, sizeof *loads, bench_cmp);

	/* Appends: a copy of the file, opened as squint opens it. */
	char *copy = malloc(strlen(argv[1]) + 16);
	sprintf(copy, "%s.append", argv[1]);
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", argv[1], copy);
	if (system(cmd) != 0)
		return 1;
	struct sessionfile f;
	struct session s;
	char *note = NULL, *err = NULL;
	session_init(&s);
	if (sessionfile_open(&f, copy, &s, "bench", 1, &note, &err) != 0) {
		fprintf(stderr, "session-bench: %s\n", err);
		return 1;
	}
	enum { N = 400 };
	double t[N];
	for (int i = 0; i < N; i++) {
		size_t u = conv_add_user(&s.conv, 1);
		conv_msg_add_text(conv_msg_at(&s.conv, u), "What does this dialog say, and why "
							   "is its OK button cut off?", 59);
		struct strbuf rec = STRBUF_INIT;
		if (i % 2 == 0) {
			session_encode_msg(&s, u, &rec);
		} else {
			size_t a = conv_add_answer(&s.conv, 1, "m");
			struct conv_msg *m = conv_msg_at(&s.conv, a);
			struct chunk_delta d = {CHUNK_DELTA_CONTENT, 0, -1,
						"The dialog says the file could not be saved; the "
						"button is cut off because ",
						76};
			conv_answer_apply(m, &d);
			session_encode_checkpoint(&s, a, &rec);
		}
		double t0 = bench_now();
		if (sessionfile_append(&f, rec.data, rec.len, &err) != 0) {
			fprintf(stderr, "session-bench: %s\n", err);
			return 1;
		}
		t[i] = (bench_now() - t0) * 1e6;
		strbuf_done(&rec);
	}
	qsort(t, N, sizeof *t, bench_cmp);
	sessionfile_close(&f);
	session_done(&s);
	unlink(copy);
	free(copy);
	printf("load_ms=%.1f append_med_us=%.0f append_p90_us=%.0f records=%zu warnings=%zu\n",
	       loads[2], t[N / 2], t[N * 9 / 10], records, warnings);
	return 0;
}
