#pragma once
// The interface every decoder-only language model implements; PEFT methods, the trainer,
// generation and the CLI only talk to this.
//
// Module tree and names follow transformers' *ForCausalLM classes, so named_parameters() and
// namedLinears() give the names PEFT sees: GPT-2 `transformer.h.0.attn.c_attn`, Llama family
// `model.layers.0.self_attn.q_proj`, and `lm_head` in both.
//
// Dimension letters: B batch, T new positions, P cached positions (T_past), H hidden size,
// V vocabulary.
#include "model/kv_cache.h"
#include "model/linear.h"
#include "model/model_config.h"

#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace capsule::model {

/// One forward step. Give exactly one of inputIds and inputsEmbeds.
struct ForwardInput {
    torch::Tensor inputIds;      // [B, T] int64
    torch::Tensor inputsEmbeds;  // [B, T, H] in the model dtype (prompt tuning prepends virtual tokens);
                                 // GPT-2 still adds its position embeddings to these
    /// [B, P + T]: 1 = real token, 0 = padding; it covers cached positions too (prefix-tuning
    /// prefixes count as real). Undefined = every position real.
    torch::Tensor attentionMask;
    /// [B, T] int64. Undefined = derived: cumsum(attentionMask) − 1 when a mask is given (left
    /// padding keeps real tokens at 0, 1, ...), else P, P+1, ... (P = cache length).
    torch::Tensor positionIds;
    /// Not owned. When set, its K/V (e.g. prefix-tuning prefixes) are attended to and this step's
    /// K/V are appended to it. Must have numLayers() layers.
    KVCache* cache = nullptr;
};

/// Abstract causal LM. Not thread-safe: one forward at a time per model (attached adapters and
/// the cache are mutable state). Construction allocates uninitialised weights in the requested
/// dtype/device; loadModel() / loadWeights() fill them.
class CausalLM : public torch::nn::Module {
public:
    explicit CausalLM(ModelConfig config);
    ~CausalLM() override;

    const ModelConfig& config() const { return config_; }
    int64_t numLayers() const { return config_.numHiddenLayers; }
    int64_t numAttentionHeads() const { return config_.numAttentionHeads; }
    int64_t numKeyValueHeads() const { return config_.numKeyValueHeads; }
    int64_t headDim() const { return config_.headDim; }
    int64_t hiddenSize() const { return config_.hiddenSize; }
    int64_t vocabSize() const { return config_.vocabSize; }

    /// Final-norm hidden states [B, T, H].
    virtual torch::Tensor hidden(const ForwardInput& input) = 0;
    /// LM head: [..., H] -> [..., V] (apply it only where logits are needed).
    virtual torch::Tensor logits(const torch::Tensor& hiddenStates) = 0;
    /// logits(hidden(input)): [B, T, V].
    torch::Tensor forward(const ForwardInput& input);

    /// The word embedding alone (no position embedding): ids [B, T] -> [B, T, H].
    virtual torch::Tensor embedTokens(const torch::Tensor& inputIds) = 0;
    /// The word embedding matrix [V, H] (the tied LM head shares it).
    virtual torch::Tensor wordEmbeddingWeight() = 0;

    /// Every linear layer with its full HF module name, in module order, lm_head last.
    virtual std::vector<std::pair<std::string, Linear>> namedLinears() = 0;

    /// Maps a checkpoint tensor name to this model's parameter name (stripping or adding the
    /// family's prefix: GPT-2 `transformer.`, Llama `model.`). Returns nullopt for buffers the hub
    /// files carry that have no parameter (GPT-2 `h.N.attn.bias`, `attn.masked_bias`,
    /// `rotary_emb.inv_freq`); other unknown names come back unchanged (and then match nothing).
    virtual std::optional<std::string> parameterNameForCheckpointKey(const std::string& key) const = 0;

    /// An empty cache with one slot per layer.
    KVCache makeCache() const { return KVCache(numLayers()); }

    /// Dtype and device of the weights (those of the word embedding).
    torch::ScalarType dtype();
    torch::Device device();

protected:
    /// Checks input shapes against the config and the cache; throws std::invalid_argument.
    /// Returns {batch, newLength, pastLength}.
    struct InputShape {
        int64_t batch = 0;
        int64_t length = 0;
        int64_t pastLength = 0;
    };
    InputShape validateInput(const ForwardInput& input) const;

    ModelConfig config_;
};

}  // namespace capsule::model
