#!/bin/sh
# squint --doctor: a report of what squint sees, each problem with a hint;
# --list-models and the model cache the completions read.
. "$top_srcdir/tests/lib.sh"
start_server
export XDG_CACHE_HOME="$T/cache" TERM=xterm
unset TMUX STY SSH_CONNECTION SQUINT_GRAPHICS

case_begin "a good endpoint: every check passes, exit 0"
run_squint --doctor
expect_rc 0
expect_out_contains "[ok  ] locale: C.UTF-8 (UTF-8)"
expect_out_contains "[ok  ] API key: from OPENAI_API_KEY"
expect_out_contains "[ok  ] reachable: the server answered in "
expect_out_contains "[ok  ] GET /models: 200, 4 models"
expect_out_contains "[ok  ] model test-model: listed by the server"
expect_out_contains "TLS: not used (http://)"
expect_out_contains "Everything looks fine."
expect_out_lacks "$TEST_KEY"
expect_err_lacks "$TEST_KEY"
# It asks GET /v1/models with the key, and caches the list.
expect_requests 1
v=$(new_requests | "$PY" -c 'import json,sys; r=json.loads(sys.stdin.read()); print(r["method"], r["path"], r["headers"].get("authorization"))')
[ "$v" = "GET /v1/models Bearer $TEST_KEY" ] || fail "request was: $v"
printf 'test-model\ntest-vision\ngpt-4o\ngpt-4o-mini\n' | cmp -s - "$XDG_CACHE_HOME/squint/models" ||
	fail "cache file differs"
case_end

case_begin "a refused endpoint: FAIL with a hint, exit 1"
# A port nobody listens on: bind one, then free it.
dead=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
OPENAI_BASE_URL="http://127.0.0.1:$dead/v1" run_squint --doctor
expect_rc 1
expect_out_contains "[FAIL] reachable: no (cannot connect"
expect_out_contains "hint: check base_url (--base-url, OPENAI_BASE_URL) and that the server runs"
expect_out_contains "1 problem, "
case_end

case_begin "a model the server does not list: WARN naming it, with a hint"
SQUINT_MODEL=no-such-model run_squint --doctor
expect_rc 0
expect_out_contains "[WARN] model no-such-model: not in the server's list of 4"
expect_out_contains "hint: pick a listed model with --model"
case_end

case_begin "a key the server refuses: FAIL on GET /models"
OPENAI_API_KEY=bad-key run_squint --doctor
expect_rc 1
expect_out_contains "[FAIL] GET /models:"
expect_out_contains "hint: check the key"
case_end

cfg="$XDG_CONFIG_HOME/squint/config"
mkdir -p "$(dirname "$cfg")"
printf '[defaults]\napi_key = sk-in-file-secret\nbase_url = %s\n' "$BASE" >"$cfg"

case_begin "a config file others can read holding a key: FAIL with chmod 600"
chmod 644 "$cfg"
OPENAI_API_KEY= OPENAI_BASE_URL= run_squint --doctor
expect_rc 1
expect_out_contains "[FAIL] file read: $cfg (mode 0644: others can read the key in it)"
expect_out_contains "hint: chmod 600 $cfg"
expect_out_contains "API key: from api_key of [defaults] in $cfg"
expect_out_lacks "sk-in-file-secret"
expect_err_lacks "sk-in-file-secret"
case_end

case_begin "a config file others can write: FAIL"
chmod 666 "$cfg"
OPENAI_API_KEY= OPENAI_BASE_URL= run_squint --doctor
expect_rc 1
expect_out_contains "(mode 0666: others can change it"
case_end

case_begin "a private config file is fine, and the profile is named"
chmod 600 "$cfg"
printf '[profile work]\nmodel = test-vision\n' >>"$cfg"
OPENAI_API_KEY= OPENAI_BASE_URL= SQUINT_MODEL= run_squint --doctor -P work
expect_rc 0
expect_out_contains "[ok  ] file read: $cfg (mode 0600)"
expect_out_contains "[ok  ] profile: work"
expect_out_contains "[ok  ] model test-vision: listed by the server"
case_end

case_begin "a broken config file is reported, and the rest still checked"
printf '[defaults]\nbogus_key = 1\n' >"$T/bad.conf"
run_squint --doctor --config "$T/bad.conf"
expect_rc 1
expect_out_contains "[FAIL] $T/bad.conf:2"
expect_out_contains "Endpoint"
case_end

case_begin "no UTF-8 locale: FAIL with how to set one"
LC_ALL=C run_squint --doctor
expect_rc 1
expect_out_contains "[FAIL] locale: C uses ANSI_X3.4-1968, not UTF-8"
expect_out_contains "hint: set LANG (or LC_ALL) to a UTF-8 locale"
case_end

case_begin "TERM unset: FAIL with a hint"
env -u TERM "$SQUINT" --doctor </dev/null >"$T/out" 2>"$T/err"; rc=$?
expect_rc 1
expect_out_contains "[FAIL] TERM is not set"
case_end

case_begin "inside tmux, and forced graphics, are named"
TMUX=/tmp/x,1,0 SQUINT_GRAPHICS=blocks run_squint --doctor
expect_out_contains "images: colour blocks, no sixel (blocks: forced by SQUINT_GRAPHICS=blocks)"
expect_out_contains "inside tmux:"
case_end

case_begin "--list-models prints one id a line and refreshes the cache"
rm -f "$XDG_CACHE_HOME/squint/models"
run_squint --list-models
expect_rc 0
expect_out_equals "test-model
test-vision
gpt-4o
gpt-4o-mini"
[ -s "$XDG_CACHE_HOME/squint/models" ] || fail "no cache file"
case_end

case_begin "--list-models against a refused endpoint: one line, exit 3"
OPENAI_BASE_URL="http://127.0.0.1:$dead/v1" run_squint --list-models
expect_rc 3
expect_err_lines 1
expect_err_contains "cannot list the models of http://127.0.0.1:$dead/v1"
case_end

finish
