# Shared by the bench scripts (sourced): where the programs are.
# tool NAME: $DTAP_BIN/NAME, else $DTAP_BUILD/bin/NAME (test helpers such as
# score-annotate live only there), else NAME on PATH; exit 2 when none.
tool() {
  if [ -n "${DTAP_BIN:-}" ] && [ -x "$DTAP_BIN/$1" ]; then echo "$DTAP_BIN/$1"
  elif [ -n "${DTAP_BUILD:-}" ] && [ -x "$DTAP_BUILD/bin/$1" ]; then echo "$DTAP_BUILD/bin/$1"
  elif command -v "$1" >/dev/null; then command -v "$1"
  else echo "$(basename "$0"): $1 not found (set DTAP_BIN, DTAP_BUILD or PATH)" >&2; exit 2; fi
}
