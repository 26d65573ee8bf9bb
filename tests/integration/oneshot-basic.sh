#!/bin/sh
# One-shot mode against the test server: what is sent and what is printed.
. "$top_srcdir/tests/lib.sh"
start_server

case_begin "streams the answer to stdout, quoting the question"
run_squint -p "What is in this picture?"
expect_rc 0
expect_out_equals 'You asked: "What is in this picture?". Images: 0.'
expect_body 'b["stream"] is True and b["stream_options"] == {"include_usage": True}'
expect_body 'b["model"] == "test-model" and b["messages"][0]["content"] == "What is in this picture?"'
expect_body 'h.get("authorization") == "Bearer '"$TEST_KEY"'"'
expect_body 'h.get("accept") == "text/event-stream" and h.get("user-agent","").startswith("squint/")'
case_end

case_begin "sends every image as a data URI with its real type and size"
run_squint --original -p "describe" "$DATA/red-64x48.png" "$DATA/photo-40x30.jpg" "$DATA/green-20x10.gif" "$DATA/lossless-30x20.webp" "$DATA/lossy-30x20.webp"
expect_rc 0
expect_out_contains 'Images: 5 (png 64x48, jpeg 40x30, gif 20x10, webp 30x20, webp 30x20).'
expect_body 'b["messages"][0]["content"][1]["image_url"]["url"].startswith("data:image/png;base64,iVBOR")'
expect_body '"detail" not in b["messages"][0]["content"][1]["image_url"]'
case_end

case_begin "--detail goes into each image_url; URLs pass through unchanged"
run_squint -p "x" --original --detail low "$DATA/red-64x48.png" https://example.com/cat.jpg
expect_rc 0
expect_out_contains 'Images: 2 (png 64x48 detail=low, url https://example.com/cat.jpg detail=low).'
case_end

case_begin "a file that is not an image is refused, nothing is sent"
run_squint -p "x" "$DATA/not-an-image.png"
expect_rc 1
expect_err_contains "not-an-image.png: not an image (it looks like a PDF document)"
expect_err_lines 1
expect_requests 0
case_end

case_begin "a missing file is one clear line, nothing is sent"
run_squint -p "x" "$T/nope.png"
expect_rc 1
expect_err_contains "nope.png: No such file or directory"
expect_err_lines 1
expect_requests 0
case_end

printf 'line one of the diff\n+added line\n' >"$T/stdin.txt"
case_begin "text piped on stdin is appended to the prompt"
run_squint_stdin "$T/stdin.txt" -p "review this"
expect_rc 0
expect_body 'b["messages"][0]["content"] == "review this\n\nline one of the diff\n+added line\n"'
case_end

case_begin "--no-stream asks for one JSON answer and prints its content"
run_squint -p "hi there" --no-stream
expect_rc 0
expect_out_equals 'You asked: "hi there". Images: 0.'
expect_body '"stream" not in b and "stream_options" not in b and h.get("accept") == "application/json"'
case_end

case_begin "-n 3 prints each choice under its own header"
run_squint -p "pick" -n 3
expect_rc 0
expect_out_contains '## Choice 1'
expect_out_contains '## Choice 3'
expect_out_contains '[choice 2] You asked: "pick"'
expect_body 'b["n"] == 3'
case_end

case_begin "--json prints one chat.completion object"
run_squint -p "json please" --json -n 2
expect_rc 0
v=$("$PY" -c 'import json,sys; o=json.load(open(sys.argv[1])); print(o["object"], len(o["choices"]), o["choices"][1]["message"]["content"], o["choices"][0]["finish_reason"], o["usage"]["completion_tokens"] > 0)' "$T/out" 2>&1)
[ "$v" = 'chat.completion 2 [choice 1] You asked: "json please". Images: 0. stop True' ] || fail "json: $v"
case_end

case_begin "every request parameter is sent when set, and only then"
run_squint -p "p" -t 0.7 --top-p 0.9 --stop END --stop STOP --max-tokens 50 \
	--presence-penalty -1.5 --frequency-penalty 2 --logit-bias 50256=-100 --user u-1 \
	--seed 42 --json-mode --logprobs=3 --system "be terse"
expect_rc 0
expect_body 'b["temperature"] == 0.7 and b["top_p"] == 0.9 and b["stop"] == ["END", "STOP"]'
expect_body 'b["max_tokens"] == 50 and b["presence_penalty"] == -1.5 and b["frequency_penalty"] == 2'
expect_body 'b["logit_bias"] == {"50256": -100} and b["user"] == "u-1" and b["seed"] == 42'
expect_body 'b["response_format"] == {"type": "json_object"} and b["logprobs"] is True and b["top_logprobs"] == 3'
expect_body 'b["messages"][0] == {"role": "system", "content": "be terse"}'
expect_out_contains '{"answer": "You asked: \"p\". Images: 0."}'
run_squint -p "p"
expect_body 'sorted(b) == ["messages", "model", "stream", "stream_options"]'
case_end

for bad in "-t 2.5" "--top-p 1.1" "--presence-penalty -3" "--frequency-penalty 2.01" "-n 0" \
	"--logit-bias 5=101" "--max-tokens 0" "--detail huge"; do
	case_begin "out-of-range value refused before sending: $bad"
	# shellcheck disable=SC2086
	run_squint -p "x" $bad
	expect_rc 1
	expect_err_lines 1
	expect_requests 0
	case_end
done

case_begin "more than four stop sequences are refused"
run_squint -p x --stop a --stop b --stop c --stop d --stop e
expect_rc 1
expect_err_contains "--stop"
expect_requests 0
case_end

case_begin "tools from a JSON file, tool_choice, and the tool call printed"
cat >"$T/tools.json" <<'JSON'
[{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
  "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
JSON
run_squint -p "weather in Oslo?" --tools "$T/tools.json" --tool-choice get_weather
expect_rc 0
expect_body 'b["tools"][0]["function"]["name"] == "get_weather"'
expect_body 'b["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}'
expect_out_contains '[tool call call_test_0] get_weather({"question": "weather in Oslo?"})'
case_end

case_begin "--response-format FILE sends a json_schema"
printf '{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]}\n' >"$T/answer.schema.json"
run_squint -p "x" --response-format "$T/answer.schema.json"
expect_rc 0
expect_body 'b["response_format"]["type"] == "json_schema" and b["response_format"]["json_schema"]["schema"]["required"] == ["answer"]'
case_end

case_begin "the API key never appears in what squint prints, even with -v"
run_squint -v -p "x" -m "fault:status=401"
expect_err_lacks "$TEST_KEY"
expect_out_lacks "$TEST_KEY"
case_end

finish
