// The training-memory estimate against numbers worked out by hand from its formula
// (Korthikanti et al. 2022, eq. 2) for GPT-2 small, and its weights part against a real model.
#include "capsule_test.h"

#include "model/model_config.h"
#include "model/model_loader.h"
#include "peft/parameter_count.h"
#include "train/demo_assets.h"
#include "train/memory_estimate.h"

#include <torch/torch.h>

#include <set>

using namespace capsule;

namespace {

model::ModelConfig gpt2Small() {
    model::ModelConfig config;
    config.modelType = "gpt2";
    config.vocabSize = 50257;
    config.hiddenSize = 768;
    config.intermediateSize = 3072;
    config.numHiddenLayers = 12;
    config.numAttentionHeads = 12;
    config.numKeyValueHeads = 12;
    config.headDim = 64;
    return config;
}

}  // namespace

CAPSULE_TEST(gpt2_small_lora_fp32_matches_the_hand_computation) {
    // peft-spec §12: GPT-2 124,439,808 base parameters; LoRA r=8 on c_attn trains 294,912.
    const train::MemoryEstimate estimate =
        train::estimateTrainingMemory(gpt2Small(), 124'439'808, 294'912, 2, 128, "float32");
    COMPARE(estimate.weightBytes, int64_t{497'759'232});  // 124,439,808 × 4
    COMPARE(estimate.adapterBytes, int64_t{4'718'592});   // 294,912 × (4 + 4 + 8)
    // s·b·h·(34 + 5·a·s/h) = 128·2·768·(34 + 10) = 8,650,752 B per layer in 16 bit; ×2 fp32; ×12.
    COMPARE(estimate.activationBytes, int64_t{207'618'048});
    COMPARE(estimate.logitsBytes, int64_t{154'389'504});  // 2·128·50257·3·4
    COMPARE(estimate.totalBytes(), int64_t{497'759'232 + 4'718'592 + 207'618'048 + 154'389'504});
    COMPARE(estimate.sequenceLength, int64_t{128});
}

CAPSULE_TEST(bfloat16_halves_weights_and_activations_not_the_adapter_state) {
    const train::MemoryEstimate fp32 = train::estimateTrainingMemory(gpt2Small(), 1000, 100, 4, 64, "float32");
    const train::MemoryEstimate bf16 = train::estimateTrainingMemory(gpt2Small(), 1000, 100, 4, 64, "bfloat16");
    COMPARE(bf16.weightBytes * 2, fp32.weightBytes);
    COMPARE(bf16.activationBytes * 2, fp32.activationBytes);
    COMPARE(bf16.adapterBytes, fp32.adapterBytes);
    COMPARE(bf16.logitsBytes, fp32.logitsBytes);  // the loss is computed in fp32 either way
}

CAPSULE_TEST(gated_mlp_counts_its_third_matrix) {
    model::ModelConfig llama = gpt2Small();
    llama.modelType = "llama";
    const auto gpt2 = train::estimateTrainingMemory(gpt2Small(), 0, 0, 1, 16, "bfloat16");
    const auto gated = train::estimateTrainingMemory(llama, 0, 0, 1, 16, "bfloat16");
    // 16·768·(15 + 19·1.5) + 5·12·256 vs 16·768·34 + 5·12·256, per layer, 16 bit.
    COMPARE(gated.activationBytes - gpt2.activationBytes, int64_t{16 * 768 * 19 / 2 * 12});
}

CAPSULE_TEST(weights_part_equals_the_bytes_of_the_loaded_demo_model) {
    // The setup page feeds the estimate peft::countTrainableParameters(model).all; the bytes the
    // loaded model really holds are its distinct storages (a tied LM head shares the embedding's).
    const std::string modelFolder = train::bundledDemoModelFolder();
    if (modelFolder.empty()) SKIP_TEST("no demo model folder");
    const auto model = model::loadModel(modelFolder);
    std::set<const void*> seen;
    int64_t bytes = 0;
    for (const auto& parameter : model->parameters()) {
        if (seen.insert(parameter.data_ptr()).second) bytes += parameter.numel() * parameter.element_size();
    }
    const int64_t counted = peft::countTrainableParameters(*model).all;
    const auto estimate = train::estimateTrainingMemory(model->config(), counted, 0, 1, 1, "float32");
    COMPARE(estimate.weightBytes, bytes);
}

CAPSULE_TEST(bytes_format_in_binary_units) {
    COMPARE(train::formatBytes(512), std::string("512 B"));
    COMPARE(train::formatBytes(48 * 1024), std::string("48 KiB"));
    COMPARE(train::formatBytes(312LL << 20), std::string("312 MiB"));
    COMPARE(train::formatBytes(3LL << 29), std::string("1.5 GiB"));
}
