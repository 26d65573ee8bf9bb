#!/bin/sh
# --fetch-urls in the interactive mode, inside tmux: the download runs on
# the image worker behind a "preparing…" attachment, so keys echo while the
# image host stalls; errors are one line on the screen; quitting does not
# wait for a download.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
start_server
HOST="http://127.0.0.1:$PORT"

case_begin "a stalled download runs off the loop; the message waits for it and carries a data URI"
# The host holds the body back 8 s: were the download on the loop, the
# typed keys could not echo within the 5 s expect_screen waits.
tui_start 100 40 --fetch-urls --header "X-Team-Secret: hunter2"
tui_type "/attach $HOST/files/screenshot-3840x2160.png?stall=8"
tui_keys Enter
expect_screen "[1] screenshot-3840x2160.png  preparing…"
tui_type "typed while fetching"
expect_screen "> typed while fetching"
expect_screen "preparing…"
tui_keys Enter
expect_screen 'You asked: "typed while fetching". Images: 1 (webp 2048x1152)' 20
expect_body "b['messages'][-1]['content'][1]['image_url']['url'].startswith('data:image/webp;base64,')"
new_requests | grep '"path": "/files/' >"$T/gets"
[ -s "$T/gets" ] || fail "the image host was never asked"
grep -qi -e authorization -e x-team-secret -e "$TEST_KEY" -e hunter2 "$T/gets" &&
	fail "the image host saw the key or the extra header"
tui_stop
case_end

case_begin "without --fetch-urls an attached URL goes to the server as it is"
tui_start 100 40
tui_type "/attach $HOST/files/red-64x48.png"
tui_keys Enter
tui_type "look"
tui_keys Enter
expect_screen "Images: 1 (url $HOST/files/red-64x48.png)"
n=$(new_requests | grep -c '"path": "/files/')
[ "$n" = 0 ] || fail "the image was fetched $n times"
tui_stop
case_end

case_begin "a failed download is one line on the screen and no attachment"
tui_start 100 40 --fetch-urls
tui_type "/attach $HOST/files/missing.png"
tui_keys Enter
expect_screen "missing.png: the image host answered HTTP 404"
expect_no_screen "[1] missing.png"
tui_stop
case_end

case_begin "/detach stops a stalled download: the next attachment does not wait behind it"
# One worker prepares attachments in turn: were the first download left
# to run, the second would wait the whole 60 s stall.
tui_start 100 40 -v --fetch-urls
tui_type "/attach $HOST/files/screenshot-3840x2160.png?stall=60"
tui_keys Enter
expect_screen "[1] screenshot-3840x2160.png  preparing…"
tui_type "/detach 1"
tui_keys Enter
expect_no_screen "screenshot-3840x2160.png"
tui_type "/attach $HOST/files/red-64x48.png"
tui_keys Enter
expect_screen "[1] red-64x48.png"
tui_wait_gone "preparing…" || fail "the second attachment waited behind the detached download"
grep -q "detached, its work stopped" "$HOME/.local/state/squint/squint.log" ||
	fail "the log does not say the detached download was stopped"
tui_stop
case_end

case_begin "quitting while an image host stalls does not wait for it"
tui_start 100 40 --fetch-urls
tui_type "/attach $HOST/files/red-64x48.png?stall=60"
tui_keys Enter
expect_screen "preparing…"
tui_keys C-u C-d
tui_wait_exit 4 || fail "squint did not exit within 4 s of Ctrl-D"
tui_stop
case_end

finish
