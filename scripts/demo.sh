#!/usr/bin/env bash
# make demo: renders a dozen synthetic screens with the staged programs and says where they are.
set -euo pipefail
: "${DTAP_STAGE:?run through make demo}"
export PATH="$DTAP_STAGE/bin:$PATH"
out=${DEMO_OUT:-demo-out}
mkdir -p "$out"
dtap-synth -n 12 --seed 1 --size mixed -o "$out/shots" --force > "$out/shots.jsonl"
echo "demo: 12 synthetic screenshots in $out/shots/, their records in $out/shots.jsonl" >&2
jq -r '"\(.id)\t\(.width)x\(.height)\t\(.theme)\t\(.pii | length) PII\t\(.tasks | length) tasks"' "$out/shots.jsonl"
