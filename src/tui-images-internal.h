/* What the parts of the interactive mode's pictures share: the registry of
 * decoded images (tui-images.c), the attachments prepared on the worker
 * (tui-images-attach.c) and the frame's pictures and /view
 * (tui-images-draw.c).  Private to src/tui-images*.c. */
#ifndef SQUINT_TUI_IMAGES_INTERNAL_H
#define SQUINT_TUI_IMAGES_INTERNAL_H

#include "tui-internal.h"
#include "img/image.h"
#include "ui/chatlayout.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Thumbnails sit under the message text, indented like it. */
#define TUI_IMG_INDENT 2
/* The decoded copy fits this many cells at least (the whole screen, for
 * /view), whatever the terminal's size when the image was attached. */
#define TUI_THUMB_MIN_COLS 160
#define TUI_THUMB_MIN_ROWS 50

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

struct img_job;
struct screen_frame;

/* Return the registry entry of id, or NULL. */
struct tui_image *tui_images_find(struct tui *t, uint64_t id);
/* Take the thumb of a finished preview job into its entry (if it is
 * still there and waits for it); the job is freed. */
void tui_images_finish_preview(struct tui *t, struct img_job *job);
/* Note the lazily decoded images on and near the screen (and the one
 * /view shows) for tui_images_drawn(), and let go of the decoded copies of
 * the others beyond TUI_LAZY_KEPT. */
void tui_images_lazy(struct tui *t, struct screen_frame *f);

#endif
