#!/bin/sh
# Shell completions (data/squint.bash, data/_squint, data/squint.fish):
# options, profiles from the config file, model names from the cache that
# squint --list-models writes, session files, image files.  bash always;
# zsh and fish when installed (./setup installs them).
. "$top_srcdir/tests/lib.sh"
start_server
export XDG_CACHE_HOME="$T/cache"
DATA="$top_srcdir/data"
W="$T/work"
mkdir -p "$W/sub" "$XDG_CONFIG_HOME/squint"
: >"$W/cat.png"; : >"$W/dog.JPG"; : >"$W/notes.txt"; : >"$W/chat.jsonl"; : >"$W/old.jsonl"
: >"$W/tools.json"
printf '[defaults]\nmodel = x\n[profile work]\n[ profile  local ]\n[profile router] ; OpenRouter\n' \
	>"$XDG_CONFIG_HOME/squint/config"
printf '[profile other]\n' >"$T/other.conf"
cd "$W" || exit 1

# The options squint knows, from options.c.
opts=$(sed -n 's/^[[:space:]]*{"\([a-z-]*\)", [a-z_]*_argument.*/\1/p' "$top_srcdir/src/options.c")

case_begin "squint --list-models fills the model cache the completions read"
run_squint --list-models
expect_rc 0
[ -s "$XDG_CACHE_HOME/squint/models" ] || fail "no $XDG_CACHE_HOME/squint/models"
case_end

# ---- bash ------------------------------------------------------------------
# bcomp WORD...: what _squint offers for the last word, sorted, in $T/out.
bcomp() {
	bash --norc --noprofile -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_squint
		printf "%s\n" "${COMPREPLY[@]}"' bcomp "$DATA/squint.bash" "$@" 2>"$T/err" |
		LC_ALL=C sort >"$T/out"
}

case_begin "bash: every long option is offered"
bcomp squint --
for o in $opts; do
	grep -Eq -- "^--$o=?\$" "$T/out" || fail "--$o not offered"
done
case_end

case_begin "bash: a prefix completes the options that start with it"
bcomp squint --pro
expect_out_equals "--profile=
--prompt=
--proxy="
case_end

case_begin "bash: -P offers the config file's profiles"
bcomp squint -P ''
expect_out_equals "local
router
work"
bcomp squint --profile = w
expect_out_equals "work"
case_end

case_begin "bash: --config FILE changes where the profiles come from"
bcomp squint --config "$T/other.conf" -P ''
expect_out_equals "other"
case_end

case_begin "bash: -m offers the cached model names"
bcomp squint -m test-
expect_out_equals "test-model
test-vision"
bcomp squint --model = gpt
expect_out_equals "gpt-4o
gpt-4o-mini"
case_end

case_begin "bash: -s offers session files (.jsonl) and directories"
bcomp squint -s ''
expect_out_equals "chat.jsonl
old.jsonl
sub"
case_end

case_begin "bash: arguments complete to image files and directories"
bcomp squint -p hi ''
expect_out_equals "cat.png
dog.JPG
sub"
case_end

case_begin "bash: fixed values (--detail, --format)"
bcomp squint --detail ''
expect_out_equals "auto
high
low"
bcomp squint --export chat.jsonl --format m
expect_out_equals "markdown
messages"
case_end

# ---- zsh -------------------------------------------------------------------
if command -v zsh >/dev/null 2>&1; then
	# zcomp LINE: the listing zsh shows for LINE + Ctrl-D, escapes removed.
	cat >"$T/zcomp.zsh" <<'ZEOF'
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='%% '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; zstyle ':completion:*' list-grouped no; LISTMAX=10000; unsetopt beep; print -r -- READY-\$((6*7))"
out=''
# A busy machine can take seconds over compinit: wait up to 30 s.
for i in {1..600}; do
	zpty -r -t z chunk && out+=$chunk
	[[ $out == *READY-42* ]] && break
	sleep 0.05
done
# zle handles keys in order: the listing is out before the marker is.
zpty -w -n z "$2"$'\C-d'
zpty -w z $'\C-u'"print -r -- DONE-\$((6*7))"
out=''
for i in {1..600}; do
	zpty -r -t z chunk && out+=$chunk
	[[ $out == *DONE-42* ]] && break
	sleep 0.05
done
print -r -- "${out%%DONE-42*}"
zpty -d z
ZEOF
	zcomp() {
		TERM=xterm zsh -f "$T/zcomp.zsh" "$DATA" "$1" 2>"$T/err" |
			sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\r//g' >"$T/out"
	}

	case_begin "zsh: every long option is offered"
	zcomp "squint --"
	for o in $opts; do
		grep -q -- "--$o\\b" "$T/out" || fail "--$o not offered"
	done
	case_end

	case_begin "zsh: -P offers the config file's profiles"
	zcomp "squint -P "
	for p in work local router; do expect_out_contains "$p"; done
	expect_out_lacks "defaults"
	case_end

	case_begin "zsh: -m offers the cached model names"
	zcomp "squint -m test-"
	expect_out_contains "test-model"
	expect_out_contains "test-vision"
	expect_out_lacks "gpt-4o"
	case_end

	case_begin "zsh: -s offers session files; arguments offer images"
	zcomp "squint -s "
	expect_out_contains "chat.jsonl"
	expect_out_lacks "cat.png"
	zcomp "squint -p hi "
	expect_out_contains "cat.png"
	expect_out_contains "dog.JPG"
	expect_out_lacks "notes.txt"
	case_end
else
	n_cases=$((n_cases + 1))
	echo "ok $n_cases - # SKIP zsh not installed (apt-get install zsh)"
fi

# ---- fish ------------------------------------------------------------------
if command -v fish >/dev/null 2>&1; then
	# fcomp LINE: the candidates fish offers (complete -C), without descriptions.
	fcomp() {
		fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$DATA/squint.fish" "$1" \
			2>"$T/err" | cut -f1 | LC_ALL=C sort >"$T/out"
		[ -s "$T/err" ] && fail "fish: $(head -n1 "$T/err")"
	}

	case_begin "fish: every long option is offered"
	fcomp "squint --"
	for o in $opts; do
		grep -qx -- "--$o" "$T/out" || fail "--$o not offered"
	done
	case_end

	case_begin "fish: -P offers the config file's profiles"
	fcomp "squint -P "
	expect_out_equals "local
router
work"
	case_end

	case_begin "fish: -m offers the cached model names"
	fcomp "squint --model=test-"
	expect_out_equals "--model=test-model
--model=test-vision"
	case_end

	case_begin "fish: -s offers session files; arguments offer images"
	fcomp "squint -s "
	expect_out_equals "chat.jsonl
old.jsonl
sub/"
	fcomp "squint -p hi "
	expect_out_equals "cat.png
dog.JPG
sub/"
	case_end
else
	n_cases=$((n_cases + 1))
	echo "ok $n_cases - # SKIP fish not installed (apt-get install fish)"
fi

cd "$top_builddir" || exit 1
finish
