#!/bin/sh
# --each --out: Ctrl-C keeps every finished record; a second run asks only
# for what is missing or failed.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/batch-lib.sh"
start_server
make_pngs "$T/shots" 8
S=$T/shots

case_begin "Ctrl-C mid-batch stops cleanly, keeping the finished records"
# Each answer takes about 0.6 s; two at a time.
"$SQUINT" -p "Q" --each "$S" --jobs 2 --out "$T/o.jsonl" \
	--header "X-Squint-Fault: tokens=7;delay_ms=100" </dev/null >"$T/out" 2>"$T/err" &
pid=$!
i=0
while [ "$(cat "$T/o.jsonl" 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.2
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
expect_rc 4
expect_err_contains "interrupted:"
expect_err_contains "run the same command again to go on"
n_ok=$(jq_records "$T/o.jsonl" 'r["error"] is None and r["finish_reason"] == "stop"' | grep -c True)
n_int=$(jq_records "$T/o.jsonl" 'r["error"]' | grep -c '^interrupted$')
[ "$n_ok" -ge 2 ] || fail "only $n_ok complete records"
[ "$n_ok" -lt 8 ] || fail "the batch was not interrupted"
[ "$n_int" -ge 1 ] || fail "no record says interrupted"
# Every line is a whole JSON record.
jq_records "$T/o.jsonl" 'r["file"]' >/dev/null 2>&1 || fail "a record is not valid JSON"
# The answers finished before Ctrl-C were printed whole.
[ "$(grep -c 'tok6' "$T/out")" -ge "$n_ok" ] || fail "finished answers missing from stdout"
answered=$(jq_records "$T/o.jsonl" 'r["file"] if r["error"] is None else ""' | grep . | sort)
case_end

case_begin "the same command again asks only for the missing and failed images"
run_squint -p "Q" --each "$S" --jobs 2 --out "$T/o.jsonl"
expect_rc 0
expect_err_contains "$n_ok of 8 images already answered in $T/o.jsonl; asking $((8 - n_ok)) ($n_int again after a failure)"
expect_requests $((8 - n_ok))
# None of the answered images was sent again (the server's log says which were).
for f in $answered; do
	sz="$(( $(basename "$f" .png | sed 's/img-0*//') + 10 ))x10"
	if logged_sizes | grep -qx "$sz"; then fail "$f was sent again"; fi
done
[ "$(headings | wc -l)" = $((8 - n_ok)) ] || fail "stdout has $(headings | wc -l) sections"
# Now every image has a complete record.
v=$(jq_records "$T/o.jsonl" 'r["file"] if r["error"] is None else ""' | grep . | sort -u | wc -l)
[ "$v" = 8 ] || fail "$v images answered in all"
case_end

case_begin "a third run sends nothing"
run_squint -p "Q" --each "$S" --out "$T/o.jsonl"
expect_rc 0
expect_requests 0
expect_err_contains "8 of 8 images already answered"
[ ! -s "$T/out" ] || fail "stdout is not empty"
case_end

case_begin "an image changed since its record is asked again (matched by path and hash)"
cp "$S/img-08.png" "$S/img-01.png"
run_squint -p "Q" --each "$S" --out "$T/o.jsonl"
expect_rc 0
expect_requests 1
[ "$(headings)" = "$S/img-01.png" ] || fail "headings: $(headings)"
case_end

case_begin "a torn last line (a crash mid-write) is skipped with a note, and never glued to a new record"
printf '{"file":"%s/img-02.png","sha' "$S" >>"$T/o.jsonl"
make_pngs "$T/more" 1
run_squint -p "Q" --each "$S" "$T/more" --out "$T/o.jsonl"
expect_rc 0
expect_requests 1
expect_err_contains "1 line that is not a record was skipped"
tail -n 1 "$T/o.jsonl" | "$PY" -c 'import json,sys; r=json.loads(sys.stdin.read()); assert r["file"].endswith("more/img-01.png")' ||
	fail "the new record is not a whole line"
case_end

case_begin "a failed image is retried on the next run"
run_squint -p "Q" --each "$S/img-03.png" --out "$T/f.jsonl" --retries 0 \
	--header "X-Squint-Fault: status=500"
expect_rc 2
run_squint -p "Q" --each "$S/img-03.png" --out "$T/f.jsonl"
expect_rc 0
expect_requests 2
expect_err_contains "asking 1 (1 again after a failure)"
[ "$(wc -l <"$T/f.jsonl")" = 2 ] || fail "not 2 records"
case_end

case_begin "two batches never write to one records file at once"
"$SQUINT" -p "Q" --each "$S/img-04.png" --out "$T/l.jsonl" \
	--header "X-Squint-Fault: first_byte_ms=1500" </dev/null >/dev/null 2>&1 &
pid=$!
sleep 0.5
run_squint -p "Q" --each "$S/img-05.png" --out "$T/l.jsonl"
wait "$pid"
expect_rc 1
expect_err_contains "is in use by another squint"
case_end

finish
