#!/usr/bin/env bash
# Attention quality on held-out synthetic screens (dtap-synth seed 1001): share
# of the attention mass inside PII boxes and inside task boxes, averaged over
# screens, for each method with the default shaping.
#   bench/attention-quality.sh [N_SCREENS] [extra dtap-attend options...]   (default 50)
# Environment: DTAP_BIN (default build/bin), METHODS (default "contrast grad box").
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${DTAP_BIN:-build/bin}
N=${1:-50}
shift || true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BIN/dtap-synth" -n "$N" --seed 1001 --size mixed -o "$tmp/held" > "$tmp/held.jsonl"
echo "attention on $N held-out screens (seed 1001); targets: pii_mass >= 0.80, task_mass <= 0.05"
for method in ${METHODS:-contrast grad box}; do
  start=$(date +%s.%N)
  "$BIN/dtap-attend" -o "$tmp/att-$method" --method "$method" "$@" < "$tmp/held.jsonl" > "$tmp/$method.jsonl"
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  printf '  %-8s %s  (%.2f s/screen)\n' "$method" "$("$BIN/attention-mass" < "$tmp/$method.jsonl")" \
    "$(echo "$secs / $N" | bc -l)"
done
