#!/usr/bin/env bash
# The labelled real screenshot set (tests/data/real/labels/*.jsonl, one file per
# labeller): the labels are ours and committed; the images stay in their
# projects' repositories and are materialised from fetched snapshots into
# data/real/images/ (git-ignored).
#   scripts/real-set.sh records    every record, with "split": dev or test, by app: the first
#                                  hex digit of sha256(app) even = dev, odd = test (fixed
#                                  before any figure was seen; tune on dev, report test)
#   scripts/real-set.sh repos      the repositories to fetch (owner/name, one a line)
#   scripts/real-set.sh extract    copy each image out of /work/.mirror/owner+name (the
#                                  search tool's fetch puts snapshots there; MIRROR=...)
#                                  at the recorded commit and path, checking its sha256
#   scripts/real-set.sh check      exit 0 when every image is present with its sha256
# Each record: id, image (relative to data/real/images), app, kind, category,
# theme, source {repo, path, commit, licence, sha256}, pii [{label, text, bbox?}].
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
labels_dir=${REAL_LABELS:-$root/tests/data/real/labels}
images=${REAL_IMAGES:-$root/data/real/images}
mirror=${MIRROR:-/work/.mirror}
command -v jq >/dev/null || { echo "real-set: jq is needed (make deps)" >&2; exit 2; }

records() {
  local splits
  splits=$(cat "$labels_dir"/*.jsonl | jq -r .app | sort -u | while read -r app; do
    case $(printf %s "$app" | sha256sum | cut -c1) in [02468ace]) echo "$app dev" ;; *) echo "$app test" ;; esac
  done | jq -R -s 'split("\n") | map(select(length > 0) | split(" ") | {(.[0]): .[1]}) | add')
  cat "$labels_dir"/*.jsonl | jq -c --argjson s "$splits" '. + {split: $s[.app]}'
}

case "${1:-check}" in
  records)
    records ;;
  repos)
    records | jq -r '.source.repo' | sort -u ;;
  extract|check)
    missing=0
    while IFS=$'\t' read -r image repo path commit sha; do
      file="$images/$image"
      if [ "$1" = extract ] && ! { [ -f "$file" ] && echo "$sha  $file" | sha256sum -c --status; }; then
        git_dir="$mirror/${repo/\//+}/repo"
        [ -d "$git_dir/.git" ] && git_dir="$git_dir/.git"
        if [ -d "$git_dir" ]; then
          mkdir -p "$(dirname "$file")"
          git --git-dir="$git_dir" show "$commit:$path" > "$file.tmp" 2>/dev/null && mv "$file.tmp" "$file" ||
            { rm -f "$file.tmp"; echo "real-set: $image: $repo has no $path at $commit" >&2; }
        fi
      fi
      if [ ! -f "$file" ]; then
        echo "real-set: $image: missing (fetch $repo, then: $0 extract)" >&2
        missing=$((missing + 1))
      elif ! echo "$sha  $file" | sha256sum -c --status; then
        echo "real-set: $image: sha256 differs from the label's" >&2
        missing=$((missing + 1))
      fi
    done < <(records | jq -r '[.image, .source.repo, .source.path, .source.commit, .source.sha256] | @tsv')
    total=$(records | grep -c .)
    echo "real-set: $((total - missing)) of $total images present in $images" >&2
    [ "$missing" -eq 0 ] ;;
  *)
    echo "real-set: usage: $0 records|repos|extract|check" >&2; exit 2 ;;
esac
