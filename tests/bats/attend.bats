#!/usr/bin/env bats
load helpers

setup_file() {
  cd "$BATS_FILE_TMPDIR"
  dtap-synth -n 3 --seed 21 --size 720x1600 -o s > s.jsonl
}

setup() { cd "$BATS_TEST_TMPDIR"; ln -s "$BATS_FILE_TMPDIR/s" s; cp "$BATS_FILE_TMPDIR/s.jsonl" .; }

@test "writes an 8-bit grey PNG per record and records its path" {
  run --separate-stderr dtap-attend -o att --threads 1 < s.jsonl
  assert_success
  printf '%s\n' "$output" > out.jsonl
  assert_jsonl out.jsonl
  [ "$(wc -l < out.jsonl)" -eq 3 ]
  shipped=$(ls "$DTAP_STAGE"/share/dtap/models/reader-*.pt | wc -l)   # every shipped reader by default
  jq -e -s --argjson n "$shipped" 'all(.error == null and (.attention | startswith("att/")) and .attend.method == "contrast"
                and (.attend.readers | length) == $n)' out.jsonl
  for f in $(jq -r .attention out.jsonl); do
    file "$f" | grep -q "720 x 1600, 8-bit grayscale"
  done
  [ "$(ls att | wc -l)" -eq 3 ]          # no temporary files left
  # the fields of the input are kept
  diff <(jq -c 'del(.attention, .attend)' out.jsonl) <(jq -c . s.jsonl)
  # the map lies on the PII
  run "$DTAP_BUILD/bin/attention-mass" < out.jsonl
  assert_success
  assert_output --partial "records 3"
  mass=$(printf '%s\n' "$output" | sed 's/.*pii_mass \([0-9.]*\).*/\1/')
  awk -v m="$mass" 'BEGIN { exit !(m > 0.5) }'
  # the benchmark's scoring against truth records: the same boxes give the same figures; no PII box, no mass
  run "$DTAP_BUILD/bin/attention-mass" --truth s.jsonl < out.jsonl
  assert_output --partial "pii_mass $mass"
  jq -c '.pii = []' s.jsonl > nopii-truth.jsonl
  run "$DTAP_BUILD/bin/attention-mass" --truth nopii-truth.jsonl < out.jsonl
  assert_output --partial "pii_mass 0.0000"
}

@test "a record without PII gets an all-zero map, no crash" {
  head -1 s.jsonl | jq -c '.pii = []' > nopii.jsonl
  run --separate-stderr dtap-attend -o att --threads 1 < nopii.jsonl
  assert_success
  printf '%s\n' "$output" > out.jsonl
  run "$DTAP_BUILD/bin/attention-mass" < out.jsonl
  assert_success
  assert_output --partial "empty_maps 1"
}

@test "a bad record becomes an error record, the rest are processed, exit 1" {
  { head -1 s.jsonl; head -2 s.jsonl | tail -1 | jq -c '.image = "s/missing.png" | .id = "gone"'; echo '{broken';
    tail -1 s.jsonl; } > mixed.jsonl
  run --separate-stderr dtap-attend -o att --method box < mixed.jsonl
  [ "$status" -eq 1 ]
  printf '%s\n' "$output" > out.jsonl
  [ "$(wc -l < out.jsonl)" -eq 4 ]
  jq -e -s '.[0].error == null and (.[1].error | startswith("dtap-attend:")) and (.[1] | has("attention") | not)
            and (.[2].error | test("malformed")) and .[3].error == null and (.[3].attention | length > 0)' out.jsonl
  [[ "$stderr" == *"gone"* ]]
}

@test "never writes over an input" {
  head -1 s.jsonl > one.jsonl
  id=$(jq -r .id one.jsonl)
  cp "s/$id.png" "in-$id.png"
  jq -c --arg p "$PWD/d/$id.png" '.image = $p' one.jsonl > over.jsonl
  mkdir d && cp "s/$id.png" "d/$id.png"
  before=$(sha256sum "d/$id.png")
  run --separate-stderr dtap-attend -o d --method box < over.jsonl
  [ "$status" -eq 1 ]
  printf '%s\n' "$output" | jq -e '.error | test("input")'
  [ "$(sha256sum "d/$id.png")" = "$before" ]
  # an earlier output is kept unless --force
  dtap-attend -o att --method box < one.jsonl > /dev/null
  run --separate-stderr dtap-attend -o att --method box < one.jsonl
  [ "$status" -eq 1 ]
  run --separate-stderr dtap-attend -o att --method box --force < one.jsonl
  assert_success
}

@test "box method fills the PII boxes and needs no reader" {
  head -1 s.jsonl > one.jsonl
  DTAP_DATA_DIR=/nonexistent run --separate-stderr dtap-attend -o att --method box --dilate 0 < one.jsonl
  assert_success
  printf '%s\n' "$output" > out.jsonl
  run "$DTAP_BUILD/bin/attention-mass" < out.jsonl
  assert_output --partial "pii_mass 1.0000"
}

@test "a corrupt or missing reader is a one-line usage error" {
  printf 'garbage' > bad.pt
  run --separate-stderr dtap-attend -o att --reader bad.pt < s.jsonl
  [ "$status" -eq 2 ]
  assert_one_line_error dtap-attend
  [[ "$stderr" == *"bad.pt"* ]]
  run --separate-stderr dtap-attend -o att --reader nothere.pt < s.jsonl
  [ "$status" -eq 2 ]
  assert_one_line_error dtap-attend
  run dtap-attend --help
  assert_success
  assert_output --partial "dtap-attend -o att/"
}
