#!/usr/bin/env bats
load helpers

setup() { cd "$BATS_TEST_TMPDIR"; }

@test "synth writes one valid record per screen on stdout and the PNGs" {
  run --separate-stderr dtap-synth -n 6 --seed 1 -o shots
  assert_success
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 6 ]
  printf '%s\n' "$output" > shots.jsonl
  assert_jsonl shots.jsonl
  [ "$(ls shots/*.png | wc -l)" -eq 6 ]
  [ -z "$(ls -A shots | grep -v '\.png$')" ]   # no temporary files left
  jq -e -s 'all(.error == null and (.image | startswith("shots/")) and .synth.seed == 1)' shots.jsonl
  # logs never reach stdout
  [[ "$output" != *"dtap-synth:"* ]]
}

@test "records carry pii, tasks, words and privacy_qa; boxes are tight around the glyphs" {
  dtap-synth -n 30 --seed 11 --size mixed --theme mixed -o s > s.jsonl
  run "$DTAP_BUILD/bin/check-synth" < s.jsonl
  assert_success
  assert_output --partial "30 records"
  assert_output --partial " 0 problems"
  # every template, both themes, the three sizes and at least 8 PII labels appear
  [ "$(jq -r .app s.jsonl | sort -u | wc -l)" -ge 10 ]
  [ "$(jq -r .theme s.jsonl | sort -u | wc -l)" -eq 2 ]
  [ "$(jq -r '"\(.width)x\(.height)"' s.jsonl | sort -u | wc -l)" -eq 3 ]
  [ "$(jq -r '.pii[].label' s.jsonl | sort -u | wc -l)" -ge 8 ]
  jq -e -s 'all(.privacy_qa[0].answers | length > 0)' s.jsonl
  jq -e -s 'all(.tasks | all(.question | test("what should you tap")))' s.jsonl
}

@test "the tightness check fails on a loosened box (the check can fail)" {
  dtap-synth -n 1 --seed 2 -o s > s.jsonl
  jq -c '.words[0].bbox |= [.[0]-3, .[1]-3, .[2]+6, .[3]+6]' s.jsonl > loose.jsonl
  run "$DTAP_BUILD/bin/check-synth" < loose.jsonl
  assert_failure
  assert_output --partial "slack"
}

@test "same seed gives byte-identical PNGs and records, whatever the thread count" {
  dtap-synth -n 8 --seed 5 --size mixed -o a --threads 1 > a.jsonl
  dtap-synth -n 8 --seed 5 --size mixed -o b --threads 2 > b.jsonl
  for f in a/*.png; do cmp "$f" "b/$(basename "$f")"; done
  diff <(sed 's#"a/#"X/#g' a.jsonl) <(sed 's#"b/#"X/#g' b.jsonl)
  dtap-synth -n 8 --seed 6 --size mixed -o c > c.jsonl
  ! cmp -s a/$(ls a | head -1) c/$(ls a | head -1)
}

@test "--fonts wide draws screens in many families with tight boxes; core keeps the three" {
  dtap-synth -n 16 --seed 4 --size mixed --fonts wide -o w > w.jsonl
  run "$DTAP_BUILD/bin/check-synth" < w.jsonl
  assert_success
  assert_output --partial " 0 problems"
  # beyond the three core families: serif, monospace and other sans designs
  [ "$(jq -r .font w.jsonl | sort -u | wc -l)" -ge 8 ]
  [ "$(jq -r .font w.jsonl | grep -v -x -E 'Roboto|Noto Sans|DejaVu Sans' | wc -l)" -ge 8 ]
  dtap-synth -n 16 --seed 4 --size mixed -o c > c.jsonl
  [ -z "$(jq -r .font c.jsonl | grep -v -x -E 'Roboto|Noto Sans|DejaVu Sans')" ]
}

@test "seed from DTAP_SEED and from a TOML --config file equal --seed" {
  dtap-synth -n 2 --seed 9 -o a > a.jsonl
  DTAP_SEED=9 dtap-synth -n 2 -o b > b.jsonl
  printf 'seed = 9\ncount = 2\n' > opts.toml
  dtap-synth --config opts.toml -o c > c.jsonl
  for d in b c; do for f in a/*.png; do cmp "$f" "$d/$(basename "$f")"; done; done
}

@test "--format privscreen writes the PrivScreen folder layout" {
  run --separate-stderr dtap-synth -n 12 --seed 4 --format privscreen -o ps
  assert_success
  assert_dir_exists ps/chat/images
  assert_file_exists ps/chat/privacy_qa.json
  assert_file_exists ps/chat/normal_qa.json
  for app in ps/*/; do
    n_images=$(ls "$app/images" | wc -l)
    [ "$(jq 'keys | length' "$app/privacy_qa.json")" -eq "$n_images" ]
    for key in $(jq -r 'keys[]' "$app/normal_qa.json"); do assert_file_exists "$app/images/$key"; done
    jq -e 'to_entries | all(.value | all(has("question") and (.answers | length == 1)))' "$app/normal_qa.json"
    jq -e 'to_entries | all(.value[0].answers | length > 0)' "$app/privacy_qa.json"
  done
}

@test "--format privscreen lists a settings screen's secrets under other, intact" {
  # PrivScreen has no secret field. (Moving them used to read freed memory: garbage or nothing.)
  dtap-synth -q -n 3 --seed 8 --size 720x1600 --template contacts --template settings -o flat > flat.jsonl
  dtap-synth -q -n 3 --seed 8 --size 720x1600 --template contacts --template settings --format privscreen -o ps > /dev/null
  for _ in 1 2 3; do  # the same every time
    want=$(jq -c -s '[.[] | select(.app == "settings") | .privacy_qa[0].answers.secret] | add' flat.jsonl)
    [ "$want" != null ] && [ "$want" != "[]" ]
    [ "$(jq -c '[.[][0].answers.other] | add' ps/settings/privacy_qa.json)" = "$want" ]
    jq -e 'all(.[][0].answers; has("secret") | not)' ps/settings/privacy_qa.json
    dtap-synth -q -n 3 --seed 8 --size 720x1600 --template contacts --template settings --format privscreen -o ps --force > /dev/null
  done
}

@test "an existing output is not overwritten without --force" {
  dtap-synth -n 2 --seed 1 -o s > /dev/null
  before=$(sha256sum s/*.png)
  run --separate-stderr dtap-synth -n 2 --seed 2 -o s
  assert_failure 1
  [ "$(printf '%s\n' "$output" | jq -r .error | grep -c 'refusing to overwrite')" -eq 2 ]
  [ "$before" = "$(sha256sum s/*.png)" ]
  run --separate-stderr dtap-synth -n 2 --seed 2 -o s --force
  assert_success
  [ "$before" != "$(sha256sum s/*.png)" ]
}

@test "bad arguments exit 2 with one line naming the tool" {
  for args in "-n abc -o x" "-n 2" "--size 10x10 -o x" "--theme blue -o x" "--template nope -o x" "--bogus -o x" \
              "--threads -1 -o x" "--fonts all -o x"; do
    run --separate-stderr dtap-synth $args
    assert_failure 2
    assert_equal "$output" ""
    assert_one_line_error dtap-synth
  done
}

@test "--help shows an example; --version names the program" {
  run --separate-stderr dtap-synth --help
  assert_success
  assert_output --partial "Example:"
  assert_output --partial "dtap-synth -n 200 --seed 1 -o shots/"
  run --separate-stderr dtap-synth --version
  assert_success
  assert_output --regexp "^dtap-synth [0-9]+\.[0-9]+\.[0-9]+"
}

@test "the man page is installed and renders" {
  assert_file_exists "$DTAP_STAGE/share/man/man1/dtap-synth.1"
  run man -l "$DTAP_STAGE/share/man/man1/dtap-synth.1"
  assert_success
  assert_output --partial "privscreen"
}
