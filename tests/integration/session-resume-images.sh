#!/bin/sh
# Resuming a session with many screenshots: only the images on or near the
# screen are decoded (by the worker, after the first paint), their previews
# come in place of "preparing…", and scrolling back decodes older ones as
# they come into view.  tmux 3.3: colour blocks.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
start_server
S="$T/many.jsonl"
N=24

# The session: N questions, each with its own 160x96 PNG of one colour
# (the first green, the last red, the others blue), N echoed answers.
"$PY" - "$S" "$N" <<'PYEOF'
import base64, hashlib, json, struct, sys, zlib
path, n = sys.argv[1], int(sys.argv[2])
def png(rgb, k):
    w, h = 160, 96
    # A pixel that differs per image keeps every image distinct.
    rows = [b"\0" + bytes(rgb) * w for _ in range(h)]
    rows[h - 1] = b"\0" + bytes(rgb) * (w - 1) + bytes((k % 256, 0, 0))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))
out = []
def rec(o):
    out.append(json.dumps(o, separators=(",", ":")))
rec({"type": "header", "format": "squint-session", "version": 1, "created": 1700000000, "squint": "test"})
rec({"type": "params", "id": 1, "parent": 0, "time": 1700000000, "params": {"model": "test-model"}})
nid, parent = 1, 0
for k in range(1, n + 1):
    rgb = (0, 255, 0) if k == 1 else (255, 0, 0) if k == n else (0, 0, 255)
    data = png(rgb, k)
    url = "data:image/png;base64," + base64.b64encode(data).decode()
    sha = hashlib.sha256(url.encode()).hexdigest()
    name = "shot%d.png" % k
    rec({"type": "image", "sha256": sha, "name": name, "width": 160, "height": 96,
         "bytes": len(data), "url": url,
         "original": {"mime": "image/png", "width": 160, "height": 96, "bytes": len(data)}})
    nid += 1
    rec({"type": "user", "id": nid, "parent": parent, "time": 1700000000 + k,
         "content": [{"type": "text", "text": "question %d" % k},
                     {"type": "image", "sha256": sha, "name": name}]})
    rec({"type": "answer", "id": nid + 1, "parent": nid, "time": 1700000000 + k,
         "model_asked": "test-model", "model": "test-model", "state": "done",
         "interrupted": False, "chosen": 0,
         "choices": [{"content": "answer %d" % k, "finish_reason": "stop"}]})
    parent = nid + 1
    nid += 1
open(path, "w").write("\n".join(out) + "\n")
PYEOF

# xterm-256 indexes of the images' colours as blocks draws them.
RED="48;5;196" GREEN="48;5;46" BLUE="48;5;21"
LOG="$HOME/.local/state/squint/squint.log"
WAIT="preparing…"

# rows_with SGR: print how many screen rows show background SGR.
rows_with() {
	tui_screen_esc | grep -c -- "$1"
}

# wait_rows SGR: wait until some row shows background SGR; 1 after 5 s.
wait_rows() {
	i=0
	while [ $i -lt 100 ]; do
		[ "$(rows_with "$1")" -ge 1 ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

case_begin "resuming $N screenshots decodes only those near the screen; their previews come"
rm -f "$LOG"
tui_start 100 30 -v -s "$S"
expect_screen "answer $N"
wait_rows "$RED" || fail "the last screenshot's preview never came"
tui_wait_gone "$WAIT" || fail "a preview still says $WAIT"
sleep 0.3
decoded=$(grep -c "decoded in" "$LOG")
echo "# $decoded of $N previews decoded at start"
[ "$decoded" -ge 1 ] && [ "$decoded" -le 10 ] ||
	fail "$decoded of $N previews decoded at start (expected those near the screen)"
grep -q "preview of" "$LOG" && fail "a preview failed: $(grep "preview of" "$LOG")"
case_end

# at_top: whether the screen shows the first question.
at_top() {
	tui_screen | grep -qE 'question 1 *$'
}

case_begin "scrolling back, each screenshot's preview comes as it scrolls in"
seen=0
k=0
while [ $k -lt 60 ] && ! at_top; do
	tui_keys PPage
	sleep 0.1
	if tui_screen | grep -qF "[image "; then
		tui_wait_gone "$WAIT" || fail "a preview still says $WAIT after PageUp $k"
		[ "$(rows_with "$BLUE")" -ge 1 ] || [ "$(rows_with "$GREEN")" -ge 1 ] ||
			[ "$(rows_with "$RED")" -ge 1 ] || fail "an [image N] line without its preview"
		seen=$((seen + 1))
	fi
	k=$((k + 1))
done
at_top || fail "PageUp never reached the first question"
echo "# $seen screens with images on the way up; $(grep -c "let go" "$LOG") decoded copies let go"
[ "$seen" -ge 5 ] || fail "only $seen screens with images on the way up"
expect_screen "[image 1: shot1.png"
wait_rows "$GREEN" || fail "the first screenshot's preview never came"
tui_wait_gone "$WAIT" || fail "a preview still says $WAIT at the top"
decoded=$(grep -c "decoded in" "$LOG")
[ "$decoded" -ge "$N" ] || fail "$decoded previews decoded after scrolling through $N"
case_end

case_begin "End goes back to the bottom: the last preview again, copies let go are decoded anew"
tui_keys End
expect_screen "answer $N"
wait_rows "$RED" || fail "the last screenshot's preview did not come back"
tui_wait_gone "$WAIT" || fail "a preview still says $WAIT"
tui_stop
case_end

# A screenshot whose header is fine but whose pixels are cut short (a
# damaged file from elsewhere): its rows stay, saying why, and the next
# one still shows.
B="$T/broken.jsonl"
"$PY" - "$S" "$B" <<'PYEOF'
import base64, hashlib, json, sys
src, dst = sys.argv[1], sys.argv[2]
out, done = [], False
for line in open(src):
    o = json.loads(line)
    if o["type"] == "image" and o["name"] == "shot%d.png" % 23 and not done:
        data = base64.b64decode(o["url"].split(",", 1)[1])
        cut = data[:len(data) - 40]  # into the IDAT, IEND gone
        url = "data:image/png;base64," + base64.b64encode(cut).decode()
        old = o["sha256"]
        o["url"], o["sha256"], o["bytes"] = url, hashlib.sha256(url.encode()).hexdigest(), len(cut)
        new = o["sha256"]
        done = True
    line = json.dumps(o, separators=(",", ":"))
    if done:
        line = line.replace(old, new)
    out.append(line)
open(dst, "w").write("\n".join(out) + "\n")
PYEOF

case_begin "a resumed screenshot that cannot be decoded says so in its rows; the others show"
tui_start 100 30 -v -s "$B"
expect_screen "answer $N"
wait_rows "$RED" || fail "the last screenshot's preview never came"
expect_screen "no preview: the PNG data is truncated"
tui_wait_gone "$WAIT" || fail "a preview still says $WAIT"
tui_stop
case_end

finish
