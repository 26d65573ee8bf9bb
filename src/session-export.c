/* --export: the session file as messages, Markdown or JSON.
 *
 * Markdown goes with its images: with --export-to OUT.md they are written
 * to OUT-images/1.png, 2.jpg, ... (one file per distinct image) and linked
 * by that relative path, so the pair can be moved or zipped together. */
#include <config.h>

#include "session-export.h"
#include "core/attach.h"
#include "core/sanitize.h"
#include "core/session.h"
#include "core/sessionfile.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "oneshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Print "squint: MSG" on stderr, control characters made visible. */
static void export_error(const char *msg)
{
	char *clean = sanitize_line(msg);
	fprintf(stderr, "squint: %s\n", clean);
	free(clean);
}

/* Write the len bytes of data to path (created with mode 0600, replaced
 * when it exists); 0, or -1 after printing why. */
static int export_write(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		char *m = xasprintf(_("cannot write %s: %s"), path, strerror(errno));
		export_error(m);
		free(m);
		return -1;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	int e = off < len ? errno : 0;
	if (close(fd) != 0 && !e)
		e = errno;
	if (off < len || e) {
		char *m = xasprintf(_("cannot write %s: %s"), path, strerror(e ? e : EIO));
		export_error(m);
		free(m);
		return -1;
	}
	return 0;
}

/* Write the images of a Markdown export into dir (created); 0 or -1. */
static int export_images(const char *dir, const struct conv_part **im, size_t n)
{
	if (!n)
		return 0;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		char *m = xasprintf(_("cannot create %s: %s"), dir, strerror(errno));
		export_error(m);
		free(m);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *url = im[i]->url;
		const char *ext = strncmp(url, "data:image/png;", 15) == 0    ? "png"
				  : strncmp(url, "data:image/jpeg;", 16) == 0 ? "jpg"
				  : strncmp(url, "data:image/webp;", 16) == 0 ? "webp"
				  : strncmp(url, "data:image/gif;", 15) == 0  ? "gif"
				  : strncmp(url, "data:image/bmp;", 15) == 0  ? "bmp"
									      : "bin";
		char *path = xasprintf("%s/%zu.%s", dir, i + 1, ext);
		size_t len;
		unsigned char *bytes = attach_data_uri_bytes(url, &len);
		if (!bytes) {
			char *m = xasprintf(_("%s: the image data is damaged; not written"), path);
			export_error(m);
			free(m);
		} else {
			rc = export_write(path, (const char *)bytes, len);
			free(bytes);
		}
		free(path);
	}
	return rc;
}

int session_export_run(const char *file, const char *format, const char *out)
{
	if (!format)
		format = "messages";
	if (strcmp(format, "messages") != 0 && strcmp(format, "markdown") != 0 &&
	    strcmp(format, "json") != 0) {
		char *msg = xasprintf(
			_("--format: unknown format \"%s\" (messages, markdown or json)"), format);
		export_error(msg);
		free(msg);
		return SQUINT_EXIT_USAGE;
	}
	struct session s;
	char *err = NULL, *buf = NULL;
	size_t len = 0;
	session_init(&s);
	if (sessionfile_read_text(file, &s, &buf, &len, &err) != 0) {
		export_error(err);
		free(err);
		session_done(&s);
		return SQUINT_EXIT_USAGE;
	}
	for (size_t i = 0; i < s.n_warnings; i++)
		export_error(s.warnings[i]);
	char *text = NULL;
	int rc = SQUINT_EXIT_OK;
	if (format[1] == 'e' || format[0] == 'j') {
		json_object *o = format[0] == 'j' ? session_export_json(&s, buf, len)
						  : session_export_messages(&s);
		text = xasprintf("%s\n", json_object_to_json_string_ext(
						 o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else if (out) {
		/* OUT.md: the images go to OUT-images/, linked relative to OUT. */
		size_t ol = strlen(out);
		size_t stem = ol > 3 && strcmp(out + ol - 3, ".md") == 0 ? ol - 3 : ol;
		char *dir = xasprintf("%.*s-images", (int)stem, out);
		const char *slash = strrchr(dir, '/');
		const struct conv_part **im = NULL;
		size_t n_im = 0;
		text = session_export_markdown(&s, slash ? slash + 1 : dir, &im, &n_im);
		if (export_images(dir, im, n_im) != 0)
			rc = SQUINT_EXIT_USAGE;
		free(im);
		free(dir);
	} else {
		text = session_export_markdown(&s, NULL, NULL, NULL);
	}
	free(buf);
	if (rc == SQUINT_EXIT_OK && out) {
		if (export_write(out, text, strlen(text)) != 0)
			rc = SQUINT_EXIT_USAGE;
	} else if (rc == SQUINT_EXIT_OK) {
		/* Text from a file may be anyone's: never let it drive the terminal. */
		struct strbuf o = STRBUF_INIT;
		if (isatty(STDOUT_FILENO))
			sanitize_string(&o, text, strlen(text));
		else
			strbuf_puts(&o, text);
		fwrite(strbuf_str(&o), 1, o.len, stdout);
		strbuf_done(&o);
		if (fflush(stdout) != 0)
			rc = SQUINT_EXIT_USAGE;
	}
	free(text);
	session_done(&s);
	return rc;
}
