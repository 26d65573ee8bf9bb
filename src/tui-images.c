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
 * line of the message is the placeholder. */
#include <config.h>

#include "tui-internal.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "img/decode.h"
#include "img/fit.h"
#include "img/preview.h"
#include "img/upload.h"
#include "img/worker.h"
#include "net/fetch.h"
#include "ui/chatlayout.h"
#include "ui/curses/screen.h"
#include "ui/placement.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Most rows a thumbnail takes under its message (TODO: config key
 * preview_rows). */
/* Rows and most columns of a preview in the attachment strip. */
#define TUI_STRIP_ROWS TUI_STRIP_PREVIEW_ROWS
#define TUI_STRIP_COLS 16
/* Thumbnails sit under the message text, indented like it. */
#define TUI_IMG_INDENT 2
/* The decoded copy fits this many cells at least (the whole screen, for
 * /view), whatever the terminal's size when the image was attached. */
#define TUI_THUMB_MIN_COLS 160
#define TUI_THUMB_MIN_ROWS 50
/* Lazily decoded images: those this many screens above and below the pane
 * are decoded ahead of being scrolled in. */
#define TUI_NEAR_SCREENS 1
/* ... at most this many jobs at once, so that the screen's own ones are
 * never queued behind those of pages scrolled past. */
#define TUI_LAZY_JOBS 3
/* ... and at most this many decoded copies of them are kept. */
#define TUI_LAZY_KEPT 12

enum tui_thumb_state {
	TUI_THUMB_READY,  /* thumb holds the decoded copy */
	TUI_THUMB_LAZY,   /* not decoded yet: url has the data */
	TUI_THUMB_QUEUED, /* the worker is decoding url */
	TUI_THUMB_FAILED, /* url could not be decoded: no preview */
};

struct tui_image {
	uint64_t id;
	struct image thumb; /* the decoded copy, at most a screen of pixels */
	char *desc;	    /* "name  png  640×480  12.3 kB", sanitized */
	bool sent;	    /* shown in the conversation */
	uint64_t key;	    /* a hash of the data URI sent (0: unknown) */
	bool kept;	    /* off the pane, kept for tui_images_restore() */
	size_t number;	    /* its N in "[image N: ...]" once sent */
	int box_cols, box_rows; /* the box its conversation thumbnail fits */
	int cols, rows;		/* the cells it takes there */
	unsigned lay_w, lay_h;	/* the thumb's size, known before it is decoded */
	enum tui_thumb_state state;
	const char *url;	/* lazily decoded: the data URI, borrowed from the
				   conversation's part (tui_images_unborrow) ... */
	unsigned px_w, px_h;	/* ... and the box to decode it for */
	uint64_t near_seq;	/* the frame it was last on or near the screen */
	char *failed;		/* TUI_THUMB_FAILED: "no preview: why", sanitized */
};

struct tui_images {
	struct tui_image *v;
	size_t n;
	uint64_t next_id;
	size_t n_sent;		/* images sent in this conversation */
	size_t view_count;	/* chatview_count() seen last: fewer means /new */
	uint64_t *pending;	/* sent with the message being built */
	size_t n_pending;
	int width, cell_w, cell_h; /* what the thumbnails were fitted for */
	uint64_t viewing;	   /* /view: the image shown, or 0 */
	int view_cols, view_rows;  /* the box it is fitted into */
	struct cv_lines view_lines;
	const struct cv_line **view_ptrs;
	struct images_item *items; /* this frame's images */
	size_t cap_items;
	struct img_worker *worker; /* prepares attachments off the loop; NULL: on it */
	char *send_waiting;        /* a message held until its attachments are ready */
	uint64_t frame_seq;        /* counts tui_images_frame() calls */
	uint64_t *near;            /* this frame's images near the screen ... */
	size_t n_near, cap_near;   /* ... decoded once it is drawn */
	struct img_job **running;  /* attachment jobs the worker has (owned there) */
	size_t n_running;
};

/* Return the registry entry of id, or NULL. */
static struct tui_image *tui_images_find(struct tui *t, uint64_t id)
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

/* Take the thumb of a finished preview job into its entry (if it is
 * still there and waits for it); the job is freed. */
static void tui_images_finish_preview(struct tui *t, struct img_job *job)
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

/* Return the rows the strip's previews take on a screen rows high. */
int tui_images_strip_rows(struct tui *t, int rows)
{
	if (!t->images || screen_caps()->graphics == TERM_GRAPHICS_NONE || rows < 18)
		return 0;
	for (size_t k = 0; k < t->n_atts; k++)
		if (tui_images_find(t, t->atts[k].preview_id))
			return TUI_STRIP_ROWS;
	return 0;
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

/* Append an item for placement p of entry e, fitted into box cols x rows. */
static void tui_images_push(struct tui_images *r, size_t *n, const struct placement *p,
			    const struct tui_image *e, int box_cols, int box_rows, bool cells)
{
	if (*n == r->cap_items) {
		r->cap_items = r->cap_items ? r->cap_items * 2 : 16;
		r->items = xrealloc(r->items, r->cap_items * sizeof *r->items);
	}
	bool ready = e->state == TUI_THUMB_READY;
	r->items[(*n)++] = (struct images_item){.p = *p,
						.img = ready ? &e->thumb : NULL,
						.max_cols = box_cols,
						.max_rows = box_rows,
						.cells = cells,
						.wait_text = e->state == TUI_THUMB_FAILED
								     ? e->failed
								     : _("preparing\xe2\x80\xa6")};
}

/* Build the /view pane: a caption line, then the image fitted to the rest. */
static void tui_images_view_pane(struct tui *t, struct screen_frame *f, struct tui_image *e,
				 int width)
{
	struct tui_images *r = t->images;
	const struct term_caps *caps = screen_caps();
	chatlayout_lines_clear(&r->view_lines);
	char *cap = xasprintf(_("image %zu: %s \xc2\xb7 any key closes"), e->number, e->desc);
	chatlayout_line_set(chatlayout_lines_push(&r->view_lines), cap, strlen(cap), width,
			    CV_STYLE_NOTICE | CV_STYLE_BOLD);
	free(cap);
	struct preview_geom g;
	int box_rows = f->pane_rows - 1 > 0 ? f->pane_rows - 1 : 1;
	preview_fit(e->lay_w, e->lay_h, width, box_rows, caps->cell_w, caps->cell_h, &g);
	for (int k = 0; k < g.rows && k < box_rows; k++) {
		struct cv_line *l = chatlayout_lines_push(&r->view_lines);
		chatlayout_line_set(l, "", 0, 1, 0);
		l->image_id = e->id;
		l->image_row = k;
		l->image_rows = g.rows;
		l->image_cols = g.cols;
	}
	r->view_ptrs = xrealloc(r->view_ptrs, (r->view_lines.n + 1) * sizeof *r->view_ptrs);
	for (size_t k = 0; k < r->view_lines.n; k++)
		r->view_ptrs[k] = &r->view_lines.v[k];
	f->pane = r->view_ptrs;
	f->n_pane = (int)r->view_lines.n;
	f->marker = NULL;
	f->query = NULL;
	r->view_cols = width;
	r->view_rows = box_rows;
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
static void tui_images_lazy(struct tui *t, struct screen_frame *f)
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

/* Fill f->images for this frame: the pane's thumbnails (or the /view
 * image in place of the pane) and the strip's previews at strip_row. */
void tui_images_frame(struct tui *t, struct screen_frame *f, int width, int strip_row, int band)
{
	struct tui_images *r = t->images;
	size_t n = 0;
	f->images = NULL;
	f->n_images = 0;
	if (!r || screen_caps()->graphics == TERM_GRAPHICS_NONE)
		return;
	struct tui_image *viewed = tui_images_find(t, r->viewing);
	if (r->viewing && !viewed)
		r->viewing = 0;
	tui_images_lazy(t, f);
	struct placement ps[64];
	int max_rows = f->pane_rows - (f->marker ? 1 : 0);
	if (viewed) {
		tui_images_view_pane(t, f, viewed, width);
		int np = placement_from_lines(f->pane, f->n_pane, 0, f->pane_rows, 0, ps, 64);
		for (int i = 0; i < np; i++)
			tui_images_push(r, &n, &ps[i], viewed, r->view_cols, r->view_rows, false);
	} else {
		int np = placement_from_lines(f->pane, f->n_pane, 0, max_rows, TUI_IMG_INDENT, ps, 64);
		for (int i = 0; i < np; i++) {
			struct tui_image *e = tui_images_find(t, ps[i].id);
			if (e)
				tui_images_push(r, &n, &ps[i], e, e->box_cols, e->box_rows, false);
		}
	}
	/* The strip: previews side by side, in the order of the list below,
	 * always as colour blocks: the strip comes and goes with the
	 * attachments, and xterm was seen to bring back pieces of a sixel
	 * there after the rows were repainted. */
	const struct term_caps *caps = screen_caps();
	int col = 1;
	for (size_t k = 0; band > 0 && k < t->n_atts; k++) {
		struct tui_image *e = tui_images_find(t, t->atts[k].preview_id);
		if (!e)
			continue;
		struct preview_geom g;
		preview_fit(e->lay_w, e->lay_h, TUI_STRIP_COLS, band, caps->cell_w, caps->cell_h, &g);
		if (col + g.cols > width)
			break;
		struct placement p = {.id = e->id, .row = strip_row, .col = col, .cols = g.cols,
				      .rows = g.rows, .crop_top = 0, .crop_rows = g.rows};
		tui_images_push(r, &n, &p, e, TUI_STRIP_COLS, band, true);
		col += g.cols + 2;
	}
	f->images = r->items;
	f->n_images = (int)n;
}

/* /view N: attachment N of the strip when something is attached, else
 * image N of the conversation. */
void tui_images_view(struct tui *t, const char *arg)
{
	struct tui_images *r = t->images;
	char *end = NULL;
	long n = arg ? strtol(arg, &end, 10) : 0;
	if (!arg || *end || n < 1) {
		tui_error(t, _("/view N: the number of an attachment, or of an image in the "
			       "conversation"));
		return;
	}
	if (screen_caps()->graphics == TERM_GRAPHICS_NONE) {
		tui_error(t, _("/view: this terminal shows no images (SQUINT_GRAPHICS=blocks "
			       "forces colour blocks)"));
		return;
	}
	struct tui_image *e = NULL;
	if (t->n_atts) {
		if ((size_t)n > t->n_atts) {
			tui_error(t, _("/view N: N is the number of an attachment in the strip"));
			return;
		}
		e = tui_images_find(t, t->atts[n - 1].preview_id);
		if (e)
			e->number = (size_t)n;
	} else {
		for (size_t i = 0; i < r->n && !e; i++)
			if (r->v[i].sent && r->v[i].number == (size_t)n)
				e = &r->v[i];
	}
	if (!e) {
		char *m = xasprintf(_("/view: image %ld has no preview (a URL, or unreadable)"), n);
		tui_error(t, m);
		free(m);
		return;
	}
	r->viewing = e->id;
	t->dirty = true;
}

/* A key while an image is viewed closes it; returns whether it was used. */
bool tui_images_key(struct tui *t, const struct ui_event *ev)
{
	if (!t->images || !t->images->viewing)
		return false;
	if (ev->kind != UI_EV_KEY && ev->kind != UI_EV_CHAR && ev->kind != UI_EV_PASTE)
		return ev->kind == UI_EV_MOUSE;
	t->images->viewing = 0;
	t->dirty = true;
	return true;
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
