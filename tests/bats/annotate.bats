#!/usr/bin/env bats
load helpers

setup() { cd "$BATS_TEST_TMPDIR"; }

# A few small screens with ground truth, shared by the tests of this file.
setup_file() {
  cd "$BATS_FILE_TMPDIR"
  dtap-synth -n 4 --seed 3 --size 720x1600 --theme light --template profile --template settings \
    --template shop --template contacts -o "$BATS_FILE_TMPDIR/shots" -q > truth.jsonl
}

@test "annotate writes words, pii, width and height for image paths; stdout carries records only" {
  run --separate-stderr dtap-annotate -q -j 2 "$BATS_FILE_TMPDIR/shots"
  assert_success
  printf '%s\n' "$output" > out.jsonl
  assert_jsonl out.jsonl
  [ "$(wc -l < out.jsonl)" -eq 4 ]
  jq -e -s 'all(.error == null and .width == 720 and .height == 1600 and (.words | length > 10) and (.pii | length >= 2))' out.jsonl
  jq -e -s 'all(.[].pii[]; (.label | IN("name","email","phone","address","username","ip","card","iban","date_of_birth","id_number","url_token","secret","other")) and (.bbox | length == 4) and (.source | startswith("ocr+")) and (.score > 0))' out.jsonl
  # in input order
  diff <(jq -r .id out.jsonl) <(ls "$BATS_FILE_TMPDIR/shots" | sed 's/\.png$//')
  [[ "$output" != *"dtap-annotate:"* ]]
}

@test "findings agree with the ground truth (score-annotate)" {
  jq -c '{id, image}' "$BATS_FILE_TMPDIR/truth.jsonl" | dtap-annotate -q > found.jsonl
  run "$DTAP_BUILD/bin/score-annotate" "$BATS_FILE_TMPDIR/truth.jsonl" found.jsonl --json
  assert_success
  echo "$output" | jq -e '.overall.recall >= 0.9 and .overall.precision >= 0.9'
  # the scorer can fail: findings moved away from their places match nothing
  jq -c '.pii[].bbox |= [.[0] + 300, .[1] + 300, .[2], .[3]]' found.jsonl > moved.jsonl
  run "$DTAP_BUILD/bin/score-annotate" "$BATS_FILE_TMPDIR/truth.jsonl" moved.jsonl --json
  echo "$output" | jq -e '.overall.recall < 0.2'
}

@test "records on stdin keep their fields; words, pii, width and height are annotate's" {
  jq -c '{id, image, app, custom: {"kept": true}, tasks}' "$BATS_FILE_TMPDIR/truth.jsonl" | head -2 > in.jsonl
  run --separate-stderr dtap-annotate -q < in.jsonl
  assert_success
  printf '%s\n' "$output" > out.jsonl
  jq -e -s 'all(.custom.kept == true and (.app | length > 0) and (.tasks | length >= 2) and (.words | length > 0))' out.jsonl
}

@test "an unreadable image gets an error record naming dtap-annotate and the cause; the rest is processed; exit 1" {
  printf 'not an image' > broken.png
  cp "$BATS_FILE_TMPDIR/shots/"*profile*.png good.png
  run --separate-stderr dtap-annotate -q good.png broken.png missing.png
  assert_failure 1
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 3 ]
  printf '%s\n' "$output" > out.jsonl
  [ "$(jq -r 'select(.id == "good") | .error' out.jsonl)" = "null" ]
  jq -e -s '.[] | select(.id == "good") | .pii | length > 0' out.jsonl
  jq -e -s '.[] | select(.id == "broken") | .error | startswith("dtap-annotate: ") and contains("broken.png")' out.jsonl
  jq -e -s '.[] | select(.id == "missing") | .error | startswith("dtap-annotate: ") and contains("no such file")' out.jsonl
  [[ "$stderr" == *"broken"* ]]
}

@test "a malformed JSON line gets an error record, the rest is processed, exit 1" {
  img=$(ls "$BATS_FILE_TMPDIR/shots/"*.png | head -1)
  printf '{"id": "a", "image": "%s"}\n{oops\n{"id": "c", "image": "%s"}\n' "$img" "$img" > in.jsonl
  run --separate-stderr dtap-annotate -q < in.jsonl
  assert_failure 1
  printf '%s\n' "$output" > out.jsonl
  [ "$(wc -l < out.jsonl)" -eq 3 ]
  jq -e -s '.[1].error | startswith("dtap-annotate: line 2: malformed JSON")' out.jsonl
  jq -e -s '.[0].error == null and .[2].error == null' out.jsonl
}

@test "a record that arrives with an error is passed on untouched" {
  printf '{"id": "x", "image": "x.png", "error": "dtap-synth: boom"}\n' | dtap-annotate -q > out.jsonl
  jq -e '.error == "dtap-synth: boom" and (has("words") | not)' out.jsonl
}

@test "--redact-text replaces PII text by hashes; logs never carry PII values" {
  run --separate-stderr dtap-annotate -v --redact-text "$BATS_FILE_TMPDIR/shots"
  assert_success
  printf '%s\n' "$output" > out.jsonl
  jq -e -s 'all(.[].pii[]; (.text | type == "object") and (.text.sha256 | length == 64))' out.jsonl
  # no true PII value appears in the output's pii or words, nor on stderr
  jq -r '.pii[].text' "$BATS_FILE_TMPDIR/truth.jsonl" | while IFS= read -r value; do
    [[ "$stderr" != *"$value"* ]] || fail "stderr carries a PII value"
    ! jq -r '.pii[].text | tostring' out.jsonl | grep -qF -- "$value" || fail "pii carries $value"
  done
}

@test "--privscreen imports the PrivScreen folder layout with tasks and located answers" {
  dtap-synth -n 3 --seed 8 --size 720x1600 --template contacts --template settings --format privscreen -o ps -q > /dev/null
  # real PrivScreen: keys say .jpg, answers as one "field: value; ..." string
  app=$(ls ps | head -1)
  jq 'with_entries(.key |= sub("\\.png$"; ".jpg"))' "ps/$app/normal_qa.json" > t && mv t "ps/$app/normal_qa.json"
  jq 'with_entries(.key |= sub("\\.png$"; ".jpg") | .value |= [{question: .[0].question,
        answer: (.[0].answers | to_entries | map("\(.key | sub("^email$"; "emailAddress")): \(.value[0])") | join("; "))}])' \
     "ps/$app/privacy_qa.json" > t && mv t "ps/$app/privacy_qa.json"
  run --separate-stderr dtap-annotate -q --privscreen ps
  assert_success
  printf '%s\n' "$output" > out.jsonl
  [ "$(wc -l < out.jsonl)" -eq 3 ]
  jq -e -s 'all(.error == null and (.app | length > 0) and (.tasks | length >= 1) and (.privacy_qa[0].answers | length > 0))' out.jsonl
  jq -e -s 'all(.tasks | all(has("answer") and has("question")))' out.jsonl
  # most task answers and privacy answers are located on the screenshot
  [ "$(jq -s '[.[].tasks[] | select(has("bbox"))] | length' out.jsonl)" -ge 3 ]
  [ "$(jq -s '[.[].privacy_qa[].located[] | select(has("bbox"))] | length' out.jsonl)" -ge 6 ]
  # with --redact-text no true value is left anywhere in the records
  dtap-annotate -q --privscreen ps --redact-text > redacted.jsonl
  jq -e -s 'all(.[].privacy_qa[].located[]; .text | type == "object")' redacted.jsonl
  jq -r '.[][0].answers | .[] | .[]' ps/*/privacy_qa.json | while IFS= read -r value; do
    ! grep -qF -- "$value" redacted.jsonl || fail "a redacted record carries $value"
  done
  # PrivScreen field names (emailAddress...) became dtap labels
  jq -e -s 'all(.[].privacy_qa[0].answers | keys[]; IN("name","email","phone","address","username","ip","card","iban","date_of_birth","id_number","url_token","secret","other"))' out.jsonl
}

@test "bad arguments exit 2 with one line naming the tool" {
  for args in "--psm 99 x.png" "--ocr-scale 9 x.png" "--ocr-scale abc x.png" "--min-conf abc x.png" "--bogus" "--labels nonsense x.png" \
              "--privscreen /nonexistent" "--lang xx_nonexistent x.png"; do
    run --separate-stderr dtap-annotate $args
    assert_failure 2
    assert_equal "$output" ""
    assert_one_line_error dtap-annotate
  done
}

@test "--help shows a pipeline example; --version names the program; the man page renders" {
  run --separate-stderr dtap-annotate --help
  assert_success
  assert_output --partial "Example:"
  assert_output --partial "dtap-annotate shots/ | dtap-attend"
  run --separate-stderr dtap-annotate --version
  assert_success
  assert_output --regexp "^dtap-annotate [0-9]+\.[0-9]+\.[0-9]+"
  run man -l "$DTAP_STAGE/share/man/man1/dtap-annotate.1"
  assert_success
  assert_output --partial "privscreen"
}

@test "--line-classifier: the shipped model runs; a corrupt or missing one is one clear error before any record" {
  dtap-synth -n 1 --seed 3 --size 720x1600 -q -o shots > shots.jsonl
  run --separate-stderr dtap-annotate -q --line-classifier shipped < shots.jsonl
  assert_success
  printf '%s\n' "$output" | jq -e '.error == null and (.pii | length) > 0'
  head -c 100 "$DTAP_STAGE/share/dtap/models/pii-lines.json" > cut.json
  for model in cut.json missing.json; do
    run --separate-stderr dtap-annotate --line-classifier "$model" < shots.jsonl
    assert_failure 1
    assert_one_line_error dtap-annotate
    [[ "$stderr" == *"line classifier"* ]]
    [ -z "$output" ]
  done
}

@test "secrets, fediverse handles and wrapped addresses are found on a rendered screen" {
  dtap-synth -n 6 --seed 5 --template settings --size 720x1600 -q -o shots > truth.jsonl
  jq -e -s 'map(.pii[] | select(.label == "secret")) | length > 0' truth.jsonl
  jq -c '{id, image}' truth.jsonl | dtap-annotate -q > found.jsonl
  run "$DTAP_BUILD/bin/score-annotate" truth.jsonl found.jsonl --json
  assert_success
  printf '%s\n' "$output" | jq -e '.labels.secret.recall >= 0.5 and .overall.precision >= 0.8'
}
