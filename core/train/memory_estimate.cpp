#include "train/memory_estimate.h"

#include <algorithm>
#include <cstdio>

namespace capsule::train {

int64_t bytesPerElement(const std::string& computeDtype) {
    if (computeDtype == "bfloat16" || computeDtype == "float16") return 2;
    return 4;
}

MemoryEstimate estimateTrainingMemory(const model::ModelConfig& config, int64_t baseParameters,
                                      int64_t trainableParameters, int64_t batchSize, int64_t sequenceLength,
                                      const std::string& computeDtype) {
    MemoryEstimate estimate;
    estimate.computeDtype = computeDtype;
    estimate.sequenceLength = std::max<int64_t>(sequenceLength, 0);
    const int64_t elementBytes = bytesPerElement(computeDtype);
    estimate.weightBytes = std::max<int64_t>(baseParameters, 0) * elementBytes;
    // fp32 value + fp32 gradient + AdamW exp_avg + exp_avg_sq.
    estimate.adapterBytes = std::max<int64_t>(trainableParameters, 0) * 16;

    const double s = static_cast<double>(estimate.sequenceLength);
    const double b = static_cast<double>(std::max<int64_t>(batchSize, 0));
    const double h = static_cast<double>(config.hiddenSize);
    const double a = static_cast<double>(config.numAttentionHeads);
    const double intermediate = config.intermediateSize > 0 ? static_cast<double>(config.intermediateSize) : 4.0 * h;
    // Llama-family MLPs have gate, up and down projections and an elementwise product.
    const bool gatedMlp = config.modelType != "gpt2";
    const double mlpFactor = 19.0 * (intermediate / (4.0 * std::max(h, 1.0))) * (gatedMlp ? 1.5 : 1.0);
    // The paper's byte counts are for 16-bit activations (2 B per element).
    // 11·sbh attention linears and dropout masks, 4·sbh the two norms, the MLP, 5·a·s²·b scores.
    const double perLayer16Bit = s * b * h * (11.0 + 4.0 + mlpFactor) + 5.0 * a * s * s * b;
    const double activations = perLayer16Bit * static_cast<double>(elementBytes) / 2.0 *
                               static_cast<double>(config.numHiddenLayers);
    estimate.activationBytes = static_cast<int64_t>(activations);
    estimate.logitsBytes = static_cast<int64_t>(b * s * static_cast<double>(config.vocabSize) * 3.0 * 4.0);
    return estimate;
}

std::string formatBytes(int64_t bytes) {
    char text[64];
    const double value = static_cast<double>(bytes);
    if (bytes >= (int64_t{1} << 30))
        std::snprintf(text, sizeof text, "%.1f GiB", value / double(int64_t{1} << 30));
    else if (bytes >= (int64_t{1} << 20))
        std::snprintf(text, sizeof text, "%.0f MiB", value / double(int64_t{1} << 20));
    else if (bytes >= 1024)
        std::snprintf(text, sizeof text, "%.0f KiB", value / 1024.0);
    else
        std::snprintf(text, sizeof text, "%lld B", static_cast<long long>(bytes));
    return text;
}

}  // namespace capsule::train
