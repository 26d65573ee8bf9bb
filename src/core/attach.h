/* An image argument (a local file or an http(s) URL) -> the value of a
 * request's image_url.url: a data: URI or the URL itself.
 *
 * The type of a local file comes from its magic bytes, never from its name:
 * a PDF called shot.png is refused with a message saying what it is. */
#ifndef SQUINT_CORE_ATTACH_H
#define SQUINT_CORE_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum image_type { IMAGE_UNKNOWN, IMAGE_PNG, IMAGE_JPEG, IMAGE_GIF, IMAGE_WEBP };

/* Return the image type buf starts with, from magic bytes only. */
enum image_type image_sniff(const unsigned char *buf, size_t len);
/* Return the short display name of t ("PNG", "JPEG", "GIF", "WebP"; "?"
 * for IMAGE_UNKNOWN), for messages; static. */
const char *image_type_name(enum image_type t);
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
/* Return the bytes of the base64 payload of the data: URI url (newly
 * allocated with plain malloc, the caller frees them; their count in
 * *len), or NULL when url is not a base64 data: URI, its payload is not
 * base64, or memory runs out. */
unsigned char *attach_data_uri_bytes(const char *url, size_t *len);
/* Decode only the first bytes, at most max, of the payload of a base64
 * data: URI (enough to read an image's header without the cost of all of
 * it); returns them newly malloc'ed (the caller frees them) with their
 * number in *len, or NULL when url is not such a URI or its digits up to
 * there are not base64. */
unsigned char *attach_data_uri_prefix(const char *url, size_t max, size_t *len);

struct attachment {
	char *arg;  /* as given on the command line */
	char *name; /* the file's basename, or the URL */
	bool is_url;
	enum image_type type; /* IMAGE_UNKNOWN for URLs: they are not fetched */
	unsigned width, height; /* 0 for URLs */
	size_t bytes;           /* the file's size; 0 for URLs */
	char *url;              /* data: URI or the http(s) URL: the image_url.url value */
	/* What is sent (after fitting for upload; the same as above when the
	 * file goes as is); 0 for URLs. */
	enum image_type sent_type;
	unsigned sent_width, sent_height;
	size_t sent_bytes;
	char *summary; /* "shot.png 3840×2160 356 kB → 1365×768 webp 93 kB", or NULL */
	unsigned long long preview_id; /* the interactive mode's picture of it (0: none) */
	bool preparing; /* the interactive mode is still fitting it in the background */
};

/* Initialise an empty attachment. */
void attachment_init(struct attachment *a);
/* Free what a owns; it is empty (and reusable) afterwards. */
void attachment_done(struct attachment *a);
/* Load arg into a (emptied first): an http(s):// URL is kept as is without any
 * access, anything else is read as a local image of at most max_bytes and
 * turned into a data: URI.  Return 0, or -1 with *err (if err is not NULL) set
 * to a newly allocated one-line message naming arg, which the caller frees. */
/* Read the local image file arg (at most max_bytes), check that it is an
 * image whose header is whole; returns 0 with *out newly allocated (plain
 * malloc; the caller frees it), or -1 with *err newly allocated. */
int attachment_read(const char *arg, size_t max_bytes, unsigned char **out, size_t *out_len,
		    char **err);
/* Check that the len bytes at buf (a file's or a download's) are an image
 * whose header is whole, by magic bytes only; returns 0, or -1 with *err
 * (if err is not NULL) newly allocated, naming arg. */
int attachment_check(const char *arg, const unsigned char *buf, size_t len, char **err);
/* Return the name an http(s) URL is shown by: the last segment of its path
 * without query or fragment ("shot.png" of https://h/a/shot.png?s=1), or
 * the whole URL when the path has none; newly allocated, the caller frees it. */
char *attachment_url_name(const char *url);
/* Return bytes as a short size for messages ("1.5 MB"; round_up: never
 * below the real size); newly allocated, the caller frees it. */
char *attach_format_size(uintmax_t bytes, int round_up);
/* Return a newly malloc'ed data: URI of len bytes of type, or NULL when out
 * of memory. */
char *attachment_data_uri(const unsigned char *buf, size_t len, enum image_type type);
/* Fill a for the file arg whose original bytes are orig and which is sent
 * as sent (may be the same buffer); 0, or -1 with *err. */
int attachment_set_file(struct attachment *a, const char *arg, const unsigned char *orig,
			size_t orig_len, const unsigned char *sent, size_t sent_len,
			enum image_type sent_type, char **err);
int attachment_load(struct attachment *a, const char *arg, size_t max_bytes, char **err);

#endif
