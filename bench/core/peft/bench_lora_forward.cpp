// bench_lora_forward: the cost of an un-merged LoRA adapter (r = 8 on c_attn, PEFT's GPT-2
// default) on a GPT-2-small-shaped model (random weights, 124M parameters), batch 4 x 256 tokens,
// inference forward to logits. One adapter stays attached; the variants are timed round-robin in
// the same run so drift hits all of them alike (median per variant):
//   base      adapter disabled (the layer runs forwardBase only); "plain" = before attaching
//   lora      enabled, un-merged: base(x) + s·B(A(x)) in every targeted layer
//   merged    merged into the weights (merge / unmerge happen outside the timed region)
// Both wall time and process CPU time are reported: on a shared machine the CPU time is the
// steadier measure of the work done. A layer-level measurement (c_attn alone, [B·T, 768]) with
// many repetitions follows. Targets: lora <= 10% over base, merged ~0%.
//
//   bench_lora_forward [--batch 4] [--length 256] [--iterations 3] [--dtype float32|bfloat16]
//                      [--device cpu|cuda] [--all-linear]
#include "model/model_loader.h"
#include "model/model_registry.h"
#include "peft/lora.h"
#include "runtime/runtime.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <vector>

using namespace capsule;

namespace {

const char* kGpt2Small = R"({"model_type": "gpt2", "vocab_size": 50257, "n_positions": 1024, "n_embd": 768,
                             "n_layer": 12, "n_head": 12, "activation_function": "gelu_new"})";

void synchronize(const torch::Device& device) {
    // A scalar read waits for every queued kernel on the device.
    if (device.is_cuda()) torch::zeros({1}, torch::TensorOptions().device(device)).sum().item<float>();
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    int64_t batch = 4, length = 256, iterations = 5;
    std::string dtypeName = "float32", deviceName = "cpu";
    bool allLinear = false;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        const char* value = i + 1 < argc ? argv[i + 1] : "";
        if (flag == "--batch") batch = std::atoll(value), ++i;
        else if (flag == "--length") length = std::atoll(value), ++i;
        else if (flag == "--iterations") iterations = std::atoll(value), ++i;
        else if (flag == "--dtype") dtypeName = value, ++i;
        else if (flag == "--device") deviceName = value, ++i;
        else if (flag == "--all-linear") allLinear = true;
        else {
            std::cerr << "usage: bench_lora_forward [--batch N] [--length N] [--iterations N] [--dtype D] "
                         "[--device cpu|cuda] [--all-linear]\n";
            return 2;
        }
    }
    initializeRuntime();
    std::cout << runtimeSummary() << "\n";
    const torch::Device device = deviceName == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    const torch::ScalarType dtype = model::parseComputeDtype(dtypeName);

    const model::ModelConfig config = model::parseModelConfig(kGpt2Small, "gpt2-small");
    auto gpt2 = model::buildModel(config, torch::TensorOptions().dtype(dtype).device(device));
    model::initializeRandomWeights(*gpt2, 1);
    gpt2->eval();
    model::ForwardInput input;
    input.inputIds = torch::randint(0, config.vocabSize, {batch, length}, torch::kLong).to(device);

    struct Timing {
        double wallSeconds;
        double cpuSeconds;
    };
    auto processCpuSeconds = [] {
        timespec now{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
        return double(now.tv_sec) + 1e-9 * double(now.tv_nsec);
    };
    auto timeForward = [&] {
        torch::InferenceMode inference;
        synchronize(device);
        const double cpuStart = processCpuSeconds();
        const auto start = std::chrono::steady_clock::now();
        const torch::Tensor logits = gpt2->forward(input);
        synchronize(device);
        return Timing{std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                      processCpuSeconds() - cpuStart};
    };

    std::cout << "GPT-2 small (" << model::countParameters(*gpt2) << " parameters), batch " << batch << " x " << length
              << ", " << dtypeName << " on " << deviceName << ", " << iterations << " round(s)\n";
    timeForward();  // warm-up (allocator, oneDNN / cuBLAS handles)
    const Timing plain = timeForward();

    torch::manual_seed(2);
    peft::LoraConfig loraConfig;  // r 8, alpha 8, c_attn
    if (allLinear) loraConfig.targetModules = peft::ModuleSelector::fromRegex("all-linear");
    peft::LoraAdapter adapter(loraConfig);
    adapter.apply(*gpt2, peft::WeightInit::Fresh);
    {
        torch::NoGradGuard noGrad;  // a trained-looking adapter, not the zero-B no-op
        for (auto& parameter : adapter.trainableParameters()) parameter.normal_(0.0, 0.02);
    }
    timeForward();  // warm-up with the adapter
    const std::vector<std::string> order = {"base", "lora", "merged"};
    std::map<std::string, std::vector<double>> wall, cpu;
    for (int64_t round = 0; round < iterations; ++round) {
        for (const auto& variant : order) {
            adapter.setEnabled(variant != "base");
            if (variant == "merged") adapter.merge();
            const Timing timing = timeForward();
            if (variant == "merged") adapter.unmerge();
            wall[variant].push_back(timing.wallSeconds);
            cpu[variant].push_back(timing.cpuSeconds);
        }
    }
    adapter.setEnabled(true);
    const double baseWall = median(wall["base"]), baseCpu = median(cpu["base"]);
    std::cout << std::fixed << std::setprecision(3);
    std::cout << "  plain     wall " << plain.wallSeconds << " s, cpu " << plain.cpuSeconds << " s (no adapter attached)\n";
    for (const auto& variant : order) {
        const double wallValue = median(wall[variant]), cpuValue = median(cpu[variant]);
        std::cout << "  " << std::left << std::setw(9) << variant << std::right << " wall " << wallValue << " s ("
                  << std::showpos << std::setprecision(1) << 100.0 * (wallValue / baseWall - 1.0) << "%"
                  << std::noshowpos << std::setprecision(3) << "), cpu " << cpuValue << " s (" << std::showpos
                  << std::setprecision(1) << 100.0 * (cpuValue / baseCpu - 1.0) << "%" << std::noshowpos
                  << std::setprecision(3) << ")  " << std::setprecision(1) << double(batch * length) / wallValue
                  << " tokens/s" << std::setprecision(3) << "\n";
    }
    const double loraOverhead = median(cpu["lora"]) / baseCpu - 1.0;
    std::cout << "un-merged LoRA overhead (cpu time) " << std::setprecision(1) << 100.0 * loraOverhead
              << "%: target <= 10% " << (loraOverhead <= 0.10 ? "met" : "NOT met") << "\n";

    // Layer level: the first c_attn with and without its adapter, many repetitions.
    model::LinearImpl& layer = *adapter.slots().front().linear.ptr();
    const torch::Tensor x = torch::randn({batch * length, layer.inFeatures()}, torch::TensorOptions().dtype(dtype).device(device));
    auto timeLayer = [&](bool enabled) {
        adapter.setEnabled(enabled);
        torch::InferenceMode inference;
        layer.forward(x);
        synchronize(device);
        const double cpuStart = processCpuSeconds();
        const int repetitions = 20;
        for (int i = 0; i < repetitions; ++i) layer.forward(x);
        synchronize(device);
        return (processCpuSeconds() - cpuStart) / repetitions;
    };
    std::vector<double> layerBase, layerLora;
    for (int round = 0; round < 5; ++round) {
        layerBase.push_back(timeLayer(false));
        layerLora.push_back(timeLayer(true));
    }
    adapter.setEnabled(true);
    const double layerBaseSeconds = median(layerBase), layerLoraSeconds = median(layerLora);
    std::cout << "layer " << adapter.slots().front().name << " [" << batch * length << ", " << layer.inFeatures()
              << "] -> " << layer.outFeatures() << ": base " << std::setprecision(3) << 1e3 * layerBaseSeconds
              << " ms, lora " << 1e3 * layerLoraSeconds << " ms cpu (" << std::showpos << std::setprecision(1)
              << 100.0 * (layerLoraSeconds / layerBaseSeconds - 1.0) << "%" << std::noshowpos << ")\n";
    return 0;
}
