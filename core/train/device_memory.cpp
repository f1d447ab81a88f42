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

int cudaComputeCapabilityMajor(int device) {
    // cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attribute, int device);
    // cudaDevAttrComputeCapabilityMajor == 75.
    using DeviceGetAttribute = int (*)(int*, int, int);
    static const DeviceGetAttribute getAttribute =
        reinterpret_cast<DeviceGetAttribute>(dlsym(RTLD_DEFAULT, "cudaDeviceGetAttribute"));
    constexpr int kComputeCapabilityMajor = 75;
    int major = -1;
    if (!getAttribute || getAttribute(&major, kComputeCapabilityMajor, device) != 0) return -1;
    return major;
}

}  // namespace capsule::train
