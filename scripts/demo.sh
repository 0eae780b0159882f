#!/usr/bin/env bash
# make demo: the whole pipeline on a dozen synthetic screens (plus any
# screenshots in DEMO_DIR) with the shipped models:
#   dtap-annotate | dtap-attend | dtap-protect | dtap-eval
# then one comparison table (unprotected / mask / noise / dualtap) and a montage.
set -euo pipefail
: "${DTAP_STAGE:?run through make demo}"
export PATH="$DTAP_STAGE/bin:$PATH"
out=${DEMO_OUT:-demo-out}
rm -rf "$out"
mkdir -p "$out"
jobs=$(nproc)

echo "demo: rendering 12 synthetic screens (seed 1001, never used for training)" >&2
dtap-synth -q -n 12 --seed 1001 --size mixed -o "$out/shots" > "$out/truth.jsonl"
inputs=("$out/shots")
if [ -n "${DEMO_DIR:-}" ]; then
  echo "demo: adding your screenshots from $DEMO_DIR (no ground truth: they get detections and quality only)" >&2
  inputs+=("$DEMO_DIR")
fi

echo "demo: dtap-annotate (OCR + PII recognisers) -> dtap-attend (contrastive attention)" >&2
dtap-annotate -q -j "$jobs" "${inputs[@]}" > "$out/annotated.jsonl" || true
dtap-attend -q -o "$out/attention" < "$out/annotated.jsonl" > "$out/attended.jsonl" || true

# The shipped generator was trained with box masks (the PII boxes dtap-annotate
# found); dtap-attend's sparser gradient maps would leave most glyph pixels
# untouched, so protection gets the annotated records and the attention map
# is drawn in the montage for comparison.
declare -A streams=([unprotected]="$out/annotated.jsonl")
eps=$(jq -r .eps "$DTAP_STAGE/share/dtap/models/generator.pt.json")  # noise at the generator's bound
for method in mask noise dualtap; do
  echo "demo: dtap-protect --method $method" >&2
  bound=()
  [ "$method" = noise ] && bound=(--epsilon "$eps")
  dtap-protect -q --method "$method" "${bound[@]}" -o "$out/protected-$method" < "$out/annotated.jsonl" \
    | jq -c --slurpfile att <(jq -s 'map({(.id): .attention}) | add' "$out/attended.jsonl") \
        '.attention = ($att[0][.id] // null)' > "$out/$method.jsonl" || true
  streams[$method]="$out/$method.jsonl"
done

echo "demo: dtap-eval (Tesseract as router and agent; also after jpeg:75 and scale:0.5)" >&2
evaluated=()
for name in unprotected mask noise dualtap; do
  extra=()
  [ "$name" = dualtap ] && extra=(--montage "$out/montage.png" --montage-count 4)
  # Synthetic screens are scored against their ground truth; your own screenshots against the detections.
  dtap-eval -q -j "$jobs" --truth "$out/truth.jsonl" --router-transform jpeg:75 --router-transform scale:0.5 "${extra[@]}" \
    < <(jq -c --slurpfile t <(jq -s 'map(.id)' "$out/truth.jsonl") 'select(.id as $i | $t[0] | index($i))' "${streams[$name]}") \
    > "$out/eval-$name.jsonl" || true
  evaluated+=("$out/eval-$name.jsonl")
done
# Rename for the table: the table names rows by file stem.
mkdir -p "$out/table"
for name in unprotected mask noise dualtap; do cp "$out/eval-$name.jsonl" "$out/table/$name.jsonl"; done
dtap-eval -q --compare "$out/table/unprotected.jsonl" "$out/table/mask.jsonl" "$out/table/noise.jsonl" "$out/table/dualtap.jsonl"
echo "demo: montage (original | attention | protected | |diff| x8) in $out/montage.png; everything else in $out/" >&2
