/* Fuzz the chunk decoder (src/core/chunk.c).
 *
 * The input is either a whole chat.completion body or an event stream whose
 * events' data go to chunk_decode_event() one by one (split by the SSE
 * parser, as squint does); which one, and the caps on content and choices,
 * come from the input's hash.  Invariants after each input:
 *   - every delta has a choice index below the cap, a tool index below
 *     CHUNK_MAX_TOOL_CALLS (or -1), and is not empty;
 *   - the deltas, concatenated per choice and kind, are exactly the
 *     response's content, reasoning, tool names and arguments;
 *   - a choice's byte count is the sum of those and stays within the cap;
 *   - chat_response_to_json() gives JSON that parses back, with one choice
 *     per present choice and the content byte-exact. */
#include <config.h>

#include "core/chunk.h"
#include "core/sse.h"
#include "core/strbuf.h"
#include "fuzz.h"

#include <string.h>

/* One delta as it arrived; its text is at [off, off + len) of texts. */
struct rec_delta {
	enum chunk_delta_kind kind;
	int choice, tool_index;
	size_t off, len;
};

struct rec {
	struct chat_response r;
	int max_choices;
	size_t max_content;
	struct rec_delta *v;
	size_t n, cap;
	struct strbuf texts;
};

/* The decoder's delta callback: check and record the delta. */
static void rec_on_delta(void *ud, const struct chunk_delta *d)
{
	struct rec *x = ud;
	FUZZ_ASSERT(d->choice >= 0 && d->choice < x->max_choices,
		    "delta for choice %d, the cap is %d", d->choice, x->max_choices);
	FUZZ_ASSERT(d->len > 0 && d->text, "an empty delta");
	if (d->kind == CHUNK_DELTA_TOOL_NAME || d->kind == CHUNK_DELTA_TOOL_CALL)
		FUZZ_ASSERT(d->tool_index >= 0 && d->tool_index < CHUNK_MAX_TOOL_CALLS,
			    "tool delta with tool index %d", d->tool_index);
	else
		FUZZ_ASSERT(d->tool_index == -1, "kind %d with tool index %d", (int)d->kind,
			    d->tool_index);
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 64;
		x->v = realloc(x->v, x->cap * sizeof *x->v);
		FUZZ_ASSERT(x->v, "out of memory");
	}
	x->v[x->n++] = (struct rec_delta){d->kind, d->choice, d->tool_index, x->texts.len, d->len};
	strbuf_append(&x->texts, d->text, d->len);
}

/* The SSE callback: decode one event's data. */
static int rec_on_event(void *ud, const struct sse_event *ev)
{
	struct rec *x = ud;
	size_t before = x->r.n_events;
	enum chunk_result res = chunk_decode_event(&x->r, ev->data, ev->data_len, rec_on_delta, x);
	FUZZ_ASSERT(res >= CHUNK_OK && res <= CHUNK_LIMIT, "result %d", (int)res);
	FUZZ_ASSERT(x->r.n_events == before + 1, "n_events did not count the event");
	return 0;
}

/* Check that the deltas add up to the response. */
static void rec_check_deltas(struct rec *x)
{
	struct chat_response *r = &x->r;
	/* How far each text of each choice has been matched by deltas. */
	struct pos {
		size_t content, reasoning;
		size_t *name, *args;
		int roles;
		const char *last_finish;
		size_t last_finish_len;
	} *pos = calloc(r->n_choices ? r->n_choices : 1, sizeof *pos);
	FUZZ_ASSERT(pos, "out of memory");
	for (size_t i = 0; i < r->n_choices; i++) {
		pos[i].name = calloc(r->choices[i].n_tool_calls + 1, sizeof(size_t));
		pos[i].args = calloc(r->choices[i].n_tool_calls + 1, sizeof(size_t));
		FUZZ_ASSERT(pos[i].name && pos[i].args, "out of memory");
	}

	for (size_t k = 0; k < x->n; k++) {
		const struct rec_delta *d = &x->v[k];
		const char *t = x->texts.data + d->off;
		size_t ci = (size_t)d->choice;
		FUZZ_ASSERT(ci < r->n_choices && r->choices[ci].present,
			    "delta %zu for choice %d, which is not in the response", k, d->choice);
		struct chat_choice *c = &r->choices[ci];
		struct pos *p = &pos[ci];
		const struct strbuf *sb = NULL;
		size_t *at = NULL;
		size_t ti = (size_t)d->tool_index;
		switch (d->kind) {
		case CHUNK_DELTA_ROLE:
			FUZZ_ASSERT(c->role && strlen(c->role) == d->len &&
					    memcmp(c->role, t, d->len) == 0,
				    "role delta of choice %zu is not its role", ci);
			FUZZ_ASSERT(++p->roles == 1, "two role deltas for choice %zu", ci);
			continue;
		case CHUNK_DELTA_FINISH:
			p->last_finish = t;
			p->last_finish_len = d->len;
			continue;
		case CHUNK_DELTA_CONTENT:
			sb = &c->content;
			at = &p->content;
			break;
		case CHUNK_DELTA_REASONING:
			sb = &c->reasoning;
			at = &p->reasoning;
			break;
		case CHUNK_DELTA_TOOL_NAME:
		case CHUNK_DELTA_TOOL_CALL:
			FUZZ_ASSERT(ti < c->n_tool_calls && c->tool_calls[ti].present,
				    "tool delta for call %zu of choice %zu, which has %zu", ti, ci,
				    c->n_tool_calls);
			sb = d->kind == CHUNK_DELTA_TOOL_NAME ? &c->tool_calls[ti].name
							      : &c->tool_calls[ti].arguments;
			at = d->kind == CHUNK_DELTA_TOOL_NAME ? &p->name[ti] : &p->args[ti];
			break;
		default:
			FUZZ_ASSERT(0, "unknown delta kind %d", (int)d->kind);
		}
		FUZZ_ASSERT(*at + d->len <= sb->len && memcmp(sb->data + *at, t, d->len) == 0,
			    "delta %zu (kind %d) of choice %zu does not continue the text at %zu",
			    k, (int)d->kind, ci, *at);
		*at += d->len;
	}

	for (size_t i = 0; i < r->n_choices; i++) {
		struct chat_choice *c = &r->choices[i];
		struct pos *p = &pos[i];
		if (!c->present) {
			FUZZ_ASSERT(c->content.len == 0 && c->n_tool_calls == 0 && !c->role,
				    "gap choice %zu holds data", i);
			goto next;
		}
		FUZZ_ASSERT(c->index == (int)i, "choice %zu has index %d", i, c->index);
		FUZZ_ASSERT(p->content == c->content.len,
			    "choice %zu: deltas give %zu content bytes of %zu", i, p->content,
			    c->content.len);
		FUZZ_ASSERT(p->reasoning == c->reasoning.len,
			    "choice %zu: deltas give %zu reasoning bytes of %zu", i, p->reasoning,
			    c->reasoning.len);
		/* A role or finish_reason "\u0000..." is kept as "" and not reported. */
		FUZZ_ASSERT((c->role && *c->role) == (p->roles == 1),
			    "choice %zu: role without its delta", i);
		if (c->finish_reason && *c->finish_reason)
			FUZZ_ASSERT(
				p->last_finish && p->last_finish_len == strlen(c->finish_reason) &&
					memcmp(p->last_finish, c->finish_reason,
					       p->last_finish_len) == 0,
				"choice %zu: the last finish delta is not its finish_reason", i);
		else
			FUZZ_ASSERT(!p->last_finish,
				    "choice %zu: a finish delta but no finish_reason", i);
		FUZZ_ASSERT(c->n_tool_calls <= CHUNK_MAX_TOOL_CALLS,
			    "choice %zu has %zu tool calls", i, c->n_tool_calls);
		size_t bytes = c->content.len + c->reasoning.len;
		for (size_t k = 0; k < c->n_tool_calls; k++) {
			struct chat_tool_call *tc = &c->tool_calls[k];
			FUZZ_ASSERT(p->name[k] == tc->name.len && p->args[k] == tc->arguments.len,
				    "choice %zu tool call %zu: the deltas do not add up", i, k);
			bytes += tc->name.len + tc->arguments.len;
		}
		FUZZ_ASSERT(bytes == c->n_bytes, "choice %zu counts %zu bytes but holds %zu", i,
			    c->n_bytes, bytes);
		FUZZ_ASSERT(c->n_bytes <= x->max_content,
			    "choice %zu holds %zu bytes, the cap is %zu", i, c->n_bytes,
			    x->max_content);
	next:
		free(p->name);
		free(p->args);
	}
	free(pos);
}

/* Check that the response turns into JSON that parses back. */
static void rec_check_json(struct rec *x)
{
	struct chat_response *r = &x->r;
	json_object *o = chat_response_to_json(r);
	FUZZ_ASSERT(o, "chat_response_to_json gave NULL");
	size_t len;
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	FUZZ_ASSERT(s && len <= 0x7fffffff, "the JSON text is missing");

	json_tokener *tok = json_tokener_new();
	json_object *back = json_tokener_parse_ex(tok, s, (int)len);
	FUZZ_ASSERT(back && json_tokener_get_parse_end(tok) == len,
		    "chat_response_to_json output does not parse back (%s): %.300s",
		    json_tokener_error_desc(json_tokener_get_error(tok)), s);
	FUZZ_ASSERT(json_object_is_type(back, json_type_object), "the JSON is not an object");

	json_object *choices;
	FUZZ_ASSERT(json_object_object_get_ex(back, "choices", &choices) &&
			    json_object_is_type(choices, json_type_array),
		    "no choices array");
	size_t present = 0;
	for (size_t i = 0; i < r->n_choices; i++) {
		if (!r->choices[i].present)
			continue;
		const struct chat_choice *c = &r->choices[i];
		json_object *jc = json_object_array_get_idx(choices, present++);
		FUZZ_ASSERT(jc, "choice %zu is missing from the JSON", i);
		json_object *m, *content;
		FUZZ_ASSERT(json_object_object_get_ex(jc, "message", &m),
			    "choice %zu has no message", i);
		if (json_object_object_get_ex(m, "content", &content) && content) {
			FUZZ_ASSERT((size_t)json_object_get_string_len(content) == c->content.len &&
					    memcmp(json_object_get_string(content),
						   strbuf_str(&c->content), c->content.len) == 0,
				    "choice %zu: the content does not survive the JSON", i);
		} else {
			FUZZ_ASSERT(c->content.len == 0, "choice %zu: content lost in the JSON", i);
		}
	}
	FUZZ_ASSERT(json_object_array_length(choices) == present,
		    "%zu choices in the JSON, %zu present", json_object_array_length(choices),
		    present);
	json_object_put(back);
	json_tokener_free(tok);
	json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng rng;
	fuzz_rng_seed(&rng, data, size);
	struct rec x;
	memset(&x, 0, sizeof x);
	strbuf_init(&x.texts);
	chat_response_init(&x.r);

	/* Small caps most of the time, so that they are reached. */
	x.max_choices = fuzz_rng_below(&rng, 4) ? 1 + (int)fuzz_rng_below(&rng, 8)
						: CHUNK_DEFAULT_MAX_CHOICES;
	x.max_content =
		fuzz_rng_below(&rng, 4) ? 1 + fuzz_rng_below(&rng, 256) : CHUNK_DEFAULT_MAX_CONTENT;
	chat_response_set_limits(&x.r, x.max_content, x.max_choices);
	FUZZ_ASSERT(x.r.max_choices == x.max_choices && x.r.max_content_bytes == x.max_content,
		    "the caps were not taken");

	if (fuzz_rng_below(&rng, 3) == 0) {
		enum chunk_result res =
			chunk_decode_completion(&x.r, (const char *)data, size, rec_on_delta, &x);
		FUZZ_ASSERT(res >= CHUNK_OK && res <= CHUNK_LIMIT, "result %d", (int)res);
		if (res == CHUNK_OK)
			FUZZ_ASSERT(x.r.saw_done, "a decoded body did not set saw_done");
	} else {
		struct sse_parser *p = sse_parser_new(0, rec_on_event, &x);
		FUZZ_ASSERT(p, "sse_parser_new failed");
		sse_parser_feed(p, (const char *)data, size);
		sse_parser_delete(p);
	}

	FUZZ_ASSERT(x.r.n_choices <= (size_t)x.max_choices, "%zu choices, the cap is %d",
		    x.r.n_choices, x.max_choices);
	if (x.r.malformed_sample)
		FUZZ_ASSERT(strlen(x.r.malformed_sample) <= 80, "a malformed sample of %zu bytes",
			    strlen(x.r.malformed_sample));
	FUZZ_ASSERT((x.r.n_malformed > 0) == (x.r.malformed_sample != NULL),
		    "%zu malformed events, sample %p", x.r.n_malformed,
		    (void *)x.r.malformed_sample);
	enum chat_response_state st = chat_response_state(&x.r);
	FUZZ_ASSERT(st == CHAT_RESPONSE_COMPLETE || st == CHAT_RESPONSE_TRUNCATED ||
			    st == CHAT_RESPONSE_ERROR,
		    "state %d", (int)st);
	FUZZ_ASSERT((st == CHAT_RESPONSE_ERROR) == x.r.error.present, "state and error disagree");
	rec_check_deltas(&x);
	rec_check_json(&x);

	chat_response_done(&x.r);
	strbuf_done(&x.texts);
	free(x.v);
	return 0;
}
