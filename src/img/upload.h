/* An image argument -> an attachment ready to send: read, checked,
 * decoded, fitted to what the model uses, re-encoded when that is smaller. */
#ifndef SQUINT_IMG_UPLOAD_H
#define SQUINT_IMG_UPLOAD_H

#include "core/attach.h"
#include "core/config.h"
#include "img/decode.h"
#include "img/encode.h"
#include "img/prepare.h"
#include "net/fetch.h"

/* The settings that decide how an image is prepared for upload. */
struct upload_opts {
	const char *model;  /* borrowed */
	const char *detail; /* borrowed, may be NULL */
	long max_edge;      /* -1 auto, 0 as is, else pixels */
	struct img_limits lim;
	struct img_quality q;
	/* --fetch-urls: download http(s) URLs with fetch (fetch_url() of
	 * net/fetch.h, set by the caller: this module links no curl) and
	 * prepare them like files.  fetch_opts.max_bytes is lim.max_bytes; its
	 * strings are borrowed.  fetch NULL: URLs pass through. */
	bool fetch_urls;
	int (*fetch)(const char *url, const struct fetch_opts *o, unsigned char **out, size_t *out_len,
		     char **err);
	struct fetch_opts fetch_opts;
};

/* Fill o from cfg (borrowing its strings: valid while cfg is unchanged);
 * o->fetch stays NULL. */
void upload_opts_from_config(struct upload_opts *o, const struct squint_config *cfg);

/* Load arg into a: an http(s) URL passes through unchanged, or, with
 * o->fetch_urls, is downloaded (blocking, within the file limit) and then
 * treated like a file; a local file is read (within the file limit),
 * refused with one line if it is not a whole image, and fitted for upload
 * (a->summary says what happened).  Returns 0, or -1 with *err newly
 * allocated (the caller frees it). */
int upload_attach(struct attachment *a, const char *arg, const struct upload_opts *o, char **err);

/* Do what upload_attach() does, and hand the fitted pixels it encoded to
 * *fitted (when not NULL; emptied first, the caller frees it with
 * image_free()); fitted stays empty when nothing was decoded (a URL,
 * fitting turned off). */
int upload_attach_pixels(struct attachment *a, const char *arg, const struct upload_opts *o, struct image *fitted,
			 char **err);

#endif
