# Shared set-up for the BATS suite: the installed layout comes first on PATH.
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

: "${DTAP_STAGE:?run through make bats (DTAP_STAGE = staged install)}"
: "${DTAP_BUILD:?run through make bats (DTAP_BUILD = build folder)}"
export PATH="$DTAP_STAGE/bin:$PATH"
export NO_COLOR=1

# Every line of a file is a JSON object.
assert_jsonl() {
  local file=$1
  [ -s "$file" ] || fail "$file is empty"
  jq -e -s 'all(type == "object")' "$file" >/dev/null || fail "$file is not JSON Lines of objects"
}

# Exactly one line on stderr, naming the tool.
assert_one_line_error() {
  local tool=$1
  [ "$(printf '%s\n' "$stderr" | grep -c .)" -eq 1 ] || fail "expected one stderr line, got: $stderr"
  [[ "$stderr" == "$tool:"* ]] || fail "stderr does not name $tool: $stderr"
}
