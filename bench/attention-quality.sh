#!/usr/bin/env bash
# Attention quality on held-out synthetic screens (dtap-synth seed 1001),
# annotated by dtap-annotate (the maps see only the PII it detects, as in a real
# pipeline; the screens' tasks are kept): share of the attention mass inside the
# true PII boxes and inside the true task boxes, averaged over screens, for each
# method with the default shaping.
#   bench/attention-quality.sh [N_SCREENS] [extra dtap-attend options...]   (default 50)
# Environment: DTAP_BIN (default build/bin), METHODS (default "contrast grad box").
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
BIN=${DTAP_BIN:-build/bin}
N=${1:-50}
shift || true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BIN/dtap-synth" -n "$N" --seed "$HELDOUT_SEED" --size mixed -o "$tmp/held" > "$tmp/held.jsonl"
"$BIN/dtap-annotate" < "$tmp/held.jsonl" > "$tmp/annotated.jsonl"
echo "attention on $N held-out screens (seed 1001), dtap-annotate's PII," \
     "$(jq -s '[.[].pii | length] | add' "$tmp/annotated.jsonl") spans found of" \
     "$(jq -s '[.[].pii | length] | add' "$tmp/held.jsonl"); mass against the true boxes;" \
     "targets: pii_mass >= 0.80, task_mass <= 0.05"
for method in ${METHODS:-contrast grad box}; do
  start=$(date +%s.%N)
  "$BIN/dtap-attend" -o "$tmp/att-$method" --method "$method" "$@" < "$tmp/annotated.jsonl" > "$tmp/$method.jsonl"
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  printf '  %-8s %s  (%.2f s/screen)\n' "$method" "$("$(tool attention-mass)" --truth "$tmp/held.jsonl" < "$tmp/$method.jsonl")" \
    "$(echo "$secs / $N" | bc -l)"
done
