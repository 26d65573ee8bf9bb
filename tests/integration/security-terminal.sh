#!/bin/sh
# The terminal is not the model's: answers, tool arguments, file names,
# server error messages and session contents full of OSC 52/8/0/2, CSI,
# DCS/sixel, C1 controls and bidi overrides never act on the terminal.
# Checked on tmux's own state: the pane title, its paste buffers (OSC 52
# with set-clipboard on) and the screen, in the TUI and one-shot on a tty.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
start_server
E=$(printf '\033')
B=$(printf '\007')
HOSTILE="Q1 ${E}]52;c;UFdORUQ=${B} Q2 ${E}]0;PWNED-PROMPT${B} Q3 ${E}[2J Q4 $(printf '\302\235')0;C1-PROMPT$(printf '\302\234') Q5 $(printf '\342\200\256')rev"
HOSTILE_PCT=$("$PY" -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$HOSTILE")

tm() { tmux -L "$TUI_SOCK" "$@"; }

# expect_terminal_untouched MARKER: the title is still ours, no clipboard
# buffer was set, the screen was not cleared (MARKER still shows).
expect_terminal_untouched() {
	title=$(tm display-message -p '#{pane_title}')
	case $title in
	*PWNED* | *C1-* | *evil*) fail "the pane title was set: $title" ;;
	esac
	bufs=$(tm list-buffers -F '#{buffer_sample}' 2>/dev/null)
	[ -z "$bufs" ] || fail "a paste buffer (clipboard) was set: $bufs"
	expect_screen "$1" 1
}

# oneshot_in_tmux ARGS...: run squint one-shot on tmux's terminal after a marker.
oneshot_in_tmux() {
	tui_new_socket
	printf '%s\n' "$@" >"$T/args"
	envs="OPENAI_BASE_URL='$OPENAI_BASE_URL' OPENAI_API_KEY='$OPENAI_API_KEY' SQUINT_MODEL=test-model HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' LC_ALL=C.UTF-8"
	: >"$T/script"
	{
		echo 'echo MARKER-BEFORE'
		printf '%s' "env $envs '$SQUINT'"
		for a in "$@"; do printf " '%s'" "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"; done
		echo '; echo SQUINT-EXITED $?; sleep 30'
	} >"$T/script"
	# set-clipboard from the start: the answer may come before any later set-option.
	echo "set -g set-clipboard on" >"$T/tmux.conf"
	tm -f "$T/tmux.conf" new-session -d -x 150 -y 40 "sh '$T/script'"
	tm set-option -g set-clipboard on >/dev/null 2>&1
	tm set-option -g remain-on-exit on >/dev/null 2>&1
	tm select-pane -T clean-title
	tui_wait_exit 10 || fail "squint did not end"
}

case_begin "one-shot on a terminal: a hostile answer and prompt echo are shown, not run"
oneshot_in_tmux --retries 0 -m "fault:hostile" -p "$HOSTILE"
expect_screen "H9 end."
expect_screen "PWNED-TITLE"
expect_screen "Q5"
expect_terminal_untouched MARKER-BEFORE
tm kill-server 2>/dev/null
case_end

case_begin "one-shot on a terminal: a hostile server error message is shown, not run"
oneshot_in_tmux --retries 0 -p x -m "fault:status=400;message=$HOSTILE_PCT"
expect_screen "HTTP 400"
expect_screen "PWNED-PROMPT"
expect_terminal_untouched MARKER-BEFORE
tm kill-server 2>/dev/null
case_end

case_begin "one-shot on a terminal: a hostile file name is shown, not run"
oneshot_in_tmux --retries 0 -p x "$T/${E}]0;PWNED-FILE${B}${E}[2J.png"
expect_screen "PWNED-FILE"
expect_terminal_untouched MARKER-BEFORE
tm kill-server 2>/dev/null
case_end

case_begin "one-shot on a terminal: hostile tool arguments are shown, not run"
printf '[{"type":"function","function":{"name":"look","parameters":{"type":"object","properties":{"question":{"type":"string"}}}}}]\n' >"$T/tools.json"
oneshot_in_tmux --retries 0 --tools "$T/tools.json" -p "$HOSTILE"
expect_screen "PWNED-PROMPT"
expect_terminal_untouched MARKER-BEFORE
tm kill-server 2>/dev/null
case_end

# A session full of hostile text, made through a pipe.
S="$T/hostile.jsonl"
run_squint -s "$S" -m "fault:hostile" -p "$HOSTILE"

case_begin "TUI: hostile session contents and a hostile answer are shown, not run"
tui_start 150 40 -s "$S"
tm set-option -g set-clipboard on >/dev/null 2>&1
tm select-pane -T clean-title
expect_screen "H9 end."
tui_type "/model fault:hostile"
tui_keys Enter
tui_type "again"
tui_keys Enter
expect_screen 'You asked: "again"'
expect_screen "PWNED-TITLE"
expect_terminal_untouched "Q5"
tui_type "typed after"
expect_screen "> typed after"
tui_keys C-u
tui_stop
case_end

case_begin "TUI: a hostile server error message is shown, not run"
tui_start 150 40 --retries 0
tm set-option -g set-clipboard on >/dev/null 2>&1
tm select-pane -T clean-title
tui_type "marker line"
tui_keys Enter
expect_screen 'You asked: "marker line"'
tui_type "/model fault:status=400;message=$HOSTILE_PCT"
tui_keys Enter
tui_type "doomed"
tui_keys Enter
expect_screen "PWNED-PROMPT"
expect_terminal_untouched 'You asked: "marker line"'
tui_keys C-u
tui_stop
case_end

finish
