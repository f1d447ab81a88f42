#!/usr/bin/env bash
# Installs every system package Capsule needs to build, test and run, from Debian 12 packages.
# Idempotent: when everything is already present it returns in well under a second.
# Usage: bash installer/install-deps.sh [--no-gui]   (run as root, or with sudo available)
set -euo pipefail

core_packages=(
    build-essential cmake ninja-build pkg-config git
    libtorch-dev            # LibTorch 1.13 (CPU)
    libopenblas0-openmp     # without it LibTorch uses the reference BLAS: matmul ~10x slower
    libsqlite3-dev nlohmann-json3-dev
    libpcre2-dev libicu-dev # tokenizer regexes (Unicode classes, lookahead) and normalization
    dpkg-dev file           # CPack .deb packaging and its test
)
gui_packages=(
    qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools linguist-qt6
    libqcustomplot-dev libgl1-mesa-dev libqt6svg6   # libqt6svg6: the SVG icon plugins
    qt6-translations-l10n
    xvfb xauth imagemagick  # headless GUI runs, screenshots
    fonts-noto-cjk          # zh_CN translation renders
)

packages=("${core_packages[@]}")
if [[ "${1:-}" != "--no-gui" ]]; then packages+=("${gui_packages[@]}"); fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "capsule: installing ${#missing[@]} Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
