#!/usr/bin/env bash
# PII recall and precision of dtap-annotate on the labelled real screenshots
# (tests/data/real/labels/; images from scripts/real-set.sh extract), per
# split and per label, then on synthetic held-out screens (seed 1001) with
# names the detector's lists never hold, beside the usual synthetic figure.
#   bench/annotate-real.sh [extra dtap-annotate options...]
# Settings are tuned on the dev split only; the test split is for reporting.
# A finding matches a true span when the normalised texts have similarity
# >= 0.8 and, where the truth has a bbox, IoU >= 0.3, whatever the labels
# (the issue's "same value" rule: protection hides every found box alike);
# rows count the truth by its label and the findings by theirs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/lib.sh"
synth=$(tool dtap-synth); annotate=$(tool dtap-annotate); score=$(tool score-annotate)
images=${REAL_IMAGES:-$here/../data/real/images}
splits=${SPLITS:-dev test}
n_synth=${N_SYNTH:-100}
jobs=${DTAP_JOBS:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/annotate-real.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$here/../scripts/real-set.sh" check
"$here/../scripts/real-set.sh" records > "$work/real.jsonl"
labels=$work/real.jsonl

# Runs dtap-annotate on $1 (records) into $2, printing CPU seconds per record.
run_annotate() {
  local start end
  TIMEFORMAT='%U %S'
  { time "$annotate" -q -j "$jobs" "${extra[@]}" < "$1" > "$2" 2>"$work/annotate.err"; } 2>"$work/time" || true
  awk -v n="$(grep -c . "$1")" '{ printf "CPU time: %.2f s per screenshot\n", ($1 + $2) / n }' "$work/time"
}
extra=("$@")
for split in $splits; do
  jq -c --arg s "$split" --arg dir "$(cd "$images" && pwd)" \
    'select(.split == $s) | {id, image: ($dir + "/" + .image), pii}' "$labels" > "$work/$split-truth.jsonl"
  jq -c '{id, image}' "$work/$split-truth.jsonl" > "$work/$split-input.jsonl"
  echo "== real $split split: $(grep -c . "$work/$split-input.jsonl") screenshots of $(jq -r 'select(.split == "'"$split"'") | .app' "$labels" | sort -u | wc -l) apps; dtap-annotate $*"
  run_annotate "$work/$split-input.jsonl" "$work/$split-found.jsonl"
  "$score" "$work/$split-truth.jsonl" "$work/$split-found.jsonl" --any-label || true
done
for names in heldout shipped; do
  [ "$n_synth" -gt 0 ] || break
  "$synth" --seed "$HELDOUT_SEED" -n "$n_synth" --size mixed --names "$names" -o "$work/synth-$names" -q > "$work/synth-$names-truth.jsonl"
  jq -c '{id, image}' "$work/synth-$names-truth.jsonl" > "$work/synth-$names-input.jsonl"
  echo "== synthetic held-out: dtap-synth --seed "$HELDOUT_SEED" -n $n_synth --size mixed --names $names; dtap-annotate $*"
  run_annotate "$work/synth-$names-input.jsonl" "$work/synth-$names-found.jsonl"
  "$score" "$work/synth-$names-truth.jsonl" "$work/synth-$names-found.jsonl" --any-label || true
done
