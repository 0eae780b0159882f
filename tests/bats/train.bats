#!/usr/bin/env bats
load helpers

# Tiny, quick trainings: few lines, one or two epochs.
setup_file() {
  cd "$BATS_FILE_TMPDIR"
  dtap-synth -n 2 --seed 3 --size 720x1600 -o s > s.jsonl
}

setup() { cd "$BATS_TEST_TMPDIR"; ln -s "$BATS_FILE_TMPDIR/s" s; cp "$BATS_FILE_TMPDIR/s.jsonl" .; }

train() { dtap-train reader --data s.jsonl --max-lines 24 --batch 8 --threads 1 "$@"; }

@test "reader trains a checkpoint with a complete manifest" {
  run --separate-stderr train --arch conv -o r.pt --epochs 1 --seed 4
  assert_success
  [ -z "$output" ]                     # nothing but records on stdout (none here)
  [ -s r.pt ] && [ -s r.pt.json ] && [ -s r.pt.state ]
  jq -e '.arch == "conv" and .seed == 4 and .threads == 1 and .epochs_done == 1
         and (.git_revision | length > 0) and (.data[0].sha256 | length == 64)
         and .data[0].lines == 24 and (.charset | contains("€")) and .parameters < 5000000
         and (.metrics.train_loss | type == "number")' r.pt.json
  # (bats keeps run --separate-stderr output in separate-stderr-* files here)
  leftovers=$(ls -A | grep -v -e "^r\.pt" -e "^s$" -e "^s\.jsonl$" -e "^separate-stderr-" || true)
  [ -z "$leftovers" ] || fail "temporary files left: $leftovers"
}

@test "same seed and threads give the same weights; another seed does not" {
  train --arch crnn -o a.pt --epochs 1 --seed 9
  train --arch crnn -o b.pt --epochs 1 --seed 9
  train --arch crnn -o c.pt --epochs 1 --seed 10
  cmp a.pt b.pt
  ! cmp -s a.pt c.pt
}

@test "--resume goes on to the requested epochs and matches an uninterrupted run" {
  train --arch conv -o full.pt --epochs 2 --seed 5
  train --arch conv -o part.pt --epochs 2 --stop-after 1 --seed 5
  jq -e '.epochs_done == 1' part.pt.json
  train --arch conv -o part.pt --epochs 2 --seed 5 --resume
  jq -e '.epochs_done == 2 and (.history | length) == 2' part.pt.json
  cmp full.pt part.pt
}

@test "an existing output is not replaced without --resume or --force" {
  train --arch conv -o r.pt --epochs 1
  run --separate-stderr train --arch conv -o r.pt --epochs 1
  [ "$status" -eq 2 ]
  assert_one_line_error dtap-train
  [[ "$stderr" == *"--resume"* ]]
  run --separate-stderr train --arch crnn -o r.pt --epochs 2 --resume
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"conv"* ]]
}

@test "records of the held-out seed 1001 are refused" {
  dtap-synth -n 1 --seed 1001 --size 720x1600 -o h > h.jsonl
  run --separate-stderr dtap-train reader --data h.jsonl -o r.pt --epochs 1
  [ "$status" -eq 2 ]
  assert_one_line_error dtap-train
  [[ "$stderr" == *"held-out"* ]]
  [ ! -e r.pt ]
}

@test "eval-reader prints accuracy and CER per model and can record them" {
  train --arch conv -o r.pt --epochs 1
  run --separate-stderr dtap-train eval-reader -m r.pt --data s.jsonl --max-lines 10 --record --threads 1
  assert_success
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
  printf '%s\n' "$output" | jq -e '.lines == 10 and .exact >= 0 and .exact <= 1 and .cer >= 0 and .arch == "conv"'
  jq -e '.heldout.lines == 10' r.pt.json
}

@test "eval-reader --transform reads again after JPEG and downscaling the page" {
  model="$DTAP_STAGE/share/dtap/models/reader-conv.pt"
  run --separate-stderr dtap-train eval-reader -m "$model" --data s.jsonl --max-lines 40 --threads 1 \
    --transform jpeg:60 --transform scale:0.5
  assert_success
  # The shipped reader still reads these synthetic lines after both (its target: >= 0.90).
  printf '%s\n' "$output" | jq -e '.lines >= 30 and (.transforms | keys) == ["jpeg:60", "scale:0.5"]
    and .transforms["jpeg:60"].exact >= 0.9 and .transforms["scale:0.5"].exact >= 0.9'
  run --separate-stderr dtap-train eval-reader -m "$model" --data s.jsonl --transform jpeg:abc
  [ "$status" -eq 2 ]
  assert_one_line_error dtap-train
  [[ "$stderr" == *"jpeg:abc"* ]]
}

@test "a corrupt or foreign checkpoint is a one-line error, not a crash" {
  printf 'not a checkpoint' > bad.pt
  run --separate-stderr dtap-train eval-reader -m bad.pt --data s.jsonl
  [ "$status" -eq 1 ]
  assert_one_line_error dtap-train
  [[ "$stderr" == *"bad.pt"*"corrupt"* ]]
  run --separate-stderr dtap-train eval-reader -m missing.pt --data s.jsonl
  [ "$status" -eq 1 ]
  assert_one_line_error dtap-train
}

@test "usage errors exit 2; --help shows subcommands and examples" {
  run --separate-stderr dtap-train reader --arch transformer --data s.jsonl -o r.pt
  [ "$status" -eq 2 ]
  run --separate-stderr dtap-train
  [ "$status" -eq 2 ]
  run dtap-train --help
  assert_success
  assert_output --partial "reader"
  assert_output --partial "eval-reader"
  assert_output --partial "dtap-train reader --arch crnn"
  run dtap-train reader --help
  assert_success
  assert_output --partial "--resume"
}
