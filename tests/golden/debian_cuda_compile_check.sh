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

if [ ! -f "$root/.ready" ]; then
    phase "making the Debian trixie root in $root (once)"
    command -v debootstrap > /dev/null || apt-get install -y -q debootstrap > /dev/null
    mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2> /dev/null)
    rm -rf "$root" && mkdir -p "$base"
    debootstrap --variant=minbase --components=main,contrib,non-free trixie "$root" \
        "${mirror:-http://deb.debian.org/debian}" > "$base/debootstrap.log" 2>&1 ||
        { phase "debootstrap failed: $base/debootstrap.log"; exit 1; }
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    echo 'Acquire::Check-Valid-Until "false";' > "$root/etc/apt/apt.conf.d/99capsule-no-valid-until"
    install="DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(echo $packages)"
    # The first install stops at nvidia-cudnn's download; skip that step and finish the install.
    chroot "$root" /bin/bash -c "apt-get update -qq && ($install ||
        (printf '#!/bin/sh\nexit 0\n' > /var/lib/dpkg/info/nvidia-cudnn.postinst && dpkg --configure -a && $install))" \
        > "$base/install.log" 2>&1 || { phase "installing the packages failed: $base/install.log"; exit 1; }
    touch "$root/.ready"
fi
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
mountpoint -q "$root/dev" || mount --bind /dev "$root/dev"
phase "trixie root: $(chroot "$root" dpkg-query -W -f='libtorch-cuda-dev ${Version}' libtorch-cuda-dev), $(chroot "$root" nvcc --version | tail -2 | head -1)"

mkdir -p "$root/root/project"
# Only files whose content changed get a new time stamp, so a rerun rebuilds what changed, and all of it.
command -v rsync > /dev/null || apt-get install -y -q rsync > /dev/null
stage=$base/stage && rm -rf "$stage" && mkdir -p "$stage"
(cd "$project" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -xf - -C "$stage"
rsync -r --checksum --delete "$stage/" "$root/root/project/"
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
