#!/bin/sh
# Images fitted for upload: what the server receives, per model and flag;
# bad images refused before anything is sent.
. "$top_srcdir/tests/lib.sh"
start_server
SHOT="$DATA/screenshot-3840x2160.png"
IMG="$top_srcdir/tests/img-data"

case_begin "gpt-4o: a 4K screenshot goes as 1365x768, smaller than the original"
run_squint -v -m gpt-4o -p x "$SHOT"
expect_rc 0
expect_out_contains "Images: 1 (webp 1365x768)."
expect_err_contains "screenshot-3840x2160.png 3840×2160"
expect_err_contains "→ 1365×768 webp"
sent=$(last_body 'len(b["messages"][0]["content"][1]["image_url"]["url"])')
orig=$(wc -c <"$SHOT")
[ "$sent" -lt $((orig * 45 / 100)) ] || fail "sent $sent base64 bytes for a $orig-byte file"
case_end

case_begin "gpt-4o with detail=low: within 512x512"
run_squint -m gpt-4o --detail low -p x "$SHOT"
expect_out_contains "Images: 1 (webp 512x288 detail=low)."
case_end

case_begin "a Claude model: long edge at most 1568, about 1.15 megapixels"
run_squint -m anthropic/claude-sonnet-4 -p x "$SHOT"
expect_out_contains "Images: 1 (webp 1429x804)."
case_end

case_begin "any other model: 2048 px on the long side"
run_squint -m llava -p x "$SHOT"
expect_out_contains "Images: 1 (webp 2048x1152)."
case_end

# A 1280x800 window: white, a title bar, lines of black "words".
"$PY" - "$T/window.png" <<'PYEOF'
import random, struct, sys, zlib
W, H = 1280, 800
rnd = random.Random(7)
px = [bytearray(b"\xff" * (W * 3)) for _ in range(H)]
for y in range(32):
    px[y][:] = b"\x30\x50\x90" * W
for line in range(60, H - 20, 22):
    x = 20
    while x < W - 80:
        n = rnd.randint(3, 9) * 7
        for y in range(line, line + 12):
            for xx in range(x, x + n):
                if rnd.random() < 0.55:
                    px[y][xx * 3:xx * 3 + 3] = b"\0\0\0"
        x += n + 8
def chunk(k, d):
    return struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d) & 0xffffffff)
raw = b"".join(b"\0" + bytes(r) for r in px)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
PYEOF

case_begin "gpt-4o: a 1280x800 window goes at its own size, smaller than fitted"
# OpenAI would shrink it to 1229x768 itself; shrinking it here would blur
# its text and cost bytes.
run_squint -v -m gpt-4o -p x "$T/window.png"
expect_rc 0
expect_out_contains "Images: 1 (webp 1280x800)."
expect_err_contains "window.png 1280×800"
whole=$(last_body 'len(b["messages"][0]["content"][1]["image_url"]["url"])')
run_squint -m llava --max-edge 1229 -p x "$T/window.png"
expect_out_contains "Images: 1 (webp 1229x768)."
fitted=$(last_body 'len(b["messages"][0]["content"][1]["image_url"]["url"])')
[ "$whole" -lt "$fitted" ] || fail "at its own size $whole base64 bytes, fitted $fitted"
case_end

case_begin "--max-edge sets the long edge by hand"
run_squint --max-edge 1000 -p x "$SHOT"
expect_out_contains "Images: 1 (webp 1000x563)."
case_end

case_begin "--original sends the file as it is"
run_squint --original -p x "$SHOT"
expect_out_contains "Images: 1 (png 3840x2160)."
case_end

case_begin "max_edge = 0 in the config file sends files as they are"
printf '[defaults]\nmax_edge = 0\n' >"$T/orig.conf"
run_squint --config "$T/orig.conf" -p x "$SHOT"
expect_out_contains "Images: 1 (png 3840x2160)."
case_end

case_begin "a phone photo's EXIF orientation is applied: it arrives upright"
run_squint --original -p x "$IMG/orient6-24x32.jpg"
expect_out_contains "(jpeg 24x32)"
run_squint -p x "$IMG/orient6-24x32.jpg"
expect_out_contains "x24)."
expect_out_contains "32x24"
case_end

"$PY" - "$T" "$DATA/red-64x48.png" <<'PYEOF'
import struct, sys, zlib
t, src = sys.argv[1], sys.argv[2]
def chunk(k, d):
    return struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d) & 0xffffffff)
ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 6, 0, 0, 0)
open(t + "/bomb.png", "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
                                  chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
d = open(src, "rb").read()
open(t + "/truncated.png", "wb").write(d[:len(d) // 2])
open(t + "/zero.png", "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 0, 8, 6, 0, 0, 0)))
PYEOF

case_begin "a decompression bomb is refused from its header, nothing sent"
run_squint -p x "$T/bomb.png"
expect_rc 1
expect_err_contains "bomb.png: 100000×100000 is 10000 megapixels, more than the 100 megapixel limit"
expect_err_lines 1
expect_requests 0
case_end

case_begin "max_megapixels lowers the limit"
printf '[defaults]\nmax_megapixels = 1\n' >"$T/mp.conf"
run_squint --config "$T/mp.conf" -p x "$SHOT"
expect_rc 1
expect_err_contains "megapixel limit"
expect_requests 0
case_end

case_begin "a truncated image is refused with one line"
run_squint -p x "$T/truncated.png"
expect_rc 1
expect_err_contains "truncated.png"
expect_err_lines 1
expect_requests 0
case_end

case_begin "a zero-size image is refused with one line"
run_squint -p x "$T/zero.png"
expect_rc 1
expect_err_contains "zero.png"
expect_err_lines 1
case_end

case_begin "max_file_mb refuses big files before reading them"
printf '[defaults]\nmax_file_mb = 0.1\n' >"$T/mb.conf"
run_squint --config "$T/mb.conf" -p x "$SHOT"
expect_rc 1
expect_err_contains "limit"
expect_requests 0
case_end

case_begin "every decoder: PNG variants, JPEG gray/CMYK, GIF, WebP are accepted and fitted"
run_squint -p x "$IMG/gray-32x24.png" "$IMG/palette-32x24.png" "$IMG/deep16-32x24.png" \
	"$IMG/rgba-32x24.png" "$IMG/gray-32x24.jpg" "$IMG/cmyk-32x24.jpg" "$IMG/trans-20x10.gif" \
	"$IMG/lossy-32x24.webp" "$IMG/lossless-32x24.webp"
expect_rc 0
expect_out_contains "Images: 9 ("
expect_out_lacks "mismatch"
case_end

# on_pty ARGS...: run squint on a pseudo-terminal, output in $T/out.
on_pty() {
	rc=0
	"$PY" -c 'import pty,sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)' "$SQUINT" "$@" \
		</dev/null >"$T/out" 2>"$T/err" || rc=$?
}

case_begin "--preview on a sixel terminal prints a sixel image before the answer"
SQUINT_GRAPHICS=sixel on_pty --preview -p "look" "$IMG/quad-32x24.png"
expect_rc 0
expect_out_contains "[1] quad-32x24.png 32x24"
grep -q "$(printf '\033P')" "$T/out" || fail "no DCS (sixel) in the output"
expect_out_contains 'You asked: "look"'
case_end

case_begin "--preview with blocks prints coloured cells"
SQUINT_GRAPHICS=blocks on_pty --preview -p "look" "$IMG/quad-32x24.png"
expect_rc 0
grep -q "$(printf '\033')\[38;" "$T/out" || fail "no coloured cells in the output"
if grep -q "$(printf '\033P')" "$T/out"; then fail "a sixel was sent to a blocks terminal"; fi
case_end

case_begin "--preview on a terminal without graphics prints the name line only"
SQUINT_GRAPHICS=none on_pty --preview -p "look" "$IMG/quad-32x24.png"
expect_rc 0
expect_out_contains "[1] quad-32x24.png 32x24"
if grep -q "$(printf '\033')" "$T/out"; then fail "escape sequences sent to a plain terminal"; fi
case_end

case_begin "graphics = none in the config file: the name line only; SQUINT_GRAPHICS beats it"
printf '[defaults]\ngraphics = none\n' >"$T/g.conf"
on_pty --config "$T/g.conf" --preview -p "look" "$IMG/quad-32x24.png"
expect_rc 0
expect_out_contains "[1] quad-32x24.png 32x24"
if grep -q "$(printf '\033')" "$T/out"; then fail "graphics = none still drew"; fi
SQUINT_GRAPHICS=sixel on_pty --config "$T/g.conf" --preview -p "look" "$IMG/quad-32x24.png"
grep -q "$(printf '\033P')" "$T/out" || fail "SQUINT_GRAPHICS=sixel did not beat the config"
case_end

case_begin "--preview into a pipe prints nothing extra"
run_squint --preview -p "look" "$IMG/quad-32x24.png"
expect_rc 0
expect_out_lacks "quad-32x24.png"
case_end

finish
