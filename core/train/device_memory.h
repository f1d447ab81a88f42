#pragma once
// GPU memory in use, for the live memory chart, and the device's compute capability. LibTorch 1.13's C++ API has no public call for
// it (torch.cuda.mem_get_info is Python), and the Debian CPU build ships no CUDA headers, so the
// CUDA runtime's cudaMemGetInfo is looked up at run time in the already loaded libraries: a CUDA
// LibTorch brings libcudart with it; a CPU build has none and the answer is 0.
#include <cstdint>

namespace capsule::train {

/// Device memory in use on the current CUDA device (total − free, as nvidia-smi counts it: every
/// process and the caching allocator's reserve), in bytes; 0 when no CUDA runtime is loaded or
/// the call fails. Thread-safe; cheap (one driver call).
int64_t cudaDeviceMemoryInUseBytes();

/// The compute capability's major number of CUDA device `device` (8 = Ampere, 9 = Hopper), or −1
/// when no CUDA runtime is loaded or the call fails. bfloat16 needs 8 or more.
int cudaComputeCapabilityMajor(int device);

}  // namespace capsule::train
