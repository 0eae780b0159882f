#!/usr/bin/env bash
# Transfer table: every protection method against every router, most of which
# the generator never trained on. Held-out synthetic screens (seed 1001),
# protected from dtap-annotate's boxes (never ground truth), measured by
# dtap-eval against the truth.
#   bench/transfer.sh [N]        (N screens, default 100)
# Environment: DTAP_BIN (default build/bin), WORK (default build/bench-transfer),
# METHODS (default "none mask blur mosaic noise decoy dualtap"; "pgd" and any
# "gen:NAME=MODEL" such as a leave-one-out generator may be added; METHOD@E runs a
# method at eps E, e.g. "blur@0.38 decoy@0.27" for the frontier at equal budget), ROUTERS
# (default "reader:share/dtap/models/reader-conv.pt reader:share/dtap/models/reader-crnn.pt reader:share/dtap/models/reader-svtr.pt
# tesseract tesseract:script/Latin gocr ocrad"), SEED (default the held-out 1001; 3003 to choose settings), EPS (noise, decoy, pgd: default
# the shipped generator's), TRANSFORMS (default "jpeg:75 scale:0.5"; "" skips them), THREADS.
# Rows: method x router; PLR/base is against the unprotected row of that router.
# TSR: the Tesseract agent for Tesseract routers, the neural reader agent for
# reader routers (none for gocr/ocrad, which give no boxes). PLR[jpeg:75] and
# PLR[scale:0.5] for the Tesseract and reader routers.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100}
. bench/lib.sh
bench_init build/bench-transfer
METHODS=${METHODS:-"none mask blur mosaic noise decoy dualtap"}
ROUTERS=${ROUTERS:-"reader:share/dtap/models/reader-conv.pt reader:share/dtap/models/reader-crnn.pt reader:share/dtap/models/reader-svtr.pt tesseract tesseract:script/Latin gocr ocrad"}
EPS=${EPS:-$(jq -r .eps "$MODEL.json")}
TRANSFORMS=${TRANSFORMS-"jpeg:75 scale:0.5"}
export DTAP_THREADS=$THREADS

# SEED=3003 (the validation seed) for choosing settings; figures are reported on the held-out seed.
SEED=${SEED:-$HELDOUT_SEED}
held="$WORK/held-$SEED-$N"
annotated_set "$held" "$SEED" "$N" mixed

slug() { printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '_'; }
for m in $METHODS; do
  name=${m%%=*}; name=${name#gen:}
  out="$WORK/$(slug "$name")-$N"
  # METHOD@E: that method at eps E (mask, blur and mosaic are unbounded without it).
  method=$m; eps=$EPS
  case $m in gen:*) ;; *@*) method=${m%@*}; eps=${m#*@} ;; esac
  args=(--method "$method")
  case $m in
    noise*|decoy*|pgd*|mask@*|blur@*|mosaic@*) args+=(--epsilon "$eps") ;;
    dualtap) args+=(-m "$MODEL") ;;
    gen:*) args=(--method dualtap -m "${m#*=}") ;;
  esac
  [ -s "$out.jsonl" ] || "$BIN/dtap-protect" "${args[@]}" --force -q -o "$out" < "$held-annotated.jsonl" > "$out.jsonl" || true
  for r in $ROUTERS; do
    summary="$out.$(slug "$r").json"
    [ -s "$summary" ] && continue
    agent=(--agent tesseract); transforms=()
    for t in $TRANSFORMS; do transforms+=(--router-transform "$t"); done
    case $r in
      reader*) agent=(--agent "$r") ;;
      gocr|ocrad) transforms=(); agent=() ;;  # TSR comes from the Tesseract rows
    esac
    "$BIN/dtap-eval" -q --truth "$held.jsonl" --router "$r" "${agent[@]}" "${transforms[@]}" --summary "$summary" \
      < "$out.jsonl" > /dev/null || true
  done
done

echo "== $N screens of seed $SEED ($([ "$SEED" = "$HELDOUT_SEED" ] && echo held-out || echo NOT held-out)), dtap-annotate boxes; eps $EPS for noise/decoy/pgd (METHOD@E rows at E); the generator saw: $(jq -r '.training.readers | join(", ")' "$MODEL.json")"
printf '%-12s %-24s %6s %8s %6s %7s %8s %8s %9s %9s\n' method router PLR PLR/base TSR PSNR PSNR-in SSIM-out "PLR[jpg]" "PLR[0.5]"
for r in $ROUTERS; do
  base=$(jq -r .plr "$WORK/none-$N.$(slug "$r").json" 2>/dev/null || echo null)
  for m in $METHODS; do
    name=${m%%=*}; name=${name#gen:}
    f="$WORK/$(slug "$name")-$N.$(slug "$r").json"
    [ -s "$f" ] || continue
    jq -r --arg m "$name" --arg r "${r#reader:share/dtap/models/}" --argjson base "$base" '
      def f(x; d): if x == null then "-" else (x * pow(10; d) | round / pow(10; d) | tostring) end;
      [$m, $r, f(.plr; 3), (if $base and $base > 0 and .plr != null then f(.plr / $base; 3) else "-" end),
       f(.tsr; 3), f(.psnr; 2), f(.psnr_pii; 2), f(.ssim_outside; 4),
       f(.transforms["jpeg:75"].plr; 3), f(.transforms["scale:0.5"].plr; 3)] | @tsv' "$f" |
      awk -F'\t' '{ printf "%-12s %-24s %6s %8s %6s %7s %8s %8s %9s %9s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
  done
done
