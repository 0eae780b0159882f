#!/usr/bin/env bash
# Privacy / utility / quality of every dtap-protect method on held-out synthetic
# screens (seed 1001, never trained on), annotated by dtap-annotate (not ground
# truth: protection only sees what the annotator found), measured by dtap-eval
# with Tesseract as router and agent, clean and after the router transforms
# jpeg:75 and scale:0.5. Prints one dtap-eval --compare table (PLR[t] columns:
# the router reads the transformed image), then pgd against dualtap on a subset.
#   bench/protect-quality.sh [N]        (N screens, default 100)
# Environment: DTAP_BIN (programs, default build/bin), WORK (scratch, default
# build/bench-protect), METHODS (default "none dualtap noise mask blur mosaic"),
# MODEL (dualtap's generator, default the shipped one), EPS (for noise and pgd;
# default: MODEL's eps), THREADS,
# PGD_N (pgd runs on the first PGD_N screens only, default 20: it is ~100x
# slower; 0 = skip) and PGD_STEPS (default 40).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100}
. bench/lib.sh
bench_init build/bench-protect
METHODS=${METHODS:-"none dualtap noise mask blur mosaic"}
PGD_N=${PGD_N:-20}
PGD_STEPS=${PGD_STEPS:-40}
EPS=${EPS:-$(jq -r .eps "$MODEL.json")}
export DTAP_THREADS=$THREADS NO_COLOR=1

held="$WORK/held-$N"
annotated_set "$held" "$HELDOUT_SEED" "$N" mixed
echo "annotated: $(jq -s '[.[].pii | length] | add' "$held-annotated.jsonl") PII spans found," \
     "truth has $(jq -s '[.[].pii | length] | add' "$held.jsonl")" >&2

for m in $METHODS; do
  out="$WORK/$m-$N"
  extra=()
  case $m in
    noise) extra=(--epsilon "$EPS") ;;
    dualtap) extra=(-m "$MODEL") ;;
  esac
  start=$(date +%s.%N)
  "$BIN/dtap-protect" --method "$m" "${extra[@]}" --force -q -o "$out" < "$held-annotated.jsonl" > "$out.jsonl" || true
  end=$(date +%s.%N)
  printf '%-8s protect: %6.1f ms/screen (mean of protect.ms), wall %.1f s for %d screens\n' "$m" \
    "$(jq -s '[.[] | .protect.ms // empty] | add / length' "$out.jsonl")" "$(echo "$end - $start" | bc)" "$N" >&2
  # One pass scores the clean router and, per transform, the router on the transformed image.
  "$BIN/dtap-eval" --truth "$held.jsonl" --router-transform jpeg:75 --router-transform scale:0.5 -q \
    --summary "$out.summary.json" < "$out.jsonl" > "$out.eval.jsonl" || true
done

echo "== router and agent: tesseract; PLR[...]: the router reads the transformed image; $N held-out screens (seed 1001), dtap-annotate boxes"
files=()
for m in $METHODS; do files+=("$WORK/$m-$N.eval.jsonl"); done
"$BIN/dtap-eval" --compare "${files[@]}"

# PGD against dualtap on the same first PGD_N screens (clean router).
if [ "$PGD_N" -gt 0 ]; then
  sub="$WORK/first-$PGD_N-of-$N"
  head -n "$PGD_N" "$held-annotated.jsonl" > "$sub-annotated.jsonl"
  start=$(date +%s.%N)
  "$BIN/dtap-protect" --method pgd --epsilon "$EPS" --steps "$PGD_STEPS" --force -q -o "$sub-pgd" \
    < "$sub-annotated.jsonl" > "$sub-pgd.jsonl" || true
  end=$(date +%s.%N)
  printf '%-8s protect: %6.1f ms/screen (mean of protect.ms), wall %.1f s for %d screens\n' pgd \
    "$(jq -s '[.[] | .protect.ms // empty] | add / length' "$sub-pgd.jsonl")" "$(echo "$end - $start" | bc)" "$PGD_N" >&2
  "$BIN/dtap-eval" --truth "$held.jsonl" --router-transform jpeg:75 --router-transform scale:0.5 -q \
    --summary "$sub-pgd.summary.json" < "$sub-pgd.jsonl" > "$sub-pgd.eval.jsonl" || true
  files=()
  for m in none dualtap; do
    if [ -s "$WORK/$m-$N.eval.jsonl" ]; then
      head -n "$PGD_N" "$WORK/$m-$N.eval.jsonl" > "$sub-$m.eval.jsonl"
      files+=("$sub-$m.eval.jsonl")
    fi
  done
  files+=("$sub-pgd.eval.jsonl")
  echo "== pgd ($PGD_STEPS steps, eps $EPS) against dualtap on the first $PGD_N of those screens"
  "$BIN/dtap-eval" --compare "${files[@]}"
fi
