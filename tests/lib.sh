# Shared helpers for squint's integration tests (TAP output).
#
# A test script sources this file, calls start_server, then runs cases:
#
#   case_begin "what the user sees"
#   run_squint -p "hello"
#   expect_rc 0
#   expect_out_contains 'You asked: "hello"'
#   case_end
#
# and ends with finish, which also validates every request body the test
# server received against OpenAI's JSON Schema.

set -u
: "${top_srcdir:?}" "${top_builddir:?}"
SQUINT="$top_builddir/squint"
SERVER="$top_srcdir/tests/server/squint-test-server"
SCHEMA="$top_srcdir/tests/server/openai-create-chat-completion-request.schema.json"
DATA="$top_srcdir/tests/data"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

T=$(mktemp -d "${TMPDIR:-/tmp}/squint-test.XXXXXX")
export HOME="$T/home" XDG_CONFIG_HOME="$T/config"
mkdir -p "$HOME" "$XDG_CONFIG_HOME"
unset OPENAI_API_KEY OPENAI_BASE_URL SQUINT_MODEL SQUINT_PROFILE http_proxy https_proxy \
	HTTPS_PROXY all_proxy ALL_PROXY
export LC_ALL=C.UTF-8
TEST_KEY="sk-test-$$-secret"

n_cases=0
n_failed=0
case_name=""
case_errors=""
server_pid=""

# start_server [ARGS...]: start the test server; sets PORT and BASE.
start_server() {
	"$PY" "$SERVER" --port 0 --port-file "$T/port" --log "$T/server.log" --quiet "$@" \
		2>"$T/server.err" &
	server_pid=$!
	i=0
	while [ ! -s "$T/port" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "Bail out! the test server did not start"; cat "$T/server.err"
			exit 1
		fi
		sleep 0.05
	done
	PORT=$(cat "$T/port")
	BASE="http://127.0.0.1:$PORT/v1"
	export OPENAI_BASE_URL="$BASE" OPENAI_API_KEY="$TEST_KEY" SQUINT_MODEL=test-model
}

cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

case_begin() {
	case_name=$1
	case_errors=""
	: >"$T/server.log.mark"
	mark=$(wc -l <"$T/server.log" 2>/dev/null || echo 0)
}

fail() {
	case_errors="$case_errors
# $*"
}

case_end() {
	n_cases=$((n_cases + 1))
	if [ -z "$case_errors" ]; then
		echo "ok $n_cases - $case_name"
	else
		n_failed=$((n_failed + 1))
		echo "not ok $n_cases - $case_name$case_errors"
		echo "# --- stdout:"; sed 's/^/#   /' "$T/out" | head -20
		echo "# --- stderr:"; sed 's/^/#   /' "$T/err" | head -20
	fi
}

# run_squint ARGS...: run squint with stdin from /dev/null; sets rc.
run_squint() {
	rc=0
	"$SQUINT" "$@" </dev/null >"$T/out" 2>"$T/err" || rc=$?
}

# run_squint_stdin FILE ARGS...: the same with stdin from FILE.
run_squint_stdin() {
	f=$1; shift
	rc=0
	"$SQUINT" "$@" <"$f" >"$T/out" 2>"$T/err" || rc=$?
}

expect_rc() {
	[ "$rc" = "$1" ] || fail "exit status $rc, expected $1"
}

expect_out_contains() {
	grep -qF -- "$1" "$T/out" || fail "stdout lacks: $1"
}

expect_out_lacks() {
	if grep -qF -- "$1" "$T/out"; then fail "stdout has: $1"; fi
}

expect_err_contains() {
	grep -qF -- "$1" "$T/err" || fail "stderr lacks: $1"
}

expect_err_lacks() {
	if grep -qF -- "$1" "$T/err"; then fail "stderr has: $1"; fi
}

# expect_err_one_line: the error is one line (no dumps).
expect_err_lines() {
	n=$(wc -l <"$T/err")
	[ "$n" -le "$1" ] || fail "stderr has $n lines, expected at most $1"
}

expect_out_equals() {
	printf '%s\n' "$1" | cmp -s - "$T/out" || fail "stdout differs from: $1"
}

# new_requests: the log lines the server wrote since case_begin.
new_requests() {
	tail -n +"$((mark + 1))" "$T/server.log"
}

# expect_requests N: the server received N requests in this case.
expect_requests() {
	n=$(new_requests | wc -l)
	[ "$n" = "$1" ] || fail "server received $n requests, expected $1"
}

# last_body PYEXPR: evaluate a Python expression on the last request body
# (as b) and print it.
last_body() {
	new_requests | tail -n 1 | "$PY" -c "import json,sys; r=json.loads(sys.stdin.read()); b=r['body']; h=r['headers']; print($1)"
}

# expect_body PYEXPR: the expression is true for the last request.
expect_body() {
	v=$(last_body "$1" 2>&1)
	[ "$v" = "True" ] || fail "last request: not ($1): $v"
}

finish() {
	if [ -s "$T/server.log" ]; then
		n_cases=$((n_cases + 1))
		if "$PY" "$top_srcdir/tests/server/check-bodies" "$SCHEMA" "$T/server.log" >"$T/schema.out" 2>&1; then
			echo "ok $n_cases - every request body validates against the OpenAI schema ($(tail -n1 "$T/schema.out"))"
		else
			n_failed=$((n_failed + 1))
			echo "not ok $n_cases - every request body validates against the OpenAI schema"
			sed 's/^/# /' "$T/schema.out"
		fi
	fi
	echo "1..$n_cases"
	[ "$n_failed" = 0 ]
}
