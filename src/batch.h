/* --each: one question over many images, several requests at a time on
 * one curl multi handle, answers in input order, records in a JSON Lines
 * file that a second run resumes from. */
#ifndef SQUINT_BATCH_H
#define SQUINT_BATCH_H

#include "core/config.h"

#include <stdbool.h>
#include <stddef.h>

struct batch_args {
	const char *prompt;
	char *const *inputs; /* files, folders, patterns, URLs, "-" */
	size_t n_inputs;
	int jobs;            /* requests in flight at most */
	int group;           /* images per request */
	bool unordered;      /* print answers as they finish */
	const char *out;     /* FILE.jsonl, or NULL */
	bool verbose;
};

/* Ask args->prompt of every image of args with the settings of cfg;
 * returns an exit status (0 when every image was answered, else the
 * status of the first failure in input order; 4 after Ctrl-C). */
int batch_run(struct squint_config *cfg, const struct batch_args *args);

#endif
