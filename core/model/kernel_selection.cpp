#include "model/kernel_selection.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace capsule::model {
namespace {

bool enabledByEnvironment() {
    const char* value = std::getenv("CAPSULE_FUSED_KERNELS");
    return !(value && (std::strcmp(value, "0") == 0 || std::strcmp(value, "off") == 0 || std::strcmp(value, "false") == 0));
}

std::atomic<bool>& enabledFlag() {
    static std::atomic<bool> flag{enabledByEnvironment()};
    return flag;
}

}  // namespace

bool fusedKernelsEnabled() {
    return enabledFlag().load(std::memory_order_relaxed);
}

void setFusedKernelsEnabled(bool enabled) {
    enabledFlag().store(enabled, std::memory_order_relaxed);
}

}  // namespace capsule::model
