#include <config.h>

#include "core/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "i18n.h"

/* Return the big-endian 16-bit value at p. */
static unsigned attach_be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Return the big-endian 32-bit value at p. */
static uint32_t attach_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Return the little-endian 16-bit value at p. */
static unsigned attach_le16(const unsigned char *p)
{
	return (unsigned)p[1] << 8 | p[0];
}

/* Return the little-endian 24-bit value at p. */
static uint32_t attach_le24(const unsigned char *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Return the little-endian 32-bit value at p. */
static uint32_t attach_le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | attach_le24(p);
}

/* Return whether buf (len bytes) starts with the n bytes of magic. */
static int attach_has_prefix(const unsigned char *buf, size_t len, const char *magic, size_t n)
{
	return len >= n && memcmp(buf, magic, n) == 0;
}

/* Return the image type buf starts with, from magic bytes only. */
enum image_type image_sniff(const unsigned char *buf, size_t len)
{
	if (attach_has_prefix(buf, len, "\x89PNG\r\n\x1a\n", 8))
		return IMAGE_PNG;
	if (attach_has_prefix(buf, len, "\xff\xd8\xff", 3))
		return IMAGE_JPEG;
	if (attach_has_prefix(buf, len, "GIF87a", 6) || attach_has_prefix(buf, len, "GIF89a", 6))
		return IMAGE_GIF;
	if (len >= 12 && memcmp(buf, "RIFF", 4) == 0 && memcmp(buf + 8, "WEBP", 4) == 0)
		return IMAGE_WEBP;
	return IMAGE_UNKNOWN;
}

/* Return the MIME type of t, or NULL for IMAGE_UNKNOWN; static. */
const char *image_type_mime(enum image_type t)
{
	switch (t) {
	case IMAGE_PNG:
		return "image/png";
	case IMAGE_JPEG:
		return "image/jpeg";
	case IMAGE_GIF:
		return "image/gif";
	case IMAGE_WEBP:
		return "image/webp";
	case IMAGE_UNKNOWN:
		break;
	}
	return NULL;
}

/* Return whether the n-byte needle occurs in the first len bytes of hay,
 * ignoring ASCII case. */
static int attach_find_nocase(const unsigned char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (strncasecmp((const char *)hay + i, needle, n) == 0)
			return 1;
	return 0;
}

/* Return whether the first len bytes of buf read as text: UTF-8 without
 * controls other than whitespace.  A sequence cut by the end of the sample
 * does not count against it. */
static int attach_looks_text(const unsigned char *buf, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char b = buf[i];
		if (b < 0x80) {
			if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f') || b == 0x7F)
				return 0;
			i++;
			continue;
		}
		size_t need = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
		if (!need)
			return 0;
		for (size_t k = 1; k < need; k++) {
			if (i + k >= len)
				return 1;
			if ((buf[i + k] & 0xC0) != 0x80)
				return 0;
		}
		i += need;
	}
	return 1;
}

/* Return whether an ISO media file (an "ftyp" box first) names a HEIF or AVIF
 * brand, as major brand or as one of the compatible brands. */
static int attach_is_heif(const unsigned char *buf, size_t len)
{
	static const char brands[][5] = {"heic", "heix", "hevc", "hevx", "heim", "heis",
					 "mif1", "msf1", "avif", "avis"};
	if (len < 16 || memcmp(buf + 4, "ftyp", 4) != 0)
		return 0;
	size_t box = attach_be32(buf);
	if (box > len)
		box = len;
	for (size_t off = 8; off + 4 <= box; off += 4) {
		if (off == 12)
			continue; /* minor version, not a brand */
		for (size_t b = 0; b < sizeof brands / sizeof brands[0]; b++)
			if (memcmp(buf + off, brands[b], 4) == 0)
				return 1;
	}
	return 0;
}

/* Return a static, translated phrase naming what buf looks like. */
const char *image_sniff_describe(const unsigned char *buf, size_t len)
{
	switch (image_sniff(buf, len)) {
	case IMAGE_PNG:
		return _("a PNG image");
	case IMAGE_JPEG:
		return _("a JPEG image");
	case IMAGE_GIF:
		return _("a GIF image");
	case IMAGE_WEBP:
		return _("a WebP image");
	case IMAGE_UNKNOWN:
		break;
	}
	if (len == 0)
		return _("an empty file");
	if (attach_has_prefix(buf, len, "%PDF-", 5))
		return _("a PDF document");
	if (attach_has_prefix(buf, len, "PK\x03\x04", 4) || attach_has_prefix(buf, len, "PK\x05\x06", 4) ||
	    attach_has_prefix(buf, len, "PK\x07\x08", 4))
		return _("a ZIP archive");
	if (attach_has_prefix(buf, len, "\x1f\x8b", 2))
		return _("gzip data");
	if (attach_has_prefix(buf, len, "\x7f" "ELF", 4))
		return _("an ELF executable");
	/* "BM" alone is too common a text start: also require a known DIB header size. */
	if (len >= 18 && buf[0] == 'B' && buf[1] == 'M') {
		uint32_t dib = attach_le32(buf + 14);
		if (dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124)
			return _("a BMP image (not supported)");
	}
	if (attach_has_prefix(buf, len, "II*\0", 4) || attach_has_prefix(buf, len, "MM\0*", 4))
		return _("a TIFF image (not supported)");
	if (attach_is_heif(buf, len))
		return _("a HEIC/AVIF image (not supported)");

	size_t n = len < 4096 ? len : 4096;
	if (!attach_looks_text(buf, n))
		return _("unknown data");
	size_t i = 0;
	if (attach_has_prefix(buf, n, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i < n && buf[i] == '<') {
		const unsigned char *p = buf + i;
		size_t m = n - i;
		if (attach_find_nocase(p, m < 14 ? m : 14, "<!doctype html") ||
		    attach_find_nocase(p, m < 5 ? m : 5, "<html"))
			return _("HTML");
		if (attach_find_nocase(p, m, "<svg"))
			return _("an SVG image (not supported)");
		if (attach_find_nocase(p, m, "<html") || attach_find_nocase(p, m, "<head") ||
		    attach_find_nocase(p, m, "<body"))
			return _("HTML");
	}
	return _("text");
}

/* Read the width and height of a JPEG from its first SOFn segment into *w and
 * *h; return 0, or -1 if the data ends (or the scan starts) before one. */
static int attach_jpeg_size(const unsigned char *buf, size_t len, unsigned *w, unsigned *h)
{
	size_t i = 2;
	for (;;) {
		/* Like libjpeg, tolerate stray bytes before a marker and any
		 * number of 0xFF fill bytes. */
		while (i < len && buf[i] != 0xFF)
			i++;
		while (i < len && buf[i] == 0xFF)
			i++;
		if (i >= len)
			return -1;
		unsigned char m = buf[i++];
		if (m == 0x00 || m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7))
			continue; /* no length field follows these */
		if (m == 0xD9 || m == 0xDA)
			return -1; /* end of image or start of scan: no frame header seen */
		if (len - i < 2)
			return -1;
		size_t seglen = attach_be16(buf + i);
		if (seglen < 2)
			return -1;
		/* SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			if (seglen < 7 || len - i < 7)
				return -1;
			*h = attach_be16(buf + i + 3);
			*w = attach_be16(buf + i + 5);
			return 0;
		}
		if (len - i < seglen)
			return -1;
		i += seglen;
	}
}

/* Read the canvas size of a WebP from its first chunk (VP8, VP8L or VP8X)
 * into *w and *h; return 0, or -1 when it is truncated or unknown. */
static int attach_webp_size(const unsigned char *buf, size_t len, unsigned *w, unsigned *h)
{
	if (len < 20)
		return -1;
	const unsigned char *fourcc = buf + 12;
	const unsigned char *d = buf + 20;
	size_t n = len - 20;
	if (memcmp(fourcc, "VP8 ", 4) == 0) {
		/* A 3-byte frame tag (bit 0 clear on key frames), then the start code. */
		if (n < 10 || (d[0] & 1) || memcmp(d + 3, "\x9d\x01\x2a", 3) != 0)
			return -1;
		*w = attach_le16(d + 6) & 0x3FFF;
		*h = attach_le16(d + 8) & 0x3FFF;
		return 0;
	}
	if (memcmp(fourcc, "VP8L", 4) == 0) {
		if (n < 5 || d[0] != 0x2F)
			return -1;
		uint32_t bits = attach_le32(d + 1);
		*w = (bits & 0x3FFF) + 1;
		*h = ((bits >> 14) & 0x3FFF) + 1;
		return 0;
	}
	if (memcmp(fourcc, "VP8X", 4) == 0) {
		if (n < 10)
			return -1;
		*w = attach_le24(d + 4) + 1;
		*h = attach_le24(d + 7) + 1;
		return 0;
	}
	return -1;
}

/* Read the pixel size from the header into *w and *h; return 0, or -1 when it cannot tell. */
int image_size(const unsigned char *buf, size_t len, enum image_type t, unsigned *w, unsigned *h)
{
	unsigned ww = 0, hh = 0;
	int rc = -1;
	switch (t) {
	case IMAGE_PNG:
		if (len >= 24 && memcmp(buf + 12, "IHDR", 4) == 0) {
			uint32_t pw = attach_be32(buf + 16), ph = attach_be32(buf + 20);
			/* The PNG spec caps dimensions at 2^31-1. */
			if (pw <= 0x7FFFFFFF && ph <= 0x7FFFFFFF) {
				ww = pw;
				hh = ph;
				rc = 0;
			}
		}
		break;
	case IMAGE_JPEG:
		rc = attach_jpeg_size(buf, len, &ww, &hh);
		break;
	case IMAGE_GIF:
		if (len >= 10) {
			ww = attach_le16(buf + 6);
			hh = attach_le16(buf + 8);
			rc = 0;
		}
		break;
	case IMAGE_WEBP:
		rc = attach_webp_size(buf, len, &ww, &hh);
		break;
	case IMAGE_UNKNOWN:
		break;
	}
	if (rc != 0 || ww == 0 || hh == 0)
		return -1;
	*w = ww;
	*h = hh;
	return 0;
}

/* Return the base64 length of n bytes without the NUL, or 0 on overflow. */
size_t attach_base64_len(size_t n)
{
	size_t groups = n / 3 + (n % 3 != 0);
	if (groups > (SIZE_MAX - 1) / 4)
		return 0;
	return groups * 4;
}

/* Write the NUL-terminated base64 form of src to dst (attach_base64_len(n) + 1 bytes). */
void attach_base64_encode(char *dst, const unsigned char *src, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i = 0;
	/* Whole groups first, with no per-byte branches: this runs over
	 * megabytes for every attached image. */
	for (; n - i >= 3; i += 3) {
		uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8 | src[i + 2];
		dst[0] = tab[v >> 18];
		dst[1] = tab[(v >> 12) & 63];
		dst[2] = tab[(v >> 6) & 63];
		dst[3] = tab[v & 63];
		dst += 4;
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)src[i] << 16;
		dst[0] = tab[v >> 18];
		dst[1] = tab[(v >> 12) & 63];
		dst[2] = '=';
		dst[3] = '=';
		dst += 4;
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8;
		dst[0] = tab[v >> 18];
		dst[1] = tab[(v >> 12) & 63];
		dst[2] = tab[(v >> 6) & 63];
		dst[3] = '=';
		dst += 4;
	}
	*dst = '\0';
}

/* Return the value of base64 digit c, or -1. */
static int attach_base64_digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode the first bytes (at most max) of the base64 payload of a data:
 * URI; newly malloc'ed bytes or NULL. */
unsigned char *attach_data_uri_prefix(const char *url, size_t max, size_t *len)
{
	const char *comma = strncmp(url, "data:", 5) == 0 ? strchr(url, ',') : NULL;
	if (!comma || comma - url < 7 || strncmp(comma - 7, ";base64", 7) != 0)
		return NULL;
	const char *p = comma + 1;
	/* Only the digits that make max bytes are looked at (and counted). */
	size_t digits = max < SIZE_MAX / 4 - 4 ? (max + 2) / 3 * 4 : SIZE_MAX;
	size_t avail = strnlen(p, digits);
	size_t cap = avail / 4 * 3 + 3;
	unsigned char *out = malloc(cap < max ? cap : max ? max : 1);
	if (!out)
		return NULL;
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0;
	for (; *p && *p != '=' && n < max; p++) {
		int v = attach_base64_digit((unsigned char)*p);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	*len = n;
	return out;
}

/* Decode the base64 payload of a data: URI; newly malloc'ed bytes or NULL. */
unsigned char *attach_data_uri_bytes(const char *url, size_t *len)
{
	return attach_data_uri_prefix(url, SIZE_MAX, len);
}

/* Initialise an empty attachment. */
void attachment_init(struct attachment *a)
{
	memset(a, 0, sizeof *a);
	a->type = IMAGE_UNKNOWN;
}

/* Free what a owns; it is empty (and reusable) afterwards. */
void attachment_done(struct attachment *a)
{
	free(a->arg);
	free(a->name);
	free(a->url);
	free(a->summary);
	attachment_init(a);
}

/* Return the short display name of t ("PNG", ...); static. */
const char *image_type_name(enum image_type t)
{
	switch (t) {
	case IMAGE_PNG:
		return "PNG";
	case IMAGE_JPEG:
		return "JPEG";
	case IMAGE_GIF:
		return "GIF";
	case IMAGE_WEBP:
		return "WebP";
	case IMAGE_UNKNOWN:
		break;
	}
	return "?";
}

/* Return a newly allocated human-readable size ("512 bytes", "61.2 MB") in
 * binary units; round_up picks the rounding, so that a file just over a limit
 * never prints the same number as the limit.  The caller frees it. */
char *attach_format_size(uintmax_t bytes, int round_up)
{
	static const char *const units[] = {N_("kB"), N_("MB"), N_("GB"), N_("TB")};
	if (bytes < 1024)
		return xasprintf(P_("%ju byte", "%ju bytes", bytes), bytes);
	uintmax_t unit = 1024;
	size_t u = 0;
	while (u + 1 < sizeof units / sizeof units[0] && bytes / unit >= 1024) {
		unit *= 1024;
		u++;
	}
	uintmax_t whole = bytes / unit, rem = bytes % unit;
	uintmax_t tenths = round_up ? (rem * 10 + unit - 1) / unit : rem * 10 / unit;
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	if (tenths == 0)
		return xasprintf("%ju %s", whole, _(units[u]));
	return xasprintf("%ju.%ju %s", whole, tenths, _(units[u]));
}

/* Store a newly allocated message "ARG: TEXT" in *err (when err is set); return -1. */
static int attach_fail(char **err, const char *arg, const char *text)
{
	if (err)
		*err = xasprintf("%s: %s", arg, text);
	return -1;
}

/* Read exactly up to size bytes of fd into a newly malloc'ed buffer (the
 * caller frees it) and store the count read in *got; return NULL with errno
 * set on failure.  Plain malloc: the size comes from the file. */
static unsigned char *attach_read_fd(int fd, size_t size, size_t *got)
{
	unsigned char *buf = malloc(size ? size : 1);
	if (!buf)
		return NULL;
	size_t n = 0;
	while (n < size) {
		ssize_t r = read(fd, buf + n, size - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			free(buf);
			errno = saved;
			return NULL;
		}
		if (r == 0)
			break; /* the file shrank since fstat: use what is there */
		n += (size_t)r;
	}
	*got = n;
	return buf;
}

/* Return whether arg is an http:// or https:// URL (the scheme in any case). */
static int attach_is_url(const char *arg)
{
	return strncasecmp(arg, "http://", 7) == 0 || strncasecmp(arg, "https://", 8) == 0;
}

/* Fill a from the local image file arg: checks, read, sniff, data URI.
 * Return 0, or -1 with *err set as attachment_load() describes. */
int attachment_read(const char *arg, size_t max_bytes, unsigned char **out, size_t *out_len,
		    char **err)
{
	*out = NULL;
	*out_len = 0;
	/* O_NONBLOCK so that a FIFO given by mistake cannot hang the
	 * program in open(); fstat then refuses it. */
	int fd = open(arg, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return attach_fail(err, arg, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int saved = errno;
		close(fd);
		return attach_fail(err, arg, strerror(saved));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return attach_fail(err, arg, _("is a directory, not an image file"));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return attach_fail(err, arg, _("not a regular file"));
	}
	if (st.st_size <= 0) {
		close(fd);
		return attach_fail(err, arg, _("the file is empty"));
	}
	if ((uintmax_t)st.st_size > max_bytes) {
		close(fd);
		char *have = attach_format_size((uintmax_t)st.st_size, 1);
		char *limit = attach_format_size(max_bytes, 0);
		if (err)
			*err = xasprintf(_("%s: %s is larger than the %s limit"), arg, have, limit);
		free(have);
		free(limit);
		return -1;
	}

	size_t got = 0;
	unsigned char *buf = attach_read_fd(fd, (size_t)st.st_size, &got);
	int saved = errno;
	close(fd);
	if (!buf)
		return attach_fail(err, arg, strerror(saved));
	if (got == 0) {
		free(buf);
		return attach_fail(err, arg, _("the file is empty"));
	}
	if (attachment_check(arg, buf, got, err) != 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = got;
	return 0;
}

/* Check that the len bytes at buf are an image with a whole header, by
 * their magic bytes; 0, or -1 with *err naming arg. */
int attachment_check(const char *arg, const unsigned char *buf, size_t len, char **err)
{
	if (len == 0)
		return attach_fail(err, arg, _("the file is empty"));
	enum image_type type = image_sniff(buf, len);
	if (type == IMAGE_UNKNOWN) {
		if (err)
			*err = xasprintf(_("%s: not an image (it looks like %s)"), arg,
					 image_sniff_describe(buf, len));
		return -1;
	}
	unsigned w, h;
	if (image_size(buf, len, type, &w, &h) != 0) {
		if (err)
			*err = xasprintf(_("%s: the %s image is truncated or damaged"), arg,
					 image_type_name(type));
		return -1;
	}
	return 0;
}

/* Return the name an http(s) URL is shown by: the last segment of its
 * path, without query or fragment (the whole URL when that is empty);
 * newly allocated, the caller frees it. */
char *attachment_url_name(const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	size_t end = strcspn(p, "?#");
	const char *path = memchr(p, '/', end);
	if (!path)
		return xstrdup(url);
	const char *seg = path, *stop = p + end;
	for (const char *q = path; q < stop; q++)
		if (*q == '/' && q + 1 < stop)
			seg = q + 1;
	size_t n = (size_t)(stop - seg);
	while (n && seg[n - 1] == '/')
		n--;
	if (n == 0 || *seg == '/')
		return xstrdup(url);
	return xstrndup(seg, n);
}

char *attachment_data_uri(const unsigned char *buf, size_t len, enum image_type type)
{
	/* One allocation of the exact size: the prefix, then the base64 text
	 * written in place. */
	const char *mime = image_type_mime(type);
	if (!mime)
		return NULL;
	size_t prefix = strlen("data:") + strlen(mime) + strlen(";base64,");
	size_t b64 = attach_base64_len(len);
	char *url = NULL;
	if (b64 != 0 && b64 <= SIZE_MAX - prefix - 1)
		url = malloc(prefix + b64 + 1);
	if (!url)
		return NULL;
	memcpy(url, "data:", 5);
	memcpy(url + 5, mime, strlen(mime));
	memcpy(url + 5 + strlen(mime), ";base64,", 8);
	attach_base64_encode(url + prefix, buf, len);
	return url;
}

int attachment_set_file(struct attachment *a, const char *arg, const unsigned char *orig,
			size_t orig_len, const unsigned char *sent, size_t sent_len,
			enum image_type sent_type, char **err)
{
	enum image_type type = image_sniff(orig, orig_len);
	unsigned w = 0, h = 0, sw = 0, sh = 0;
	image_size(orig, orig_len, type, &w, &h);
	image_size(sent, sent_len, sent_type, &sw, &sh);
	char *url = attachment_data_uri(sent, sent_len, sent_type);
	if (!url)
		return attach_fail(err, arg, _("not enough memory to encode the image"));
	attachment_done(a);
	const char *slash = strrchr(arg, '/');
	a->arg = xstrdup(arg);
	a->name = attach_is_url(arg) ? attachment_url_name(arg)
				     : xstrdup(slash && slash[1] ? slash + 1 : arg);
	a->is_url = false;
	a->type = type;
	a->width = w;
	a->height = h;
	a->bytes = orig_len;
	a->sent_type = sent_type;
	a->sent_width = sw;
	a->sent_height = sh;
	a->sent_bytes = sent_len;
	a->url = url;
	return 0;
}

/* Read the local image arg into a, unchanged; 0 or -1 with *err. */
static int attach_load_file(struct attachment *a, const char *arg, size_t max_bytes, char **err)
{
	unsigned char *buf;
	size_t len;
	if (attachment_read(arg, max_bytes, &buf, &len, err) != 0)
		return -1;
	int rc = attachment_set_file(a, arg, buf, len, buf, len, image_sniff(buf, len), err);
	free(buf);
	return rc;
}

/* Load a URL or a local image into a; return 0, or -1 with a newly allocated *err. */
int attachment_load(struct attachment *a, const char *arg, size_t max_bytes, char **err)
{
	attachment_done(a);
	if (err)
		*err = NULL;
	if (attach_is_url(arg)) {
		a->arg = xstrdup(arg);
		a->name = xstrdup(arg);
		a->url = xstrdup(arg);
		a->is_url = true;
		return 0;
	}
	return attach_load_file(a, arg, max_bytes, err);
}
