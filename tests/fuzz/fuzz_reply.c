/* Fuzz the terminal-reply parser of the probe (src/term/reply.c).
 *
 * The input is what the terminal sends while squint probes it: replies and
 * keys mixed.  It is fed whole, one byte at a time and in random pieces
 * (from the input's hash), then flushed.  Invariants: all three give the
 * same typed bytes and the same recorded replies; the typed bytes are the
 * input with some sequences taken out (a subsequence of it); no reply
 * sequence of the input (a CSI of at most TERM_REPLY_HOLD_MAX bytes with a
 * '?', '>' or '=' marker, or a 't' window report) comes out whole among
 * them; nothing is held after the flush, and never more than
 * TERM_REPLY_HOLD_MAX bytes. */
#include <config.h>

#include "term/reply.h"
#include "fuzz.h"

#include <string.h>

struct run {
	unsigned char *typed;
	size_t *from; /* byte by byte: the input position of each typed byte */
	size_t n;
	struct term_replies r;
};

/* Feed in pieces chosen by how (0 whole, 1 byte by byte, 2 random) and flush. */
static void feed(struct run *run, const uint8_t *in, size_t len, int how, struct fuzz_rng *rng)
{
	struct term_reply_parser p;
	term_reply_init(&p);
	run->typed = malloc(len + 2 * TERM_REPLY_HOLD_MAX + 1);
	FUZZ_ASSERT(run->typed, "out of memory");
	run->from = malloc((len + 1) * sizeof *run->from);
	FUZZ_ASSERT(run->from, "out of memory");
	run->n = 0;
	for (size_t i = 0; i < len;) {
		size_t k = how == 0 ? len : how == 1 ? 1 : 1 + fuzz_rng_below(rng, 16);
		if (k > len - i)
			k = len - i;
		size_t got = term_reply_feed(&p, in + i, k, run->typed + run->n);
		FUZZ_ASSERT(got <= k + TERM_REPLY_HOLD_MAX, "%zu typed bytes from %zu", got, k);
		if (how == 1) {
			/* Held bytes are the input just before this one, so what
			 * comes out is the input up to this byte, or to the one
			 * before when this one is held now. */
			size_t last = term_reply_pending(&p) > 0 ? i : i + 1;
			FUZZ_ASSERT(got <= last, "%zu typed bytes at %zu", got, i);
			for (size_t j = 0; j < got; j++)
				run->from[run->n + j] = last - got + j;
		}
		run->n += got;
		FUZZ_ASSERT(run->n <= i + k, "%zu typed bytes from %zu input bytes", run->n, i + k);
		FUZZ_ASSERT(term_reply_pending(&p) <= TERM_REPLY_HOLD_MAX, "%zu bytes held",
			    term_reply_pending(&p));
		i += k;
	}
	size_t got = term_reply_flush(&p, run->typed + run->n);
	for (size_t j = 0; j < got; j++)
		run->from[run->n + j] = len - got + j;
	run->n += got;
	FUZZ_ASSERT(term_reply_pending(&p) == 0, "%zu bytes held after the flush",
		    term_reply_pending(&p));
	FUZZ_ASSERT(run->n <= len, "%zu typed bytes from %zu", run->n, len);
	run->r = p.r;
}

/* Return whether two records agree, field by field. */
static int same_replies(const struct term_replies *a, const struct term_replies *b)
{
	return a->da1 == b->da1 && a->sixel == b->sixel && a->da1_class == b->da1_class &&
	       a->colors == b->colors && a->sixel_max_w == b->sixel_max_w &&
	       a->sixel_max_h == b->sixel_max_h && a->cell_w == b->cell_w &&
	       a->cell_h == b->cell_h && a->area_w == b->area_w && a->area_h == b->area_h &&
	       a->rows == b->rows && a->cols == b->cols && a->sync_output == b->sync_output &&
	       a->nreplies == b->nreplies;
}

/* Return the length of a reply sequence (as reply.h defines them) at s, or 0. */
static size_t reply_at(const unsigned char *s, size_t n)
{
	if (n < 3 || s[0] != 0x1b || s[1] != '[')
		return 0;
	size_t i = 2;
	unsigned char marker = s[i] >= '<' && s[i] <= '?' ? s[i] : 0;
	int inter = 0;
	for (; i < n && i < TERM_REPLY_HOLD_MAX; i++) {
		unsigned char b = s[i];
		if (b >= 0x30 && b <= 0x3f && !inter)
			continue;
		if (b >= 0x20 && b <= 0x2f) {
			inter = 1;
			continue;
		}
		if (b >= 0x40 && b <= 0x7e) {
			if (marker == '?' || marker == '>' || marker == '=')
				return i + 1;
			if (!marker && b == 't')
				return i + 1;
		}
		return 0;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng rng;
	fuzz_rng_seed(&rng, data, size);
	struct run runs[3];
	static const char *const names[] = {"whole", "byte by byte", "random pieces"};
	for (int how = 0; how < 3; how++)
		feed(&runs[how], data, size, how, &rng);

	for (int how = 1; how < 3; how++) {
		FUZZ_ASSERT(runs[how].n == runs[0].n &&
				    memcmp(runs[how].typed, runs[0].typed, runs[0].n) == 0,
			    "fed %s, %zu typed bytes differ from the %zu of the whole", names[how],
			    runs[how].n, runs[0].n);
		FUZZ_ASSERT(same_replies(&runs[how].r, &runs[0].r),
			    "fed %s, the replies recorded differ", names[how]);
	}

	/* Byte by byte, where each typed byte came from is known. */
	const struct run *r = &runs[1];
	for (size_t i = 0; i < r->n; i++) {
		FUZZ_ASSERT(r->from[i] < size && data[r->from[i]] == r->typed[i] &&
				    (i == 0 || r->from[i] > r->from[i - 1]),
			    "typed byte %zu is not input byte %zu", i, r->from[i]);
		size_t k = reply_at(r->typed + i, r->n - i);
		if (k == 0 || r->from[i + k - 1] != r->from[i] + k - 1)
			continue; /* no reply, or made of pieces from apart */
		FUZZ_ASSERT(0,
			    "the reply sequence of %zu bytes at input byte %zu was typed: \\e%.*s",
			    k, r->from[i], (int)k - 1, (const char *)r->typed + i + 1);
	}
	FUZZ_ASSERT(r->r.nreplies >= 0 && r->r.nreplies <= (int)size / 3, "%d replies in %zu bytes",
		    r->r.nreplies, size);
	for (int how = 0; how < 3; how++) {
		free(runs[how].typed);
		free(runs[how].from);
	}
	return 0;
}
