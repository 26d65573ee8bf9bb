#!/bin/sh
# Session files in the interactive mode, driven through tmux: -s FILE saves
# every turn as it happens and resumes the conversation; kill -9 loses at
# most a second of an answer; a locked file opens read-only; a failing save
# shows on the status bar and is retried; /save writes a new file; /retry
# and /edit add branches.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
start_server
S="$T/chat.jsonl"

# pyfile EXPR [FILE]: evaluate a Python expression on the session file's
# records (as recs, a list of dicts; complete lines only) and print it.
pyfile() {
	"$PY" -c "import json,sys
recs=[]
for l in open(sys.argv[1],'rb').read().split(b'\n')[:-1]:
    try: recs.append(json.loads(l))
    except Exception: pass
print($1)" "${2:-$S}"
}

# expect_file EXPR [FILE]: the expression is true for the file's records.
expect_file() {
	v=$(pyfile "$1" "${2:-$S}" 2>&1)
	[ "$v" = "True" ] || fail "session file: not ($1): $v; records: $(pyfile '[r["type"] for r in recs]' "${2:-$S}")"
}

# ask TEXT: type a question and wait for its (echoed) answer.
ask() {
	tui_type "$1"
	tui_keys Enter
	expect_screen "You asked: \"$1\""
}

# tui_pid: the pid of squint in the tmux pane.
tui_pid() {
	pane=$(tmux -L "$TUI_SOCK" list-panes -F '#{pane_pid}' | head -n 1)
	pgrep -P "$pane" | head -n 1
}

# tui_quit: quit and end the tmux server, without judging stderr.
tui_quit() {
	tui_keys C-u C-d
	tui_wait_exit 3
	tmux -L "$TUI_SOCK" kill-server 2>/dev/null
}

case_begin "-s FILE: every turn is saved as it happens; the status bar says saved"
tui_start 100 30 -s "$S"
expect_screen "saved · "
ask "first question"
expect_file '[r["type"] for r in recs] == ["header", "params", "user", "answer"]'
expect_file 'recs[2]["content"][0]["text"] == "first question" and recs[3]["parent"] == recs[2]["id"]'
expect_file 'recs[3]["state"] == "done" and recs[3]["choices"][0]["content"] == "You asked: \"first question\". Images: 0."'
ask "second question"
expect_file '[r["type"] for r in recs][-2:] == ["user", "answer"] and recs[-2]["parent"] == recs[3]["id"]'
expect_screen "saved · "
tui_stop
mode=$(stat -c %a "$S")
[ "$mode" = 600 ] || fail "mode $mode, expected 600"
expect_file 'len(recs) == 6'
case_end

case_begin "-s FILE again: the pane shows the conversation, the next request carries it"
tui_start 100 30 -s "$S"
expect_screen 'You asked: "first question"'
expect_screen 'You asked: "second question"'
expect_screen "resumed $S"
tui_keys Up
expect_screen "> second question"
tui_keys C-u
ask "third question"
expect_body '[m["role"] for m in b["messages"]] == ["user", "assistant", "user", "assistant", "user"]'
expect_body '[m["content"] for m in b["messages"]][::2] == ["first question", "second question", "third question"]'
tui_stop
expect_file '[r["type"] for r in recs].count("answer") == 3'
case_end

S="$T/params.jsonl"
case_begin "the session's model and parameters come back; flags still win"
tui_start 100 30 -s "$S" -m model-a --temperature 0.3 --system "be terse"
ask "p1"
tui_stop
saved_model=$SQUINT_MODEL
unset SQUINT_MODEL
tui_start 100 30 -s "$S"
ask "p2"
expect_body 'b["model"] == "model-a" and b["temperature"] == 0.3 and b["messages"][0] == {"role": "system", "content": "be terse"}'
tui_stop
export SQUINT_MODEL="$saved_model"
tui_start 100 30 -s "$S" -m model-b --temperature 0.7
ask "p3"
expect_body 'b["model"] == "model-b" and b["temperature"] == 0.7 and b["messages"][0]["role"] == "system"'
tui_stop
expect_file '[r["params"]["model"] for r in recs if r["type"] == "params"] == ["model-a", "model-b"]'
case_end

S="$T/kill.jsonl"
case_begin "kill -9 mid-stream: the checkpoint holds the partial answer; it resumes as interrupted"
SQUINT_MODEL="fault:tokens=80;delay_ms=100" tui_start 100 30 -s "$S"
tui_type "crash now"
tui_keys Enter
expect_screen "tok12 "
i=0
while ! grep -q '"checkpoint"' "$S" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
pid=$(tui_pid)
[ -n "$pid" ] || fail "no squint process found"
kill -KILL "$pid"
tui_wait_exit 3
tmux -L "$TUI_SOCK" kill-server 2>/dev/null
expect_file 'recs[-1]["type"] == "checkpoint" and "".join(r["choices"][0].get("content", "") for r in recs if r["type"] == "checkpoint").startswith("tok0 tok1 tok2 ")'
expect_file 'not any(r["type"] == "answer" for r in recs)'
tui_start 100 30 -s "$S"
expect_screen "crash now"
expect_screen "tok5 "
expect_screen "interrupted"
ask "after the crash"
expect_body 'b["messages"][1]["role"] == "assistant" and b["messages"][1]["content"].startswith("tok0 tok1 ") and b["messages"][2]["content"] == "after the crash"'
tui_stop
case_end

S="$T/lock.jsonl"
case_begin "a second squint on the same file opens it read-only and still works"
tui_start 100 30 -s "$S"
ask "mine"
tui_stop
flock "$S" sleep 20 &
lockpid=$!
sleep 0.3
before=$(wc -c <"$S")
tui_start 100 30 -s "$S"
expect_screen "is in use by another squint; opened read-only"
expect_screen "read-only · "
expect_screen 'You asked: "mine"'
ask "theirs"
expect_body '[m["content"] for m in b["messages"]][::2] == ["mine", "theirs"]'
[ "$(wc -c <"$S")" = "$before" ] || fail "the locked file changed"
case_end

case_begin "/save FILE writes the whole conversation to a new file and goes on there"
tui_type "/save $T/other.jsonl"
tui_keys Enter
expect_screen "saved to $T/other.jsonl"
expect_screen "saved · "
expect_file '[r["type"] for r in recs] == ["header", "params", "user", "answer", "user", "answer", "select"]' "$T/other.jsonl"
expect_file '[r["content"][0]["text"] for r in recs if r["type"] == "user"] == ["mine", "theirs"]' "$T/other.jsonl"
ask "more"
expect_file '[r["type"] for r in recs][-2:] == ["user", "answer"] and recs[-2]["content"][0]["text"] == "more"' "$T/other.jsonl"
[ "$(wc -c <"$S")" = "$before" ] || fail "the locked file changed"
tui_type "/save $T/other.jsonl"
tui_keys Enter
expect_screen "exists; /save writes a new file"
tui_stop
kill "$lockpid" 2>/dev/null
wait "$lockpid" 2>/dev/null
tui_start 100 30 -s "$T/other.jsonl"
expect_screen 'You asked: "more"'
expect_screen 'You asked: "theirs"'
tui_stop
case_end

mkdir -p "$T/gone"
S="$T/gone/s.jsonl"
case_begin "the file's directory removed: save failed on the status bar, the session goes on, saved again later"
tui_start 100 30 -s "$S"
ask "before"
rm -rf "$T/gone"
ask "during"
expect_screen "save failed"
ask "still going"
expect_body '[m["content"] for m in b["messages"]][::2] == ["before", "during", "still going"]'
mkdir -p "$T/gone"
expect_screen "saved to $S again" 8
expect_screen "saved · "
expect_file '[r["type"] for r in recs][0] == "header" and [r["content"][0]["text"] for r in recs if r["type"] == "user"] == ["before", "during", "still going"]'
expect_file '[r["type"] for r in recs].count("answer") == 3'
tui_stop
case_end

mkdir -p "$T/gone2"
S="$T/gone2/s.jsonl"
case_begin "the file's directory removed: /save FILE puts the whole session elsewhere"
tui_start 160 30 -s "$S"
ask "one"
rm -rf "$T/gone2"
ask "two"
expect_screen "save failed"
expect_screen "not saved · "
tui_type "/save $T/rescued.jsonl"
tui_keys Enter
expect_screen "saved to $T/rescued.jsonl; the session goes on there"
expect_screen "saved · "
ask "three"
tui_stop
expect_file '[r["content"][0]["text"] for r in recs if r["type"] == "user"] == ["one", "two", "three"] and [r["type"] for r in recs].count("answer") == 3' "$T/rescued.jsonl"
[ -e "$T/gone2" ] && fail "the old place was written again"
case_end

S="$T/full.jsonl"
cat >"$T/limited" <<EOF
#!/bin/sh
ulimit -f 2
exec "$SQUINT" "\$@"
EOF
chmod +x "$T/limited"
case_begin "a full disk (ulimit -f): save failed with the reason, nothing typed is lost, /save rescues"
SQUINT_TUI_BIN="$T/limited"
TUI_BIN="$T/limited"
tui_start 200 30 -s "$S"
long="a long question to fill the file quickly, a long question to fill the file quickly"
ask "$long 1"
expect_screen "saved · "
ask "$long 2"
expect_screen "save failed: cannot save to $S: File too large"
expect_screen "unsaved "
ask "$long 3"
expect_screen "save failed: cannot save to $S: File too large"
ask "the next one"
expect_body 'len(b["messages"]) == 7 and b["messages"][-1]["content"] == "the next one"'
tui_keys C-d
expect_screen "the session is not saved: /save FILE saves it elsewhere; quit again"
[ -z "$(tui_exited)" ] || fail "squint quit with the session unsaved, unwarned"
tui_quit
grep -q "cannot save to $S: File too large" "$T/tui.err" || fail "no word of the lost save at the exit"
TUI_BIN=$SQUINT
unset SQUINT_TUI_BIN
case_end

S="$T/branch.jsonl"
case_begin "/retry adds a branch: two answers with one parent; the pane shows the new one"
tui_start 100 30 -s "$S"
ask "pick one"
tui_type "/model other-model"
tui_keys Enter
tui_type "/retry"
tui_keys Enter
expect_screen "other-model · "
expect_screen 'You asked: "pick one"'
n=$(tui_screen | grep -c 'You asked: "pick one"')
[ "$n" = 1 ] || fail "the pane shows $n answers, expected the current branch's one"
expect_body 'b["model"] == "other-model" and [m["content"] for m in b["messages"]] == ["pick one"]'
expect_file '[r["parent"] for r in recs if r["type"] == "answer"] == [recs[2]["id"]] * 2'
expect_file '[(r["params"]["model"], r["parent"]) for r in recs if r["type"] == "params"][-1] == ("other-model", recs[2]["id"])'
tui_stop
case_end

case_begin "/edit adds a branch beside the question; resuming shows the current branch"
tui_start 100 30 -s "$S"
expect_screen 'You asked: "pick one"'
tui_type "/edit"
tui_keys Enter
expect_screen "> pick one"
tui_type " better"
tui_keys Enter
expect_screen 'You asked: "pick one better"'
expect_no_screen 'You asked: "pick one".'
expect_body '[m["content"] for m in b["messages"]] == ["pick one better"]'
expect_file '[r["parent"] for r in recs if r["type"] == "user"] == [0, 0]'
tui_stop
tui_start 100 30 -s "$S"
expect_screen 'You asked: "pick one better"'
expect_no_screen 'You asked: "pick one".'
tui_stop
case_end

S="$T/img.jsonl"
case_begin "images come back as their [image N] lines (and thumbnails where shown)"
tui_start 100 30 -s "$S"
tui_type "/attach $DATA/red-64x48.png"
tui_keys Enter
tui_type "look"
tui_keys Enter
expect_screen 'You asked: "look". Images: 1'
tui_stop
tui_start 100 30 -s "$S"
expect_screen "[image 1: red-64x48.png"
ask "again"
expect_body 'b["messages"][0]["content"][1]["image_url"]["url"].startswith("data:image/")'
tui_stop
case_end

finish
