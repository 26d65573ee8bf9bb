/* The interactive mode's attachments and their pictures: the decoded
 * copy of a file attached on the spot, the files and URLs prepared on the
 * worker thread behind a "preparing…" row of the strip (their results
 * taken every wake-up, their work stopped by /detach), the message held
 * until they are ready, and the strip's line for each. */
#include <config.h>

#include "tui-images-internal.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "img/decode.h"
#include "img/fit.h"
#include "img/upload.h"
#include "img/worker.h"
#include "net/fetch.h"
#include "ui/curses/screen.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Make the decoded copy of attachment a (a local file) and give a its id;
 * a preview is a nicety: failures only go to the log. */
void tui_images_attach(struct tui *t, struct attachment *a)
{
	a->preview_id = 0;
	if (a->is_url || !t->images)
		return;
	const struct term_caps *caps = screen_caps();
	struct upload_opts uo;
	upload_opts_from_config(&uo, t->cfg);
	unsigned char *buf = NULL;
	size_t len = 0;
	char *err = NULL;
	struct image full;
	image_init(&full);
	int rows, cols;
	screen_size(&rows, &cols);
	unsigned box_w = (unsigned)((cols > TUI_THUMB_MIN_COLS ? cols : TUI_THUMB_MIN_COLS) *
				    caps->cell_w);
	unsigned box_h = (unsigned)((rows > TUI_THUMB_MIN_ROWS ? rows : TUI_THUMB_MIN_ROWS) *
				    caps->cell_h);
	if (attachment_read(a->arg, uo.lim.max_bytes, &buf, &len, &err) != 0 ||
	    img_decode_at_least(buf, len, a->name, &uo.lim, box_w / 2, box_h / 2, &full, NULL,
				&err) != 0) {
		tui_log(t, "preview of %s: %s", a->name, err ? err : "?");
		free(err);
		free(buf);
		return;
	}
	free(buf);
	struct tui_image e;
	memset(&e, 0, sizeof e);
	if (full.w > box_w || full.h > box_h) {
		double s = (double)box_w / full.w < (double)box_h / full.h ? (double)box_w / full.w
									  : (double)box_h / full.h;
		unsigned w = (unsigned)(full.w * s + 0.5), h = (unsigned)(full.h * s + 0.5);
		if (img_scale(&full, w ? w : 1, h ? h : 1, &e.thumb) != 0) {
			tui_log(t, "preview of %s: out of memory", a->name);
			image_free(&full);
			return;
		}
		image_free(&full);
	} else {
		e.thumb = full;
	}
	struct tui_images *r = t->images;
	e.lay_w = e.thumb.w;
	e.lay_h = e.thumb.h;
	e.id = r->next_id++;
	e.desc = tui_image_desc(a->name, image_type_mime(a->type), a->width, a->height, a->bytes);
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	r->v[r->n++] = e;
	a->preview_id = e.id;
	tui_log(t, "preview %llu of %s: %ux%u", (unsigned long long)e.id, a->name, e.thumb.w,
		e.thumb.h);
}

/* Return the preview box for a new attachment, in pixels: at least the
 * whole screen (for /view), 0×0 when the terminal shows no graphics. */
static void tui_images_box(unsigned *box_w, unsigned *box_h)
{
	const struct term_caps *caps = screen_caps();
	int rows, cols;
	screen_size(&rows, &cols);
	*box_w = *box_h = 0;
	if (caps->graphics == TERM_GRAPHICS_NONE)
		return;
	*box_w = (unsigned)((cols > TUI_THUMB_MIN_COLS ? cols : TUI_THUMB_MIN_COLS) * caps->cell_w);
	*box_h = (unsigned)((rows > TUI_THUMB_MIN_ROWS ? rows : TUI_THUMB_MIN_ROWS) * caps->cell_h);
}

/* Queue arg for the worker behind a "preparing…" attachment; false
 * without a worker. */
bool tui_images_prepare(struct tui *t, const char *arg)
{
	struct tui_images *r = t->images;
	if (!r || !r->worker)
		return false;
	struct upload_opts uo;
	upload_opts_from_config(&uo, t->cfg);
	uo.fetch = fetch_url;
	unsigned bw, bh;
	tui_images_box(&bw, &bh);
	struct attachment a;
	attachment_init(&a);
	a.arg = xstrdup(arg);
	const char *slash = strrchr(arg, '/');
	if (strncasecmp(arg, "http://", 7) == 0 || strncasecmp(arg, "https://", 8) == 0)
		a.name = attachment_url_name(arg);
	else
		a.name = xstrdup(slash && slash[1] ? slash + 1 : arg);
	a.preparing = true;
	a.preview_id = r->next_id++;
	struct img_job *job = img_job_new(a.preview_id, arg, &uo, bw, bh);
	/* Tests make the work last, to type while it runs. */
	const char *delay = getenv("SQUINT_TEST_PREPARE_MS");
	job->delay_ms = delay ? (unsigned)strtoul(delay, NULL, 10) : 0;
	img_worker_submit(r->worker, job);
	r->running = xrealloc(r->running, (r->n_running + 1) * sizeof *r->running);
	r->running[r->n_running++] = job;
	t->atts = xrealloc(t->atts, (t->n_atts + 1) * sizeof *t->atts);
	t->atts[t->n_atts++] = a;
	tui_log(t, "preparing %s (job %llu)", a.name, a.preview_id);
	t->dirty = true;
	return true;
}

/* Return the worker's descriptor, or -1. */
int tui_images_fd(struct tui *t)
{
	return t->images && t->images->worker ? img_worker_fd(t->images->worker) : -1;
}

/* Return whether any attachment is still being prepared. */
static bool tui_images_any_preparing(const struct tui *t)
{
	for (size_t k = 0; k < t->n_atts; k++)
		if (t->atts[k].preparing)
			return true;
	return false;
}

/* Move finished job's attachment (and preview) into place, or drop it
 * with its error; the job is freed. */
static void tui_images_finish(struct tui *t, struct img_job *job)
{
	struct tui_images *r = t->images;
	if (job->data_uri) {
		tui_images_finish_preview(t, job);
		return;
	}
	for (size_t k = 0; k < r->n_running; k++)
		if (r->running[k] == job) {
			r->running[k] = r->running[--r->n_running];
			break;
		}
	size_t k = 0;
	while (k < t->n_atts && !(t->atts[k].preparing && t->atts[k].preview_id == job->id))
		k++;
	if (k == t->n_atts) {
		tui_log(t, "job %llu: detached before it was ready", (unsigned long long)job->id);
		img_job_delete(job);
		return;
	}
	if (job->rc != 0) {
		tui_error(t, job->err);
		attachment_done(&t->atts[k]);
		memmove(&t->atts[k], &t->atts[k + 1], (t->n_atts - k - 1) * sizeof *t->atts);
		t->n_atts--;
		img_job_delete(job);
		return;
	}
	struct attachment *a = &t->atts[k];
	attachment_done(a);
	*a = job->att;
	attachment_init(&job->att);
	a->preview_id = 0;
	if (job->thumb.rgba) {
		struct tui_image e;
		memset(&e, 0, sizeof e);
		e.id = job->id;
		e.thumb = job->thumb;
		e.lay_w = e.thumb.w;
		e.lay_h = e.thumb.h;
		image_init(&job->thumb);
		e.desc = tui_image_desc(a->name, image_type_mime(a->type), a->width, a->height, a->bytes);
		r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
		r->v[r->n++] = e;
		a->preview_id = e.id;
	}
	tui_log(t, "attached %s in %.0f ms (off the loop)%s", a->summary ? a->summary : a->name, job->ms,
		a->preview_id ? ", with a preview" : "");
	img_job_delete(job);
}

/* Stop the work of attachments that are gone (/detach): a download stops
 * at once instead of running to its end for nothing. */
void tui_images_detached(struct tui *t)
{
	struct tui_images *r = t->images;
	for (size_t i = 0; r && i < r->n_running; i++) {
		struct img_job *job = r->running[i];
		bool attached = false;
		for (size_t k = 0; k < t->n_atts && !attached; k++)
			attached = t->atts[k].preparing && t->atts[k].preview_id == job->id;
		if (!attached && !atomic_load(&job->cancel)) {
			atomic_store(&job->cancel, true);
			tui_log(t, "job %llu: detached, its work stopped", (unsigned long long)job->id);
		}
	}
}

/* Take the worker's results; send a held message once nothing is left. */
void tui_images_poll(struct tui *t)
{
	struct tui_images *r = t->images;
	if (!r || !r->worker)
		return;
	struct img_job *job;
	while ((job = img_worker_take(r->worker)) != NULL) {
		tui_images_finish(t, job);
		t->dirty = true;
	}
	if (r->send_waiting && !tui_images_any_preparing(t)) {
		char *text = r->send_waiting;
		r->send_waiting = NULL;
		tui_status(t, false, NULL);
		tui_send(t, text);
		free(text);
	}
}

/* Hold text while attachments are prepared; true when held. */
bool tui_images_hold_send(struct tui *t, const char *text)
{
	struct tui_images *r = t->images;
	if (!r || r->send_waiting || !tui_images_any_preparing(t))
		return false;
	r->send_waiting = xstrdup(text);
	tui_status(t, false, "%s", _("preparing the images\xe2\x80\xa6 the message goes when they are ready"));
	t->dirty = true;
	return true;
}

/* Return whether a message is held. */
bool tui_images_sending(struct tui *t)
{
	return t->images && t->images->send_waiting;
}

/* Return the strip's line for attachment a, newly allocated. */
char *tui_attachment_desc(const struct attachment *a)
{
	if (a->preparing) {
		struct strbuf pb = STRBUF_INIT;
		sanitize_string(&pb, a->name, strlen(a->name));
		strbuf_printf(&pb, "  %s", _("preparing\xe2\x80\xa6"));
		return strbuf_detach(&pb);
	}
	char *d = tui_image_desc(a->name, a->is_url ? NULL : image_type_mime(a->type), a->width,
				 a->height, a->bytes);
	const char *arrow = a->summary ? strstr(a->summary, "\xe2\x86\x92") : NULL;
	if (!arrow)
		return d;
	struct strbuf sb = STRBUF_INIT;
	strbuf_printf(&sb, "%s  ", d);
	sanitize_string(&sb, arrow, strlen(arrow));
	free(d);
	return strbuf_detach(&sb);
}
