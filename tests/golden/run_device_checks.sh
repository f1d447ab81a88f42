#!/usr/bin/env bash
# The checks that need the GPU device machine (CUDA, PyTorch, transformers, peft; no Qt, no network),
# as one prepared run. From this machine, after `bash tests/golden/pack_device_deps.sh`:
#
#   device run  carry=[".device"]  timeout_s=560  command="bash tests/golden/run_device_checks.sh"
#
# Phases, each with its own log under $OUT and all inside one deadline (CAPSULE_DEVICE_SECONDS, 480 s),
# so whatever finished comes back even if a later phase fails:
#   1. golden fixtures from transformers + peft (tests/golden/make_hf_golden.py, CPU, in the background)
#   2. build core, capsule-cli, the core tests and benchmarks against the LibTorch inside the PyTorch wheel
#      (CUDA), with SQLite/ICU/PCRE2/nlohmann-json carried from Debian in .device/deps.tar.xz
#   3. the `gpu` tests (CUDA training, mixed precision, OOM, CUDA forward/generation)
#   4. capsule-cli against the golden fixtures (test_hf_golden: HF logits and Python-PEFT adapters)
#   5. the reverse direction: capsule-cli trains every method on CUDA, Python PEFT loads the adapters
#      (check_capsule_adapters.py), transformers loads the merged exports
#   6. bench_train_step on CUDA
#   7. the core `unit` tests on LibTorch 2.x (CPU), with whatever time is left
# $OUT receives summary.log, build.log, gpu.log, golden.log, checks.log, bench.log, unit.log and
# results.tar.gz (hf-golden/ to commit as tests/fixtures/hf-golden, reverse/ with the adapters and report).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${OUT:-/tmp/capsule-device-out}
work=${CAPSULE_DEVICE_WORK:-/tmp/capsule-device}
deadline=$((SECONDS + ${CAPSULE_DEVICE_SECONDS:-480}))
mkdir -p "$out" "$work"
export PYTHONUNBUFFERED=1
left() { echo $((deadline - SECONDS > 5 ? deadline - SECONDS : 5)); }
phase() { echo "== $(date +%T) (+${SECONDS}s) $*" | tee -a "$out/summary.log"; }
result() { echo "   $*" | tee -a "$out/summary.log"; }

phase "machine: $(nproc) cores; $(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>&1 | head -1)"
python3 -c 'import torch, transformers, peft; print("torch", torch.__version__, "cuda", torch.version.cuda,
"transformers", transformers.__version__, "peft", peft.__version__)' 2>&1 | tee -a "$out/summary.log"

# 1. golden fixtures (CPU; runs beside the build). CAPSULE_DEVICE_GOLDEN=DIR reuses a finished set.
golden=${CAPSULE_DEVICE_GOLDEN:-$work/hf-golden}
if [ -z "${CAPSULE_DEVICE_GOLDEN:-}" ]; then
    phase "golden fixtures (background)"
    (cd "$root" && timeout "$(left)" python3 tests/golden/make_hf_golden.py "$golden" > "$out/golden.log" 2>&1
     echo $? > "$work/golden.rc") &
else
    echo "reused $golden" > "$out/golden.log"; echo 0 > "$work/golden.rc"; true &
fi
golden_pid=$!

# 2. build. CAPSULE_DEVICE_BUILD=DIR uses a finished build (a rerun, or a dry run of this script).
rm -rf "$work/deps" && mkdir -p "$work/deps" && tar xJf "$root/.device/deps.tar.xz" -C "$work/deps" --strip-components=1
deps=$work/deps
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null)
site=$(python3 -c 'import os, torch; print(os.path.dirname(os.path.dirname(torch.__file__)))' 2>/dev/null)
nvidia_libs=$(find "$site/nvidia" -maxdepth 3 -type d -name lib 2>/dev/null | paste -sd: -)
link_dirs="$deps/lib:$site/torch/lib${nvidia_libs:+:$nvidia_libs}"
export LD_LIBRARY_PATH="$link_dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PATH="/usr/local/cuda/bin:$PATH" TORCH_CUDA_ARCH_LIST=9.0
build=${CAPSULE_DEVICE_BUILD:-$work/build}
if [ -z "${CAPSULE_DEVICE_BUILD:-}" ]; then
phase "build against the PyTorch wheel's LibTorch"
{
    cmake -S "$root" -B "$build" -G Ninja -DCAPSULE_BUILD_GUI=OFF -DCMAKE_BUILD_TYPE=None \
          -DCMAKE_CXX_FLAGS="-O1 -g0 -DNDEBUG" \
          -DCMAKE_PREFIX_PATH="$torch_prefix;$deps" -DICU_ROOT="$deps" \
          -Dnlohmann_json_DIR="$deps/share/cmake/nlohmann_json" \
          -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$link_dirs" \
          -DCMAKE_SHARED_LINKER_FLAGS="-Wl,-rpath-link,$link_dirs" &&
    # What the next phases need first; the rest (the unit tests) is built before phase 7.
    timeout "$(left)" cmake --build "$build" -j "$(nproc)" --target capsule-cli test_hf_golden test_gpu_smoke \
        test_cuda_training test_cuda_model bench_train_step -- -k 0
} > "$out/build.log" 2>&1
build_rc=$?
result "build rc=$build_rc; $(grep -c 'error:' "$out/build.log") compile errors; LibTorch: $(grep -o 'LibTorch [^ ]*' "$out/build.log" | head -1)"
fi
cli=$build/app/capsule-cli

# 3. gpu tests
phase "gpu tests"
timeout "$(left)" ctest --test-dir "$build" -L gpu --output-on-failure --timeout 240 > "$out/gpu.log" 2>&1
result "gpu tests rc=$?: $(grep -E 'tests passed|tests failed' "$out/gpu.log" | tail -1)"

# 4. golden fixtures against capsule-cli
phase "waiting for the golden fixtures"
wait "$golden_pid"
result "make_hf_golden.py rc=$(cat "$work/golden.rc" 2>/dev/null); $(tail -1 "$out/golden.log")"
{
    echo "## test_hf_golden"
    for device in cpu cuda; do
        echo "## capsule-cli forward on $device"
        CAPSULE_HF_GOLDEN_DIR="$golden" CAPSULE_HF_GOLDEN_DEVICE=$device timeout "$(left)" \
            "$build/tests/core/peft/test_hf_golden"
        echo "test_hf_golden on $device rc=$?"
    done
} > "$out/checks.log" 2>&1
result "$(grep -E '^Totals|rc=' "$out/checks.log" | tr '\n' ' ')"

# 5. reverse direction: Capsule's adapters and merged models in Python
phase "capsule-cli trains every method on CUDA; PEFT loads the results"
reverse=$work/reverse
timeout "$(left)" bash "$root/tests/golden/make_reverse_cases.sh" "$cli" "$golden" "$reverse" >> "$out/checks.log" 2>&1
{
    echo "## check_capsule_adapters.py"
    (cd "$root" && timeout "$(left)" python3 tests/golden/check_capsule_adapters.py "$reverse/cases.json" "$reverse/report.json")
    echo "check_capsule_adapters rc=$?"
} >> "$out/checks.log" 2>&1
result "$(grep -E 'Capsule adapters load|merged exports load|FAILED' "$out/checks.log" | tr '\n' ' ')"

# 6. CUDA training speed
phase "bench_train_step on CUDA"
timeout "$(left)" "$build/bench/core/train/bench_train_step" --device cuda --steps 20 > "$out/bench.log" 2>&1
result "bench rc=$?: $(grep -E 'tokens/s' "$out/bench.log" | tr '\n' ' ')"

# 7. the whole core suite on LibTorch 2.x, CPU side
phase "building the rest (remaining time: $(left) s)"
timeout "$(left)" cmake --build "$build" -j "$(nproc)" -- -k 0 >> "$out/build.log" 2>&1
result "build rc=$?; $(grep -c 'error:' "$out/build.log") compile errors in all"
phase "unit tests (remaining time: $(left) s)"
timeout "$(left)" ctest --test-dir "$build" -L unit -j 8 --timeout 200 > "$out/unit.log" 2>&1
result "unit tests rc=$?: $(grep -E 'tests passed|tests failed' "$out/unit.log" | tail -1)"

phase "packing results"
kept=()
for path in "$work"/reverse/report.json "$work"/reverse/cases.json "$work"/reverse/*-lora "$work"/reverse/*-adalora; do
    [ -e "$path" ] && kept+=("${path#"$work"/}")
done
tar czf "$out/results.tar.gz" -C "$(dirname "$golden")" "$(basename "$golden")" -C "$work" "${kept[@]}" \
    2>> "$out/summary.log"
ls -la "$out" >> "$out/summary.log"
exit 0
