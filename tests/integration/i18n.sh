#!/bin/sh
# squint speaks the user's language: German, Spanish and Simplified Chinese
# catalogs, in the help, the errors and the full-screen chat, with CJK text
# in the right columns.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
start_server

# The catalogs as make install puts them, from the sources.
for l in $(cat "$top_srcdir/po/LINGUAS"); do
	mkdir -p "$T/locale/$l/LC_MESSAGES"
	msgfmt -o "$T/locale/$l/LC_MESSAGES/squint.mo" "$top_srcdir/po/$l.po" ||
		{ echo "Bail out! msgfmt failed for $l"; exit 1; }
done
export SQUINT_LOCALEDIR="$T/locale" LC_ALL=C.UTF-8

# Print the widest line of standard input in terminal columns.
widest() {
	"$PY" -c '
import sys, unicodedata
w = 0
for line in sys.stdin.read().splitlines():
    w = max(w, sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line))
print(w)'
}

# Every message of the sources as they are now.
(cd "$top_srcdir" && grep -v '^#' po/POTFILES.in |
	xgettext --keyword=_ --keyword=N_ --keyword=P_:1,2 --from-code=UTF-8 -f - -o "$T/squint.pot") ||
	{ echo "Bail out! xgettext failed"; exit 1; }

for l in de es zh_CN; do
	case_begin "$l: every message of the sources is translated, and well formed"
	msgfmt -c --check-format --statistics -o /dev/null "$top_srcdir/po/$l.po" 2>"$T/stat" ||
		fail "msgfmt -c: $(head -n3 "$T/stat")"
	grep -q "untranslated\|fuzzy" "$T/stat" && fail "$(cat "$T/stat")"
	msgcmp "$top_srcdir/po/$l.po" "$T/squint.pot" 2>"$T/cmp" ||
		fail "po/$l.po lacks messages: $(grep -c 'this message is used but not defined' "$T/cmp") (make update-po, then translate)"
	case_end
done

case_begin "LANGUAGE=zh_CN squint --help is in Chinese and fits 80 columns"
LANGUAGE=zh_CN run_squint --help
expect_rc 0
expect_out_contains "用法："
expect_out_contains "  -p, --prompt=TEXT"
w=$(widest <"$T/out")
[ "$w" -le 80 ] || fail "a help line is $w columns wide"
# The descriptions start in one column, as in English.
"$PY" - "$T/out" <<'PY' || fail "the help's description column is not aligned"
import sys, unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
cols = set()
for line in open(sys.argv[1], encoding="utf-8").read().splitlines():
    if line.startswith("  -") and "  " in line[4:].lstrip():
        opt = line.rstrip()
        i = 2
        while i < len(opt) and not opt[i:].startswith("  "):
            i += 1
        j = i
        while j < len(opt) and opt[j] == " ":
            j += 1
        if j < len(opt):
            cols.add(width(opt[:j]))
sys.exit(0 if len(cols) == 1 else 1)
PY
case_end

case_begin "LANGUAGE=de and LANGUAGE=es: the help and a usage error in that language"
LANGUAGE=de run_squint --help
expect_out_contains "Aufruf"
[ "$(widest <"$T/out")" -le 80 ] || fail "a German help line is too wide"
LANGUAGE=de run_squint -p x -t 9
expect_rc 1
expect_err_lines 1
expect_err_contains "muss eine Zahl von 0 bis 2 sein"
LANGUAGE=es run_squint --help
expect_out_contains "Uso:"
[ "$(widest <"$T/out")" -le 80 ] || fail "a Spanish help line is too wide"
LANGUAGE=es run_squint -p x -t 9
expect_rc 1
expect_err_contains "temperature"
expect_err_lacks "must be"
case_end

case_begin "an unknown language falls back to English"
LANGUAGE=xx run_squint --help
expect_out_contains "Usage: squint"
case_end

case_begin "the full-screen chat in Chinese: labels, status bar, a reply in its columns"
tui_need "the chat tests run squint in tmux" tmux
LANGUAGE=zh_CN TUI_READY=" token" tui_start 80 20 --no-save
tui_type "你好，请看图"
tui_keys Enter
expect_screen 'You asked: "你好，请看图"'
expect_screen "你 ·"
# The status bar ends at the right edge: CJK counted as two columns.
last=$(tui_screen | tail -n1)
case $last in *token) ;; *) fail "status bar: $last" ;; esac
w=$(printf '%s\n' "$last" | widest)
[ "$w" -le 80 ] || fail "the status bar is $w columns wide"
tui_stop
case_end

finish
