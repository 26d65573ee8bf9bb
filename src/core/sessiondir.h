/* The directory of default sessions ($XDG_STATE_HOME/squint/sessions):
 * naming a new conversation's file, finding the most recent one (-c) and
 * summing them up for --list without reading whole files into memory. */
#ifndef SQUINT_CORE_SESSIONDIR_H
#define SQUINT_CORE_SESSIONDIR_H

#include <stdbool.h>
#include <stddef.h>

/* Titles in --list are cut to this many bytes (then "..."). */
#define SESSIONDIR_TITLE_MAX 60

/* One session file, summed up. */
struct sessiondir_entry {
	char *path;        /* owned */
	char *title;       /* the first question's first line, sanitized; owned, never NULL */
	long long created; /* from the header, or the file's mtime */
	long long mtime;
	size_t turns;      /* questions (user records), every branch */
	size_t images;     /* distinct images stored */
	long long size;    /* bytes */
};

/* Return the directory of default sessions: $XDG_STATE_HOME/squint/sessions,
 * else $HOME/.local/state/squint/sessions; newly allocated (the caller
 * frees it), or NULL when neither variable is set. */
char *sessiondir_path(void);
/* Create dir and its missing parents, each with mode 0700; 0, or -1 with
 * errno set. */
int sessiondir_make(const char *dir);
/* Return the file name (no directory) for a conversation started at now
 * (local time) whose first question is text: "2026-12-06-1605-what-is-in-this.jsonl",
 * with only [a-z0-9-] from the first words; newly allocated. */
char *sessiondir_name(long long now, const char *text);
/* Create a new empty file (mode 0600) in dir named for now and text,
 * adding "-2", "-3", ... when the name is taken; returns its path newly
 * allocated, or NULL with *err newly allocated. */
char *sessiondir_create(const char *dir, long long now, const char *text, char **err);
/* Sum up the session file path into e (e->path is set to a copy of path);
 * 0, or -1 when it cannot be read or is not a session file. */
int sessiondir_scan(const char *path, struct sessiondir_entry *e);
/* List the session files (*.jsonl) of dir into *out, newest (by mtime)
 * first; the caller frees them with sessiondir_list_free().  Returns the
 * count (0 when dir is missing). */
size_t sessiondir_list(const char *dir, struct sessiondir_entry **out);
/* Free n entries and the array. */
void sessiondir_list_free(struct sessiondir_entry *e, size_t n);
/* Return the path of the most recently written session of dir, newly
 * allocated, or NULL when there is none. */
char *sessiondir_latest(const char *dir);

#endif
