#!/usr/bin/env bats
load helpers

setup() { cd "$BATS_TEST_TMPDIR"; }

# Width and height of a PNG from its IHDR chunk.
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{printf "%dx%d\n", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'; }

@test "protect --help shows a pipeline example and every method" {
  run --separate-stderr dtap-protect --help
  assert_success
  assert_output --partial "dtap-annotate shots/ | dtap-protect -o protected/ | dtap-eval"
  for m in dualtap pgd mask blur mosaic noise decoy none; do assert_output --partial "$m"; done
}

@test "baselines write same-size PNGs and protect records; only PII boxes change" {
  dtap-synth -n 2 --seed 3 --size 720x1600 -o shots > shots.jsonl
  for m in mask blur mosaic noise decoy none; do
    eps=(); case $m in noise|decoy) eps=(--epsilon 0.2) ;; esac
    run --separate-stderr dtap-protect --method $m "${eps[@]}" -o out-$m < shots.jsonl
    assert_success
    printf '%s\n' "$output" > $m.jsonl
    assert_jsonl $m.jsonl
    [ "$(wc -l < $m.jsonl)" -eq 2 ]
    jq -e -s --arg m "$m" 'all(.error == null and .protect.method == $m and (.protected | startswith("out-"))
                                and (.protect.ms | type == "number") and .pii == (.pii))' $m.jsonl
    for f in out-$m/*.png; do [ "$(png_size "$f")" = "720x1600" ]; done
    [ -z "$(ls -A out-$m | grep -v '\.png$')" ]   # no temporary files left
  done
  jq -e -s 'all(.protect.psnr > 20)' mask.jsonl
  jq -e -s 'all(.protect.psnr == null)' none.jsonl     # identical image
  jq -e -s 'all(.protect.epsilon == 0.2)' noise.jsonl decoy.jsonl
  jq -e -s 'all(.protect.epsilon == null)' mosaic.jsonl
  # Given an epsilon, mosaic is bounded by it: less change, higher PSNR, epsilon reported.
  run --separate-stderr dtap-protect --method mosaic --epsilon 0.2 -o out-mosaic-0.2 < shots.jsonl
  assert_success
  printf '%s\n' "$output" > mosaic-0.2.jsonl
  jq -e -s 'all(.protect.epsilon == 0.2)' mosaic-0.2.jsonl
  jq -e -s --slurpfile free mosaic.jsonl '[.[].protect.psnr] as $b | [$free[].protect.psnr] as $f
                                          | all(range(0; length); $b[.] > $f[.])' mosaic-0.2.jsonl
  for f in shots/*.png; do cmp "$f" "out-none/$(basename "$f")"; done
  # "protected" PNGs differ from the originals for the real baselines
  ! cmp -s shots/$(ls shots | head -1) out-mask/$(ls shots | head -1)
}

@test "--attention box ignores a record's attention map; --attention record uses it" {
  dtap-synth -n 1 --seed 3 --size 720x1600 -o shots > shots.jsonl
  # dtap-attend gives an all-zero map to a record without PII.
  jq -c '.pii = []' shots.jsonl | dtap-attend -q -o att > att.jsonl
  jq -c --slurpfile a att.jsonl '.attention = $a[0].attention' shots.jsonl > with-map.jsonl
  jq -e '.attention | type == "string"' with-map.jsonl
  run --separate-stderr dtap-protect --method noise --epsilon 0.3 -o out-box < with-map.jsonl
  assert_success
  echo "$output" | jq -e '.protect.psnr | type == "number"'     # the PII boxes changed
  run --separate-stderr dtap-protect --method noise --epsilon 0.3 --attention record -o out-rec < with-map.jsonl
  assert_success
  echo "$output" | jq -e '.protect.psnr == null'                # the zero map changed nothing
  run --separate-stderr dtap-protect --attention grad -o out-bad < with-map.jsonl
  assert_failure 2
}

@test "protect never writes over its input, even with --force" {
  dtap-synth -n 2 --seed 1 -o shots > shots.jsonl
  before=$(sha256sum shots/*.png)
  run --separate-stderr dtap-protect --method mask --force -o shots < shots.jsonl
  assert_failure 1
  [ "$(printf '%s\n' "$output" | jq -r .error | grep -c 'it is an input')" -eq 2 ]
  [ "$before" = "$(sha256sum shots/*.png)" ]
}

@test "an existing output is kept unless --force" {
  dtap-synth -n 1 --seed 1 -o shots > shots.jsonl
  dtap-protect --method blur -o out < shots.jsonl > /dev/null
  run --separate-stderr dtap-protect --method mask -o out < shots.jsonl
  assert_failure 1
  assert_output --partial "refusing to overwrite"
  run --separate-stderr dtap-protect --method mask --force -o out < shots.jsonl
  assert_success
}

@test "--shard K/N splits a batch: every record exactly once" {
  dtap-synth -n 7 --seed 2 --size 720x1600 -o shots > shots.jsonl
  for k in 1 2 3; do dtap-protect --method none --shard $k/3 -o out < shots.jsonl > part$k.jsonl; done
  diff <(jq -r .id shots.jsonl | sort) <(cat part1.jsonl part2.jsonl part3.jsonl | jq -r .id | sort)
  [ "$(ls out/*.png | wc -l)" -eq 7 ]
  run --separate-stderr dtap-protect --method none --shard 4/3 -o out2 < shots.jsonl
  assert_failure 2
  assert_one_line_error dtap-protect
}

@test "bad records get an error, the rest is protected, exit 1" {
  dtap-synth -n 2 --seed 4 --size 720x1600 -o shots > shots.jsonl
  { head -1 shots.jsonl; echo '{"id": "ghost", "image": "nope/ghost.png"}'; echo 'not json'; tail -1 shots.jsonl; } > mixed.jsonl
  run --separate-stderr dtap-protect --method mosaic -o out < mixed.jsonl
  assert_failure 1
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 4 ]
  [ "$(printf '%s\n' "$output" | jq -s '[.[] | select(.error == null)] | length')" -eq 2 ]
  printf '%s\n' "$output" | jq -e -s '.[1].error | startswith("dtap-protect: ")'
  [ "$(ls out/*.png | wc -l)" -eq 2 ]
  [[ "$stderr" == *"ghost"* ]]
}

@test "a corrupt or missing model is one clear error" {
  dtap-synth -n 1 --seed 1 -o shots > shots.jsonl
  echo garbage > bad.pt
  echo '{"kind": "generator", "arch": {"arch": "unet-film", "channels": [8, 16], "groups": 4, "eps": 0.2}}' > bad.pt.json
  run --separate-stderr dtap-protect -m bad.pt -o out < shots.jsonl
  assert_failure 1
  assert_one_line_error dtap-protect
  [[ "$stderr" == *"corrupt"* ]]
  [ -z "$output" ]
  run --separate-stderr dtap-protect -m missing.pt -o out < shots.jsonl
  assert_failure 1
  assert_one_line_error dtap-protect
  [[ "$stderr" == *"not found"* ]]
}

@test "usage errors exit 2" {
  run --separate-stderr dtap-protect --method nope -o out
  assert_failure 2
  run --separate-stderr dtap-protect --method mask
  assert_failure 2
  run --separate-stderr dtap-protect --epsilon 3 -o out
  assert_failure 2
}

@test "dualtap with the shipped model keeps the size and changes only PII boxes" {
  [ -f "$DTAP_STAGE/share/dtap/models/generator.pt" ] || skip "no shipped generator yet"
  dtap-synth -n 2 --seed 8 --size 720x1600 -o shots > shots.jsonl
  run --separate-stderr dtap-protect -o out --seed 1 < shots.jsonl
  assert_success
  printf '%s\n' "$output" > p.jsonl
  jq -e -s 'all(.error == null and .protect.method == "dualtap" and (.protect.model | endswith("generator.pt"))
               and .protect.epsilon > 0 and .protect.psnr > 25)' p.jsonl
  for f in out/*.png; do [ "$(png_size "$f")" = "720x1600" ]; done
}

@test "decoy is seeded: the same --seed gives the same PNGs, another seed others" {
  dtap-synth -n 1 --seed 3 --size 720x1600 -o shots > shots.jsonl
  dtap-protect -q --method decoy --seed 5 -o a < shots.jsonl > /dev/null
  dtap-protect -q --method decoy --seed 5 -o b < shots.jsonl > /dev/null
  dtap-protect -q --method decoy --seed 6 -o c < shots.jsonl > /dev/null
  f=$(ls a | head -1)
  cmp "a/$f" "b/$f"
  ! cmp -s "a/$f" "c/$f"
}
