#!/bin/sh
# The fault matrix in the one-shot mode: every way a server or the network
# can fail ends with one clear line and the documented exit status, memory
# stays bounded (peak RSS measured), and a session file given with -s keeps
# every earlier turn.  tests/integration/faults-tui.sh runs the same rows in
# the interactive mode.
. "$top_srcdir/tests/lib.sh"
[ -x /usr/bin/time ] || { echo "Bail out! /usr/bin/time is needed (apt-get install time)"; exit 1; }
start_server
S="$T/chat.jsonl"
run_squint -s "$S" -p "earlier turn"
[ "$rc" = 0 ] || { echo "Bail out! the first turn failed"; exit 1; }
cp "$S" "$T/start.jsonl"
port_closed=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
# Peak RSS allowed, in KiB: generous (an ASan build doubles it), but far
# below what the faults would take unbounded.
RSS_MAX=${RSS_MAX:-400000}
# In an ASan build, keep its quarantine of freed memory small, so the peak
# RSS measures what squint holds.
ASAN_OPTIONS="quarantine_size_mb=16:${ASAN_OPTIONS:-}"
export ASAN_OPTIONS
out_has="" # what stdout must show too, if not empty

# row NAME RC ERRTEXT ARGS...: run squint -s FILE --retries 0 -p QUESTION ARGS
# and check exit status RC, stderr (one line containing ERRTEXT, or empty
# when ERRTEXT is ""), peak RSS and the session file.
row() {
	name=$1 want_rc=$2 errtext=$3
	shift 3
	case_begin "$name"
	cp "$T/start.jsonl" "$S"
	rc=0
	/usr/bin/time -f %M -o "$T/rss" "$SQUINT" -s "$S" --retries 0 -p "a question" "$@" \
		</dev/null >"$T/out" 2>"$T/err" || rc=$?
	expect_rc "$want_rc"
	if [ -n "$errtext" ]; then
		expect_err_contains "$errtext"
		expect_err_lines 1
	else
		expect_err_lines 0
	fi
	[ -n "$out_has" ] && expect_out_contains "$out_has"
	grep -q -e Sanitizer -e 'runtime error' "$T/err" && fail "sanitizer report"
	rss=$(tail -n 1 "$T/rss")
	[ "$rss" -le "$RSS_MAX" ] 2>/dev/null || fail "peak RSS $rss KiB > $RSS_MAX KiB"
	echo "# peak RSS $rss KiB"
	if ! "$SQUINT" --export "$S" >"$T/export" 2>&1; then
		fail "the session no longer loads: $(head -n 1 "$T/export")"
	elif ! grep -q 'You asked: \\"earlier turn' "$T/export"; then
		fail "the earlier turn is lost from the session"
	fi
	case_end
}

row "connection refused" 3 "cannot connect" --base-url "http://127.0.0.1:$port_closed/v1"
row "a name that does not resolve" 3 "cannot resolve" --base-url "http://no-such-host.invalid/v1"
row "stall before the first byte: idle timeout" 3 "no answer within 1 s" --idle-timeout 1 \
	-m "fault:stall_before=30"
row "stall mid-stream: idle timeout, exit 4" 4 "stalled" --idle-timeout 1 -m "fault:stall_after=2"
row "disconnect mid-stream" 4 "broke" -m "fault:disconnect_after=2"
row "reset mid-stream" 4 "broke" -m "fault:disconnect_after=2;rst"
for status in 400 401 403 404 408 413 422 429 500 502 503 504; do
	for shape in openai flat string array html text empty; do
		row "HTTP $status, $shape body" 2 "HTTP $status" -m "fault:status=$status;body=$shape"
	done
done
row "a 200 stream carrying an error" 2 "Upstream model overloaded" -m "fault:midstream_error=2"
row "a 200 JSON answer that is an error" 2 "Upstream model overloaded" --no-stream -m "fault:midstream_error=2"
row "a single 20 MB SSE line: over the line cap" 4 "--max-line-mb 16" -m "fault:huge_line=20000000"
row "a 30 MB JSON answer: under the answer cap, printed" 0 "" -m "fault:huge_line=30000000;ignore_stream"
row "a 30 MB JSON answer over --max-answer-mb 16" 4 "--max-answer-mb 16" --max-answer-mb 16 \
	-m "fault:huge_line=30000000;ignore_stream"
out_has="tok99999 "
row "100,000 tokens as fast as the loopback allows" 0 "" -m "fault:tokens=100000"
out_has="[choice 63]"
row "n = 64" 0 "" -n 64
out_has=""
row "garbage bytes instead of a stream" 2 "no answer" -m "fault:garbage"
row "invalid UTF-8 in the answer" 0 "" -m "fault:invalid_utf8"

finish
