#!/bin/sh
# The interactive mode, driven through tmux: typing, streaming, cancelling,
# scrolling, searching, resizing, commands, quitting.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
start_server

case_begin "typing echoes in the input line"
tui_start 100 30
tui_type "hello there"
expect_screen "> hello there"
tui_stop
case_end

case_begin "a question gets its streamed answer; the server got the question"
tui_start 100 30
tui_type "what is this"
tui_keys Enter
expect_screen 'You asked: "what is this". Images: 0.'
expect_screen "You ·"
expect_body "b['messages'][-1]['content'] == 'what is this' and b['stream'] is True"
tui_stop
case_end

case_begin "the answer streams: partial text shows before the end"
SQUINT_MODEL="fault:tokens=60;delay_ms=40" tui_start 100 30
tui_type "go"
tui_keys Enter
expect_screen "tok5 "
tui_screen | grep -qF "tok59" && fail "the whole answer was there at once"
expect_screen "streaming"
expect_screen "tok59" 8
tui_stop
case_end

case_begin "keys work while an answer streams: typed text shows before it ends"
SQUINT_MODEL="fault:tokens=80;delay_ms=40" tui_start 100 30
tui_type "first"
tui_keys Enter
expect_screen "tok3 "
tui_type "typed meanwhile"
expect_screen "> typed meanwhile"
tui_screen | grep -qF "tok79" && fail "the answer ended before the typed text showed"
tui_stop
case_end

case_begin "Esc cancels a streaming answer and keeps the partial text"
SQUINT_MODEL="fault:tokens=200;delay_ms=30" tui_start 100 30
tui_type "long one"
tui_keys Enter
expect_screen "tok4 "
tui_keys Escape
expect_screen "interrupted"
expect_screen "tok4 "
expect_no_screen "tok199"
# The app goes on: a second question works.
SQUINT_MODEL=test-model
tui_type "/model test-model"
tui_keys Enter
tui_type "again"
tui_keys Enter
expect_screen 'You asked: "again"'
tui_stop
case_end

case_begin "a multi-turn conversation sends the earlier turns"
tui_start 100 30
tui_type "one"
tui_keys Enter
expect_screen 'You asked: "one"'
tui_type "two"
tui_keys Enter
expect_screen 'You asked: "two"'
expect_body "[m['role'] for m in b['messages']] == ['user', 'assistant', 'user', 'assistant', 'user'][:3] and b['messages'][1]['content'].startswith('You asked: \"one\"')"
tui_stop
case_end

case_begin "resize reflows; below 40x10 it says the terminal is too small"
tui_start 100 30
tui_type "reflow me please, this is a question long enough to wrap at fifty columns"
tui_keys Enter
expect_screen 'Images: 0.'
tmux -L "$TUI_SOCK" resize-window -x 50 -y 12
expect_screen "wrap at fifty"
w=$(tui_screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')
[ "$w" -le 50 ] || fail "a line is $w columns wide after resizing to 50"
tmux -L "$TUI_SOCK" resize-window -x 30 -y 8
expect_screen "terminal too small (need 40"
tmux -L "$TUI_SOCK" resize-window -x 80 -y 24
expect_screen " tokens"
expect_no_screen "too small"
tui_stop
case_end

case_begin "scrolling up stays put while the answer streams, with a marker"
SQUINT_MODEL="fault:tokens=400;delay_ms=15" tui_start 60 15
tui_type "scroll test"
tui_keys Enter
expect_screen "tok150 "
tui_keys PPage
expect_screen "new text below"
before=$(tui_screen | head -n 5)
sleep 0.5
after=$(tui_screen | head -n 5)
[ "$before" = "$after" ] || fail "the view moved while scrolled up"
tui_keys End
expect_screen "tok399" 10
expect_no_screen "new text below"
tui_stop
case_end

case_begin "search highlights a match and n finds the next"
tui_start 100 30
tui_type "needle alpha"
tui_keys Enter
expect_screen 'You asked: "needle alpha"'
tui_type "other"
tui_keys Enter
expect_screen 'You asked: "other"'
tui_keys C-f
expect_screen "search: "
tui_type "needle"
tui_keys Enter
expect_screen "n: older match"
# The match is drawn with the highlight colours (black on yellow).
tui_screen_esc | grep -q "$(printf '\033')\[30m$(printf '\033')\[43mneedle" \
	|| tui_screen_esc | grep -q "$(printf '\033')\[30;43mneedle" \
	|| fail "no highlighted match on the screen"
tui_keys n
tui_keys Escape
tui_wait_gone "search: " || fail "Esc did not leave the search"
tui_stop
case_end

case_begin "escape sequences in an answer are shown, not executed"
SQUINT_MODEL="fault:escape" tui_start 100 30
tmux -L "$TUI_SOCK" select-pane -T "before"
tui_type "hostile"
tui_keys Enter
expect_screen "^[]52;c;ZXZpbA==^G"
expect_screen "^[[2J"
title=$(tmux -L "$TUI_SOCK" display-message -p '#{pane_title}')
[ "$title" = "before" ] || fail "the pane title changed to: $title"
tui_stop
case_end

case_begin "/attach of a file that is not an image is one error line"
tui_start 100 30
tui_type "/attach $DATA/not-an-image.png"
tui_keys Enter
expect_screen "not-an-image.png"
expect_screen "✗"
tui_type "/attach $DATA/red-64x48.png"
tui_keys Enter
expect_screen "[1] red-64x48.png"
tui_type "/detach 1"
tui_keys Enter
expect_screen_gone() { tui_wait_gone "$1" || fail "still on screen: $1"; }
expect_screen_gone "[1] red-64x48.png"
tui_stop
case_end

case_begin "an image given on the command line goes with the first message"
tui_start 100 30 "$DATA/red-64x48.png"
expect_screen "[1] red-64x48.png"
tui_type "what is it"
tui_keys Enter
# Fitted for upload like the one-shot mode: re-encoded when that is smaller.
expect_screen "Images: 1 (webp 64x48)"
tui_stop
case_end

case_begin "Enter with only an image attached sends the image alone"
tui_start 100 30 "$DATA/photo-40x30.jpg"
expect_screen "[1] photo-40x30.jpg"
tui_keys Enter
expect_screen "Images: 1 (webp 40x30)"
expect_no_screen "[1] photo-40x30.jpg"
tui_stop
case_end

case_begin "a pasted image path attaches; a multi-line paste does not send"
tui_start 100 30
tui_paste "'$DATA/red-64x48.png'"
expect_screen "[1] red-64x48.png"
tui_paste "line one
line two"
expect_screen "line two"
expect_no_screen "You asked"
tui_stop
case_end

case_begin "/help lists keys and commands; an unknown command is one error"
tui_start 100 40
tui_type "/help"
tui_keys Enter
expect_screen "/attach PATH"
tui_type "/frobnicate"
tui_keys Enter
expect_screen "unknown command /frobnicate"
tui_stop
case_end

case_begin "/system, /retry and /new"
tui_start 100 30
tui_type "/system be brief"
tui_keys Enter
tui_type "q1"
tui_keys Enter
expect_screen 'You asked: "q1"'
expect_body "b['messages'][0] == {'role': 'system', 'content': 'be brief'}"
tui_type "/retry"
tui_keys Enter
sleep 0.5
expect_screen 'You asked: "q1"'
n=$(tui_screen | grep -c 'You asked: "q1"')
# A new branch: the pane shows it, not the answer it replaces.
[ "$n" = 1 ] || fail "/retry: the pane shows $n answers, not the new branch's one"
expect_body "b['messages'] == [{'role': 'system', 'content': 'be brief'}, {'role': 'user', 'content': 'q1'}]"
tui_type "/new"
tui_keys Enter
expect_screen "new conversation"
expect_no_screen 'You asked: "q1"'
tui_stop
case_end

case_begin "Tab completes commands, /attach paths and /model names"
tui_start 100 30
tui_type "/hel"
tui_keys Tab
expect_screen "> /help"
tui_keys C-u
tui_type "/attach $DATA/red-6"
tui_keys Tab
expect_screen "red-64x48.png"
tui_keys C-u
tui_type "/model test-v"
tui_keys Tab
expect_screen "> /model test-vision"
tui_stop
case_end

case_begin "Ctrl-D on an empty input quits with status 0"
tui_start 100 30
tui_keys C-d
tui_wait_exit || fail "squint did not exit"
[ "$rc" = 0 ] || fail "exit status $rc"
tmux -L "$TUI_SOCK" kill-server 2>/dev/null
case_end

case_begin "Ctrl-C twice on an empty input quits; once clears the input"
tui_start 100 30
tui_type "some text"
tui_keys C-c
tui_wait_gone "> some text" || fail "Ctrl-C did not clear the input"
tui_keys C-c
expect_screen "again to quit"
tui_keys C-c
tui_wait_exit || fail "squint did not exit"
tmux -L "$TUI_SOCK" kill-server 2>/dev/null
case_end

case_begin "-n and --max-tokens still apply"
tui_start 100 30 --max-tokens 3
tui_type "one two three four five"
tui_keys Enter
expect_screen "token limit"
expect_body "b['max_tokens'] == 3"
tui_stop
tui_start 100 30 -n 2
tui_type "two ways"
tui_keys Enter
expect_screen "[1/2]"
expect_screen '[choice 0] You asked: "two ways"'
expect_no_screen "[choice 1]"
expect_body "b['n'] == 2"
tui_stop
case_end

finish
