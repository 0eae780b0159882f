# Shared by the bench scripts (sourced): where the programs are, and the
# synthetic sets every figure is measured on, each built once and cached.

# The held-out synthetic seed (never trained on, never tuned on: report only)
# and the validation seed (settings are chosen on it).
HELDOUT_SEED=1001
VALIDATION_SEED=3003

# tool NAME: $DTAP_BIN/NAME, else $DTAP_BUILD/bin/NAME (test helpers such as
# score-annotate live only there), else NAME on PATH; exit 2 when none.
tool() {
  if [ -n "${DTAP_BIN:-}" ] && [ -x "$DTAP_BIN/$1" ]; then echo "$DTAP_BIN/$1"
  elif [ -n "${DTAP_BUILD:-}" ] && [ -x "$DTAP_BUILD/bin/$1" ]; then echo "$DTAP_BUILD/bin/$1"
  elif command -v "$1" >/dev/null; then command -v "$1"
  else echo "$(basename "$0"): $1 not found (set DTAP_BIN, DTAP_BUILD or PATH)" >&2; exit 2; fi
}

# cached FILE COMMAND...: runs COMMAND with stdout to FILE unless FILE is
# already there and not empty; written through FILE.tmp, so an interrupted
# step is redone next time. A failing COMMAND keeps its output (records that
# failed carry their error) and the script goes on.
cached() {
  local file=$1; shift
  [ -s "$file" ] && return 0
  "$@" > "$file.tmp" || true
  mv "$file.tmp" "$file"
}

# synth_set DIR SEED N SIZE: DIR.jsonl holds N dtap-synth records of SEED at
# SIZE (images in DIR), built once.
synth_set() {
  local dir=$1 seed=$2 n=$3 size=$4
  cached "$dir.jsonl" "$(tool dtap-synth)" -q -n "$n" --seed "$seed" --size "$size" -o "$dir" --force
}

# annotated_set DIR SEED N SIZE: synth_set, then DIR-annotated.jsonl, dtap-annotate's
# records for it (what protection sees: the annotator's boxes, never the truth).
annotated_set() {
  synth_set "$@"
  cached "$1-annotated.jsonl" "$(tool dtap-annotate)" -q "$1"
}

# bench_init DEFAULT_WORK: the settings every protection bench shares: BIN
# (programs: $DTAP_BIN, else build/bin), WORK (scratch, cached sets; created),
# THREADS (default 2) and MODEL (the generator, default the shipped one).
bench_init() {
  BIN=${DTAP_BIN:-build/bin}
  export DTAP_BIN=$BIN NO_COLOR=1
  WORK=${WORK:-$1}
  THREADS=${THREADS:-2}
  MODEL=${MODEL:-share/dtap/models/generator.pt}
  mkdir -p "$WORK"
}
