#!/usr/bin/env bash
# Install the system packages the PDF export and its tests need, when missing and apt is usable.
# Debian: fonts-noto-cjk (Chinese text), libharfbuzz-subset0 (WeasyPrint font subsetting, ~10x faster),
# libpango-1.0-0 / libpangoft2-1.0-0 (WeasyPrint's text layout), poppler-utils (pdftotext/pdffonts in tests).
set -euo pipefail
pkgs=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "civmon: please install these system packages (or their equivalents): ${missing[*]}" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "civmon: installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
