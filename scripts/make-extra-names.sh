#!/usr/bin/env bash
# Builds share/dtap/pii/names/detector-extra.txt from the npm package humannames
# 1.0.5 (MIT, Copyright (c) 2017 Alex Corvi; ~197k first and last names from
# censuses and social media, roles not told apart): one run, output committed.
# Kept: capitalised alphabetic names of 3+ letters that are no dictionary word
# (pii/common_words.txt), not already in detector-first/last.txt, and never one
# of the held-out names (names/heldout-*.txt) or a one-word region, so that `dtap-synth --names
# heldout` still measures names the detector cannot look up.
#   scripts/make-extra-names.sh     (needs npm and the registry)
set -euo pipefail
cd "$(dirname "$0")/.."
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
(cd "$d" && npm pack -q humannames@1.0.5 >/dev/null && tar xzf humannames-1.0.5.tgz)
names=share/dtap/pii/names
lower_sorted() { tr 'A-Z' 'a-z' | LC_ALL=C sort -u; }
LC_ALL=C sort -u share/dtap/pii/common_words.txt > "$d/common"
cat "$names"/heldout-first.txt "$names"/heldout-last.txt | grep -v '^#' | lower_sorted > "$d/heldout"
# Known names, and one-word countries and regions ("India" is a place before it is a surname).
{ cat "$names"/detector-first.txt "$names"/detector-last.txt; grep -v ' ' share/dtap/pii/regions.txt; } | grep -v '^#' | lower_sorted > "$d/known"
{
  echo "# Names of humannames 1.0.5 (npm, MIT licence, Copyright (c) 2017 Alex Corvi) that no"
  echo "# other list or dictionary holds; made by scripts/make-extra-names.sh. Read as surnames."
  tr -d '\r' < "$d/package/list.txt" | grep -E '^[A-Z][a-z]{2,}$' | lower_sorted |
    LC_ALL=C comm -23 - "$d/common" | LC_ALL=C comm -23 - "$d/heldout" | LC_ALL=C comm -23 - "$d/known"
} > "$names/detector-extra.txt"
wc -l "$names/detector-extra.txt"
