#!/usr/bin/env bash
# Trains dtap-annotate's line classifier (share/dtap/models/pii-lines.json) on
# synthetic screens with held-out names (seed 21) and the dev split of the real
# set (its images from scripts/real-set.sh extract), and measures it by
# two-fold cross-validation over the dev apps (the test split is never used).
#   scripts/train-pii-lines.sh        (uses build/bin, works in build/pii-lines)
# Environment: DTAP_BIN, WORK, OUT, SCREENS (synthetic screens, default 150).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${DTAP_BIN:-build/bin}
WORK=${WORK:-build/pii-lines}
OUT=${OUT:-share/dtap/models}
SCREENS=${SCREENS:-150}
mkdir -p "$WORK"
scripts/real-set.sh check
annotate() { "$BIN/dtap-annotate" -q -j 2 --line-classifier none < "$1" > "$2" 2>/dev/null || true; }

"$BIN/dtap-synth" -n "$SCREENS" --seed 21 --size mixed --names heldout -q --force -o "$WORK/synth" > "$WORK/synth-truth.jsonl"
jq -c '{id, image}' "$WORK/synth-truth.jsonl" > "$WORK/synth-in.jsonl"
annotate "$WORK/synth-in.jsonl" "$WORK/synth-found.jsonl"
images=$(cd data/real/images && pwd)
scripts/real-set.sh records | jq -c --arg dir "$images" 'select(.split == "dev") | {id, app, image: ($dir + "/" + .image), pii}' \
  > "$WORK/dev-truth.jsonl"
jq -c '{id, image}' "$WORK/dev-truth.jsonl" > "$WORK/dev-in.jsonl"
annotate "$WORK/dev-in.jsonl" "$WORK/dev-found.jsonl"

# Two folds of dev apps (alternate apps in name order): train on one with the
# synthetic screens, annotate the other.
jq -r .app "$WORK/dev-truth.jsonl" | sort -u | awk 'NR % 2 == 1' > "$WORK/fold-a.txt"
in_fold() { jq -c --rawfile apps "$WORK/fold-a.txt" "select((.id | sub(\"_[0-9]+$\"; \"\")) as \$a | (\$apps | split(\"\\n\") | index(\$a)) $1)" "$2"; }
for f in a b; do
  [ $f = a ] && keep='!= null' || keep='== null'
  [ $f = a ] && other='== null' || other='!= null'
  in_fold "$keep" "$WORK/dev-found.jsonl" > "$WORK/train-$f.jsonl"
  in_fold "$other" "$WORK/dev-in.jsonl" > "$WORK/held-$f.jsonl"
  "$BIN/dtap-train" pii-lines --data "$WORK/synth-found.jsonl" --data "$WORK/train-$f.jsonl" \
    --truth "$WORK/synth-truth.jsonl" --truth "$WORK/dev-truth.jsonl" -o "$WORK/cv-$f.json" --force > /dev/null
  "$BIN/dtap-annotate" -q -j 2 --line-classifier "$WORK/cv-$f.json" < "$WORK/held-$f.jsonl" > "$WORK/cv-found-$f.jsonl" 2>/dev/null || true
  "$BIN/dtap-annotate" -q -j 2 --line-classifier none < "$WORK/held-$f.jsonl" > "$WORK/rules-found-$f.jsonl" 2>/dev/null || true
done
score="$BIN/score-annotate"
cat "$WORK"/cv-found-[ab].jsonl > "$WORK/cv-found.jsonl"
cat "$WORK"/rules-found-[ab].jsonl > "$WORK/rules-found.jsonl"
echo "two-fold cross-validation over dev apps: rules only, then rules + classifier" >&2
cv_rules=$("$score" "$WORK/dev-truth.jsonl" "$WORK/rules-found.jsonl" --any-label --json)
cv_model=$("$score" "$WORK/dev-truth.jsonl" "$WORK/cv-found.jsonl" --any-label --json)
echo "$cv_rules" | jq -c .overall >&2
echo "$cv_model" | jq -c .overall >&2

"$BIN/dtap-train" pii-lines --data "$WORK/synth-found.jsonl" --data "$WORK/dev-found.jsonl" \
  --truth "$WORK/synth-truth.jsonl" --truth "$WORK/dev-truth.jsonl" -o "$WORK/pii-lines.json" --force > /dev/null
jq --argjson rules "$(echo "$cv_rules" | jq .overall)" --argjson model "$(echo "$cv_model" | jq .overall)" \
  '.manifest.cross_validation = {"folds": "2, by dev app", "rules_only": $rules, "with_classifier": $model}' \
  "$WORK/pii-lines.json" > "$OUT/pii-lines.json.tmp"
mv "$OUT/pii-lines.json.tmp" "$OUT/pii-lines.json"
