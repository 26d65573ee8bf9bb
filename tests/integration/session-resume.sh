#!/bin/sh
# Resuming a session restores the whole screen: the pane line for line
# (messages, image previews, choices), the model, the parameters, the
# system prompt, the branch the user was on, and the input history.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
start_server
S="$T/chat.jsonl"

# ask TEXT: type a question and wait for its (echoed) answer.
ask() {
	tui_type "$1"
	tui_keys Enter
	expect_screen "You asked: \"$1\""
}

# pane FILE: the screen but its status bar (the last line), to FILE.
pane() {
	tui_screen | sed '$d' >"$1"
}

# quit: leave squint and end the tmux server.
quit() {
	tui_keys C-u C-d
	tui_wait_exit 3
	tmux -L "$TUI_SOCK" kill-server 2>/dev/null
}

case_begin "the screen after squint -s FILE matches the screen before quitting"
unset SQUINT_MODEL
tui_start 100 40 -s "$S" -m vision-x --system "be brief" -t 0.5
ask "look at this"
tui_type "/attach $DATA/red-64x48.png"
tui_keys Enter
sleep 0.3
ask "and this"
tui_type "/attach $DATA/green-20x10.gif"
tui_keys Enter
sleep 0.3
ask "a third one"
sleep 0.5
pane "$T/before"
quit
tui_start 100 40 -s "$S"
expect_screen "resumed $S"
sleep 0.5
pane "$T/after"
cmp -s "$T/before" "$T/after" || fail "the screens differ:
$(diff "$T/before" "$T/after" | sed 's/^/#   /')"
grep -q '▀' "$T/after" || fail "no image preview after resuming"
expect_screen " vision-x "
case_end

case_begin "the resumed session asks with its model, parameters and system prompt"
ask "fourth"
expect_body 'b["model"] == "vision-x" and b["temperature"] == 0.5'
expect_body 'b["messages"][0] == {"role": "system", "content": "be brief"}'
expect_body 'len(b["messages"]) == 8 and b["messages"][-1]["content"] == "fourth"'
case_end

case_begin "Up recalls the questions asked before, newest first"
tui_keys Up
expect_screen "> fourth"
tui_keys Up
expect_screen "> a third one"
tui_keys Up
expect_screen "> and this"
tui_keys Up
expect_screen "> look at this"
tui_keys Down Down Down Down
quit
case_end

finish
