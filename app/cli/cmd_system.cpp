// capsule-cli system: what this machine computes on (device, threads, BLAS, bf16 support).
#include "command.h"

#include "runtime/runtime.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace capsule::cli {
namespace {

int runSystem(const Arguments& arguments) {
    const RuntimeInfo info = runtimeInfo();
    if (arguments.has("json")) {
        nlohmann::json out = {
            {"capsule_version", info.capsuleVersion}, {"torch_version", info.torchVersion},
            {"cuda_available", info.cudaAvailable},   {"cuda_device_count", info.cudaDeviceCount},
            {"device", info.deviceName},              {"cpu_threads", info.cpuThreads},
            {"cpu_bf16", info.cpuHasBf16},            {"blas", info.blasLibrary},
        };
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << "Capsule      " << info.capsuleVersion << "\n"
              << "LibTorch     " << info.torchVersion << "\n"
              << "Device       " << info.deviceName << "\n"
              << "CPU threads  " << info.cpuThreads << "\n"
              << "CPU bf16     " << (info.cpuHasBf16 ? "yes" : "no") << "\n"
              << "BLAS         " << (info.blasLibrary.empty() ? "unknown" : info.blasLibrary) << "\n";
    if (info.blasLibrary == "reference")
        std::cout << "warning: the reference BLAS is active; install libopenblas0-openmp for ~10x faster "
                     "matmuls on CPU\n";
    return 0;
}

}  // namespace

Command systemCommand() {
    return {"system", "[--json]", "show the compute device, threads and BLAS in use",
            {{"json", false, "", "machine-readable output"}}, &runSystem};
}

}  // namespace capsule::cli
