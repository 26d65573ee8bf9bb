/* The interactive mode's pictures: a small decoded copy of every attached
 * image (made once, when it is attached: nothing big is decoded on the
 * keystroke path), its thumbnail under the message that sent it, the
 * previews in the attachment strip, and /view N.
 *
 * The images of a resumed session (or of another branch) are decoded
 * lazily: only their size is read from the data URI's header at first, so
 * the layout is right at once; the worker decodes the ones on the screen
 * or near it (TUI_NEAR_SCREENS screens either way), a few at a time, and
 * their rows say "preparing…" until then.  A session with hundreds of
 * screenshots opens as fast as one without, and the decoded copies of
 * those far from the screen are let go again (TUI_LAZY_KEPT).
 *
 * Images are known by a serial id, never reused, which keys the preview
 * cache.  Thumbnails fit preview_rows rows under a message, TUI_STRIP_ROWS
 * in the strip; /view fits one to the whole pane.  Where the terminal shows
 * no graphics nothing is reserved: the "[image N: name type W×H size]"
 * line of the message is the placeholder.
 *
 * The attachments prepared on the worker are in tui-images-attach.c; the
 * frame's pictures, the strip and /view in tui-images-draw.c. */
#include <config.h>

#include "tui-images-internal.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "img/decode.h"
#include "img/preview.h"
#include "img/upload.h"
#include "img/worker.h"
#include "ui/chatlayout.h"
#include "ui/curses/screen.h"

#include <stdlib.h>
#include <string.h>

/* Lazily decoded images: those this many screens above and below the pane
 * are decoded ahead of being scrolled in. */
#define TUI_NEAR_SCREENS 1
/* ... at most this many jobs at once, so that the screen's own ones are
 * never queued behind those of pages scrolled past. */
#define TUI_LAZY_JOBS 3
/* ... and at most this many decoded copies of them are kept. */
#define TUI_LAZY_KEPT 12

/* Return the registry entry of id, or NULL. */
struct tui_image *tui_images_find(struct tui *t, uint64_t id)
{
	struct tui_images *r = t->images;
	for (size_t i = 0; id && i < r->n; i++)
		if (r->v[i].id == id)
			return &r->v[i];
	return NULL;
}

/* Set up the registry (after screen_init()). */
void tui_images_init(struct tui *t)
{
	t->images = xcalloc(1, sizeof *t->images);
	t->images->next_id = 1;
	char *err = NULL;
	t->images->worker = img_worker_new(&err);
	if (!t->images->worker) {
		tui_log(t, "%s", err);
		free(err);
	}
}

/* Free entry e's contents. */
static void tui_image_done(struct tui_image *e)
{
	image_free(&e->thumb);
	free(e->desc);
	free(e->failed);
}

/* Free the registry. */
void tui_images_done(struct tui *t)
{
	struct tui_images *r = t->images;
	if (!r)
		return;
	img_worker_delete(r->worker);
	free(r->send_waiting);
	for (size_t i = 0; i < r->n; i++)
		tui_image_done(&r->v[i]);
	free(r->v);
	free(r->pending);
	free(r->running);
	chatlayout_lines_clear(&r->view_lines);
	free(r->view_lines.v);
	free(r->view_ptrs);
	free(r->items);
	free(r->near);
	free(r);
	t->images = NULL;
}

/* Drop entry i (its cached renderings too). */
static void tui_images_drop(struct tui *t, size_t i)
{
	struct tui_images *r = t->images;
	screen_forget_image(r->v[i].id);
	if (r->viewing == r->v[i].id)
		r->viewing = 0;
	tui_image_done(&r->v[i]);
	memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof *r->v);
	r->n--;
}

/* Drop what nothing shows any more: detached attachments, and the
 * conversation's images after /new. */
static void tui_images_prune(struct tui *t)
{
	struct tui_images *r = t->images;
	size_t count = chatview_count(t->view);
	bool cleared = count < r->view_count;
	r->view_count = count;
	if (cleared)
		r->n_sent = 0;
	for (size_t i = r->n; i-- > 0;) {
		struct tui_image *e = &r->v[i];
		bool used = false;
		if (e->sent)
			used = !cleared;
		if (e->sent && cleared && e->key) {
			e->sent = false;
			e->kept = true;
		}
		used = used || e->kept;
		for (size_t k = 0; !used && k < t->n_atts; k++)
			used = t->atts[k].preview_id == e->id;
		for (size_t k = 0; !used && k < r->n_pending; k++)
			used = r->pending[k] == e->id;
		if (!used)
			tui_images_drop(t, i);
	}
}

/* Take the thumb of a finished preview job into its entry (if it is
 * still there and waits for it); the job is freed. */
void tui_images_finish_preview(struct tui *t, struct img_job *job)
{
	struct tui_image *e = tui_images_find(t, job->id);
	if (e && e->state == TUI_THUMB_QUEUED) {
		if (job->rc == 0) {
			e->thumb = job->thumb;
			image_init(&job->thumb);
			e->state = TUI_THUMB_READY;
		} else {
			/* The rows stay (the header gave the size): they say why. */
			e->state = TUI_THUMB_FAILED;
			const char *why = job->err ? job->err : "?";
			/* The line above names the image already. */
			size_t dl = e->desc ? strlen(e->desc) : 0;
			if (dl && strncmp(why, e->desc, dl) == 0 && strncmp(why + dl, ": ", 2) == 0)
				why += dl + 2;
			struct strbuf sb = STRBUF_INIT;
			strbuf_printf(&sb, _("no preview: "));
			sanitize_string(&sb, why, strlen(why));
			free(e->failed);
			e->failed = strbuf_detach(&sb);
			tui_log(t, "preview %llu: %s", (unsigned long long)job->id, why);
		}
		tui_log(t, "preview %llu decoded in %.0f ms (off the loop)",
			(unsigned long long)job->id, job->ms);
	}
	img_job_delete(job);
}

/* Return a hash (64 bits) of a data URI, cheap next to a decode: FNV-1a
 * over 8-byte words with a shift folding the high bits back down (byte by
 * byte it cost 4% of resuming a session of 50 screenshots, on the loop). */
static uint64_t tui_images_key_of(const char *url)
{
	size_t len = strlen(url), i = 0;
	uint64_t h = 0xcbf29ce484222325ull ^ len;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, url + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ (unsigned char)url[i]) * 0x100000001b3ull;
	return h ? h : 1;
}

/* Note attachment a as sent with the message being built; returns its
 * number in the conversation ("[image N: ...]"). */
size_t tui_images_queue(struct tui *t, const struct attachment *a)
{
	struct tui_images *r = t->images;
	tui_images_prune(t);
	size_t number = ++r->n_sent;
	struct tui_image *e = tui_images_find(t, a->preview_id);
	if (e) {
		e->sent = true;
		e->kept = false;
		e->key = a->url ? tui_images_key_of(a->url) : 0;
		e->number = number;
		r->pending = xrealloc(r->pending, (r->n_pending + 1) * sizeof *r->pending);
		r->pending[r->n_pending++] = e->id;
	}
	return number;
}

/* Fit entry e under a message in a pane width cells wide. */
static void tui_images_fit_sent(struct tui_image *e, int width, int rows,
				const struct term_caps *caps)
{
	struct preview_geom g;
	e->box_cols = width - TUI_IMG_INDENT > 1 ? width - TUI_IMG_INDENT : 1;
	e->box_rows = rows;
	preview_fit(e->lay_w, e->lay_h, e->box_cols, e->box_rows, caps->cell_w, caps->cell_h, &g);
	e->cols = g.cols;
	e->rows = g.rows;
}

/* Show the queued images under item (the user message just added). */
void tui_images_sent(struct tui *t, size_t item)
{
	struct tui_images *r = t->images;
	const struct term_caps *caps = screen_caps();
	for (size_t k = 0; k < r->n_pending; k++) {
		struct tui_image *e = tui_images_find(t, r->pending[k]);
		if (!e || caps->graphics == TERM_GRAPHICS_NONE)
			continue;
		tui_images_fit_sent(e, r->width ? r->width : 80, t->cfg->preview_rows, caps);
		chatview_add_image(t->view, item, e->id, e->cols, e->rows);
	}
	r->n_pending = 0;
	r->view_count = chatview_count(t->view);
}

/* Fit the conversation's thumbnails to the pane's width (and the cells). */
void tui_images_layout(struct tui *t, int width)
{
	struct tui_images *r = t->images;
	screen_sync_size();
	const struct term_caps *caps = screen_caps();
	tui_images_prune(t);
	if (width == r->width && caps->cell_w == r->cell_w && caps->cell_h == r->cell_h)
		return;
	r->width = width;
	r->cell_w = caps->cell_w;
	r->cell_h = caps->cell_h;
	for (size_t i = 0; i < r->n; i++) {
		struct tui_image *e = &r->v[i];
		if (!e->sent)
			continue;
		tui_images_fit_sent(e, width, t->cfg->preview_rows, caps);
		chatview_set_image_size(t->view, e->id, e->cols, e->rows);
	}
}

/* Return how many lazily decoded images are queued for the worker. */
static size_t tui_images_n_queued(const struct tui_images *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].state == TUI_THUMB_QUEUED;
	return n;
}

/* Have entry e decoded: by the worker (unless TUI_LAZY_JOBS are running),
 * or on the spot without one. */
static void tui_images_want(struct tui *t, struct tui_image *e)
{
	struct tui_images *r = t->images;
	if (e->state != TUI_THUMB_LAZY)
		return;
	struct upload_opts uo;
	upload_opts_from_config(&uo, t->cfg);
	struct img_job *job = img_job_new_preview(e->id, e->url, e->desc, &uo.lim, e->px_w, e->px_h);
	job->fit_w = e->lay_w;
	job->fit_h = e->lay_h;
	if (r->worker) {
		if (tui_images_n_queued(r) >= TUI_LAZY_JOBS) {
			img_job_delete(job);
			return;
		}
		e->state = TUI_THUMB_QUEUED;
		img_worker_submit(r->worker, job);
		return;
	}
	e->state = TUI_THUMB_QUEUED;
	img_job_run(job);
	tui_images_finish_preview(t, job);
	t->dirty = true;
}

/* Have the images of the last frame that are not decoded yet decoded,
 * those on the screen first (after the frame is out: the first paint of a
 * resumed session does not share the CPU with a decode). */
void tui_images_drawn(struct tui *t)
{
	struct tui_images *r = t->images;
	for (size_t k = 0; r && k < r->n_near; k++) {
		struct tui_image *e = tui_images_find(t, r->near[k]);
		if (e)
			tui_images_want(t, e);
	}
}

/* Note the lazily decoded images on and near the screen (and the one
 * /view shows) for tui_images_drawn(), and let go of the decoded copies of
 * the others beyond TUI_LAZY_KEPT (least recently near first): their data
 * URIs stay. */
void tui_images_lazy(struct tui *t, struct screen_frame *f)
{
	struct tui_images *r = t->images;
	uint64_t seq = ++r->frame_seq;
	int ahead = f->pane_rows * TUI_NEAR_SCREENS;
	if (r->cap_near < r->n + 1) {
		r->cap_near = r->n + 1;
		r->near = xrealloc(r->near, r->cap_near * sizeof *r->near);
	}
	r->n_near = 0;
	if (r->viewing)
		r->near[r->n_near++] = r->viewing;
	r->n_near += chatview_images_near(t->view, ahead, ahead, r->near + r->n_near,
					  r->cap_near - r->n_near);
	for (size_t k = 0; k < r->n_near; k++) {
		struct tui_image *e = tui_images_find(t, r->near[k]);
		if (e)
			e->near_seq = seq;
	}
	for (;;) {
		size_t kept = 0;
		struct tui_image *old = NULL;
		for (size_t i = 0; i < r->n; i++) {
			struct tui_image *e = &r->v[i];
			if (!e->url || e->state != TUI_THUMB_READY)
				continue;
			kept++;
			if (e->near_seq != seq && (!old || e->near_seq < old->near_seq))
				old = e;
		}
		if (kept <= TUI_LAZY_KEPT || !old)
			break;
		image_free(&old->thumb);
		old->state = TUI_THUMB_LAZY;
		tui_log(t, "preview %llu: decoded copy let go", (unsigned long long)old->id);
	}
}

/* Set up e to be decoded lazily from the data URI url: the size its thumb
 * will have is read from the image's header (a few base64 digits decoded,
 * more only when the header is longer), the pixels are left for later.
 * Returns 0, or -1 when url is no image squint can decode. */
static int tui_images_lazy_uri(struct tui *t, const char *url, const char *name,
			       struct tui_image *e)
{
	const struct term_caps *caps = screen_caps();
	struct upload_opts uo;
	upload_opts_from_config(&uo, t->cfg);
	struct img_info info;
	int rc = -1;
	char *err = NULL;
	/* A PNG's size is in its first 33 bytes; a JPEG's can follow 64 kB of
	 * EXIF; the whole file for the odd one. */
	static const size_t tries[] = {4096, 70000, SIZE_MAX};
	for (size_t k = 0; rc != 0 && k < sizeof tries / sizeof tries[0]; k++) {
		size_t len = 0;
		unsigned char *buf = attach_data_uri_prefix(url, tries[k], &len);
		if (!buf)
			break;
		free(err);
		err = NULL;
		rc = img_probe(buf, len, name, &uo.lim, &info, &err);
		free(buf);
		if (len < tries[k])
			break; /* that was all of it */
	}
	if (rc != 0) {
		tui_log(t, "preview of %s: %s", name, err ? err : "not a base64 data: URI");
		free(err);
		return -1;
	}
	int rows, cols;
	screen_size(&rows, &cols);
	e->px_w = (unsigned)((cols > TUI_THUMB_MIN_COLS ? cols : TUI_THUMB_MIN_COLS) * caps->cell_w);
	e->px_h = (unsigned)((rows > TUI_THUMB_MIN_ROWS ? rows : TUI_THUMB_MIN_ROWS) * caps->cell_h);
	e->lay_w = info.w;
	e->lay_h = info.h;
	if (info.w > e->px_w || info.h > e->px_h) {
		/* As img_thumb_decode() will scale it. */
		double s = (double)e->px_w / info.w < (double)e->px_h / info.h
				   ? (double)e->px_w / info.w
				   : (double)e->px_h / info.h;
		unsigned w = (unsigned)(info.w * s + 0.5), h = (unsigned)(info.h * s + 0.5);
		e->lay_w = w ? w : 1;
		e->lay_h = h ? h : 1;
	}
	/* Borrowed, not copied: 3.3 MB of copies (and page faults) for the
	 * bench session, 8% of resuming it. */
	e->url = url;
	e->state = TUI_THUMB_LAZY;
	return 0;
}

/* Note image part p of a message shown again; returns its number. */
size_t tui_images_restore(struct tui *t, const struct conv_part *p)
{
	struct tui_images *r = t->images;
	if (!r || !p->url)
		return 0;
	tui_images_prune(t);
	uint64_t key = tui_images_key_of(p->url);
	struct tui_image *e = NULL;
	for (size_t i = 0; i < r->n && !e; i++)
		if (r->v[i].key == key && (r->v[i].sent || r->v[i].kept))
			e = &r->v[i];
	if (e && !e->url && (e->state == TUI_THUMB_LAZY || e->state == TUI_THUMB_FAILED)) {
		/* Kept from a conversation since freed: decode from this one. */
		e->url = p->url;
		e->state = TUI_THUMB_LAZY;
	}
	if (e && e->sent) {
		/* Twice on the pane: one picture, one number. */
		r->pending = xrealloc(r->pending, (r->n_pending + 1) * sizeof *r->pending);
		r->pending[r->n_pending++] = e->id;
		return e->number;
	}
	size_t number = ++r->n_sent;
	if (!e && strncmp(p->url, "data:", 5) == 0 &&
	    screen_caps()->graphics != TERM_GRAPHICS_NONE) {
		struct tui_image ne;
		memset(&ne, 0, sizeof ne);
		const char *name = p->name ? p->name : "image";
		if (tui_images_lazy_uri(t, p->url, name, &ne) == 0) {
			ne.id = r->next_id++;
			ne.key = key;
			ne.desc = tui_image_desc(name, p->mime, p->width, p->height, p->bytes);
			r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
			r->v[r->n++] = ne;
			e = &r->v[r->n - 1];
		}
	}
	if (!e)
		return number;
	e->sent = true;
	e->kept = false;
	e->number = number;
	/* Fitted anew for the pane's width when shown. */
	e->box_cols = 0;
	r->pending = xrealloc(r->pending, (r->n_pending + 1) * sizeof *r->pending);
	r->pending[r->n_pending++] = e->id;
	return number;
}

/* The conversation is about to be freed: let go of the data URIs borrowed
 * from it (decoded copies stay; those not decoded yet get a URI again
 * when restored). */
void tui_images_unborrow(struct tui *t)
{
	struct tui_images *r = t->images;
	for (size_t i = 0; r && i < r->n; i++) {
		struct tui_image *e = &r->v[i];
		if (!e->url)
			continue;
		e->url = NULL;
		if (e->state == TUI_THUMB_LAZY)
			e->state = TUI_THUMB_FAILED;
	}
}

/* Forget which images the pane shows; keep the decoded copies. */
void tui_images_reset(struct tui *t)
{
	struct tui_images *r = t->images;
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct tui_image *e = &r->v[i];
		if (e->sent) {
			e->sent = false;
			e->kept = e->key != 0;
		}
	}
	r->n_sent = 0;
	r->n_pending = 0;
	r->viewing = 0;
	r->view_count = 0;
	tui_images_prune(t);
}
