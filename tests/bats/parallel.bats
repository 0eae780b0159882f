#!/usr/bin/env bats
# Batches spread over processes (and hosts) with GNU parallel: shards of one
# input stream, merged back, must equal one single-process run.
load helpers

setup_file() {
  cd "$BATS_FILE_TMPDIR"
  dtap-synth -n 6 --seed 11 --size 720x1600 -q -o shots > shots.jsonl
  # The single-process reference.
  dtap-protect -q --method decoy --seed 3 -o single < shots.jsonl > single.jsonl
}

setup() { cd "$BATS_FILE_TMPDIR"; }

@test "4 shards through GNU parallel (-j 2, and --sshlogin : for the host path) equal one process: same records, same PNG bytes" {
  for mode in jobs sshlogin; do
    rm -rf "out-$mode" && mkdir "out-$mode"
    extra=(-j 2)
    [ $mode = sshlogin ] && extra=(--sshlogin 2/:)   # ':' is this machine, 2 jobs; real hosts are name lists
    run --separate-stderr parallel "${extra[@]}" --halt never \
      "dtap-protect -q --method decoy --seed 3 --shard {}/4 -o out-$mode < shots.jsonl > out-$mode/part-{}.jsonl" ::: 1 2 3 4
    assert_success
    # Every record exactly once, with the same fields as the single run (paths aside).
    cat out-$mode/part-*.jsonl | jq -c 'del(.protected, .protect.ms, .protect.io_ms)' | sort > merged.txt
    jq -c 'del(.protected, .protect.ms, .protect.io_ms)' single.jsonl | sort > reference.txt
    cmp merged.txt reference.txt
    [ "$(cat out-$mode/part-*.jsonl | jq -r .id | sort | uniq -d)" = "" ]
    for f in single/*.png; do cmp "$f" "out-$mode/$(basename "$f")"; done
  done
}

@test "a failed shard shows in GNU parallel's exit status; the other shards still finish" {
  # Shard 2 of 3 gets a record whose image is missing: its dtap-protect exits 1.
  jq -c 'if .id == "'"$(sed -n 2p shots.jsonl | jq -r .id)"'" then .image = "missing.png" else . end' shots.jsonl > broken.jsonl
  run --separate-stderr parallel -j 2 --halt never \
    "dtap-protect -q --method none --shard {}/3 -o out-broken < broken.jsonl > out-broken.{}.jsonl" ::: 1 2 3
  assert_failure 1   # parallel's status: the number of failed jobs
  [ "$(cat out-broken.*.jsonl | jq -s 'map(select(.error != null)) | length')" -eq 1 ]
  [ "$(cat out-broken.*.jsonl | jq -s 'map(select(.error == null)) | length')" -eq 5 ]
}

@test "dtap-annotate over parallel --pipe --keep-order gives the single run's stream, in order" {
  jq -c '{id, image}' shots.jsonl > in.jsonl
  dtap-annotate -q -j 1 < in.jsonl > annotate-single.jsonl
  run --separate-stderr bash -c "parallel --pipe -N 2 --keep-order -j 2 dtap-annotate -q -j 1 < in.jsonl"
  assert_success
  printf '%s\n' "$output" > annotate-parallel.jsonl
  cmp annotate-single.jsonl annotate-parallel.jsonl
}
