#!/usr/bin/env bash
# Packs the build dependencies that the GPU device machine lacks (it has CUDA, PyTorch, CMake and
# ninja, but no Debian -dev packages and no network): the headers and shared libraries of SQLite,
# ICU and PCRE2, and nlohmann-json with its CMake package, from this Debian 12 machine
# (installer/install-deps.sh installs them). Writes .device/deps.tar.xz (~11 MB; .device/ is ignored
# by git), which tests/golden/run_device_checks.sh unpacks there.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
lib=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/deps/include" "$stage/deps/lib" "$stage/deps/share/cmake"
cp -r /usr/include/unicode /usr/include/nlohmann /usr/include/pcre2.h /usr/include/sqlite3.h \
      /usr/include/sqlite3ext.h "$stage/deps/include/"
cp -P "$lib"/libicudata.so* "$lib"/libicuuc.so* "$lib"/libicui18n.so* "$lib"/libpcre2-8.so* \
      "$lib"/libsqlite3.so* "$stage/deps/lib/"
cp -r /usr/share/cmake/nlohmann_json "$stage/deps/share/cmake/"
mkdir -p "$root/.device"
tar cJf "$root/.device/deps.tar.xz" -C "$stage" deps
ls -la "$root/.device/deps.tar.xz"
