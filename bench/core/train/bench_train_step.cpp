// bench_train_step [--steps N] [--layers L] [--dtypes float32,bfloat16] [--profile PREFIX] [--eager 0|1]
//                  [--unfused PAIRS] [--batch B] [--length T] [--device cpu|cuda|cuda:N]:
// LoRA training throughput of the real Trainer on the
// GPT-2-small shape (hidden 768, 12 heads, vocab 50257; r=8 on c_attn, c_proj, c_fc; batch 2 x 128
// tokens by default, every token labelled), in float32 and bfloat16, against the plain matmul rate of each
// dtype measured in the same run, and against the plain eager LoRA loop (eager_lora_loop.h: bare
// LibTorch ops under CPU autocast) in the same run. Reports tokens/s, the fraction of the matmul
// rate, the speed-up over the eager loop and peak RSS. --unfused runs PAIRS more trainer runs with
// Capsule's CPU kernels off and on, alternating (kernel_selection.h), and reports their ratio.
//
// --device cuda: the same model on the GPU, trained in the default mixed precision (--dtypes
// defaults to auto there, which resolves to bfloat16), against the CUDA matmul rates of bfloat16
// and float32 measured in the same run (at the step's [B·T, 768] x [768, 3072] and at 4096³);
// reports tokens/s, the fraction of the matmul rate and peak GPU memory. No eager loop and no
// --unfused on CUDA (Capsule's own kernels are CPU kernels). Without a CUDA device it says so and
// exits 0.
//
// FLOP per token for a LoRA step: forward 2·P_matmul, backward 2·P_matmul (input gradients only:
// base weights are frozen), i.e. ~4·P_matmul + attention; P_matmul counts the weights of the
// matmuls (12 layers x 12·768² + the 50257 x 768 head).
#include "model/kernel_selection.h"
#include "model/model_config.h"
#include "runtime/runtime.h"
#include "model/model_loader.h"
#include "model/model_registry.h"
#include "io/safetensors_writer.h"
#include "peft/merged_export.h"
#include "train/device_memory.h"
#include "train/trainer.h"

#include "eager_lora_loop.h"

#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <unistd.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

// The caching allocator's peak statistics, where this LibTorch is a CUDA build.
#include "train/cuda_allocator.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>

using namespace capsule;
namespace fs = std::filesystem;

namespace {

/// GFLOP/s of [m, k] x [k, n] in `dtype`, repeated for at least 1.5 s.
double matmulGflops(torch::ScalarType dtype, int64_t m, int64_t k, int64_t n, const torch::Device& device = torch::kCPU) {
    const auto a = torch::randn({m, k}).to(device, dtype), b = torch::randn({k, n}).to(device, dtype);
    if (device.is_cuda()) {
        // Kernels run asynchronously: time whole batches of launches between synchronisations.
        for (int i = 0; i < 5; ++i) torch::mm(a, b);  // cuBLAS handle, workspace, heuristics
        torch::cuda::synchronize();
        const auto start = std::chrono::steady_clock::now();
        int64_t repeats = 0;
        double seconds = 0.0;
        while (seconds < 1.5) {
            for (int i = 0; i < 50; ++i) torch::mm(a, b);
            repeats += 50;
            torch::cuda::synchronize();
            seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }
        return 2.0 * static_cast<double>(m * k * n) * static_cast<double>(repeats) / seconds / 1e9;
    }
    torch::mm(a, b);
    const auto start = std::chrono::steady_clock::now();
    int repeats = 0;
    double seconds = 0.0;
    while (seconds < 1.5 || repeats < 20) {
        torch::mm(a, b);
        ++repeats;
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    return 2.0 * static_cast<double>(m * k * n) * repeats / seconds / 1e9;
}

struct Rate : train::TrainingObserver {
    std::vector<double> tokensPerSecond;
    int64_t peakGpuMemoryBytes = 0;  // the largest StepMetrics::gpuMemoryBytes (device memory in use, every process)
    int64_t peakStepResidentBytes = 0;  // the largest StepMetrics::memoryBytes (RSS after a step)
    std::string computeDtype;
    void onRunInfo(const train::RunInfo& info) override { computeDtype = info.computeDtype; }
    void onStep(const train::StepMetrics& m) override {
        tokensPerSecond.push_back(m.tokensPerSecond);
        peakGpuMemoryBytes = std::max(peakGpuMemoryBytes, m.gpuMemoryBytes);
        peakStepResidentBytes = std::max(peakStepResidentBytes, m.memoryBytes);
    }
};

struct Shape {
    int64_t batch = 2, length = 128;
    std::string device = "cpu";
};

/// Mean tokens/s of one LoRA run of the real Trainer (the first, warm-up step skipped); 0 on failure.
double trainerTokensPerSecond(const fs::path& folder, const std::string& dtype, int64_t steps, const std::string& profile,
                              const Shape& shape = {}, Rate* observed = nullptr) {
    train::TrainingConfig run;
    run.model = (folder / "model").string();
    run.data = (folder / "data.jsonl").string();
    static int runs = 0;  // a fresh output folder per run
    run.out = (folder / ("out-" + dtype + "-" + std::to_string(runs++))).string();
    run.method = "lora";
    run.targetModules = {"c_attn", "c_proj", "c_fc"};
    run.format = "text";
    run.maxLength = shape.length;
    run.packing = true;
    run.batchSize = shape.batch;
    run.maxSteps = steps;
    run.validationFraction = 0;
    run.dtype = dtype;
    run.device = shape.device;
    Rate local;
    Rate& rate = observed ? *observed : local;
    std::unique_ptr<torch::autograd::profiler::RecordProfile> recording;  // chrome trace of the run
    if (!profile.empty()) recording = std::make_unique<torch::autograd::profiler::RecordProfile>(profile + "." + dtype + ".json");
    const train::TrainingResult result = train::Trainer::run(run, rate);
    recording.reset();
    if (result.status != train::TrainingStatus::Finished || rate.tokensPerSecond.empty()) {
        std::fprintf(stderr, "%s run failed: %s\n", dtype.c_str(), result.reason.c_str());
        return 0.0;
    }
    double sum = 0;
    size_t counted = 0;
    for (size_t i = 1; i < rate.tokensPerSecond.size(); ++i, ++counted) sum += rate.tokensPerSecond[i];
    return counted ? sum / static_cast<double>(counted) : rate.tokensPerSecond.back();
}

/// A field of /proc/self/status in MiB ("VmRSS", "VmHWM"); 0 when unreadable.
double statusMiB(const std::string& field) {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind(field + ":", 0) == 0) return std::atof(line.c_str() + field.size() + 1) / 1024.0;  // kB
    return 0.0;
}

/// Resets the peak RSS (VmHWM) to the current RSS, so the next peak belongs to what runs next.
bool resetPeakResidentSet() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    return static_cast<bool>(clear.flush());
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

/// The CUDA part of main(): matmul rates, the trainer in the default mixed precision, peak GPU memory.
int benchmarkOnCuda(const fs::path& folder, const Shape& shape, int64_t layers, int64_t steps, const std::string& dtypes,
                    const std::string& profile, double flopPerToken) {
    const torch::Device device = *model::parseDevice(shape.device);
    std::printf("GPT-2-small shape, %lld layers, LoRA r=8 on c_attn,c_proj,c_fc, batch %lld x %lld, device %s (LibTorch %s)\n",
                static_cast<long long>(layers), static_cast<long long>(shape.batch), static_cast<long long>(shape.length),
                device.str().c_str(), TORCH_VERSION);
    const int64_t rows = shape.batch * shape.length;
    std::map<torch::ScalarType, double> matmul;  // GFLOP/s at the step's shape
    for (const torch::ScalarType type : {torch::kBFloat16, torch::kFloat}) {
        matmul[type] = matmulGflops(type, rows, 768, 3072, device);
        const double square = matmulGflops(type, 4096, 4096, 4096, device);
        std::printf("%-9s matmul on %s %.0f GFLOP/s at [%lld x 768] x [768 x 3072], %.0f GFLOP/s at 4096^3\n",
                    model::computeDtypeName(type).c_str(), device.str().c_str(), matmul[type], static_cast<long long>(rows), square);
    }
    std::stringstream dtypeList(dtypes);
    for (std::string dtypeName; std::getline(dtypeList, dtypeName, ',');) {
        const torch::ScalarType type = model::parseComputeDtype(train::resolveComputeDtype(
            dtypeName, device.is_cuda(), device.has_index() ? device.index() : 0));
        if (!matmul.count(type)) matmul[type] = matmulGflops(type, rows, 768, 3072, device);
#if CAPSULE_HAVE_C10_CUDA
        c10::cuda::CUDACachingAllocator::resetPeakStats(device.index());
#endif
        Rate rate;
        const double tokensPerSecond = trainerTokensPerSecond(folder, dtypeName, steps, profile, shape, &rate);
        if (tokensPerSecond <= 0.0) return 1;
        const double achieved = tokensPerSecond * flopPerToken / 1e9;
        std::printf("%-9s train on %s in %s: %.1f tokens/s = %.1f GFLOP/s = %.0f%% of the %s matmul rate\n", dtypeName.c_str(),
                    device.str().c_str(), rate.computeDtype.c_str(), tokensPerSecond, achieved, 100.0 * achieved / matmul[type],
                    model::computeDtypeName(type).c_str());
        std::string allocator;
#if CAPSULE_HAVE_C10_CUDA
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
        char text[160];
        std::snprintf(text, sizeof text, "; caching allocator peak %.0f MiB allocated, %.0f MiB reserved",
                      static_cast<double>(stats.allocated_bytes[0].peak) / 1048576.0,  // [0]: StatType::AGGREGATE
                      static_cast<double>(stats.reserved_bytes[0].peak) / 1048576.0);
        allocator = text;
#endif
        std::printf("%-9s peak GPU memory %.0f MiB in use on the device (every process, sampled each step)%s\n", dtypeName.c_str(),
                    static_cast<double>(rate.peakGpuMemoryBytes) / 1048576.0, allocator.c_str());
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("peak RSS %.0f MiB; GPU memory in use now %.0f MiB\n", usage.ru_maxrss / 1024.0,
                static_cast<double>(train::cudaDeviceMemoryInUseBytes()) / 1048576.0);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    capsule::initializeRuntime();  // threads = cores, as the apps do
    int64_t steps = 6, layers = 12;
    std::string profile, dtypes = "float32,bfloat16";
    bool eager = true, dtypesGiven = false;
    int unfusedPairs = 0;
    Shape shape;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--steps")) steps = std::atoll(argv[i + 1]);
        if (!std::strcmp(argv[i], "--layers")) layers = std::atoll(argv[i + 1]);
        if (!std::strcmp(argv[i], "--profile")) profile = argv[i + 1];
        if (!std::strcmp(argv[i], "--dtypes")) dtypes = argv[i + 1], dtypesGiven = true;
        if (!std::strcmp(argv[i], "--eager")) eager = std::atoi(argv[i + 1]) != 0;
        if (!std::strcmp(argv[i], "--unfused")) unfusedPairs = std::atoi(argv[i + 1]);
        if (!std::strcmp(argv[i], "--batch")) shape.batch = std::atoll(argv[i + 1]);
        if (!std::strcmp(argv[i], "--length")) shape.length = std::atoll(argv[i + 1]);
        if (!std::strcmp(argv[i], "--device")) shape.device = argv[i + 1];
    }
    if (shape.batch < 1 || shape.length < 2 || shape.length > 1024) {
        std::fprintf(stderr, "bench_train_step: --batch must be >= 1 and --length in [2, 1024]\n");
        return 2;
    }
    const bool cuda = shape.device.rfind("cuda", 0) == 0;
    if (!cuda && shape.device != "cpu") {
        std::fprintf(stderr, "bench_train_step: unknown --device '%s' (cpu, cuda or cuda:N)\n", shape.device.c_str());
        return 2;
    }
    if (cuda) {
        try {
            (void)model::parseDevice(shape.device);  // throws without that CUDA device
        } catch (const std::exception& error) {
            // No GPU here: nothing to measure, and not a failure of the benchmark.
            std::printf("bench_train_step: --device %s: %s; nothing measured\n", shape.device.c_str(), error.what());
            return 0;
        }
        if (!dtypesGiven) dtypes = "auto";
        if (unfusedPairs > 0) std::printf("--unfused ignored on CUDA: Capsule's fused kernels are CPU kernels\n");
    }
    const fs::path folder = fs::temp_directory_path() / ("capsule-bench-train-" + std::to_string(::getpid()));
    fs::create_directories(folder / "model");
    const nlohmann::json config = {{"model_type", "gpt2"}, {"vocab_size", 50257}, {"n_embd", 768}, {"n_layer", layers},
                                   {"n_head", 12}, {"n_positions", 1024}, {"tie_word_embeddings", true},
                                   {"bos_token_id", 50256}, {"eos_token_id", 50256}};
    std::ofstream(folder / "model" / "config.json") << config.dump();
    {
        const auto network = model::buildModel(model::parseModelConfig(config.dump(), "bench"), torch::TensorOptions());
        model::initializeRandomWeights(*network, 1);
        io::NamedTensors tensors;
        for (auto& item : peft::mergedModelTensors(*network, nullptr)) tensors.emplace_back(item.first, item.second);
        io::writeSafetensors((folder / "model" / "model.safetensors").string(), tensors);
    }
    const fs::path tokenizer = fs::path(CAPSULE_SOURCE_DIR) / "tests/fixtures/tokenizers/gpt2";
    for (const char* name : {"tokenizer.json", "vocab.json", "merges.txt"})
        fs::copy_file(tokenizer / name, folder / "model" / name, fs::copy_options::overwrite_existing);
    {
        std::mt19937 random(3);
        const char* words[] = {"the", "model", "learns", "a", "small", "adapter", "on", "top", "of", "frozen", "weights",
                               "and", "runs", "fast", "with", "bf16", "matmuls", "every", "step"};
        std::ofstream data(folder / "data.jsonl");
        for (int row = 0; row < 64; ++row) {
            std::string text;
            for (int w = 0; w < 200; ++w) text += std::string(w ? " " : "") + words[random() % 19];
            data << nlohmann::json{{"text", text}}.dump() << "\n";
        }
    }
    const double p = static_cast<double>(layers) * 12.0 * 768 * 768 + 50257.0 * 768;
    const double flopPerToken = 4.0 * p;  // forward + input-gradient backward, frozen base
    if (cuda) {
        const int status = benchmarkOnCuda(folder, shape, layers, steps, dtypes, profile, flopPerToken);
        fs::remove_all(folder);
        return status;
    }
    std::printf("GPT-2-small shape, %lld layers, LoRA r=8 on c_attn,c_proj,c_fc, batch %lld x %lld, %d threads\n",
                static_cast<long long>(layers), static_cast<long long>(shape.batch), static_cast<long long>(shape.length),
                torch::get_num_threads());
    struct Measured {
        std::string name;
        torch::ScalarType type;
        double tokensPerSecond, matmul;
    };
    std::vector<Measured> measured;
    std::stringstream dtypeList(dtypes);
    for (std::string dtypeName; std::getline(dtypeList, dtypeName, ',');) {
        const char* dtype = dtypeName.c_str();
        const torch::ScalarType type = model::parseComputeDtype(dtype);
        const int64_t rows = shape.batch * shape.length;
        const double matmulBefore = matmulGflops(type, rows, 768, 3072);
        const double residentBefore = statusMiB("VmRSS");
        const bool peakReset = resetPeakResidentSet();
        Rate rate;
        const double tokensPerSecond = trainerTokensPerSecond(folder, dtypeName, steps, profile, shape, &rate);
        if (tokensPerSecond <= 0.0) return 1;
        // Peak over the whole run (loading included) and RSS right after the steps (training alone).
        if (peakReset)
            std::printf("%-9s memory: peak RSS %.0f MiB during the run, %.0f MiB after its steps, %.0f MiB before it "
                        "(weights in %s: %.0f MiB)\n",
                        dtype, statusMiB("VmHWM"), static_cast<double>(rate.peakStepResidentBytes) / 1048576.0,
                        residentBefore, dtype, p * static_cast<double>(c10::elementSize(type)) / 1048576.0);
        // The matmul rate before and after the run, averaged: a change in machine load skews less.
        const double matmul = 0.5 * (matmulBefore + matmulGflops(type, rows, 768, 3072));
        const double achieved = tokensPerSecond * flopPerToken / 1e9;
        std::printf("%-9s matmul %.1f GFLOP/s | train %.1f tokens/s = %.1f GFLOP/s = %.0f%% of the matmul rate\n", dtype,
                    matmul, tokensPerSecond, achieved, 100.0 * achieved / matmul);
        measured.push_back({dtypeName, type, tokensPerSecond, matmul});
        if (unfusedPairs > 0) {
            // Fused kernels on and off, alternating in this process: machine drift hits both alike.
            std::vector<double> fused, unfused;
            for (int pair = 0; pair < unfusedPairs; ++pair) {
                model::setFusedKernelsEnabled(false);
                unfused.push_back(trainerTokensPerSecond(folder, dtypeName, steps, {}, shape));
                model::setFusedKernelsEnabled(true);
                fused.push_back(trainerTokensPerSecond(folder, dtypeName, steps, {}, shape));
            }
            std::printf("%-9s fused kernels %.1f tokens/s, LibTorch's own ops %.1f tokens/s (medians of %d) = %.2fx\n", dtype,
                        median(fused), median(unfused), unfusedPairs, median(fused) / median(unfused));
        }
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);  // before the eager loops, which hold their own float32 weights
    std::printf("peak RSS %.0f MiB (fp32 weights alone: %.0f MiB)\n", usage.ru_maxrss / 1024.0, p * 4 / 1048576.0);
    for (const Measured& trainer : eager ? measured : std::vector<Measured>{}) {
        bench::EagerShape eagerShape;
        eagerShape.layers = layers;
        eagerShape.batch = shape.batch;
        eagerShape.length = shape.length;
        const double eagerRate = bench::eagerLoraTokensPerSecond(eagerShape, trainer.type, steps);
        const double eagerAchieved = eagerRate * flopPerToken / 1e9;
        std::printf("%-9s eager loop %.1f tokens/s = %.0f%% of the matmul rate | trainer = %.2fx the eager loop\n",
                    trainer.name.c_str(), eagerRate, 100.0 * eagerAchieved / trainer.matmul, trainer.tokensPerSecond / eagerRate);
    }
    fs::remove_all(folder);
    return 0;
}
