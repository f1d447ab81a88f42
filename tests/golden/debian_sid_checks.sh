#!/usr/bin/env bash
# The reference checks that need no GPU, on this machine: Debian sid packages the real Hugging Face
# transformers (python3-transformers 5.x, with python3-torch 2.x) and LibTorch 2.x (libtorch-dev), so a
# sid root made with debootstrap gives, without a device session:
#   1. the model half of the golden fixtures (make_hf_golden.py; peft is not packaged, so no adapters)
#      and the tokenizer fuzz fixtures (make_tokenizer_fuzz.py)
#   2. a build of core, capsule-cli and the core tests against LibTorch 2.x (CPU) with sid's compiler
#   3. capsule-cli (the LibTorch 2.x build) against those fixtures
#   4. merged exports of Capsule-trained LoRA/AdaLoRA/(IA)³ adapters loaded by transformers
#   5. the core `unit` tests on LibTorch 2.x
#   6. the Qt side on sid's Qt 6 (6.11 when written) and QCustomPlot: GUI build and the `gui` tests
#
#   sudo bash tests/golden/debian_sid_checks.sh [OUT]     (default OUT: /tmp/capsule-sid-out)
#
# Needs root, debootstrap and the Debian mirror (the root is made once under CAPSULE_SID, default
# /tmp/capsule-sid, ~3 GB, then reused). The project's tracked and untracked-not-ignored files are
# copied in, so uncommitted work is checked too. OUT receives summary.log and one log per phase, and
# hf-golden/ and tokenizer-fuzz/ to commit under tests/fixtures once the tests pass with them here:
#   CAPSULE_HF_GOLDEN_DIR=OUT/hf-golden build/tests/core/peft/test_hf_golden
# CAPSULE_SID_PHASES (default "golden build checks merged unit gui") picks phases for a rerun.
set -uo pipefail
project=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "${1:-/tmp/capsule-sid-out}" && cd "${1:-/tmp/capsule-sid-out}" && pwd)
base=${CAPSULE_SID:-/tmp/capsule-sid}
root=$base/sid
phases=${CAPSULE_SID_PHASES:-golden build checks merged unit gui}
packages="build-essential cmake ninja-build pkg-config git libtorch-dev libopenblas0-openmp libsqlite3-dev
nlohmann-json3-dev libpcre2-dev libicu-dev python3-transformers python3-safetensors python3-torch"
gui_packages="qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools linguist-qt6 libqcustomplot-dev
libgl1-mesa-dev libqt6svg6"
phase() { echo "== $(date +%T) $*" | tee -a "$out/summary.log"; }
result() { echo "   $*" | tee -a "$out/summary.log"; }
want() { [[ " $phases " == *" $1 "* ]]; }
in_root() { chroot "$root" /bin/bash -c "cd /root/project && $1"; }
: > "$out/summary.log"

. "$project/tests/golden/debian_root.sh"
make_debian_root sid main "$packages" || exit 1
mount_and_copy_project "$project"
mkdir -p "$root/root/out"
versions=$(chroot "$root" python3 -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)' 2>&1)
phase "sid root: $versions; $(chroot "$root" g++ --version | head -1)"

if want golden; then
    phase "golden fixtures from transformers"
    rm -rf "$root/root/out/hf-golden"
    in_root "python3 tests/golden/make_hf_golden.py /root/out/hf-golden" > "$out/golden.log" 2>&1
    result "make_hf_golden.py rc=$?: $(tail -1 "$out/golden.log")"
    rm -rf "$root/root/out/tokenizer-fuzz"
    in_root "python3 tests/golden/make_tokenizer_fuzz.py /root/out/tokenizer-fuzz" >> "$out/golden.log" 2>&1
    result "make_tokenizer_fuzz.py rc=$?"
fi

if want build; then
    phase "build (core, capsule-cli, core tests) against LibTorch 2.x"
    in_root "cmake -S . -B /root/build -G Ninja -DCAPSULE_BUILD_GUI=OFF -DCMAKE_BUILD_TYPE=Release &&
             ninja -C /root/build -k 0" > "$out/build.log" 2>&1
    result "build rc=$?; $(grep -c 'error:' "$out/build.log") compile errors, $(grep -c 'warning:' "$out/build.log") warnings;" \
           "$(grep -o 'LibTorch [^ ]*' "$out/build.log" | head -1)"
fi

# The fixtures made by the golden phase, or (a rerun without it) the committed ones.
golden=/root/out/hf-golden
[ -f "$root$golden/manifest.json" ] || golden=/root/project/tests/fixtures/hf-golden
if want checks; then
    phase "capsule-cli (LibTorch 2.x) against the golden fixtures in $golden"
    in_root "CAPSULE_HF_GOLDEN_DIR=$golden /root/build/tests/core/peft/test_hf_golden" > "$out/checks.log" 2>&1
    result "test_hf_golden rc=$?: $(grep -E '^Totals' "$out/checks.log")"
fi

if want merged; then
    phase "merged exports of Capsule-trained adapters, loaded by transformers"
    in_root "CAPSULE_REVERSE_VARIANTS='lora lora-rslora-all-linear adalora ia3' bash tests/golden/make_reverse_cases.sh \
             /root/build/app/capsule-cli $golden /root/out/reverse &&
             python3 tests/golden/check_capsule_adapters.py /root/out/reverse/cases.json /root/out/reverse/report.json" \
        > "$out/merged.log" 2>&1
    result "merged rc=$?: $(grep -E 'FAILED|merged exports load' "$out/merged.log" | tr '\n' ' ')"
fi

if want unit; then
    phase "core unit tests on LibTorch 2.x"
    in_root "ctest --test-dir /root/build -L unit -j 2 --timeout 300" > "$out/unit.log" 2>&1
    result "unit rc=$?: $(grep -E 'tests passed|tests failed' "$out/unit.log" | tail -1)"
    grep -E '\*\*\*Failed|Not Run|Timeout' "$out/unit.log" | sed 's/^/   /' | tee -a "$out/summary.log"
fi

if want gui; then
    phase "the Qt side on sid's Qt 6 and QCustomPlot: build, then the gui tests (offscreen)"
    chroot "$root" /bin/bash -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        $(echo $gui_packages)" >> "$base/install.log" 2>&1 || result "installing the Qt packages failed: $base/install.log"
    in_root "cmake -S . -B /root/build -G Ninja -DCAPSULE_BUILD_GUI=ON -DCMAKE_BUILD_TYPE=Release &&
             ninja -C /root/build -k 0" > "$out/gui-build.log" 2>&1
    result "GUI build rc=$?; $(grep -c 'error:' "$out/gui-build.log") compile errors; Qt $(chroot "$root" dpkg-query -W -f='${Version}' qt6-base-dev)"
    in_root "QT_QPA_PLATFORM=offscreen ctest --test-dir /root/build -L gui -j 2 --timeout 300" > "$out/gui.log" 2>&1
    result "gui tests rc=$?: $(grep -E 'tests passed|tests failed' "$out/gui.log" | tail -1)"
    grep -E '\*\*\*Failed|SEGFAULT|Timeout' "$out/gui.log" | sed 's/^/   /' | tee -a "$out/summary.log"
fi

for made in hf-golden tokenizer-fuzz reverse; do
    rm -rf "${out:?}/$made"
    [ -d "$root/root/out/$made" ] && cp -r "$root/root/out/$made" "$out/"
done
phase "done: $out"
