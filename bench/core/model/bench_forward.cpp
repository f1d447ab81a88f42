// bench_forward: forward throughput of a GPT-2-small-shaped model (random weights, 124M
// parameters) on the CPU, batch 4 x 256 tokens, in float32 and bfloat16, and the ratio of the
// achieved FLOP/s to a plain LibTorch matmul of a similar size ([1024, 768] x [768, 3072]) measured
// in the same run and dtype. Target: forward >= 60% of the matmul rate.
//
//   bench_forward [--batch 4] [--length 256] [--iterations 3] [--dtypes float32,bfloat16] [--threads N]
//
// The matmul rate is measured right before and right after the forward runs and averaged, so a
// change in machine load during the run skews the ratio less.
#include "model/model_loader.h"
#include "model/model_registry.h"
#include "runtime/runtime.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <sstream>

using namespace capsule;

namespace {

double secondsOf(const std::function<void()>& work) {
    const auto start = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// FLOPs of one forward: 2 per multiply-add in every projection and the LM head, plus the two
/// attention products (computed over the full T x T square, as the kernels do).
double forwardFlops(const model::ModelConfig& config, int64_t batch, int64_t length) {
    const double tokens = double(batch) * double(length);
    const double hidden = double(config.hiddenSize), inner = double(config.intermediateSize);
    const double perLayerWeights = hidden * 3 * hidden + hidden * hidden + 2 * hidden * inner;
    const double projections = 2.0 * tokens * (perLayerWeights * double(config.numHiddenLayers));
    const double head = 2.0 * tokens * hidden * double(config.vocabSize);
    const double attention = 2.0 * 2.0 * double(batch) * double(length) * double(length) * hidden *
                             double(config.numHiddenLayers);
    return projections + head + attention;
}

double matmulRate(torch::ScalarType dtype) {
    const auto options = torch::TensorOptions().dtype(dtype);
    const torch::Tensor a = torch::randn({1024, 768}, options), b = torch::randn({768, 3072}, options);
    torch::mm(a, b);  // warm-up (oneDNN primitive creation for bf16)
    int repetitions = 0;
    double elapsed = 0.0;
    while (elapsed < 1.5 || repetitions < 3) {
        elapsed += secondsOf([&] { torch::mm(a, b); });
        ++repetitions;
    }
    return 2.0 * 1024 * 768 * 3072 * repetitions / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
    int64_t batch = 4, length = 256, iterations = 3, threads = 0;
    std::string dtypes = "float32,bfloat16";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--batch")) batch = std::atoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--length")) length = std::atoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--iterations")) iterations = std::atoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--dtypes")) dtypes = argv[i + 1];
        else if (!std::strcmp(argv[i], "--threads")) threads = std::atoll(argv[i + 1]);
    }
    initializeRuntime();
    if (threads > 0) torch::set_num_threads(static_cast<int>(threads));
    std::cout << runtimeSummary() << ", " << at::get_num_threads() << " intra-op threads in use\n";
    const model::ModelConfig config = model::parseModelConfig(
        R"({"model_type": "gpt2", "n_embd": 768, "n_head": 12, "n_layer": 12, "n_positions": 1024, "vocab_size": 50257})",
        "gpt2-small");
    const double flops = forwardFlops(config, batch, length);
    std::cout << "GPT-2 small shape, batch " << batch << " x " << length << " tokens, " << std::fixed
              << std::setprecision(1) << flops / 1e9 << " GFLOP per forward\n";

    c10::InferenceMode inferenceMode;
    std::stringstream list(dtypes);
    std::string name;
    while (std::getline(list, name, ',')) {
        const torch::ScalarType dtype = model::parseComputeDtype(name);
        auto network = model::buildModel(config, torch::TensorOptions().dtype(dtype).device(torch::kCPU));
        model::initializeRandomWeights(*network, 1);
        network->eval();
        model::ForwardInput input;
        input.inputIds = torch::randint(config.vocabSize, {batch, length}, torch::kLong);
        network->forward(input);  // warm-up
        const double matmulBefore = matmulRate(dtype);
        double total = 0.0;
        for (int64_t i = 0; i < iterations; ++i) total += secondsOf([&] { network->forward(input); });
        const double matmul = 0.5 * (matmulBefore + matmulRate(dtype));
        const double perForward = total / double(iterations);
        const double forwardRate = flops / perForward;
        std::cout << std::setprecision(1) << name << ": " << model::countParameters(*network) / 1e6
                  << " M parameters, forward " << perForward * 1000.0 << " ms, " << double(batch * length) / perForward
                  << " tokens/s, " << forwardRate / 1e9 << " GFLOP/s; matmul [1024x768]x[768x3072] " << matmul / 1e9
                  << " GFLOP/s; ratio " << std::setprecision(2) << forwardRate / matmul << " (target >= 0.60)\n";
    }
    return 0;
}
