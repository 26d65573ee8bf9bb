#!/bin/sh
# Crash safety: squint -s FILE killed with SIGKILL at random moments while
# an answer streams, CRASH_TRIALS times (50 in make check, more in make
# soak).  After each kill the file must load, keep every byte it had
# (append-only: the old file is a prefix of the new one, a torn last line
# aside), hold every finished turn, and give back the partial answer up to
# its last checkpoint.
. "$top_srcdir/tests/lib.sh"
start_server
S="$T/crash.jsonl"
TRIALS=${CRASH_TRIALS:-50}
SEED=${CRASH_SEED:-$$}
TOKENS=40
# Checkpoints every 100 ms (not every second), so that a short answer has
# several and a kill lands between them.
export SQUINT_TEST_CKPT_MS=100
: >"$T/prev"

# check I FINISHED: judge the file after trial I (FINISHED: 1 when squint
# ended by itself before the kill).
check() {
	"$PY" - "$S" "$T/prev" "$T/export.json" "$1" "$2" "$TOKENS" <<'PY'
import json, sys
path, prevp, expp, i, finished = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == "1"
data = open(path, "rb").read()
prev = open(prevp, "rb").read()
errs = []
def expected(q):
    """The whole answer to question q from the test server."""
    if q == "turn 0":
        return 'You asked: "turn 0". Images: 0.'
    return "".join("tok%d " % k for k in range(TOKENS))
TOKENS = int(sys.argv[6])
# Append-only: what was there (complete lines) is still there, byte for byte.
keep = prev[:prev.rfind(b"\n") + 1]
if not data.startswith(keep):
    errs.append("the file lost or changed earlier bytes")
lines = data.split(b"\n")
recs = []
for n, l in enumerate(lines[:-1]):
    if not l:
        errs.append("blank line %d" % (n + 1))
        continue
    try:
        recs.append(json.loads(l))
    except Exception:
        # Only a line torn by an earlier kill may be broken, and a fresh
        # line must follow it (never glued).
        if not (l.startswith(b'{"type":"checkpoint"') or l.startswith(b'{"type":"answer"')
                or l.startswith(b'{"type":"user"') or l.startswith(b'{"type":"params"')
                or l.startswith(b'{"type":"select"') or l.startswith(b'{"type":"image"')):
            errs.append("line %d is not a record: %r" % (n + 1, l[:80]))
        elif l.count(b'{"type":') > 1:
            errs.append("line %d: a record glued onto a torn one" % (n + 1))
users = {r["id"]: r for r in recs if r["type"] == "user"}
answers = {r["id"]: r for r in recs if r["type"] == "answer"}
ckpts = {}
for r in recs:
    if r["type"] == "checkpoint":
        c = ckpts.setdefault(r["id"], [r["parent"], ""])
        for ch in r["choices"]:
            c[1] += ch.get("content", "")
# Every turn asked is there once, and every one that finished has its answer.
# (a turn killed before its question was sent may be absent: it never was)
texts = [u["content"][0]["text"] for u in users.values()]
want = ["turn %d" % k for k in range(0, i + 1)]
done = {users[a["parent"]]["content"][0]["text"] for a in answers.values() if a["state"] == "done"}
for t in open(path + ".finished").read().split("\n"):
    if t and t not in done:
        errs.append("%s finished earlier but its done answer is missing" % t)
if len(texts) != len(set(texts)):
    errs.append("a question is there twice")
for a in answers.values():
    q = users[a["parent"]]["content"][0]["text"]
    full = expected(q)
    if a["state"] == "done" and a["choices"][0]["content"] != full:
        errs.append("answer to %s: %r" % (q, a["choices"][0]["content"]))
if finished:
    last = [a for a in answers.values() if users[a["parent"]]["content"][0]["text"] == want[-1]]
    if not last or last[0]["state"] != "done":
        errs.append("%s finished but its answer is not saved as done" % want[-1])
# Partial answers: the checkpoints joined are a start of the real answer,
# and the loader gives exactly that back.
for aid, (parent, text) in ckpts.items():
    if aid in answers:
        continue
    q = users[parent]["content"][0]["text"]
    full = expected(q)
    if not full.startswith(text):
        errs.append("checkpoints of %s: %r" % (q, text))
# The loader gives the partial answer of this trial back up to its last
# checkpoint: the current branch ends with it.
msgs = json.load(open(path + ".msgs"))
mine = [(aid, p, t) for aid, (p, t) in ckpts.items()
        if aid not in answers and users[p]["content"][0]["text"] == want[-1]]
if mine and not finished:
    if msgs[-1] != {"role": "assistant", "content": mine[0][2]}:
        errs.append("the loader's partial answer %r, the checkpoints %r" % (msgs[-1], mine[0][2]))
exp = json.load(open(expp))
if len(exp["records"]) != len(recs):
    errs.append("export has %d records, the file %d" % (len(exp["records"]), len(recs)))
print("\n".join(errs) if errs else "ok")
PY
}

case_begin "SIGKILL at random moments while answers stream: $TRIALS trials (seed $SEED)"
run_squint -s "$S" -p "turn 0"
expect_rc 0
echo "turn 0" >"$S.finished"
cp "$S" "$T/prev"
bad=0
killed=0
finished_n=0
i=1
# A cheap deterministic random sequence (awk), so a failure can be replayed.
awk -v s="$SEED" -v n="$TRIALS" 'BEGIN { srand(s); for (k = 0; k < n; k++) printf "%.3f\n", rand() * 0.6 }' >"$T/delays"
while [ $i -le "$TRIALS" ]; do
	d=$(sed -n "${i}p" "$T/delays")
	"$SQUINT" -s "$S" -m "fault:tokens=$TOKENS;delay_ms=10" -p "turn $i" </dev/null >/dev/null 2>"$T/err.$i" &
	pid=$!
	sleep "$d"
	fin=0
	if kill -KILL $pid 2>/dev/null; then
		killed=$((killed + 1))
	else
		fin=1
		finished_n=$((finished_n + 1))
		echo "turn $i" >>"$S.finished"
	fi
	wait $pid 2>/dev/null
	rc=0
	"$SQUINT" --export "$S" --format json >"$T/export.json" 2>"$T/export.err" || rc=$?
	if [ $rc != 0 ] || grep -v -e 'incomplete record skipped' -e 'damaged record skipped (not JSON)' "$T/export.err" | grep -q .; then
		fail "trial $i (sleep $d): the file does not load cleanly: rc $rc, $(head -3 "$T/export.err")"
		bad=$((bad + 1))
	fi
	"$SQUINT" --export "$S" --format messages >"$S.msgs" 2>/dev/null
	v=$(check $i $fin 2>&1)
	if [ "$v" != ok ]; then
		fail "trial $i (sleep $d, finished $fin): $v"
		bad=$((bad + 1))
	fi
	[ $bad -gt 3 ] && break
	cp "$S" "$T/prev"
	i=$((i + 1))
done
echo "# $killed killed mid-way, $finished_n finished before the kill"
[ $killed -ge $((TRIALS / 3)) ] || fail "only $killed of $TRIALS trials were killed mid-way"
n=$(grep -c '"type":"checkpoint"' "$S")
echo "# $n checkpoint records in the file"
[ "$n" -ge $((TRIALS / 3)) ] || fail "only $n checkpoints: the kills did not test them"
case_end

case_begin "after all that the session resumes and asks with every finished turn"
run_squint -s "$S" -p "after the crashes"
expect_rc 0
expect_body 'b["messages"][-1]["content"] == "after the crashes"'
expect_body '"turn 0" in json.dumps(b["messages"])'
case_end

finish
