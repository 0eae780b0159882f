#!/usr/bin/env bash
# Installs the Debian packages dtap needs; does nothing when all are present.
# Works as root, uses sudo otherwise.
set -euo pipefail
packages=(
  build-essential cmake pkg-config git jq man-db
  libtorch-dev libopenblas0-openmp
  libopencv-dev libopencv-contrib-dev
  libcli11-dev nlohmann-json3-dev
  libboost-dev libboost-filesystem-dev
  libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-eng tesseract-ocr-script-latn
  gocr ocrad parallel libgloo-dev
  libfontconfig-dev fonts-roboto fonts-noto-core fonts-dejavu-core
  fonts-inter fonts-open-sans fonts-lato fonts-liberation2 fonts-cantarell fonts-hack
  fonts-croscore fonts-jetbrains-mono fonts-freefont-ttf
  libgtest-dev googletest
  bats bats-assert bats-support bats-file
)
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present" >&2
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
