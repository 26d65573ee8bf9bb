#!/bin/sh
# The interactive mode's answers beyond plain text, driven through tmux:
# several choices as tabs, tool calls and /tool, /copy (OSC 52), /edit,
# /set alone, token tints (F2) and the upload progress.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
start_server

cat >"$T/tools.json" <<'EOF'
[{"type": "function", "function": {"name": "get_weather",
  "description": "The weather for a question",
  "parameters": {"type": "object", "properties": {"question": {"type": "string"}},
                 "required": ["question"]}}}]
EOF

case_begin "-n 3: the choices are tabs; the one shown is the one the conversation goes on with"
tui_start 100 30 -n 3
tui_type "three ways"
tui_keys Enter
expect_screen "[1/3]"
expect_screen '[choice 0] You asked: "three ways"'
expect_no_screen "[choice 1]"
tui_keys M-Right
expect_screen "[2/3]"
expect_screen '[choice 1] You asked: "three ways"'
expect_no_screen "[choice 0]"
tui_keys M-Left
expect_screen "[1/3]"
# Tab on an empty input switches too, and wraps around.
tui_keys Tab Tab
expect_screen "[3/3]"
expect_screen '[choice 2] You asked: "three ways"'
tui_type "and then"
tui_keys Enter
expect_screen 'You asked: "and then"'
expect_body "b['messages'][1]['role'] == 'assistant' and b['messages'][1]['content'].startswith('[choice 2] You asked: \"three ways\"')"
tui_stop
case_end

case_begin "a tool call is a block with the name and pretty arguments; /tool answers it"
tui_start 100 30 --tools "$T/tools.json"
tui_type "weather in Oslo"
tui_keys Enter
expect_screen "get_weather · call_test_0"
expect_screen '"question": "weather in Oslo"'
expect_screen "/tool call_test_0 TEXT"
# Pretty-printed: the braces are on lines of their own.
tui_screen | grep -q '^    {$' || fail "the arguments are not pretty-printed"
tui_type "/tool call_test_0 sunny, 21 C"
tui_keys Enter
expect_screen "tool call_test_0 ·"
expect_screen 'You asked: "weather in Oslo". Images: 0.'
expect_body "b['messages'][-1] == {'role': 'tool', 'tool_call_id': 'call_test_0', 'content': 'sunny, 21 C'}"
expect_body "b['messages'][-2]['tool_calls'][0]['id'] == 'call_test_0' and b['messages'][-2]['tool_calls'][0]['function']['name'] == 'get_weather'"
tui_type "/tool nosuch x"
tui_keys Enter
expect_screen "has no tool call nosuch"
tui_stop
case_end

case_begin "/copy puts the last answer (or its code block N) on the clipboard with OSC 52"
tui_start 100 30
tmux -L "$TUI_SOCK" set -g set-clipboard on
tui_type "copy me"
tui_keys Enter
expect_screen 'You asked: "copy me". Images: 0.'
tui_type "/copy"
tui_keys Enter
expect_screen "copied 32 bytes"
buf=$(tmux -L "$TUI_SOCK" show-buffer 2>&1)
[ "$buf" = 'You asked: "copy me". Images: 0.' ] || fail "tmux's buffer holds: $buf"
tui_paste 'code:
```sh
echo hi
```
'
tui_keys Enter
expect_screen "echo hi"
tui_type "/copy 1"
tui_keys Enter
expect_screen "copied 8 bytes"
buf=$(tmux -L "$TUI_SOCK" show-buffer 2>&1)
[ "$buf" = "echo hi" ] || fail "tmux's buffer holds: $buf"
tui_type "/copy 2"
tui_keys Enter
expect_screen "from 1 to 1"
tui_stop
case_end

case_begin "/edit puts the last question back; sent, it replaces it as a new branch"
tui_start 100 30
tui_type "first turn"
tui_keys Enter
expect_screen 'You asked: "first turn"'
tui_type "edit me"
tui_keys Enter
expect_screen 'You asked: "edit me"'
tui_type "/edit"
tui_keys Enter
expect_screen "> edit me"
tui_type " again"
tui_keys Enter
expect_screen 'You asked: "edit me again"'
expect_screen 'You asked: "first turn"'
expect_no_screen 'You asked: "edit me".'
expect_body "[m['role'] for m in b['messages']] == ['user', 'assistant', 'user'] and b['messages'][2]['content'] == 'edit me again'"
tui_stop
case_end

case_begin "/set alone lists every request parameter; /set PARAM shows one"
tui_start 100 40 --temperature 0.5
tui_type "/set"
tui_keys Enter
expect_screen "Request parameters"
for p in model system temperature top_p stop max_tokens presence_penalty frequency_penalty \
	logit_bias user seed response_format tools tool_choice logprobs top_logprobs detail stream; do
	tui_screen | grep -q "^  $p  *" || fail "/set does not list $p"
done
tui_screen | grep -q "^  temperature  *0.5$" || fail "/set does not show temperature 0.5"
tui_type "/set max_tokens 7"
tui_keys Enter
tui_type "/set max_tokens"
tui_keys Enter
expect_screen "max_tokens = 7"
tui_type "/set stream false"
tui_keys Enter
tui_type "not streamed"
tui_keys Enter
expect_screen 'You asked: "not streamed"'
expect_body "'stream' not in b or b['stream'] is False"
tui_stop
case_end

case_begin "--logprobs: F2 tints the tokens; the selected token's alternatives show"
tui_start 100 30 --logprobs=3
tui_type "tint me now"
tui_keys Enter
expect_screen 'You asked: "tint me now". Images: 0.'
expect_body "b['logprobs'] is True and b['top_logprobs'] == 3"
esc=$(printf '\033')
tui_screen_esc | grep -q "^ *${esc}\[32mYou asked" && fail "tinted before F2"
tui_keys F2
tui_wait_for '"alt1" 33.3%' || fail "no alternatives in the status bar"
expect_screen 'token 7/7 "0." 90.5%'
tui_screen_esc | grep -q "${esc}\[32mYou asked" || fail "no tint after F2"
tui_keys M-Up M-Up
expect_screen 'token 5/7 "now". " 90.5%'
tui_keys F2
expect_screen "tints off"
tui_screen_esc | grep -q "${esc}\[32mYou asked" && fail "still tinted after the second F2"
tui_stop
case_end

case_begin "a large request shows the upload's progress in the status bar"
SQUINT_TEST_UPLOAD_BPS=200000 tui_start 100 30 --original "$DATA/screenshot-3840x2160.png"
expect_screen "[1] screenshot-3840x2160.png"
tui_type "big one"
tui_keys Enter
expect_screen "uploading "
tui_screen | grep -q "uploading [0-9]*% (" || fail "no percentage while uploading"
expect_screen 'You asked: "big one". Images: 1' 10
tui_stop
case_end

finish
