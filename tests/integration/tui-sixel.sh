#!/bin/sh
# Sixel thumbnails seen in a real sixel terminal: squint runs in xterm
# (VT340, under Xvfb) through tests/xterm-shot, and the screenshot's
# pixels are checked where the image must be: whole after sending it, cut at
# a cell row when it has scrolled half out of view (no smear of the old
# picture), whole again after PgUp, cut again after PgDn.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"

TERM_SHOT=${SQUINT_TERM_SHOT:-$top_srcdir/tests/xterm-shot}
tui_need "the sixel test needs xvfb, xterm, xdotool, x11-utils and imagemagick (./setup test installs them)" \
	Xvfb xterm xdotool xwininfo import
start_server

# A 320x240 PNG in four quadrants: red, green / blue, white.
tui_quad_png "$T/quad.png"

# The screenshot check: where each quadrant's colour is, read with zlib.
cat >"$T/check.py" <<'PYEOF'
import struct, sys, zlib
def read_png(path):
    d = open(path, "rb").read()
    assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    i, idat = 8, b""
    while i < len(d):
        n, t = struct.unpack(">I4s", d[i:i + 8])
        body = d[i + 8:i + 8 + n]
        if t == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif t == b"IDAT":
            idat += body
        i += 12 + n
    assert depth == 8 and ctype in (2, 6) and not interlace, "unsupported PNG"
    bpp = 3 if ctype == 2 else 4
    raw, stride, out, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append(bytes(line)); prev = line
    return w, h, bpp, out
def bbox(img, rgb):
    """The box of the rows holding a run of at least 100 pixels of rgb (text
    never does): (left, top, right, bottom, rows), or None."""
    w, h, bpp, rows = img
    px = bytes(rgb)
    box = None
    for y in range(h):
        r, best, run, x0 = rows[y], None, 0, 0
        for x in range(w):
            if r[x * bpp:x * bpp + 3] == px:
                if run == 0: x0 = x
                run += 1
                if run >= 100 and (best is None or run > best[1] - best[0] + 1): best = (x0, x)
            else:
                run = 0
        if best:
            if box is None: box = [best[0], y, best[1], y, 0]
            box[0], box[2] = min(box[0], best[0]), max(box[2], best[1])
            box[3] = y; box[4] += 1
    return tuple(box) if box else None
img = read_png(sys.argv[1])
want, cell_h = sys.argv[2], int(sys.argv[3])
R, G, B, W = (bbox(img, c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)))
bad = []
def near(a, b, what, tol=2):
    if abs(a - b) > tol: bad.append("%s: %d, want %d" % (what, a, b))
if not B or not W:
    bad.append("no blue or white pixels: the image is not there")
elif want == "whole":
    if not R or not G: bad.append("no red or green pixels")
    else:
        near(G[1], R[1], "green top vs red top"); near(B[0], R[0], "blue left vs red left")
        near(B[1], R[3] + 1, "blue top vs red bottom"); near(G[0], R[2] + 1, "green left vs red right")
        if R[2] - R[0] < 100 or R[3] - R[1] < 60: bad.append("red quadrant too small: %r" % (R,))
        # Below the message's header, text and image label, indented with them.
        if R[1] < 3 * cell_h - 2: bad.append("the image covers the message's text: top y=%d" % R[1])
        if R[0] < 10: bad.append("the image is not indented with the message: left x=%d" % R[0])
        # Every pixel of the red box is red: nothing drawn over it.
        if R[4] != R[3] - R[1] + 1: bad.append("red rows not contiguous: %r" % (R,))
else:
    if R or G: bad.append("red or green pixels left above a cut image: %r %r" % (R, G))
    if B[1] > 2 + cell_h: bad.append("the cut image does not start at the pane's top: y=%d" % B[1])
    near(W[1], B[1], "white top vs blue top")
    if B[4] != B[3] - B[1] + 1: bad.append("blue rows not contiguous: %r" % (B,))
    if B[3] - B[1] < 2 * cell_h: bad.append("the cut image is too short: %r" % (B,))
print("; ".join(bad) if bad else "ok")
sys.exit(1 if bad else 0)
PYEOF

cat >"$T/run.sh" <<EOF
#!/bin/sh
export OPENAI_BASE_URL='$OPENAI_BASE_URL' OPENAI_API_KEY='$OPENAI_API_KEY' SQUINT_MODEL=test-model
export HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME'
exec '$SQUINT' '$T/quad.png' 2>'$T/tui.err'
EOF
chmod +x "$T/run.sh"

# shot NAME KEYS...: run squint in xterm 80x24, type the keys, save NAME.png.
shot() {
	name=$1
	shift
	printf '%s\n' "sleep:1" "$@" "sleep:1.5" >"$T/$name.keys"
	"$TERM_SHOT" --cols 80 --rows 24 --keys-file "$T/$name.keys" --wait 2 \
		--out "$T/$name.png" -- "$T/run.sh" 2>"$T/$name.log" ||
		fail "term-shot failed: $(tail -n 3 "$T/$name.log")"
	[ -s "$T/tui.err" ] && fail "squint wrote to stderr: $(head -n 3 "$T/tui.err")"
	return 0
}

# check NAME whole|cut: check NAME.png's pixels.
check() {
	cell_h=$(sed -n 's/.*cells of about [0-9]*x\([0-9]*\) px.*/\1/p' "$T/$1.log" 2>/dev/null)
	r=$("$PY" "$T/check.py" "$T/$1.png" "$2" "${cell_h:-19}" 2>&1) || fail "$1.png: $r"
}

SEND="type:look
Return
sleep:1"
MORE="type:question two
Return
sleep:1
type:question three
Return
sleep:1"

case_begin "sixel: the thumbnail under the message shows the image's colours in place"
shot whole "$SEND"
check whole whole
case_end

case_begin "sixel: scrolled half out of view, the image is cut at a cell row, not smeared"
shot cut "$SEND" "$MORE"
check cut cut
case_end

case_begin "sixel: PgUp brings it back whole, PgDn cuts it again"
shot up "$SEND" "$MORE" "Prior" "sleep:1"
check up whole
shot down "$SEND" "$MORE" "Prior" "sleep:1" "Next" "sleep:1"
check down cut
case_end

# A resumed session's images are decoded after the first paint, on the
# worker: the sixel comes in place of "preparing…", whole and in place.
cat >"$T/run.sh" <<EOF
#!/bin/sh
export OPENAI_BASE_URL='$OPENAI_BASE_URL' OPENAI_API_KEY='$OPENAI_API_KEY' SQUINT_MODEL=test-model
export HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME'
exec '$SQUINT' -s '$T/resume.jsonl' \$SQUINT_ARGS 2>'$T/tui.err'
EOF

case_begin "sixel: a resumed session's thumbnail comes whole, in place"
SQUINT_ARGS="$T/quad.png"
export SQUINT_ARGS
shot saved "$SEND"
check saved whole
SQUINT_ARGS=""
shot resumed "sleep:1"
check resumed whole
case_end

[ -n "${SQUINT_KEEP_SHOTS:-}" ] && cp "$T"/*.png "$SQUINT_KEEP_SHOTS"/ 2>/dev/null
finish
