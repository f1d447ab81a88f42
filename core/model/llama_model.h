#pragma once
// The Llama family: model_type "llama" (Llama 2/3, TinyLlama, SmolLM), "qwen2" (q/k/v biases,
// optional per-layer sliding window) and "mistral" (sliding window). transformers'
// LlamaForCausalLM / Qwen2ForCausalLM / MistralForCausalLM (hf-formats.md §4): RMSNorm pre-norm
// blocks, RoPE (rotate_half) with the scaling variants, GQA, SwiGLU MLP.
//
// Module tree (the names PEFT matches; n heads, k kv heads, D head_dim, I intermediate):
//   model.embed_tokens                                       Embedding [V, H]
//   model.layers.{i}.input_layernorm / post_attention_layernorm   RMSNorm [H]
//   model.layers.{i}.self_attn.q_proj / k_proj / v_proj      Linear [n·D, H] / [k·D, H] / [k·D, H]
//   model.layers.{i}.self_attn.o_proj                        Linear [H, n·D]
//   model.layers.{i}.mlp.gate_proj / up_proj / down_proj     Linear [I, H] / [I, H] / [H, I]
//   model.norm                                               RMSNorm [H]
//   lm_head                                                  Linear [V, H] (shares embed_tokens when tied)
#include "model/causal_lm.h"
#include "model/rotary_embedding.h"

#include <torch/torch.h>

#include <memory>

namespace capsule::model {

class LlamaModelImpl;  // the `model` submodule; defined in llama_model.cpp

class LlamaForCausalLMImpl : public CausalLM {
public:
    /// Allocates uninitialised weights with `options` (dtype, device).
    LlamaForCausalLMImpl(const ModelConfig& config, const torch::TensorOptions& options);

    torch::Tensor hidden(const ForwardInput& input) override;
    torch::Tensor logits(const torch::Tensor& hiddenStates) override;
    torch::Tensor embedTokens(const torch::Tensor& inputIds) override;
    torch::Tensor wordEmbeddingWeight() override;
    std::vector<std::pair<std::string, Linear>> namedLinears() override;
    std::optional<std::string> parameterNameForCheckpointKey(const std::string& key) const override;

private:
    std::shared_ptr<LlamaModelImpl> model_;
    Linear lmHead_{nullptr};
    std::unique_ptr<RotaryEmbedding> rotary_;
};
TORCH_MODULE(LlamaForCausalLM);

}  // namespace capsule::model
