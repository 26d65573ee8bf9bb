#!/bin/sh
# The interactive mode when things go wrong, and the states the status bar
# shows: error statuses, retries, broken streams, stalls, reasoning, logs.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
start_server

case_begin "an HTTP error is one line in the pane and the status bar; the app goes on"
tui_start 100 30 --retries 0
tui_type "/model fault:status=400;message=Bad%20thing%20happened"
tui_keys Enter
tui_type "doomed"
tui_keys Enter
expect_screen "HTTP 400"
# The pane and the status bar may be a frame apart.
i=0
while :; do
	n=$(tui_screen | grep -c "Bad thing happened" || true)
	[ "$n" = 2 ] || [ $i -ge 50 ] && break
	sleep 0.1
	i=$((i + 1))
done
[ "$n" = 2 ] || fail "the error shows $n times, expected 2 (pane and status bar)"
# Nothing came back: the question is back in the input.
expect_screen "> doomed"
tui_keys C-u
tui_type "/model test-model"
tui_keys Enter
tui_type "fine now"
tui_keys Enter
expect_screen 'You asked: "fine now"'
tui_stop
case_end

case_begin "a 429 with Retry-After shows 'retrying in', then the answer"
tui_start 100 30
tui_type "/model fault:status=429;retry_after=2;fail_first=1;key=tui429"
tui_keys Enter
tui_type "patience"
tui_keys Enter
expect_screen "retrying in"
expect_screen 'You asked: "patience"' 6
tui_stop
case_end

case_begin "a stall before the first token shows the waiting spinner and seconds"
tui_start 100 30
tui_type "/model fault:stall_before=3"
tui_keys Enter
tui_type "slow"
tui_keys Enter
expect_screen "waiting"
sleep 1.2
tui_screen | grep -qE 'waiting .+ [1-9] s' || fail "no elapsed seconds: $(tui_screen | tail -n 1)"
expect_screen 'You asked: "slow"' 6
tui_stop
case_end

case_begin "a stream broken mid-way keeps the partial answer and says so"
tui_start 100 30 --retries 0
tui_type "/model fault:tokens=20;disconnect_after=5"
tui_keys Enter
tui_type "break"
tui_keys Enter
expect_screen "tok4"
expect_screen "✗"
expect_no_screen "tok10"
tui_stop
case_end

case_begin "an error object mid-stream is one line"
tui_start 100 30
tui_type "/model fault:midstream_error=3"
tui_keys Enter
tui_type "mid"
tui_keys Enter
expect_screen "Upstream model overloaded"
tui_stop
case_end

case_begin "reasoning is folded to one dim line; Ctrl-R expands it"
tui_start 100 30
tui_type "/model fault:reasoning"
tui_keys Enter
tui_type "think"
tui_keys Enter
expect_screen "reasoned (Ctrl-R expands): Let me look at this."
expect_screen 'You asked: "think"'
tui_keys C-r
expect_screen "reasoning (Ctrl-R folds)"
tui_stop
case_end

case_begin "Markdown in answers: headings without #, code blocks with a label"
tui_start 100 30
tui_paste "# Title
\`\`\`python
print(1)
\`\`\`"
tui_keys Enter
expect_screen "python"
expect_screen "print(1)"
tui_stop
case_end

case_begin "a server that cannot be reached is one line; the text comes back"
OPENAI_BASE_URL="http://127.0.0.1:9/v1" tui_start 100 30 --retries 0
tui_type "anyone there"
tui_keys Enter
expect_screen "✗"
expect_screen "> anyone there"
tui_stop
case_end

case_begin "with no key and a local server, the demo note is shown"
env -u OPENAI_API_KEY true
saved_key=$OPENAI_API_KEY
unset OPENAI_API_KEY
tui_start 100 30
expect_screen "demo: local test server"
tui_stop
OPENAI_API_KEY=$saved_key
export OPENAI_API_KEY
case_end

case_begin "-v logs to a file under XDG_STATE_HOME, never the key"
XDG_STATE_HOME="$T/state"
export XDG_STATE_HOME
tui_start 100 30 -v
tui_type "log me"
tui_keys Enter
expect_screen 'You asked: "log me"'
tui_stop
[ -s "$T/state/squint/squint.log" ] || fail "no log file"
grep -qF "$TEST_KEY" "$T/state/squint/squint.log" 2>/dev/null && fail "the log holds the key"
grep -q "request: POST" "$T/state/squint/squint.log" 2>/dev/null || fail "the log lacks the request"
unset XDG_STATE_HOME
case_end

case_begin "SQUINT_TUI_EXIT_AFTER ends after that many frames"
SQUINT_TUI_EXIT_AFTER=3
export SQUINT_TUI_EXIT_AFTER
tui_new_socket
: >"$T/tui.err"
tmux -L "$TUI_SOCK" -f /dev/null new-session -d -x 80 -y 24 \
	"env TERM=tmux-256color OPENAI_BASE_URL='$OPENAI_BASE_URL' OPENAI_API_KEY=x SQUINT_TUI_EXIT_AFTER=3 '$TUI_BIN' 2>'$T/tui.err'; echo SQUINT-EXITED \$?; sleep 30"
tui_wait_exit || fail "squint did not exit by itself"
[ "$rc" = 0 ] || fail "exit status $rc"
[ -s "$T/tui.err" ] && fail "stderr: $(head -c 300 "$T/tui.err")"
unset SQUINT_TUI_EXIT_AFTER
tmux -L "$TUI_SOCK" kill-server 2>/dev/null
case_end

finish
