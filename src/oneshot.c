#include <config.h>

#include "oneshot.h"
#include "oneshot-internal.h"
#include "core/attach.h"
#include "core/chunk.h"
#include "core/conv.h"
#include "core/errbody.h"
#include "core/request.h"
#include "core/sanitize.h"
#include "core/session.h"
#include "core/sessionfile.h"
#include "core/sse.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"
#include "img/decode.h"
#include "img/upload.h"
#include "term/probe.h"
#include "ui/curses/inline.h"
#include "net/fetch.h"
#include "net/http.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* Piped input beyond this is refused rather than sent. */
#define ONESHOT_MAX_STDIN (32u * 1024 * 1024)

static int oneshot_sig_pipe[2] = {-1, -1};

/* SIGINT/SIGTERM: wake the loop, which cancels the request. */
static void oneshot_on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;
	if (write(oneshot_sig_pipe[1], &b, 1) < 0) {
		/* Nothing to do: the pipe is full, so a wake-up is pending. */
	}
	errno = saved;
}

/* Append model text to the pending output, filtered when on a terminal. */
static void oneshot_emit(struct oneshot *o, const char *s, size_t len)
{
	if (!len)
		return;
	if (o->tty)
		sanitize_feed(&o->san, &o->out, s, len);
	else
		strbuf_append(&o->out, s, len);
	o->printed_any = true;
	o->ended_line = s[len - 1] == '\n';
}

/* Write what is pending to stdout. */
static void oneshot_flush(struct oneshot *o)
{
	if (o->out.len) {
		fwrite(o->out.data, 1, o->out.len, stdout);
		strbuf_reset(&o->out);
	}
	fflush(stdout);
}

/* Print a heading for choice i when there are several. */
static void oneshot_choice_header(struct oneshot *o, int i)
{
	if (o->printed_any && !o->ended_line)
		strbuf_putc(&o->out, '\n');
	if (o->printed_any)
		strbuf_putc(&o->out, '\n');
	strbuf_printf(&o->out, _("## Choice %d\n\n"), i + 1);
	o->printed_any = true;
	o->ended_line = true;
}

/* Deltas from the decoder: the live choice's content goes out at once. */
static void oneshot_on_delta(void *ud, const struct chunk_delta *d)
{
	struct oneshot *o = ud;
	if (o->sess)
		conv_answer_apply(conv_msg_at(&o->sess->conv, o->answer), d);
	if (o->args->json_output)
		return;
	if (d->kind == CHUNK_DELTA_REASONING && o->args->verbose) {
		struct strbuf tmp = STRBUF_INIT;
		sanitize_feed(&o->san_err, &tmp, d->text, d->len);
		fwrite(tmp.data ? tmp.data : "", 1, tmp.len, stderr);
		strbuf_done(&tmp);
		return;
	}
	if (d->kind != CHUNK_DELTA_CONTENT)
		return;
	if (o->live_choice < 0) {
		o->live_choice = d->choice;
		if (o->cfg->params.has_n && o->cfg->params.n > 1)
			oneshot_choice_header(o, d->choice);
	}
	if (d->choice == o->live_choice)
		oneshot_emit(o, d->text, d->len);
}

/* One server-sent event: decode it into the response. */
static int oneshot_on_event(void *ud, const struct sse_event *ev)
{
	struct oneshot *o = ud;
	enum chunk_result r = chunk_decode_event(&o->resp, ev->data, ev->data_len,
						 oneshot_on_delta, o);
	return r == CHUNK_LIMIT ? 1 : 0;
}

/* Headers of a 2xx answer: is it a stream or one JSON document? */
static void oneshot_on_headers(void *ud, long status, const char *content_type)
{
	struct oneshot *o = ud;
	(void)status;
	o->sse = content_type && strstr(content_type, "text/event-stream");
	o->raw_json = !o->sse;
}

/* Body bytes of the answer. */
static int oneshot_on_data(void *ud, const char *buf, size_t len)
{
	struct oneshot *o = ud;
	if (o->raw_json) {
		strbuf_append(&o->body, buf, len);
		return o->body.len > (size_t)o->cfg->max_answer_mb << 20;
	}
	int rc = sse_parser_feed(o->sse_parser, buf, len);
	return rc != 0;
}

/* A retry is coming: say so on stderr. */
static void oneshot_on_retry(void *ud, int attempt, long delay_ms, const char *reason)
{
	struct oneshot *o = ud;
	(void)o;
	fprintf(stderr, _("squint: %s; retrying in %.1f s (attempt %d)\n"), reason,
		(double)delay_ms / 1000.0, attempt + 1);
}

/* The transfer ended: keep its result. */
static void oneshot_on_done(void *ud, const struct http_result *res)
{
	struct oneshot *o = ud;
	o->result = *res;
	api_error_init(&o->result.api);
	o->result_message = res->message ? xstrdup(res->message) : NULL;
	o->result.message = o->result_message;
	o->finished = true;
}

/* Read all of standard input into sb; 0 or -1 with *err set. */
static int oneshot_read_stdin(struct strbuf *sb, char **err)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*err = xasprintf(_("cannot read standard input: %s"), strerror(errno));
			return -1;
		}
		if (sb->len + (size_t)n > ONESHOT_MAX_STDIN) {
			*err = xasprintf(_("standard input is larger than %u MB"),
					 ONESHOT_MAX_STDIN / (1024 * 1024));
			return -1;
		}
		strbuf_append(sb, buf, (size_t)n);
	}
}

/* Print the remaining choices (all but the live one) under their headers. */
static void oneshot_print_rest(struct oneshot *o)
{
	for (size_t i = 0; i < o->resp.n_choices; i++) {
		const struct chat_choice *ch = &o->resp.choices[i];
		if (!ch->present || (int)i == o->live_choice)
			continue;
		if (o->cfg->params.has_n && o->cfg->params.n > 1)
			oneshot_choice_header(o, (int)i);
		oneshot_emit(o, strbuf_str(&ch->content), ch->content.len);
	}
}

/* Print every choice's tool calls, readably. */
static void oneshot_print_tool_calls(struct oneshot *o)
{
	for (size_t i = 0; i < o->resp.n_choices; i++) {
		const struct chat_choice *ch = &o->resp.choices[i];
		for (size_t k = 0; ch->present && k < ch->n_tool_calls; k++) {
			const struct chat_tool_call *tc = &ch->tool_calls[k];
			if (!tc->present)
				continue;
			if (o->printed_any && !o->ended_line)
				strbuf_putc(&o->out, '\n');
			struct strbuf line = STRBUF_INIT;
			strbuf_printf(&line, _("[tool call %s] %s(%s)\n"), tc->id ? tc->id : "-",
				      tc->name.len ? tc->name.data : "?", strbuf_str(&tc->arguments));
			oneshot_emit(o, line.data, line.len);
			strbuf_done(&line);
		}
	}
}

/* The usage/timing report of -v, on stderr. */
static void oneshot_report(struct oneshot *o)
{
	const struct chat_response *r = &o->resp;
	for (size_t i = 0; i < r->n_choices; i++)
		if (r->choices[i].present)
			fprintf(stderr, _("squint: choice %zu finish_reason: %s\n"), i + 1,
				r->choices[i].finish_reason ? r->choices[i].finish_reason : "-");
	if (r->usage.present)
		fprintf(stderr,
			P_("squint: usage: %ld prompt + %ld completion = %ld token\n",
			   "squint: usage: %ld prompt + %ld completion = %ld tokens\n", r->usage.total_tokens),
			r->usage.prompt_tokens, r->usage.completion_tokens, r->usage.total_tokens);
	double total = o->result.t_end - o->result.t_start;
	double first = o->result.t_first_byte > 0 ? o->result.t_first_byte - o->result.t_start : 0;
	fprintf(stderr, P_("squint: time: first byte %.3f s, total %.3f s, %d attempt",
			   "squint: time: first byte %.3f s, total %.3f s, %d attempts", o->result.attempts),
		first,
		total, o->result.attempts);
	if (r->usage.present && total - first > 0.0001 && r->usage.completion_tokens > 0)
		fprintf(stderr, _(", %.1f tokens/s"),
			(double)r->usage.completion_tokens / (total - first));
	fputc('\n', stderr);
	if (r->model)
		fprintf(stderr, _("squint: model: %s%s%s\n"), r->model,
			r->system_fingerprint ? _(", fingerprint ") : "",
			r->system_fingerprint ? r->system_fingerprint : "");
}

/* Print one error line on stderr with a safe rendering of msg. */
void oneshot_error(const char *msg)
{
	struct sanitize_state st;
	struct strbuf sb = STRBUF_INIT;
	sanitize_init(&st);
	sanitize_feed(&st, &sb, msg, strlen(msg));
	sanitize_finish(&st, &sb);
	fprintf(stderr, "squint: %s\n", strbuf_str(&sb));
	strbuf_done(&sb);
}

/* Decide the exit status from the finished transfer and the decoded answer. */
static int oneshot_conclude(struct oneshot *o)
{
	const struct http_result *res = &o->result;
	switch (res->outcome) {
	case HTTP_STATUS_ERROR:
		oneshot_error(res->message);
		return SQUINT_EXIT_SERVER;
	case HTTP_NETWORK_ERROR:
	case HTTP_TIMEOUT:
		oneshot_error(res->message);
		return res->bytes ? SQUINT_EXIT_TRUNCATED : SQUINT_EXIT_NETWORK;
	case HTTP_CANCELLED:
		oneshot_error(_("cancelled; the partial answer is above"));
		return SQUINT_EXIT_TRUNCATED;
	case HTTP_ABORTED: {
		char *m = xasprintf(_("the answer went over a size limit (--max-answer-mb %d, "
				      "--max-line-mb %d); stopped"),
				    o->cfg->max_answer_mb, o->cfg->max_line_mb);
		oneshot_error(m);
		free(m);
		return SQUINT_EXIT_TRUNCATED;
	}
	case HTTP_OK:
		break;
	}
	if (o->resp.n_malformed)
		fprintf(stderr, P_("squint: skipped %zu malformed event from the server\n",
				   "squint: skipped %zu malformed events from the server\n", o->resp.n_malformed),
			o->resp.n_malformed);
	switch (chat_response_state(&o->resp)) {
	case CHAT_RESPONSE_ERROR: {
		struct strbuf sb = STRBUF_INIT;
		strbuf_printf(&sb, _("the server reported an error mid-answer: %s"),
			      o->resp.error.message ? o->resp.error.message : _("(no message)"));
		if (o->resp.error.code)
			strbuf_printf(&sb, " (%s)", o->resp.error.code);
		oneshot_error(sb.data);
		strbuf_done(&sb);
		return SQUINT_EXIT_SERVER;
	}
	case CHAT_RESPONSE_TRUNCATED:
		if (o->resp.n_events == 0 && o->resp.n_malformed == 0 && !o->raw_json)
			oneshot_error(_("the server sent no answer (an empty or non-SSE stream)"));
		else if (o->resp.n_events == o->resp.n_malformed)
			oneshot_error(_("the server's answer could not be read (malformed stream)"));
		else
			oneshot_error(_("the answer ended before it was finished (no finish_reason)"));
		return o->resp.n_events == o->resp.n_malformed ? SQUINT_EXIT_SERVER
							      : SQUINT_EXIT_TRUNCATED;
	case CHAT_RESPONSE_COMPLETE:
		break;
	}
	for (size_t i = 0; i < o->resp.n_choices; i++) {
		const char *fr = o->resp.choices[i].finish_reason;
		if (o->resp.choices[i].present && fr && strcmp(fr, "length") == 0) {
			oneshot_error(_("the answer was cut off at the token limit "
					"(finish_reason: length)"));
			return SQUINT_EXIT_TRUNCATED;
		}
	}
	return SQUINT_EXIT_OK;
}

/* Load every image argument, fitted for upload; 0, or -1 after printing why. */
static int oneshot_load_inputs(const struct squint_config *cfg, const struct oneshot_args *args,
			       struct attachment *atts)
{
	struct upload_opts uo;
	upload_opts_from_config(&uo, cfg);
	uo.fetch = fetch_url;
	for (size_t i = 0; i < args->n_inputs; i++) {
		char *err = NULL;
		attachment_init(&atts[i]);
		if (upload_attach(&atts[i], args->inputs[i], &uo, &err) != 0) {
			oneshot_error(err);
			free(err);
			return -1;
		}
		if (args->verbose && atts[i].summary)
			oneshot_error(atts[i].summary);
	}
	return 0;
}

/* --preview: show each local image in the terminal (sixel, blocks or a
 * line, as the terminal allows) before the answer.  Problems are reported
 * and skipped: a preview is never a reason not to ask. */
static void oneshot_preview(const struct squint_config *cfg, const struct oneshot_args *args,
			    const struct attachment *atts)
{
	if (!isatty(STDOUT_FILENO))
		return;
	struct term_caps caps;
	int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	const char *env = getenv("SQUINT_GRAPHICS");
	term_probe(tty >= 0 ? tty : STDOUT_FILENO, env && *env ? NULL : cfg->graphics, 0, &caps);
	if (tty >= 0)
		close(tty);
	struct img_limits lim;
	img_limits_default(&lim);
	lim.max_pixels = (unsigned long long)(cfg->max_megapixels * 1e6);
	lim.max_bytes = (size_t)(cfg->max_file_mb * 1024 * 1024);
	for (size_t i = 0; i < args->n_inputs; i++) {
		if (atts[i].is_url)
			continue;
		char *err = NULL;
		unsigned char *buf = NULL;
		size_t len = 0;
		struct image img;
		struct img_info info;
		image_init(&img);
		/* A fetched URL is previewed from the bytes that are sent. */
		bool fetched = (strncasecmp(args->inputs[i], "http://", 7) == 0 ||
				strncasecmp(args->inputs[i], "https://", 8) == 0) &&
			       strncmp(atts[i].url, "data:", 5) == 0;
		if (fetched)
			buf = attach_data_uri_bytes(atts[i].url, &len);
		if ((fetched ? buf != NULL
			     : attachment_read(args->inputs[i], lim.max_bytes, &buf, &len, &err) == 0) &&
		    img_decode(buf, len, args->inputs[i], &lim, &img, &info, &err) == 0) {
			struct strbuf label = STRBUF_INIT, safe = STRBUF_INIT;
			strbuf_printf(&label, "[%zu] %s %ux%u", i + 1, atts[i].name, atts[i].width,
				      atts[i].height);
			sanitize_string(&safe, label.data, label.len);
			fflush(stdout);
			if (inline_preview_print(STDOUT_FILENO, &img, strbuf_str(&safe), &caps, 60,
						 cfg->preview_rows, &err) != 0) {
				oneshot_error(err);
			}
			strbuf_done(&label);
			strbuf_done(&safe);
		} else if (err) {
			oneshot_error(err);
		}
		free(err);
		free(buf);
		image_free(&img);
	}
}

int oneshot_run(struct squint_config *cfg, const struct oneshot_args *args)
{
	int status = SQUINT_EXIT_USAGE;
	struct strbuf prompt = STRBUF_INIT;
	struct attachment *atts = xcalloc(args->n_inputs + 1, sizeof *atts);
	struct chat_part *parts = xcalloc(args->n_inputs + 1, sizeof *parts);
	struct http_client *client = NULL;
	char *body = NULL, *url = NULL, *err = NULL;
	struct oneshot o;
	struct session sess;
	struct sessionfile sf;
	struct chat_params eff;
	chat_params_init(&eff);
	session_init(&sess);
	memset(&sf, 0, sizeof sf);
	sf.fd = -1;
	memset(&o, 0, sizeof o);
	o.args = args;
	o.cfg = cfg;
	o.live_choice = -1;
	o.tty = isatty(STDOUT_FILENO);
	chat_response_init(&o.resp);
	sanitize_init(&o.san);
	sanitize_init(&o.san_err);

	strbuf_puts(&prompt, args->prompt);
	if (!isatty(STDIN_FILENO)) {
		struct strbuf in = STRBUF_INIT;
		if (oneshot_read_stdin(&in, &err) != 0) {
			oneshot_error(err);
			strbuf_done(&in);
			goto out;
		}
		if (in.len) {
			if (prompt.len)
				strbuf_puts(&prompt, "\n\n");
			strbuf_append(&prompt, in.data, in.len);
		}
		strbuf_done(&in);
	}
	if (prompt.len == 0 && args->n_inputs == 0) {
		oneshot_error(_("nothing to ask: the prompt is empty and no image was given"));
		goto out;
	}
	if (args->session) {
		o.sess = &sess;
		o.sf = &sf;
		chat_params_copy(&eff, &cfg->params);
		if (oneshot_session_open(&o, args->session) != 0)
			goto out;
	}
	if (oneshot_load_inputs(cfg, args, atts) != 0)
		goto out;
	if (args->preview)
		oneshot_preview(cfg, args, atts);

	size_t n_parts = 0;
	if (prompt.len)
		parts[n_parts++] = (struct chat_part){CHAT_PART_TEXT, prompt.data, NULL};
	for (size_t i = 0; i < args->n_inputs; i++)
		parts[n_parts++] = (struct chat_part){CHAT_PART_IMAGE, NULL, atts[i].url};
	struct chat_msg msg = {"user", parts, n_parts, NULL, NULL};
	size_t body_len = 0;
	if (o.sess)
		body = oneshot_session_ask(&o, &eff, prompt.data ? prompt.data : "", prompt.len, atts,
					   args->n_inputs, &body_len);
	else
		body = request_build(&cfg->params, &msg, 1, &body_len);
	/* The image data is in the body now; free it early. */
	for (size_t i = 0; i < args->n_inputs; i++)
		attachment_done(&atts[i]);

	o.stream = cfg->params.stream;
	o.sse_parser = sse_parser_new((size_t)cfg->max_line_mb << 20, oneshot_on_event, &o);
	chat_response_set_limits(&o.resp, (size_t)cfg->max_answer_mb << 20, 0);
	chat_response_set_secret(&o.resp, cfg->api_key);
	url = xasprintf("%s/chat/completions", cfg->base_url);
	if (args->verbose)
		fprintf(stderr, _("squint: POST %s (Authorization: Bearer <redacted, %zu characters>)\n"),
			url, cfg->api_key ? strlen(cfg->api_key) : (size_t)0);

	client = http_client_new(&err);
	if (!client) {
		oneshot_error(err);
		status = SQUINT_EXIT_NETWORK;
		goto out;
	}
	struct http_request req = {
		.url = url,
		.post = true,
		.body = body,
		.body_len = body_len,
		.api_key = cfg->api_key,
		.accept = o.stream ? "text/event-stream" : "application/json",
		.headers = cfg->headers,
		.n_headers = cfg->n_headers,
		.connect_timeout_s = (long)ceil(cfg->connect_timeout),
		.idle_timeout_s = (long)ceil(cfg->idle_timeout),
		.cacert = cfg->cacert,
		.insecure = cfg->insecure,
		.proxy = cfg->proxy,
		.retries = cfg->retries,
	};
	struct http_handlers h = {oneshot_on_headers, oneshot_on_data, oneshot_on_retry,
				  oneshot_on_done, NULL};
	struct http_transfer *t = http_client_start(client, &req, &h, &o, &err);
	if (!t) {
		oneshot_error(err);
		status = SQUINT_EXIT_NETWORK;
		goto out;
	}

	if (pipe(oneshot_sig_pipe) == 0) {
		fcntl(oneshot_sig_pipe[0], F_SETFL, O_NONBLOCK);
		fcntl(oneshot_sig_pipe[1], F_SETFL, O_NONBLOCK);
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = oneshot_on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);

	while (!o.finished) {
		struct curl_waitfd wfd = {oneshot_sig_pipe[0], CURL_WAIT_POLLIN, 0};
		http_client_run(client, &wfd, oneshot_sig_pipe[0] >= 0 ? 1 : 0, o.sess ? 250 : 1000);
		oneshot_flush(&o);
		oneshot_checkpoint(&o);
		unsigned char b;
		if (oneshot_sig_pipe[0] >= 0 && read(oneshot_sig_pipe[0], &b, 1) == 1 &&
		    !o.finished) {
			http_transfer_cancel(t);
			o.cancelled = true;
		}
	}
	sse_parser_finish(o.sse_parser);
	if (o.raw_json && o.body.len)
		chunk_decode_completion(&o.resp, o.body.data, o.body.len, oneshot_on_delta, &o);

	if (args->json_output) {
		json_object *j = chat_response_to_json(&o.resp);
		const char *text = json_object_to_json_string_ext(
			j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (o.result.outcome == HTTP_OK)
			oneshot_emit(&o, text, strlen(text));
		json_object_put(j);
		if (o.result.outcome == HTTP_OK)
			strbuf_putc(&o.out, '\n');
	} else {
		oneshot_print_rest(&o);
		oneshot_print_tool_calls(&o);
		if (o.printed_any && !o.ended_line)
			strbuf_putc(&o.out, '\n');
	}
	if (o.tty)
		sanitize_finish(&o.san, &o.out);
	oneshot_flush(&o);
	if (o.sess)
		oneshot_session_finish(&o);
	if (args->verbose && o.result.outcome == HTTP_OK)
		oneshot_report(&o);
	status = oneshot_conclude(&o);

out:
	if (oneshot_sig_pipe[0] >= 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		close(oneshot_sig_pipe[0]);
		close(oneshot_sig_pipe[1]);
		oneshot_sig_pipe[0] = oneshot_sig_pipe[1] = -1;
	}
	if (o.sess) {
		sessionfile_close(&sf);
		session_done(&sess);
	}
	chat_params_done(&eff);
	http_client_delete(client);
	if (o.sse_parser)
		sse_parser_delete(o.sse_parser);
	chat_response_done(&o.resp);
	strbuf_done(&o.body);
	strbuf_done(&o.out);
	free(o.result_message);
	for (size_t i = 0; i < args->n_inputs; i++)
		attachment_done(&atts[i]);
	free(atts);
	free(parts);
	free(body);
	free(url);
	free(err);
	strbuf_done(&prompt);
	return status;
}
