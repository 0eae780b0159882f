#!/usr/bin/env bash
# Reader quality on held-out synthetic crops (dtap-synth seed 1001): exact-line
# accuracy and CER of every words/pii line, for each shipped reader.
#   bench/reader-quality.sh [N_SCREENS]     (default 60)
# Environment: DTAP_BIN (default build/bin), MODELS (default share/dtap/models).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
BIN=${DTAP_BIN:-build/bin}
MODELS=${MODELS:-share/dtap/models}
N=${1:-60}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BIN/dtap-synth" -n "$N" --seed "$HELDOUT_SEED" --size mixed -o "$tmp/held" > "$tmp/held.jsonl"
"$BIN/dtap-train" eval-reader -m "$MODELS/reader-crnn.pt" -m "$MODELS/reader-conv.pt" --data "$tmp/held.jsonl" \
  > "$tmp/eval.jsonl"
echo "held-out synthetic lines (seed 1001, $N screens):"
jq -r '"  \(.arch)\t\(.parameters) params\tlines \(.lines)\texact-line accuracy \(.exact*10000|round/10000)\tCER \(.cer*10000|round/10000)\t(\(.seconds|round) s)"' "$tmp/eval.jsonl"
best_exact=$(jq -s 'max_by(.exact) | .exact' "$tmp/eval.jsonl")
best_cer=$(jq -s 'max_by(.exact) | .cer' "$tmp/eval.jsonl")
echo "better reader: exact $best_exact (target >= 0.97), CER $best_cer (target <= 0.01)"
