#include "peft/prefix_tuning.h"

#include "peft/prompt_encoder_layers.h"
#include "peft/weight_adapter.h"

#include <stdexcept>

namespace capsule::peft {

PrefixEncoderImpl::PrefixEncoderImpl(const PrefixTuningConfig& config, bool withProjection, bool zeroInit,
                                     const torch::Device& device) {
    const int64_t tokenDim = *config.tokenDim;
    const int64_t flatWidth = *config.numLayers * 2 * tokenDim;
    torch::NoGradGuard noGrad;
    if (withProjection) {
        embedding = register_module("embedding", makeEmbedding(config.numVirtualTokens, tokenDim, device));
        transform = register_module("transform", EncoderMlp(std::vector<int64_t>{tokenDim, *config.encoderHiddenSize, flatWidth},
                                                            EncoderMlpImpl::Activation::Tanh, device));
        if (zeroInit) {
            transform->linears.back()->weight.zero_();
            transform->linears.back()->bias.zero_();
        }
    } else {
        embedding = register_module("embedding", makeEmbedding(config.numVirtualTokens, flatWidth, device));
        if (zeroInit) embedding->weight.zero_();
    }
}

torch::Tensor PrefixEncoderImpl::encode(const torch::Tensor& ids) {
    torch::Tensor output = embedding->forward(ids);  // [B, n, token_dim] or [B, n, L·2·token_dim]
    if (!transform.is_empty()) output = transform->forward(output);  // [B, n, L·2·token_dim]
    return output;
}

std::vector<std::pair<torch::Tensor, torch::Tensor>> prefixKeyValues(const torch::Tensor& flatPrefix, int64_t numLayers,
                                                                     int64_t numHeads, torch::ScalarType dtype) {
    if (flatPrefix.dim() != 3 || numLayers <= 0 || numHeads <= 0 || flatPrefix.size(2) % (2 * numLayers * numHeads) != 0)
        throw std::invalid_argument("prefixKeyValues: a prefix [B, n, " + std::to_string(numLayers) + "·2·heads·head_dim]"
                                    " is needed, got " + c10::str(flatPrefix.sizes()));
    const int64_t batch = flatPrefix.size(0);
    const int64_t tokens = flatPrefix.size(1);
    const int64_t headDim = flatPrefix.size(2) / (2 * numLayers * numHeads);
    // PEFT casts before the view (to base_model_torch_dtype).
    const torch::Tensor slots = flatPrefix.to(dtype)
                                    .view({batch, tokens, 2 * numLayers, numHeads, headDim})  // [B, n, 2L, h, dh]
                                    .permute({2, 0, 3, 1, 4});                               // [2L, B, h, n, dh]
    std::vector<std::pair<torch::Tensor, torch::Tensor>> layers;
    layers.reserve(static_cast<size_t>(numLayers));
    for (int64_t layer = 0; layer < numLayers; ++layer)
        layers.emplace_back(slots[2 * layer], slots[2 * layer + 1]);  // [B, h, n, dh] each
    return layers;
}

PrefixTuningAdapter::PrefixTuningAdapter(PrefixTuningConfig config) : config_(std::move(config)) {
    validate(config_);
}

void PrefixTuningAdapter::apply(model::CausalLM& model, WeightInit init) {
    if (model_) throw std::runtime_error("PREFIX_TUNING: the adapter is already applied to a model");
    validate(config_);
    resolvePromptLearningDimensions(config_, model.config(), /*groupedQueryRewrite=*/true, &config_.encoderHiddenSize);
    const int64_t keyValueWidth = model.numKeyValueHeads() * model.headDim();
    if (*config_.numLayers != model.numLayers())
        throw std::runtime_error("PREFIX_TUNING: num_layers = " + std::to_string(*config_.numLayers) +
                                 " does not match the model's " + std::to_string(model.numLayers()) + " layers");
    if (*config_.numAttentionHeads != model.numKeyValueHeads() || *config_.tokenDim != keyValueWidth)
        throw std::runtime_error("PREFIX_TUNING: token_dim = " + std::to_string(*config_.tokenDim) +
                                 " and num_attention_heads = " + std::to_string(*config_.numAttentionHeads) +
                                 " do not describe the model's key/value heads (" +
                                 std::to_string(model.numKeyValueHeads()) + " heads of " +
                                 std::to_string(model.headDim()) + " = " + std::to_string(keyValueWidth) + ")");
    const bool fresh = init == WeightInit::Fresh;
    if (fresh && config_.initWeights && *config_.initWeights != "zero")
        throw std::runtime_error("PREFIX_TUNING: init_weights must be null or \"zero\", got \"" + *config_.initWeights +
                                 "\"");
    fillBaseConfigFields(config_, model);
    const bool zeroInit = fresh && config_.initWeights && *config_.initWeights == "zero";
    auto encoder = std::make_shared<PrefixEncoderImpl>(config_, fresh && config_.prefixProjection, zeroInit,
                                                       model.device());
    attachEncoder(model, encoder, config_.numVirtualTokens, !fresh);
    config_.inferenceMode = !fresh;
}

std::string PrefixTuningAdapter::configJson(ConfigProfile profile) const {
    return toAdapterConfigJson(config_, profile);
}

void PrefixTuningAdapter::fillCache(model::KVCache& cache, int64_t batch) {
    model::CausalLM& model = appliedModel();
    if (cache.numLayers() != *config_.numLayers)
        throw std::invalid_argument("PREFIX_TUNING: the cache has " + std::to_string(cache.numLayers()) +
                                    " layers, the prefix " + std::to_string(*config_.numLayers));
    const torch::Tensor flat = encodeVirtualTokens().unsqueeze(0);  // [1, n, L·2·token_dim]
    const auto layers = prefixKeyValues(flat, *config_.numLayers, *config_.numAttentionHeads, model.dtype());
    for (size_t layer = 0; layer < layers.size(); ++layer) {
        const auto& [key, value] = layers[layer];  // [1, h, n, dh]
        std::vector<int64_t> shape = key.sizes().vec();
        shape[0] = batch;
        cache.setLayer(static_cast<int64_t>(layer), key.expand(shape), value.expand(shape));  // [B, h, n, dh]
    }
}

AdaptedInput PrefixTuningAdapter::prepareInput(const model::ForwardInput& input) {
    AdaptedInput adapted;
    adapted.input = input;
    if (!enabled_) return adapted;
    appliedModel();
    const int64_t count = virtualTokenCount_;
    const int64_t batch = input.inputIds.defined() ? input.inputIds.size(0)
                          : input.inputsEmbeds.defined() ? input.inputsEmbeds.size(0)
                                                         : 0;
    const int64_t newLength = input.inputIds.defined() ? input.inputIds.size(-1)
                              : input.inputsEmbeds.defined() ? input.inputsEmbeds.size(1)
                                                             : 0;
    if (batch <= 0) throw std::invalid_argument("PREFIX_TUNING: give input_ids [B, T] or inputs_embeds [B, T, H]");

    model::KVCache* cache = input.cache;
    if (!cache) {
        adapted.ownedCache = std::make_shared<model::KVCache>(appliedModel().makeCache());
        cache = adapted.ownedCache.get();
        adapted.input.cache = cache;
    }
    const bool continuing = !cache->empty();
    if (!continuing) fillCache(*cache, batch);

    if (input.attentionMask.defined()) {
        const int64_t full = cache->length() + newLength;
        if (input.attentionMask.dim() != 2 ||
            (input.attentionMask.size(1) != full - count && !(continuing && input.attentionMask.size(1) == full)))
            throw std::invalid_argument("PREFIX_TUNING: attention_mask must be [B, " + std::to_string(full - count) +
                                        "] (the real positions; the prefix is prepended), got " +
                                        c10::str(input.attentionMask.sizes()));
        if (input.attentionMask.size(1) == full - count)
            adapted.input.attentionMask = prependOnesToMask(input.attentionMask, count);  // [B, n + P + T]
    }
    // §6.4 / §13 trap 7: given position ids are shifted past the prefix.
    if (input.positionIds.defined()) adapted.input.positionIds = input.positionIds + count;  // [B, T]
    return adapted;
}

model::GenerationHooks PrefixTuningAdapter::generationHooks() {
    model::GenerationHooks hooks;
    if (!enabled_ || !model_) return hooks;
    hooks.prepareCache = [this](model::KVCache& cache) { fillCache(cache, 1); };
    return hooks;
}

}  // namespace capsule::peft
