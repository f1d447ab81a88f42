// The runtime set-up every entry point runs: thread count, versions, device facts.
#include "capsule_test.h"

#include "capsule/version.h"
#include "runtime/runtime.h"

#include <torch/torch.h>

#include <cstdlib>
#include <thread>

CAPSULE_TEST(initializeUsesEnvironmentThreadCount) {
    setenv("CAPSULE_NUM_THREADS", "2", 1);
    COMPARE(capsule::initializeRuntime(), 2);
    COMPARE(torch::get_num_threads(), 2);
    unsetenv("CAPSULE_NUM_THREADS");
}

CAPSULE_TEST(initializeDefaultsToAllCores) {
    unsetenv("CAPSULE_NUM_THREADS");
    unsetenv("OMP_NUM_THREADS");
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    COMPARE(capsule::initializeRuntime(), cores);
}

CAPSULE_TEST(infoReportsVersions) {
    const auto info = capsule::runtimeInfo();
    COMPARE(info.capsuleVersion, std::string(CAPSULE_VERSION_STRING));
    COMPARE(info.torchVersion.rfind(std::to_string(TORCH_VERSION_MAJOR) + ".", 0), size_t(0));
    VERIFY(!info.deviceName.empty());
    VERIFY(capsule::runtimeSummary().find("LibTorch") != std::string::npos);
}

CAPSULE_TEST(blasIsNotTheReferenceImplementation) {
    // The install script must switch libblas.so.3 to OpenBLAS: the reference BLAS is ~10x slower.
    const auto info = capsule::runtimeInfo();
    if (info.blasLibrary.empty()) SKIP_TEST("libblas.so.3 alternative not found (not a Debian LibTorch)");
    VERIFY(info.blasLibrary != "reference");
}
