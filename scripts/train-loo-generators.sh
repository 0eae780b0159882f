#!/usr/bin/env bash
# Leave-one-family-out generators: for each surrogate reader family F, a
# generator trained with the shipped generator's settings against every
# shipped reader except F's (scripts/train-generator.sh), so that F can be
# used as a router it never saw (bench/transfer.sh with METHODS="gen:...").
# Each manifest names the families seen (training.reader_families) and left
# out (training.families_left_out).
#   scripts/train-loo-generators.sh        (writes build/loo-no-<family>/generator.pt)
# Environment: DTAP_BIN (programs, default build/bin), FAMILIES (default: every
# shipped reader-*.pt), THREADS (default 1), and train-generator.sh's own.
set -euo pipefail
cd "$(dirname "$0")/.."
models=share/dtap/models
FAMILIES=${FAMILIES:-$(for f in "$models"/reader-*.pt; do basename "$f" .pt | sed 's/^reader-//'; done)}
for left_out in $FAMILIES; do
  readers=""
  for f in "$models"/reader-*.pt; do
    [ "$f" = "$models/reader-$left_out.pt" ] || readers="$readers $f"
  done
  [ -n "$readers" ] || { echo "train-loo-generators.sh: no reader left once $left_out is out" >&2; exit 1; }
  echo "== without $left_out: readers$readers" >&2
  READERS="${readers# }" WORK="build/generator-no-$left_out" OUT="build/loo-no-$left_out" scripts/train-generator.sh
  jq -c '.training | {reader_families, families_left_out}' "build/loo-no-$left_out/generator.pt.json" >&2
done
