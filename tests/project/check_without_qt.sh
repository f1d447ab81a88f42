#!/usr/bin/env bash
# Proves -DCAPSULE_BUILD_GUI=OFF configures and builds core, capsule-cli and the core tests with Qt
# hidden: find_package for every Qt package is disabled, and no compile command may mention Qt.
set -euo pipefail
source_dir=$1
build_dir=$2
jobs=${CAPSULE_JOBS:-$(nproc)}
# -O0: this tree proves the build works without Qt; speed is measured in the main tree. It halves
# the compile time of the second build on CI's two cores.
cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCAPSULE_BUILD_GUI=OFF -DCAPSULE_BUILD_BENCHMARKS=OFF \
      -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O0 -g0" \
      -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
      -DCMAKE_DISABLE_FIND_PACKAGE_Qt6=ON -DCMAKE_DISABLE_FIND_PACKAGE_Qt5=ON \
      -DCMAKE_DISABLE_FIND_PACKAGE_QCustomPlotQt6=ON > "$build_dir.configure.log" 2>&1 \
    || { cat "$build_dir.configure.log"; exit 1; }
if grep -qi 'qt6\|qt5' "$build_dir/compile_commands.json"; then
    echo "a compile command mentions Qt:"; grep -i 'qt6\|qt5' "$build_dir/compile_commands.json" | head -3; exit 1
fi
# The whole core (every component links into capsule-cli) and three tests: the core test sources
# are Qt-free by construction (they use tests/support/capsule_test.h), and compiling all of them a
# second time at -O0 would cost more CI time than it proves.
cmake --build "$build_dir" -j "$jobs" --target capsule-cli test_runtime test_run_store test_tokenizer_fixtures
"$build_dir/app/capsule-cli" --version
# A few quick core tests run from this tree too (the main tree runs them all at full speed).
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" -R 'test_runtime|test_run_store|test_tokenizer_fixtures'
