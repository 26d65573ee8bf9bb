#include <config.h>

#include "img/upload.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void upload_opts_from_config(struct upload_opts *o, const struct squint_config *cfg)
{
	memset(o, 0, sizeof *o);
	o->model = cfg->params.model;
	o->detail = cfg->params.detail;
	o->max_edge = cfg->max_edge;
	img_limits_default(&o->lim);
	o->lim.max_pixels = (unsigned long long)(cfg->max_megapixels * 1e6);
	o->lim.max_bytes = (size_t)(cfg->max_file_mb * 1024 * 1024);
	img_quality_default(&o->q);
	o->q.jpeg = cfg->jpeg_quality;
	o->q.webp = cfg->webp_quality;
	o->fetch_urls = cfg->fetch_urls;
	o->fetch_opts.max_bytes = o->lim.max_bytes;
	o->fetch_opts.connect_timeout_s = (long)ceil(cfg->connect_timeout);
	o->fetch_opts.idle_timeout_s = (long)ceil(cfg->idle_timeout);
	o->fetch_opts.cacert = cfg->cacert;
	o->fetch_opts.insecure = cfg->insecure;
	o->fetch_opts.proxy = cfg->proxy;
}

/* Return whether arg is an http:// or https:// URL. */
static bool upload_is_url(const char *arg)
{
	return strncasecmp(arg, "http://", 7) == 0 || strncasecmp(arg, "https://", 8) == 0;
}

int upload_attach(struct attachment *a, const char *arg, const struct upload_opts *o, char **err)
{
	return upload_attach_pixels(a, arg, o, NULL, err);
}

/* upload_attach(), keeping the fitted pixels; 0 or -1 with *err set. */
int upload_attach_pixels(struct attachment *a, const char *arg, const struct upload_opts *o, struct image *fitted,
			 char **err)
{
	if (fitted)
		image_free(fitted);
	bool url = upload_is_url(arg);
	/* URLs are the server's to fetch unless asked otherwise; max_edge 0
	 * means "as it is". */
	if ((url && !(o->fetch_urls && o->fetch)) || (!url && o->max_edge == 0))
		return attachment_load(a, arg, o->lim.max_bytes, err);

	unsigned char *buf;
	size_t len;
	if (url) {
		struct fetch_opts fo = o->fetch_opts;
		fo.max_bytes = o->lim.max_bytes;
		if (o->fetch(arg, &fo, &buf, &len, err) != 0)
			return -1;
		if (attachment_check(arg, buf, len, err) != 0) {
			free(buf);
			return -1;
		}
		if (o->max_edge == 0) {
			int rc = attachment_set_file(a, arg, buf, len, buf, len, image_sniff(buf, len), err);
			free(buf);
			return rc;
		}
	} else if (attachment_read(arg, o->lim.max_bytes, &buf, &len, err) != 0) {
		return -1;
	}
	struct img_upload up;
	img_upload_init(&up);
	int rc = img_prepare_upload_pixels(buf, len, arg, o->model, o->detail, o->max_edge, &o->lim, &o->q, &up,
					   fitted, err);
	if (rc == 0) {
		bool as_is = up.encoder == IMG_ENC_ORIGINAL || !up.data;
		rc = attachment_set_file(a, arg, buf, len, as_is ? buf : up.data,
					 as_is ? len : up.len, as_is ? up.orig_type : up.type, err);
		/* A URL is named by its last path segment in the summary; its
		 * errors name it whole. */
		size_t n = strlen(arg);
		if (rc == 0 && up.summary && url && strncmp(up.summary, arg, n) == 0)
			a->summary = xasprintf("%s%s", a->name, up.summary + n);
		else if (rc == 0 && up.summary)
			a->summary = xstrdup(up.summary);
	}
	img_upload_done(&up);
	free(buf);
	return rc;
}
