#!/usr/bin/env bash
# Data-parallel training speed: 1 process x 2 threads against 2 processes x 1
# thread (c10d, Gloo, this machine), for the reader and the generator, and the
# all-reduce bytes per step that predict more machines.
#   bench/distributed-speed.sh [STEPS]
# Programs come from $DTAP_BIN (a bin folder) or PATH.
set -euo pipefail
steps=${1:-40}
. "$(dirname "$0")/lib.sh"
synth=$(tool dtap-synth); train=$(tool dtap-train)
here=$(cd "$(dirname "$0")/.." && pwd)
reader_model=${READER:-$here/share/dtap/models/reader-conv.pt}
work=$(mktemp -d "${TMPDIR:-/tmp}/distributed-speed.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$synth" -n 40 --seed 21 --size mixed -q -o "$work/shots" > "$work/train.jsonl"
port=$(( 20000 + RANDOM % 20000 ))

# run NAME WORLD THREADS ARGS...: wall seconds of a training with WORLD ranks.
run() {
  local name=$1 world=$2 threads=$3
  shift 3
  local start end
  start=$(date +%s.%N)
  for ((r = 0; r < world; r++)); do
    "$train" "$@" -o "$work/$name.pt" --force --seed 1 --threads "$threads" --world-size "$world" --rank $r \
      --master-port $port 2> "$work/$name.$r.log" &
  done
  wait
  end=$(date +%s.%N)
  port=$((port + 1))
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }'
}

lines=$(( steps * 16 ))
echo "reader (conv, $lines lines, batch 16: $steps steps in all; 2 ranks do $((steps / 2)) each)"
r1=$(run r1 1 2 reader --arch conv --data "$work/train.jsonl" --max-lines $lines --epochs 1 --batch 16)
r2=$(run r2 2 1 reader --arch conv --data "$work/train.jsonl" --max-lines $lines --epochs 1 --batch 16)
rbytes=$(sed -n 's/.*all-reduce per step: \([0-9]*\) bytes.*/\1/p' "$work/r2.0.log")
awk -v a="$r1" -v b="$r2" -v n="$steps" -v bytes="$rbytes" 'BEGIN {
  printf "  1 process x 2 threads: %.1f s, %.2f lines/s\n", a, n * 16 / a
  printf "  2 processes x 1 thread: %.1f s, %.2f lines/s (%.2fx); all-reduce %d bytes per step\n", b, n * 16 / b, a / b, bytes }'
echo "generator (256x80 crops, batch 4 per rank, $steps steps)"
g1=$(run g1 1 2 generator --data "$work/train.jsonl" --reader "$reader_model" --steps "$steps" --batch 4 --eot-samples 2)
g2=$(run g2 2 1 generator --data "$work/train.jsonl" --reader "$reader_model" --steps "$steps" --batch 4 --eot-samples 2)
gbytes=$(sed -n 's/.*all-reduce per step: \([0-9]*\) bytes.*/\1/p' "$work/g2.0.log")
awk -v a="$g1" -v b="$g2" -v n="$steps" -v bytes="$gbytes" 'BEGIN {
  printf "  1 process x 2 threads: %.1f s, %.2f steps/s (%d crops/s)\n", a, n / a, 4 * n / a
  printf "  2 processes x 1 thread: %.1f s, %.2f steps/s (%d crops/s, %.2fx); all-reduce %d bytes per step\n", b, n / b, 8 * n / b, (8 * n / b) / (4 * n / a), bytes }'
