#!/usr/bin/env bats
# --resume: a batch killed midway and run again with the same arguments gives the
# stream an uninterrupted run gives, without doing the finished records again.
load helpers

setup() {
  cd "$BATS_TEST_TMPDIR"
  dtap-synth -q -n 4 --seed 5 --size 360x800 -o shots > truth.jsonl
  jq -c '{id, image, pii}' truth.jsonl > in.jsonl
}

# Runs "$@" on in.jsonl fed through a pipe, kills it (SIGKILL) once 2 records
# are out, and leaves its output in part.jsonl with a cut-short last line, as a
# kill in the middle of a write would. 3 records are fed: the batch reads one
# ahead, and the pipe stays open, so the run waits for a 4th with 2 written.
run_and_kill() {
  mkfifo feed
  "$@" < feed > part.jsonl 2> /dev/null &
  local pid=$!
  exec 8> feed
  head -n 3 in.jsonl >&8
  for _ in $(seq 600); do
    [ "$(wc -l < part.jsonl)" -ge 2 ] && break
    sleep 0.1
  done
  kill -9 "$pid"
  wait "$pid" || true
  exec 8>&-
  [ "$(wc -l < part.jsonl)" -eq 2 ] || fail "the run was not at record 2 when killed"
  printf '{"id": "screen 2", "ima' >> part.jsonl
}

@test "annotate: killed at record 2 and resumed, the stream is the uninterrupted one" {
  dtap-annotate -q -j 1 < in.jsonl > whole.jsonl
  run_and_kill dtap-annotate -q -j 1
  run --separate-stderr dtap-annotate -j 1 --resume part.jsonl < in.jsonl
  assert_success
  printf '%s\n' "$output" > resumed.jsonl
  cmp whole.jsonl resumed.jsonl
  [[ "$stderr" == *"2 records taken from the --resume stream, 2 processed"* ]]
}

@test "protect: killed and resumed gives the same records and PNGs; a lost PNG is made again" {
  dtap-protect -q --method noise --seed 3 -o whole < in.jsonl > whole.jsonl
  run_and_kill dtap-protect -q --method noise --seed 3 -o out
  # A PNG of the earlier run is gone: that record is processed again.
  rm "$(head -n 2 part.jsonl | jq -r -s '.[1].protected')"
  run --separate-stderr dtap-protect --method noise --seed 3 -o out --resume part.jsonl < in.jsonl
  assert_success
  printf '%s\n' "$output" > resumed.jsonl
  [[ "$stderr" == *"1 records taken from the --resume stream, 3 processed"* ]]
  strip() { jq -c 'del(.protect.ms, .protect.io_ms) | .protected |= sub("^[a-z]+/"; "")' "$1"; }
  diff <(strip whole.jsonl) <(strip resumed.jsonl)
  for f in whole/*.png; do cmp "$f" "out/$(basename "$f")"; done
}

@test "attend: resumed after a kill, the maps and the stream are the uninterrupted run's" {
  dtap-attend -q --method box -o whole < in.jsonl > whole.jsonl
  run_and_kill dtap-attend -q --method box -o att
  run --separate-stderr dtap-attend --method box -o att --resume part.jsonl < in.jsonl
  assert_success
  printf '%s\n' "$output" > resumed.jsonl
  strip() { jq -c 'del(.attend.ms) | .attention |= sub("^[a-z]+/"; "")' "$1"; }
  diff <(strip whole.jsonl) <(strip resumed.jsonl)
  for f in whole/*.png; do cmp "$f" "att/$(basename "$f")"; done
}

@test "--resume refuses a missing file and the stream it would write to" {
  run --separate-stderr dtap-annotate --resume nothing.jsonl < in.jsonl
  assert_failure 2
  assert_one_line_error dtap-annotate
  [ -z "$output" ]
  printf '' > same.jsonl
  run bash -c 'dtap-protect --method none -o out --resume same.jsonl < in.jsonl > same.jsonl'
  assert_failure 2
  assert_output --partial "is also this run's stdout"
}
