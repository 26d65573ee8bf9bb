#!/bin/sh
# One-shot mode when things go wrong: error shapes, retries, stream faults,
# timeouts, cancel, hostile output.  Exit statuses as in squint(1).
. "$top_srcdir/tests/lib.sh"
start_server

# gap N M: seconds between the server's N-th and M-th request of this case.
gap() {
	new_requests | "$PY" -c 'import json,sys; t=[json.loads(l)["t"] for l in sys.stdin]; print("%.3f" % (t[int(sys.argv[2])-1]-t[int(sys.argv[1])-1]))' "$1" "$2"
}
# at_least A B: A >= B (floats)
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

for shape in "400 openai Invalid request." "401 flat Incorrect API key provided." \
	"403 string You are not allowed" "404 array does not exist" "413 text Request too large." \
	"422 openai Unprocessable"; do
	set -- $shape
	case_begin "HTTP $1 with a $2 body is one readable line, exit 2"
	run_squint --retries 0 -p x -m "fault:status=$1;body=$2"
	expect_rc 2
	expect_err_contains "HTTP $1"
	expect_err_contains "$3"
	expect_err_lines 1
	expect_requests 1
	case_end
done

case_begin "a gateway's HTML error page is stripped to a short line"
run_squint --retries 0 -p x -m "fault:status=502;body=html"
expect_rc 2
expect_err_contains "HTTP 502"
expect_err_contains "Bad Gateway"
expect_err_lacks "<"
expect_err_lacks "cf-error-code"
expect_err_lines 1
case_end

case_begin "an empty error body still says the status"
run_squint --retries 0 -p x -m "fault:status=503;body=empty"
expect_rc 2
expect_err_contains "HTTP 503"
expect_err_lines 1
case_end

case_begin "a wrong key gets the server's message"
OPENAI_API_KEY=bad-key run_squint -p x
expect_rc 2
expect_err_contains "HTTP 401"
expect_err_contains "Incorrect API key provided"
case_end

case_begin "503 twice, then success: retried with back-off, answer printed"
run_squint -p "retry me" -m "fault:status=503;fail_first=2;key=backoff"
expect_rc 0
expect_out_contains 'You asked: "retry me"'
expect_requests 3
expect_err_contains "retrying in"
g=$(gap 1 2); at_least "$g" 0.35 || fail "first back-off only $g s"
g=$(gap 2 3); at_least "$g" 0.7 || fail "second back-off only $g s (should double)"
case_end

case_begin "Retry-After in seconds is honoured"
run_squint -p x -m "fault:status=429;retry_after=1;fail_first=1;key=ra"
expect_rc 0
expect_requests 2
g=$(gap 1 2); at_least "$g" 0.95 || fail "retried after $g s, Retry-After said 1"
case_end

when=$(LC_ALL=C date -u -d '+2 seconds' '+%a, %d %b %Y %H:%M:%S GMT')
case_begin "Retry-After as an HTTP date is honoured"
run_squint -p x -m "fault:status=503;retry_after=$(printf '%s' "$when" | sed 's/ /%20/g; s/,/%2C/g; s/:/%3A/g');fail_first=1;key=date"
expect_rc 0
expect_requests 2
g=$(gap 1 2); at_least "$g" 0.9 || fail "retried after $g s, the date was 2 s ahead"
case_end

case_begin "insufficient_quota is never retried"
run_squint -p x -m "fault:status=429;code=insufficient_quota"
expect_rc 2
expect_requests 1
expect_err_contains "insufficient_quota"
case_end

case_begin "400 is never retried"
run_squint -p x -m "fault:status=400"
expect_rc 2
expect_requests 1
case_end

case_begin "--retries 1 gives up after two attempts"
run_squint --retries 1 -p x -m "fault:status=500"
expect_rc 2
expect_requests 2
expect_err_contains "HTTP 500"
case_end

case_begin "a disconnect mid-answer is not retried; the partial answer stays, exit 4"
run_squint -p "one two three four five" -m "fault:disconnect_after=3"
expect_rc 4
expect_requests 1
expect_out_contains 'You asked: "one'
expect_err_contains "broke"
case_end

port_closed=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
case_begin "connection refused: one line, exit 3"
run_squint --retries 0 --base-url "http://127.0.0.1:$port_closed/v1" -p x
expect_rc 3
expect_err_contains "cannot connect"
expect_err_lines 1
case_end

case_begin "connection refused is retried"
run_squint --retries 1 --base-url "http://127.0.0.1:$port_closed/v1" -p x
expect_rc 3
expect_err_contains "retrying in"
case_end

case_begin "a stall before the first byte ends with the idle timeout, exit 3"
run_squint --retries 0 --idle-timeout 1 -p x -m "fault:stall_before=30"
expect_rc 3
expect_err_contains "no answer within 1 s"
expect_err_lines 1
case_end

case_begin "a stall mid-answer ends with the idle timeout, partial kept, exit 4"
run_squint --idle-timeout 1 -p "a b c d e f" -m "fault:stall_after=4"
expect_rc 4
expect_out_contains 'You asked: "a b'
expect_err_contains "stalled"
expect_requests 1
case_end

case_begin "an error object mid-stream: exit 2 with its message"
run_squint -p "a b c d" -m "fault:midstream_error=2"
expect_rc 2
expect_err_contains "Upstream model overloaded"
expect_err_lines 1
case_end

case_begin "a stream without [DONE] after finish_reason is complete"
run_squint -p "done?" -m "fault:no_done"
expect_rc 0
expect_out_equals 'You asked: "done?". Images: 0.'
case_end

case_begin "a stream that ends before any finish_reason is truncated, exit 4"
run_squint -p "x y z" -m "fault:no_finish"
expect_rc 4
expect_err_contains "ended before it was finished"
case_end

case_begin "a malformed event is skipped and reported; the answer goes on"
run_squint -p "m n o p" -m "fault:malformed=2"
expect_rc 0
expect_out_equals 'You asked: "m n o p". Images: 0.'
expect_err_contains "skipped 1 malformed event"
case_end

case_begin "garbage instead of a stream: one line, exit 2"
run_squint -p x -m "fault:garbage"
expect_rc 2
expect_err_lines 1
case_end

for framing in crlf cr comments bom split_data "crlf;comments;split_data;bom" unchunked; do
	case_begin "SSE framing '$framing' gives the same answer"
	run_squint -p "frame test" -m "fault:$framing"
	expect_rc 0
	expect_out_equals 'You asked: "frame test". Images: 0.'
	case_end
done

case_begin "a server that ignores stream:true and answers JSON is understood"
run_squint -p "ignored" -m "fault:ignore_stream"
expect_rc 0
expect_out_equals 'You asked: "ignored". Images: 0.'
case_end

case_begin "--max-tokens cut-off: the answer is printed, exit 4 says truncated"
run_squint -p "a b c d e f g h" --max-tokens 3
expect_rc 4
expect_out_contains 'You asked: "a '
expect_err_contains "finish_reason: length"
case_end

case_begin "-v reports finish reason, usage, timings and reasoning"
run_squint -v -p "why" -m "fault:reasoning"
expect_rc 0
expect_err_contains "finish_reason: stop"
expect_err_contains "usage:"
expect_err_contains "first byte"
expect_err_contains "Let me look at this."
expect_out_lacks "Let me look at this."
case_end

case_begin "invalid UTF-8 in the answer does not break anything"
run_squint -p "u" -m "fault:invalid_utf8"
expect_rc 0
expect_out_contains 'You asked: "u"'
case_end

case_begin "escape sequences reach a pipe byte for byte"
run_squint -p "esc" -m "fault:escape"
expect_rc 0
grep -q "$(printf '\033')\\[2J" "$T/out" || fail "ESC [2J missing from piped output"
case_end

case_begin "on a terminal, escape sequences are shown, never executed"
rc=0
"$PY" -c 'import pty,sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)' "$SQUINT" -p "esc" -m "fault:escape" \
	</dev/null >"$T/out" 2>"$T/err" || rc=$?
expect_rc 0
expect_out_contains 'You asked: "esc"'
expect_out_contains '^[[2J'
expect_out_contains '^[]52;c;'
if tr -d '\n' <"$T/out" | grep -q "$(printf '\033')"; then fail "a raw ESC reached the terminal"; fi
if grep -q "$(printf '\007')" "$T/out"; then fail "a raw BEL reached the terminal"; fi
case_end

case_begin "Ctrl-C cancels: partial answer kept on stdout, exit 4"
rc=0
"$SQUINT" -p "w1 w2 w3 w4 w5" -m "fault:stall_after=3" </dev/null >"$T/out" 2>"$T/err" &
pid=$!
i=0
while ! grep -q "w1" "$T/out" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.2
ps -ww -o args= -p "$pid" | grep -q "$TEST_KEY" && fail "the key is visible in ps"
kill -INT "$pid"
wait "$pid" || rc=$?
expect_rc 4
expect_out_contains 'You asked: "w1'
expect_err_contains "cancelled"
case_end

finish
