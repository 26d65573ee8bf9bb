/* The non-interactive mode: one question, the answer on standard output. */
#ifndef SQUINT_ONESHOT_H
#define SQUINT_ONESHOT_H

#include "core/config.h"

#include <stdbool.h>
#include <stddef.h>

/* Exit statuses, as documented in squint(1). */
enum squint_exit {
	SQUINT_EXIT_OK = 0,
	SQUINT_EXIT_USAGE = 1,
	SQUINT_EXIT_SERVER = 2,
	SQUINT_EXIT_NETWORK = 3,
	SQUINT_EXIT_TRUNCATED = 4,
};

struct oneshot_args {
	const char *prompt;
	char *const *inputs; /* image files and URLs */
	size_t n_inputs;
	bool json_output;
	bool verbose;
	bool preview; /* show each image in the terminal before the answer */
	const char *session; /* -s FILE: continue and save this session, or NULL */
};

/* Ask the question of args with the settings of cfg and print the answer;
 * returns an exit status. */
int oneshot_run(struct squint_config *cfg, const struct oneshot_args *args);

#endif
