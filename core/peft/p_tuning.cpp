#include "peft/p_tuning.h"

#include "peft/prompt_encoder_layers.h"
#include "peft/weight_adapter.h"

#include <stdexcept>

namespace capsule::peft {

PromptEncoderImpl::PromptEncoderImpl(const PromptEncoderConfig& config, int64_t rows, bool withHead,
                                     const torch::Device& device) {
    const int64_t tokenDim = *config.tokenDim;
    const int64_t hidden = *config.encoderHiddenSize;
    embedding = register_module("embedding", makeEmbedding(rows, tokenDim, device));
    if (!withHead) return;
    using Activation = EncoderMlpImpl::Activation;
    if (config.encoderReparameterizationType == "LSTM") {
        lstm_head = register_module("lstm_head",
                                    EncoderLstm(tokenDim, hidden, config.encoderNumLayers, config.encoderDropout, device));
        mlp_head = register_module("mlp_head", EncoderMlp(std::vector<int64_t>{2 * hidden, 2 * hidden, tokenDim},
                                                          Activation::Relu, device));
    } else if (config.encoderReparameterizationType == "MLP") {
        // Always three linears; PEFT only warns when encoder_num_layers is not 2.
        mlp_head = register_module("mlp_head", EncoderMlp(std::vector<int64_t>{tokenDim, hidden, hidden, tokenDim},
                                                          Activation::Relu, device));
    } else {
        throw std::runtime_error("P_TUNING: encoder_reparameterization_type '" + config.encoderReparameterizationType +
                                 "' is not recognized; use MLP (recommended) or LSTM");
    }
}

torch::Tensor PromptEncoderImpl::encode(const torch::Tensor& ids) {
    torch::Tensor output = embedding->forward(ids);                    // [B, n, token_dim]
    if (!lstm_head.is_empty()) output = lstm_head->forward(output);   // [B, n, 2h]
    if (!mlp_head.is_empty()) output = mlp_head->forward(output);     // [B, n, token_dim]
    return output;
}

PTuningAdapter::PTuningAdapter(PromptEncoderConfig config) : config_(std::move(config)) {
    validate(config_);
}

void PTuningAdapter::apply(model::CausalLM& model, WeightInit init) {
    if (model_) throw std::runtime_error("P_TUNING: the adapter is already applied to a model");
    validate(config_);
    resolvePromptLearningDimensions(config_, model.config(), /*groupedQueryRewrite=*/false, &config_.encoderHiddenSize);
    if (*config_.tokenDim != model.hiddenSize())
        throw std::runtime_error("P_TUNING: token_dim = " + std::to_string(*config_.tokenDim) +
                                 " does not match the model's hidden size " + std::to_string(model.hiddenSize()));
    fillBaseConfigFields(config_, model);
    const int64_t count = config_.numVirtualTokens * *config_.numTransformerSubmodules;
    const bool fresh = init == WeightInit::Fresh;
    auto encoder = std::make_shared<PromptEncoderImpl>(config_, count, fresh, model.device());
    attachEncoder(model, encoder, count, !fresh);
    config_.inferenceMode = !fresh;
}

std::string PTuningAdapter::configJson(ConfigProfile profile) const {
    return toAdapterConfigJson(config_, profile);
}

}  // namespace capsule::peft
