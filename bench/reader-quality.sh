#!/usr/bin/env bash
# Reader quality on held-out synthetic crops (dtap-synth seed 1001): exact-line
# accuracy and CER of every words/pii line, for each shipped reader, clean and
# after JPEG 60 and a 0.5x downscale of the whole page.
#   bench/reader-quality.sh [N_SCREENS]     (default 60)
# Environment: DTAP_BIN (default build/bin), MODELS (default share/dtap/models).
# Targets (issue 11): each reader >= 0.97 exact, and >= 0.90 after each transform.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
BIN=${DTAP_BIN:-build/bin}
MODELS=${MODELS:-share/dtap/models}
N=${1:-60}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BIN/dtap-synth" -n "$N" --seed "$HELDOUT_SEED" --size mixed -o "$tmp/held" > "$tmp/held.jsonl"
models=()
for m in "$MODELS"/reader-*.pt; do models+=(-m "$m"); done
"$BIN/dtap-train" eval-reader "${models[@]}" --data "$tmp/held.jsonl" --transform jpeg:60 --transform scale:0.5 \
  > "$tmp/eval.jsonl"
echo "held-out synthetic lines (seed 1001, $N screens):"
r4() { printf '(%s * 10000 | round / 10000)' "$1"; }
jq -r '"  \(.arch)\t\(.parameters) params\tlines \(.lines)\texact \('"$(r4 .exact)"')\tCER \('"$(r4 .cer)"')\tjpeg:60 exact \('"$(r4 '.transforms["jpeg:60"].exact')"')\tscale:0.5 exact \('"$(r4 '.transforms["scale:0.5"].exact')"')\t(\(.seconds|round) s)"' "$tmp/eval.jsonl"
jq -r '"  \(.arch): " + (if .exact >= 0.97 and .transforms["jpeg:60"].exact >= 0.9 and .transforms["scale:0.5"].exact >= 0.9
  then "meets" else "MISSES" end) + " the targets (>= 0.97 exact, >= 0.90 after jpeg:60 and scale:0.5)"' "$tmp/eval.jsonl"
