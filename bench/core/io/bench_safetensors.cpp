// Writes a ~500 MB F32 safetensors file, then opens it and touches every tensor through the mmap
// path, cold (file evicted from the page cache) and warm. Reports times, throughput, and the peak
// resident-memory growth relative to the file size, for the zero-copy path and, in the same run,
// for a loader that clones every tensor: ~1.0x means the data exists once in memory (the mapping),
// ~2.0x means a second copy.
//
//   bench_safetensors [megabytes=500] [folder=/tmp]
#include "io/safetensors.h"
#include "runtime/runtime.h"
#include "io/safetensors_writer.h"

#include <torch/torch.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// A field of /proc/self/status in bytes ("VmRSS", "VmHWM").
int64_t statusBytes(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field + ":", 0) == 0) return std::atoll(line.c_str() + field.size() + 1) * 1024;
    }
    return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0); false when not permitted.
bool resetPeakRss() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.flush();
    return static_cast<bool>(clear);
}

void evictFromPageCache(const std::string& path) {
    const int descriptor = ::open(path.c_str(), O_RDONLY);
    if (descriptor < 0) return;
    ::posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED);
    ::close(descriptor);
}

struct TouchResult {
    double openSeconds = 0;
    double touchSeconds = 0;
    int64_t rssGrowthBytes = 0;
    double checksum = 0;
};

// Opens the file, reads every element of every tensor (sum), optionally keeping private clones.
TouchResult openAndTouch(const std::string& path, bool cloneEverything) {
    TouchResult result;
    const int64_t rssBefore = statusBytes("VmRSS");
    const bool peakReset = resetPeakRss();
    auto start = Clock::now();
    auto file = capsule::io::SafetensorsFile::open(path);
    result.openSeconds = secondsSince(start);
    start = Clock::now();
    std::vector<torch::Tensor> clones;
    for (const std::string& name : file->names()) {
        torch::Tensor tensor = file->tensor(name);  // [rows, columns] view of the mapping
        if (cloneEverything) {
            tensor = tensor.clone();
            clones.push_back(tensor);
        }
        result.checksum += tensor.sum().item<double>();
    }
    result.touchSeconds = secondsSince(start);
    const int64_t rssAfter = peakReset ? statusBytes("VmHWM") : statusBytes("VmRSS");
    result.rssGrowthBytes = rssAfter - rssBefore;
    return result;
}

}  // namespace

int main(int argc, char** argv) {
    capsule::initializeRuntime();
    const int64_t megabytes = argc > 1 ? std::atoll(argv[1]) : 500;
    const std::string folder = argc > 2 ? argv[2] : "/tmp";
    const std::string path = folder + "/capsule-bench-" + std::to_string(::getpid()) + ".safetensors";
    constexpr int64_t kTensorCount = 25;
    const int64_t columns = 4096;
    const int64_t rows = std::max<int64_t>(1, megabytes * 1'000'000 / 4 / kTensorCount / columns);

    std::printf("bench_safetensors: LibTorch %s, %d intra-op threads, file %s\n", TORCH_VERSION,
                torch::get_num_threads(), path.c_str());
    double expectedChecksum = 0;
    {
        torch::manual_seed(0);
        capsule::io::NamedTensors tensors;
        for (int64_t i = 0; i < kTensorCount; ++i) {
            auto tensor = torch::rand({rows, columns});  // [rows, columns] F32
            expectedChecksum += tensor.sum().item<double>();
            tensors.push_back({"layers." + std::to_string(i) + ".weight", tensor});
        }
        const auto start = Clock::now();
        capsule::io::writeSafetensors(path, tensors);
        const double seconds = secondsSince(start);
        const double bytes = static_cast<double>(rows * columns * 4 * kTensorCount);
        std::printf("write (atomic, fsync'd): %.1f MB in %.3f s = %.0f MB/s\n", bytes / 1e6, seconds, bytes / 1e6 / seconds);
    }  // source tensors freed here, so RSS growth below is the reader's alone

    const double fileBytes = static_cast<double>(std::ifstream(path, std::ios::binary | std::ios::ate).tellg());
    std::printf("file size: %.1f MB, %lld tensors of [%lld, %lld] F32\n", fileBytes / 1e6,
                static_cast<long long>(kTensorCount), static_cast<long long>(rows), static_cast<long long>(columns));

    auto report = [&](const char* label, const TouchResult& result) {
        std::printf("%-34s open %.2f ms, touch %.3f s = %6.0f MB/s, peak RSS growth %.1f MB = %.2fx file size%s\n",
                    label, result.openSeconds * 1e3, result.touchSeconds, fileBytes / 1e6 / result.touchSeconds,
                    static_cast<double>(result.rssGrowthBytes) / 1e6, static_cast<double>(result.rssGrowthBytes) / fileBytes,
                    std::abs(result.checksum - expectedChecksum) <= 1e-6 * std::abs(expectedChecksum) ? "" : "  CHECKSUM MISMATCH");
    };
    evictFromPageCache(path);
    report("mmap, cold page cache:", openAndTouch(path, false));
    report("mmap, warm page cache:", openAndTouch(path, false));
    report("mmap + clone (copying loader):", openAndTouch(path, true));

    std::remove(path.c_str());
    return 0;
}
