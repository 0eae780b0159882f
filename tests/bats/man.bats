#!/usr/bin/env bats
# Every option a program's --help lists is documented in its man page.
load helpers

# The long options of a program's --help (and of its subcommands').
help_options() {
  local tool=$1
  {
    "$tool" --help
    if [ "$tool" = dtap-train ]; then for sc in reader eval-reader generator pii-lines; do dtap-train $sc --help; done; fi
  } 2>&1 | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u
}

@test "every --help option of every program is in its man page" {
  missing=()
  for tool in dtap-synth dtap-annotate dtap-attend dtap-train dtap-protect dtap-eval; do
    page="$DTAP_STAGE/share/man/man1/$tool.1"
    [ -f "$page" ] || fail "no man page for $tool"
    # roff writes each '-' of an option as '\-'.
    text=$(sed 's/\\-/-/g' "$page")
    for option in $(help_options "$tool"); do
      grep -q -- "$option\\b" <<< "$text" || missing+=("$tool $option")
    done
  done
  [ ${#missing[@]} -eq 0 ] || fail "missing from the man pages: ${missing[*]}"
}

@test "the check fails for an undocumented option" {
  # A page without --seed must be caught (the test above is not vacuous).
  text=$(sed 's/\\-/-/g' "$DTAP_STAGE/share/man/man1/dtap-synth.1" | grep -v -- '--seed')
  ! grep -q -- "--seed\\b" <<< "$text"
}
