#include <config.h>

#include "options.h"
#include "core/parse.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_BASE_URL = 256,
	OPT_SYSTEM,
	OPT_TOP_P,
	OPT_STOP,
	OPT_MAX_TOKENS,
	OPT_PRESENCE,
	OPT_FREQUENCY,
	OPT_LOGIT_BIAS,
	OPT_USER,
	OPT_SEED,
	OPT_JSON_MODE,
	OPT_RESPONSE_FORMAT,
	OPT_TOOLS,
	OPT_TOOL_CHOICE,
	OPT_LOGPROBS,
	OPT_DETAIL,
	OPT_NO_STREAM,
	OPT_JSON,
	OPT_RETRIES,
	OPT_IDLE_TIMEOUT,
	OPT_MAX_LINE_MB,
	OPT_MAX_ANSWER_MB,
	OPT_CONNECT_TIMEOUT,
	OPT_CACERT,
	OPT_INSECURE,
	OPT_CONFIG,
	OPT_HEADER,
	OPT_PROXY,
	OPT_MAX_EDGE,
	OPT_ORIGINAL,
	OPT_PREVIEW,
	OPT_FETCH_URLS,
	OPT_EXPORT,
	OPT_FORMAT,
	OPT_EACH,
	OPT_JOBS,
	OPT_GROUP,
	OPT_UNORDERED,
	OPT_OUT,
	OPT_NO_SAVE,
	OPT_LIST,
	OPT_EXPORT_TO,
	OPT_DOCTOR,
	OPT_LIST_MODELS,
};

static const struct option options_long[] = {
	{"prompt", required_argument, NULL, 'p'},
	{"model", required_argument, NULL, 'm'},
	{"profile", required_argument, NULL, 'P'},
	{"base-url", required_argument, NULL, OPT_BASE_URL},
	{"system", required_argument, NULL, OPT_SYSTEM},
	{"temperature", required_argument, NULL, 't'},
	{"top-p", required_argument, NULL, OPT_TOP_P},
	{"n", required_argument, NULL, 'n'},
	{"stop", required_argument, NULL, OPT_STOP},
	{"max-tokens", required_argument, NULL, OPT_MAX_TOKENS},
	{"presence-penalty", required_argument, NULL, OPT_PRESENCE},
	{"frequency-penalty", required_argument, NULL, OPT_FREQUENCY},
	{"logit-bias", required_argument, NULL, OPT_LOGIT_BIAS},
	{"user", required_argument, NULL, OPT_USER},
	{"seed", required_argument, NULL, OPT_SEED},
	{"json-mode", no_argument, NULL, OPT_JSON_MODE},
	{"response-format", required_argument, NULL, OPT_RESPONSE_FORMAT},
	{"tools", required_argument, NULL, OPT_TOOLS},
	{"tool-choice", required_argument, NULL, OPT_TOOL_CHOICE},
	{"logprobs", optional_argument, NULL, OPT_LOGPROBS},
	{"detail", required_argument, NULL, OPT_DETAIL},
	{"no-stream", no_argument, NULL, OPT_NO_STREAM},
	{"json", no_argument, NULL, OPT_JSON},
	{"retries", required_argument, NULL, OPT_RETRIES},
	{"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
	{"max-line-mb", required_argument, NULL, OPT_MAX_LINE_MB},
	{"max-answer-mb", required_argument, NULL, OPT_MAX_ANSWER_MB},
	{"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
	{"cacert", required_argument, NULL, OPT_CACERT},
	{"insecure", no_argument, NULL, OPT_INSECURE},
	{"header", required_argument, NULL, OPT_HEADER},
	{"proxy", required_argument, NULL, OPT_PROXY},
	{"max-edge", required_argument, NULL, OPT_MAX_EDGE},
	{"original", no_argument, NULL, OPT_ORIGINAL},
	{"preview", no_argument, NULL, OPT_PREVIEW},
	{"fetch-urls", no_argument, NULL, OPT_FETCH_URLS},
	{"session", required_argument, NULL, 's'},
	{"export", required_argument, NULL, OPT_EXPORT},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"no-save", no_argument, NULL, OPT_NO_SAVE},
	{"continue", no_argument, NULL, 'c'},
	{"list", no_argument, NULL, OPT_LIST},
	{"export-to", required_argument, NULL, OPT_EXPORT_TO},
	{"doctor", no_argument, NULL, OPT_DOCTOR},
	{"list-models", no_argument, NULL, OPT_LIST_MODELS},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"each", no_argument, NULL, OPT_EACH},
	{"jobs", required_argument, NULL, OPT_JOBS},
	{"group", required_argument, NULL, OPT_GROUP},
	{"unordered", no_argument, NULL, OPT_UNORDERED},
	{"out", required_argument, NULL, OPT_OUT},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* The config key and flag name each setting flag stands for. */
static const struct {
	int id;
	const char *key;
	const char *flag;
	const char *fixed; /* value for flags without an argument */
} options_keys[] = {
	{'m', "model", "--model", NULL},
	{OPT_BASE_URL, "base_url", "--base-url", NULL},
	{OPT_SYSTEM, "system", "--system", NULL},
	{'t', "temperature", "--temperature", NULL},
	{OPT_TOP_P, "top_p", "--top-p", NULL},
	{'n', "n", "-n", NULL},
	{OPT_STOP, "stop", "--stop", NULL},
	{OPT_MAX_TOKENS, "max_tokens", "--max-tokens", NULL},
	{OPT_PRESENCE, "presence_penalty", "--presence-penalty", NULL},
	{OPT_FREQUENCY, "frequency_penalty", "--frequency-penalty", NULL},
	{OPT_LOGIT_BIAS, "logit_bias", "--logit-bias", NULL},
	{OPT_USER, "user", "--user", NULL},
	{OPT_SEED, "seed", "--seed", NULL},
	{OPT_JSON_MODE, "json_mode", "--json-mode", "true"},
	{OPT_RESPONSE_FORMAT, "response_format", "--response-format", NULL},
	{OPT_TOOLS, "tools", "--tools", NULL},
	{OPT_TOOL_CHOICE, "tool_choice", "--tool-choice", NULL},
	{OPT_DETAIL, "detail", "--detail", NULL},
	{OPT_NO_STREAM, "stream", "--no-stream", "false"},
	{OPT_RETRIES, "retries", "--retries", NULL},
	{OPT_IDLE_TIMEOUT, "idle_timeout", "--idle-timeout", NULL},
	{OPT_MAX_LINE_MB, "max_line_mb", "--max-line-mb", NULL},
	{OPT_MAX_ANSWER_MB, "max_answer_mb", "--max-answer-mb", NULL},
	{OPT_CONNECT_TIMEOUT, "connect_timeout", "--connect-timeout", NULL},
	{OPT_CACERT, "cacert", "--cacert", NULL},
	{OPT_INSECURE, "insecure", "--insecure", "true"},
	{OPT_HEADER, "header", "--header", NULL},
	{OPT_PROXY, "proxy", "--proxy", NULL},
	{OPT_MAX_EDGE, "max_edge", "--max-edge", NULL},
	{OPT_ORIGINAL, "original", "--original", "true"},
	{OPT_FETCH_URLS, "fetch_urls", "--fetch-urls", "true"},
	{OPT_NO_SAVE, "save", "--no-save", "false"},
};

/* Remember that a flag sets key to value (copied). */
static void options_add_setting(struct options *o, const char *key, const char *flag,
				const char *value)
{
	o->settings = xrealloc(o->settings, (o->n_settings + 1) * sizeof *o->settings);
	o->settings[o->n_settings].key = key;
	o->settings[o->n_settings].flag = flag;
	o->settings[o->n_settings].value = xstrdup(value);
	o->n_settings++;
}

/* Parse a whole number lo..hi for flag into *v; 0, or -1 with *err set. */
static int options_number(const char *flag, const char *text, long lo, long hi, long *v,
			  char **err)
{
	long long n;
	if (parse_ll(text, &n) != 0 || n < lo || n > hi) {
		*err = xasprintf(_("%s: \"%s\" is not a whole number from %ld to %ld"), flag, text,
				 lo, hi);
		return -1;
	}
	*v = (long)n;
	return 0;
}

enum options_result options_parse(struct options *o, int argc, char **argv, char **err)
{
	memset(o, 0, sizeof *o);
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":p:m:P:t:n:s:cvhV", options_long, NULL)) != -1) {
		switch (c) {
		case 'p':
			free(o->prompt);
			o->prompt = xstrdup(optarg);
			continue;
		case 'P':
			free(o->profile);
			o->profile = xstrdup(optarg);
			continue;
		case OPT_CONFIG:
			free(o->config_file);
			o->config_file = xstrdup(optarg);
			continue;
		case 's':
			free(o->session);
			o->session = xstrdup(optarg);
			continue;
		case OPT_EXPORT:
			free(o->export_file);
			o->export_file = xstrdup(optarg);
			continue;
		case OPT_FORMAT:
			free(o->format);
			o->format = xstrdup(optarg);
			continue;
		case 'c':
			o->cont = true;
			continue;
		case OPT_EXPORT_TO:
			free(o->output);
			o->output = xstrdup(optarg);
			continue;
		case OPT_LIST:
			o->list = true;
			continue;
		case 'v':
			o->verbose = true;
			continue;
		case 'h':
			o->help = true;
			continue;
		case 'V':
			o->version = true;
			continue;
		case OPT_JSON:
			o->json_output = true;
			continue;
		case OPT_PREVIEW:
			o->preview = true;
			continue;
		case OPT_EACH:
			o->each = true;
			continue;
		case OPT_UNORDERED:
			o->unordered = true;
			continue;
		case OPT_JOBS:
			if (options_number("--jobs", optarg, 1, 64, &o->jobs, err) != 0)
				return OPTIONS_ERROR;
			continue;
		case OPT_GROUP:
			if (options_number("--group", optarg, 1, 64, &o->group, err) != 0)
				return OPTIONS_ERROR;
			continue;
		case OPT_OUT:
			free(o->out);
			o->out = xstrdup(optarg);
			continue;
		case OPT_DOCTOR:
			o->doctor = true;
			continue;
		case OPT_LIST_MODELS:
			o->list_models = true;
			continue;
		case OPT_LOGPROBS:
			options_add_setting(o, "logprobs", "--logprobs", "true");
			if (optarg)
				options_add_setting(o, "top_logprobs", "--logprobs", optarg);
			continue;
		case ':':
			*err = xasprintf(_("option %s needs a value"), argv[optind - 1]);
			return OPTIONS_ERROR;
		case '?':
			if (optopt)
				*err = xasprintf(_("unknown option -%c (see squint --help)"), optopt);
			else
				*err = xasprintf(_("unknown option %s (see squint --help)"),
						 argv[optind - 1]);
			return OPTIONS_ERROR;
		default:
			break;
		}
		bool found = false;
		for (size_t i = 0; i < sizeof options_keys / sizeof options_keys[0]; i++) {
			if (options_keys[i].id != c)
				continue;
			options_add_setting(o, options_keys[i].key, options_keys[i].flag,
					    options_keys[i].fixed ? options_keys[i].fixed : optarg);
			found = true;
		}
		if (!found) {
			*err = xstrdup(_("internal error: unhandled option"));
			return OPTIONS_ERROR;
		}
	}
	for (int i = optind; i < argc; i++) {
		o->inputs = xrealloc(o->inputs, (o->n_inputs + 1) * sizeof *o->inputs);
		o->inputs[o->n_inputs++] = xstrdup(argv[i]);
	}
	return OPTIONS_OK;
}

void options_done(struct options *o)
{
	free(o->prompt);
	free(o->profile);
	free(o->config_file);
	free(o->session);
	free(o->export_file);
	free(o->format);
	free(o->out);
	free(o->output);
	for (size_t i = 0; i < o->n_inputs; i++)
		free(o->inputs[i]);
	free(o->inputs);
	for (size_t i = 0; i < o->n_settings; i++)
		free(o->settings[i].value);
	free(o->settings);
	memset(o, 0, sizeof *o);
}

void options_print_help(void)
{
	fputs(_("Usage: squint [OPTION]... [IMAGE|URL]...\n"
		"       squint -p PROMPT [OPTION]... [IMAGE|URL]...\n"
		"Chat with an OpenAI-compatible vision model about images, in the terminal.\n"
		"With -p, ask once and stream the answer to standard output; text piped on\n"
		"standard input is appended to the prompt.\n"
		"\n"
		"Mode and connection:\n"
		"  -p, --prompt=TEXT          ask TEXT once (one-shot mode)\n"
		"  -m, --model=NAME           model to use (SQUINT_MODEL)\n"
		"  -P, --profile=NAME         use [profile NAME] of the config file (SQUINT_PROFILE)\n"
		"  -s, --session=FILE         continue the conversation saved in FILE (created\n"
		"                             when missing) and save the new turn to it\n"
		"  -c, --continue             continue the most recent saved conversation\n"
		"      --no-save              do not save this interactive conversation (the\n"
		"                             default saves it in ~/.local/state/squint/sessions)\n"
		"      --list                 list the saved conversations, newest first\n"
		"      --export=FILE          write the session FILE's current branch and exit\n"
		"      --format=FORMAT        for --export: messages (the API's messages array\n"
		"                             as JSON, the default), markdown, or json (every\n"
		"                             record of every branch)\n"
		"      --export-to=OUT        for --export: write OUT, not standard output;\n"
		"                             markdown writes the images to OUT-images/\n"),
	      stdout);
	fputs(_("      --base-url=URL         API base URL (OPENAI_BASE_URL;\n"
		"                             default https://api.openai.com/v1)\n"
		"      --config=FILE          read FILE instead of ~/.config/squint/config\n"
		"      --header='NAME: VALUE' send an extra HTTP header (repeatable)\n"
		"      --retries=N            retry failed requests N times (default 2)\n"
		"      --idle-timeout=S       give up after S seconds without data (default 300)\n"
		"      --max-line-mb=N        stop when one line of a stream exceeds N MiB (default 16)\n"
		"      --max-answer-mb=N      stop when an answer exceeds N MiB (default 64)\n"
		"      --connect-timeout=S    give up connecting after S seconds (default 30)\n"
		"      --cacert=FILE          trust the CA certificates in FILE\n"
		"      --insecure             do not verify the server's TLS certificate\n"
		"      --proxy=URL            use this proxy (default: the *_proxy variables)\n"
		"\n"
		"Request parameters (sent only when given):\n"
		"      --system=TEXT          system prompt\n"
		"  -t, --temperature=T        sampling temperature, 0 to 2\n"
		"      --top-p=P              nucleus sampling, 0 to 1\n"
		"  -n, --n=N                  number of answers to generate\n"
		"      --stop=TEXT            stop sequence (repeatable, up to 4)\n"
		"      --max-tokens=N         limit the answer's length\n"
		"      --presence-penalty=X   -2 to 2\n"
		"      --frequency-penalty=X  -2 to 2\n"
		"      --logit-bias=ID=BIAS   token bias, -100 to 100 (repeatable)\n"
		"      --user=ID              end-user identifier\n"
		"      --seed=N               ask for deterministic sampling\n"
		"      --json-mode            ask for a JSON object answer\n"
		"      --response-format=FILE ask for JSON that follows the schema in FILE\n"
		"      --tools=FILE           offer the tools (functions) defined in FILE\n"
		"      --tool-choice=CHOICE   none, auto, required or a function name\n"
		"      --logprobs[=N]         return log probabilities (and N top tokens)\n"
		"      --detail=LEVEL         image detail: low, high or auto\n"
		"\n"
		"Images (PNG, JPEG, GIF, WebP files, or http(s) URLs, passed as they are\n"
		"unless --fetch-urls):\n"
		"      --max-edge=auto|N      fit images to what the model uses (auto, the\n"
		"                             default), or to N pixels on the long side\n"
		"      --original             send image files as they are (no fitting)\n"
		"      --fetch-urls           download http(s) image URLs and send them like\n"
		"                             files (within max_file_mb; no API key or\n"
		"                             --header is sent to the image host)\n"
		"      --preview              show each image in the terminal first (sixel or\n"
		"                             colour blocks; SQUINT_GRAPHICS=sixel|blocks|none)\n"
		"\n"),
	      stdout);
	/* Two strings: C11 compilers need only take 4095 characters in one. */
	fputs(_("Batch (one question over many images; see squint(1)):\n"
		"      --each                 ask -p's question of each image separately;\n"
		"                             arguments may be files, folders (walked for\n"
		"                             images), glob patterns, or - for a list on stdin\n"
		"      --group=N              send N images per request instead of one\n"
		"      --jobs=N               requests in flight at once (default 4)\n"
		"      --unordered            print answers as they finish, not in input order\n"
		"      --out=FILE.jsonl       write one record per image; a run again skips\n"
		"                             the images already answered in FILE\n"
		"\n"
		"Output:\n"
		"      --no-stream            ask for the whole answer at once\n"
		"      --json                 print the final response as chat.completion JSON\n"
		"  -v, --verbose              report usage, finish reason and timings on stderr\n"
		"      --doctor               check the terminal, configuration and endpoint,\n"
		"                             with a hint for each problem, and exit\n"
		"      --list-models          print the models the server offers and exit\n"
		"  -h, --help                 show this help and exit\n"
		"  -V, --version              show the version and exit\n"
		"\n"
		"Environment: OPENAI_API_KEY, OPENAI_BASE_URL, SQUINT_MODEL, SQUINT_PROFILE,\n"
		"XDG_CONFIG_HOME, and the usual http_proxy/https_proxy/no_proxy.\n"
		"\n"
		"Exit status: 0 done; 1 usage or input error; 2 error reported by the server;\n"
		"3 network failure or timeout; 4 answer truncated or cancelled. With --each,\n"
		"0 when every image was answered, else the status of the first failure.\n"
		"\n"
		"See squint(1) for the configuration file and more, squint-session(5) for the\n"
		"session file format.\n"),
	      stdout);
}
