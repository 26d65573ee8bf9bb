/* session-bench FILE: load the session file FILE (median of 5 loads, ms)
 * and time appends to a copy of it in the same directory: 200 question
 * records and 200 checkpoints, each one write() and fsync() as squint
 * does them.  Prints one machine-readable line:
 *   load_ms=L append_med_us=M append_p90_us=P records=N warnings=W
 *
 * session-bench --build OUT TURNS EVERY MAX_EDGE IMAGE...: write the
 * session OUT as squint writes one, with squint's own code: TURNS
 * question/answer turns, every EVERY-th question carrying the next IMAGE
 * (round robin, so each is sent TURNS / EVERY / n times), prepared for
 * upload as squint prepares it for its default model (MAX_EDGE: auto, or
 * 0 to send the files as they are).  Prints one line:
 *   model=M file=F images=I sent=S uris=U text=T sends=N records=R
 * (bytes: the file; the distinct IMAGE files; what is sent of them; their
 * records; the questions' and answers' text; then how many images the
 * questions carry, and how many image records the file holds).
 *
 * Run by bench/run-bench-session for make bench. */
#include <config.h>

#include "core/config.h"
#include "core/session.h"
#include "core/sessionfile.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "img/fit.h"
#include "img/upload.h"

#include <sys/stat.h>

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

/* --build: see the top of the file.  Returns the exit status. */
static int bench_build(int argc, char **argv)
{
	if (argc < 7) {
		fprintf(stderr, "usage: session-bench --build OUT TURNS EVERY MAX_EDGE IMAGE...\n");
		return 2;
	}
	const char *out = argv[2];
	int turns = atoi(argv[3]), every = atoi(argv[4]), n_img = argc - 6;
	struct squint_config cfg;
	squint_config_init(&cfg);
	struct upload_opts o;
	upload_opts_from_config(&o, &cfg);
	o.max_edge = strcmp(argv[5], "auto") == 0 ? IMG_MAX_EDGE_AUTO : atol(argv[5]);
	struct attachment *att = xcalloc((size_t)n_img, sizeof *att);
	size_t img_bytes = 0, sent_bytes = 0, text_bytes = 0, sends = 0;
	for (int i = 0; i < n_img; i++) {
		char *err = NULL;
		attachment_init(&att[i]);
		if (upload_attach(&att[i], argv[6 + i], &o, &err) != 0) {
			fprintf(stderr, "session-bench: %s\n", err);
			return 1;
		}
		img_bytes += att[i].bytes;
		sent_bytes += att[i].sent_bytes;
	}
	struct sessionfile f;
	struct session s;
	char *note = NULL, *err = NULL;
	session_init(&s);
	unlink(out);
	long long t = 1700000000;
	if (sessionfile_open(&f, out, &s, "bench", t, &note, &err) != 0) {
		fprintf(stderr, "session-bench: %s\n", err);
		return 1;
	}
	struct strbuf rec = STRBUF_INIT;
	json_object *pj = json_object_new_object();
	json_object_object_add(pj, "model", json_object_new_string(cfg.params.model));
	session_encode_params(&s, &rec, pj, t);
	json_object_put(pj);
	for (int k = 0; k < turns; k++) {
		char q[200], a[300];
		snprintf(q, sizeof q, "Question %d: what does this dialog say, and why is its OK button cut off "
				      "at the bottom?", k);
		snprintf(a, sizeof a, "The dialog says the file could not be saved (turn %d). The button is cut "
				      "off because the window is taller than the screen; **resize it** or use "
				      "`Alt-F7` to move it.%s", k, k == turns - 1 ? " END-OF-SESSION" : "");
		size_t u = conv_add_user(&s.conv, t + 2 * k);
		struct conv_msg *m = conv_msg_at(&s.conv, u);
		conv_msg_add_text(m, q, strlen(q));
		if (k % every == 0) {
			sends++;
			const struct attachment *at = &att[(k / every) % n_img];
			conv_msg_add_image(m, at->url, at->name, image_type_mime(at->type), at->width,
					   at->height, at->bytes);
			struct conv_part *cp = &m->parts[m->n_parts - 1];
			cp->sent_width = at->sent_width;
			cp->sent_height = at->sent_height;
			cp->sent_bytes = at->sent_bytes;
		}
		session_encode_msg(&s, u, &rec);
		size_t ai = conv_add_answer(&s.conv, t + 2 * k + 1, cfg.params.model);
		m = conv_msg_at(&s.conv, ai);
		struct chunk_delta d = {CHUNK_DELTA_CONTENT, 0, -1, a, strlen(a)};
		conv_answer_apply(m, &d);
		struct chunk_delta fin = {CHUNK_DELTA_FINISH, 0, -1, "stop", 4};
		conv_answer_apply(m, &fin);
		conv_answer_set_usage(m, 800, 40, 840);
		m->resp_model = xstrdup(cfg.params.model);
		m->t_first_byte = 0.4;
		m->t_total = 1.9;
		conv_answer_finish(m, CONV_DONE, NULL);
		session_encode_msg(&s, ai, &rec);
		text_bytes += strlen(q) + strlen(a);
		if (sessionfile_append(&f, rec.data, rec.len, &err) != 0) {
			fprintf(stderr, "session-bench: %s\n", err);
			return 1;
		}
		strbuf_reset(&rec);
	}
	strbuf_done(&rec);
	sessionfile_close(&f);
	session_done(&s);
	/* The image records: the lines that start so. */
	size_t uris = 0, n_uris = 0;
	FILE *in = fopen(out, "r");
	struct stat st;
	if (!in || fstat(fileno(in), &st) != 0) {
		perror(out);
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, in)) > 0)
		if (strncmp(line, "{\"type\":\"image\",", 16) == 0) {
			uris += (size_t)n;
			n_uris++;
		}
	free(line);
	fclose(in);
	printf("model=%s file=%lld images=%zu sent=%zu uris=%zu text=%zu sends=%zu records=%zu\n",
	       cfg.params.model, (long long)st.st_size, img_bytes, sent_bytes, uris, text_bytes, sends, n_uris);
	for (int i = 0; i < n_img; i++)
		attachment_done(&att[i]);
	free(att);
	squint_config_done(&cfg);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--build") == 0)
		return bench_build(argc, argv);
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
