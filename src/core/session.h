/* Session records <-> a conversation: the JSON Lines of squint-session(5).
 *
 * Pure: no I/O and no clock (sessionfile writes the lines, callers pass
 * times in).  Encoding appends whole lines ("...}\n") to a strbuf; a caller
 * hands that text to sessionfile_append() as one write.  Decoding never
 * fails on one bad record: it is reported as a warning ("FILE:LINE: ...")
 * and skipped, so one torn line or one damaged image never costs the rest.
 *
 * The API key and request headers are never part of any record: nothing
 * here ever sees them. */
#ifndef SQUINT_CORE_SESSION_H
#define SQUINT_CORE_SESSION_H

#include "core/conv.h"
#include "core/params.h"
#include "core/strbuf.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#define SESSION_FORMAT_VERSION 1
/* Files beyond this are refused rather than read into memory. */
#define SESSION_MAX_FILE ((size_t)1 << 30)
/* A record (line) beyond this is skipped with a warning, not parsed: the
 * largest image squint sends (50 MB, base64) fits. */
#define SESSION_MAX_RECORD ((size_t)80 << 20)

/* An image stored once per file, referenced by its hash from messages. */
struct session_image {
	char sha256[65]; /* of the url text, lower-case hex */
	char *url;       /* data: URI or http(s) URL */
	char *name;
	unsigned width, height; /* as sent; 0 when unknown */
	size_t bytes;
	unsigned orig_width, orig_height; /* the file given; 0 when unknown */
	size_t orig_bytes;
	char *orig_mime; /* NULL for a URL */
};

/* A system prompt or a parameter change, attached after message parent
 * (0: the start); it holds for the messages after it on that branch. */
struct session_setting {
	unsigned long long id, parent;
	long long time;
	bool is_system;
	char *system;        /* is_system: the prompt, or NULL for none */
	json_object *params; /* !is_system: request fields such as "model" */
};

struct session {
	struct conv conv; /* every message of every branch, in file order */
	struct session_image *images;
	size_t n_images;
	struct session_setting *settings;
	size_t n_settings;
	int version;        /* of the header read, or SESSION_FORMAT_VERSION */
	long long created;  /* from the header */
	char *creator;      /* "squint 0.1.0" from the header, or NULL */
	unsigned long long leaf; /* the last message of the current branch, 0: none */
	char **warnings;    /* one line each, from loading */
	size_t n_warnings;
	size_t n_records;   /* records loaded */
	/* Records of types this squint does not know (a newer one wrote
	 * them), each its line without the newline: /save copies them. */
	char **extra;
	size_t n_extra;
	/* The images /forget dropped from what is sent, by hash. */
	char (*forgot)[65];
	size_t n_forgot;
	/* Private: how much of the streaming answer ckpt_id was checkpointed,
	 * content and reasoning per choice (2 entries per choice). */
	unsigned long long ckpt_id;
	size_t *ckpt_done;
	size_t n_ckpt_done;
};

/* Initialise an empty session; free it with session_done(). */
void session_init(struct session *s);
/* Free everything s owns; it is empty afterwards. */
void session_done(struct session *s);

/* Write the SHA-256 of len bytes at data into hex (64 hex digits and a NUL). */
void session_sha256_hex(const void *data, size_t len, char hex[65]);

/* Append the header record for a file created at now by squint version. */
void session_encode_header(struct session *s, struct strbuf *out, long long now,
			   const char *version);
/* Append a system record (text NULL: no system prompt) after the head of
 * the conversation; it is added to s->settings. */
void session_encode_system(struct session *s, struct strbuf *out, const char *text,
			   long long now);
/* Append a params record with the request fields of params (see
 * session_params_json) after the head; s takes a reference of params. */
void session_encode_params(struct session *s, struct strbuf *out, json_object *params,
			   long long now);
/* Append the record of message i of s->conv (user, tool or final answer),
 * preceded by a record for each of its images the file lacks. */
void session_encode_msg(struct session *s, size_t i, struct strbuf *out);
/* Append a checkpoint of the streaming answer i: the text that arrived
 * since its last checkpoint; returns false (nothing appended) when none. */
bool session_encode_checkpoint(struct session *s, size_t i, struct strbuf *out);
/* Append a select record: the current branch ends at message leaf, whose
 * chosen choice is chosen (-1: unchanged). */
void session_encode_select(struct session *s, struct strbuf *out, unsigned long long leaf,
			   long chosen, long long now);

/* Mark every image part of s whose image is url as forgotten (no longer
 * sent) and remember its hash; returns how many parts were marked. */
size_t session_forget(struct session *s, const char *url);
/* Append a forget record for the image url (see session_forget, done
 * here) made at now. */
void session_encode_forget(struct session *s, struct strbuf *out, const char *url, long long now);

/* Append every record of s but the header, for a new file (/save): the
 * settings and messages in id order, each image before its first use, an
 * answer still streaming as a checkpoint, and a select record (made at
 * now) for the current branch.  The file s writes to from now on is the
 * new one: later records build on these. */
void session_encode_all(struct session *s, struct strbuf *out, long long now);

/* Load the records of the file text buf (len bytes) into s, which must be
 * empty; file names the warnings.  Returns 0 (warnings in s->warnings), or
 * -1 with *err newly allocated when buf is not a session file at all. */
int session_load(struct session *s, const char *buf, size_t len, const char *file, char **err);

/* Return a new object of the request fields p sets (model, temperature,
 * ...), without messages, stream or the system prompt; caller puts it. */
json_object *session_params_json(const struct chat_params *p);
/* Return the system prompt in force at the end of the branch ending at
 * leaf (borrowed), or NULL when none. */
const char *session_system(const struct session *s, unsigned long long leaf);
/* Return the last params record's fields in force at the end of the branch
 * ending at leaf (borrowed), or NULL when none. */
json_object *session_params(const struct session *s, unsigned long long leaf);
/* Set the fields of p from params (a params record's object) that p does
 * not set itself (see session_params_json; the model counts as not set
 * when model_chosen is false): flags and the config file win over the
 * session.  Values p refuses are skipped.  Returns how many were set. */
size_t session_params_restore(struct chat_params *p, json_object *params, bool model_chosen);

/* Return the messages array the API receives for the current branch
 * (system prompt first), as squint sends it; the caller puts it. */
json_object *session_export_messages(const struct session *s);
/* Return the current branch as Markdown, newly allocated; the caller frees
 * it.  With image_dir (a directory name relative to where the Markdown
 * goes), images are linked as image_dir/N.EXT and *images / *n_images
 * list, in order, the parts to write there (borrowed from s; the caller
 * frees the array); without, they are described only. */
char *session_export_markdown(const struct session *s, const char *image_dir,
			      const struct conv_part ***images, size_t *n_images);
/* Return the whole file text buf (len bytes, as session_load read it into
 * s) as one JSON object, newly allocated: every record that loads, in file
 * order and as written (records of newer versions and unknown types
 * included), the tree of message ids, and the current branch. */
json_object *session_export_json(const struct session *s, const char *buf, size_t len);

/* Private to session.c and sessionload.c. */
void session_image_done(struct session_image *im);
void session_warn(struct session *s, char *msg);
struct session_image *session_image_find(struct session *s, const char *sha);
struct session_image *session_image_push(struct session *s);
struct session_setting *session_setting_push(struct session *s, unsigned long long id,
					     unsigned long long parent, long long t);

#endif
