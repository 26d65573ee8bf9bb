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

S="$T/tree.jsonl"
case_begin "/branches shows the tree; Enter switches; the switch is in the file and resume comes back to it"
tui_start 100 40 -s "$S"
ask "q one"
ask "q two"
tui_type "/retry"
tui_keys Enter
sleep 0.5
tui_type "/edit"
tui_keys Enter
sleep 0.3
tui_keys C-u
ask "q two edited"
tui_type "/branches"
tui_keys Enter
expect_screen "Branches (5 rows"
expect_screen "  ● You: q one"
expect_screen "    ○ You: q two"
expect_screen "      ○ answer 1/2: You asked"
expect_screen "▶   ● You: q two edited"
tui_keys Up Up
expect_screen "▶     ○ answer 1/2: You asked"
tui_keys Enter
expect_screen "on the branch of answer 1/2"
expect_no_screen "q two edited"
tui_wait_gone "Branches (" 3 || fail "the list did not close"
grep -q '"type":"select"' "$S" || fail "no select record in the file"
pane "$T/before"
ask "q three"
expect_body '[m["content"] for m in b["messages"] if m["role"] == "user"] == ["q one", "q two", "q three"]'
tui_type "/branches"
tui_keys Enter
expect_screen "▶     ● You: q three"
tui_keys Escape
tui_wait_gone "Branches (" 3 || fail "the list did not close"
expect_screen 'You asked: "q three"'
quit
tui_start 100 40 -s "$S"
expect_screen 'You asked: "q three"'
expect_no_screen "q two edited"
quit
case_end

case_begin "/forget N: the image is no longer sent, the file keeps it, resume shows it forgotten"
S="$T/forget.jsonl"
tui_start 100 40 -s "$S"
tui_type "/attach $DATA/red-64x48.png"
tui_keys Enter
sleep 0.3
ask "what colour"
expect_body 'b["messages"][-1]["content"][1]["type"] == "image_url"'
tui_type "/forget 2"
tui_keys Enter
expect_screen "/forget N: the number of an image of the conversation ([image N], 1 to 1)"
tui_type "/forget 1"
tui_keys Enter
expect_screen "image 1 (red-64x48.png) is no longer sent"
expect_screen "forgotten: not sent"
ask "and now"
expect_body 'all(isinstance(m["content"], str) or all(p["type"] == "text" for p in m["content"]) for m in b["messages"])'
expect_body '"what colour" in json.dumps(b["messages"])'
pane "$T/before"
quit
grep -q '"type":"forget"' "$S" || fail "no forget record"
grep -q '"type":"image"' "$S" || fail "the image left the file"
tui_start 100 40 -s "$S"
expect_screen "resumed $S"
sleep 0.3
pane "$T/after"
cmp -s "$T/before" "$T/after" || fail "the screens differ:
$(diff "$T/before" "$T/after" | sed 's/^/#   /')"
ask "still not"
expect_body '"image_url" not in json.dumps(b["messages"])'
quit
run_squint --export "$S" --format messages
expect_rc 0
expect_out_lacks "image_url"
case_end

finish
