#pragma once
// GPT-2 (transformers' GPT2LMHeadModel, hf-formats.md §3): learned absolute positions, pre-LN
// blocks, Conv1D projections kept in their [in, out] layout, tied LM head by default.
//
// Module tree (the names PEFT matches):
//   transformer.wte, transformer.wpe                     Embedding [V, H], [n_positions, H]
//   transformer.h.{i}.ln_1 / ln_2                        LayerNorm [H]
//   transformer.h.{i}.attn.c_attn                        Linear (Conv1D) [H, 3H]
//   transformer.h.{i}.attn.c_proj                        Linear (Conv1D) [H, H]
//   transformer.h.{i}.mlp.c_fc / c_proj                  Linear (Conv1D) [H, I] / [I, H]
//   transformer.ln_f                                     LayerNorm [H]
//   lm_head                                              Linear [V, H], sharing wte's weight when tied
#include "model/causal_lm.h"

#include <torch/torch.h>

#include <memory>

namespace capsule::model {

class Gpt2TransformerImpl;  // the `transformer` submodule; defined in gpt2_model.cpp

class Gpt2ForCausalLMImpl : public CausalLM {
public:
    /// Allocates uninitialised weights with `options` (dtype, device).
    Gpt2ForCausalLMImpl(const ModelConfig& config, const torch::TensorOptions& options);

    torch::Tensor hidden(const ForwardInput& input) override;
    torch::Tensor logits(const torch::Tensor& hiddenStates) override;
    torch::Tensor embedTokens(const torch::Tensor& inputIds) override;
    torch::Tensor wordEmbeddingWeight() override;
    std::vector<std::pair<std::string, Linear>> namedLinears() override;
    std::optional<std::string> parameterNameForCheckpointKey(const std::string& key) const override;

private:
    std::shared_ptr<Gpt2TransformerImpl> transformer_;
    Linear lmHead_{nullptr};
};
TORCH_MODULE(Gpt2ForCausalLM);

}  // namespace capsule::model
