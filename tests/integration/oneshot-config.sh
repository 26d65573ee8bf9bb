#!/bin/sh
# Configuration: file, profiles, environment and flags, in that precedence.
. "$top_srcdir/tests/lib.sh"
start_server
cfg="$XDG_CONFIG_HOME/squint/config"
mkdir -p "$(dirname "$cfg")"

cat >"$cfg" <<EOF2
[profile work]
model = work-model
temperature = 0.3
header = X-Team: vision
api_key_cmd = printf 'sk-from-cmd\\nsecond line\\n'
base_url = $BASE

[defaults]
model = default-model
temperature = 1.5
max_tokens = 99
EOF2
chmod 600 "$cfg"

case_begin "[defaults] applies; the environment beats it"
run_squint -p x
expect_rc 0
expect_body 'b["model"] == "test-model" and b["temperature"] == 1.5 and b["max_tokens"] == 99'
case_end

case_begin "without SQUINT_MODEL the [defaults] model is used"
SQUINT_MODEL= run_squint -p x
expect_body 'b["model"] == "default-model"'
case_end

case_begin "-P picks a profile: its key command, header and values; flags beat it"
SQUINT_MODEL= run_squint -P work -p x -t 0.9
expect_rc 0
expect_body 'b["model"] == "work-model" and b["temperature"] == 0.9 and b["max_tokens"] == 99'
expect_body 'h.get("authorization") == "Bearer sk-from-cmd" and h.get("x-team") == "vision"'
expect_err_lacks "sk-from-cmd"
case_end

case_begin "SQUINT_PROFILE picks a profile too"
SQUINT_MODEL= SQUINT_PROFILE=work run_squint -p x
expect_body 'b["model"] == "work-model"'
case_end

case_begin "an unknown profile is one clear error"
run_squint -P nosuch -p x
expect_rc 1
expect_err_contains 'nosuch'
expect_err_lines 1
expect_requests 0
case_end

case_begin "--header on the command line replaces the file's headers"
SQUINT_MODEL= run_squint -P work --header "X-Other: 1" -p x
expect_body '"x-team" not in h and h.get("x-other") == "1"'
case_end

printf '[defaults]\nmodel = m\ntemprature = 1\n' >"$T/typo.conf"
case_begin "an unknown key names file:line"
run_squint --config "$T/typo.conf" -p x
expect_rc 1
expect_err_contains "typo.conf:3"
expect_err_contains "temprature"
expect_err_lines 1
expect_requests 0
case_end

printf '[defaults]\ntemperature = 7\n' >"$T/bad.conf"
case_begin "a bad value names file:line and the allowed range"
run_squint --config "$T/bad.conf" -p x
expect_rc 1
expect_err_contains "bad.conf:2"
expect_err_contains "0 to 2"
case_end

case_begin "a missing --config file is an error"
run_squint --config "$T/none.conf" -p x
expect_rc 1
expect_err_contains "none.conf"
case_end

printf '[defaults]\napi_key = sk-literal-in-file\n' >"$T/key.conf"
chmod 644 "$T/key.conf"
case_begin "a config file holding a key readable by others gets a warning, never the key"
run_squint --config "$T/key.conf" -p x
expect_rc 0
expect_err_contains "chmod 600"
expect_err_lacks "sk-literal-in-file"
case_end

printf '[profile broken]\napi_key_cmd = echo sk-leaked-secret; exit 3\n' >"$T/cmd.conf"
case_begin "a failing api_key_cmd is reported without its output"
run_squint --config "$T/cmd.conf" -P broken -p x
expect_rc 1
expect_err_contains "api_key_cmd"
expect_err_lacks "sk-leaked-secret"
expect_requests 0
case_end

case_begin "no key for api.openai.com is refused before connecting"
rc=0
env -u OPENAI_API_KEY -u OPENAI_BASE_URL XDG_CONFIG_HOME="$T/empty" "$SQUINT" -p x </dev/null >"$T/out" 2>"$T/err" || rc=$?
expect_rc 1
expect_err_contains "no API key"
case_end

case_begin "a local server needs no key: no Authorization header is sent"
env -u OPENAI_API_KEY XDG_CONFIG_HOME="$T/empty" "$SQUINT" -p "no key" </dev/null >"$T/out" 2>"$T/err" || rc=$?
expect_out_contains 'You asked: "no key"'
expect_body '"authorization" not in h'
case_end

finish
