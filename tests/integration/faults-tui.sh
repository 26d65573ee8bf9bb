#!/bin/sh
# The fault matrix in the interactive mode: each fault shows a clear line,
# the UI still takes keys afterwards (typed text is echoed), peak RSS stays
# bounded, and the session file keeps the earlier turn.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
[ -x /usr/bin/time ] || { echo "Bail out! /usr/bin/time is needed (apt-get install time)"; exit 1; }
start_server
S="$T/chat.jsonl"
run_squint -s "$S" -p "earlier turn"
[ "$rc" = 0 ] || { echo "Bail out! the first turn failed"; exit 1; }
cp "$S" "$T/start.jsonl"
port_closed=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
RSS_MAX=${RSS_MAX:-400000}
# In an ASan build, keep its quarantine of freed memory small, so the peak
# RSS measures what squint holds.
ASAN_OPTIONS="quarantine_size_mb=16:${ASAN_OPTIONS:-}"
export ASAN_OPTIONS
# squint under /usr/bin/time, which writes the peak RSS (KiB) to a file.
cat >"$T/timed" <<EOT
#!/bin/sh
exec /usr/bin/time -f %M -o "$T/rss" "$SQUINT" "\$@"
EOT
chmod +x "$T/timed"
TUI_BIN="$T/timed"

# row NAME SCREENTEXT MODEL [ARGS...]: ask with model MODEL, see SCREENTEXT.
row() {
	name=$1 text=$2 model=$3
	shift 3
	case_begin "$name"
	cp "$T/start.jsonl" "$S"
	rm -f "$T/rss"
	tui_start 100 30 -s "$S" --retries 0 "$@"
	tui_type "/model $model"
	tui_keys Enter
	tui_type "a question"
	tui_keys Enter
	expect_screen "$text" 8
	tui_keys C-u
	tui_type "still responding"
	expect_screen "> still responding"
	tui_keys C-u
	tui_stop
	rss=$(tail -n 1 "$T/rss" 2>/dev/null)
	[ "$rss" -le "$RSS_MAX" ] 2>/dev/null || fail "peak RSS '$rss' KiB > $RSS_MAX KiB"
	echo "# peak RSS $rss KiB"
	if ! "$SQUINT" --export "$S" >"$T/export" 2>&1; then
		fail "the session no longer loads: $(head -n 1 "$T/export")"
	elif ! grep -q 'You asked: \\"earlier turn' "$T/export"; then
		fail "the earlier turn is lost from the session"
	fi
	case_end
}

row "connection refused" "cannot connect" test-model --base-url "http://127.0.0.1:$port_closed/v1"
row "a name that does not resolve" "cannot resolve" test-model --base-url "http://no-such-host.invalid/v1"
row "stall before the first byte: idle timeout" "no answer within 1 s" "fault:stall_before=30" --idle-timeout 1
row "stall mid-stream: idle timeout" "stalled" "fault:stall_after=2" --idle-timeout 1
row "disconnect mid-stream" "broke" "fault:disconnect_after=2"
for shape in openai flat string array html text empty; do
	row "HTTP 503, $shape body" "HTTP 503" "fault:status=503;body=$shape"
done
row "HTTP 401" "HTTP 401" "fault:status=401"
row "HTTP 429" "HTTP 429" "fault:status=429"
row "a 200 stream carrying an error" "Upstream model overloaded" "fault:midstream_error=2"
row "a single 20 MB SSE line: over the line cap" "--max-line-mb 16" "fault:huge_line=20000000"
row "a 30 MB JSON answer over --max-answer-mb 16" "--max-answer-mb 16" "fault:huge_line=30000000;ignore_stream" --max-answer-mb 16
row "100,000 tokens as fast as the loopback allows" "tok99999" "fault:tokens=100000"
row "garbage bytes instead of a stream" "no answer" "fault:garbage"
row "invalid UTF-8 in the answer" 'You asked: "a question"' "fault:invalid_utf8"

# TLS: a second server with a certificate made now.
if command -v openssl >/dev/null &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
		-addext "subjectAltName=IP:127.0.0.1" -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null; then
	"$PY" "$SERVER" --port 0 --port-file "$T/tlsport" --quiet --tls-cert "$T/cert.pem" \
		--tls-key "$T/key.pem" 2>/dev/null &
	tls_pid=$!
	i=0
	while [ ! -s "$T/tlsport" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	tls_url="https://127.0.0.1:$(cat "$T/tlsport")/v1"
	row "TLS with an untrusted certificate" "--cacert" test-model --base-url "$tls_url"
	row "TLS with --cacert" 'You asked: "a question"' test-model --base-url "$tls_url" --cacert "$T/cert.pem"
	kill "$tls_pid" 2>/dev/null
fi

finish
