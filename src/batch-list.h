/* --each: the image list of a batch from the command line — files, glob
 * patterns, folders (walked for images) and "-" (paths on stdin). */
#ifndef SQUINT_BATCH_LIST_H
#define SQUINT_BATCH_LIST_H

#include <stddef.h>

struct batch_list {
	char **paths; /* in order; owned */
	size_t n;
	char **notes; /* one line each: files of a folder left out, and why */
	size_t n_notes;
};

/* Expand args (n of them) into l (emptied first).  A folder contributes
 * its image files (by magic bytes; hidden entries skipped), walked in
 * name order; a pattern that names no file is expanded with glob(3); "-"
 * reads one path per line from standard input.  Files named directly are
 * kept whatever they hold: they fail later, with a record.  Returns 0, or
 * -1 with *err newly allocated. */
int batch_list_expand(struct batch_list *l, char *const *args, size_t n, char **err);
/* Free what l owns. */
void batch_list_done(struct batch_list *l);

#endif
