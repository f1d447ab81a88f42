#pragma once
// Prefix tuning (peft-spec.md §8, PEFT's PrefixEncoder): trainable key/value prefixes for every
// layer, fed to the model through a pre-filled KV cache.
//
//   encoder     no projection (or loaded): embedding [n, L·2·token_dim], N(0, 1)
//               prefix_projection (training): embedding [n, token_dim] → transform =
//               Linear(token_dim → h) → Tanh → Linear(h → L·2·token_dim), h = encoder_hidden_size
//               init_weights "zero": zero the last linear (or the table)
//   GQA         on Llama-family models token_dim = head_dim · kv_heads and num_attention_heads =
//               kv_heads (§6.1, §13 trap 6): the prefixes have the K/V width, not the query width
//   layout      the last dim of the encoder output P [B, n, L·2·token_dim] is
//               [L0.K | L0.V | L1.K | … | L(L−1).V], each block head-major (heads × head_dim):
//               view [B, n, 2L, heads, head_dim] → permute [2L, B, heads, n, head_dim] → layer ℓ
//               gets K = slot 2ℓ, V = slot 2ℓ+1, cast to the model dtype (§8.3, §13 trap 7)
//   saved       prompt_embeddings F32 [n, L·2·token_dim] (GPT-2 small, n = 20: [20, 18432];
//               TinyLlama: [20, 11264])
//   forward     ones prepended to the attention mask, a given position_ids shifted by n; without
//               position ids the model starts real tokens at position n (the cache length).
//               Labels are unchanged and the logits cover the real tokens only.
#include "peft/prompt_encoder_layers.h"
#include "peft/prompt_learning.h"
#include "peft/prompt_learning_config.h"

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace capsule::peft {

/// PEFT's PrefixEncoder. `withProjection` false builds the plain table.
class PrefixEncoderImpl : public VirtualTokenEncoder {
public:
    /// `config` must be resolved. float32 on `device`, global LibTorch generator.
    PrefixEncoderImpl(const PrefixTuningConfig& config, bool withProjection, bool zeroInit, const torch::Device& device);

    torch::Tensor encode(const torch::Tensor& ids) override;  // [B, n] -> [B, n, L·2·token_dim]
    torch::Tensor table() override { return embedding->weight; }
    bool hasHead() const override { return !transform.is_empty(); }

    torch::nn::Embedding embedding{nullptr};   // [n, token_dim] with projection, else [n, L·2·token_dim]
    EncoderMlp transform{nullptr};             // projection only: Linear -> Tanh -> Linear
};

/// §8.3 for decoder-only models: the flat prefix [B, n, L·2·token_dim] to per-layer
/// {key, value} [B, heads, n, token_dim / heads], cast to `dtype`. Keeps autograd.
std::vector<std::pair<torch::Tensor, torch::Tensor>> prefixKeyValues(const torch::Tensor& flatPrefix, int64_t numLayers,
                                                                     int64_t numHeads, torch::ScalarType dtype);

class PrefixTuningAdapter : public PromptLearningMethod {
public:
    /// Throws std::runtime_error for an invalid config (validate()).
    explicit PrefixTuningAdapter(PrefixTuningConfig config);

    std::string peftType() const override { return "PREFIX_TUNING"; }
    /// Fills the dimension fields from the model with the GQA rewrite, checks them against it
    /// (num_layers, num_attention_heads = kv heads, token_dim = kv heads · head_dim), freezes the
    /// model and registers the encoder (projection only when fresh and prefix_projection).
    void apply(model::CausalLM& model, WeightInit init) override;
    std::string configJson(ConfigProfile profile) const override;

    /// Fills an empty cache (with no input.cache: a new cache owned by the result) with the prefix
    /// K/V for the batch, prepends n ones to a given attention mask and shifts given position ids
    /// by n. A non-empty input.cache is taken to hold the prefix already (a later step): only the
    /// mask (when it covers the real positions alone) and the position ids are adjusted.
    /// virtualTokenCount is 0: the logits are the real tokens'. Disabled: input unchanged.
    AdaptedInput prepareInput(const model::ForwardInput& input) override;
    /// prepareCache fills generation's cache with the batch-1 prefix. The hook calls back into this
    /// adapter: it must outlive it. Disabled: no hooks.
    model::GenerationHooks generationHooks() override;

    /// Writes the prefix K/V [batch, kv_heads, n, head_dim] into every layer of `cache`.
    void fillCache(model::KVCache& cache, int64_t batch);

    const PrefixTuningConfig& config() const { return config_; }

private:
    PrefixTuningConfig config_;
};

}  // namespace capsule::peft
