#include <config.h>

#include "core/config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char test_dir[] = "/tmp/squint-test-config-XXXXXX";

/* Remove one entry of the temporary tree; for nftw. */
static int test_remove(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Create the temporary directory every file of this test lives in. */
static int test_group_setup(void **state)
{
	(void)state;
	return mkdtemp(test_dir) ? 0 : -1;
}

/* Remove the temporary directory and everything in it. */
static int test_group_teardown(void **state)
{
	(void)state;
	return nftw(test_dir, test_remove, 16, FTW_DEPTH | FTW_PHYS);
}

/* Start every test from an environment without any of squint's
 * variables. */
static int test_setup(void **state)
{
	static const char *const vars[] = {"OPENAI_API_KEY",  "OPENAI_BASE_URL", "SQUINT_MODEL",
					   "SQUINT_PROFILE",  "XDG_CONFIG_HOME", "SQUINT_TEST_KEY",
					   "SQUINT_TEST_KEY2"};
	(void)state;
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	return 0;
}

/* Return a newly allocated path for name in the temporary directory. */
static char *test_path(const char *name)
{
	size_t n = strlen(test_dir) + strlen(name) + 2;
	char *path = malloc(n);
	assert_non_null(path);
	snprintf(path, n, "%s/%s", test_dir, name);
	return path;
}

/* Write text to name in the temporary directory with the given mode;
 * returns the newly allocated path, which the caller frees. */
static char *test_write(const char *name, const char *text, mode_t mode)
{
	char *path = test_path(name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* Load path with profile into c (initialised here) and expect success. */
static void test_load(struct squint_config *c, const char *path, const char *profile)
{
	char *err = NULL;
	squint_config_init(c);
	if (squint_config_load_file(c, path, profile, &err) != 0)
		fail_msg("loading %s failed: %s", path ? path : "(default)", err);
	assert_null(err);
}

/* Load path with profile and expect an error containing want (with "%s"
 * standing for path); returns nothing, frees everything. */
static void test_load_fails(const char *path, const char *profile, const char *want)
{
	struct squint_config c;
	char *err = NULL;
	char expect[1024];

	snprintf(expect, sizeof expect, want, path);
	squint_config_init(&c);
	assert_int_equal(squint_config_load_file(&c, path, profile, &err), -1);
	assert_non_null(err);
	if (!strstr(err, expect))
		fail_msg("\"%s\" does not contain \"%s\"", err, expect);
	assert_null(strchr(err, '\n'));
	free(err);
	squint_config_done(&c);
}

static void test_defaults(void **state)
{
	struct squint_config c;
	(void)state;

	squint_config_init(&c);
	assert_string_equal(c.base_url, "https://api.openai.com/v1");
	assert_string_equal(c.params.model, "gpt-4o-mini");
	assert_true(c.params.stream);
	assert_int_equal(c.retries, 2);
	assert_true(c.idle_timeout == 300.0);
	assert_true(c.connect_timeout == 30.0);
	assert_null(c.api_key);
	assert_null(c.key_source);
	assert_null(c.profile);
	assert_int_equal(c.n_headers, 0);
	assert_false(c.insecure);
	assert_false(c.fetch_urls);
	char *err = NULL;
	assert_int_equal(squint_config_apply_env(&c, &err), 0);
	assert_int_equal(squint_config_resolve_key(&c, &err), 0);
	assert_null(c.api_key); /* no key at all: local servers need none */
	squint_config_done(&c);
}

static void test_default_path(void **state)
{
	(void)state;
	char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	char *p = squint_config_default_path();
	assert_string_equal(p, "/x/conf/squint/config");
	free(p);
	setenv("XDG_CONFIG_HOME", "relative", 1); /* ignored, as XDG says */
	setenv("HOME", "/home/u", 1);
	p = squint_config_default_path();
	assert_string_equal(p, "/home/u/.config/squint/config");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	assert_null(squint_config_default_path());

	if (home) {
		setenv("HOME", home, 1);
		free(home);
	}
}

static void test_default_file_missing(void **state)
{
	struct squint_config c;
	char *err = NULL;
	(void)state;

	/* The default file missing is fine; a profile asked for is not. */
	char *xdg = test_path("no-xdg");
	setenv("XDG_CONFIG_HOME", xdg, 1);
	test_load(&c, NULL, NULL);
	assert_int_equal(c.n_files, 0);
	squint_config_done(&c);
	squint_config_init(&c);
	assert_int_equal(squint_config_load_file(&c, NULL, "work", &err), -1);
	assert_non_null(strstr(err, "no profile \"work\""));
	free(err);
	squint_config_done(&c);

	/* An explicit file that is missing is an error. */
	char *missing = test_path("missing.ini");
	test_load_fails(missing, NULL, "cannot read config file %s: No such file or directory");
	test_load_fails(test_dir, NULL, "cannot read config file");
	free(missing);

	/* The default file is read when it exists. */
	char *dir = test_path("xdg");
	mkdir(dir, 0700);
	setenv("XDG_CONFIG_HOME", dir, 1);
	char *sub = test_path("xdg/squint");
	mkdir(sub, 0700);
	char *path = test_write("xdg/squint/config", "[defaults]\nmodel = from-default\n", 0600);
	test_load(&c, NULL, NULL);
	assert_string_equal(c.params.model, "from-default");
	assert_int_equal(c.n_files, 1);
	assert_string_equal(c.files[0], path);
	squint_config_done(&c);
	free(path);
	free(sub);
	free(dir);
	free(xdg);
}

static void test_precedence(void **state)
{
	struct squint_config c;
	char *err = NULL;
	(void)state;

	/* The profile comes first in the file: order must not matter. */
	char *path = test_write("prec.ini",
				"; comment\n"
				"[profile work]\n"
				"model = work-model\n"
				"temperature = 1.5\n"
				"\n"
				"[defaults]\n"
				"model = default-model\n"
				"temperature = 0.5\n"
				"top_p = 0.9\n"
				"retries = 5\n"
				"[profile other]\n"
				"model = other-model\n",
				0600);

	test_load(&c, path, NULL);
	assert_string_equal(c.params.model, "default-model");
	assert_true(c.params.temperature == 0.5);
	assert_true(c.params.top_p == 0.9);
	assert_int_equal(c.retries, 5);
	assert_null(c.profile);
	squint_config_done(&c);

	test_load(&c, path, "work");
	assert_string_equal(c.profile, "work");
	assert_string_equal(c.params.model, "work-model");
	assert_true(c.params.temperature == 1.5);
	assert_true(c.params.top_p == 0.9);
	assert_int_equal(c.retries, 5);
	assert_int_equal(c.n_files, 1);
	assert_string_equal(c.files[0], path);

	/* Environment beats the profile... */
	setenv("SQUINT_MODEL", "env-model", 1);
	assert_int_equal(squint_config_apply_env(&c, &err), 0);
	assert_string_equal(c.params.model, "env-model");
	/* ...and flags beat the environment. */
	assert_int_equal(squint_config_set(&c, "model", "flag-model", &err), 0);
	assert_string_equal(c.params.model, "flag-model");
	assert_int_equal(squint_config_set(&c, "temperature", "0", &err), 0);
	assert_true(c.params.temperature == 0.0);
	squint_config_done(&c);

	test_load(&c, path, "other");
	assert_string_equal(c.params.model, "other-model");
	assert_true(c.params.temperature == 0.5);
	squint_config_done(&c);

	/* A bad SQUINT_MODEL is reported as coming from there. */
	squint_config_init(&c);
	setenv("SQUINT_MODEL", " ", 1);
	assert_int_equal(squint_config_apply_env(&c, &err), -1);
	assert_string_equal(err, "SQUINT_MODEL: model must not be empty");
	free(err);
	squint_config_done(&c);
	free(path);
}

static void test_base_url(void **state)
{
	struct squint_config c;
	char *err = NULL;
	(void)state;

	char *path = test_write("url.ini",
				"[defaults]\nbase_url = http://defaults.example/v1/\n"
				"[profile local]\nbase_url = http://127.0.0.1:8080/v1\n"
				"[profile gw]\nbase_url = https://gw.example/v1\napi_key_env = "
				"SQUINT_TEST_KEY\n",
				0600);
	test_load(&c, path, NULL);
	assert_string_equal(c.base_url, "http://defaults.example/v1");
	setenv("OPENAI_BASE_URL", "https://env.example/v1//", 1);
	assert_int_equal(squint_config_apply_env(&c, &err), 0);
	assert_string_equal(c.base_url, "https://env.example/v1");
	squint_config_done(&c);

	/* A profile without its own key: the environment wins. */
	test_load(&c, path, "local");
	assert_string_equal(c.base_url, "http://127.0.0.1:8080/v1");
	assert_int_equal(squint_config_apply_env(&c, &err), 0);
	assert_string_equal(c.base_url, "https://env.example/v1");
	squint_config_done(&c);

	/* A profile with its own key keeps its endpoint too, so its key never
	 * goes to the environment's endpoint; a flag still wins. */
	test_load(&c, path, "gw");
	assert_int_equal(squint_config_apply_env(&c, &err), 0);
	assert_string_equal(c.base_url, "https://gw.example/v1");
	assert_int_equal(squint_config_set(&c, "base_url", "http://flag.example", &err), 0);
	assert_string_equal(c.base_url, "http://flag.example");
	squint_config_done(&c);

	squint_config_init(&c);
	setenv("OPENAI_BASE_URL", "ftp://x", 1);
	assert_int_equal(squint_config_apply_env(&c, &err), -1);
	assert_string_equal(err, "OPENAI_BASE_URL: base_url must be an http:// or https:// URL, "
				 "not \"ftp://x\"");
	free(err);
	assert_int_equal(squint_config_set(&c, "base_url", "https://a b", &err), -1);
	free(err);
	assert_int_equal(squint_config_set(&c, "base_url", "https://", &err), -1);
	free(err);
	assert_int_equal(squint_config_set(&c, "base_url", "HTTPS://UP.example", &err), 0);
	squint_config_done(&c);
	free(path);
}

static void test_missing_profile(void **state)
{
	(void)state;
	char *path = test_write("noprof.ini", "[defaults]\nmodel = x\n[profile a]\n", 0600);
	test_load_fails(path, "x", "no profile \"x\" in %s");

	/* An empty profile section exists. */
	struct squint_config c;
	test_load(&c, path, "a");
	assert_string_equal(c.params.model, "x");
	squint_config_done(&c);
	free(path);
}

static void test_errors_name_line(void **state)
{
	(void)state;
	char *path = test_write("unknown.ini", "[defaults]\nmodel = x\n\nfoo = 1\n", 0600);
	test_load_fails(path, NULL, "%s:4: unknown key \"foo\"");
	free(path);

	/* Unknown keys are errors in every section, applied or not. */
	path = test_write("unknown2.ini", "[defaults]\n[profile a]\ntemprature = 1\n", 0600);
	test_load_fails(path, NULL, "%s:3: unknown key \"temprature\"");
	free(path);

	path = test_write("badval.ini",
			  "[defaults]\n  model = x\n\ttop_p = 1\n[profile p]\ntemperature = 3\n",
			  0600);
	test_load_fails(path, "p", "%s:5: temperature must be a number from 0 to 2, not \"3\"");
	free(path);

	path = test_write("badval2.ini", "[defaults]\nretries = 21\n", 0600);
	test_load_fails(path, NULL, "%s:2: retries must be a whole number from 0 to 20");
	free(path);

	path = test_write("section.ini", "[defaults]\nmodel = x\n[profiles]\nmodel = y\n", 0600);
	test_load_fails(path, NULL, "%s:3: unknown section \"profiles\"; sections are");
	free(path);

	path = test_write("section2.ini", "[profile]\n", 0600);
	test_load_fails(path, NULL, "%s:1: unknown section");
	free(path);

	path = test_write("syntax.ini", "[defaults]\nmodel = x\njust some words\n", 0600);
	test_load_fails(path, NULL, "%s:3: expected \"key = value\" or a [section]");
	free(path);

	path = test_write("syntax2.ini", "[defaults\nmodel = x\n", 0600);
	test_load_fails(path, NULL, "%s:1: expected");
	free(path);

	/* The earliest problem is the one reported. */
	path = test_write("first.ini", "[defaults]\nno equals here\nfoo = 1\n", 0600);
	test_load_fails(path, NULL, "%s:2: expected");
	free(path);
	path = test_write("first2.ini", "[defaults]\nfoo = 1\nno equals here\n", 0600);
	test_load_fails(path, NULL, "%s:2: unknown key");
	free(path);

	char longline[400];
	snprintf(longline, sizeof longline, "[defaults]\nsystem = %0300d\n", 0);
	path = test_write("long.ini", longline, 0600);
	test_load_fails(path, NULL, "%s:2: line too long");
	free(path);

	path = test_write("nul.ini", "", 0600);
	FILE *f = fopen(path, "w");
	fwrite("[defaults]\n\0", 1, 12, f);
	fclose(f);
	test_load_fails(path, NULL, "%s is not a text file");
	free(path);
}

static void test_file_syntax(void **state)
{
	struct squint_config c;
	(void)state;

	/* A BOM, CRLF line ends, indented keys, # and ; comments, keys before
	 * any section (taken as [defaults]), "name: value" lines, inline
	 * comments after a blank, and a profile name with spaces around. */
	char *path = test_write("syntax-ok.ini",
				"\xEF\xBB\xBFmodel = top\r\n"
				"# comment\r\n"
				"[ defaults ]\r\n"
				"    user = indented\r\n"
				"    detail = low\r\n"
				"system: be brief ; a comment\r\n"
				"[profile   spaced name  ]\r\n"
				"max_tokens=7\r\n",
				0600);
	test_load(&c, path, "spaced name");
	assert_string_equal(c.params.model, "top");
	assert_string_equal(c.params.user, "indented");
	assert_string_equal(c.params.detail, "low");
	assert_string_equal(c.params.system, "be brief");
	assert_true(c.params.has_max_tokens && c.params.max_tokens == 7);
	squint_config_done(&c);
	free(path);
}

static void test_settings(void **state)
{
	struct squint_config c;
	char *err = NULL;
	(void)state;

	char *ca = test_write("ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	char *path = test_write("settings.ini",
				"[defaults]\n"
				"retries = 0\n"
				"idle_timeout = 0.5\n"
				"connect_timeout = 10\n"
				"insecure = yes\n"
				"proxy = http://proxy.example:3128\n"
				"cacert = ca.pem\n"
				"stream = off\n"
				"stop = END\n"
				"stop = STOP\n"
				"logit_bias = 1=-5\n"
				"json_mode = true\n"
				"seed = 42\n"
				"n = 2\n"
				"[profile p]\n"
				"stop = ONLY\n"
				"retries = 20\n",
				0600);
	test_load(&c, path, NULL);
	assert_int_equal(c.retries, 0);
	assert_true(c.idle_timeout == 0.5);
	assert_true(c.connect_timeout == 10.0);
	assert_true(c.insecure);
	assert_string_equal(c.proxy, "http://proxy.example:3128");
	assert_string_equal(c.cacert, ca); /* relative to the config's directory */
	assert_false(c.params.stream);
	assert_int_equal(c.params.n_stop, 2);
	assert_int_equal(c.params.n_logit_bias, 1);
	assert_non_null(c.params.response_format);
	assert_true(c.params.has_seed && c.params.seed == 42);
	assert_true(c.params.has_n && c.params.n == 2);
	squint_config_done(&c);

	/* A profile's first "stop" replaces the list of [defaults]. */
	test_load(&c, path, "p");
	assert_int_equal(c.params.n_stop, 1);
	assert_string_equal(c.params.stop[0], "ONLY");
	assert_int_equal(c.retries, 20);
	/* A flag can do the same by unsetting first. */
	squint_config_unset(&c, "stop");
	assert_int_equal(squint_config_set(&c, "stop", "FLAG", &err), 0);
	assert_int_equal(c.params.n_stop, 1);
	squint_config_unset(&c, "model");
	assert_string_equal(c.params.model, "gpt-4o-mini");
	squint_config_unset(&c, "retries");
	assert_int_equal(c.retries, 2);
	squint_config_unset(&c, "cacert");
	assert_null(c.cacert);
	squint_config_unset(&c, "proxy");
	assert_null(c.proxy);
	squint_config_unset(&c, "insecure");
	assert_false(c.insecure);
	c.fetch_urls = true;
	squint_config_unset(&c, "fetch_urls");
	assert_false(c.fetch_urls);
	squint_config_unset(&c, "idle_timeout");
	squint_config_unset(&c, "connect_timeout");
	assert_true(c.idle_timeout == 300.0 && c.connect_timeout == 30.0);
	squint_config_unset(&c, "base_url");
	assert_string_equal(c.base_url, "https://api.openai.com/v1");
	squint_config_done(&c);

	/* Range edges of the settings that are not request parameters. */
	squint_config_init(&c);
	static const struct {
		const char *key, *value;
		int rc;
	} cases[] = {
		{"retries", "20", 0},
		{"retries", "21", -1},
		{"retries", "-1", -1},
		{"retries", "1.5", -1},
		{"retries", "", -1},
		{"idle_timeout", "0", -1},
		{"idle_timeout", "-1", -1},
		{"idle_timeout", "0.001", 0},
		{"idle_timeout", "1000000", 0},
		{"idle_timeout", "1000001", -1},
		{"idle_timeout", "nan", -1},
		{"connect_timeout", "inf", -1},
		{"connect_timeout", "5", 0},
		{"insecure", "maybe", -1},
		{"insecure", "0", 0},
		{"fetch_urls", "yes", 0},
		{"fetch_urls", "sometimes", -1},
		{"proxy", "", 0},
		{"proxy", "http://a\nb", -1},
		{"cacert", "", -1},
		{"cacert", "/nonexistent/ca.pem", -1},
		{"temperature", "2.0001", -1},
		{"api_key", "sk-x", -1},
		{"api_key_cmd", "true", -1},
		{"nonsense", "1", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = squint_config_set(&c, cases[i].key, cases[i].value, &err);
		if (rc != cases[i].rc)
			fail_msg("%s = %s gave %d", cases[i].key, cases[i].value, rc);
		if (rc < 0) {
			assert_non_null(err);
			free(err);
			err = NULL;
		}
	}
	assert_string_equal(c.proxy, "");
	assert_int_equal(squint_config_set(&c, "nonsense", "1", &err), -1);
	assert_string_equal(err, "unknown setting \"nonsense\"");
	free(err);
	assert_int_equal(squint_config_set(&c, "cacert", "/nonexistent/ca.pem", &err), -1);
	assert_string_equal(err, "cannot read /nonexistent/ca.pem: No such file or directory");
	free(err);
	assert_true(squint_config_known("header"));
	assert_true(squint_config_known("top_logprobs"));
	assert_false(squint_config_known("api_key"));
	squint_config_done(&c);
	free(path);
	free(ca);
}

static void test_headers(void **state)
{
	struct squint_config c;
	char *err = NULL;
	(void)state;

	char *path = test_write("headers.ini",
				"[defaults]\n"
				"header = X-Default: 1\n"
				"[profile p]\n"
				"header = X-Team: vision\n"
				"header = OpenAI-Organization:   org-123  \n"
				"[profile bad]\n"
				"header = Bad Name: x\n"
				"[profile bad2]\n"
				"header = no colon\n"
				"[profile bad3]\n"
				"header = X-Empty:\n",
				0600);
	test_load(&c, path, NULL);
	assert_int_equal(c.n_headers, 1);
	assert_string_equal(c.headers[0], "X-Default: 1");
	squint_config_done(&c);

	/* Repeatable; a profile's headers replace the defaults' ones. */
	test_load(&c, path, "p");
	assert_int_equal(c.n_headers, 2);
	assert_string_equal(c.headers[0], "X-Team: vision");
	assert_string_equal(c.headers[1], "OpenAI-Organization: org-123");
	assert_int_equal(squint_config_set(&c, "header", "X-Flag:a:b", &err), 0);
	assert_int_equal(c.n_headers, 3);
	assert_string_equal(c.headers[2], "X-Flag: a:b");

	/* No CR/LF smuggling; values are never quoted back. */
	assert_int_equal(squint_config_set(&c, "header", "X-A: b\r\nX-Evil: 1", &err), -1);
	assert_string_equal(err, "a header value must not contain control characters");
	free(err);
	assert_int_equal(squint_config_set(&c, "header", "X-A\n: b", &err), -1);
	free(err);
	assert_int_equal(squint_config_set(&c, "header", ": b", &err), -1);
	free(err);
	assert_int_equal(squint_config_set(&c, "header", "api-key=sk-secret", &err), -1);
	assert_null(strstr(err, "sk-secret"));
	free(err);
	assert_int_equal(c.n_headers, 3);
	squint_config_unset(&c, "header");
	assert_int_equal(c.n_headers, 0);
	squint_config_done(&c);

	test_load_fails(path, "bad", "%s:7: header name \"Bad Name\" is not a valid HTTP header");
	test_load_fails(path, "bad2", "%s:9: header must be \"Name: value\"");
	test_load_fails(path, "bad3", "%s:11: header must be \"Name: value\" with a value");
	free(path);
}

static void test_relative_paths(void **state)
{
	struct squint_config c;
	(void)state;

	char *dir = test_path("conf");
	mkdir(dir, 0700);
	char *tools = test_write("conf/tools.json", "[{\"name\":\"lookup\"}]", 0644);
	char *schema = test_write("conf/answer.json", "{\"type\":\"object\"}", 0644);
	char *path = test_write("conf/config",
				"[defaults]\ntools = tools.json\nresponse_format = answer.json\n"
				"tool_choice = lookup\n",
				0600);
	/* The working directory is elsewhere: paths follow the config file. */
	test_load(&c, path, NULL);
	assert_int_equal(json_object_array_length(c.params.tools), 1);
	assert_non_null(c.params.response_format);
	json_object *js = json_object_object_get(c.params.response_format, "json_schema");
	assert_string_equal(json_object_get_string(json_object_object_get(js, "name")), "answer");
	assert_non_null(c.params.tool_choice);
	squint_config_done(&c);

	/* "~/" is the home directory; absolute paths stay. */
	char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	setenv("HOME", dir, 1);
	char *path2 = test_write("conf/config2", "[defaults]\ntools = ~/tools.json\n", 0600);
	test_load(&c, path2, NULL);
	assert_non_null(c.params.tools);
	squint_config_done(&c);
	if (home) {
		setenv("HOME", home, 1);
		free(home);
	}

	char text[1024];
	snprintf(text, sizeof text, "[defaults]\ntools = %s\n", tools);
	char *path3 = test_write("config3", text, 0600);
	test_load(&c, path3, NULL);
	assert_non_null(c.params.tools);
	squint_config_done(&c);

	/* A bad tools file is reported with the config's line. */
	char *empty = test_write("conf/empty.json", "[]", 0644);
	char *path4 = test_write("conf/config4", "[defaults]\nmodel = m\ntools = empty.json\n",
				 0600);
	char want[1024];
	snprintf(want, sizeof want, "%%s:3: no tools in %s", empty);
	test_load_fails(path4, NULL, want);

	free(path4);
	free(empty);
	free(path3);
	free(path2);
	free(path);
	free(schema);
	free(tools);
	free(dir);
}

static void test_env_key(void **state)
{
	struct squint_config c;
	char *err = NULL;
	(void)state;

	char *path = test_write("envkey.ini",
				"[defaults]\napi_key_env = SQUINT_TEST_KEY2\n"
				"[profile work]\napi_key_env = SQUINT_TEST_KEY\n"
				"[profile plain]\nmodel = m\n"
				"[profile nokey]\napi_key =\n",
				0600);

	/* OPENAI_API_KEY alone. */
	setenv("OPENAI_API_KEY", "sk-openai", 1);
	squint_config_init(&c);
	assert_int_equal(squint_config_apply_env(&c, &err), 0);
	assert_int_equal(squint_config_resolve_key(&c, &err), 0);
	assert_string_equal(c.api_key, "sk-openai");
	assert_string_equal(c.key_source, "OPENAI_API_KEY");
	squint_config_done(&c);

	/* The chosen profile's own key source beats OPENAI_API_KEY. */
	setenv("SQUINT_TEST_KEY", "sk-work", 1);
	test_load(&c, path, "work");
	assert_int_equal(squint_config_apply_env(&c, &err), 0);
	assert_null(c.api_key); /* not read before resolve */
	assert_int_equal(squint_config_resolve_key(&c, &err), 0);
	assert_string_equal(c.api_key, "sk-work");
	assert_string_equal(c.key_source, "api_key_env SQUINT_TEST_KEY of profile work");
	assert_int_equal(squint_config_resolve_key(&c, &err), 0); /* idempotent */
	assert_string_equal(c.api_key, "sk-work");
	squint_config_done(&c);

	/* [defaults]' key source loses to OPENAI_API_KEY, as precedence says. */
	test_load(&c, path, "plain");
	assert_int_equal(squint_config_apply_env(&c, &err), 0);
	assert_int_equal(squint_config_resolve_key(&c, &err), 0);
	assert_string_equal(c.api_key, "sk-openai");
	squint_config_done(&c);

	/* An empty api_key in a profile means "no key", and keeps
	 * OPENAI_API_KEY away from that endpoint. */
	test_load(&c, path, "nokey");
	assert_int_equal(squint_config_apply_env(&c, &err), 0);
	assert_int_equal(squint_config_resolve_key(&c, &err), 0);
	assert_null(c.api_key);
	assert_non_null(strstr(c.key_source, "api_key of profile nokey in"));
	squint_config_done(&c);

	/* Without OPENAI_API_KEY, [defaults]' variable is used. */
	unsetenv("OPENAI_API_KEY");
	setenv("SQUINT_TEST_KEY2", "sk-defaults", 1);
	test_load(&c, path, "plain");
	assert_int_equal(squint_config_apply_env(&c, &err), 0);
	assert_int_equal(squint_config_resolve_key(&c, &err), 0);
	assert_string_equal(c.api_key, "sk-defaults");
	assert_string_equal(c.key_source, "api_key_env SQUINT_TEST_KEY2 of [defaults]");
	squint_config_done(&c);

	/* A variable that is not set is an error naming it. */
	unsetenv("SQUINT_TEST_KEY");
	test_load(&c, path, "work");
	assert_int_equal(squint_config_resolve_key(&c, &err), -1);
	assert_string_equal(err, "api_key_env SQUINT_TEST_KEY of profile work: the variable is "
				 "not set");
	free(err);
	squint_config_done(&c);

	/* A key with a line break would smuggle headers: refused, not shown. */
	setenv("OPENAI_API_KEY", "sk-bad\r\nX-Evil: 1", 1);
	squint_config_init(&c);
	assert_int_equal(squint_config_apply_env(&c, &err), 0);
	assert_int_equal(squint_config_resolve_key(&c, &err), -1);
	assert_string_equal(err, "OPENAI_API_KEY: the key contains control characters");
	free(err);
	squint_config_done(&c);

	char *bad = test_write("envbad.ini", "[defaults]\napi_key_env = 1BAD\n", 0600);
	test_load_fails(bad, NULL, "%s:2: api_key_env must be the name of an environment variable");
	free(bad);
	free(path);
}

static void test_cmd_key(void **state)
{
	struct squint_config c;
	char *err = NULL;
	(void)state;

	char *marker = test_path("cmd-ran");
	char text[2048];
	snprintf(text, sizeof text,
		 "[profile ok]\napi_key_cmd = touch %s; printf '  sk-test \\nignored\\n'\n"
		 "[profile fail]\napi_key_cmd = echo sk-leaked-output; exit 3\n"
		 "[profile empty]\napi_key_cmd = printf '\\n\\n'\n"
		 "[profile signal]\napi_key_cmd = echo sk-sig; kill -9 $$\n"
		 "[profile big]\napi_key_cmd = echo sk-big; yes xxxxxxxxxxxxxxx | head -c 300000\n"
		 "[profile stdin]\napi_key_cmd = cat; echo sk-after-stdin\n",
		 marker);
	char *path = test_write("cmd.ini", text, 0600);

	/* The command runs only when the key is resolved, and the
	 * environment's key does not replace the profile's. */
	setenv("OPENAI_API_KEY", "sk-openai", 1);
	test_load(&c, path, "ok");
	assert_int_equal(squint_config_apply_env(&c, &err), 0);
	assert_int_equal(access(marker, F_OK), -1);
	assert_string_equal(c.key_source, "api_key_cmd of profile ok");
	assert_int_equal(squint_config_resolve_key(&c, &err), 0);
	assert_int_equal(access(marker, F_OK), 0);
	assert_string_equal(c.api_key, "sk-test");
	assert_string_equal(c.key_source, "api_key_cmd of profile ok");
	squint_config_done(&c);

	/* Failures name the profile and never show the output. */
	test_load(&c, path, "fail");
	assert_int_equal(squint_config_resolve_key(&c, &err), -1);
	assert_string_equal(err, "api_key_cmd of profile fail: the command failed with exit "
				 "status 3");
	assert_null(strstr(err, "sk-leaked"));
	free(err);
	assert_null(c.api_key);
	squint_config_done(&c);

	test_load(&c, path, "empty");
	assert_int_equal(squint_config_resolve_key(&c, &err), -1);
	assert_string_equal(err, "api_key_cmd of profile empty: the command printed no key");
	free(err);
	squint_config_done(&c);

	test_load(&c, path, "signal");
	assert_int_equal(squint_config_resolve_key(&c, &err), -1);
	assert_string_equal(err, "api_key_cmd of profile signal: the command was killed by "
				 "signal 9");
	assert_null(strstr(err, "sk-sig"));
	free(err);
	squint_config_done(&c);

	/* Output past what is kept is drained, so the command exits well. */
	test_load(&c, path, "big");
	assert_int_equal(squint_config_resolve_key(&c, &err), 0);
	assert_string_equal(c.api_key, "sk-big");
	squint_config_done(&c);

	/* Text piped to squint stays squint's: with stdin a pipe, the command
	 * reads /dev/null instead. */
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "sk-from-stdin\n", 14), 14);
	close(fds[1]);
	int saved = dup(STDIN_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	test_load(&c, path, "stdin");
	int rc = squint_config_resolve_key(&c, &err);
	dup2(saved, STDIN_FILENO);
	close(saved);
	assert_int_equal(rc, 0);
	assert_string_equal(c.api_key, "sk-after-stdin");
	squint_config_done(&c);

	char *bad = test_write("cmdbad.ini", "[defaults]\napi_key_cmd =\n", 0600);
	test_load_fails(bad, NULL, "%s:2: api_key_cmd must not be empty");
	free(bad);
	free(path);
	free(marker);
}

static void test_literal_key(void **state)
{
	struct squint_config c;
	char *err = NULL;
	(void)state;

	const char *text = "[defaults]\nmodel = m\n[profile work]\napi_key = sk-literal-secret\n";
	char *open_path = test_write("open.ini", text, 0644);
	char *closed_path = test_write("closed.ini", text, 0600);

	/* Readable by others: a warning, whichever profile is chosen. */
	setenv("OPENAI_API_KEY", "sk-openai", 1);
	test_load(&c, open_path, NULL);
	assert_int_equal(c.n_warnings, 1);
	char want[1024];
	snprintf(want, sizeof want,
		 "%s: holds an API key and is readable by others; run chmod 600 %s", open_path,
		 open_path);
	assert_string_equal(c.warnings[0], want);
	assert_int_equal(squint_config_apply_env(&c, &err), 0);
	assert_string_equal(c.api_key, "sk-openai"); /* not the chosen profile's key */
	squint_config_done(&c);

	test_load(&c, open_path, "work");
	assert_int_equal(c.n_warnings, 1);
	assert_int_equal(squint_config_apply_env(&c, &err), 0);
	assert_int_equal(squint_config_resolve_key(&c, &err), 0);
	assert_string_equal(c.api_key, "sk-literal-secret");
	snprintf(want, sizeof want, "api_key of profile work in %s", open_path);
	assert_string_equal(c.key_source, want);
	for (size_t i = 0; i < c.n_warnings; i++)
		assert_null(strstr(c.warnings[i], "sk-literal"));
	squint_config_done(&c);

	/* 0600: no warning. */
	test_load(&c, closed_path, "work");
	assert_int_equal(c.n_warnings, 0);
	assert_string_equal(c.api_key, "sk-literal-secret");
	squint_config_done(&c);

	/* A key pasted where another value goes is masked in the message that
	 * quotes the value, in the file and on the command line. */
	char *bad = test_write("badkey.ini",
			       "[defaults]\ntemperature = sk-literal-secret\n"
			       "[profile other]\napi_key = sk-literal-secret\n",
			       0600);
	squint_config_init(&c);
	assert_int_equal(squint_config_load_file(&c, bad, NULL, &err), -1);
	assert_non_null(strstr(err, ":2: temperature must be a number from 0 to 2, not "
				    "\"*****************\""));
	assert_null(strstr(err, "secret"));
	free(err);
	squint_config_done(&c);
	test_load(&c, closed_path, "work");
	assert_int_equal(squint_config_set(&c, "detail", "sk-literal-secret", &err), -1);
	assert_null(strstr(err, "secret"));
	free(err);
	squint_config_done(&c);
	/* A literal key with a control byte is refused without quoting it. */
	char *bad2 = test_write("badkey2.ini", "[defaults]\napi_key = sk-\001secret\n", 0600);
	squint_config_init(&c);
	assert_int_equal(squint_config_load_file(&c, bad2, NULL, &err), -1);
	assert_non_null(strstr(err, ":2: api_key must not contain control characters"));
	assert_null(strstr(err, "secret"));
	free(err);
	squint_config_done(&c);

	/* A group-writable file naming a command: another warning. */
	char *cmd = test_write("cmdopen.ini", "[profile x]\napi_key_cmd = echo k\n", 0664);
	test_load(&c, cmd, NULL);
	assert_int_equal(c.n_warnings, 1);
	assert_non_null(strstr(c.warnings[0], "writable by others"));
	squint_config_done(&c);

	free(cmd);
	free(bad2);
	free(bad);
	free(closed_path);
	free(open_path);
}

static void test_two_files(void **state)
{
	struct squint_config c;
	char *err = NULL;
	(void)state;

	/* Files apply in turn; the list records both. */
	char *a = test_write("a.ini", "[defaults]\nmodel = a\ntop_p = 0.5\n", 0600);
	char *b = test_write("b.ini", "[defaults]\nmodel = b\n", 0600);
	test_load(&c, a, NULL);
	assert_int_equal(squint_config_load_file(&c, b, NULL, &err), 0);
	assert_string_equal(c.params.model, "b");
	assert_true(c.params.top_p == 0.5);
	assert_int_equal(c.n_files, 2);
	assert_string_equal(c.files[1], b);
	squint_config_done(&c);
	free(a);
	free(b);
}

#define TEST(f) cmocka_unit_test_setup(f, test_setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_defaults),
		TEST(test_default_path),
		TEST(test_default_file_missing),
		TEST(test_precedence),
		TEST(test_base_url),
		TEST(test_missing_profile),
		TEST(test_errors_name_line),
		TEST(test_file_syntax),
		TEST(test_settings),
		TEST(test_headers),
		TEST(test_relative_paths),
		TEST(test_env_key),
		TEST(test_cmd_key),
		TEST(test_literal_key),
		TEST(test_two_files),
	};
	return cmocka_run_group_tests(tests, test_group_setup, test_group_teardown);
}
