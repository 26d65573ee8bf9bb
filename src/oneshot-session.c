/* The one-shot mode's -s FILE: the session loaded, the question and any
 * change of settings appended before the request, the answer checkpointed
 * once a second while it streams and saved whole at the end. */
#include <config.h>

#include "oneshot-internal.h"
#include "core/conv.h"
#include "core/request.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <json-c/json.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Return the monotonic clock in seconds. */
static double oneshot_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Append the records in rec to the session file and empty rec; the first
 * failure is reported, later ones would only repeat it. */
static void oneshot_save(struct oneshot *o, struct strbuf *rec)
{
	char *err = NULL;
	if (rec->len && sessionfile_append(o->sf, rec->data, rec->len, &err) != 0 &&
	    !o->save_failed) {
		oneshot_error(err);
		o->save_failed = true;
	}
	free(err);
	strbuf_reset(rec);
}

/* -s: open and load the session file; 0, or -1 after printing why.  A file
 * another squint holds is refused: our records would interleave with its. */
int oneshot_session_open(struct oneshot *o, const char *path)
{
	char *note = NULL, *err = NULL;
	/* A file size limit must fail the write (and be reported), not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	if (sessionfile_open(o->sf, path, o->sess, PACKAGE_VERSION, (long long)time(NULL), &note,
			     &err) != 0) {
		oneshot_error(err);
		free(err);
		return -1;
	}
	for (size_t i = 0; i < o->sess->n_warnings; i++)
		oneshot_error(o->sess->warnings[i]);
	if (note) {
		oneshot_error(note);
		free(note);
		o->save_failed = true;
	}
	return o->sf->locked_out ? -1 : 0;
}

/* -s: add the question to the session with any change of system prompt or
 * parameters (p, which takes the session's system prompt when it has none)
 * and save them; returns the request body for the whole branch, newly
 * allocated (length in *len); the caller frees it. */
char *oneshot_session_ask(struct oneshot *o, struct chat_params *p, const char *text,
				 size_t text_len, const struct attachment *atts, size_t n_atts,
				 size_t *len)
{
	struct session *s = o->sess;
	long long now = (long long)time(NULL);
	struct strbuf rec = STRBUF_INIT;
	const char *sys = session_system(s, s->leaf);
	if (!p->system && sys)
		p->system = xstrdup(sys);
	if (p->system && (!sys || strcmp(p->system, sys) != 0))
		session_encode_system(s, &rec, p->system, now);
	json_object *pj = session_params_json(p);
	if (!json_object_equal(pj, session_params(s, s->leaf)))
		session_encode_params(s, &rec, pj, now);
	json_object_put(pj);
	size_t u = conv_add_user(&s->conv, now);
	struct conv_msg *m = conv_msg_at(&s->conv, u);
	if (text_len)
		conv_msg_add_text(m, text, text_len);
	for (size_t i = 0; i < n_atts; i++) {
		const struct attachment *a = &atts[i];
		conv_msg_add_image(m, a->url, a->name, a->is_url ? NULL : image_type_mime(a->type),
				   a->width, a->height, a->bytes);
		struct conv_part *cp = &m->parts[m->n_parts - 1];
		cp->sent_width = a->sent_width;
		cp->sent_height = a->sent_height;
		cp->sent_bytes = a->sent_bytes;
	}
	session_encode_msg(s, u, &rec);
	oneshot_save(o, &rec);
	strbuf_done(&rec);
	struct conv_request r;
	conv_request_build_path(&s->conv, u, &r);
	char *body = request_build(p, r.msgs, r.n_msgs, len);
	conv_request_done(&r);
	o->answer = conv_add_answer(&s->conv, now, p->model);
	o->last_ckpt = oneshot_now();
	return body;
}

/* -s: save what arrived of the answer, at most once a second. */
void oneshot_checkpoint(struct oneshot *o)
{
	double now = oneshot_now();
	if (!o->sess || now - o->last_ckpt < sessionfile_ckpt_interval())
		return;
	o->last_ckpt = now;
	struct strbuf rec = STRBUF_INIT;
	if (session_encode_checkpoint(o->sess, o->answer, &rec))
		oneshot_save(o, &rec);
	strbuf_done(&rec);
}

/* -s: complete the answer from the transfer and the response, and save it. */
void oneshot_session_finish(struct oneshot *o)
{
	struct conv_msg *m = conv_msg_at(&o->sess->conv, o->answer);
	const struct chat_response *r = &o->resp;
	const struct http_result *res = &o->result;
	enum conv_state st = CONV_INTERRUPTED;
	const char *why = res->message;
	if (res->outcome == HTTP_OK) {
		enum chat_response_state cs = chat_response_state(r);
		st = cs == CHAT_RESPONSE_COMPLETE ? CONV_DONE
		     : cs == CHAT_RESPONSE_ERROR  ? CONV_ERROR
						  : CONV_INTERRUPTED;
		why = cs == CHAT_RESPONSE_ERROR	      ? r->error.message
		      : cs == CHAT_RESPONSE_TRUNCATED ? _("the answer ended before it was finished")
						      : NULL;
	} else if (res->outcome == HTTP_STATUS_ERROR ||
		   ((res->outcome == HTTP_NETWORK_ERROR || res->outcome == HTTP_TIMEOUT) &&
		    !res->bytes)) {
		st = CONV_ERROR;
	} else if (res->outcome == HTTP_CANCELLED) {
		why = _("cancelled");
	}
	for (size_t c = 0; c < r->n_choices && c < m->n_choices; c++)
		for (size_t k = 0; k < r->choices[c].n_tool_calls; k++)
			if (k < m->choices[c].n_tool_calls && !m->choices[c].tool_calls[k].id)
				m->choices[c].tool_calls[k].id = xstrdup(r->choices[c].tool_calls[k].id);
	if (r->usage.present)
		conv_answer_set_usage(m, r->usage.prompt_tokens, r->usage.completion_tokens,
				      r->usage.total_tokens);
	m->resp_model = xstrdup(r->model);
	m->fingerprint = xstrdup(r->system_fingerprint);
	if (res->t_first_byte > 0)
		m->t_first_byte = res->t_first_byte - res->t_start;
	m->t_total = res->t_end - res->t_start;
	conv_answer_finish(m, st, why);
	struct strbuf rec = STRBUF_INIT;
	session_encode_msg(o->sess, o->answer, &rec);
	oneshot_save(o, &rec);
	strbuf_done(&rec);
}
