#!/usr/bin/env bats
# Data-parallel training with c10d (Gloo on CPU): 2 ranks on this machine.
load helpers

setup_file() {
  cd "$BATS_FILE_TMPDIR"
  dtap-synth -n 3 --seed 5 --size 720x1600 -q -o s3 > t3.jsonl
  dtap-synth -n 6 --seed 5 --size 720x1600 -q -o s6 > t6.jsonl
}

setup() { cd "$BATS_FILE_TMPDIR"; }

# A port per run: a fresh TCPStore each time.
port() { echo $(( 20000 + (RANDOM % 20000) )); }

# digest LOG: the weights sha256 a rank logged at the end.
digest() { sed -n 's/.*weights sha256 //p' "$1"; }

# reader2 OUT PORT: a 2-rank reader training (rank 1 takes its settings from the environment).
reader2() {
  local out=$1 p=$2
  shift 2
  dtap-train reader --arch conv --data t3.jsonl -o "$out" --epochs 2 --batch 8 --max-lines 64 --seed 1 --threads 1 \
    --world-size 2 --rank 0 --master-port "$p" "$@" 2> "$out.rank0.log" &
  WORLD_SIZE=2 RANK=1 MASTER_ADDR=127.0.0.1 MASTER_PORT="$p" \
    dtap-train reader --arch conv --data t3.jsonl -o "$out" --epochs 2 --batch 8 --max-lines 64 --seed 1 --threads 1 \
    "$@" 2> "$out.rank1.log"
  wait $!
}

@test "2-rank reader training: identical weights on both ranks, the loss falls, rank 0 writes the manifest, a rerun reproduces it" {
  run -0 reader2 a.pt "$(port)"
  [ -n "$(digest a.pt.rank0.log)" ]
  [ "$(digest a.pt.rank0.log)" = "$(digest a.pt.rank1.log)" ]
  jq -e '.world_size == 2 and (.history | length) == 2 and .history[1].loss < .history[0].loss' a.pt.json
  run -0 reader2 b.pt "$(port)"
  [ "$(digest b.pt.rank0.log)" = "$(digest a.pt.rank0.log)" ]
  # Stopped after one epoch and resumed by a new pair of processes: the same weights.
  run -0 reader2 c.pt "$(port)" --stop-after 1
  run -0 reader2 c.pt "$(port)" --resume
  [ "$(digest c.pt.rank0.log)" = "$(digest a.pt.rank0.log)" ]
}

# gen2 OUT STEPS PORT [--resume]
gen2() {
  local out=$1 steps=$2 p=$3
  shift 3
  for r in 0 1; do
    dtap-train generator --data t6.jsonl -o "$out" --steps "$steps" --batch 2 --eot-samples 1 --seed 1 --threads 1 \
      --world-size 2 --rank $r --master-port "$p" "$@" 2> "$out.rank$r.log" &
  done
  wait %1 && wait %2
}

@test "2-rank generator training: identical weights on both ranks; 4 steps then --resume to 8 equals 8 straight" {
  run -0 gen2 g8.pt 8 "$(port)"
  [ "$(digest g8.pt.rank0.log)" = "$(digest g8.pt.rank1.log)" ]
  jq -e '.world_size == 2 and .training.steps_done == 8' g8.pt.json
  run -0 gen2 g.pt 4 "$(port)"
  run -0 gen2 g.pt 8 "$(port)" --resume
  [ "$(digest g.pt.rank0.log)" = "$(digest g8.pt.rank0.log)" ]
}

@test "a rank outside the world is a usage error" {
  run --separate-stderr dtap-train reader --data t3.jsonl -o x.pt --world-size 2 --rank 2
  assert_failure 2
  assert_one_line_error dtap-train
}

@test "a malformed WORLD_SIZE is a usage error" {
  run --separate-stderr env WORLD_SIZE=two dtap-train reader --data t3.jsonl -o y.pt
  assert_failure 2
  assert_one_line_error dtap-train
}
