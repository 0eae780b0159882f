#!/usr/bin/env bats
# --max-pixels (a common option): in every program an image above the limit is
# one error record (or, in training, one skipped record) naming the program,
# the record and the cause; the other records are still processed.
load helpers

setup() {
  cd "$BATS_TEST_TMPDIR"
  # 360x800 = 288000 pixels (under the limit below), 720x1600 = 1152000 (over it).
  dtap-synth -q -n 1 --seed 5 --size 360x800 -o small > small.jsonl
  dtap-synth -q -n 1 --seed 6 --size 720x1600 -o big > big.jsonl
  cat small.jsonl big.jsonl | jq -c '.id = (.image | sub("/.*"; ""))' > both.jsonl
}

LIMIT=500000

# Two records out, the small one fine, the big one an error naming tool and cause.
assert_big_refused() {
  local tool=$1
  assert_failure 1
  printf '%s\n' "$output" | grep -v '"summary"' > out.jsonl
  [ "$(wc -l < out.jsonl)" -eq 2 ]
  jq -e -s '.[0].error == null' out.jsonl
  jq -e -s --arg t "$tool" '.[1].id == "big" and (.[1].error | startswith($t + ": ") and contains("--max-pixels"))' out.jsonl
  [[ "$stderr" == *"$tool: "*"big"*"max-pixels"* ]]
}

@test "dtap-synth: a screen above --max-pixels is an error record" {
  run --separate-stderr dtap-synth -n 2 --size 720x1600 --max-pixels $LIMIT -o s
  assert_failure 1
  [ "$(printf '%s\n' "$output" | jq -s 'map(select(.error | tostring | contains("max-pixels"))) | length')" -eq 2 ]
  [ -z "$(ls s)" ]
}

@test "dtap-annotate: an image above --max-pixels is an error record" {
  run --separate-stderr dtap-annotate --max-pixels $LIMIT < both.jsonl
  assert_big_refused dtap-annotate
}

@test "dtap-attend: an image above --max-pixels is an error record" {
  run --separate-stderr dtap-attend --method box -o att --max-pixels $LIMIT < both.jsonl
  assert_big_refused dtap-attend
  [ "$(ls att | wc -l)" -eq 1 ]
}

@test "dtap-protect: an image above --max-pixels is an error record" {
  run --separate-stderr dtap-protect --method mask -o out --max-pixels $LIMIT < both.jsonl
  assert_big_refused dtap-protect
  [ "$(ls out | wc -l)" -eq 1 ]
}

@test "dtap-eval: an image above --max-pixels is an error record" {
  run --separate-stderr dtap-eval --max-pixels $LIMIT < both.jsonl
  assert_big_refused dtap-eval
  printf '%s\n' "$output" | tail -n 1 | jq -e '.summary.records == 1 and .summary.errors == 1'
}

@test "dtap-train: a record above --max-pixels is named and left out of training" {
  run --separate-stderr dtap-train reader --arch conv --data both.jsonl -o r.pt --epochs 1 --max-lines 40 \
    --threads 1 --max-pixels $LIMIT
  assert_success
  [[ "$stderr" == *"big"*"skipped"*"max-pixels"* ]]
  run --separate-stderr dtap-train generator --data both.jsonl -o g.pt --steps 1 --channels 4 8 --batch 2 \
    --crop-width 128 --crop-height 64 --eot-samples 1 --threads 1 --max-pixels $LIMIT
  assert_success
  [[ "$stderr" == *"big"*"skipped"*"max-pixels"* ]]
}
