/* An answer's choices (tabs), tool call blocks and tinted tokens.
 *
 * The shown choice's text and reasoning stay in the item (chatview.c lays
 * out and searches only those); the hidden choices keep theirs here, and
 * showing another choice swaps the two.  Tool blocks and tints are kept per
 * choice here for all of them. */
#include <config.h>

#include "ui/chatview-alt.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One tool call block. */
struct cv_tool {
	char *title;
	char *body;
};

/* One token of the tinted view: where it ends in tint_text, its style. */
struct cv_tint {
	size_t end;
	unsigned style;
};

/* What one choice holds besides the shown text. */
struct cv_choice_alt {
	struct strbuf text, reasoning; /* empty while this choice is shown */
	struct cv_tool *tools;
	size_t n_tools;
	struct strbuf tint_text;
	struct cv_tint *tints;
	size_t n_tints;
};

struct cv_alts {
	struct cv_choice_alt *c;
	size_t n, shown;
	size_t sel; /* the selected token of the shown choice, or (size_t)-1 */
	struct cv_lines tools;
	int tools_width; /* -1: tools must be laid out again */
};

/* Return a, grown to at least n choices (made when *ap is NULL). */
static struct cv_alts *cv_alts_grow(struct cv_alts **ap, size_t n)
{
	if (!*ap) {
		*ap = xcalloc(1, sizeof **ap);
		(*ap)->sel = (size_t)-1;
		(*ap)->tools_width = -1;
	}
	struct cv_alts *a = *ap;
	if (n > a->n) {
		a->c = xrealloc(a->c, n * sizeof *a->c);
		memset(&a->c[a->n], 0, (n - a->n) * sizeof *a->c);
		a->n = n;
	}
	return a;
}

/* Free a. */
void cv_alts_delete(struct cv_alts *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++) {
		struct cv_choice_alt *c = &a->c[i];
		strbuf_done(&c->text);
		strbuf_done(&c->reasoning);
		for (size_t k = 0; k < c->n_tools; k++) {
			free(c->tools[k].title);
			free(c->tools[k].body);
		}
		free(c->tools);
		strbuf_done(&c->tint_text);
		free(c->tints);
	}
	free(a->c);
	cv_alts_drop_layout(a);
	free(a->tools.v);
	free(a);
}

/* Return the header with the tabs, or NULL. */
char *cv_alts_header(const struct cv_alts *a, const char *label)
{
	if (!a || a->n < 2)
		return NULL;
	return xasprintf("%s  [%zu/%zu]", label ? label : "", a->shown + 1, a->n);
}

/* Lay the tool blocks out if needed; returns their number of lines. */
size_t cv_alts_tool_lines(struct cv_alts *a, int width)
{
	if (!a)
		return 0;
	if (a->tools_width == width)
		return a->tools.n;
	chatlayout_lines_clear(&a->tools);
	a->tools_width = width;
	const struct cv_choice_alt *c = a->shown < a->n ? &a->c[a->shown] : NULL;
	for (size_t k = 0; c && k < c->n_tools; k++) {
		const struct cv_tool *tc = &c->tools[k];
		if (!tc->title)
			continue;
		chatlayout_lines_push(&a->tools); /* a blank line above */
		struct cv_line *t = chatlayout_lines_push(&a->tools);
		chatlayout_line_set(t, tc->title, strlen(tc->title), width,
				    CV_STYLE_BOLD | CV_STYLE_ASSISTANT);
		size_t from = a->tools.n;
		chatlayout_text(&a->tools, tc->body, strlen(tc->body), width, 4, CV_STYLE_CODE);
		for (size_t i = from; i < a->tools.n; i++)
			a->tools.v[i].fill = CV_STYLE_CODE;
	}
	/* chatlayout_lines_push() leaves blank lines with no text: give them "". */
	for (size_t i = 0; i < a->tools.n; i++)
		if (!a->tools.v[i].text)
			a->tools.v[i].text = xstrdup("");
	return a->tools.n;
}

/* Return tool line k. */
const struct cv_line *cv_alts_tool_line(const struct cv_alts *a, size_t k)
{
	return &a->tools.v[k];
}

/* Forget the tool lines. */
void cv_alts_drop_layout(struct cv_alts *a)
{
	if (!a)
		return;
	chatlayout_lines_clear(&a->tools);
	a->tools_width = -1;
}

/* Return whether the shown choice has tints. */
bool cv_alts_has_tints(const struct cv_alts *a)
{
	return a && a->shown < a->n && a->c[a->shown].n_tints > 0;
}

/* Lay out the tinted tokens of the shown choice. */
void cv_alts_layout_tinted(const struct cv_alts *a, struct cv_lines *body, int width, int indent)
{
	chatlayout_lines_clear(body);
	if (!cv_alts_has_tints(a))
		return;
	const struct cv_choice_alt *c = &a->c[a->shown];
	size_t n = c->n_tints;
	struct chatlayout_tint *t = xcalloc(n, sizeof *t);
	for (size_t i = 0; i < n; i++) {
		t[i].end = c->tints[i].end;
		t[i].style = c->tints[i].style | (i == a->sel ? CV_STYLE_SELECTED : 0);
	}
	chatlayout_tinted(body, c->tint_text.data, c->tint_text.len, width, indent, t, n);
	free(t);
}

/* Append text to a choice. */
void chatview_append_choice(struct chatview *v, size_t id, size_t c, bool reasoning,
			    const char *text, size_t len)
{
	struct cv_item_ref r;
	if (!len || !cv_item_ref(v, id, CV_DIRTY_NONE, &r))
		return;
	size_t before = *r.alts ? (*r.alts)->n : 1;
	struct cv_alts *a = cv_alts_grow(r.alts, c + 1 > before ? c + 1 : before);
	if (c == a->shown) {
		if (reasoning)
			chatview_append_reasoning(v, id, text, len);
		else
			chatview_append(v, id, text, len);
	} else {
		strbuf_append(reasoning ? &a->c[c].reasoning : &a->c[c].text, text, len);
	}
	if (a->n != before)
		cv_item_ref(v, id, CV_DIRTY_TEXT, &r); /* the tabs in the header */
}

/* Return the number of choices. */
size_t chatview_n_choices(struct chatview *v, size_t id)
{
	struct cv_item_ref r;
	if (!cv_item_ref(v, id, CV_DIRTY_NONE, &r) || !*r.alts || (*r.alts)->n == 0)
		return 1;
	return (*r.alts)->n;
}

/* Return the shown choice. */
size_t chatview_shown_choice(struct chatview *v, size_t id)
{
	struct cv_item_ref r;
	if (!cv_item_ref(v, id, CV_DIRTY_NONE, &r) || !*r.alts)
		return 0;
	return (*r.alts)->shown;
}

/* Swap the strbufs *x and *y. */
static void cv_swap(struct strbuf *x, struct strbuf *y)
{
	struct strbuf t = *x;
	*x = *y;
	*y = t;
}

/* Show choice c. */
int chatview_show_choice(struct chatview *v, size_t id, size_t c)
{
	struct cv_item_ref r;
	if (!cv_item_ref(v, id, CV_DIRTY_NONE, &r) || c >= chatview_n_choices(v, id))
		return -1;
	struct cv_alts *a = cv_alts_grow(r.alts, 1);
	if (c == a->shown)
		return 0;
	/* The shown text goes back to its slot, the new one comes out of its. */
	cv_swap(r.text, &a->c[a->shown].text);
	cv_swap(r.reasoning, &a->c[a->shown].reasoning);
	cv_swap(r.text, &a->c[c].text);
	cv_swap(r.reasoning, &a->c[c].reasoning);
	a->shown = c;
	a->sel = (size_t)-1;
	cv_alts_drop_layout(a);
	cv_item_ref(v, id, CV_DIRTY_ALL, &r);
	return 0;
}

/* Set a tool call block. */
void chatview_set_tool(struct chatview *v, size_t id, size_t c, size_t k, const char *title,
		       const char *body)
{
	struct cv_item_ref r;
	if (!cv_item_ref(v, id, CV_DIRTY_NONE, &r))
		return;
	size_t before = *r.alts ? (*r.alts)->n : 1;
	struct cv_alts *a = cv_alts_grow(r.alts, c + 1 > before ? c + 1 : before);
	struct cv_choice_alt *ch = &a->c[c];
	if (k >= ch->n_tools) {
		ch->tools = xrealloc(ch->tools, (k + 1) * sizeof *ch->tools);
		memset(&ch->tools[ch->n_tools], 0, (k + 1 - ch->n_tools) * sizeof *ch->tools);
		ch->n_tools = k + 1;
	}
	free(ch->tools[k].title);
	free(ch->tools[k].body);
	ch->tools[k].title = xstrdup(title ? title : "");
	ch->tools[k].body = xstrdup(body ? body : "");
	if (c == a->shown)
		cv_alts_drop_layout(a);
	cv_item_ref(v, id, a->n != before ? CV_DIRTY_TEXT : CV_DIRTY_NONE, &r);
}

/* Return the style for a log probability. */
unsigned chatview_prob_style(double logprob)
{
	double p = exp(logprob);
	if (p >= 0.9)
		return CV_STYLE_PROB_HIGH;
	if (p >= 0.5)
		return CV_STYLE_PROB_MID;
	if (p >= 0.2)
		return CV_STYLE_PROB_LOW;
	return CV_STYLE_PROB_VLOW;
}

/* Append a tinted token. */
void chatview_append_tint(struct chatview *v, size_t id, size_t c, const char *text, size_t len,
			  double logprob)
{
	struct cv_item_ref r;
	if (!cv_item_ref(v, id, CV_DIRTY_NONE, &r))
		return;
	size_t before = *r.alts ? (*r.alts)->n : 1;
	struct cv_alts *a = cv_alts_grow(r.alts, c + 1 > before ? c + 1 : before);
	struct cv_choice_alt *ch = &a->c[c];
	strbuf_append(&ch->tint_text, text, len);
	ch->tints = xrealloc(ch->tints, (ch->n_tints + 1) * sizeof *ch->tints);
	ch->tints[ch->n_tints++] = (struct cv_tint){ch->tint_text.len, chatview_prob_style(logprob)};
	bool shown = c == a->shown && *cv_view_tinted(v);
	cv_item_ref(v, id, shown || a->n != before ? CV_DIRTY_TEXT : CV_DIRTY_NONE, &r);
}

/* Return the number of tints of the shown choice. */
size_t chatview_n_tints(struct chatview *v, size_t id)
{
	struct cv_item_ref r;
	if (!cv_item_ref(v, id, CV_DIRTY_NONE, &r) || !cv_alts_has_tints(*r.alts))
		return 0;
	return (*r.alts)->c[(*r.alts)->shown].n_tints;
}

/* Select a token. */
void chatview_select_token(struct chatview *v, size_t id, size_t k)
{
	struct cv_item_ref r;
	if (!cv_item_ref(v, id, CV_DIRTY_NONE, &r) || !*r.alts || (*r.alts)->sel == k)
		return;
	(*r.alts)->sel = k;
	cv_item_ref(v, id, *cv_view_tinted(v) ? CV_DIRTY_TEXT : CV_DIRTY_NONE, &r);
}

/* Switch the tinted view on or off. */
void chatview_set_tinted(struct chatview *v, bool on)
{
	if (*cv_view_tinted(v) == on)
		return;
	*cv_view_tinted(v) = on;
	struct cv_item_ref r;
	for (size_t i = 0; i < chatview_count(v); i++)
		if (cv_item_ref(v, i, CV_DIRTY_NONE, &r) && cv_alts_has_tints(*r.alts))
			cv_item_ref(v, i, CV_DIRTY_ALL, &r);
}

/* Return whether the view is tinted. */
bool chatview_tinted(struct chatview *v)
{
	return *cv_view_tinted(v);
}
