#!/usr/bin/env bash
# Unprotected baseline: Tesseract PLR and TSR on a held-out synthetic set
# (seed 1001), clean and after the router transforms jpeg:75 and scale:0.5.
# Usage: bench/eval-baseline.sh [N=100] [WORKDIR]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
n=${1:-100}
work=${2:-$(mktemp -d)}
bin=${DTAP_BIN:+$DTAP_BIN/}
mkdir -p "$work"
echo "eval-baseline: $n screens (seed 1001, mixed sizes/themes) in $work" >&2
"${bin}dtap-synth" -q -n "$n" --seed "$HELDOUT_SEED" --size mixed -o "$work/shots" --force > "$work/truth.jsonl"
start=$(date +%s)
"${bin}dtap-eval" -q --router-transform jpeg:75 --router-transform scale:0.5 --summary "$work/summary.json" \
  < "$work/truth.jsonl" > "$work/clean.jsonl"
echo "eval-baseline: evaluated in $(( $(date +%s) - start )) s on $(nproc) cores" >&2
jq -r '"PLR \(.plr)  exact PLR \(.plr_exact)  TSR \(.tsr)  (\(.records) screens, \(.pii_total) PII, \(.tasks_total) tasks)",
       "PLR after jpeg:75 \(.transforms["jpeg:75"].plr)  after scale:0.5 \(.transforms["scale:0.5"].plr)",
       "router ms per screen \(.router_ms)",
       (.by_label | to_entries[] | "  \(.key): n=\(.value.total) PLR \(.value.plr) exact \(.value.plr_exact)")' "$work/summary.json"
