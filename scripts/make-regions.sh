#!/usr/bin/env bash
# Builds share/dtap/pii/regions.txt, the place gazetteer of dtap-annotate's
# "Town, Region, Country" recogniser, from Debian's iso-codes (LGPL-2.1-or-later):
# every country's name and common name (ISO 3166-1) and every subdivision's name
# (ISO 3166-2: states, provinces, cantons, counties, departments...), without
# names that hold a comma or a bracket ("Korea, Republic of") or that are
# lower-case dictionary words, plus the English short forms that screens show
# and ISO does not name (USA, UK, England...). One run; the output is committed.
#   scripts/make-regions.sh [ISO_CODES_JSON_DIR] > share/dtap/pii/regions.txt
set -euo pipefail
dir=${1:-/usr/share/iso-codes/json}
root=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$dir/iso_3166-1.json" ] || { echo "make-regions: no $dir/iso_3166-1.json (apt-get install iso-codes)" >&2; exit 2; }
{
  jq -r '.["3166-1"][] | .name, (.common_name // empty)' "$dir/iso_3166-1.json"
  jq -r '.["3166-2"][] | .name' "$dir/iso_3166-2.json"
  printf '%s\n' USA US UK U.S. U.S.A. England Scotland Wales "Northern Ireland" Bavaria "The Netherlands"
} | grep -v '[,()]' | awk 'length($0) >= 2' |
  awk -v common="$root/share/dtap/pii/common_words.txt" '
    BEGIN { while ((getline w < common) > 0) dict[w] = 1 }
    { if (!(tolower($0) in dict) || $0 ~ /^[A-Z.]+$/) print }' | LC_ALL=C.UTF-8 sort -u
