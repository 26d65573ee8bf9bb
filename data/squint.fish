# fish completion for squint(1): options; profiles from the config file;
# model names from the cache that `squint --list-models` (or --doctor)
# writes; session and image files.

function __squint_config_file
    set -l tokens (commandline -opc)
    for i in (seq 2 (count $tokens))
        switch $tokens[$i]
            case --config
                set -l j (math $i + 1)
                if test $j -le (count $tokens)
                    echo $tokens[$j]
                    return
                end
            case '--config=*'
                string replace -- --config= '' $tokens[$i]
                return
        end
    end
    if string match -q '/*' -- "$XDG_CONFIG_HOME"
        echo $XDG_CONFIG_HOME/squint/config
    else
        echo $HOME/.config/squint/config
    end
end

function __squint_profiles
    set -l f (__squint_config_file)
    test -r "$f"; or return
    string replace -rf '^\s*\[\s*profile\s+([^\]]*[^\]\s])\s*\].*' '$1' <$f
end

function __squint_models
    set -l f $HOME/.cache/squint/models
    if string match -q '/*' -- "$XDG_CACHE_HOME"
        set f $XDG_CACHE_HOME/squint/models
    end
    test -r "$f"; and cat $f
end

# Print the files whose extension matches the regex exts, and directories.
function __squint_files -a exts
    set -l tok (commandline -ct)
    string replace -r -- '^--[a-z-]+=' '' $tok | read -l cur
    for f in $cur*
        if test -d $f
            echo $f/
        else if string match -qri -- "\.($exts)\$" $f
            echo $f
        end
    end
end

complete -c squint -f
complete -c squint -s p -l prompt -r -d 'Ask once (one-shot mode)'
complete -c squint -s m -l model -x -a '(__squint_models)' -d 'Model to use'
complete -c squint -s P -l profile -x -a '(__squint_profiles)' -d 'Profile of the config file'
complete -c squint -s s -l session -x -a '(__squint_files jsonl)' -d 'Session file'
complete -c squint -l export -x -a '(__squint_files jsonl)' -d 'Print a session file and exit'
complete -c squint -l format -x -a 'messages markdown json' -d 'Format for --export'
complete -c squint -l export-to -r -F -d 'Write the export to OUT'
complete -c squint -s c -l continue -d 'Continue the most recent saved conversation'
complete -c squint -l no-save -d 'Do not save this conversation'
complete -c squint -l list -d 'List the saved conversations'
complete -c squint -l each -d 'Ask the question of each image separately'
complete -c squint -l group -x -d 'Images per request with --each'
complete -c squint -l jobs -x -d 'Requests in flight with --each'
complete -c squint -l unordered -d 'Print batch answers as they finish'
complete -c squint -l out -x -a '(__squint_files jsonl)' -d 'Batch records file'
complete -c squint -l max-line-mb -x -d 'Largest stream line in MiB'
complete -c squint -l max-answer-mb -x -d 'Largest answer in MiB'
complete -c squint -l base-url -x -d 'API base URL'
complete -c squint -l config -r -F -d 'Config file'
complete -c squint -l header -x -d 'Extra HTTP header'
complete -c squint -l retries -x -d 'Retries of failed requests'
complete -c squint -l idle-timeout -x -d 'Seconds without data'
complete -c squint -l connect-timeout -x -d 'Seconds to connect'
complete -c squint -l cacert -r -F -d 'CA certificates file'
complete -c squint -l insecure -d 'Do not verify the TLS certificate'
complete -c squint -l proxy -x -d 'Proxy URL'
complete -c squint -l system -x -d 'System prompt'
complete -c squint -s t -l temperature -x -d 'Sampling temperature, 0 to 2'
complete -c squint -l top-p -x -d 'Nucleus sampling, 0 to 1'
complete -c squint -s n -l n -x -d 'Number of answers'
complete -c squint -l stop -x -d 'Stop sequence'
complete -c squint -l max-tokens -x -d "Limit the answer's length"
complete -c squint -l presence-penalty -x -d '-2 to 2'
complete -c squint -l frequency-penalty -x -d '-2 to 2'
complete -c squint -l logit-bias -x -d 'Token bias ID=BIAS'
complete -c squint -l user -x -d 'End-user identifier'
complete -c squint -l seed -x -d 'Deterministic sampling'
complete -c squint -l json-mode -d 'Ask for a JSON object answer'
complete -c squint -l response-format -x -a '(__squint_files json)' -d 'JSON schema file'
complete -c squint -l tools -x -a '(__squint_files json)' -d 'Tools (functions) file'
complete -c squint -l tool-choice -x -a 'none auto required' -d 'Tool choice'
complete -c squint -l logprobs -d 'Return log probabilities'
complete -c squint -l detail -x -a 'low high auto' -d 'Image detail'
complete -c squint -l max-edge -x -a auto -d 'Fit images to N pixels'
complete -c squint -l original -d 'Send image files as they are'
complete -c squint -l fetch-urls -d 'Download image URLs and send them like files'
complete -c squint -l preview -d 'Show each image in the terminal first'
complete -c squint -l no-stream -d 'Ask for the whole answer at once'
complete -c squint -l json -d 'Print the final response as JSON'
complete -c squint -l doctor -d 'Check terminal, configuration and endpoint'
complete -c squint -l list-models -d 'Print the models the server offers'
complete -c squint -s v -l verbose -d 'Report usage and timings on stderr'
complete -c squint -s h -l help -d 'Show the help and exit'
complete -c squint -s V -l version -d 'Show the versions and exit'
# Image files as arguments.
complete -c squint -n 'not string match -q -- "-*" (commandline -ct)' \
    -a '(__squint_files "png|jpe?g|gif|webp")'
