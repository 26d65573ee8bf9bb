/* Command-line options: parsed into settings, applied after the config. */
#ifndef SQUINT_OPTIONS_H
#define SQUINT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* A flag that sets a configuration key, kept in command-line order. */
struct option_setting {
	const char *key;  /* config key, static */
	const char *flag; /* the flag as typed, for messages, static */
	char *value;      /* owned */
};

struct options {
	char *prompt; /* -p; NULL: interactive */
	char *profile;
	char *config_file;
	char *session;     /* -s FILE */
	char *export_file; /* --export FILE */
	char *format;      /* --format NAME, for --export */
	char *output;      /* --export-to OUT */
	bool cont;         /* -c: continue the most recent session */
	bool list;         /* --list */
	bool verbose;
	bool json_output;
	bool preview;
	bool help;
	bool version;
	bool doctor;      /* --doctor */
	bool list_models; /* --list-models */
	char **inputs; /* images and URLs, in order; owned */
	size_t n_inputs;
	struct option_setting *settings;
	size_t n_settings;
	/* --each: one request per image (or per --group of them). */
	bool each;
	bool unordered;
	long jobs;  /* --jobs; 0: not given */
	long group; /* --group; 0: not given */
	char *out;  /* --out FILE.jsonl */
};

enum options_result {
	OPTIONS_OK,
	OPTIONS_ERROR, /* message in *err */
};

/* Parse argv into o (which the caller later frees with options_done). */
enum options_result options_parse(struct options *o, int argc, char **argv, char **err);
/* Free what o owns. */
void options_done(struct options *o);
/* Print the --help text to stdout. */
void options_print_help(void);

#endif
