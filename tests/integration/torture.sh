#!/bin/sh
# Allocation-failure torture (like curl's): in a build configured with
# --enable-torture, SQUINT_TORTURE=N makes the N-th allocation fail.  For
# every N a one-shot turn saved to a session file, and the session loader
# (--export), must end with one clear line and an ordinary exit status (no
# signal, no sanitizer report), and the session file must still load with
# every earlier turn.  Only run in a torture build (see Makefile.am).
. "$top_srcdir/tests/lib.sh"

if ! SQUINT_TORTURE=0 SQUINT_TORTURE_COUNT="$T/probe" "$SQUINT" --version >/dev/null 2>&1 ||
	[ ! -s "$T/probe" ]; then
	echo "Bail out! not a torture build (configure --enable-torture)"
	exit 1
fi
start_server
S="$T/chat.jsonl"
# The process is dying on purpose: what it still holds is not a leak.
# (Last, so it wins over the detect_leaks=1 the test set-up gives.)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS
# At most this many runs per scenario (every N when the total is smaller).
MAX_RUNS=${TORTURE_MAX_RUNS:-400}

# The session the runs start from: three turns, one with reasoning.
"$SQUINT" -s "$S" -p "first question" </dev/null >/dev/null 2>&1 &&
	"$SQUINT" -s "$S" -p "second question" -m "fault:reasoning" </dev/null >/dev/null 2>&1 &&
	"$SQUINT" -s "$S" -p "third question" </dev/null >/dev/null 2>&1 ||
	{ echo "Bail out! cannot make the starting session"; exit 1; }
cp "$S" "$T/start.jsonl"
"$SQUINT" --export "$S" >"$T/start.export" 2>&1 || { echo "Bail out! --export of the starting session failed"; exit 1; }

# count ARGS...: the number of counted allocations of one run.
count() {
	rm -f "$T/count"
	SQUINT_TORTURE=0 SQUINT_TORTURE_COUNT="$T/count" "$SQUINT" "$@" </dev/null >/dev/null 2>&1
	cat "$T/count" 2>/dev/null || echo 0
}

# check_run N: the run that just ended (rc, out, err) failed cleanly.
check_run() {
	if grep -q -e 'Sanitizer' -e 'runtime error' "$T/err"; then
		fail "N=$1: sanitizer report: $(grep -m1 -e 'ERROR' -e 'runtime error' "$T/err")"
	elif [ "$rc" -ge 128 ]; then
		fail "N=$1: killed by signal $((rc - 128))"
	elif [ "$rc" != 0 ]; then
		n=$(wc -l <"$T/err")
		[ "$n" = 1 ] || fail "N=$1: exit $rc with $n lines on stderr: $(head -c 300 "$T/err" | tr '\n' '|')"
	fi
}

# steps TOTAL: the N to try, all of 1..TOTAL or MAX_RUNS of them evenly.
steps() {
	awk -v t="$1" -v m="$MAX_RUNS" 'BEGIN { s = t > m ? t / m : 1; for (x = 1; x <= t; x += s) print int(x) }'
}

total=$(count -s "$S" --retries 0 -p "fourth question")
cp "$T/start.jsonl" "$S"
case_begin "one-shot turn saved to a session: each of $total allocations failing ends cleanly, the session still loads"
[ "$total" -gt 50 ] || fail "only $total allocations counted"
runs=0
for i in $(steps "$total"); do
	cp "$T/start.jsonl" "$S"
	rc=0
	SQUINT_TORTURE=$i "$SQUINT" -s "$S" --retries 0 -p "fourth question" </dev/null >"$T/out" 2>"$T/err" || rc=$?
	check_run "$i"
	[ "$rc" = 0 ] && ! grep -q 'You asked: "fourth question"' "$T/out" && fail "N=$i: exit 0 without the answer"
	if ! "$SQUINT" --export "$S" >"$T/export" 2>"$T/export.err"; then
		fail "N=$i: the session no longer loads: $(head -n1 "$T/export.err")"
	elif ! grep -q 'third question' "$T/export" ||
		! grep -q 'You asked: \\"third question' "$T/export"; then
		fail "N=$i: earlier turns lost from the session"
	fi
	runs=$((runs + 1))
done
echo "# $runs runs"
case_end

total=$(count --export "$S")
case_begin "session loader (--export): each of $total allocations failing ends cleanly, the file untouched"
[ "$total" -gt 10 ] || fail "only $total allocations counted"
cp "$T/start.jsonl" "$S"
runs=0
for i in $(steps "$total"); do
	rc=0
	SQUINT_TORTURE=$i "$SQUINT" --export "$S" </dev/null >"$T/out" 2>"$T/err" || rc=$?
	check_run "$i"
	[ "$rc" = 0 ] && ! cmp -s "$T/out" "$T/start.export" && fail "N=$i: exit 0 with a different export"
	cmp -s "$S" "$T/start.jsonl" || { fail "N=$i: the session file changed"; cp "$T/start.jsonl" "$S"; }
	runs=$((runs + 1))
done
echo "# $runs runs"
case_end

case_begin "out of memory is one clear line, exit 1"
cp "$T/start.jsonl" "$S"
rc=0
SQUINT_TORTURE=1 "$SQUINT" --export "$S" </dev/null >"$T/out" 2>"$T/err" || rc=$?
expect_rc 1
expect_err_contains "squint: out of memory"
expect_err_lines 1
case_end

finish
