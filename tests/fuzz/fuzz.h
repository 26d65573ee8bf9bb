/* What squint's libFuzzer targets share: an invariant check that stops the
 * run (so libFuzzer saves the input), and a small random generator seeded
 * from the input, so every "random" split of an input is the same each time
 * the input is replayed. */
#ifndef SQUINT_FUZZ_H
#define SQUINT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Check an invariant; on failure print where and why, then abort(): a crash
 * to libFuzzer, which writes the input out as crash-... */
#define FUZZ_ASSERT(cond, ...)                                                                     \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "\n*** invariant failed at %s:%d: %s\n*** ", __FILE__,     \
				__LINE__, #cond);                                                  \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A xorshift generator; seed it from the input with fuzz_rng_seed(). */
struct fuzz_rng {
	uint64_t s;
};

/* Seed r from the size bytes at data (FNV-1a), never with 0. */
static inline void fuzz_rng_seed(struct fuzz_rng *r, const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < size; i++) {
		h ^= data[i];
		h *= 0x100000001b3ULL;
	}
	r->s = h ? h : 1;
}

/* Return the next pseudo-random number in [0, n) (0 when n is 0). */
static inline size_t fuzz_rng_below(struct fuzz_rng *r, size_t n)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return n ? (size_t)(r->s % n) : 0;
}

/* Return the length of the valid UTF-8 sequence at s (n bytes left), or 0 if
 * s does not start one (overlongs, surrogates, > U+10FFFF are invalid);
 * *cp gets the code point. */
static inline size_t fuzz_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char b = s[0];
	size_t need;
	uint32_t c;
	unsigned char lo = 0x80, hi = 0xBF;
	if (b < 0x80) {
		*cp = b;
		return 1;
	} else if (b >= 0xC2 && b <= 0xDF) {
		need = 2;
		c = b & 0x1F;
	} else if (b >= 0xE0 && b <= 0xEF) {
		need = 3;
		c = b & 0x0F;
		if (b == 0xE0)
			lo = 0xA0;
		else if (b == 0xED)
			hi = 0x9F;
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 4;
		c = b & 0x07;
		if (b == 0xF0)
			lo = 0x90;
		else if (b == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 1; k < need; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[k] & 0x3F);
	}
	*cp = c;
	return need;
}

/* Return NULL if the n bytes at s are valid UTF-8 without C0 controls (other
 * than those in allow, a NUL-terminated list), DEL or C1 controls; else a
 * pointer to the first offending byte. */
static inline const char *fuzz_find_unsafe(const char *s, size_t n, const char *allow)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = fuzz_utf8_next(u + i, n - i, &cp);
		if (k == 0)
			return s + i;
		if (cp < 0x20) {
			int ok = 0;
			for (const char *a = allow; a && *a; a++)
				if ((unsigned char)*a == cp)
					ok = 1;
			if (!ok)
				return s + i;
		}
		if (cp >= 0x7F && cp <= 0x9F)
			return s + i;
		i += k;
	}
	return NULL;
}

#endif
