# Helpers for the interactive mode's tests: squint runs inside a detached
# tmux session on a private socket; keys go in with send-keys, the screen
# comes back with capture-pane.  Source tests/lib.sh first.
#
#   tui_start 100 30 [SQUINT ARGS...]     start squint in a 100x30 window
#   tui_type "hello"; tui_keys Enter       type text; press keys
#   tui_wait_for 'You asked: "hello"'      wait until the screen shows it
#   tui_stop                               quit (the tmux server goes too)

# tui_need WHY TOOL...: bail out, saying WHY, unless every TOOL is installed.
tui_need() {
	why=$1
	shift
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "Bail out! $tool is missing: $why"
			exit 1
		fi
	done
}

# tui_quad_png FILE: write a 320x240 PNG in four quadrants, red, green /
# blue, white, whose colours the image tests look for on the screen.
tui_quad_png() {
	"$PY" - "$1" <<'PYEOF'
import struct, sys, zlib
w, h = 320, 240
rows = []
for y in range(h):
    top = y < h // 2
    left = bytes((255, 0, 0) if top else (0, 0, 255)) * (w // 2)
    right = bytes((0, 255, 0) if top else (255, 255, 255)) * (w // 2)
    rows.append(b"\0" + left + right)
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" +
    chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
    chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))
PYEOF
}

tui_need "the TUI tests need tmux (apt-get install tmux; ./setup test installs it)" tmux

# SQUINT_TUI_BIN lets a developer point the tests at another build.
TUI_BIN=${SQUINT_TUI_BIN:-$SQUINT}
TUI_SOCK="squint-test-$$-0"
tui_n=0
TUI_TIMEOUT=${TUI_TIMEOUT:-5}

# Kill the tmux server when the test script ends, whatever happens.
tui_cleanup() {
	tmux -L "$TUI_SOCK" kill-server 2>/dev/null
	cleanup
}

# tui_new_socket: a fresh tmux socket, so a server still dying from the
# last case cannot take the next session with it.
tui_new_socket() {
	tmux -L "$TUI_SOCK" kill-server 2>/dev/null
	tui_n=$((tui_n + 1))
	TUI_SOCK="squint-test-$$-$tui_n"
}
trap tui_cleanup EXIT

# tui_start COLS ROWS [ARGS...]: start squint in a fresh session; the
# environment of the test (server URL, key, model) goes with it.
tui_start() {
	cols=$1 rows=$2
	shift 2
	tui_new_socket
	args=""
	for a in "$@"; do
		args="$args '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"
	done
	envs=""
	for v in OPENAI_BASE_URL OPENAI_API_KEY SQUINT_MODEL HOME XDG_CONFIG_HOME XDG_STATE_HOME \
		LC_ALL LANGUAGE SQUINT_LOCALEDIR SQUINT_TUI_EXIT_AFTER NO_COLOR SQUINT_TEST_UPLOAD_BPS \
		SQUINT_TEST_PREPARE_MS; do
		eval "val=\${$v-__unset__}"
		[ "$val" = __unset__ ] && continue
		envs="$envs $v='$val'"
	done
	: >"$T/tui.err"
	: >"$T/out"
	: >"$T/err"
	tmux -L "$TUI_SOCK" -f /dev/null new-session -d -x "$cols" -y "$rows" \
		"env TERM=${TUI_TERM:-tmux-256color} $envs '$TUI_BIN' $args 2>'$T/tui.err'; echo SQUINT-EXITED \$?; sleep 30"
	tmux -L "$TUI_SOCK" set-option -g remain-on-exit on >/dev/null 2>&1
	# The status bar's right end counts tokens from the first frame on
	# (TUI_READY: that text in another language).
	tui_wait_for "${TUI_READY:- tokens}" || fail "squint did not start"
}

# tui_screen: print the screen as text.
tui_screen() {
	tmux -L "$TUI_SOCK" capture-pane -p
}

# tui_screen_esc: print the screen with its attributes as escape sequences.
tui_screen_esc() {
	tmux -L "$TUI_SOCK" capture-pane -p -e
}

# tui_type TEXT: type the text literally.
tui_type() {
	tmux -L "$TUI_SOCK" send-keys -l -- "$1"
}

# tui_keys KEY...: press keys by tmux name (Enter, Escape, C-c, PPage, ...).
tui_keys() {
	tmux -L "$TUI_SOCK" send-keys -- "$@"
}

# tui_paste TEXT: paste the text as a terminal does (bracketed).
tui_paste() {
	printf '%s' "$1" | tmux -L "$TUI_SOCK" load-buffer -b squint-test -
	tmux -L "$TUI_SOCK" paste-buffer -p -d -b squint-test
}

# tui_wait_for TEXT [SECONDS]: wait until the screen contains TEXT; returns 1
# after the timeout.
tui_wait_for() {
	limit=$(( (${2:-$TUI_TIMEOUT}) * 20 ))
	i=0
	while [ $i -lt $limit ]; do
		if tui_screen | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# tui_wait_gone TEXT [SECONDS]: wait until the screen no longer shows TEXT.
tui_wait_gone() {
	limit=$(( (${2:-$TUI_TIMEOUT}) * 20 ))
	i=0
	while [ $i -lt $limit ]; do
		if ! tui_screen | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# expect_screen TEXT [SECONDS]: fail the case unless the screen shows TEXT.
expect_screen() {
	tui_wait_for "$1" "${2:-$TUI_TIMEOUT}" || {
		fail "the screen never showed: $1"
		tui_screen | sed 's/^/#   | /' >"$T/screen.dump"
		case_errors="$case_errors
$(cat "$T/screen.dump")"
	}
}

# expect_no_screen TEXT: fail the case if the screen shows TEXT now.
expect_no_screen() {
	if tui_screen | grep -qF -- "$1"; then
		fail "the screen shows: $1"
	fi
}

# tui_exited: print squint's exit status once it has ended, or nothing.
tui_exited() {
	tui_screen | sed -n 's/^SQUINT-EXITED \([0-9]*\).*/\1/p' | head -n 1
}

# tui_wait_exit [SECONDS]: wait until squint has exited; sets rc.
tui_wait_exit() {
	limit=$(( (${1:-$TUI_TIMEOUT}) * 20 ))
	i=0
	while [ $i -lt $limit ]; do
		rc=$(tui_exited)
		[ -n "$rc" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	rc=""
	return 1
}

# tui_stop: end squint (Ctrl-D on an empty input) and the tmux server.
tui_stop() {
	tui_keys C-u C-d
	tui_wait_exit 3
	tmux -L "$TUI_SOCK" kill-server 2>/dev/null
	if [ -s "$T/tui.err" ]; then
		fail "squint wrote to stderr:"
		case_errors="$case_errors
$(sed 's/^/#   ! /' "$T/tui.err" | head -20)"
	fi
	return 0
}
