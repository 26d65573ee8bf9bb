#include <config.h>
typedef int squint_placeholder_probe;
