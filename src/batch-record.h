/* --each --out FILE.jsonl: one record per image, and reading them back to
 * resume a batch.  Pure: text in, text out (json-c), no I/O. */
#ifndef SQUINT_BATCH_RECORD_H
#define SQUINT_BATCH_RECORD_H

#include <stdbool.h>
#include <stddef.h>

/* One image's outcome; the strings are borrowed when encoding and owned
 * (freed by batch_record_done) when decoded. */
struct batch_record {
	char *file;            /* the path as given (or found in a folder) */
	char sha256[65];       /* of the file's bytes (of the URL text for URLs) */
	long long bytes;       /* the file's size; -1 unknown */
	unsigned width, height;
	long long sent_bytes;  /* what was sent after fitting; -1 unknown */
	unsigned sent_width, sent_height;
	char **group;          /* --group: every file of the request, or NULL */
	size_t n_group;
	char *answer;          /* choice 0's text, may be partial; NULL: none */
	char *finish_reason;   /* NULL: none arrived */
	char *model;           /* as the server named it; NULL: unknown */
	bool has_usage;
	long prompt_tokens, completion_tokens, total_tokens;
	double started;        /* wall-clock seconds (Unix time) */
	double first_byte_s;   /* -1 when no byte arrived */
	double total_s;
	int attempts;
	char *error;           /* NULL when answered */
};

/* Initialise an empty record. */
void batch_record_init(struct batch_record *r);
/* Free what a decoded record owns; it is empty afterwards. */
void batch_record_done(struct batch_record *r);
/* Return r as one JSON line ending in '\n', newly allocated (length in
 * *len); the caller frees it. */
char *batch_record_encode(const struct batch_record *r, size_t *len);
/* Decode one line (len bytes, no newline needed) into r (initialised
 * first); 0, or -1 when it is not a record (r is left empty). */
int batch_record_decode(const char *line, size_t len, struct batch_record *r);
/* Return true when r holds a whole answer: no error and a finish reason. */
bool batch_record_complete(const struct batch_record *r);

/* The records of an earlier run, for resuming: which (file, sha256)
 * pairs already have a complete answer. */
struct batch_resume {
	struct batch_resume_entry {
		char *file;
		char sha256[65];
		bool complete;
	} *entries;
	size_t n;
	size_t n_bad;      /* lines that were not records (a torn last line...) */
	bool torn_end;     /* the text does not end with a newline */
};

/* Read the records in text (len bytes) into rs (emptied first). */
void batch_resume_load(struct batch_resume *rs, const char *text, size_t len);
/* Return true when file with sha256 has a complete record in rs. */
bool batch_resume_complete(const struct batch_resume *rs, const char *file, const char *sha256);
/* Return the number of records for file with sha256 that failed. */
size_t batch_resume_failed(const struct batch_resume *rs, const char *file, const char *sha256);
/* Free what rs owns. */
void batch_resume_done(struct batch_resume *rs);

#endif
