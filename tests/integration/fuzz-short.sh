#!/bin/sh
# Every libFuzzer target for a short time, about a minute in all (set
# FUZZ_SHORT_SECONDS for another total): one TAP line per target, failing on
# any crash, leak, sanitizer report, hang or failed invariant, and on any
# input in tests/fuzz/crashes/ that fails again.  `make fuzz` runs them for
# longer; tests/fuzz/run-fuzzers explains the rest.
#
# The targets need clang with libFuzzer and the sanitizer runtimes (Debian:
# clang and libclang-rt-14-dev); without them this test bails out.  The
# fuzzers always build with ASan and UBSan themselves, so a build configured
# with --enable-sanitizers skips them (the normal build runs them), and so
# does FUZZ_SHORT_SECONDS=0.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"

if [ "${FUZZ_SHORT_SECONDS:-60}" = 0 ]; then
	echo "1..0 # SKIP FUZZ_SHORT_SECONDS=0"
	exit 0
fi
if grep -q '^SAN_CFLAGS = .*-fsanitize' "$top_builddir/Makefile" 2>/dev/null; then
	echo "1..0 # SKIP a sanitizer build: the normal build runs the fuzzers"
	exit 0
fi

CLANG=${CLANG:-clang}
if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "Bail out! $CLANG not found: the fuzzers need clang and libFuzzer (apt-get install clang libclang-rt-14-dev)"
	exit 1
fi

n=0
for f in "$top_srcdir"/tests/fuzz/fuzz_*.c; do
	[ -f "$f" ] && n=$((n + 1))
done
if [ "$n" = 0 ]; then
	echo "Bail out! no fuzzers in $top_srcdir/tests/fuzz"
	exit 1
fi
total=${FUZZ_SHORT_SECONDS:-60}
each=$((total / n))
[ "$each" -ge 1 ] || each=1
echo "# $n fuzzers, $each s each"
# A fixed seed: make check must not pass or fail by luck (make fuzz does
# not fix it, to explore further).
FUZZ_ARGS=${FUZZ_ARGS:--seed=1}
export FUZZ_ARGS
exec ${SHELL:-/bin/sh} "$top_srcdir/tests/fuzz/run-fuzzers" --tap "$top_srcdir" "$top_builddir" "$each"
