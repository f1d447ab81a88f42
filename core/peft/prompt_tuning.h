#pragma once
// Prompt tuning (peft-spec.md §7): n trainable soft-token embeddings prepended to every input.
//
//   encoder    PromptEmbedding: embedding [n, token_dim] (n = num_virtual_tokens), float32
//   init       RANDOM: N(0, 1) (torch's Embedding default)
//              SAMPLE_VOCAB: rows of the word embedding at n token ids drawn uniformly from
//                [0, vocab) with the global LibTorch generator, cast to float32
//              TEXT: rows of the word embedding at the init text's token ids — passed by the
//                caller in PromptTuningConfig::initTextTokenIds (no tokenizer here) — truncated to
//                n or repeated cyclically up to n, cast to float32
//   saved      prompt_embeddings F32 [n, token_dim] (GPT-2 small, n = 20: [20, 768])
//   forward    inputs_embeds = [prompts; wte(ids)], ones prepended to the mask, labels get −100 at
//              the virtual positions (extendLabelsForVirtualTokens), virtual tokens at positions
//              0..n−1 (§6.4)
#include "peft/prompt_learning.h"
#include "peft/prompt_learning_config.h"

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace capsule::peft {

/// PEFT's PromptEmbedding: a plain table of virtual-token embeddings.
class PromptEmbeddingImpl : public VirtualTokenEncoder {
public:
    /// A [rows, width] float32 table on `device`, N(0, 1) (global generator).
    PromptEmbeddingImpl(int64_t rows, int64_t width, const torch::Device& device);

    torch::Tensor encode(const torch::Tensor& ids) override;  // [B, n] -> [B, n, width]
    torch::Tensor table() override { return embedding->weight; }
    bool hasHead() const override { return false; }

    torch::nn::Embedding embedding{nullptr};  // weight [rows, width]
};

class PromptTuningAdapter : public VirtualTokenMethod {
public:
    /// Throws std::runtime_error for an invalid config (validate()).
    explicit PromptTuningAdapter(PromptTuningConfig config);

    std::string peftType() const override { return "PROMPT_TUNING"; }
    /// Fills the dimension fields from the model (token_dim must equal its hidden size), freezes
    /// the model and registers the table; WeightInit::Fresh initialises it per prompt_tuning_init
    /// (TEXT needs initTextTokenIds, each id inside the vocabulary).
    void apply(model::CausalLM& model, WeightInit init) override;
    std::string configJson(ConfigProfile profile) const override;

    const PromptTuningConfig& config() const { return config_; }

private:
    PromptTuningConfig config_;
};

/// PEFT's TEXT-init id list: `ids` truncated to `count`, or repeated cyclically and cut to `count`.
/// Throws std::invalid_argument for an empty `ids`.
std::vector<int64_t> cyclicTokenIds(const std::vector<int64_t>& ids, int64_t count);

}  // namespace capsule::peft
