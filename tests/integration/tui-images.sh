#!/bin/sh
# Images in the interactive mode, inside tmux 3.3 (no sixel: colour blocks in
# ncurses' cells): the strip's preview, the thumbnail under the message that
# sent it, /view N, and a terminal without graphics (a line only).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
start_server

# A 320x240 PNG in four quadrants: red, green / blue, white.
tui_quad_png "$T/quad.png"

# xterm-256 indexes of the quadrants' colours as blocks draws them.
RED="48;5;196" GREEN="48;5;46" BLUE="48;5;21" WHITE="48;5;231"

# rows_with SGR: print how many screen rows show background SGR.
rows_with() {
	tui_screen_esc | grep -c -- "$1"
}

case_begin "the strip previews the attachment and says how it is fitted"
tui_start 100 40 "$T/quad.png"
expect_screen "[1] quad.png  png  320×240"
expect_screen "→ 320×240"
[ "$(rows_with "$RED")" -ge 1 ] || fail "no red cells in the strip"
[ "$(rows_with "$BLUE")" -ge 1 ] || fail "no blue cells in the strip"
tui_type "/detach 1"
tui_keys Enter
tui_wait_gone "[1] quad.png" || fail "the attachment stayed"
[ "$(rows_with "$RED")" -eq 0 ] || fail "the preview stayed after /detach"
tui_stop
case_end

case_begin "a sent image shows as a thumbnail under its message; the server got it"
tui_start 100 40 "$T/quad.png"
tui_type "look"
tui_keys Enter
expect_screen "Images: 1"
expect_body "b['messages'][-1]['content'][1]['image_url']['url'].startswith('data:image/')"
# Under the message line: red and green rows, then blue and white rows.
tui_screen_esc | awk '/\[image 1: quad.png/ {on = 1; next} on && NF == 0 {exit} on' >"$T/thumb"
grep -q -- "$RED.*$GREEN" "$T/thumb" || fail "no red|green row under the message"
grep -q -- "$BLUE.*$WHITE" "$T/thumb" || fail "no blue|white row under the message"
n=$(grep -c -- "$RED" "$T/thumb")
[ "$n" -ge 2 ] || fail "the thumbnail is $n rows of red, want at least 2"
tui_stop
case_end

case_begin "/view 1 shows the image large until a key; the thumbnail comes back"
tui_start 100 40 "$T/quad.png"
tui_type "look"
tui_keys Enter
expect_screen "Images: 1"
small=$(rows_with "$RED")
tui_type "/view 1"
tui_keys Enter
expect_screen "any key closes"
expect_no_screen "Images: 1"
big=$(rows_with "$RED")
[ "$big" -ge "$small" ] || fail "/view shows $big red rows, the thumbnail $small"
tui_keys Escape
tui_wait_gone "any key closes" || fail "Escape did not close /view"
expect_screen "Images: 1"
[ "$(rows_with "$RED")" -eq "$small" ] || fail "the thumbnail did not come back"
# The key that closed the view was not typed.
tui_screen | grep -qx ">" || fail "the input is not empty after closing /view"
tui_stop
case_end

# image_rows: print how many screen rows show a part of the image.
image_rows() {
	tui_screen_esc | grep -c -e "$RED" -e "$BLUE"
}

case_begin "the thumbnail is cropped at cell rows when it scrolls partly out of view"
# 22 pane rows: after two more questions the image's top rows are above
# the pane, whatever its height (4 to 20 rows).
tui_start 100 24 "$T/quad.png"
tui_type "look"
tui_keys Enter
expect_screen "Images: 1"
full=$(image_rows)
for q in two three; do
	tui_type "question $q"
	tui_keys Enter
	expect_screen "You asked: \"question $q\""
done
sleep 0.3
part=$(image_rows)
[ "$part" -gt 0 ] && [ "$part" -lt "$full" ] || fail "want a cropped image: $part of $full rows"
tui_screen_esc | head -n 1 | grep -q -e "$RED" -e "$BLUE" ||
	fail "the cropped image does not start at the pane's first row"
[ "$(tui_screen_esc | grep -c -- "$RED")" -lt "$(tui_screen_esc | grep -c -- "$BLUE")" ] ||
	fail "the top (red) rows should be the ones cut"
tui_keys PPage
sleep 0.3
[ "$(image_rows)" -eq "$full" ] || fail "after PgUp: $(image_rows) rows, want $full"
tui_keys NPage
sleep 0.3
[ "$(image_rows)" -eq "$part" ] || fail "after PgDn: $(image_rows) rows, want $part"
tui_stop
case_end

case_begin "a late reply to the terminal probe is swallowed, not typed"
tui_start 100 30
tmux -L "$TUI_SOCK" send-keys -l -- "$(printf '\033[?62;4c')"
tmux -L "$TUI_SOCK" send-keys -l -- "$(printf '\033[6;20;10t')"
tui_type "x"
expect_screen "> x"
expect_no_screen "62;4c"
expect_no_screen "20;10t"
tui_stop
case_end

case_begin "TERM=vt100: the image is one line with its name and size"
TUI_TERM=vt100 tui_start 100 30 "$T/quad.png"
expect_screen "[1] quad.png  png  320×240"
tui_type "look"
tui_keys Enter
expect_screen "Images: 1"
expect_screen "[image 1: quad.png  png  320×240"
tui_type "/view 1"
tui_keys Enter
expect_screen "shows no images"
tui_stop
case_end

case_begin "a 4K screenshot is prepared off the loop: keys echo meanwhile, the message waits for it"
# The worker is made to take 3 s more, so that the keys certainly arrive
# while it works: were preparing on the loop, none would echo before it ends.
SQUINT_TEST_PREPARE_MS=3000 tui_start 100 40
tui_type "/attach $top_srcdir/tests/data/screenshot-3840x2160.png"
tui_keys Enter
expect_screen "[1] screenshot-3840x2160.png  preparing…"
tui_type "typed while preparing"
expect_screen "> typed while preparing"
expect_screen "preparing…"
tui_keys Enter
expect_screen "the message goes when they are ready"
# Sent once ready, fitted to test-model's 2048 px, with the text typed.
expect_screen 'You asked: "typed while preparing". Images: 1 (webp 2048x1152)' 20
expect_body "len([p for p in b['messages'][-1]['content'] if p['type'] == 'image_url']) == 1"
expect_body "b['messages'][-1]['content'][1]['image_url']['url'].startswith('data:image/webp;base64,')"
tui_stop
case_end

finish
