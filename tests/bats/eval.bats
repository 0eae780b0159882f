#!/usr/bin/env bats
load helpers

setup_file() {
  cd "$BATS_FILE_TMPDIR"
  dtap-synth -n 3 --seed 1001 --size 720x1600 --theme mixed -q -o shots > truth.jsonl
  dtap-eval -q < truth.jsonl > clean.jsonl
}

setup() { cd "$BATS_FILE_TMPDIR"; }

summary() { tail -n 1 "$1" | jq -r ".summary.$2"; }

@test "unprotected screens leak (high PLR) and tasks succeed (high TSR); stdout is records then the summary" {
  [ "$(wc -l < clean.jsonl)" -eq 4 ]
  assert_jsonl clean.jsonl
  head -n 3 clean.jsonl | jq -e -s 'all(.eval.pii_total > 0 and .eval.protected == false and .error == null)'
  awk "BEGIN { exit !($(summary clean.jsonl plr) > 0.8) }"
  awk "BEGIN { exit !($(summary clean.jsonl tsr) > 0.8) }"
  # per-record leaks carry labels and scores, never the values
  head -n 1 clean.jsonl | jq -e '.eval.leaks | all(has("label") and has("similarity") and (has("text") | not))'
}

@test "mask and blur of the PII boxes drive PLR near 0 while TSR holds; an unchanged copy does not" {
  for mode in mask blur none; do
    "$DTAP_BUILD/bin/redact-boxes" $mode "out-$mode" < truth.jsonl > "prot-$mode.jsonl"
    dtap-eval -q < "prot-$mode.jsonl" > "eval-$mode.jsonl"
  done
  clean_tsr=$(summary clean.jsonl tsr)
  for mode in mask blur; do
    awk "BEGIN { exit !($(summary eval-$mode.jsonl plr) <= 0.1) }"
    awk "BEGIN { exit !($(summary eval-$mode.jsonl tsr) >= $clean_tsr - 0.1) }"
    awk "BEGIN { exit !($(summary eval-$mode.jsonl ssim_outside) > 0.99) }"
    awk "BEGIN { exit !($(summary eval-$mode.jsonl psnr_pii) < 20) }"
  done
  awk "BEGIN { exit !($(summary eval-none.jsonl plr) > 0.8) }"
  [ "$(summary eval-none.jsonl psnr)" = 100 ]
}

@test "router transforms are each reported; a bad transform is a usage error" {
  run --separate-stderr dtap-eval -q --router-transform jpeg:75 --router-transform scale:0.5,blur:1 < truth.jsonl
  assert_success
  printf '%s\n' "$output" | tail -n 1 | jq -e '.summary.transforms | has("jpeg:75") and has("scale:0.5,blur:1")'
  run --separate-stderr dtap-eval --router-transform rotate:5 < truth.jsonl
  assert_failure 2
  assert_equal "$output" ""
  assert_one_line_error dtap-eval
}

@test "a cmd router runs a real external program (tesseract CLI) with {image} and {question}" {
  run --separate-stderr dtap-eval -q --router "cmd:'$BATS_TEST_DIRNAME/fixtures/tesseract-router.sh' {image} {question}" < truth.jsonl
  assert_success
  printf '%s\n' "$output" | tail -n 1 | jq -e '.summary.plr > 0.5 and .summary.router == "cmd:'"'$BATS_TEST_DIRNAME/fixtures/tesseract-router.sh'"' {image} {question}"'
}

@test "a hanging router is killed at --timeout: error record, the run goes on, exit 1" {
  export HANG_ON=00001
  run --separate-stderr timeout 150 dtap-eval -q --timeout 30 --router "cmd:$BATS_TEST_DIRNAME/fixtures/tesseract-router.sh {image}" < truth.jsonl
  assert_failure 1
  printf '%s\n' "$output" | sed -n 2p | jq -e '.error | test("^dtap-eval: .*timed out after 30 s")'
  printf '%s\n' "$output" | sed -n 1p | jq -e '.error == null and .eval.pii_total > 0'
  printf '%s\n' "$output" | sed -n 3p | jq -e '.error == null'
  # a failed call is never counted as "not leaked"
  printf '%s\n' "$output" | tail -n 1 | jq -e '.summary.records == 2 and .summary.errors == 1'
  [[ "$stderr" == *"dtap-eval: error: chat_00001: "*"timed out"* ]]
}

@test "a router that exits non-zero gives an error record naming the status" {
  export FAIL_ON=00002
  run --separate-stderr dtap-eval -q --router "cmd:$BATS_TEST_DIRNAME/fixtures/tesseract-router.sh {image}" < truth.jsonl
  assert_failure 1
  printf '%s\n' "$output" | sed -n 3p | jq -e '.error | test("exited with status 3")'
  [[ "$stderr" != *"simulated failure"* ]]   # the command's stderr is not echoed (it may hold PII)
}

@test "unreadable image and malformed line: error records, the rest evaluated, exit 1" {
  { head -n 1 truth.jsonl; echo '{"id": "ghost", "image": "missing.png"}'; echo '{broken'; sed -n 2p truth.jsonl; } > mixed.jsonl
  run --separate-stderr dtap-eval -q < mixed.jsonl
  assert_failure 1
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 5 ]
  printf '%s\n' "$output" | sed -n 2p | jq -e '.error | test("^dtap-eval: .*missing.png.*no such file")'
  printf '%s\n' "$output" | sed -n 3p | jq -e '.error | test("line 3: malformed JSON")'
  printf '%s\n' "$output" | sed -n 4p | jq -e '.eval.pii_total > 0'
}

@test "--truth supplies the true PII for records that carry only detections; unknown ids fail" {
  jq -c 'del(.pii, .tasks, .privacy_qa)' truth.jsonl > bare.jsonl
  run --separate-stderr dtap-eval -q --truth truth.jsonl < bare.jsonl
  assert_success
  printf '%s\n' "$output" | tail -n 1 | jq -e '.summary.pii_total > 5'
  jq -c '.id = "other"' bare.jsonl | head -n 1 > other.jsonl
  run --separate-stderr dtap-eval -q --truth truth.jsonl < other.jsonl
  assert_failure 1
  printf '%s\n' "$output" | head -n 1 | jq -e '.error | test("no record with id")'
}

@test "--compare prints one table (and JSON with --json); --summary and --montage write files" {
  "$DTAP_BUILD/bin/redact-boxes" mask m < truth.jsonl > m.jsonl
  run --separate-stderr dtap-eval -q --compare clean.jsonl m.jsonl
  assert_success
  assert_line --index 0 --regexp '^input +records +PLR +exact +TSR'
  assert_line --index 1 --regexp '^clean '
  assert_line --index 2 --regexp '^m '
  run --separate-stderr dtap-eval -q --compare clean.jsonl m.jsonl --json
  assert_success
  printf '%s' "$output" | jq -e '.clean.plr > .m.plr'
  run --separate-stderr dtap-eval -q --summary s.json --montage mont.png --montage-count 2 < m.jsonl
  assert_success
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 3 ]
  jq -e '.plr < 0.2' s.json
  assert_file_exists mont.png
  [ "$(head -c 8 mont.png | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ]
}

# "WIDTHxHEIGHT" from a PNG's IHDR chunk, after checking the signature.
png_size() {
  [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || fail "$1 is not a PNG"
  local wh
  wh=$(od -An -tx1 -j16 -N8 "$1" | tr -d ' \n')
  echo "$((16#${wh:0:8}))x$((16#${wh:8:8}))"
}

@test "--compare --plot draws the PLR-vs-PSNR chart and prints the table; an input is never the chart" {
  "$DTAP_BUILD/bin/redact-boxes" blur pb < truth.jsonl > blurred.jsonl
  run --separate-stderr dtap-eval -q --compare clean.jsonl blurred.jsonl --plot chart.png
  assert_success
  assert_line --index 0 --regexp '^input +records +PLR'
  assert_line --index 1 --regexp '^clean '
  assert_line --index 2 --regexp '^blurred '
  [ "$(png_size chart.png)" = 900x600 ]
  # the in-box PSNR frontier: another x axis, another chart
  run --separate-stderr dtap-eval -q --compare clean.jsonl blurred.jsonl --plot chart-pii.png --plot-psnr pii
  assert_success
  [ "$(png_size chart-pii.png)" = 900x600 ]
  ! cmp -s chart.png chart-pii.png
  # an earlier chart is replaced (like --montage); a compared stream is refused before any work
  run --separate-stderr dtap-eval -q --compare clean.jsonl blurred.jsonl --plot chart.png
  assert_success
  cp clean.jsonl before.jsonl
  run --separate-stderr dtap-eval -q --compare clean.jsonl blurred.jsonl --plot clean.jsonl
  assert_failure 1
  assert_output ""
  [[ "$stderr" == *"it is an input"* ]]
  cmp clean.jsonl before.jsonl
  run --separate-stderr dtap-eval --plot chart.png < /dev/null
  assert_failure 2
  assert_one_line_error dtap-eval
}

@test "--redact-text leaves no PII value in the output" {
  run --separate-stderr dtap-eval -q --redact-text < truth.jsonl
  assert_success
  for value in $(jq -r '.pii[].text | gsub(" "; "_")' truth.jsonl | head -n 5); do
    [[ "$output" != *"${value//_/ }"* ]]
  done
  printf '%s\n' "$output" | head -n 1 | jq -e '.pii[0].text.sha256 | length == 64'
}

@test "help has examples; bad options exit 2 with one line" {
  run --separate-stderr dtap-eval --help
  assert_success
  assert_output --partial "dtap-eval --compare"
  assert_output --partial "--plot"
  for args in "--router nope" "--timeout -1" "--bogus" "--router cmd:'unclosed"; do
    run --separate-stderr dtap-eval $args < /dev/null
    assert_failure 2
    assert_one_line_error dtap-eval
  done
}

@test "built-in routers tesseract:LANG, reader, gocr and ocrad read a known screen; text-only engines cannot be agents" {
  head -n 1 truth.jsonl > one.jsonl
  for r in tesseract:eng tesseract:script/Latin reader gocr ocrad; do
    run --separate-stderr dtap-eval -q --router "$r" --agent reader < one.jsonl
    assert_success
    # every reader reads some of the PII of a clean screen, and the neural agent grounds the tasks
    printf '%s\n' "$output" | tail -n 1 | jq -e --arg r "$r" '.summary.router == $r and .summary.agent == "reader" and .summary.plr > 0.3 and .summary.tsr > 0.5'
  done
  for r in gocr ocrad; do
    run --separate-stderr dtap-eval --agent "$r" < one.jsonl
    assert_failure 2
    assert_equal "$output" ""
    assert_one_line_error dtap-eval
  done
  run --separate-stderr dtap-eval --router tesseract:xx-none < one.jsonl
  assert_failure 1
  printf '%s\n' "$output" | head -n 1 | jq -e '.error | test("^dtap-eval: .*Tesseract with language .xx-none.")'
  run --separate-stderr dtap-eval --router reader:/nonexistent.pt < one.jsonl
  assert_failure 1
  printf '%s\n' "$output" | head -n 1 | jq -e '.error | test("^dtap-eval: ")'
}
