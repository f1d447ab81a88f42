#pragma once
// Shared helpers of the prompt-learning and T-Few tests: tiny random checkpoints (model tests'
// support), full-size configs built on the meta device for shapes and parameter counts, and the
// greedy-by-recomputation reference for generation.
#include "capsule_test.h"
#include "model_test_support.h"

#include "io/safetensors.h"
#include "model/model_config.h"
#include "model/model_loader.h"
#include "model/model_registry.h"
#include "peft/adapter.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace capsule::test {

/// A tiny GPT-2 (4 heads of 4) or Llama-family model with grouped-query attention (4 query heads,
/// 2 KV heads of 4), written to `folder` with weights ~ N(0, 0.5²) and loaded in `dtype`.
inline std::shared_ptr<model::CausalLM> tinyPromptModel(const TempDir& folder, const std::string& type,
                                                        torch::ScalarType dtype = torch::kFloat, uint64_t seed = 17) {
    const TinyConfig config = tinyGenerationConfig(type, 64);
    writeCheckpoint(folder.path(), config, randomWeights(config, seed, 0.5));
    auto model = model::loadModel(folder.path(), {dtype, torch::Device(torch::kCPU)});
    model->eval();
    return model;
}

/// GPT-2 small / medium / large (published dimensions) as config.json text.
inline std::string gpt2ConfigJson(int64_t hidden, int64_t layers, int64_t heads) {
    nlohmann::json j;
    j["model_type"] = "gpt2";
    j["architectures"] = {"GPT2LMHeadModel"};
    j["vocab_size"] = 50257;
    j["n_positions"] = 1024;
    j["n_ctx"] = 1024;
    j["n_embd"] = hidden;
    j["n_layer"] = layers;
    j["n_head"] = heads;
    j["activation_function"] = "gelu_new";
    j["layer_norm_epsilon"] = 1e-5;
    return j.dump(2);
}

/// TinyLlama-1.1B's config.json (published dimensions).
inline std::string tinyLlamaConfigJson() {
    nlohmann::json j;
    j["model_type"] = "llama";
    j["architectures"] = {"LlamaForCausalLM"};
    j["vocab_size"] = 32000;
    j["hidden_size"] = 2048;
    j["intermediate_size"] = 5632;
    j["num_hidden_layers"] = 22;
    j["num_attention_heads"] = 32;
    j["num_key_value_heads"] = 4;
    j["max_position_embeddings"] = 2048;
    j["rms_norm_eps"] = 1e-5;
    j["hidden_act"] = "silu";
    j["tie_word_embeddings"] = false;
    j["rope_theta"] = 10000.0;
    return j.dump(2);
}

/// A model with shapes only (meta device): parameter counts and shapes without the memory.
/// `name` becomes base_model_name_or_path ("<name>/config.json").
inline std::shared_ptr<model::CausalLM> metaModel(const std::string& configJsonText, const std::string& name) {
    const model::ModelConfig config = model::parseModelConfig(configJsonText, name + "/config.json");
    return model::buildModel(config, torch::TensorOptions().dtype(torch::kFloat).device(torch::kMeta));
}

/// Greedy tokens by re-running the whole sequence through forwardLogits() each step (no cache).
inline std::vector<int64_t> greedyByRecomputation(model::CausalLM& model, peft::AdapterMethod* adapter,
                                                  std::vector<int64_t> ids, int64_t steps) {
    torch::NoGradGuard noGrad;
    std::vector<int64_t> produced;
    for (int64_t i = 0; i < steps; ++i) {
        model::ForwardInput input;
        input.inputIds = torch::tensor(ids, torch::kLong).view({1, -1});
        const torch::Tensor logits = peft::forwardLogits(model, adapter, input);  // [1, T, V]
        const int64_t next = logits[0][static_cast<int64_t>(ids.size()) - 1].argmax().item<int64_t>();
        produced.push_back(next);
        ids.push_back(next);
    }
    return produced;
}

inline torch::Tensor idsTensor(const std::vector<std::vector<int64_t>>& rows) {
    std::vector<int64_t> flat;
    for (const auto& row : rows) flat.insert(flat.end(), row.begin(), row.end());
    return torch::tensor(flat, torch::kLong).view({static_cast<int64_t>(rows.size()), -1});
}

}  // namespace capsule::test
