#!/usr/bin/env bash
# Trains the shipped surrogate readers (share/dtap/models/reader-{crnn,conv}.pt
# + manifests) with fixed seeds, then measures them on the held-out synthetic
# seed 1001 and records the figures in their manifests.
#   scripts/train-readers.sh            (uses build/bin, works in build/readers)
# Environment: DTAP_BIN (programs), WORK (scratch folder), OUT (where the
# models go), THREADS (default 1), ARCHS (default "crnn conv"), BATCH, LR,
# EPOCHS_CRNN / EPOCHS_CONV, LINES_CRNN / LINES_CONV, SCREENS.
# Re-running resumes unfinished trainings (their checkpoints stay in WORK).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${DTAP_BIN:-build/bin}
WORK=${WORK:-build/readers}
OUT=${OUT:-share/dtap/models}
THREADS=${THREADS:-1}   # the weights depend on the thread count; the shipped ones used 1
SCREENS=${SCREENS:-800}
# Sized for a 2-core machine shared by four people (the shipped readers were
# trained this way, time-boxed); more lines and epochs give better readers.
# Epoch stages: "1 2" trains one epoch (its own schedule), then resumes to 2.
EPOCHS_CRNN=${EPOCHS_CRNN:-1 2}
EPOCHS_CONV=${EPOCHS_CONV:-1}
LINES_CRNN=${LINES_CRNN:-6000}   # 0 = every line of the training screens
LINES_CONV=${LINES_CONV:-6000}
BATCH=${BATCH:-8}
LR=${LR:-0.001}
mkdir -p "$WORK" "$OUT"

synth() {  # name seed count
  if [ ! -s "$WORK/$1.jsonl" ]; then
    "$BIN/dtap-synth" -n "$3" --seed "$2" --size mixed --threads 2 --force -o "$WORK/$1" > "$WORK/$1.jsonl.tmp"
    mv "$WORK/$1.jsonl.tmp" "$WORK/$1.jsonl"
  fi
}
synth train 7 "$SCREENS"   # training screens
synth val 77 40            # validation (per epoch)
synth held 1001 60         # held-out: never trained on

for arch in ${ARCHS:-crnn conv}; do
  epochs_var="EPOCHS_${arch^^}"
  lines_var="LINES_${arch^^}"
  start=$(date +%s)
  for epochs in ${!epochs_var}; do
    resume=()
    [ -s "$WORK/reader-$arch.pt" ] && resume=(--resume)
    "$BIN/dtap-train" reader --arch "$arch" --data "$WORK/train.jsonl" --val "$WORK/val.jsonl" --val-lines 300 \
      --max-lines "${!lines_var}" -o "$WORK/reader-$arch.pt" --epochs "$epochs" --batch "$BATCH" --lr "$LR" \
      --seed 1 --threads "$THREADS" "${resume[@]}"
  done
  echo "reader-$arch: trained in $(( $(date +%s) - start )) s (wall, this run)" >&2
  "$BIN/dtap-train" eval-reader -m "$WORK/reader-$arch.pt" --data "$WORK/held.jsonl" --record --threads "$THREADS"
  cp "$WORK/reader-$arch.pt" "$OUT/reader-$arch.pt.tmp" && mv "$OUT/reader-$arch.pt.tmp" "$OUT/reader-$arch.pt"
  cp "$WORK/reader-$arch.pt.json" "$OUT/reader-$arch.pt.json"
done
