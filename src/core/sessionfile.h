/* A session file on disk: open (creating it with mode 0600), lock, read,
 * and append records so that a crash can at worst tear the last line.
 *
 * Every append is one write() of whole lines followed by fsync(): when
 * sessionfile_append() returns 0 the records are on disk.  A write that
 * fails keeps its bytes in memory (f->pending) and the next append or
 * sessionfile_flush() retries them first, so nothing is lost while the
 * program runs.  A second squint on the same file finds the advisory lock
 * taken and gets the file read-only. */
#ifndef SQUINT_CORE_SESSIONFILE_H
#define SQUINT_CORE_SESSIONFILE_H

#include "core/session.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

struct sessionfile {
	char *path;
	int fd;         /* open for appending, or -1 (not open, or read-only) */
	bool locked_out; /* another squint holds the lock: never written */
	bool need_newline; /* the file ends in a torn line: start on a fresh one */
	struct strbuf pending; /* bytes not on disk yet, retried first */
};

/* Open the session file path (created when missing) and load it into s
 * (initialised, empty), writing the header of a new file; version is
 * squint's, now the time.  Returns 0 with f open, perhaps in trouble: when
 * *note is set (newly allocated; the caller frees it) it is one line to
 * show, e.g. the lock is taken (f->locked_out) or the file cannot be
 * written (the header stays pending); load warnings are in s->warnings.
 * Returns -1 with *err newly allocated when the file cannot be read or is
 * not a session file; f is closed then. */
int sessionfile_open(struct sessionfile *f, const char *path, struct session *s,
		     const char *version, long long now, char **note, char **err);
/* Read the session file path without locking or writing (for --export);
 * 0, or -1 with *err newly allocated. */
int sessionfile_read(const char *path, struct session *s, char **err);
/* The same, and on success set *text to the file's text, newly allocated
 * (length in *text_len; the caller frees it). */
int sessionfile_read_text(const char *path, struct session *s, char **text, size_t *text_len,
			  char **err);
/* Append the len bytes of text (whole lines) after anything pending, with
 * one write() and an fsync(); returns 0 when all is on disk, or -1 with
 * *err newly allocated (the bytes stay pending, except when locked out). */
int sessionfile_append(struct sessionfile *f, const char *text, size_t len, char **err);
/* Retry the pending bytes; 0 when none is left, or -1 with *err. */
int sessionfile_flush(struct sessionfile *f, char **err);
/* Return the number of bytes not saved yet. */
size_t sessionfile_pending(const struct sessionfile *f);
/* Return how often (seconds) a streaming answer is checkpointed: once a
 * second, or SQUINT_TEST_CKPT_MS milliseconds (10 to 1000) for the crash
 * tests. */
double sessionfile_ckpt_interval(void);
/* Close f (releasing the lock); pending bytes are dropped, so flush first. */
void sessionfile_close(struct sessionfile *f);

#endif
