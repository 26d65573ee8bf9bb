#!/bin/sh
# The manual pages lint clean and document what exists: every option, every
# configuration key; the example configuration file is one squint accepts.
. "$top_srcdir/tests/lib.sh"
: >"$T/server.log"
MAN="$top_srcdir/man"
PAGES="squint.1 squint.conf.5 squint-session.5"

for page in $PAGES; do
	case_begin "$page: groff -man -ww -z prints no warning"
	groff -man -ww -z "$MAN/$page" >"$T/out" 2>"$T/err" || fail "groff failed"
	[ -s "$T/err" ] && fail "groff warns: $(head -n3 "$T/err")"
	case_end
done

if command -v mandoc >/dev/null 2>&1; then
	for page in $PAGES; do
		case_begin "$page: mandoc -T lint prints nothing"
		mandoc -T lint "$MAN/$page" >"$T/out" 2>&1 || fail "mandoc -T lint: exit status $?"
		[ -s "$T/out" ] && fail "mandoc: $(head -n3 "$T/out")"
		case_end
	done
else
	echo "ok - # SKIP mandoc not installed (apt-get install mandoc)"
fi

# The keys squint knows, from the sources: config.c's table, params.c's
# table, and the three key sources.
keys=$(sed -n '/config_keys\[\] = {/,/};/p' "$top_srcdir/src/core/config.c" |
	grep -o '"[a-z_]*"' | tr -d '"'
	sed -n 's/^[[:space:]]*{"\([a-z_]*\)", params_set_.*/\1/p' "$top_srcdir/src/core/params.c"
	echo api_key api_key_env api_key_cmd)

case_begin "squint.conf.5 documents every configuration key (found $(echo $keys | wc -w))"
[ "$(echo $keys | wc -w)" -ge 30 ] || fail "found only $(echo $keys | wc -w) keys in the sources"
man_text=$(sed 's/\\-/-/g' "$MAN/squint.conf.5")
for k in $keys; do
	printf '%s\n' "$man_text" | grep -Eq "^\.BR? $k( |\$)" || fail "squint.conf.5 lacks key $k"
done
case_end

case_begin "squint.conf.example names every configuration key"
for k in $keys; do
	grep -Eq "^;?$k =" "$top_srcdir/data/squint.conf.example" || fail "the example lacks $k"
done
case_end

case_begin "squint accepts squint.conf.example, and with every key switched on"
cp "$top_srcdir/data/squint.conf.example" "$T/example.conf"
chmod 600 "$T/example.conf"
# The gateway profile's api_key_cmd runs `pass`: a stand-in prints a key.
mkdir -p "$T/bin"
printf '#!/bin/sh\necho sk-from-pass\n' >"$T/bin/pass"
chmod +x "$T/bin/pass"
for p in "" router ollama llamacpp vllm gateway; do
	PATH="$T/bin:$PATH" OPENROUTER_API_KEY=x VLLM_API_KEY=y "$SQUINT" --config "$T/example.conf" ${p:+-P "$p"} \
		--base-url http://127.0.0.1:9/v1 --connect-timeout 1 --retries 0 --list-models \
		</dev/null >"$T/out" 2>"$T/err"
	grep -q "cannot list the models" "$T/err" || fail "profile ${p:-defaults}: $(head -n1 "$T/err")"
done
sed 's/^;\([a-z_]* =\)/\1/' "$T/example.conf" |
	grep -Ev '^(cacert|response_format|tools|api_key_cmd|api_key|proxy) =' >"$T/all.conf"
chmod 600 "$T/all.conf"
OPENAI_API_KEY=z "$SQUINT" --config "$T/all.conf" --base-url http://127.0.0.1:9/v1 --connect-timeout 1 \
	--retries 0 --list-models </dev/null >"$T/out" 2>"$T/err"
grep -q "cannot list the models" "$T/err" || fail "every key on: $(head -n1 "$T/err")"
case_end

case_begin "squint.1 documents every long option"
opts=$(sed -n 's/^[[:space:]]*{"\([a-z-]*\)", [a-z_]*_argument.*/\1/p' "$top_srcdir/src/options.c")
[ "$(echo $opts | wc -w)" -ge 30 ] || fail "found only $(echo $opts | wc -w) options"
man1=$(sed 's/\\-/-/g' "$MAN/squint.1")
for o in $opts; do
	printf '%s\n' "$man1" | grep -q -- "--$o" || fail "squint.1 lacks --$o"
done
case_end

finish
