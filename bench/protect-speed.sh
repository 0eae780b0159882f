#!/usr/bin/env bash
# Speed and peak memory of dtap-protect on 1080x2400 screenshots: ms per
# screenshot for dualtap and pgd against just decoding + encoding the PNG
# (method none: decode, copy, encode), the ratio (target: dualtap <= 3x), and
# peak resident memory from /usr/bin/time -v (target < 1 GiB).
#   bench/protect-speed.sh [N]          (N screenshots, default 10)
# Environment: DTAP_BIN (default build/bin), WORK (default build/bench-speed),
# THREADS (default 2), PGD_STEPS (default 40), PGD_N (screens for pgd, default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10}
. bench/lib.sh
bench_init build/bench-speed
PGD_STEPS=${PGD_STEPS:-40}
PGD_N=${PGD_N:-3}
shots="$WORK/shots-$N"
synth_set "$shots" "$HELDOUT_SEED" "$N" 1080x2400
head -n "$PGD_N" "$shots.jsonl" > "$shots-pgd.jsonl"

run() {  # name input extra-args... ; prints "name wall_s peak_kib"
  local name=$1 input=$2; shift 2
  /usr/bin/time -v -o "$WORK/$name.time" "$BIN/dtap-protect" -q --threads "$THREADS" --force -o "$WORK/out-$name" "$@" \
    < "$input" > "$WORK/$name.jsonl"
  local wall peak
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s}' "$WORK/$name.time")
  peak=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time")
  echo "$name $wall $peak"
}
read -r _ wall_none peak_none < <(run none "$shots.jsonl" --method none)
read -r _ wall_dual peak_dual < <(run dualtap "$shots.jsonl" --method dualtap)
read -r _ wall_pgd peak_pgd < <(run pgd "$shots-pgd.jsonl" --method pgd --steps "$PGD_STEPS")

# Per screenshot, in process: protect.ms is the protection alone, protect.io_ms
# the PNG decode + encode of the same record.
mean() { jq -s "[.[] | $1] | add / length" "$WORK/$2.jsonl"; }
io=$(mean '.protect.io_ms' none)
dual=$(mean '.protect.ms + .protect.io_ms' dualtap)
dual_only=$(mean '.protect.ms' dualtap)
pgd=$(mean '.protect.ms + .protect.io_ms' pgd)
printf 'screenshots: %d x 1080x2400 (seed 1001), threads %d, %s\n' "$N" "$THREADS" "$(nproc) cores"
printf '%-28s %10.1f ms/screenshot\n' "decode + encode PNG" "$io"
printf '%-28s %10.1f ms/screenshot (generator alone %.1f ms)  ratio %.2fx  (target <= 3x)\n' "dualtap (decode+protect+encode)" "$dual" "$dual_only" "$(echo "$dual / $io" | bc -l)"
printf '%-28s %10.1f ms/screenshot  ratio %.1fx  (%d steps; %.1fx the time of dualtap)\n' "pgd (decode+protect+encode)" "$pgd" "$(echo "$pgd / $io" | bc -l)" "$PGD_STEPS" "$(echo "$pgd / $dual" | bc -l)"
printf 'whole runs (process start, model load): none %.2f s, dualtap %.2f s for %d screenshots; pgd %.2f s for %d\n' "$wall_none" "$wall_dual" "$N" "$wall_pgd" "$PGD_N"
printf 'peak resident memory: none %.0f MiB, dualtap %.0f MiB, pgd %.0f MiB (target < 1024 MiB)\n' \
  "$(echo "$peak_none / 1024" | bc -l)" "$(echo "$peak_dual / 1024" | bc -l)" "$(echo "$peak_pgd / 1024" | bc -l)"
