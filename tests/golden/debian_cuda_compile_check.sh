#!/usr/bin/env bash
# Compiles Capsule against a CUDA build of LibTorch 2.x without a GPU: Debian 13 (trixie) packages one
# (contrib: libtorch-cuda-dev 2.6, with non-free's CUDA 12.4 toolkit), so a debootstrapped trixie root
# configures the project the way a CUDA machine does and builds everything that differs there: the
# CUDA caching-allocator code (train/cuda_allocator.h) in bench_train_step and test_cuda_training,
# plus capsule-cli and the other gpu tests. Nothing runs: there is no GPU here (the device machine
# runs them, tests/golden/run_device_checks.sh).
#
#   sudo bash tests/golden/debian_cuda_compile_check.sh [OUT]     (default OUT: /tmp/capsule-cuda-out)
#
# The root is made once under CAPSULE_TRIXIE (default /tmp/capsule-trixie, ~9 GB). Debian's
# nvidia-cudnn package downloads cuDNN from NVIDIA when it is configured, which this machine cannot
# reach: its configure step is skipped, and links allow the then-unresolved cuDNN symbols inside
# libtorch_cuda.so (-Wl,--allow-shlib-undefined; the executables are only built, never run).
set -uo pipefail
project=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "${1:-/tmp/capsule-cuda-out}" && cd "${1:-/tmp/capsule-cuda-out}" && pwd)
base=${CAPSULE_TRIXIE:-/tmp/capsule-trixie}
root=$base/trixie
packages="build-essential cmake ninja-build pkg-config git libtorch-cuda-dev nvidia-cuda-toolkit nvidia-cuda-dev
libsqlite3-dev nlohmann-json3-dev libpcre2-dev libicu-dev"
phase() { echo "== $(date +%T) $*" | tee -a "$out/summary.log"; }
: > "$out/summary.log"

. "$project/tests/golden/debian_root.sh"
# The first install stops at nvidia-cudnn's download: the fix-up skips that step for the second.
make_debian_root trixie main,contrib,non-free "$packages" \
    "printf '#!/bin/sh\nexit 0\n' > /var/lib/dpkg/info/nvidia-cudnn.postinst && dpkg --configure -a" || exit 1
mount_and_copy_project "$project"
phase "trixie root: $(chroot "$root" dpkg-query -W -f='libtorch-cuda-dev ${Version}' libtorch-cuda-dev), $(chroot "$root" nvcc --version | tail -2 | head -1)"
phase "configure and build the CUDA-specific targets"
chroot "$root" /bin/bash -c "cd /root/project &&
    cmake -S . -B /root/build -G Ninja -DCAPSULE_BUILD_GUI=OFF -DCMAKE_BUILD_TYPE=None \
          -DCMAKE_CXX_FLAGS='-O0 -g0 -DNDEBUG' -DTORCH_CUDA_ARCH_LIST=9.0 \
          -DCMAKE_EXE_LINKER_FLAGS=-Wl,--allow-shlib-undefined &&
    ninja -C /root/build -k 0 bench_train_step test_cuda_training test_cuda_model test_gpu_smoke capsule-cli" \
    > "$out/build.log" 2>&1
rc=$?
phase "build rc=$rc; $(grep -c 'error:' "$out/build.log") compile errors; $(grep -o 'LibTorch [^ ]*' "$out/build.log" | head -1)"
# The CUDA-only code is compiled only where train/cuda_allocator.h finds the CUDA build's headers.
chroot "$root" /bin/bash -c "cd /root/project && printf '#include \"train/cuda_allocator.h\"\nstatic_assert(CAPSULE_HAVE_C10_CUDA);\n' |
    g++ -std=c++17 -fsyntax-only -Icore -I/usr/include/torch/csrc/api/include -x c++ -" >> "$out/build.log" 2>&1 &&
    phase "CAPSULE_HAVE_C10_CUDA is 1 here: the CUDA allocator code was compiled" ||
    { phase "CAPSULE_HAVE_C10_CUDA is 0 here: the CUDA-only code was NOT compiled"; rc=1; }
for target in bench/core/train/bench_train_step tests/core/train/test_cuda_training app/capsule-cli; do
    [ -x "$root/root/build/$target" ] && phase "built $target; links $(chroot "$root" ldd "/root/build/$target" 2>/dev/null |
        grep -oE 'lib(c10_cuda|torch_cuda)\.so[^ ]*' | sort -u | tr '\n' ' ')"
done
exit $rc
