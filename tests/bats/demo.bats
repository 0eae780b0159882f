#!/usr/bin/env bats
# Smoke check of the shipped weights through the whole pipeline (not the benchmark).
load helpers

@test "annotate | protect (shipped generator) | eval: PLR drops, TSR within 10 points" {
  cd "$BATS_TEST_TMPDIR"
  dtap-synth -q -n 3 --seed 1001 --size 720x1600 -o shots > truth.jsonl
  dtap-annotate -q shots > annotated.jsonl
  dtap-protect -q --method dualtap -o protected < annotated.jsonl > protected.jsonl
  jq -e -s 'all(.protected != null and .protect.method == "dualtap" and .error == null)' protected.jsonl
  dtap-eval -q --truth truth.jsonl --summary clean.json < annotated.jsonl > /dev/null
  dtap-eval -q --truth truth.jsonl --summary prot.json < protected.jsonl > /dev/null
  clean_plr=$(jq .plr clean.json); prot_plr=$(jq .plr prot.json)
  clean_tsr=$(jq .tsr clean.json); prot_tsr=$(jq .tsr prot.json)
  echo "PLR $clean_plr -> $prot_plr, TSR $clean_tsr -> $prot_tsr" >&3
  awk "BEGIN { exit !($prot_plr < $clean_plr) }"
  awk "BEGIN { exit !($prot_tsr >= $clean_tsr - 0.10) }"
}
