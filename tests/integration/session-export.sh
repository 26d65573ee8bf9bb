#!/bin/sh
# --export of a session: messages (valid as the API's messages, so a
# session can be replayed), markdown with its images as files, json with
# the whole tree and every record; and files from elsewhere: escapes shown
# visibly, huge records capped, broken JSON reported with its line, a file
# from a newer squint kept whole when appended to, copied and exported.
. "$top_srcdir/tests/lib.sh"
start_server
S="$T/chat.jsonl"

# validate FILE: the messages array in FILE is valid as a request's
# messages against the OpenAI schema.
validate() {
	"$PY" - "$SCHEMA" "$1" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
msgs = json.load(open(sys.argv[2]))
body = {"model": "gpt-4o", "messages": msgs}
v = jsonschema.Draft202012Validator(schema)
errs = sorted(v.iter_errors(body), key=lambda e: e.path)
for e in errs[:3]:
    print("invalid:", list(e.path), e.message[:200])
print("valid" if not errs else "invalid", len(msgs))
PY
}

cat >"$T/tools.json" <<'JSON'
[{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
  "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
JSON

case_begin "--format messages of a resumed session validates against the OpenAI schema"
run_squint -s "$S" -p "what is this" --system "be brief" "$DATA/red-64x48.png"
run_squint -s "$S" -p "and these" -n 2 "$DATA/red-64x48.png" "$DATA/green-20x10.gif"
run_squint -s "$S" -p "weather in Oslo?" --tools "$T/tools.json" --tool-choice get_weather
run_squint -s "$S" -p "last one, with detail" --detail low "$DATA/photo-40x30.jpg"
expect_rc 0
run_squint --export "$S" --format messages
expect_rc 0
cp "$T/out" "$T/msgs.json"
v=$(validate "$T/msgs.json")
[ "$v" = "valid 9" ] || fail "schema: $v"
"$PY" -c "
import json,sys
m=json.load(open(sys.argv[1]))
assert m[0]=={'role':'system','content':'be brief'}, m[0]
assert [x['role'] for x in m]==['system','user','assistant','user','assistant','user','assistant','user','assistant'], [x['role'] for x in m]
assert m[5]['content']=='weather in Oslo?' and m[6]['tool_calls'][0]['function']['name']=='get_weather'
imgs=[p for x in m if isinstance(x['content'],list) for p in x['content'] if p['type']=='image_url']
assert len(imgs)==4 and imgs[0]['image_url']['url'].startswith('data:image/')
" "$T/msgs.json" || fail "messages: $(head -c 600 "$T/msgs.json")"
case_end

case_begin "--format markdown --export-to OUT.md: the images as files in OUT-images/, linked relatively"
mkdir -p "$T/md"
run_squint --export "$S" --format markdown --export-to "$T/md/review.md"
expect_rc 0
[ -s "$T/out" ] && fail "stdout is not empty"
grep -q '^## You' "$T/md/review.md" || fail "no question heading"
grep -qF '![red-64x48.png](review-images/1.webp)' "$T/md/review.md" || fail "no link to image 1: $(grep '!\[' "$T/md/review.md")"
n=$(grep -c '](review-images/' "$T/md/review.md")
[ "$n" = 4 ] || fail "$n image links, expected 4 (one repeated)"
n=$(ls "$T/md/review-images" | wc -l)
[ "$n" = 3 ] || fail "$n image files, expected 3 distinct: $(ls "$T/md/review-images")"
for f in "$T/md/review-images"/*; do
	identify "$f" >/dev/null 2>&1 || fail "$f is not an image"
done
identify -format '%wx%h' "$T/md/review-images/1.webp" | grep -q '^64x48$' || fail "image 1 size"
run_squint --export "$S" --format markdown --export-to "$T/nodir/x.md"
expect_rc 1
expect_err_contains "cannot create $T/nodir/x-images"
expect_err_lines 1
case_end

case_begin "--format json: the whole tree, the current branch, every record"
"$SQUINT" -s "$S" -p "branch me" >/dev/null 2>&1
# A second branch by hand: an edited last question (same parent).
"$PY" - "$S" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
u = [r for r in recs if r["type"] == "user"][-1]
n = max(r.get("id", 0) for r in recs) + 1
open(sys.argv[1], "a").write(json.dumps({"type": "user", "id": n, "parent": u["parent"], "time": 1, "content": [{"type": "text", "text": "edited"}]}) + "\n")
PY
run_squint --export "$S" --format json
expect_rc 0
"$PY" -c "
import json,sys
j=json.load(open(sys.argv[1]))
recs=[json.loads(l) for l in open(sys.argv[2])]
assert j['format']=='squint-session-export' and j['version']==1
assert len(j['records'])==len(recs), (len(j['records']), len(recs))
assert j['records']==recs
ids={n['id']:n for n in j['tree']}
users=[r for r in recs if r['type']=='user']
assert len([c for c in ids[users[-2]['parent']]['children']])==2, ids[users[-2]['parent']]
assert j['branch'][-1]==j['current']==users[-1]['id']
" "$T/out" "$S" || fail "json export: $(head -c 400 "$T/out")"
case_end

case_begin "hostile file: escapes shown visibly in warnings and export to a terminal's place"
H="$T/hostile.jsonl"
printf '{"type":"header","format":"squint-session","version":1,"created":1}\n' >"$H"
printf '{"type":"user","id":1,"parent":0,"content":[{"type":"text","text":"hi \\u001b]0;owned\\u0007 \\u001b[2J"}]}\n' >>"$H"
printf '{"type":"\\u001b[31mred","id":2}\n' >>"$H"
printf '{"type":"user","id":3,"parent":1,"content":[{"type":"te\n' >>"$H"
run_squint --export "$H" --format markdown
expect_rc 0
expect_err_contains "hostile.jsonl:3: unknown record type \"^[[31mred\" kept but not used"
expect_err_contains "hostile.jsonl:4: damaged record skipped (not JSON)"
grep -q "$(printf '\033')" "$T/err" && fail "an escape reached stderr"
# To a terminal (script(1) gives one), the text is shown visibly.
script -qec "'$SQUINT' --export '$H' --format markdown" /dev/null >"$T/tty.out" 2>&1
grep -q "$(printf '\033')" "$T/tty.out" && fail "an escape reached the terminal"
grep -qF 'hi ^[]0;owned^G ^[[2J' "$T/tty.out" || fail "not shown visibly: $(cat -v "$T/tty.out" | head -5)"
case_end

case_begin "hostile file: a huge record is skipped with its size, the rest loads"
printf '{"type":"header","format":"squint-session","version":1,"created":1}\n' >"$H"
printf '{"type":"user","id":1,"parent":0,"content":[{"type":"text","text":"before"}]}\n' >>"$H"
"$PY" -c "
import sys
sys.stdout.write('{\"type\":\"user\",\"id\":2,\"parent\":1,\"content\":[{\"type\":\"text\",\"text\":\"' + 'A' * (81 << 20) + '\"}]}\n')" >>"$H"
printf '{"type":"user","id":3,"parent":1,"content":[{"type":"text","text":"after"}]}\n' >>"$H"
run_squint --export "$H" --format messages
expect_rc 0
expect_err_contains "hostile.jsonl:3: record of 81 MB skipped (larger than 80 MB)"
expect_err_lines 1
expect_out_contains '"after"'
run_squint --list
expect_rc 0
case_end

case_begin "a file from a newer squint: loads, and its records stay when appended to, copied and exported"
N="$T/newer.jsonl"
cat >"$N" <<'JSONL'
{"type":"header","format":"squint-session","version":3,"created":1700000000,"squint":"9.9.9"}
{"type":"user","id":1,"parent":0,"time":1700000000,"content":[{"type":"text","text":"old question"}],"mood":"curious"}
{"type":"hologram","id":2,"parent":1,"beam":[1,2,3]}
{"type":"answer","id":3,"parent":1,"time":1700000001,"model_asked":"m","state":"done","interrupted":false,"chosen":0,"choices":[{"content":"old answer","finish_reason":"stop"}],"sparkle":true}
JSONL
run_squint -s "$N" -p "new question"
expect_rc 0
expect_err_contains "newer.jsonl:1: written by a newer squint (format 3)"
expect_err_contains 'unknown record type "hologram" kept but not used'
expect_body '[m["content"] for m in b["messages"]] == ["old question", "old answer", "new question"]'
grep -qF '{"type":"hologram","id":2,"parent":1,"beam":[1,2,3]}' "$N" || fail "the hologram record is gone"
grep -qF '"mood":"curious"' "$N" || fail "the unknown member is gone"
grep -q '"new question"' "$N" || fail "the new turn was not appended"
run_squint --export "$N" --format json
expect_rc 0
expect_out_contains '"hologram"'
expect_out_contains '"sparkle"'
expect_out_contains '"mood"'
case_end

finish
