#!/bin/sh
# --each: a 429 from any request pauses and slows the whole batch.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/batch-lib.sh"
start_server
make_pngs "$T/shots" 10
S=$T/shots

case_begin "a 429 with Retry-After pauses every request of the batch, and lowers the concurrency"
run_squint -p "Q" --each "$S" --jobs 4 --out "$T/o.jsonl" \
	--header "X-Squint-Fault: status=429;retry_after=1;fail_first=1;key=rl1"
expect_rc 0
expect_err_contains "rate limited (HTTP 429): the batch waits 1.0 s, then sends 2 requests at a time"
expect_requests 11
logged >"$T/req"
# The server's log: the refused request, then nothing for a second (the
# answers in flight may finish and nothing new starts), then the rest.
v=$(awk '$2 == 429 { t = $1 } END { print t }' "$T/req")
[ -n "$v" ] || fail "no 429 in the log"
early=$(awk -v t="$v" '$1 > t + 0.1 && $1 < t + 0.9' "$T/req" | wc -l)
late=$(awk -v t="$v" '$1 >= t + 0.9' "$T/req" | wc -l)
[ "$early" = 0 ] || fail "$early request(s) arrived during the pause"
# The jobs not yet started when the 429 came (6 or more of 10), and the retry.
[ "$late" -ge 5 ] || fail "only $late requests after the pause"
v=$(jq_records "$T/o.jsonl" 'r["file"] if r["error"] is None else ""' | grep -c .)
[ "$v" = 10 ] || fail "$v images answered"
# The refused image was retried and its record counts both attempts.
[ "$(jq_records "$T/o.jsonl" 'r["timings"]["attempts"]' | sort -n | tail -n1)" = 2 ] ||
	fail "no record shows the retry"
case_end

case_begin "a rate limit that outlasts the retries fails those images, recorded, exit status 2"
run_squint -p "Q" --each "$S/img-01.png" "$S/img-02.png" --retries 0 --out "$T/f.jsonl" \
	--header "X-Squint-Fault: status=429;retry_after=1"
expect_rc 2
[ "$(jq_records "$T/f.jsonl" '"Rate limit reached" in (r["error"] or "")' | grep -c True)" = 2 ] ||
	fail "records lack the 429 error"
case_end

finish
