# Helpers for the --each tests (sourced after tests/lib.sh).

# make_pngs DIR N: write DIR/img-01.png ... img-NN.png, N distinct small
# PNGs; image i is (10+i)x10 pixels, so the server's log tells them apart.
make_pngs() {
	"$PY" - "$1" "$2" <<'PYEOF'
import os, struct, sys, zlib
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d, exist_ok=True)
def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
for i in range(1, n + 1):
    w, h = 10 + i, 10
    raw = b"".join(b"\0" + bytes([(i * 37) % 256, 80, 160]) * w for _ in range(h))
    png = (b"\x89PNG\r\n\x1a\n"
           + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    with open(os.path.join(d, "img-%02d.png" % i), "wb") as f:
        f.write(png)
PYEOF
}

# logged: one line per chat request since case_begin, in arrival order:
# "TIME STATUS SIZE..." (the pixel sizes of its images, e.g. 11x10).
logged() {
	new_requests | "$PY" -c '
import importlib.machinery, importlib.util, json, sys
loader = importlib.machinery.SourceFileLoader("srv", sys.argv[1])
spec = importlib.util.spec_from_loader("srv", loader)
srv = importlib.util.module_from_spec(spec)
loader.exec_module(srv)
for line in sys.stdin:
    r = json.loads(line)
    if r["body"] is None:
        continue
    print("%.3f %d %s" % (r["t"], r["status"], " ".join(srv.request_image_sizes(r["body"]))))
' "$SERVER"
}

# logged_sizes: the image sizes of the requests since case_begin, sorted,
# one request a line.
logged_sizes() {
	logged | cut -d' ' -f3- | sort
}

# headings: the section headings of stdout, one a line (without "## ").
headings() {
	sed -n 's/^## //p' "$T/out"
}

# jq_records FILE PYEXPR: print PYEXPR for each record r of FILE, one a line.
jq_records() {
	"$PY" -c '
import json, sys
for line in open(sys.argv[1]):
    if line.strip():
        r = json.loads(line)
        print(eval(sys.argv[2]))
' "$1" "$2"
}
