/* Fuzz the Retry-After parser (api_retry_after_ms in src/core/retryafter.c).
 *
 * The input is a header value (up to its first NUL).  Invariants: the
 * result is -1 or a delay in [0, 3600000] ms; whether the value parses does
 * not depend on the time; delta-seconds do not depend on the time at all;
 * and a date never asks for a longer wait later (RFC 850 two-digit years
 * excepted, whose century follows the time). */
#include <config.h>

#include "core/errbody.h"
#include "fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = malloc(size + 1);
	FUZZ_ASSERT(v, "out of memory");
	memcpy(v, data, size);
	v[size] = '\0';

	struct fuzz_rng rng;
	fuzz_rng_seed(&rng, data, size);
	/* Realistic clocks: 1970 to about 2242, and the RFC's example date. */
	long long now = fuzz_rng_below(&rng, 4) == 0 ? 784111777LL
						     : (long long)fuzz_rng_below(&rng, 1ULL << 33);
	long long later = now + 1 + (long long)fuzz_rng_below(&rng, 100000);

	long a = api_retry_after_ms(v, now);
	long b = api_retry_after_ms(v, later);
	FUZZ_ASSERT(a >= -1 && a <= 3600000, "\"%s\" at %lld gave %ld", v, now, a);
	FUZZ_ASSERT(b >= -1 && b <= 3600000, "\"%s\" at %lld gave %ld", v, later, b);
	FUZZ_ASSERT((a == -1) == (b == -1), "\"%s\" parses at %lld (%ld) but not at %lld (%ld)", v,
		    now, a, later, b);

	size_t i = strspn(v, " \t");
	int is_delta = v[i] >= '0' && v[i] <= '9';
	if (is_delta)
		FUZZ_ASSERT(a == b, "delta-seconds \"%s\" gave %ld at %lld but %ld at %lld", v, a,
			    now, b, later);
	else if (a >= 0 && !strchr(v, '-'))
		FUZZ_ASSERT(b <= a, "date \"%s\": %ld ms at %lld but %ld ms at the later %lld", v,
			    a, now, b, later);
	(void)api_retry_after_ms(v, 0);
	free(v);
	return 0;
}
