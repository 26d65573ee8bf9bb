/* The directory of default sessions; see sessiondir.h.
 *
 * --list must stay fast with sessions of a gigabyte of screenshots: a file
 * is mapped and walked line by line with memchr(), and only its header and
 * its first question are parsed as JSON; the rest is counted by the start
 * of each line, which squint always writes as {"type":"...". */
#include <config.h>

#include "core/sessiondir.h"
#include "core/sanitize.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Words of the first question in a file name, and its most bytes. */
#define SESSIONDIR_NAME_WORDS 6
#define SESSIONDIR_NAME_BYTES 40
/* A first question longer than this is not parsed for a title. */
#define SESSIONDIR_TITLE_LINE_MAX ((size_t)4 << 20)

char *sessiondir_path(void)
{
	const char *x = getenv("XDG_STATE_HOME");
	if (x && x[0] == '/')
		return xasprintf("%s/squint/sessions", x);
	const char *h = getenv("HOME");
	if (h && *h)
		return xasprintf("%s/.local/state/squint/sessions", h);
	return NULL;
}

int sessiondir_make(const char *dir)
{
	char *p = xstrdup(dir);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			int e = errno;
			free(p);
			errno = e;
			return -1;
		}
		if (!c)
			break;
		*s = c;
	}
	free(p);
	struct stat st;
	if (stat(dir, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

char *sessiondir_name(long long now, const char *text)
{
	char date[32];
	time_t tt = (time_t)now;
	struct tm tm;
	if (!localtime_r(&tt, &tm) || !strftime(date, sizeof date, "%Y-%m-%d-%H%M", &tm))
		strcpy(date, "session");
	struct strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, date);
	size_t start = sb.len, words = 0;
	bool in_word = false;
	for (const char *s = text ? text : ""; *s && words <= SESSIONDIR_NAME_WORDS; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!ok) {
			in_word = false;
			continue;
		}
		if (!in_word) {
			if (++words > SESSIONDIR_NAME_WORDS ||
			    sb.len - start >= SESSIONDIR_NAME_BYTES)
				break;
			strbuf_putc(&sb, '-');
			in_word = true;
		}
		if (sb.len - start < SESSIONDIR_NAME_BYTES)
			strbuf_putc(&sb, c);
	}
	if (sb.len == start)
		strbuf_puts(&sb, "-chat");
	strbuf_puts(&sb, ".jsonl");
	return strbuf_detach(&sb);
}

char *sessiondir_create(const char *dir, long long now, const char *text, char **err)
{
	char *name = sessiondir_name(now, text);
	size_t stem = strlen(name) - strlen(".jsonl");
	for (int k = 1; k < 1000; k++) {
		char *path = k == 1 ? xasprintf("%s/%s", dir, name)
				    : xasprintf("%s/%.*s-%d.jsonl", dir, (int)stem, name, k);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd >= 0) {
			close(fd);
			free(name);
			return path;
		}
		int e = errno;
		if (e != EEXIST) {
			*err = xasprintf(_("cannot create %s: %s"), path, strerror(e));
			free(path);
			free(name);
			return NULL;
		}
		free(path);
	}
	*err = xasprintf(_("cannot create a session file in %s: too many named %s"), dir, name);
	free(name);
	return NULL;
}

/* Return whether the line at p (len bytes) is a record of type t. */
static bool sessiondir_is(const char *p, size_t len, const char *t)
{
	char head[40];
	int n = snprintf(head, sizeof head, "{\"type\":\"%s\"", t);
	return len >= (size_t)n && memcmp(p, head, (size_t)n) == 0;
}

/* Set e->title from the user record line p of len bytes. */
static void sessiondir_title(struct sessiondir_entry *e, const char *p, size_t len)
{
	if (len > SESSIONDIR_TITLE_LINE_MAX)
		return;
	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, p, (int)len);
	json_tokener_free(tok);
	json_object *content = NULL;
	if (o && json_object_object_get_ex(o, "content", &content) &&
	    json_object_is_type(content, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(content) && !*e->title; i++) {
			json_object *part = json_object_array_get_idx(content, i), *tx;
			if (!json_object_object_get_ex(part, "text", &tx) ||
			    !json_object_is_type(tx, json_type_string))
				continue;
			const char *s = json_object_get_string(tx);
			while (*s == ' ' || *s == '\n' || *s == '\t')
				s++;
			size_t n = strcspn(s, "\n");
			bool cut = n > SESSIONDIR_TITLE_MAX;
			if (cut) {
				n = SESSIONDIR_TITLE_MAX;
				while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
					n--; /* not in the middle of a character */
			}
			char *raw = xasprintf("%.*s%s", (int)n, s, cut ? "..." : "");
			free(e->title);
			e->title = sanitize_line(raw);
			free(raw);
		}
	}
	json_object_put(o);
}

int sessiondir_scan(const char *path, struct sessiondir_entry *e)
{
	memset(e, 0, sizeof *e);
	e->path = xstrdup(path);
	e->title = xstrdup("");
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return -1;
	}
	e->size = (long long)st.st_size;
	e->mtime = (long long)st.st_mtime;
	e->created = e->mtime;
	size_t len = (size_t)st.st_size;
	const char *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	int rc = -1;
	bool titled = false;
	for (size_t off = 0; off < len;) {
		const char *p = map + off;
		const char *nl = memchr(p, '\n', len - off);
		size_t n = nl ? (size_t)(nl - p) : len - off;
		if (off == 0) {
			if (!sessiondir_is(p, n, "header") || n > 4096)
				break;
			rc = 0;
			json_tokener *tok = json_tokener_new();
			json_object *h = json_tokener_parse_ex(tok, p, (int)n), *c;
			json_tokener_free(tok);
			if (h && json_object_object_get_ex(h, "created", &c) &&
			    json_object_is_type(c, json_type_int))
				e->created = json_object_get_int64(c);
			json_object_put(h);
		} else if (nl && sessiondir_is(p, n, "user")) {
			e->turns++;
			if (!titled) {
				sessiondir_title(e, p, n);
				titled = *e->title != '\0';
			}
		} else if (nl && sessiondir_is(p, n, "image")) {
			e->images++;
		}
		off += n + 1;
	}
	munmap((void *)map, len);
	return rc;
}

/* Newest first. */
static int sessiondir_cmp(const void *a, const void *b)
{
	const struct sessiondir_entry *x = a, *y = b;
	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? 1 : -1;
	return strcmp(y->path, x->path);
}

/* List the paths and mtimes only (no scan) of dir's *.jsonl files. */
static size_t sessiondir_files(const char *dir, struct sessiondir_entry **out)
{
	*out = NULL;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 7 || strcmp(de->d_name + l - 6, ".jsonl") != 0)
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		*out = xrealloc(*out, (n + 1) * sizeof **out);
		memset(&(*out)[n], 0, sizeof **out);
		(*out)[n].path = path;
		(*out)[n].mtime = (long long)st.st_mtime;
		n++;
	}
	closedir(d);
	if (n)
		qsort(*out, n, sizeof **out, sessiondir_cmp);
	return n;
}

size_t sessiondir_list(const char *dir, struct sessiondir_entry **out)
{
	struct sessiondir_entry *files;
	size_t n = sessiondir_files(dir, &files), k = 0;
	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		struct sessiondir_entry e;
		if (sessiondir_scan(files[i].path, &e) == 0) {
			*out = xrealloc(*out, (k + 1) * sizeof **out);
			(*out)[k++] = e;
		} else {
			free(e.path);
			free(e.title);
		}
	}
	sessiondir_list_free(files, n);
	if (k)
		qsort(*out, k, sizeof **out, sessiondir_cmp);
	return k;
}

void sessiondir_list_free(struct sessiondir_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].path);
		free(e[i].title);
	}
	free(e);
}

char *sessiondir_latest(const char *dir)
{
	struct sessiondir_entry *files;
	size_t n = sessiondir_files(dir, &files);
	char *path = NULL;
	for (size_t i = 0; i < n && !path; i++) {
		struct sessiondir_entry e;
		if (sessiondir_scan(files[i].path, &e) == 0)
			path = xstrdup(e.path);
		free(e.path);
		free(e.title);
	}
	sessiondir_list_free(files, n);
	return path;
}
