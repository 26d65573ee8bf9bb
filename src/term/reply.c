#include <config.h>

#include "term/reply.h"

#include <string.h>

#define ESC 0x1b

/* Parameters kept per sequence; more are ignored (DA1 lists a dozen). */
#define REPLY_MAX_PARAMS 24

/* Parameter values are capped so a hostile run of digits cannot overflow. */
#define REPLY_PARAM_CAP 999999

/* One complete CSI sequence, split into its parts. */
struct csi {
	unsigned char marker;	    /* '?', '>', '=', '<' or 0 */
	unsigned char intermediate; /* last intermediate byte or 0 */
	unsigned char final;
	bool odd; /* sub-parameters (':') or a marker in the middle */
	int n;
	int p[REPLY_MAX_PARAMS]; /* -1 for an empty parameter */
};

/* Reset p: nothing held, nothing recorded. */
void term_reply_init(struct term_reply_parser *p)
{
	memset(p, 0, sizeof *p);
	p->r.da1_class = -1;
	p->r.colors = -1;
	p->r.sixel_max_w = p->r.sixel_max_h = -1;
	p->r.cell_w = p->r.cell_h = -1;
	p->r.area_w = p->r.area_h = -1;
	p->r.rows = p->r.cols = -1;
}

/* Return how many bytes p holds back. */
size_t term_reply_pending(const struct term_reply_parser *p)
{
	return p->nhold;
}

/* Split seq (ESC [ params intermediates final, len >= 3) into c. */
static void reply_split_csi(const unsigned char *seq, size_t len, struct csi *c)
{
	memset(c, 0, sizeof *c);
	c->final = seq[len - 1];
	size_t i = 2;
	if (i < len - 1 && seq[i] >= '<' && seq[i] <= '?')
		c->marker = seq[i++];
	long cur = -1;
	bool any = false;
	for (; i < len - 1; i++) {
		unsigned char b = seq[i];
		if (b >= '0' && b <= '9') {
			cur = (cur < 0 ? 0 : cur) * 10 + (b - '0');
			if (cur > REPLY_PARAM_CAP)
				cur = REPLY_PARAM_CAP;
			any = true;
		} else if (b == ';') {
			if (c->n < REPLY_MAX_PARAMS)
				c->p[c->n++] = (int)cur;
			cur = -1;
			any = true;
		} else if (b >= 0x20 && b <= 0x2f) {
			c->intermediate = b;
		} else {
			c->odd = true; /* ':' or a marker after the first byte */
		}
	}
	if (any && c->n < REPLY_MAX_PARAMS)
		c->p[c->n++] = (int)cur;
}

/* Record a DA1 reply's class and whether it lists sixel (attribute 4). */
static void reply_take_da1(struct term_replies *r, const struct csi *c)
{
	r->da1 = true;
	r->da1_class = c->n > 0 ? c->p[0] : -1;
	/* The first parameter is the class, not an attribute: VT100's "?1;2c"
	 * must not be read as "1" and a class 4 would not mean sixel. */
	for (int i = 1; i < c->n; i++)
		if (c->p[i] == 4)
			r->sixel = true;
}

/* Record an XTSMGRAPHICS reply if its status says success. */
static void reply_take_graphics(struct term_replies *r, const struct csi *c)
{
	if (c->n < 3 || c->p[1] != 0)
		return;
	if (c->p[0] == 1 && c->p[2] > 0)
		r->colors = c->p[2];
	else if (c->p[0] == 2 && c->n >= 4 && c->p[2] > 0 && c->p[3] > 0) {
		r->sixel_max_w = c->p[2];
		r->sixel_max_h = c->p[3];
	}
}

/* Record a window report (CSI 4/6/8 ; a ; b t) with positive sizes. */
static void reply_take_window(struct term_replies *r, const struct csi *c)
{
	if (c->n != 3 || c->p[1] <= 0 || c->p[2] <= 0)
		return;
	switch (c->p[0]) {
	case 4:
		r->area_h = c->p[1];
		r->area_w = c->p[2];
		break;
	case 6:
		r->cell_h = c->p[1];
		r->cell_w = c->p[2];
		break;
	case 8:
		r->rows = c->p[1];
		r->cols = c->p[2];
		break;
	default:
		break;
	}
}

/* Return true if the complete sequence seq is a reply (recording what it
 * says in r), false if it is a key and belongs to the typed input. */
static bool reply_take(struct term_replies *r, const unsigned char *seq, size_t len)
{
	struct csi c;
	reply_split_csi(seq, len, &c);
	if (c.marker == '?' || c.marker == '>' || c.marker == '=') {
		if (!c.odd && c.marker == '?') {
			if (c.final == 'c' && !c.intermediate)
				reply_take_da1(r, &c);
			else if (c.final == 'S' && !c.intermediate)
				reply_take_graphics(r, &c);
			else if (c.final == 'y' && c.intermediate == '$' && c.n == 2 &&
				 c.p[0] == 2026 && c.p[1] >= 0 && c.p[1] <= 4)
				r->sync_output = c.p[1];
		}
		r->nreplies++;
		return true;
	}
	/* No key ends in 't'; SGR mouse ('<') and the rest are keys. */
	if (c.marker == 0 && c.final == 't') {
		if (!c.odd && !c.intermediate)
			reply_take_window(r, &c);
		r->nreplies++;
		return true;
	}
	return false;
}

/* Copy the held bytes to out and forget them; returns how many. */
static size_t reply_release(struct term_reply_parser *p, unsigned char *out)
{
	size_t n = p->nhold;
	memcpy(out, p->hold, n);
	p->nhold = 0;
	return n;
}

/* Parse len bytes; returns how many typed bytes went to typed. */
size_t term_reply_feed(struct term_reply_parser *p, const unsigned char *in, size_t len,
		       unsigned char *typed)
{
	size_t out = 0;
	size_t i = 0;
	while (i < len) {
		unsigned char b = in[i];
		if (p->nhold == 0) {
			if (b == ESC)
				p->hold[p->nhold++] = b;
			else
				typed[out++] = b;
			i++;
			continue;
		}
		if (p->nhold == 1) {
			if (b == '[') {
				p->hold[p->nhold++] = b;
				i++;
				continue;
			}
			/* Alt+key or a lone Escape: not a reply; b is looked at
			 * again with nothing held. */
			out += reply_release(p, typed + out);
			continue;
		}
		unsigned char last = p->hold[p->nhold - 1];
		bool after_inter = last >= 0x20 && last <= 0x2f;
		bool param = b >= 0x30 && b <= 0x3f && !after_inter;
		bool inter = b >= 0x20 && b <= 0x2f;
		bool final = b >= 0x40 && b <= 0x7e;
		bool room = p->nhold < TERM_REPLY_HOLD_MAX;
		if (final && room) {
			p->hold[p->nhold++] = b;
			i++;
			if (reply_take(&p->r, p->hold, p->nhold))
				p->nhold = 0;
			else
				out += reply_release(p, typed + out);
			continue;
		}
		if ((param || inter) && room) {
			p->hold[p->nhold++] = b;
			i++;
			continue;
		}
		/* Not a CSI sequence after all (or too long to be a reply):
		 * give the bytes back and look at b afresh, as it may be an
		 * ESC starting the next sequence. */
		out += reply_release(p, typed + out);
	}
	return out;
}

/* Release the held bytes as typed input; returns how many. */
size_t term_reply_flush(struct term_reply_parser *p, unsigned char *typed)
{
	return reply_release(p, typed);
}
