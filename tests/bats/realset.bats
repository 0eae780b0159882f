#!/usr/bin/env bats
# The labelled real set's records (labels and provenance; the images are fetched, not committed).
load helpers

setup() { cd "$BATS_TEST_TMPDIR"; }
real_set() { "$BATS_TEST_DIRNAME/../../scripts/real-set.sh" "$@"; }

@test "every labelled record is complete, with its provenance and a split by app" {
  real_set records > records.jsonl
  [ "$(wc -l < records.jsonl)" -ge 100 ]
  [ "$(jq -r .app records.jsonl | sort -u | wc -l)" -ge 25 ]
  jq -e -s 'all(.[]; (.id | type == "string") and (.image | test("^[a-z0-9-]+/")) and (.split | IN("dev", "test"))
                     and (.source.repo | test("^[^/]+/[^/]+$")) and (.source.commit | test("^[0-9a-f]{40}$"))
                     and (.source.sha256 | test("^[0-9a-f]{64}$")) and (.source.licence | length > 0)
                     and all(.pii[]; (.label | IN("name","email","phone","address","username","ip","card","iban",
                                                   "date_of_birth","id_number","url_token","secret","other"))
                                     and (.text | length > 0) and ((.bbox // [0,0,1,1]) | length == 4)))' records.jsonl
  # ids are unique, and an app is wholly in one split
  [ -z "$(jq -r .id records.jsonl | sort | uniq -d)" ]
  [ "$(jq -r '[.app, .split] | @tsv' records.jsonl | sort -u | cut -f1 | uniq -d)" = "" ]
  # none from the repositories reserved for outside evaluation
  ! jq -r .source.repo records.jsonl | grep -qiE '^(FossifyOrg|SimpleMobileTools)/|^(iNPUTmice/Conversations|M66B/FairEmail|tuskyapp/Tusky|nextcloud/talk-android|deltachat/deltachat-android|thunderbird/thunderbird-android|k9mail/k-9|Kunzisoft/KeePassDX|Etar-Group/Etar-Calendar|mtotschnig/MyExpenses)$'
}

@test "check names what is missing and fails when the images are not there; bad verbs exit 2" {
  mkdir empty
  run --separate-stderr env REAL_IMAGES=empty MIRROR=nowhere "$BATS_TEST_DIRNAME/../../scripts/real-set.sh" check
  assert_failure 1
  [[ "$stderr" == *"missing (fetch "* ]]
  [[ "$stderr" == *"0 of "* ]]
  run --separate-stderr "$BATS_TEST_DIRNAME/../../scripts/real-set.sh" fly
  assert_failure 2
}
