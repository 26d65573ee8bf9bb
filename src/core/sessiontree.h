/* The tree of a conversation as rows for /branches: one row per question
 * (and per answer where /retry made several), indented at each fork, the
 * rows of the current branch marked.  Pure: no I/O. */
#ifndef SQUINT_CORE_SESSIONTREE_H
#define SQUINT_CORE_SESSIONTREE_H

#include "core/conv.h"

#include <stdbool.h>
#include <stddef.h>

struct session_tree_row {
	size_t msg;     /* index in the conv */
	int depth;      /* forks above it */
	bool current;   /* on the branch ending at the leaf */
	bool fork;      /* it has more than one child */
	char *text;     /* "You: first words..." (sanitized, one line); owned */
};

/* Return the rows of c's tree in depth-first order (children oldest
 * first), count in *n; the current branch ends at leaf.  Message text is
 * cut to text_max bytes.  Newly allocated: free with session_tree_free(). */
struct session_tree_row *session_tree_rows(const struct conv *c, unsigned long long leaf,
					   size_t text_max, size_t *n);
/* Free n rows and the array. */
void session_tree_free(struct session_tree_row *rows, size_t n);
/* Return the id of the last message of the branch through message i:
 * from i on, the newest child each time. */
unsigned long long session_tree_leaf(const struct conv *c, size_t i);

#endif
