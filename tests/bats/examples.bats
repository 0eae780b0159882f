#!/usr/bin/env bats
# The installed example experiment (share/dtap/examples/Makefile) at a tiny size.
load helpers

setup_file() {
  export EXAMPLE="$DTAP_STAGE/share/dtap/examples/Makefile"
  export TINY='OUT=sweep TEST_SCREENS=2 TRAIN_SCREENS=4 STEPS=2'
  cd "$BATS_FILE_TMPDIR"
  # shellcheck disable=SC2086
  make -j2 -f "$EXAMPLE" $TINY EPS="0.2 0.4" > make.log 2>&1 || { cat make.log >&3; return 1; }
}

setup() { cd "$BATS_FILE_TMPDIR"; }

@test "make -j2 runs the eps sweep: a table row per eps after the unprotected one, and a PNG chart" {
  run cat sweep/plr-psnr.txt
  assert_line --index 0 --regexp '^input +records +PLR +exact +TSR'
  assert_line --index 1 --regexp '^unprotected +2 +[0-9.]+ '
  assert_line --index 2 --regexp '^dualtap-eps0\.2 +2 +[0-9.]+ '
  assert_line --index 3 --regexp '^dualtap-eps0\.4 +2 +[0-9.]+ '
  # the protected rows have a measured PSNR (column 8)
  [ "$(awk 'NR > 2 && $8 ~ /^[0-9]+\.[0-9]+$/' sweep/plr-psnr.txt | wc -l)" -eq 2 ]
  [ "$(head -c 8 sweep/plr-psnr.png | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ]
  # protection worked from dtap-annotate's detections, one generator per eps
  jq -e -s 'all(.protect.method == "dualtap" and .protect.epsilon == 0.4)' sweep/dualtap-eps0.4/protected.jsonl
  assert_file_exists sweep/generator-eps0.2.pt.json
  [ -z "$(find sweep -name '*.tmp*' -o -name '*.training')" ]
}

@test "a second make has nothing to do; a changed EPS remakes the table, not the generators" {
  # shellcheck disable=SC2086
  run make -q -f "$EXAMPLE" $TINY EPS="0.2 0.4"
  assert_success
  # shellcheck disable=SC2086
  run make -n -f "$EXAMPLE" $TINY EPS="0.4"
  assert_success
  assert_output --partial "dtap-eval -q --compare"
  refute_output --partial "dtap-train"
  refute_output --partial "dtap-protect"
}

@test "help lists the variables; clean removes only what the Makefile made" {
  run make -s -f "$EXAMPLE" help
  assert_success
  assert_output --partial "TEST_SCREENS"
  assert_output --partial "DTAP_BIN"
  mkdir other && touch other/keep
  run make -f "$EXAMPLE" OUT=other clean
  assert_failure
  assert_file_exists other/keep
  run make -f "$EXAMPLE" OUT=sweep clean
  assert_success
  assert_not_exists sweep
}
