#include <config.h>

#include "core/errbody.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/htmltext.h"
#include "core/sanitize.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"

/* Longest message taken from a JSON error, in characters. */
#define ERRBODY_MAX_MESSAGE 200
/* Longest excerpt of an HTML or plain-text body, in characters. */
#define ERRBODY_MAX_EXCERPT 160
/* Longest type, code or param kept. */
#define ERRBODY_MAX_FIELD 64
/* How much of an HTML page is scanned: titles and headings come early. */
#define ERRBODY_MAX_HTML_SCAN (256 * 1024)
/* Nesting followed through error objects and wrapping arrays. */
#define ERRBODY_MAX_DEPTH 4

/* Initialise an empty error. */
void api_error_init(struct api_error *e)
{
	memset(e, 0, sizeof *e);
}

/* Free what e owns; it is empty (and reusable) afterwards. */
void api_error_done(struct api_error *e)
{
	free(e->message);
	free(e->type);
	free(e->code);
	free(e->param);
	api_error_init(e);
}

/* Return whether cp is white space to fold into one ASCII space. */
static int errbody_is_space(uint32_t cp)
{
	return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || cp == 0x2028 || cp == 0x2029;
}

/* Return whether cp must not reach a terminal: C0/C1 controls, DEL, and the
 * bidi controls that can make a line read as something else. */
static int errbody_is_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Append the n bytes at s to out as one line: white space runs folded into
 * single spaces (none leading or trailing), controls and invalid bytes
 * replaced by one U+FFFD per run between spaces.  Stop after max characters so huge bodies
 * cost little; a result of max characters means there may be more. */
static void errbody_clean(struct strbuf *out, const char *str, size_t n, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t count = 0;
	int space = 0, bad = 0;
	for (size_t i = 0; i < n && count < max;) {
		uint32_t cp;
		size_t k = 1;
		if (s[i] < 0x80) {
			cp = s[i];
		} else if ((k = sanitize_utf8_len(s + i, n - i)) != 0) {
			cp = sanitize_utf8_decode(s + i, k);
		} else {
			cp = 0xFFFD;
			k = 1;
		}
		i += k;
		if (errbody_is_space(cp)) {
			space = 1;
			bad = 0;
			continue;
		}
		int unsafe = cp == 0xFFFD || errbody_is_unsafe(cp);
		if (unsafe && bad)
			continue;
		if (space && out->len) {
			strbuf_putc(out, ' ');
			count++;
		}
		space = 0;
		bad = unsafe;
		if (unsafe)
			strbuf_append(out, "\xEF\xBF\xBD", 3);
		else
			strbuf_append(out, str + i - k, k);
		count++;
	}
}

/* Return s (a cleaned line) cut to at most max characters at a word boundary
 * with "…" appended, or unchanged when it fits; s is freed or returned. */
static char *errbody_excerpt(char *s, size_t max)
{
	size_t count = 0, cut = 0;
	for (size_t i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xC0) == 0x80)
			continue;
		if (count == max - 1)
			cut = i;
		count++;
	}
	if (count <= max)
		return s;
	/* Prefer the last space, unless that would throw most of it away. */
	size_t sp = cut;
	while (sp > 0 && s[sp] != ' ')
		sp--;
	if (sp > cut / 2)
		cut = sp;
	while (cut > 0 && strchr(" ,;:-", s[cut - 1]))
		cut--;
	struct strbuf out = STRBUF_INIT;
	strbuf_append(&out, s, cut);
	strbuf_puts(&out, "…");
	free(s);
	return strbuf_detach(&out);
}

/* Return a newly allocated cleaned line of at most max characters made from
 * the n bytes at s, or NULL when nothing printable is left.  The caller frees it. */
static char *errbody_line(const char *s, size_t n, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	errbody_clean(&sb, s, n, max + 1);
	if (sb.len == 0) {
		strbuf_done(&sb);
		return NULL;
	}
	return errbody_excerpt(strbuf_detach(&sb), max);
}

/* ---- JSON shapes ---------------------------------------------------- */

/* Return the string member key of obj, or NULL when absent or not a string; borrowed. */
static const char *errbody_json_str(struct json_object *obj, const char *key, size_t *len)
{
	struct json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

/* Append the human text of an error value to out: a string as is, an array's
 * items joined with "; ", an object's "msg"/"message" (FastAPI's "loc" path
 * in front).  Return whether anything was appended. */
static int errbody_json_text(struct strbuf *out, struct json_object *v, int depth)
{
	size_t before = out->len, n;
	const char *s;
	if (depth > ERRBODY_MAX_DEPTH || !v)
		return 0;
	switch (json_object_get_type(v)) {
	case json_type_string:
		strbuf_append(out, json_object_get_string(v), (size_t)json_object_get_string_len(v));
		break;
	case json_type_array: {
		size_t len = json_object_array_length(v);
		for (size_t i = 0; i < len && i < 5 && out->len - before < 1024; i++) {
			size_t mark = out->len;
			if (out->len > before)
				strbuf_puts(out, "; ");
			if (!errbody_json_text(out, json_object_array_get_idx(v, i), depth + 1) &&
			    out->len != mark) {
				out->len = mark; /* drop the separator */
				out->data[mark] = '\0';
			}
		}
		break;
	}
	case json_type_object: {
		s = errbody_json_str(v, "msg", &n);
		if (!s)
			s = errbody_json_str(v, "message", &n);
		if (!s)
			break;
		struct json_object *loc;
		if (json_object_object_get_ex(v, "loc", &loc) && json_object_is_type(loc, json_type_array)) {
			size_t len = json_object_array_length(loc);
			for (size_t i = 0; i < len && i < 8; i++) {
				const char *part = json_object_get_string(json_object_array_get_idx(loc, i));
				if (i > 0)
					strbuf_putc(out, '.');
				strbuf_puts(out, part ? part : "?");
			}
			if (len)
				strbuf_puts(out, ": ");
		}
		strbuf_append(out, s, n);
		break;
	}
	default:
		break;
	}
	return out->len > before;
}

/* Return a newly allocated cleaned copy of a short identifier field (a string
 * or a number) of obj, or NULL; the caller frees it. */
static char *errbody_json_field(struct json_object *obj, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !v)
		return NULL;
	switch (json_object_get_type(v)) {
	case json_type_string:
		return errbody_line(json_object_get_string(v), (size_t)json_object_get_string_len(v),
				    ERRBODY_MAX_FIELD);
	case json_type_int:
		return xasprintf("%lld", (long long)json_object_get_int64(v));
	case json_type_double:
		return xasprintf("%g", json_object_get_double(v));
	default:
		return NULL;
	}
}

/* Free e's strings, keeping its status. */
static void errbody_clear_fields(struct api_error *e)
{
	long status = e->status;
	api_error_done(e);
	e->status = status;
}

/* Fill e from one object's own members (message, detail, errors, ..., type,
 * code, param); return 0 if a message, type or code was found. */
static int errbody_json_flat(struct api_error *e, struct json_object *obj)
{
	static const char *const text_keys[] = {"message", "detail", "errors", "error_description",
						"msg", "title"};
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < sizeof text_keys / sizeof text_keys[0] && sb.len == 0; i++) {
		struct json_object *v;
		if (json_object_object_get_ex(obj, text_keys[i], &v))
			errbody_json_text(&sb, v, 1);
	}
	char *message = errbody_line(strbuf_str(&sb), sb.len, ERRBODY_MAX_MESSAGE);
	strbuf_done(&sb);
	char *type = errbody_json_field(obj, "type");
	/* Google puts its symbolic code in "status"; RFC 7807 puts a URI in "type". */
	if (type && (strstr(type, "://") || strncmp(type, "about:", 6) == 0)) {
		free(type);
		type = NULL;
	}
	if (!type) {
		struct json_object *st;
		if (json_object_object_get_ex(obj, "status", &st) && json_object_is_type(st, json_type_string))
			type = errbody_json_field(obj, "status");
	}
	char *code = errbody_json_field(obj, "code");
	if (!message && !type && !code)
		return -1;
	e->message = message;
	e->type = type;
	e->code = code;
	e->param = errbody_json_field(obj, "param");
	return 0;
}

/* Fill e from a JSON error shape at the given nesting depth; return 0, or -1
 * with e unchanged. */
static int errbody_json_shape(struct api_error *e, struct json_object *v, int depth)
{
	if (depth > ERRBODY_MAX_DEPTH || !v)
		return -1;
	if (json_object_is_type(v, json_type_array)) {
		size_t len = json_object_array_length(v);
		for (size_t i = 0; i < len && i < 8; i++)
			if (errbody_json_shape(e, json_object_array_get_idx(v, i), depth + 1) == 0)
				return 0;
		return -1;
	}
	if (!json_object_is_type(v, json_type_object))
		return -1;
	struct json_object *err;
	if (json_object_object_get_ex(v, "error", &err) && err) {
		if (json_object_is_type(err, json_type_string)) {
			/* {"error":"Not Found","message":"Cannot POST /x"}: the
			 * message says more than the error's name. */
			if (errbody_json_flat(e, v) == 0 && e->message)
				return 0;
			errbody_clear_fields(e);
			e->message = errbody_line(json_object_get_string(err),
						  (size_t)json_object_get_string_len(err), ERRBODY_MAX_MESSAGE);
			if (!e->message)
				return -1;
			e->code = errbody_json_field(v, "code");
			e->type = errbody_json_field(v, "type");
			return 0;
		}
		if (errbody_json_shape(e, err, depth + 1) == 0)
			return 0;
	}
	return errbody_json_flat(e, v);
}

/* Fill e from a parsed JSON error shape; return 0, or -1 with e unchanged. */
int api_error_from_json(struct api_error *e, struct json_object *root)
{
	struct api_error tmp;
	api_error_init(&tmp);
	tmp.status = e->status;
	if (errbody_json_shape(&tmp, root, 0) != 0) {
		api_error_done(&tmp);
		return -1;
	}
	api_error_done(e);
	*e = tmp;
	return 0;
}

/* Return a newly allocated excerpt of an HTML page: its title (or first
 * heading), " — ", then the start of its text without the repeated heading;
 * NULL when the page shows nothing.  The caller frees it. */
static char *errbody_html_message(const char *s, size_t n)
{
	struct html_scan h;
	memset(&h, 0, sizeof h);
	html_scan_page(&h, s, n < ERRBODY_MAX_HTML_SCAN ? n : ERRBODY_MAX_HTML_SCAN);
	char *title = errbody_line(strbuf_str(&h.title), h.title.len, ERRBODY_MAX_EXCERPT);
	char *h1 = errbody_line(strbuf_str(&h.h1), h.h1.len, ERRBODY_MAX_EXCERPT);
	char *text = errbody_line(strbuf_str(&h.text), h.text.len, HTML_MAX_TEXT);
	strbuf_done(&h.title);
	strbuf_done(&h.h1);
	strbuf_done(&h.text);

	const char *heading = title ? title : h1;
	const char *rest = text ? text : "";
	/* Pages usually repeat their title as the first heading: say it once. */
	if (heading && strncmp(rest, heading, strlen(heading)) == 0 &&
	    (rest[strlen(heading)] == ' ' || rest[strlen(heading)] == '\0')) {
		rest += strlen(heading);
		while (*rest == ' ')
			rest++;
	}
	struct strbuf msg = STRBUF_INIT;
	if (heading)
		strbuf_puts(&msg, heading);
	if (*rest) {
		if (msg.len)
			strbuf_puts(&msg, " — ");
		strbuf_puts(&msg, rest);
	}
	free(title);
	free(h1);
	free(text);
	if (!msg.len) {
		strbuf_done(&msg);
		return NULL;
	}
	return errbody_excerpt(strbuf_detach(&msg), ERRBODY_MAX_EXCERPT);
}

/* ---- the body as a whole -------------------------------------------- */

/* Return whether the body is binary rather than text: a NUL, or more than
 * one in ten of its first kilobyte (and more than three bytes) being controls
 * or invalid UTF-8. */
static bool errbody_looks_binary(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t sample = n < 1024 ? n : 1024, bad = 0;
	for (size_t i = 0; i < sample;) {
		unsigned char b = s[i];
		if (b == 0)
			return true;
		if (b < 0x80) {
			if ((b < 0x20 && !(b >= '\t' && b <= '\r')) || b == 0x7F)
				bad++;
			i++;
			continue;
		}
		/* Validate against the whole body so a sequence cut by the
		 * sample's end is not counted as invalid. */
		size_t k = sanitize_utf8_len(s + i, n - i);
		if (k == 0) {
			bad++;
			k = 1;
		}
		i += k;
	}
	return bad > 3 && bad * 10 > sample;
}

/* Return whether the body is markup to strip: an HTML or XML content type,
 * or a body that starts with a tag. */
static bool errbody_is_markup(const char *content_type, const char *s, size_t n)
{
	if (content_type) {
		size_t len = strlen(content_type);
		if (html_find_nocase(content_type, len, 0, "html") < len ||
		    html_find_nocase(content_type, len, 0, "xml") < len)
			return true;
	}
	if (n >= 2 && s[0] == '<') {
		char c = s[1];
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '!' || c == '?';
	}
	return false;
}

/* Replace e with what an HTTP reply says: JSON first, then binary, markup or plain text. */
void api_error_parse(struct api_error *e, long status, const char *content_type, const char *body,
		     size_t len)
{
	api_error_done(e);
	e->status = status;
	if (!body || len == 0)
		return;
	const char *p = body;
	size_t n = len;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		n -= 3;
	}
	while (n && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		p++;
		n--;
	}
	if (n == 0)
		return;
	/* Whatever the Content-Type says: gateways label JSON as text/html
	 * and HTML as application/json. */
	if ((*p == '{' || *p == '[') && n <= INT_MAX) {
		struct json_tokener *tok = json_tokener_new();
		if (!tok || xalloc_torture_fail())
			xalloc_out_of_memory(n);
		struct json_object *root = json_tokener_parse_ex(tok, p, (int)n);
		bool found = root && api_error_from_json(e, root) == 0;
		json_object_put(root);
		json_tokener_free(tok);
		if (found)
			return;
	}
	if (errbody_looks_binary(p, n))
		e->message = xasprintf(P_("%zu byte of binary data", "%zu bytes of binary data", len), len);
	else if (errbody_is_markup(content_type, p, n))
		e->message = errbody_html_message(p, n);
	else
		e->message = errbody_line(p, n, ERRBODY_MAX_EXCERPT);
}

/* ---- the line ------------------------------------------------------- */

/* Return the English reason phrase of status, or NULL; static. */
static const char *errbody_reason_en(long status)
{
	switch (status) {
	case 200: return N_("OK");
	case 400: return N_("Bad Request");
	case 401: return N_("Unauthorized");
	case 402: return N_("Payment Required");
	case 403: return N_("Forbidden");
	case 404: return N_("Not Found");
	case 405: return N_("Method Not Allowed");
	case 406: return N_("Not Acceptable");
	case 407: return N_("Proxy Authentication Required");
	case 408: return N_("Request Timeout");
	case 409: return N_("Conflict");
	case 410: return N_("Gone");
	case 411: return N_("Length Required");
	case 413: return N_("Payload Too Large");
	case 414: return N_("URI Too Long");
	case 415: return N_("Unsupported Media Type");
	case 422: return N_("Unprocessable Entity");
	case 424: return N_("Failed Dependency");
	case 425: return N_("Too Early");
	case 429: return N_("Too Many Requests");
	case 431: return N_("Request Header Fields Too Large");
	case 451: return N_("Unavailable For Legal Reasons");
	case 500: return N_("Internal Server Error");
	case 501: return N_("Not Implemented");
	case 502: return N_("Bad Gateway");
	case 503: return N_("Service Unavailable");
	case 504: return N_("Gateway Timeout");
	case 505: return N_("HTTP Version Not Supported");
	/* Cloudflare's own statuses, common in front of API gateways. */
	case 520: return N_("Web Server Returned an Unknown Error");
	case 521: return N_("Web Server Is Down");
	case 522: return N_("Connection Timed Out");
	case 523: return N_("Origin Is Unreachable");
	case 524: return N_("A Timeout Occurred");
	/* Anthropic (and compatible gateways) answer 529 when overloaded. */
	case 529: return N_("Overloaded");
	default: return NULL;
	}
}

/* Return the translated reason phrase of status, or NULL; static. */
const char *api_status_reason(long status)
{
	const char *r = errbody_reason_en(status);
	return r ? _(r) : NULL;
}

/* Return the short tag to show after the message: the code, else the type,
 * skipping one that only repeats the status or what the message says; borrowed. */
static const char *errbody_tag(const struct api_error *e)
{
	char status[24];
	snprintf(status, sizeof status, "%ld", e->status);
	const char *cands[] = {e->code, e->type};
	for (size_t i = 0; i < 2; i++) {
		const char *t = cands[i];
		if (!t || !*t || strcmp(t, status) == 0 || strcmp(t, "error") == 0)
			continue;
		if (e->message && strstr(e->message, t))
			return NULL;
		return t;
	}
	return NULL;
}

/* Return msg past a leading "STATUS Reason" (and the separators after it)
 * that only repeats what the line already says, as gateway pages do;
 * borrowed from msg. */
static const char *errbody_skip_status(const char *msg, long status)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%ld", status);
	if (strncmp(msg, num, (size_t)n) != 0 || msg[n] != ' ')
		return msg;
	const char *p = msg + n + 1;
	const char *reason = api_status_reason(status);
	const char *english = errbody_reason_en(status);
	if (reason && strncasecmp(p, reason, strlen(reason)) == 0)
		p += strlen(reason);
	else if (english && strncasecmp(p, english, strlen(english)) == 0)
		p += strlen(english);
	else
		return msg;
	while (*p == ' ' || *p == '|' || *p == ':' || *p == '-')
		p++;
	if (strncmp(p, "\xe2\x80\x94", 3) == 0) /* an em dash */
		p += 3;
	while (*p == ' ')
		p++;
	return *p ? p : msg;
}

/* Return a newly allocated one-line description of e; the caller frees it. */
char *api_error_format(const struct api_error *e)
{
	struct strbuf sb = STRBUF_INIT;
	if (e->status > 0) {
		const char *reason = api_status_reason(e->status);
		if (reason)
			strbuf_printf(&sb, _("HTTP %ld %s"), e->status, reason);
		else
			strbuf_printf(&sb, _("HTTP %ld"), e->status);
	}
	const char *msg = e->message;
	if (msg && e->status > 0)
		msg = errbody_skip_status(msg, e->status);
	if (msg && *msg) {
		if (sb.len)
			strbuf_puts(&sb, ": ");
		strbuf_puts(&sb, msg);
	}
	const char *tag = errbody_tag(e);
	if (tag) {
		if (sb.len)
			strbuf_putc(&sb, ' ');
		strbuf_printf(&sb, "(%s)", tag);
	}
	if (!sb.len)
		strbuf_puts(&sb, _("unknown error"));
	return strbuf_detach(&sb);
}

/* Return whether a retry may succeed where this attempt failed. */
bool api_error_retryable(const struct api_error *e)
{
	switch (e->status) {
	case 408: case 409: case 429: case 500: case 502: case 503: case 504: case 529:
		break;
	default:
		return false;
	}
	/* A 429 for an exhausted quota stays a 429 however long we wait. */
	if ((e->code && strcmp(e->code, "insufficient_quota") == 0) ||
	    (e->type && strcmp(e->type, "insufficient_quota") == 0))
		return false;
	return true;
}
