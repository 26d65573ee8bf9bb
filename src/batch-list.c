#include <config.h>

#include "batch-list.h"
#include "core/attach.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Folders nested deeper than this are not walked (a loop of links). */
#define BATCH_LIST_MAX_DEPTH 32

/* Append a copy of path to l. */
static void batch_list_add(struct batch_list *l, const char *path)
{
	l->paths = xrealloc(l->paths, (l->n + 1) * sizeof *l->paths);
	l->paths[l->n++] = xstrdup(path);
}

/* Append a note (taken over) to l. */
static void batch_list_note(struct batch_list *l, char *note)
{
	l->notes = xrealloc(l->notes, (l->n_notes + 1) * sizeof *l->notes);
	l->notes[l->n_notes++] = note;
}

/* qsort comparison of two strings by bytes: the same order everywhere. */
static int batch_list_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Return a static phrase for what the file path holds when it is not an
 * image, or NULL when it is one. */
static const char *batch_list_not_image(const char *path)
{
	unsigned char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return strerror(errno);
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	if (n < 0)
		return strerror(errno);
	if (image_sniff(buf, (size_t)n) != IMAGE_UNKNOWN)
		return NULL;
	return n == 0 ? _("an empty file") : image_sniff_describe(buf, (size_t)n);
}

/* Add the images under the folder dir to l. */
static void batch_list_walk(struct batch_list *l, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d) {
		batch_list_note(l, xasprintf(_("skipped %s: %s"), dir, strerror(errno)));
		return;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, batch_list_cmp);
	size_t dl = strlen(dir);
	bool slash = dl && dir[dl - 1] == '/';
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s%s%s", dir, slash ? "" : "/", names[i]);
		struct stat st;
		if (stat(path, &st) != 0) {
			batch_list_note(l, xasprintf(_("skipped %s: %s"), path, strerror(errno)));
		} else if (S_ISDIR(st.st_mode)) {
			if (depth < BATCH_LIST_MAX_DEPTH)
				batch_list_walk(l, path, depth + 1);
		} else if (!S_ISREG(st.st_mode)) {
			batch_list_note(l, xasprintf(_("skipped %s: not a regular file"), path));
		} else {
			const char *what = batch_list_not_image(path);
			if (what)
				batch_list_note(l, xasprintf(_("skipped %s: not an image (%s)"), path,
							     what));
			else
				batch_list_add(l, path);
		}
		free(path);
		free(names[i]);
	}
	free(names);
}

/* Add one argument (a file, folder, URL or pattern) to l. */
static void batch_list_arg(struct batch_list *l, const char *arg)
{
	struct stat st;
	if (strncasecmp(arg, "http://", 7) == 0 || strncasecmp(arg, "https://", 8) == 0) {
		batch_list_add(l, arg);
	} else if (stat(arg, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			batch_list_walk(l, arg, 0);
		else
			batch_list_add(l, arg);
	} else if (strpbrk(arg, "*?[")) {
		glob_t g;
		int rc = glob(arg, 0, NULL, &g);
		if (rc == 0) {
			for (size_t i = 0; i < g.gl_pathc; i++)
				batch_list_arg(l, g.gl_pathv[i]);
			globfree(&g);
		} else {
			batch_list_note(l, xasprintf(_("no file matches %s"), arg));
		}
	} else {
		/* Missing: it fails later, with its record, like any unreadable file. */
		batch_list_add(l, arg);
	}
}

/* Add the paths listed on standard input, one a line, to l; 0 or -1. */
static int batch_list_stdin(struct batch_list *l, char **err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	errno = 0;
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len > 0)
			batch_list_arg(l, line);
	}
	free(line);
	if (ferror(stdin)) {
		*err = xasprintf(_("cannot read the list of images on standard input: %s"),
				 strerror(errno));
		return -1;
	}
	return 0;
}

int batch_list_expand(struct batch_list *l, char *const *args, size_t n, char **err)
{
	memset(l, 0, sizeof *l);
	bool stdin_done = false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(args[i], "-") == 0) {
			if (stdin_done)
				continue;
			stdin_done = true;
			if (batch_list_stdin(l, err) != 0)
				return -1;
		} else {
			batch_list_arg(l, args[i]);
		}
	}
	return 0;
}

void batch_list_done(struct batch_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	for (size_t i = 0; i < l->n_notes; i++)
		free(l->notes[i]);
	free(l->notes);
	memset(l, 0, sizeof *l);
}
