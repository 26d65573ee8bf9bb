#!/bin/sh
# squint --version: squint's version and each library's, one per line.
. "$top_srcdir/tests/lib.sh"
: >"$T/server.log"

case_begin "--version names squint's version and exits 0"
run_squint --version
expect_rc 0
ver=$(sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile")
[ "$(head -n1 "$T/out")" = "squint $ver" ] || fail "first line is not: squint $ver"
expect_err_lines 0
case_end

case_begin "-V lists every library with a version number"
run_squint -V
expect_rc 0
for lib in libcurl json-c ncursesw md4c libpng zlib libjpeg-turbo libwebp giflib libsixel chafa \
	inih libunistring; do
	grep -Eq "^$lib [0-9][0-9.]*( |\$)" "$T/out" || fail "no version line for $lib"
done
grep -q "unknown" "$T/out" && fail "a version is unknown"
case_end

case_begin "the libcurl line names its TLS library"
run_squint --version
grep -Eq '^libcurl [0-9.]+ \(TLS: [A-Za-z]+' "$T/out" || fail "no TLS backend on the libcurl line"
case_end

case_begin "the versions are those of the libraries installed (pkg-config)"
run_squint --version
if command -v pkg-config >/dev/null 2>&1; then
	for pair in libpng:libpng zlib:zlib libwebp:libwebp json-c:json-c md4c:md4c chafa:chafa \
		libsixel:libsixel; do
		name=${pair%%:*} mod=${pair#*:}
		want=$(pkg-config --modversion "$mod" 2>/dev/null) || continue
		grep -qx "$name $want" "$T/out" || fail "$name: expected $want"
	done
fi
case_end

finish
