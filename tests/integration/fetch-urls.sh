#!/bin/sh
# --fetch-urls: remote images downloaded by squint itself (from the test
# server's image host on 127.0.0.1), checked and fitted like local files;
# the image host never sees the API key or the configured headers.
. "$top_srcdir/tests/lib.sh"
start_server
HOST="http://127.0.0.1:$PORT"
SHOT_URL="$HOST/files/screenshot-3840x2160.png"

# image_gets PYEXPR: evaluate PYEXPR (as a Python boolean, with h the
# headers) over every GET the server received in this case; prints the
# number of GETs for which it is false, or "none" when there was no GET.
image_gets() {
	new_requests | "$PY" -c "
import json, sys
gets = [json.loads(l) for l in sys.stdin if json.loads(l)['method'] == 'GET']
bad = [g['path'] for g in gets if not (lambda h: $1)(g['headers'])]
print('none' if not gets else len(bad))"
}

# expect_no_chat_request: nothing was asked of the model.
expect_no_chat_request() {
	n=$(new_requests | grep -c '"method": "POST"')
	[ "$n" = 0 ] || fail "$n chat requests were sent"
}

case_begin "--fetch-urls: a 4K screenshot URL is fitted and sent as a data URI"
run_squint -v -m gpt-4o --fetch-urls -p x "$SHOT_URL?size=big#frag"
expect_rc 0
expect_out_contains "Images: 1 (webp 1365x768)."
expect_err_contains "squint: screenshot-3840x2160.png 3840×2160 273 kB → 1365×768 webp"
expect_body 'b["messages"][0]["content"][1]["image_url"]["url"].startswith("data:image/webp;base64,")'
[ "$(image_gets 'True')" = 0 ] || fail "the image was not downloaded exactly as asked"
[ "$(image_gets '"authorization" not in h')" = 0 ] || fail "the image host saw an Authorization header"
case_end

case_begin "without --fetch-urls the URL passes unchanged and is never fetched"
run_squint -v -m gpt-4o -p x "$SHOT_URL"
expect_rc 0
expect_out_contains "Images: 1 (url $SHOT_URL)."
expect_body "b['messages'][0]['content'][1]['image_url']['url'] == '$SHOT_URL'"
expect_requests 1
expect_err_lacks "3840×2160"
case_end

case_begin "fetch_urls = true in the config file; --original sends the download as it is"
printf '[defaults]\nfetch_urls = true\n' >"$T/fetch.conf"
run_squint --config "$T/fetch.conf" -p x "$HOST/files/photo-40x30.jpg"
expect_rc 0
expect_out_contains "Images: 1 (webp 40x30)."
expect_body 'b["messages"][0]["content"][1]["image_url"]["url"].startswith("data:image/webp;base64,")'
run_squint --config "$T/fetch.conf" --original -p x "$SHOT_URL"
expect_rc 0
expect_out_contains "Images: 1 (png 3840x2160)."
printf '[defaults]\nfetch_urls = maybe\n' >"$T/bad.conf"
run_squint --config "$T/bad.conf" -p x "$SHOT_URL"
expect_rc 1
expect_err_contains "fetch_urls must be true or false"
case_end

case_begin "redirects to another host name are followed without the key or extra headers"
run_squint --fetch-urls --header "X-Team-Secret: hunter2" -p x \
	"$HOST/redirect/3/files/red-64x48.png?host=localhost"
expect_rc 0
expect_out_contains "Images: 1 (webp 64x48)."
[ "$(image_gets 'True')" = 0 ] || fail "no image requests logged"
n=$(new_requests | grep -c '"method": "GET"')
[ "$n" = 4 ] || fail "$n GETs for three redirects, expected 4"
[ "$(image_gets '"authorization" not in h and "x-team-secret" not in h')" = 0 ] ||
	fail "the image host (or a redirect) saw the key or the extra header"
expect_body 'h.get("x-team-secret") == "hunter2" and h["authorization"].startswith("Bearer ")'
grep -q "$TEST_KEY" "$T/server.log" || fail "the chat request lacks the key (test is broken)"
new_requests | grep '"method": "GET"' | grep -q -e "$TEST_KEY" -e hunter2 &&
	fail "a secret reached the image host"
case_end

case_begin "more than 5 redirects: one line, nothing asked"
run_squint --fetch-urls -p x "$HOST/redirect/6/files/red-64x48.png"
expect_rc 1
expect_err_contains "squint: $HOST/redirect/6/files/red-64x48.png: more than 5 redirects"
expect_err_lines 1
expect_no_chat_request
case_end

case_begin "an HTTP error status names the URL and the status"
run_squint --fetch-urls -p x "$HOST/files/missing.png"
expect_rc 1
expect_err_contains "squint: $HOST/files/missing.png: the image host answered HTTP 404"
expect_err_lines 1
expect_no_chat_request
case_end

case_begin "a download that is not an image is refused by its magic bytes"
run_squint --fetch-urls -p x "$HOST/files/not-an-image.png"
expect_rc 1
expect_err_contains "squint: $HOST/files/not-an-image.png: not an image (it looks like"
expect_err_lines 1
expect_no_chat_request
case_end

case_begin "max_file_mb caps a download: by Content-Length, and mid-stream when endless"
printf '[defaults]\nmax_file_mb = 0.1\n' >"$T/small.conf"
run_squint --config "$T/small.conf" --fetch-urls -p x "$SHOT_URL"
expect_rc 1
expect_err_contains "squint: $SHOT_URL: the image is larger than the 102.3 kB limit"
expect_err_lines 1
run_squint --config "$T/small.conf" --fetch-urls -p x "$HOST/files/screenshot-3840x2160.png?chunked"
expect_rc 1
expect_err_contains "the image is larger than the 102.3 kB limit"
printf '[defaults]\nmax_file_mb = 2\n' >"$T/two.conf"
rc=0
timeout 20 "$SQUINT" --config "$T/two.conf" --fetch-urls -p x "$HOST/endless" \
	</dev/null >"$T/out" 2>"$T/err" || rc=$?
expect_rc 1
expect_err_contains "squint: $HOST/endless: the image is larger than the 2 MB limit"
expect_err_lines 1
expect_no_chat_request
case_end

case_begin "connect failures and stalls end with one line naming the URL"
run_squint --fetch-urls -p x "http://127.0.0.1:1/shot.png"
expect_rc 1
expect_err_contains "squint: http://127.0.0.1:1/shot.png: cannot connect"
expect_err_lines 1
run_squint --fetch-urls --idle-timeout 1 -p x "$HOST/files/red-64x48.png?stall=10"
expect_rc 1
expect_err_contains "squint: $HOST/files/red-64x48.png?stall=10: the download stalled: no data for 1 s (idle timeout)"
expect_err_lines 1
expect_no_chat_request
case_end

case_begin "a local file next to a fetched URL: both arrive, in order"
run_squint --fetch-urls -p x "$DATA/green-20x10.gif" "$HOST/files/lossy-30x20.webp"
expect_rc 0
expect_out_contains "Images: 2 (webp 20x10, webp 30x20)."
case_end

finish
