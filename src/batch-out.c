/* --each --out FILE.jsonl: open it (resuming from its records), lock it,
 * and append one record per image, each on the disk before the next. */
#include <config.h>

#include "batch-internal.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* Append one record line to --out and make it durable. */
void batch_out_write(struct batch *b, const char *line, size_t len)
{
	if (b->out_fd < 0 || b->out_failed)
		return;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(b->out_fd, line + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			char *msg = xasprintf(_("cannot write %s: %s; answers go on to standard "
						"output only"),
					      b->args->out, n < 0 ? strerror(errno) : _("short write"));
			batch_say(b, msg);
			free(msg);
			b->out_failed = true;
			return;
		}
		off += (size_t)n;
	}
	/* A record is finished only once it is on the disk: a crash or a
	 * power cut after this never loses it. */
	if (fsync(b->out_fd) != 0 && errno != EINVAL && errno != EROFS) {
		char *msg = xasprintf(_("cannot write %s: %s"), b->args->out, strerror(errno));
		batch_say(b, msg);
		free(msg);
		b->out_failed = true;
	}
}

/* Fill r with what every record of item i says (sizes, hash, group). */
void batch_record_fill_item(struct batch *b, struct batch_job *j, size_t i,
			    struct batch_record *r, char **group)
{
	struct batch_item *it = &b->items[i];
	r->file = it->path;
	memcpy(r->sha256, it->sha256, sizeof r->sha256);
	if (!it->att.is_url && it->att.bytes) {
		r->bytes = (long long)it->att.bytes;
		r->width = it->att.width;
		r->height = it->att.height;
		if (it->att.sent_bytes) {
			r->sent_bytes = (long long)it->att.sent_bytes;
			r->sent_width = it->att.sent_width;
			r->sent_height = it->att.sent_height;
		}
	}
	if (j->n_items > 1 || b->args->group > 1) {
		r->group = group;
		r->n_group = j->n_items;
	}
	r->started = j->wall_start;
}

/* --out: read the earlier records into rs, then open the file for
 * appending (locked: two batches must not interleave their records);
 * 0, or -1 after saying why. */
int batch_out_open(struct batch *b, struct batch_resume *rs)
{
	const char *path = b->args->out;
	signal(SIGXFSZ, SIG_IGN);
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	char *msg = NULL;
	if (fd < 0) {
		msg = xasprintf(_("cannot open %s: %s"), path, strerror(errno));
	} else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		msg = xasprintf(_("%s is in use by another squint; not writing to it"), path);
	}
	struct strbuf text = STRBUF_INIT;
	char buf[65536];
	ssize_t n;
	while (!msg && (n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			msg = xasprintf(_("cannot read %s: %s"), path, strerror(errno));
		else
			strbuf_append(&text, buf, (size_t)n);
	}
	if (msg) {
		batch_say(b, msg);
		free(msg);
		if (fd >= 0)
			close(fd);
		strbuf_done(&text);
		return -1;
	}
	batch_resume_load(rs, strbuf_str(&text), text.len);
	strbuf_done(&text);
	b->out_fd = fd;
	if (rs->n_bad) {
		msg = xasprintf(P_("%s: %zu line that is not a record was skipped",
				   "%s: %zu lines that are not records were skipped", rs->n_bad),
				path,
				rs->n_bad);
		batch_say(b, msg);
		free(msg);
	}
	/* A torn last line (a crash mid-write) must not swallow our first record. */
	if (rs->torn_end)
		batch_out_write(b, "\n", 1);
	return 0;
}
