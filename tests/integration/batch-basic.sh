#!/bin/sh
# --each: one request per image, in parallel, answers in input order.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/batch-lib.sh"
start_server
make_pngs "$T/shots" 5
S=$T/shots

case_begin "answers are printed in input order: a slow first image holds the others back"
run_squint -p "Broken?" --each "$S/img-01.png" "$S/img-02.png" "$S/img-03.png" "$S/img-04.png" \
	--out "$T/o1.jsonl" --header "X-Squint-Fault: only_image=11x10;first_byte_ms=1200"
expect_rc 0
[ "$(headings | tr '\n' ' ')" = "$S/img-01.png $S/img-02.png $S/img-03.png $S/img-04.png " ] ||
	fail "headings out of order: $(headings | tr '\n' ' ')"
expect_out_contains 'You asked: "Broken?". Images: 1 ('
[ "$(grep -c 'You asked' "$T/out")" = 4 ] || fail "not 4 answers"
# The records are written as answers finish: the slow first one comes last.
[ "$(jq_records "$T/o1.jsonl" 'r["file"].split("/")[-1]' | tail -n1)" = img-01.png ] ||
	fail "img-01 did not finish last: $(jq_records "$T/o1.jsonl" 'r["file"]' | tr '\n' ' ')"
# All four requests were in flight together.
span=$(logged | awk 'NR == 1 { a = $1 } { b = $1 } END { print (b - a < 0.8) ? "ok" : b - a }')
[ "$span" = ok ] || fail "the four requests did not start together (span $span s)"
case_end

case_begin "--unordered prints each answer as it finishes"
run_squint -p "Broken?" --each --unordered "$S/img-01.png" "$S/img-02.png" "$S/img-03.png" \
	--header "X-Squint-Fault: only_image=11x10;first_byte_ms=800"
expect_rc 0
[ "$(headings | tail -n1)" = "$S/img-01.png" ] || fail "the slow image was not printed last"
[ "$(headings | wc -l)" = 3 ] || fail "not 3 sections"
case_end

case_begin "--jobs 1 sends one request at a time, in order"
run_squint -p "Q" --each --jobs 1 "$S/img-01.png" "$S/img-02.png" "$S/img-03.png" \
	--header "X-Squint-Fault: tokens=3;delay_ms=100"
expect_rc 0
[ "$(logged | cut -d' ' -f3 | tr '\n' ' ')" = "11x10 12x10 13x10 " ] ||
	fail "requests: $(logged | cut -d' ' -f3 | tr '\n' ' ')"
# Each request starts after the previous answer ended (0.2 s of tokens).
gaps=$(logged | awk 'NR > 1 && $1 - p < 0.19 { print "overlap" } { p = $1 }')
[ -z "$gaps" ] || fail "requests overlapped with --jobs 1"
case_end

case_begin "a failing image among good ones: recorded with its error, the rest answered, exit status"
cp "$DATA/not-an-image.png" "$T/bad.png"
run_squint -p "Q" --each "$S/img-01.png" "$S/img-02.png" "$T/bad.png" "$S/img-03.png" \
	--out "$T/o2.jsonl" \
	--header "X-Squint-Fault: only_image=12x10;status=400;message=Invalid image: refused"
expect_rc 2
expect_requests 3
expect_out_contains "_Failed: HTTP 400"
expect_out_contains "Invalid image: refused"
expect_out_contains "_Failed: $T/bad.png: not an image"
[ "$(grep -c 'You asked' "$T/out")" = 2 ] || fail "the good images were not all answered"
expect_err_contains "2 of 4 images failed"
[ "$(wc -l <"$T/o2.jsonl")" = 4 ] || fail "not 4 records"
v=$(jq_records "$T/o2.jsonl" '"%s|%s|%s" % (r["file"].split("/")[-1], r["error"] is None, r["finish_reason"])' | sort | tr '\n' ' ')
[ "$v" = "bad.png|False|None img-01.png|True|stop img-02.png|False|None img-03.png|True|stop " ] ||
	fail "records: $v"
v=$(jq_records "$T/o2.jsonl" 'r["error"] or ""' | grep -c 'Invalid image: refused')
[ "$v" = 1 ] || fail "the refused image's record lacks the server's error"
case_end

case_begin "the first failure in input order decides the exit status"
run_squint -p "Q" --each "$T/bad.png" "$S/img-02.png" \
	--header "X-Squint-Fault: only_image=12x10;status=400"
expect_rc 1
run_squint -p "Q" --each "$S/img-02.png" "$T/bad.png" \
	--header "X-Squint-Fault: only_image=12x10;status=400"
expect_rc 2
case_end

case_begin "a folder: its images (sub-folders too) in name order; other files skipped with a note"
mkdir -p "$T/dir/sub" "$T/dir/.cache"
cp "$S/img-03.png" "$T/dir/b.png"
cp "$S/img-01.png" "$T/dir/a.png"
cp "$S/img-02.png" "$T/dir/sub/c.png"
cp "$S/img-04.png" "$T/dir/.hidden.png"
cp "$S/img-05.png" "$T/dir/.cache/d.png"
cp "$S/img-04.png" "$T/dir/shot-without-extension"
echo "some notes" >"$T/dir/notes.txt"
cp "$DATA/not-an-image.png" "$T/dir/fake.png"
run_squint -p "Q" --each "$T/dir"
expect_rc 0
[ "$(headings | tr '\n' ' ')" = "$T/dir/a.png $T/dir/b.png $T/dir/shot-without-extension $T/dir/sub/c.png " ] ||
	fail "headings: $(headings | tr '\n' ' ')"
expect_err_contains "skipped $T/dir/notes.txt: not an image (text)"
expect_err_contains "skipped $T/dir/fake.png: not an image (a PDF document)"
expect_err_lacks "hidden"
expect_requests 4
case_end

case_begin "- reads the list of images from standard input"
printf '%s\n\n%s\n' "$S/img-05.png" "$S/img-01.png" >"$T/list"
run_squint_stdin "$T/list" -p "Q" --each -
expect_rc 0
[ "$(headings | tr '\n' ' ')" = "$S/img-05.png $S/img-01.png " ] ||
	fail "headings: $(headings | tr '\n' ' ')"
expect_body 'b["messages"][-1]["content"][0]["text"] == "Q"'
case_end

case_begin "a quoted pattern is expanded by squint"
run_squint -p "Q" --each "$S/img-0[23].png"
expect_rc 0
[ "$(headings | tr '\n' ' ')" = "$S/img-02.png $S/img-03.png " ] ||
	fail "headings: $(headings | tr '\n' ' ')"
run_squint -p "Q" --each "$S/nothing-*.png"
expect_rc 1
expect_err_contains "no file matches $S/nothing-*.png"
case_end

case_begin "--group 2 sends two images per request; one record per image"
run_squint -p "Compare" --each --group 2 "$S" --out "$T/o3.jsonl"
expect_rc 0
# Requests run side by side: the server sees them in any order.
[ "$(logged | cut -d' ' -f3- | sort | tr '\n' '|')" = "11x10 12x10|13x10 14x10|15x10|" ] ||
	fail "requests: $(logged | cut -d' ' -f3- | sort | tr '\n' '|')"
expect_out_contains "## $S/img-01.png, $S/img-02.png"
expect_out_contains "## $S/img-05.png"
expect_out_contains 'Images: 2 ('
[ "$(wc -l <"$T/o3.jsonl")" = 5 ] || fail "not 5 records"
v=$(jq_records "$T/o3.jsonl" 'len(r["group"])' | sort | tr '\n' ' ')
[ "$v" = "1 2 2 2 2 " ] || fail "groups: $v"
case_end

case_begin "same system prompt and parameters as one request"
run_squint -p "Q" --each --system "Be brief." -t 0.5 --max-tokens 50 "$S/img-01.png"
expect_rc 0
expect_body 'b["messages"][0] == {"role": "system", "content": "Be brief."} and b["temperature"] == 0.5 and b["max_tokens"] == 50'
case_end

case_begin "images are fitted (and downloaded) off the loop: a stalled download holds no answer back"
# The worker downloads the second image while the first one's answer
# streams (~1.5 s): were the download on the loop, that stream would not
# be read until the host's 4 s stall ended.
run_squint -p "Broken?" --each --fetch-urls "$S/img-01.png" "http://127.0.0.1:$PORT/files/red-64x48.png?stall=4" \
	--out "$T/o-stall.jsonl" --header "X-Squint-Fault: only_image=11x10;delay_ms=150"
expect_rc 0
[ "$(grep -c 'You asked' "$T/out")" = 2 ] || fail "not 2 answers"
t=$(jq_records "$T/o-stall.jsonl" 'r["timings"]["total_s"] if r["file"].endswith("img-01.png") else ""' | grep .)
echo "# img-01.png answered in $t s"
awk -v t="$t" 'BEGIN { exit !(t > 0.5 && t < 3) }' || fail "img-01.png took $t s: it waited for the download"
case_end

case_begin "bad usage gets one clear line"
run_squint -p "Q" --each --jobs 0 "$S/img-01.png"
expect_rc 1
expect_err_contains "--jobs"
expect_err_lines 1
for bad in " 4" "4x" "99999999999999999999" ""; do
	run_squint -p "Q" --each --jobs "$bad" "$S/img-01.png"
	expect_rc 1
	expect_err_contains "--jobs: \"$bad\" is not a whole number from 1 to 64"
	expect_err_lines 1
done
run_squint -p "Q" --out "$T/x.jsonl" "$S/img-01.png"
expect_rc 1
expect_err_contains "go with --each"
run_squint --each "$S/img-01.png"
expect_rc 1
expect_err_contains "--each needs a question"
run_squint -p "Q" --each --json "$S/img-01.png"
expect_rc 1
expect_err_lines 1
run_squint -p "Q" --each "$T/empty-dir-does-not-exist/"
expect_rc 1
case_end

finish
