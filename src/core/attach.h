/* An image argument (a local file or an http(s) URL) -> the value of a
 * request's image_url.url: a data: URI or the URL itself.
 *
 * The type of a local file comes from its magic bytes, never from its name:
 * a PDF called shot.png is refused with a message saying what it is. */
#ifndef SQUINT_CORE_ATTACH_H
#define SQUINT_CORE_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

enum image_type { IMAGE_UNKNOWN, IMAGE_PNG, IMAGE_JPEG, IMAGE_GIF, IMAGE_WEBP };

/* Return the image type buf starts with, from magic bytes only. */
enum image_type image_sniff(const unsigned char *buf, size_t len);
/* Return the MIME type of t ("image/png", ...), or NULL for IMAGE_UNKNOWN; static. */
const char *image_type_mime(enum image_type t);
/* Return a static, translated phrase naming what buf looks like ("a PDF
 * document", "text", "unknown data", ...) for "not an image" messages. */
const char *image_sniff_describe(const unsigned char *buf, size_t len);
/* Read the pixel size of an image of type t from its header into *w and *h;
 * return 0, or -1 when the header is truncated or malformed. */
int image_size(const unsigned char *buf, size_t len, enum image_type t, unsigned *w, unsigned *h);

/* Return the length of the base64 form of n bytes (without a NUL), or 0 when
 * it would not fit in a size_t. */
size_t attach_base64_len(size_t n);
/* Write the base64 form of the n bytes at src to dst, which has room for
 * attach_base64_len(n) + 1 bytes; the result is NUL-terminated. */
void attach_base64_encode(char *dst, const unsigned char *src, size_t n);

struct attachment {
	char *arg;  /* as given on the command line */
	char *name; /* the file's basename, or the URL */
	bool is_url;
	enum image_type type; /* IMAGE_UNKNOWN for URLs: they are not fetched */
	unsigned width, height; /* 0 for URLs */
	size_t bytes;           /* the file's size; 0 for URLs */
	char *url;              /* data: URI or the http(s) URL: the image_url.url value */
};

/* Initialise an empty attachment. */
void attachment_init(struct attachment *a);
/* Free what a owns; it is empty (and reusable) afterwards. */
void attachment_done(struct attachment *a);
/* Load arg into a (emptied first): an http(s):// URL is kept as is without any
 * access, anything else is read as a local image of at most max_bytes and
 * turned into a data: URI.  Return 0, or -1 with *err (if err is not NULL) set
 * to a newly allocated one-line message naming arg, which the caller frees. */
int attachment_load(struct attachment *a, const char *arg, size_t max_bytes, char **err);

#endif
