#!/usr/bin/env bash
# PII recall and precision of dtap-annotate on a held-out synthetic set.
#   bench/annotate-quality.sh [N] [extra dtap-annotate options...]
# Programs come from $DTAP_BIN (a bin folder) or PATH; the scorer
# (score-annotate, a test helper) from $DTAP_BIN, then $DTAP_BUILD/bin, then PATH.
# A finding matches a true span of the same label when IoU >= 0.3 and the
# normalised texts have similarity >= 0.8 (dtap::PiiScore).
set -euo pipefail
n=${1:-100}
shift || true
. "$(dirname "$0")/lib.sh"
synth=$(tool dtap-synth); annotate=$(tool dtap-annotate); score=$(tool score-annotate)
work=$(mktemp -d "${TMPDIR:-/tmp}/annotate-quality.XXXXXX")
trap 'rm -rf "$work"' EXIT
jobs=${DTAP_JOBS:-2}

"$synth" --seed "$HELDOUT_SEED" -n "$n" --size mixed -o "$work/shots" -q > "$work/truth.jsonl"
# The annotator sees the images only: ground truth is stripped from its input.
jq -c '{id, image}' "$work/truth.jsonl" > "$work/input.jsonl"
start=$(date +%s.%N)
"$annotate" -q -j "$jobs" "$@" < "$work/input.jsonl" > "$work/found.jsonl"
end=$(date +%s.%N)
echo "held-out set: dtap-synth --seed "$HELDOUT_SEED" -n $n --size mixed; dtap-annotate -j $jobs $*"
"$score" "$work/truth.jsonl" "$work/found.jsonl"
awk -v s="$start" -v e="$end" -v n="$n" 'BEGIN { printf "annotate time: %.1f s (%.2f screenshots/s)\n", e - s, n / (e - s) }'
