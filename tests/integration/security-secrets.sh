#!/bin/sh
# The API key stays secret: never in any process's argv, the session file,
# -v output (the Authorization header is shown redacted) or error messages;
# the process is not dumpable while it holds the key; a redirect to another
# host does not carry it; config and session files are 0600.
. "$top_srcdir/tests/lib.sh"
start_server
S="$T/chat.jsonl"

case_begin "the key is in no process's argv during a request, and squint is not dumpable"
"$SQUINT" -s "$S" -p "w1 w2 w3 w4" -m "fault:stall_after=2;stall_s=3" </dev/null >"$T/out" 2>"$T/err" &
pid=$!
i=0
while ! grep -q "w1" "$T/out" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
for f in /proc/[0-9]*/cmdline; do
	tr '\0' ' ' <"$f" 2>/dev/null | grep -qF "$TEST_KEY" && fail "the key is in the argv of ${f%/cmdline}"
done
# A non-dumpable process's /proc files belong to root; check it with
# squint running as another user when we are root.
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent \
		"$SQUINT" -p "w1 w2 w3" -m "fault:stall_after=1;stall_s=3" </dev/null >/dev/null 2>&1 &
	want=65534
else
	"$SQUINT" -p "w1 w2 w3" -m "fault:stall_after=1;stall_s=3" </dev/null >/dev/null 2>&1 &
	want=$(id -u)
fi
pid=$!
sleep 1
owner=$(stat -c %u "/proc/$pid/status" 2>/dev/null)
ps_uid=$(ps -o uid= -p "$pid" | tr -d ' ')
[ "$ps_uid" = "$want" ] || fail "squint runs as uid '$ps_uid', expected $want"
[ "$owner" = 0 ] || fail "/proc/$pid/status belongs to uid '$owner': squint is dumpable"
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
case_end

case_begin "the session file holds no key and is 0600; so is a config file written by squint"
grep -qF "$TEST_KEY" "$S" && fail "the key is in the session file"
mode=$(stat -c %a "$S")
[ "$mode" = 600 ] || fail "session file mode $mode"
case_end

case_begin "-v shows the Authorization header redacted, never the key"
run_squint -v -p "verbose"
expect_rc 0
expect_err_contains "Authorization: Bearer <redacted"
expect_err_lacks "$TEST_KEY"
expect_out_lacks "$TEST_KEY"
case_end

case_begin "error messages never show the key, even when the server echoes it"
run_squint --retries 0 -p x -m "fault:status=401;message=Incorrect%20API%20key%20provided%3A%20$TEST_KEY"
expect_rc 2
expect_err_contains "HTTP 401"
expect_err_lacks "$TEST_KEY"
case_end

case_begin "an error in the middle of a stream that quotes the key never shows it"
run_squint --retries 0 -p x -m "fault:midstream_error=2;message=bad%20key%20KEY%20here" \
	-s "$T/echo.jsonl"
[ "$rc" != 0 ] || fail "exit status 0"
expect_err_contains "bad key"
expect_err_lacks "$TEST_KEY"
grep -q "bad key" "$T/echo.jsonl" || fail "the error is not in the session file"
! grep -q "$TEST_KEY" "$T/echo.jsonl" || fail "the session file holds the key"
run_squint --retries 0 -p x --each -m "fault:midstream_error=2;message=bad%20key%20KEY" \
	"$top_srcdir/data/demo.png" --out "$T/echo-batch.jsonl"
[ "$rc" != 0 ] || fail "batch: exit status 0"
expect_out_contains "bad key"
expect_out_lacks "$TEST_KEY"
expect_err_lacks "$TEST_KEY"
! grep -q "$TEST_KEY" "$T/echo-batch.jsonl" || fail "the batch record holds the key"
case_end

case_begin "a redirect to another host does not carry the key"
"$PY" "$SERVER" --port 0 --port-file "$T/port2" --log "$T/server2.log" --quiet 2>"$T/server2.err" &
pid2=$!
i=0
while [ ! -s "$T/port2" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
: >>"$T/server2.log"
run_squint --retries 0 -p x -m "fault:redirect=http%3A%2F%2Flocalhost%3A$(cat "$T/port2")%2Fv1%2Fchat%2Fcompletions"
[ "$rc" = 0 ] && fail "a redirect was followed to an answer"
expect_err_lacks "$TEST_KEY"
expect_err_lines 1
if grep -qi -e authorization -e "$TEST_KEY" "$T/server2.log"; then
	fail "the second host received the key: $(head -c 300 "$T/server2.log")"
fi
kill "$pid2" 2>/dev/null
case_end

finish
