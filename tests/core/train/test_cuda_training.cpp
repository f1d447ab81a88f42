// The training loop on a CUDA GPU (label gpu), on the built-in demo model and task as test_trainer
// does: every method trains in the default mixed precision (dtype auto -> bfloat16) with float32
// adapters, CUDA float32 reproduces the CPU loss sequence, running out of device memory ends the
// run with a reason instead of an exception (and the process trains again afterwards), and resume
// continues from the checkpoint's step. Every case skips where LibTorch sees no CUDA device.
//
// CAPSULE_CUDA_TESTS_ON_CPU=1 runs the cases on the CPU instead (bfloat16 asked for explicitly),
// leaving out what only a GPU can show (device memory, the allocator cap): a dry run of the tests'
// own logic on a machine without a GPU.
#include "train_test_support.h"

#include "io/safetensors.h"
#include "train/checkpoint.h"
#include "train/demo_assets.h"
#include "train/device_memory.h"
#include "train/trainer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

// The CUDA caching allocator's controls (a memory cap for the out-of-memory case).
#include "train/cuda_allocator.h"
#if CAPSULE_HAVE_C10_CUDA
#include <dlfcn.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

using namespace capsule;
using namespace capsule::train;
namespace fs = std::filesystem;

namespace {

/// Where the cases train: CUDA, or the CPU in a dry run (CAPSULE_CUDA_TESTS_ON_CPU=1).
struct Target {
    std::string device;  // TrainingConfig::device
    bool cuda = false;
};

Target targetOrSkip() {
    const char* dryRun = std::getenv("CAPSULE_CUDA_TESTS_ON_CPU");
    if (dryRun && std::string(dryRun) == "1") return {"cpu", false};
    if (!torch::cuda::is_available())
        SKIP_TEST("CUDA is not available (LibTorch " TORCH_VERSION " sees no GPU); CAPSULE_CUDA_TESTS_ON_CPU=1 dry-runs these on the CPU");
    return {"cuda", true};
}

/// Failures collected over several runs and reported together: one GPU session shows all of them.
struct Problems {
    std::vector<std::string> list;
    void check(bool ok, const std::string& what) {
        if (!ok) list.push_back(what);
    }
    void failIfAny(const char* file, int line) const {
        if (list.empty()) return;
        std::string text = std::to_string(list.size()) + " problem(s):";
        for (const std::string& item : list) text += "\n     - " + item;
        test::fail(text, file, line);
    }
};

using test::meanLoss;
using test::Recorder;

/// test_trainer's fixture, with the config on `target` in the default mixed precision (bfloat16
/// asked for explicitly in a CPU dry run, where auto may mean float32).
struct DemoFixture : test::DemoFixture {
    TrainingConfig config(const std::string& method, const std::string& out, const Target& target) const {
        TrainingConfig config = test::DemoFixture::config(method, out);
        config.device = target.device;
        config.dtype = target.cuda ? "auto" : "bfloat16";
        return config;
    }
};

bool startsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

TrainingResult runWithoutThrowing(const TrainingConfig& config, TrainingObserver& observer, const char* file, int line) {
    try {
        return Trainer::run(config, observer);
    } catch (const std::exception& error) {
        test::fail(std::string("an exception escaped Trainer::run: ") + error.what(), file, line);
    }
}

#if CAPSULE_HAVE_C10_CUDA
namespace cuda_allocator = c10::cuda::CUDACachingAllocator;

/// Every regular file under `folder` (recursively), relative names; empty when it does not exist.
std::vector<std::string> filesUnder(const std::string& folder) {
    std::vector<std::string> files;
    std::error_code error;
    if (!fs::exists(folder, error)) return files;
    for (const auto& entry : fs::recursive_directory_iterator(folder, error))
        if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), folder).string());
    return files;
}

/// Total memory of the current CUDA device from the runtime's cudaMemGetInfo, looked up in the
/// loaded libraries as train/device_memory.cpp does; 0 when unknown.
int64_t cudaTotalMemoryBytes() {
    using MemGetInfo = int (*)(size_t*, size_t*);
    const auto memGetInfo = reinterpret_cast<MemGetInfo>(dlsym(RTLD_DEFAULT, "cudaMemGetInfo"));
    size_t freeBytes = 0, totalBytes = 0;
    if (!memGetInfo || memGetInfo(&freeBytes, &totalBytes) != 0) return 0;
    return static_cast<int64_t>(totalBytes);
}

/// Bytes the caching allocator holds on device 0 (reserved segments, in use or cached).
int64_t allocatorReservedBytes() {
    return cuda_allocator::getDeviceStats(0).reserved_bytes[0].current;  // [0]: StatType::AGGREGATE
}

/// Caps device 0's caching allocator at what it holds now plus `headroomBytes` while it lives;
/// lifts the cap (fraction 1.0) and empties the cache when it goes, also when a check fails.
class AllocatorCap {
public:
    AllocatorCap(int64_t headroomBytes, int64_t totalBytes) {
        cuda_allocator::emptyCache();
        // Memory the allocator keeps however empty its cache is (cuBLAS workspaces, ...) stays
        // below the cap, so only what the run itself allocates meets it.
        limitBytes_ = allocatorReservedBytes() + headroomBytes;
        cuda_allocator::setMemoryFraction(std::min(1.0, static_cast<double>(limitBytes_) / static_cast<double>(totalBytes)), 0);
    }
    ~AllocatorCap() {
        cuda_allocator::setMemoryFraction(1.0, 0);
        cuda_allocator::emptyCache();
    }
    AllocatorCap(const AllocatorCap&) = delete;
    AllocatorCap& operator=(const AllocatorCap&) = delete;
    int64_t limitBytes() const { return limitBytes_; }

private:
    int64_t limitBytes_ = 0;
};
#endif

/// A copy of checkpoint `from` in `to` whose config trains on `device` and writes to `out`: what a
/// checkpoint of a run with device "auto" becomes when it is resumed on a machine with (or without)
/// a GPU.
std::string movedCheckpoint(const std::string& from, const std::string& to, const std::string& device, const std::string& out) {
    fs::create_directories(fs::path(to).parent_path());
    fs::copy(from, to, fs::copy_options::recursive);
    const std::string statePath = to + "/trainer_state.json";
    nlohmann::json state = nlohmann::json::parse(test::readFile(statePath));
    state["config"]["device"] = device;
    state["config"]["out"] = out;
    test::writeFile(statePath, state.dump(2));
    return to;
}

/// A text dataset of long rows (the demo's sentences strung together, some 360 words each) so
/// that every example fills max_length.
std::string writeLongTextDataset(const DemoFixture& fixture, const std::string& name) {
    std::ifstream in(fixture.data);
    std::vector<std::string> sentences;
    for (std::string line; std::getline(in, line);) {
        const nlohmann::json row = nlohmann::json::parse(line);
        sentences.push_back(row.at("question").get<std::string>() + " " +
                            row.at("choices").at(row.at("answer").get<size_t>()).get<std::string>());
    }
    const std::string path = fixture.dir.file(name);
    std::ofstream out(path);
    for (size_t row = 0; row < sentences.size(); ++row) {
        std::string text;
        for (size_t i = 0; i < 60; ++i) text += (i ? " " : "") + sentences[(row + i) % sentences.size()];
        out << nlohmann::json{{"text", text}}.dump() << "\n";
    }
    return path;
}

/// The same float32 LoRA run without dropout twice: on the CPU (writing to `cpuOut`) and on the
/// target (writing to `deviceOut`).
struct CpuAndDeviceRuns {
    TrainingConfig cpu, device;
};

CpuAndDeviceRuns float32LoraOnCpuAndDevice(const DemoFixture& fixture, const Target& target, const std::string& cpuOut,
                                           const std::string& deviceOut, int64_t maxSteps, double lr,
                                           int64_t checkpointEvery = 0) {
    CpuAndDeviceRuns runs{fixture.config("lora", cpuOut, target), {}};
    runs.cpu.device = "cpu";
    runs.cpu.dtype = "float32";
    runs.cpu.maxSteps = maxSteps;
    runs.cpu.checkpointEvery = checkpointEvery;
    runs.cpu.lr = lr;
    runs.cpu.loraDropout = 0.0;
    runs.device = runs.cpu;
    runs.device.device = target.device;
    runs.device.out = fixture.dir.file(deviceOut);
    return runs;
}

}  // namespace

CAPSULE_TEST(every_method_trains_on_cuda_in_mixed_precision) {
    const Target target = targetOrSkip();
    DemoFixture fixture;
    Problems problems;
    for (const std::string& method : methodNames()) {
        TrainingConfig config = fixture.config(method, "out-" + method, target);
        test::applyEveryMethodSettings(config);
        Recorder recorder;
        const TrainingResult result = runWithoutThrowing(config, recorder, __FILE__, __LINE__);
        if (result.status != TrainingStatus::Finished || recorder.steps.size() != 24 || recorder.infos.size() != 1) {
            problems.check(false, method + ": status " + toString(result.status) + " after " + std::to_string(result.steps) +
                                      " steps (" + std::to_string(recorder.steps.size()) + " reported): " + result.reason);
            continue;
        }
        const RunInfo& info = recorder.infos.front();
        const double first = meanLoss(recorder.steps, 0, 4), last = meanLoss(recorder.steps, 20, 24);
        int64_t peakGpuMemory = 0;
        for (const StepMetrics& step : recorder.steps) peakGpuMemory = std::max(peakGpuMemory, step.gpuMemoryBytes);
        std::printf("%-14s on %s in %s: loss %.4f -> %.4f, eval loss %.4f, accuracy %.3f, %.0f tokens/s, GPU memory %.0f MiB\n",
                    method.c_str(), info.device.c_str(), info.computeDtype.c_str(), first, last,
                    recorder.evals.empty() ? -1.0 : recorder.evals.back().loss,
                    recorder.evals.empty() ? -1.0 : recorder.evals.back().accuracy.value_or(-1),
                    recorder.steps.back().tokensPerSecond, static_cast<double>(peakGpuMemory) / 1048576.0);
        problems.check(info.computeDtype == "bfloat16", method + ": compute dtype is " + info.computeDtype + ", not bfloat16");
        problems.check(startsWith(info.device, target.device), method + ": device is " + info.device + ", not " + target.device);
        problems.check(std::isfinite(first) && std::isfinite(last) && last < first,
                       method + ": the loss did not fall (" + std::to_string(first) + " -> " + std::to_string(last) + ")");
        problems.check(recorder.steps.back().gradNorm > 0, method + ": gradient norm is 0");
        problems.check(!recorder.evals.empty() && recorder.evals.back().accuracy.has_value(), method + ": no final evaluation");
        if (target.cuda) {
            size_t withoutMemory = 0;
            for (const StepMetrics& step : recorder.steps) withoutMemory += step.gpuMemoryBytes > 0 ? 0 : 1;
            problems.check(withoutMemory == 0, method + ": " + std::to_string(withoutMemory) +
                                                   " steps report gpuMemoryBytes 0 (train/device_memory.cpp found no "
                                                   "cudaMemGetInfo in the loaded libraries?)");
        }
        // The adapter stays float32 under mixed precision, in memory and in the exported file.
        const std::string adapterFile = config.out + "/adapter_model.safetensors";
        if (!fs::exists(adapterFile)) {
            problems.check(false, method + ": no " + adapterFile);
            continue;
        }
        const auto file = io::SafetensorsFile::open(adapterFile);
        problems.check(!file->tensors().empty(), method + ": the adapter file holds no tensors");
        for (const io::TensorInfo& tensor : file->tensors())
            problems.check(tensor.dtype == "F32", method + ": adapter tensor " + tensor.name + " is " + tensor.dtype + ", not F32");
    }
    problems.failIfAny(__FILE__, __LINE__);
}

CAPSULE_TEST(cuda_float32_lora_reproduces_the_cpu_loss_sequence) {
    // Same seed, same data order, dropout 0, float32 on both: the GPU's rounding differs from the
    // CPU's (other GEMM blockings, no fused CPU kernels) but the sequences agree closely. The
    // adapter's initial values come from the CPU generator on every device (peft/lora.cpp).
    const Target target = targetOrSkip();
    DemoFixture fixture;
    const auto [cpu, gpu] = float32LoraOnCpuAndDevice(fixture, target, "cpu", "gpu", 10, 5e-3);
    Recorder onCpu, onGpu;
    const TrainingResult cpuResult = runWithoutThrowing(cpu, onCpu, __FILE__, __LINE__);
    const TrainingResult gpuResult = runWithoutThrowing(gpu, onGpu, __FILE__, __LINE__);
    if (gpuResult.status != TrainingStatus::Finished) std::printf("%s run: %s\n", target.device.c_str(), gpuResult.reason.c_str());
    COMPARE(static_cast<int>(cpuResult.status), static_cast<int>(TrainingStatus::Finished));
    COMPARE(static_cast<int>(gpuResult.status), static_cast<int>(TrainingStatus::Finished));
    COMPARE(onGpu.infos.at(0).computeDtype, std::string("float32"));
    VERIFY(startsWith(onGpu.infos.at(0).device, target.device));
    COMPARE(onCpu.steps.size(), size_t{10});
    COMPARE(onGpu.steps.size(), size_t{10});
    double worst = 0;
    for (size_t i = 0; i < onCpu.steps.size(); ++i) {
        const double relative = std::fabs(onGpu.steps[i].loss - onCpu.steps[i].loss) / std::fabs(onCpu.steps[i].loss);
        std::printf("   step %2lld  cpu %.7f  %s %.7f  relative difference %.2e\n", static_cast<long long>(onCpu.steps[i].step),
                    onCpu.steps[i].loss, target.device.c_str(), onGpu.steps[i].loss, relative);
        worst = std::max(worst, relative);
    }
    // Step 1 runs with lora_B = 0: the base model alone, whatever the adapter's A.
    COMPARE_NEAR(onGpu.steps[0].loss, onCpu.steps[0].loss, 1e-4 * std::fabs(onCpu.steps[0].loss));
    VERIFY(worst < 1e-3);
    const double evalRelative = std::fabs(onGpu.evals.back().loss - onCpu.evals.back().loss) / onCpu.evals.back().loss;
    std::printf("   eval loss cpu %.7f  %s %.7f  relative difference %.2e\n", onCpu.evals.back().loss, target.device.c_str(),
                onGpu.evals.back().loss, evalRelative);
    VERIFY(evalRelative < 1e-3);
}

CAPSULE_TEST(out_of_memory_on_cuda_fails_the_run_and_the_process_trains_again) {
    const Target target = targetOrSkip();
    DemoFixture fixture;
    TrainingConfig big = fixture.config("lora", "oom", target);
    big.data = writeLongTextDataset(fixture, "long.jsonl");
    big.format = "text";
    big.batchSize = 64;
    big.maxLength = 128;
    big.maxSteps = 4;
    big.validationFraction = 0.0;
    if (!target.cuda) {
        // Dry run: no allocator to cap; the big configuration itself must be valid and train.
        big.maxSteps = 1;
        Recorder recorder;
        const TrainingResult result = runWithoutThrowing(big, recorder, __FILE__, __LINE__);
        std::printf("dry run of the batch 64 x 128 configuration: %s\n", result.reason.c_str());
        COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Finished));
        SKIP_TEST("the allocator cap needs CUDA; the configuration trains on the CPU");
    }
#if !CAPSULE_HAVE_C10_CUDA
    SKIP_TEST("built without the CUDA caching allocator header (c10/cuda/CUDACachingAllocator.h of a CUDA build, with cuda_runtime_api.h on the include path): no cap to set");
#else
    {
        const torch::Tensor first = torch::zeros({1}, torch::TensorOptions().device(torch::kCUDA));  // the allocator is initialised
        VERIFY(first.is_cuda());
    }
    const int64_t total = cudaTotalMemoryBytes();
    if (total <= 0) SKIP_TEST("cudaMemGetInfo was not found in the loaded libraries: no device size to cap the allocator at");
    Recorder recorder;
    TrainingResult result;
    int64_t limit = 0;
    {
        // A few MiB beyond what the allocator holds: the model (0.5 MB) loads, the first step's
        // activations (64 x 128 tokens: logits alone are 11 MiB) do not fit.
        const AllocatorCap cap(8 * 1048576, total);
        limit = cap.limitBytes();
        result = runWithoutThrowing(big, recorder, __FILE__, __LINE__);
    }
    std::printf("capped at %.1f MiB: %s after %lld steps: %s\n", static_cast<double>(limit) / 1048576.0,
                toString(result.status).c_str(), static_cast<long long>(result.steps), result.reason.c_str());
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Failed));
    VERIFY(result.reason.find("out of memory") != std::string::npos);
    VERIFY(result.reason.find("batch size 64") != std::string::npos);
    VERIFY(result.reason.find("max length 128") != std::string::npos);
    VERIFY(result.reason.find("--batch-size") != std::string::npos);
    VERIFY(result.reason.find("--max-length") != std::string::npos);
    VERIFY(!recorder.statuses.empty());
    COMPARE(static_cast<int>(recorder.statuses.back().status), static_cast<int>(TrainingStatus::Failed));
    VERIFY(result.adapterFolder.empty());
    // No partial output: nothing of an adapter (final, temporary or checkpoint) in the run folder.
    for (const std::string& file : filesUnder(big.out)) {
        std::printf("   left in the run folder: %s\n", file.c_str());
        VERIFY(file.find("adapter") == std::string::npos);
    }

    // The cap is lifted and the cache emptied: the same process trains normally again.
    TrainingConfig normal = fixture.config("lora", "after-oom", target);
    normal.maxSteps = 4;
    Recorder after;
    const TrainingResult again = runWithoutThrowing(normal, after, __FILE__, __LINE__);
    if (again.status != TrainingStatus::Finished) std::printf("run after the out-of-memory run: %s\n", again.reason.c_str());
    COMPARE(static_cast<int>(again.status), static_cast<int>(TrainingStatus::Finished));
    COMPARE(after.steps.size(), size_t{4});
    VERIFY(fs::exists(normal.out + "/adapter_model.safetensors"));
    VERIFY(cudaDeviceMemoryInUseBytes() > 0);
#endif
}

CAPSULE_TEST(resume_on_cuda_continues_from_the_checkpoint_step) {
    // On the GPU the loss sequence of a resumed run need not be bit-exact (kernels may reduce in
    // another order); it must continue at the checkpoint's step and finish, and it stays close.
    const Target target = targetOrSkip();
    DemoFixture fixture;
    TrainingConfig config = fixture.config("lora", "resume", target);
    config.maxSteps = 12;
    config.checkpointEvery = 5;
    config.lr = 3e-3;
    Recorder full;
    const TrainingResult fullResult = runWithoutThrowing(config, full, __FILE__, __LINE__);
    if (fullResult.status != TrainingStatus::Finished) std::printf("first run: %s\n", fullResult.reason.c_str());
    COMPARE(static_cast<int>(fullResult.status), static_cast<int>(TrainingStatus::Finished));
    COMPARE(full.steps.size(), size_t{12});
    const std::string checkpoint = checkpointFolder(config.out, 5);
    VERIFY(fs::exists(checkpoint + "/trainer_state.json"));
    VERIFY(fs::exists(checkpoint + "/optimizer.pt"));
    COMPARE(readCheckpointState(checkpoint).step, int64_t{5});

    TrainingConfig resume;
    resume.resume = checkpoint;
    Recorder resumed;
    const TrainingResult result = runWithoutThrowing(resume, resumed, __FILE__, __LINE__);
    if (result.status != TrainingStatus::Finished) std::printf("resumed run: %s\n", result.reason.c_str());
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Finished));
    COMPARE(result.steps, int64_t{12});
    COMPARE(resumed.infos.at(0).startStep, int64_t{5});
    COMPARE(resumed.infos.at(0).resumedFrom, checkpoint);
    VERIFY(startsWith(resumed.infos.at(0).device, target.device));
    COMPARE(resumed.infos.at(0).computeDtype, full.infos.at(0).computeDtype);
    COMPARE(resumed.steps.size(), size_t{7});
    COMPARE(resumed.steps.front().step, int64_t{6});
    COMPARE(resumed.steps.back().step, int64_t{12});
    double worst = 0;
    for (size_t i = 0; i < resumed.steps.size(); ++i) {
        COMPARE(resumed.steps[i].step, full.steps[i + 5].step);
        COMPARE(resumed.steps[i].lr, full.steps[i + 5].lr);
        VERIFY(std::isfinite(resumed.steps[i].loss));
        worst = std::max(worst, std::fabs(resumed.steps[i].loss - full.steps[i + 5].loss) / full.steps[i + 5].loss);
    }
    std::printf("resumed at step 5 on %s: largest relative loss difference to the uninterrupted run %.2e\n",
                resumed.infos.at(0).device.c_str(), worst);
    VERIFY(worst < 0.05);  // a lost optimizer or adapter state would show far more
    VERIFY(fs::exists(config.out + "/adapter_model.safetensors"));

    // Extending the budget from the last checkpoint continues past the original max steps.
    TrainingConfig extend;
    extend.resume = checkpointFolder(config.out, 12);
    extend.maxSteps = 15;
    Recorder extended;
    const TrainingResult more = runWithoutThrowing(extend, extended, __FILE__, __LINE__);
    if (more.status != TrainingStatus::Finished) std::printf("extended run: %s\n", more.reason.c_str());
    COMPARE(static_cast<int>(more.status), static_cast<int>(TrainingStatus::Finished));
    COMPARE(more.steps, int64_t{15});
    COMPARE(extended.steps.size(), size_t{3});
    COMPARE(extended.steps.front().step, int64_t{13});
}

CAPSULE_TEST(a_checkpoint_moves_between_the_cpu_and_cuda) {
    // Checkpoints of runs with device "auto" go wherever the machine that resumes them trains: a
    // CPU checkpoint resumed on the GPU and a GPU checkpoint resumed on the CPU continue the same
    // float32 run (lora_dropout 0), their optimizer state on the resuming device.
    const Target target = targetOrSkip();
    DemoFixture fixture;
    const auto [onCpu, onDevice] = float32LoraOnCpuAndDevice(fixture, target, "cpu-run", "device-run", 8, 3e-3, 4);
    struct Move {
        const TrainingConfig* from;
        std::string toDevice, name;
    };
    for (const Move& move : {Move{&onCpu, target.device, "cpu-to-device"}, Move{&onDevice, "cpu", "device-to-cpu"}}) {
        Recorder uninterrupted;
        COMPARE(static_cast<int>(runWithoutThrowing(*move.from, uninterrupted, __FILE__, __LINE__).status),
                static_cast<int>(TrainingStatus::Finished));
        TrainingConfig resume;
        resume.resume = movedCheckpoint(checkpointFolder(move.from->out, 4), fixture.dir.file("moved/" + move.name),
                                        move.toDevice, fixture.dir.file(move.name));
        Recorder resumed;
        const TrainingResult result = runWithoutThrowing(resume, resumed, __FILE__, __LINE__);
        std::printf("%s (%s -> %s): %s after %lld steps: %s\n", move.name.c_str(), move.from->device.c_str(), move.toDevice.c_str(),
                    toString(result.status).c_str(), static_cast<long long>(result.steps), result.reason.c_str());
        if (result.status != TrainingStatus::Finished)
            std::printf("   (train/checkpoint.cpp restoreCheckpoint: optimizer.pt must load onto the adapter's device)\n");
        COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Finished));
        VERIFY(startsWith(resumed.infos.at(0).device, move.toDevice));
        COMPARE(resumed.steps.size(), size_t{4});
        for (size_t i = 0; i < resumed.steps.size(); ++i) {
            const double expected = uninterrupted.steps[i + 4].loss;
            std::printf("   step %lld  uninterrupted %.7f  resumed on %s %.7f\n", static_cast<long long>(resumed.steps[i].step),
                        expected, move.toDevice.c_str(), resumed.steps[i].loss);
            COMPARE(resumed.steps[i].step, uninterrupted.steps[i + 4].step);
            VERIFY(std::fabs(resumed.steps[i].loss - expected) <= 1e-3 * std::fabs(expected));
        }
    }
}

CAPSULE_TEST(float16_on_cuda_trains_with_dynamic_loss_scaling) {
    // The pre-Ampere path (train/loss_scaler.h): float16 base, float32 adapters, loss × 2^16.
    // LibTorch 1.13 has no float16 matmul on the CPU, so there is no dry run.
    const Target target = targetOrSkip();
    if (!target.cuda) SKIP_TEST("float16 training needs CUDA");
    DemoFixture fixture;
    TrainingConfig config = fixture.config("lora", "fp16", target);
    config.dtype = "float16";
    config.lr = 5e-3;
    config.checkpointEvery = 24;
    Recorder recorder;
    const TrainingResult result = runWithoutThrowing(config, recorder, __FILE__, __LINE__);
    if (result.status != TrainingStatus::Finished) std::printf("float16 run: %s\n", result.reason.c_str());
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Finished));
    COMPARE(recorder.infos.at(0).computeDtype, std::string("float16"));
    const size_t skipped = recorder.logsContaining("overflowed");
    VERIFY(recorder.steps.size() + skipped == 24);
    VERIFY(skipped < 6);
    const double first = meanLoss(recorder.steps, 0, 4);
    const double last = meanLoss(recorder.steps, recorder.steps.size() - 4, recorder.steps.size());
    std::printf("float16: loss %.4f -> %.4f, %zu steps skipped\n", first, last, skipped);
    VERIFY(last < first);
    const CheckpointState state = readCheckpointState(checkpointFolder(config.out, 24));
    VERIFY(state.lossScale.has_value());
    const auto file = io::SafetensorsFile::open(config.out + "/adapter_model.safetensors");
    for (const io::TensorInfo& tensor : file->tensors()) COMPARE(tensor.dtype, std::string("F32"));
}
