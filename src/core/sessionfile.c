#include <config.h>

#include "core/sessionfile.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Open path for appending, created with mode 0600; the fd or -1 (errno). */
static int sessionfile_open_append(const char *path)
{
	return open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
}

/* Read all of the regular file open as fd; returns a malloc'ed buffer
 * (length in *len; the caller frees it), or NULL with *err set. */
static char *sessionfile_slurp(int fd, const char *path, size_t *len, char **err)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = xasprintf(_("%s: not a regular file"), path);
		return NULL;
	}
	if ((unsigned long long)st.st_size > SESSION_MAX_FILE) {
		*err = xasprintf(_("%s: larger than %zu MB; not read"), path, SESSION_MAX_FILE >> 20);
		return NULL;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = xalloc_try_malloc(cap);
	if (!buf) {
		*err = xasprintf(_("%s: out of memory"), path);
		return NULL;
	}
	for (;;) {
		if (n + 1 >= cap) {
			/* The file grew since fstat (read-only users): read on. */
			char *nb = cap < SESSION_MAX_FILE ? xalloc_try_realloc(buf, cap * 2) : NULL;
			if (!nb) {
				free(buf);
				*err = xasprintf(_("%s: too large to read"), path);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = pread(fd, buf + n, cap - 1 - n, (off_t)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err = xasprintf("%s: %s", path, strerror(errno));
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Open, lock, read and load the session file. */
int sessionfile_open(struct sessionfile *f, const char *path, struct session *s,
		     const char *version, long long now, char **note, char **err)
{
	memset(f, 0, sizeof *f);
	f->path = xstrdup(path);
	f->fd = -1;
	*note = NULL;
	int fd = sessionfile_open_append(path);
	int open_errno = errno;
	bool writable = fd >= 0;
	if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM))
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno != ENOENT) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		sessionfile_close(f);
		return -1;
	}
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK) {
			*err = xasprintf(_("%s: cannot lock: %s"), path, strerror(errno));
			close(fd);
			sessionfile_close(f);
			return -1;
		}
		f->locked_out = true;
		*note = xasprintf(_("%s is in use by another squint; opened read-only"), path);
	}
	size_t len = 0;
	char *buf = fd >= 0 ? sessionfile_slurp(fd, path, &len, err) : xstrdup("");
	if (!buf || session_load(s, buf, len, path, err) != 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		sessionfile_close(f);
		return -1;
	}
	f->need_newline = len > 0 && buf[len - 1] != '\n';
	free(buf);
	if (f->locked_out) {
		close(fd);
		return 0;
	}
	if (writable) {
		f->fd = fd;
	} else if (fd >= 0) {
		/* Read-only file or file system: keep reading it, retry writing
		 * on each append (it may become writable). */
		close(fd);
	}
	if (len == 0) {
		struct strbuf hdr = STRBUF_INIT;
		session_encode_header(s, &hdr, now, version);
		char *werr = NULL;
		if (sessionfile_append(f, hdr.data, hdr.len, &werr) != 0 && !*note)
			*note = werr;
		else
			free(werr);
		strbuf_done(&hdr);
	} else if (!writable && !*note) {
		*note = xasprintf(_("cannot save to %s: %s"), path, strerror(open_errno));
	}
	return 0;
}

/* Read a session without locking or writing. */
int sessionfile_read(const char *path, struct session *s, char **err)
{
	return sessionfile_read_text(path, s, NULL, NULL, err);
}

/* The same, keeping the file's text. */
int sessionfile_read_text(const char *path, struct session *s, char **text, size_t *text_len,
			  char **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	size_t len = 0;
	char *buf = sessionfile_slurp(fd, path, &len, err);
	close(fd);
	if (!buf)
		return -1;
	int rc = session_load(s, buf, len, path, err);
	if (text && rc == 0) {
		*text = buf;
		*text_len = len;
	} else {
		free(buf);
	}
	return rc;
}

/* Append text after the pending bytes and write them all. */
int sessionfile_append(struct sessionfile *f, const char *text, size_t len, char **err)
{
	if (f->locked_out) {
		*err = xasprintf(_("%s is in use by another squint: not saved"), f->path);
		return -1;
	}
	if (f->need_newline && f->pending.len == 0) {
		/* Never glue a record onto a torn line: end that one first. */
		strbuf_putc(&f->pending, '\n');
		f->need_newline = false;
	}
	strbuf_append(&f->pending, text, len);
	return sessionfile_flush(f, err);
}

/* Write the pending bytes with one write() (more only after a short one)
 * and fsync() them. */
int sessionfile_flush(struct sessionfile *f, char **err)
{
	if (f->pending.len == 0)
		return 0;
	if (f->locked_out) {
		*err = xasprintf(_("%s is in use by another squint: not saved"), f->path);
		return -1;
	}
	if (f->fd < 0) {
		f->fd = sessionfile_open_append(f->path);
		if (f->fd < 0 || flock(f->fd, LOCK_EX | LOCK_NB) != 0) {
			int e = errno;
			if (f->fd >= 0)
				close(f->fd);
			f->fd = -1;
			*err = xasprintf(_("cannot save to %s: %s"), f->path, strerror(e));
			return -1;
		}
	}
	size_t done = 0;
	int e = 0;
	while (done < f->pending.len) {
		ssize_t w = write(f->fd, f->pending.data + done, f->pending.len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : EIO;
			break;
		}
		done += (size_t)w;
	}
	/* What went out is in the file (perhaps as a torn line, which the
	 * remainder completes when a retry succeeds): keep only the rest. */
	size_t rest = f->pending.len - done;
	memmove(f->pending.data, f->pending.data + done, rest);
	f->pending.len = rest;
	f->pending.data[rest] = '\0';
	if (e) {
		*err = xasprintf(_("cannot save to %s: %s"), f->path, strerror(e));
		return -1;
	}
	if (fsync(f->fd) != 0 && errno != EINVAL) {
		*err = xasprintf(_("cannot save to %s: %s"), f->path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(f->fd, &st) == 0 && st.st_nlink == 0) {
		*err = xasprintf(_("%s was deleted: the session is not saved any more"), f->path);
		return -1;
	}
	return 0;
}

/* Return the bytes not saved yet. */
size_t sessionfile_pending(const struct sessionfile *f)
{
	return f->pending.len;
}

/* Close f. */
void sessionfile_close(struct sessionfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	strbuf_done(&f->pending);
	memset(f, 0, sizeof *f);
	f->fd = -1;
}

/* The checkpoint interval. */
double sessionfile_ckpt_interval(void)
{
	const char *e = getenv("SQUINT_TEST_CKPT_MS");
	long ms = e ? strtol(e, NULL, 10) : 1000;
	return ms >= 10 && ms <= 1000 ? (double)ms / 1000.0 : 1.0;
}
