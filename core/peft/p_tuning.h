#pragma once
// P-tuning (peft-spec.md §9, PEFT's PromptEncoder): the soft tokens come out of a small network
// over a trainable table, built exactly as PEFT builds it (torch's default inits):
//
//   embedding  [n, token_dim]                       N(0, 1)
//   MLP        mlp_head = Linear(token_dim → h) → ReLU → Linear(h → h) → ReLU → Linear(h → token_dim)
//              (always three linears; encoder_num_layers is ignored, PEFT only warns)
//   LSTM       lstm_head = bidirectional LSTM(token_dim → h, encoder_num_layers layers,
//              dropout encoder_dropout between layers, batch_first), then
//              mlp_head = Linear(2h → 2h) → ReLU → Linear(2h → token_dim)
//   h = encoder_hidden_size (null → token_dim)
//
// Parameter names match PEFT's (prompt_encoder.default.mlp_head.0.weight, ...lstm_head.weight_ih_l0
// ...). The file keeps only the head's OUTPUT, prompt_embeddings F32 [n, token_dim] (§6.3); a
// loaded adapter is a plain table. Integration is prompt tuning's (§6.4).
#include "peft/prompt_encoder_layers.h"
#include "peft/prompt_learning.h"
#include "peft/prompt_learning_config.h"

#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace capsule::peft {

/// PEFT's PromptEncoder. `withHead` false builds the table alone (inference mode).
class PromptEncoderImpl : public VirtualTokenEncoder {
public:
    /// `config` must be resolved (token_dim and encoder_hidden_size set). Parameters are float32 on
    /// `device`, drawn from the global LibTorch generator.
    PromptEncoderImpl(const PromptEncoderConfig& config, int64_t rows, bool withHead, const torch::Device& device);

    torch::Tensor encode(const torch::Tensor& ids) override;  // [B, n] -> [B, n, token_dim]
    torch::Tensor table() override { return embedding->weight; }
    bool hasHead() const override { return !mlp_head.is_empty(); }

    torch::nn::Embedding embedding{nullptr};  // weight [n, token_dim]
    EncoderLstm lstm_head{nullptr};           // LSTM only
    EncoderMlp mlp_head{nullptr};             // null in inference mode
};

class PTuningAdapter : public VirtualTokenMethod {
public:
    /// Throws std::runtime_error for an invalid config (validate()).
    explicit PTuningAdapter(PromptEncoderConfig config);

    std::string peftType() const override { return "P_TUNING"; }
    /// Fills the dimension fields and encoder_hidden_size from the model (token_dim must equal its
    /// hidden size), freezes the model and registers the encoder: with its MLP / LSTM head for
    /// WeightInit::Fresh, the table alone for WeightInit::FromFile. Throws for an unknown
    /// encoder_reparameterization_type when fresh.
    void apply(model::CausalLM& model, WeightInit init) override;
    std::string configJson(ConfigProfile profile) const override;

    const PromptEncoderConfig& config() const { return config_; }

private:
    PromptEncoderConfig config_;
};

}  // namespace capsule::peft
