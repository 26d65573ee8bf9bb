#!/bin/sh
# Default session files: every interactive conversation is saved under
# $XDG_STATE_HOME/squint/sessions (or ~/.local/state/...) once its first
# question is sent; --no-save and "save = false" turn that off; -c
# continues the most recent one; --list sums them up.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
start_server
D="$HOME/.local/state/squint/sessions"

# ask TEXT: type a question and wait for its (echoed) answer.
ask() {
	tui_type "$1"
	tui_keys Enter
	expect_screen "You asked: \"$1\""
}

case_begin "no file before the first question; then one named for its date and first words"
tui_start 100 30
expect_screen " tokens"
sleep 0.3
[ -e "$D" ] && fail "the directory exists before any question: $(ls -la "$D")"
ask "What is wrong with this Dialog? It's cut off"
f=$(ls "$D" 2>/dev/null)
case "$f" in
????-??-??-????-what-is-wrong-with-this-dialog.jsonl) ;;
*) fail "file name: '$f'" ;;
esac
[ "$(stat -c %a "$D")" = 700 ] || fail "directory mode $(stat -c %a "$D")"
[ "$(stat -c %a "$HOME/.local/state/squint")" = 700 ] || fail "parent mode"
[ "$(stat -c %a "$D/$f")" = 600 ] || fail "file mode $(stat -c %a "$D/$f")"
grep -q '"type":"answer"' "$D/$f" || fail "the answer is not in $f"
ask "second"
tui_stop
[ "$(ls "$D" | wc -l)" = 1 ] || fail "files: $(ls "$D")"
case_end

case_begin "the same first words another time: a second file, not the first one reused"
sleep 1
tui_start 100 30
ask "What is wrong with this Dialog? It's cut off"
tui_stop
n=$(ls "$D" | wc -l)
[ "$n" = 2 ] || fail "files: $(ls "$D")"
case_end

case_begin "/new starts a file of its own"
tui_start 100 30
ask "alpha one"
tui_type "/new"
tui_keys Enter
ask "beta two"
tui_stop
ls "$D" | grep -q -- '-alpha-one.jsonl$' || fail "no alpha file: $(ls "$D")"
ls "$D" | grep -q -- '-beta-two.jsonl$' || fail "no beta file: $(ls "$D")"
grep -q beta "$D"/*-alpha-one.jsonl && fail "beta went into the alpha file"
case_end

case_begin "-c continues the most recent conversation"
sleep 1.1
touch "$D"/*-beta-two.jsonl
tui_start 100 30 -c
expect_screen 'You asked: "beta two"'
expect_screen "resumed $D/"
ask "gamma"
tui_stop
grep -q gamma "$D"/*-beta-two.jsonl || fail "gamma not in the beta file"
[ "$(ls "$D" | wc -l)" = 4 ] || fail "files: $(ls "$D")"
case_end

case_begin "--no-save and save = false: nothing is written"
rm -rf "$HOME/.local/state"
tui_start 100 30 --no-save
ask "secret one"
tui_stop
[ -e "$D" ] && fail "--no-save wrote $(ls -R "$D")"
mkdir -p "$XDG_CONFIG_HOME/squint"
printf 'save = false\n' >"$XDG_CONFIG_HOME/squint/config"
tui_start 100 30
ask "secret two"
tui_stop
[ -e "$D" ] && fail "save = false wrote $(ls -R "$D")"
rm -f "$XDG_CONFIG_HOME/squint/config"
case_end

case_begin "XDG_STATE_HOME is where they go when set"
export XDG_STATE_HOME="$T/state"
tui_start 100 30
ask "xdg place"
tui_stop
ls "$T/state/squint/sessions" | grep -q -- '-xdg-place.jsonl$' || fail "not in XDG_STATE_HOME"
case_end

case_begin "-c with nothing saved: one clear line"
export XDG_STATE_HOME="$T/empty-state"
run_squint -c -p hi
expect_rc 1
expect_err_contains "no saved conversation to continue"
expect_err_lines 1
case_end

case_begin "--list: title, date, turns, images, size; newest first; titles sanitized"
export XDG_STATE_HOME="$T/list-state"
L="$XDG_STATE_HOME/squint/sessions"
mkdir -p "$L"
run_squint -s "$L/a.jsonl" -p "first file question" "$DATA/red-64x48.png"
run_squint -s "$L/a.jsonl" -p "again" "$DATA/red-64x48.png"
touch -d '2020-01-01' "$L/a.jsonl"
run_squint -s "$L/b.jsonl" -p "$(printf 'evil \033]0;pwned\007 title')"
printf 'not a session\n' >"$L/c.jsonl"
run_squint --list
expect_rc 0
expect_out_contains "first file question"
expect_out_contains "2 turns · 1 image · "
expect_out_contains "1 turn · 0 images · "
expect_out_lacks "$(printf '\033')"
expect_out_contains "evil ^[]0;pwned^G title"
expect_out_lacks "not a session"
first=$(grep -n "evil" "$T/out" | cut -d: -f1)
second=$(grep -n "first file question" "$T/out" | cut -d: -f1)
[ "$first" -lt "$second" ] || fail "not newest first"
sz=$(stat -c %s "$L/a.jsonl")
grep -q "$(awk "BEGIN{printf \"%.1f kB\", $sz/1024}")" "$T/out" || fail "size of a.jsonl ($sz) not shown"
case_end

case_begin "a sessions directory that cannot be made: not saving on the status bar, the chat goes on, /save works"
if [ "$(id -u)" = 0 ]; then
	# root writes through mode bits: a regular file where a directory
	# must be makes the directory impossible all the same.
	: >"$T/not-a-dir"
	export XDG_STATE_HOME="$T/not-a-dir/state"
else
	mkdir -p "$T/ro-state"
	chmod 555 "$T/ro-state"
	export XDG_STATE_HOME="$T/ro-state"
fi
tui_start 100 30
ask "nowhere to go"
expect_screen "not saving: cannot create $XDG_STATE_HOME/squint/sessions"
expect_screen "not saved · "
ask "still talking"
tui_type "/save $T/rescued.jsonl"
tui_keys Enter
expect_screen "saved to $T/rescued.jsonl"
ask "after the rescue"
tui_stop
grep -q '"nowhere to go"' "$T/rescued.jsonl" || fail "the first question is not in the rescued file"
grep -q '"after the rescue"' "$T/rescued.jsonl" || fail "the last question is not in the rescued file"
[ "$(grep -c '"type":"answer"' "$T/rescued.jsonl")" = 3 ] || fail "answers: $(grep -c '"type":"answer"' "$T/rescued.jsonl")"
case_end

finish
