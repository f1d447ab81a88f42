#pragma once
// What the prompt-learning methods share (peft-spec.md §6): a small encoder module producing one
// row per virtual token, registered in the model's module tree as `prompt_encoder.default`
// (PEFT's in-memory names: `prompt_encoder.default.embedding.weight`, `...mlp_head.0.weight`, so
// model->to(), train()/eval() and parameter counts reach it), the saved tensor
// `prompt_embeddings` (the encoder OUTPUT, §6.3), and the input rewriting of prompt tuning and
// P-tuning (virtual tokens prepended to inputs_embeds, ones to the attention mask, §6.4).
//
// A freshly applied adapter (WeightInit::Fresh) holds PEFT's training encoder (P-tuning's MLP /
// LSTM head, prefix tuning's projection). A loaded one (WeightInit::FromFile) holds a plain table
// of the saved rows, as PEFT does in inference mode; loadAdapter(trainable = true) leaves that
// table trainable (PEFT refuses to load prompt-learning adapters as trainable).
//
// Dimension letters: B batch, T real positions, n virtual tokens, H hidden size, W encoder output
// width (H for prompt / P-tuning; num_layers·2·token_dim for prefix tuning).
#include "peft/adapter.h"

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>

namespace capsule::peft {

/// The saved key of every prompt-learning adapter (§1.4, §13 trap 1): no prefix, no adapter name.
inline constexpr const char* kPromptEmbeddingsKey = "prompt_embeddings";
/// The label value of virtual positions (PyTorch's cross-entropy ignore_index).
inline constexpr int64_t kIgnoreLabel = -100;

/// An encoder of virtual tokens: ids [B, n] -> [B, n, W].
class VirtualTokenEncoder : public torch::nn::Module {
public:
    virtual torch::Tensor encode(const torch::Tensor& ids) = 0;
    /// The embedding table [n, table width] (a loaded adapter's rows).
    virtual torch::Tensor table() = 0;
    /// True when the output is not the table itself (P-tuning's MLP / LSTM, prefix projection).
    virtual bool hasHead() const = 0;
};

/// labels [B, T] -> [B, n + T] with -100 for the n virtual positions (PEFT's prefix_labels), for
/// the trainer of prompt tuning / P-tuning (prefix tuning leaves labels unchanged).
torch::Tensor extendLabelsForVirtualTokens(const torch::Tensor& labels, int64_t virtualTokenCount);

/// attention mask [B, S] -> [B, count + S] with ones prepended (same dtype and device). An
/// undefined mask stays undefined (every position real).
torch::Tensor prependOnesToMask(const torch::Tensor& attentionMask, int64_t count);

class PromptLearningMethod : public AdapterMethod {
public:
    /// {"prompt_embeddings": promptEmbeddings()}.
    NamedTensorList stateDict() override;
    /// {"prompt_embeddings": the table} of a loaded (table-only) adapter. A fresh P-tuning adapter
    /// or projected prefix adapter has no tensor the file could be loaded into: throws.
    NamedTensorList loadTargets() override;
    /// The encoder's parameters that require grad, under PEFT's in-memory names
    /// ("prompt_encoder.default.embedding.weight", ...): for P-tuning and projected prefix tuning
    /// nothing in adapter_model.safetensors corresponds to them, so a trainer checkpoint must store
    /// these (stateDict() is the export).
    NamedTensorList namedTrainableParameters() override;
    std::vector<torch::Tensor> ownedParameters() override;

    void setEnabled(bool enabled) override { enabled_ = enabled; }
    bool isEnabled() const override { return enabled_; }
    /// Unregisters the encoder from the model; base parameters stay frozen.
    void remove() override;

    /// The tensor PEFT saves (§6.3): the encoder output for virtual tokens 0..n−1, [n, W] float32,
    /// detached, on the CPU. Computed in eval mode (no LSTM dropout) without changing the mode.
    torch::Tensor promptEmbeddings();
    /// Virtual tokens per sequence (num_virtual_tokens; decoder-only: one transformer submodule).
    int64_t virtualTokenCount() const { return virtualTokenCount_; }
    /// True after apply(WeightInit::FromFile): the encoder is a plain table.
    bool isTableOnly() const { return tableOnly_; }
    /// The encoder module (null before apply()).
    std::shared_ptr<VirtualTokenEncoder> encoder() const { return encoder_; }

protected:
    /// Freezes the model and registers `encoder` as model.prompt_encoder.default. Throws when this
    /// adapter is already applied or the model already carries a prompt encoder.
    void attachEncoder(model::CausalLM& model, std::shared_ptr<VirtualTokenEncoder> encoder, int64_t virtualTokenCount,
                       bool tableOnly);
    /// Throws std::runtime_error "<peft_type>: ... before apply()" when not applied.
    model::CausalLM& appliedModel() const;
    /// The encoder output for the virtual tokens [n, W], float32, with autograd when grad mode is on.
    torch::Tensor encodeVirtualTokens();

    model::CausalLM* model_ = nullptr;  // not owned; set by attachEncoder
    std::shared_ptr<VirtualTokenEncoder> encoder_;
    int64_t virtualTokenCount_ = 0;
    bool tableOnly_ = false;
    bool enabled_ = true;
};

/// Prompt tuning and P-tuning: the virtual tokens are prepended to the input embeddings (§6.4).
class VirtualTokenMethod : public PromptLearningMethod {
public:
    /// inputs_embeds = [prompts; embed(input_ids)] (prompts cast to the embeddings' dtype), ones
    /// prepended to a given attention mask, position_ids dropped (PEFT ignores them, so the model
    /// derives positions: virtual tokens 0..n−1, real tokens from n). The logits then have n + T
    /// positions; virtualTokenCount says how many to drop (forwardLogits() does).
    ///
    /// With a non-empty input.cache the call continues a sequence whose virtual tokens are already
    /// cached: nothing is prepended (virtualTokenCount 0), and a mask covering only the real
    /// positions (width cache length − n + T) gets n ones prepended. Disabled: input unchanged.
    AdaptedInput prepareInput(const model::ForwardInput& input) override;
    /// prepareInputsEmbeds prepends the prompts for model::generate(). The hooks call back into
    /// this adapter: it must outlive them. Disabled: no hooks.
    model::GenerationHooks generationHooks() override;
};

}  // namespace capsule::peft
