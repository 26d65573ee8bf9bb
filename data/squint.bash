# bash completion for squint(1).                        -*- shell-script -*-
# Options; profiles from the config file; model names from the cache that
# `squint --list-models` (or --doctor) writes; session and image files.

# Print the config file squint would read: --config from the line, else
# $XDG_CONFIG_HOME/squint/config, else ~/.config/squint/config.
_squint_config_file()
{
    local i
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        case ${COMP_WORDS[i]} in
            --config) printf '%s\n' "${COMP_WORDS[i + 1]}"; return ;;
            --config=*) printf '%s\n' "${COMP_WORDS[i]#--config=}"; return ;;
        esac
    done
    if [[ $XDG_CONFIG_HOME == /* ]]; then
        printf '%s\n' "$XDG_CONFIG_HOME/squint/config"
    else
        printf '%s\n' "$HOME/.config/squint/config"
    fi
}

# Print the profile names of the config file, one a line.
_squint_profiles()
{
    local f
    f=$(_squint_config_file)
    [[ -r $f ]] || return
    sed -n 's/^[[:space:]]*\[[[:space:]]*profile[[:space:]][[:space:]]*\([^]]*[^][:space:]]\)[[:space:]]*\].*/\1/p' "$f"
}

# Print the cached model names, one a line.
_squint_models()
{
    local f
    if [[ $XDG_CACHE_HOME == /* ]]; then
        f=$XDG_CACHE_HOME/squint/models
    else
        f=$HOME/.cache/squint/models
    fi
    [[ -r $f ]] && cat -- "$f"
}

# Set COMPREPLY to the files matching a glob (any case) and directories.
_squint_files()
{
    local IFS=$'\n' glob=$1 had_extglob=1
    local -a files dirs
    shopt -q extglob || had_extglob=0
    if [[ -n $glob ]]; then
        shopt -s extglob
        files=($(compgen -f -X "!$glob" -- "$cur"))
        ((had_extglob)) || shopt -u extglob
    else
        files=($(compgen -f -- "$cur"))
    fi
    dirs=($(compgen -d -- "$cur"))
    COMPREPLY=("${files[@]}" "${dirs[@]}")
    # Directories get a slash and no space, so completion goes on inside.
    compopt -o filenames 2>/dev/null
    if [[ ${#COMPREPLY[@]} -eq 1 && -d ${COMPREPLY[0]} ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}

_squint()
{
    local cur prev words cword
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=""
    (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    # --opt=value: complete the value.  Bash splits words at '=' (it is in
    # COMP_WORDBREAKS), so "--model=g" arrives as "--model" "=" "g".
    if [[ $prev == = ]] && (( COMP_CWORD > 1 )); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    elif [[ $cur == = ]]; then
        cur=""
    elif [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
    fi

    local IFS=$'\n'
    case $prev in
        -P | --profile)
            COMPREPLY=($(compgen -W "$(_squint_profiles)" -- "$cur"))
            return 0 ;;
        -m | --model)
            COMPREPLY=($(compgen -W "$(_squint_models)" -- "$cur"))
            __ltrim_colon_completions "$cur" 2>/dev/null
            return 0 ;;
        -s | --session | --export)
            _squint_files '@(*.jsonl|*.JSONL)'
            return 0 ;;
        --out)
            _squint_files '@(*.jsonl|*.JSONL)'
            return 0 ;;
        --export-to)
            _squint_files ''
            return 0 ;;
        --config | --cacert)
            _squint_files ''
            return 0 ;;
        --tools | --response-format)
            _squint_files '@(*.json|*.JSON)'
            return 0 ;;
        --format)
            COMPREPLY=($(compgen -W $'messages\nmarkdown\njson' -- "$cur"))
            return 0 ;;
        --detail)
            COMPREPLY=($(compgen -W $'low\nhigh\nauto' -- "$cur"))
            return 0 ;;
        --tool-choice)
            COMPREPLY=($(compgen -W $'none\nauto\nrequired' -- "$cur"))
            return 0 ;;
        --max-edge)
            COMPREPLY=($(compgen -W 'auto' -- "$cur"))
            return 0 ;;
        -p | --prompt | --base-url | --system | -t | --temperature | --top-p | -n | --n | \
            --stop | --max-tokens | --presence-penalty | --frequency-penalty | --logit-bias | \
            --user | --seed | --retries | --idle-timeout | --connect-timeout | --header | \
            --proxy | --jobs | --group | --max-line-mb | --max-answer-mb)
            return 0 ;;
    esac

    if [[ $cur == -* ]]; then
        local opts='--prompt= --model= --profile= --base-url= --system= --temperature=
--top-p= --n= --stop= --max-tokens= --presence-penalty= --frequency-penalty=
--logit-bias= --user= --seed= --json-mode --response-format= --tools= --tool-choice=
--logprobs --detail= --no-stream --json --retries= --idle-timeout= --connect-timeout=
--cacert= --insecure --header= --proxy= --max-edge= --original --fetch-urls --preview --session=
--export= --format= --export-to= --continue --no-save --list --each --group= --jobs=
--unordered --out= --max-line-mb= --max-answer-mb= --doctor --list-models --config=
--verbose --help --version
-p -m -P -t -n -s -c -v -h -V'
        IFS=$' \n'
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        # An option that takes a value: no space after its '='.
        [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
        return 0
    fi

    _squint_files '@(*.png|*.PNG|*.jpg|*.JPG|*.jpeg|*.JPEG|*.gif|*.GIF|*.webp|*.WEBP)'
}

complete -F _squint squint
