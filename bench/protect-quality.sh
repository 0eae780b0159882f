#!/usr/bin/env bash
# Privacy / utility / quality of every dtap-protect method on held-out synthetic
# screens (seed 1001, never trained on), annotated by dtap-annotate (not ground
# truth: protection only sees what the annotator found), measured by dtap-eval
# with Tesseract as router and agent, clean and after the router transforms
# jpeg:75 and scale:0.5. Prints one dtap-eval --compare table per condition.
#   bench/protect-quality.sh [N]        (N screens, default 100)
# Environment: DTAP_BIN (programs, default build/bin), WORK (scratch, default
# build/bench-protect), METHODS (default "none dualtap pgd noise mask blur mosaic"),
# EPS (for noise and pgd; default: the shipped generator's eps), THREADS, PGD_STEPS.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100}
BIN=${DTAP_BIN:-build/bin}
WORK=${WORK:-build/bench-protect}
THREADS=${THREADS:-2}
METHODS=${METHODS:-"none dualtap pgd noise mask blur mosaic"}
PGD_STEPS=${PGD_STEPS:-40}
if [ -z "${EPS:-}" ]; then
  EPS=$(jq -r .eps share/dtap/models/generator.pt.json 2>/dev/null || echo 0.4)
fi
mkdir -p "$WORK"
export DTAP_THREADS=$THREADS NO_COLOR=1

held="$WORK/held-$N"
if [ ! -s "$held.jsonl" ]; then
  "$BIN/dtap-synth" -n "$N" --seed 1001 --size mixed -o "$held" --force > "$held.jsonl.tmp"
  mv "$held.jsonl.tmp" "$held.jsonl"
fi
if [ ! -s "$held-annotated.jsonl" ]; then
  "$BIN/dtap-annotate" "$held" > "$held-annotated.jsonl.tmp" || true   # records that failed carry an error
  mv "$held-annotated.jsonl.tmp" "$held-annotated.jsonl"
fi
echo "annotated: $(jq -s '[.[].pii | length] | add' "$held-annotated.jsonl") PII spans found," \
     "truth has $(jq -s '[.[].pii | length] | add' "$held.jsonl")" >&2

for m in $METHODS; do
  out="$WORK/$m-$N"
  extra=()
  case $m in
    noise) extra=(--epsilon "$EPS") ;;
    pgd) extra=(--epsilon "$EPS" --steps "$PGD_STEPS") ;;
  esac
  start=$(date +%s.%N)
  "$BIN/dtap-protect" --method "$m" "${extra[@]}" --force -q -o "$out" < "$held-annotated.jsonl" > "$out.jsonl" || true
  end=$(date +%s.%N)
  printf '%-8s protect: %6.1f ms/screen (mean of protect.ms), wall %.1f s for %d screens\n' "$m" \
    "$(jq -s '[.[] | .protect.ms // empty] | add / length' "$out.jsonl")" "$(echo "$end - $start" | bc)" "$N" >&2
  for t in clean jpeg:75 scale:0.5; do
    tr=()
    [ "$t" = clean ] || tr=(--router-transform "$t")
    tag=${t//:/}
    "$BIN/dtap-eval" --truth "$held.jsonl" "${tr[@]}" -q --summary "$out-$tag.summary.json" \
      < "$out.jsonl" > "$out-$tag.eval.jsonl" || true
  done
done

for t in clean jpeg75 scale0.5; do
  echo "== router: tesseract, transform: $t, $N held-out screens (seed 1001), dtap-annotate boxes"
  files=()
  for m in $METHODS; do files+=("$WORK/$m-$N-$t.eval.jsonl"); done
  "$BIN/dtap-eval" --compare "${files[@]}"
done
