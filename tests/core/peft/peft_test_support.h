#pragma once
// Shared helpers of the PEFT tests: tiny in-memory models (the model tests' TinyConfig, tinyGpt2()
// and config.json writer), deterministic inputs, and small tensor utilities.
#include "capsule_test.h"
#include "model_test_support.h"

#include "model/causal_lm.h"
#include "model/model_config.h"
#include "model/model_loader.h"
#include "model/model_registry.h"

#include <torch/torch.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace capsule::test {

/// Llama with GQA (k/v_proj are narrower than q_proj): vocab 37, 64 positions.
inline TinyConfig tinyLlamaConfig() { return tinyConfig("llama", 37, 64); }

/// A model built from `config` with random weights (model::initializeRandomWeights), float32 CPU.
inline std::shared_ptr<model::CausalLM> tinyModel(const TinyConfig& config, uint64_t seed = 7,
                                                  torch::ScalarType dtype = torch::kFloat) {
    const model::ModelConfig modelConfig = model::parseModelConfig(configJson(config), "tiny/config.json");
    auto built = model::buildModel(modelConfig, torch::TensorOptions().dtype(dtype));
    model::initializeRandomWeights(*built, seed);
    built->eval();
    return built;
}

/// The real-size architecture of a published model, on the meta device (shapes only, no memory).
inline std::shared_ptr<model::CausalLM> metaModel(const std::string& configText) {
    const model::ModelConfig modelConfig = model::parseModelConfig(configText, "meta/config.json");
    return model::buildModel(modelConfig, torch::TensorOptions().dtype(torch::kFloat).device(torch::kMeta));
}

inline std::string gpt2SmallConfigJson() {
    return R"({"model_type": "gpt2", "vocab_size": 50257, "n_positions": 1024, "n_embd": 768, "n_layer": 12,
               "n_head": 12, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-05,
               "architectures": ["GPT2LMHeadModel"]})";
}

inline std::string llama2_7bConfigJson() {
    return R"({"model_type": "llama", "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008,
               "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32,
               "max_position_embeddings": 4096, "rms_norm_eps": 1e-05, "hidden_act": "silu",
               "tie_word_embeddings": false, "architectures": ["LlamaForCausalLM"]})";
}

/// Input ids [batch, length] drawn deterministically from [0, vocab).
inline torch::Tensor tinyInputIds(int64_t batch, int64_t length, int64_t vocab, uint64_t seed = 3) {
    std::vector<int64_t> ids;
    for (int64_t b = 0; b < batch; ++b) {
        const std::vector<int64_t> row = randomIds(length, vocab, seed + static_cast<uint64_t>(b));
        ids.insert(ids.end(), row.begin(), row.end());
    }
    return torch::tensor(ids, torch::kLong).view({batch, length});
}

inline torch::Tensor logitsOf(model::CausalLM& model, const torch::Tensor& ids) {
    torch::NoGradGuard noGrad;
    model::ForwardInput input;
    input.inputIds = ids;
    return model.forward(input);
}

inline double maxDifference(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

/// Writes `text` to `path` (binary, no newline added).
inline void writeText(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

/// Fills every tensor with values drawn from a seeded generator (to make adapters non-trivial).
inline void randomize(std::vector<torch::Tensor> tensors, uint64_t seed, double scale = 0.5) {
    torch::NoGradGuard noGrad;
    auto generator = at::detail::createCPUGenerator(seed);
    for (auto& tensor : tensors) {
        const torch::Tensor values = torch::empty(tensor.sizes(), torch::kFloat);
        values.normal_(0.0, scale, generator);
        tensor.copy_(values);
    }
}

}  // namespace capsule::test
