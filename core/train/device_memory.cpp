#include "train/device_memory.h"

#include <dlfcn.h>

#include <cstddef>

namespace capsule::train {

int64_t cudaDeviceMemoryInUseBytes() {
    // cudaError_t cudaMemGetInfo(size_t* free, size_t* total); cudaSuccess == 0.
    using MemGetInfo = int (*)(size_t*, size_t*);
    static const MemGetInfo memGetInfo = reinterpret_cast<MemGetInfo>(dlsym(RTLD_DEFAULT, "cudaMemGetInfo"));
    if (!memGetInfo) return 0;
    size_t freeBytes = 0;
    size_t totalBytes = 0;
    if (memGetInfo(&freeBytes, &totalBytes) != 0 || totalBytes < freeBytes) return 0;
    return static_cast<int64_t>(totalBytes - freeBytes);
}

}  // namespace capsule::train
