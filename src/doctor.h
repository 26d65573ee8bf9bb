/* squint --doctor: a report of what squint sees (terminal, configuration,
 * endpoint), each problem with a hint on how to fix it. */
#ifndef SQUINT_DOCTOR_H
#define SQUINT_DOCTOR_H

#include "core/config.h"

#include <stdbool.h>

/* Write the report to stdout.  cfg is the configuration as built (config_err:
 * why building it failed, NULL when it did not); config_file is --config's
 * value or NULL.  Returns an exit status: 0 when nothing is wrong, 1 when
 * a line reports a problem. */
int doctor_run(const struct squint_config *cfg, const char *config_err, const char *config_file);

#endif
