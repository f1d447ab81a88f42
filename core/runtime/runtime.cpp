#include "runtime/runtime.h"

#include "capsule/version.h"

#include <torch/torch.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include <unistd.h>

namespace capsule {
namespace {

int threadsFromEnvironment() {
    for (const char* name : {"CAPSULE_NUM_THREADS", "OMP_NUM_THREADS"}) {
        if (const char* value = std::getenv(name)) {
            const int parsed = std::atoi(value);
            if (parsed > 0) return parsed;
        }
    }
    return 0;
}

bool cpuFlag(const std::string& flag) {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("flags", 0) == 0) return (line + " ").find(" " + flag + " ") != std::string::npos;
    }
    return false;
}

std::string detectBlas() {
    // Debian's LibTorch links libblas.so.3, an alternatives link; its target names the provider.
    std::error_code error;
    for (const char* link : {"/etc/alternatives/libblas.so.3-x86_64-linux-gnu",
                             "/etc/alternatives/libblas.so.3-aarch64-linux-gnu"}) {
        char target[512];
        const ssize_t length = ::readlink(link, target, sizeof(target) - 1);
        if (length > 0) {
            target[length] = '\0';
            const std::string path(target);
            if (path.find("openblas") != std::string::npos) return "openblas";
            if (path.find("blis") != std::string::npos) return "blis";
            if (path.find("mkl") != std::string::npos) return "mkl";
            return "reference";
        }
    }
    return {};
}

}  // namespace

int initializeRuntime() {
    int threads = threadsFromEnvironment();
    if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads <= 0) threads = 1;
    torch::set_num_threads(threads);
    return torch::get_num_threads();
}

RuntimeInfo runtimeInfo() {
    RuntimeInfo info;
    info.capsuleVersion = CAPSULE_VERSION_STRING;
    info.torchVersion = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                        "." + std::to_string(TORCH_VERSION_PATCH);
    info.cudaAvailable = torch::cuda::is_available();
    info.cudaDeviceCount = info.cudaAvailable ? static_cast<int>(torch::cuda::device_count()) : 0;
    info.cpuThreads = torch::get_num_threads();
    info.cpuHasBf16 = cpuFlag("avx512_bf16") || cpuFlag("amx_bf16");
    info.blasLibrary = detectBlas();
    if (info.cudaAvailable) {
        info.deviceName = "CUDA (" + std::to_string(info.cudaDeviceCount) + " device" +
                          (info.cudaDeviceCount == 1 ? "" : "s") + ")";
    } else {
        info.deviceName = "CPU (" + std::to_string(info.cpuThreads) + " thread" +
                          (info.cpuThreads == 1 ? "" : "s") + (info.cpuHasBf16 ? ", bf16" : "") + ")";
    }
    return info;
}

std::string runtimeSummary() {
    const RuntimeInfo info = runtimeInfo();
    std::string summary = "Capsule " + info.capsuleVersion + ", LibTorch " + info.torchVersion + ", " +
                          info.deviceName;
    if (!info.blasLibrary.empty()) summary += ", BLAS: " + info.blasLibrary;
    return summary;
}

}  // namespace capsule
