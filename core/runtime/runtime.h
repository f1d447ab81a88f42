#pragma once
// Process-wide runtime facts and set-up shared by the GUI and the CLI. Plain types only, so
// Qt-side code can include this without pulling in LibTorch.
#include <string>

namespace capsule {

/// What the running process computes on.
struct RuntimeInfo {
    std::string capsuleVersion;  // "0.1.0"
    std::string torchVersion;    // "1.13.1"
    bool cudaAvailable = false;
    int cudaDeviceCount = 0;
    std::string deviceName;      // "CPU (2 threads)" or the CUDA device's name
    int cpuThreads = 0;          // LibTorch intra-op threads in use
    bool cpuHasBf16 = false;     // avx512_bf16 / amx: bf16 matmuls are fast on this CPU
    std::string blasLibrary;     // the BLAS behind libblas.so.3, e.g. "openblas"; empty if unknown
};

/// Call once at start-up: sets LibTorch's intra-op thread count to the number of cores (LibTorch
/// defaults to 1 on Debian's build) unless CAPSULE_NUM_THREADS or OMP_NUM_THREADS says otherwise.
/// Returns the number of threads in use.
int initializeRuntime();

/// Facts about the runtime; cheap after the first call.
RuntimeInfo runtimeInfo();

/// Human-readable one-liner: "Capsule 0.1.0, LibTorch 1.13.1, CPU (2 threads, bf16)".
std::string runtimeSummary();

}  // namespace capsule
