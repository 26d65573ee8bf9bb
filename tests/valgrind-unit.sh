#!/bin/sh
# Every unit test program under valgrind: no invalid access, no use of
# uninitialised memory and no leak (definite, indirect or possible), one
# TAP line per program.  The programs are UNIT_TESTS from the environment
# (Makefile.am can pass $(UNIT_TESTS)), else the UNIT_TESTS list of
# Makefile.am.  A build with sanitizers cannot run under valgrind: its
# programs are skipped.  VALGRIND_JOBS programs run at once (default: the
# number of CPUs, at most 4); VALGRIND_ARGS adds options (e.g.
# --track-origins=yes to see where an uninitialised value came from).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"

if ! command -v valgrind >/dev/null 2>&1; then
	echo "Bail out! valgrind not found (apt-get install valgrind)"
	exit 1
fi

programs=${UNIT_TESTS:-}
if [ -z "$programs" ]; then
	programs=$(awk '
		/^UNIT_TESTS[ \t]*=/ { on = 1; sub(/^UNIT_TESTS[ \t]*=/, "") }
		on {
			for (i = 1; i <= NF; i++)
				if ($i != "\\")
					print $i
			if ($0 !~ /\\$/)
				on = 0
		}' "$top_srcdir/Makefile.am")
fi
if [ -z "$programs" ]; then
	echo "Bail out! no unit tests listed (UNIT_TESTS in $top_srcdir/Makefile.am)"
	exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/squint-valgrind.XXXXXX")
trap 'rm -rf "$T"' EXIT

# Threads that libraries leave running at exit (chafa's glib thread pool)
# still hold their thread-local storage: "possibly lost", but not ours.
cat >"$T/supp" <<'SUPP'
{
   a thread still running at exit: its TLS block
   Memcheck:Leak
   match-leak-kinds: possible
   fun:calloc
   ...
   fun:_dl_allocate_tls
   ...
   fun:pthread_create*
}
SUPP

jobs=${VALGRIND_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$jobs" -le 4 ] 2>/dev/null || jobs=4
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1

# run I PROGRAM: run one program under valgrind; its exit status goes to
# $T/I.rc, its output to $T/I.log, its duration to $T/I.secs.
run() {
	start=$(date +%s)
	rc=0
	# From the build tree, as make check runs the unit tests.
	(cd "$top_builddir" && valgrind -q --error-exitcode=99 --leak-check=full \
		--show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible \
		--suppressions="$T/supp" ${VALGRIND_ARGS:-} "$2") >"$T/$1.log" 2>&1 </dev/null || rc=$?
	echo $(($(date +%s) - start)) >"$T/$1.secs"
	echo "$rc" >"$T/$1.rc.tmp" && mv "$T/$1.rc.tmp" "$T/$1.rc"
}

# done_count: how many runs have finished (their .rc exists).
done_count() {
	ls "$T" | grep -c '\.rc$'
}

i=0
for p in $programs; do
	i=$((i + 1))
	prog="$top_builddir/$p"
	if [ ! -x "$prog" ]; then
		echo missing >"$T/$i.rc"
	elif grep -q __asan_init "$prog" 2>/dev/null; then
		echo asan >"$T/$i.rc"
	else
		# A pool of $jobs: wait until fewer than that are running.
		while [ $((i - 1 - $(done_count))) -ge "$jobs" ]; do
			sleep 0.2
		done
		run "$i" "$prog" &
	fi
done
wait

echo "1..$i"
i=0
failed=0
for p in $programs; do
	i=$((i + 1))
	name=${p#tests/unit/}
	rc=$(cat "$T/$i.rc" 2>/dev/null || echo lost)
	case $rc in
	0) echo "ok $i - $name ($(cat "$T/$i.secs") s)" ;;
	asan) echo "ok $i - $name # SKIP built with AddressSanitizer" ;;
	missing)
		failed=$((failed + 1))
		echo "not ok $i - $name: $top_builddir/$p is not built (make check builds it)"
		;;
	*)
		failed=$((failed + 1))
		if [ "$rc" = 99 ]; then why="valgrind found errors"; else why="exit status $rc"; fi
		echo "not ok $i - $name: $why"
		grep -E '^==[0-9]+==|^not ok' "$T/$i.log" | head -n 60 | sed 's/^/# /'
		;;
	esac
done
[ "$failed" = 0 ]
