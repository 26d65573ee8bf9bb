#!/bin/sh
# Session files through the one-shot mode: -s FILE keeps the conversation,
# --export prints it, and nothing is lost to kills, torn lines or locks.
. "$top_srcdir/tests/lib.sh"
start_server
S="$T/chat.jsonl"

# pyfile EXPR: evaluate a Python expression on the session file's records
# (as recs, a list of dicts; complete lines only) and print it.
pyfile() {
	"$PY" -c "import json,sys
recs=[]
for l in open(sys.argv[1],'rb').read().split(b'\n')[:-1]:
    try: recs.append(json.loads(l))
    except Exception: pass
print($1)" "$S"
}

expect_file() {
	v=$(pyfile "$1" 2>&1)
	[ "$v" = "True" ] || fail "session file: not ($1): $v"
}

case_begin "a new session file gets a header, the question and the answer, mode 0600"
run_squint -s "$S" -p "first question"
expect_rc 0
expect_out_equals 'You asked: "first question". Images: 0.'
expect_file '[r["type"] for r in recs] == ["header", "params", "user", "answer"]'
expect_file 'recs[0]["format"] == "squint-session" and recs[0]["version"] == 1'
expect_file 'recs[3]["state"] == "done" and recs[3]["interrupted"] is False and recs[3]["parent"] == recs[2]["id"]'
expect_file 'recs[3]["choices"][0]["finish_reason"] == "stop" and recs[3]["usage"]["total_tokens"] > 0'
mode=$(stat -c %a "$S")
[ "$mode" = 600 ] || fail "mode $mode, expected 600"
case_end

case_begin "the second turn sends the first question and answer"
run_squint -s "$S" -p "second question"
expect_rc 0
expect_body '[m["role"] for m in b["messages"]] == ["user", "assistant", "user"]'
expect_body 'b["messages"][0]["content"] == "first question" and b["messages"][1]["content"] == "You asked: \"first question\". Images: 0."'
expect_body 'b["messages"][2]["content"] == "second question"'
expect_file '[r["type"] for r in recs][-2:] == ["user", "answer"] and recs[-2]["parent"] == recs[3]["id"]'
case_end

case_begin "the API key and the headers are never written"
run_squint -s "$S" --header "X-Secret-Header: hush-123" -p "third"
expect_rc 0
if grep -q -e "$TEST_KEY" -e "hush-123" -e "X-Secret" "$S"; then fail "the key or a header is in the file"; fi
case_end

case_begin "--export messages is the array squint sends"
run_squint -s "$S" --system "be brief" -p "fourth"
expect_rc 0
new_requests | tail -n 1 | "$PY" -c 'import json,sys; print(json.dumps(json.loads(sys.stdin.read())["body"]["messages"]))' >"$T/sent.json"
run_squint --export "$S" --format messages
expect_rc 0
v=$("$PY" -c 'import json,sys; e=json.load(open(sys.argv[1])); s=json.load(open(sys.argv[2])); print(e[:-1] == s and e[-1]["role"] == "assistant" and e[0] == {"role": "system", "content": "be brief"})' "$T/out" "$T/sent.json" 2>&1)
[ "$v" = True ] || fail "export differs from what was sent: $v"
v=$("$PY" -c 'import json,sys,jsonschema
schema=json.load(open(sys.argv[2]))
body={"model":"m","messages":json.load(open(sys.argv[1]))}
jsonschema.Draft202012Validator(schema).validate(body); print("valid")' "$T/out" "$SCHEMA" 2>&1 | tail -n 1)
[ "$v" = valid ] || fail "export does not validate as messages: $v"
run_squint --export "$S" --format markdown
expect_rc 0
expect_out_contains '## You'
expect_out_contains 'first question'
case_end

S="$T/img.jsonl"
case_begin "the same image in two turns is stored once"
run_squint -s "$S" -p "look" "$DATA/red-64x48.png"
run_squint -s "$S" -p "look again" "$DATA/red-64x48.png"
expect_rc 0
expect_body 'len(b["messages"]) == 3 and b["messages"][0]["content"][1]["image_url"]["url"] == b["messages"][2]["content"][1]["image_url"]["url"]'
expect_file 'sum(r["type"] == "image" for r in recs) == 1'
expect_file '[r for r in recs if r["type"] == "image"][0]["original"]["mime"] == "image/png"'
case_end

S="$T/kill.jsonl"
case_begin "kill -9 mid-stream leaves a checkpoint; the file still loads"
run_squint -s "$S" -p "before the crash"
"$SQUINT" -s "$S" -m "fault:stall_after=3" -p "crash now" </dev/null >"$T/out" 2>"$T/err" &
pid=$!
i=0
while ! grep -q '"checkpoint"' "$S" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -KILL $pid
wait $pid 2>/dev/null
expect_file '[r["type"] for r in recs][-1] == "checkpoint" and recs[-1]["choices"][0]["content"] == "You asked: \"crash "'
run_squint --export "$S"
expect_rc 0
v=$("$PY" -c 'import json,sys; e=json.load(open(sys.argv[1])); print(len(e), e[-1])' "$T/out" 2>&1)
[ "$v" = "4 {'role': 'assistant', 'content': 'You asked: \"crash '}" ] || fail "export after the kill: $v"
run_squint -s "$S" -p "after the crash"
expect_rc 0
expect_body 'b["messages"][3] == {"role": "assistant", "content": "You asked: \"crash "} and b["messages"][4]["content"] == "after the crash"'
expect_file 'any(r["type"] == "answer" and r["state"] == "interrupted" for r in recs) is False'
case_end

S="$T/cancel.jsonl"
case_begin "SIGTERM mid-stream saves the partial answer marked interrupted"
"$SQUINT" -s "$S" -m "fault:stall_after=2" -p "cancel me" </dev/null >"$T/out" 2>"$T/err" &
pid=$!
i=0
while ! grep -q '"checkpoint"' "$S" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM $pid
rc=0
wait $pid || rc=$?
expect_rc 4
expect_file 'recs[-1]["type"] == "answer" and recs[-1]["interrupted"] is True and recs[-1]["state"] == "interrupted" and recs[-1]["choices"][0]["content"] == "You asked: "'
case_end

S="$T/torn.jsonl"
case_begin "a torn last line is reported and the next record starts on a fresh line"
run_squint -s "$S" -p "one"
size=$(stat -c %s "$S")
truncate -s $((size - 5)) "$S"
torn=$(($(wc -l <"$S") + 1))
run_squint -s "$S" -p "two"
expect_rc 0
expect_err_contains "torn.jsonl:$torn: incomplete record skipped (the file was cut short)"
expect_err_lines 1
expect_body '[m["content"] for m in b["messages"]] == ["one", "two"]'
expect_file 'recs[-2]["type"] == "user" and recs[-2]["content"][0]["text"] == "two"'
run_squint -s "$S" -p "three"
expect_rc 0
expect_err_contains "torn.jsonl:$torn: damaged record skipped (not JSON)"
expect_body '[m["content"] for m in b["messages"]][-3:] == ["two", "You asked: \"two\". Images: 0.", "three"]'
case_end

S="$T/bad.jsonl"
case_begin "a corrupt middle line and an unknown record are reported and skipped"
run_squint -s "$S" -p "alpha"
printf '{"type":"hologram","id":99}\nnot json at all\n' >>"$S"
run_squint -s "$S" -p "beta"
expect_rc 0
expect_err_contains 'bad.jsonl:5: unknown record type "hologram" kept but not used'
expect_err_contains 'bad.jsonl:6: damaged record skipped (not JSON)'
expect_body '[m["content"] for m in b["messages"]][::2] == ["alpha", "beta"]'
case_end

S="$T/lock.jsonl"
run_squint -s "$S" -p "mine"
case_begin "a second squint on a locked file is refused, nothing is sent"
flock "$S" sleep 3 &
lockpid=$!
sleep 0.3
before=$(cat "$S" | wc -c)
run_squint -s "$S" -p "theirs"
expect_rc 1
expect_err_contains "lock.jsonl is in use by another squint; opened read-only"
expect_err_lines 1
expect_requests 0
[ "$(cat "$S" | wc -c)" = "$before" ] || fail "the locked file changed"
run_squint --export "$S"
expect_rc 0
expect_out_contains '"mine"'
kill $lockpid 2>/dev/null
wait $lockpid 2>/dev/null
case_end

mkdir -p "$T/ro"
chmod 555 "$T/ro"
case_begin "a session that cannot be written: one line on stderr, the answer still prints"
if [ "$(id -u)" = 0 ]; then
	echo "# root ignores directory permissions: using a file size limit instead"
	rc=0
	(ulimit -f 1; exec "$SQUINT" -s "$T/full.jsonl" -p "big" "$DATA/red-64x48.png" </dev/null >"$T/out" 2>"$T/err") || rc=$?
	expect_err_contains "cannot save to $T/full.jsonl: File too large"
else
	run_squint -s "$T/ro/s.jsonl" -p "big"
	expect_err_contains "cannot save to $T/ro/s.jsonl: Permission denied"
fi
expect_rc 0
expect_out_contains 'You asked: "big"'
expect_err_lines 1
case_end
chmod 755 "$T/ro"

finish
