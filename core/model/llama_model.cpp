#include "model/llama_model.h"

#include "model/activation.h"
#include "model/attention.h"
#include "model/rms_norm.h"

#include <cmath>
#include <stdexcept>

namespace capsule::model {

/// Self-attention with RoPE and grouped K/V heads (LlamaAttention / Qwen2Attention / MistralAttention).
class LlamaAttentionImpl : public torch::nn::Module {
public:
    LlamaAttentionImpl(const ModelConfig& config, int64_t layerIndex, const torch::TensorOptions& options)
        : layerIndex_(layerIndex),
          heads_(config.numAttentionHeads),
          kvHeads_(config.numKeyValueHeads),
          headDim_(config.headDim),
          attentionDropout_(config.attentionDropout) {
        const int64_t hidden = config.hiddenSize;
        q_proj = register_module("q_proj", Linear(LinearOptions{hidden, heads_ * headDim_, config.queryKeyValueBias, false, options}));
        k_proj = register_module("k_proj", Linear(LinearOptions{hidden, kvHeads_ * headDim_, config.queryKeyValueBias, false, options}));
        v_proj = register_module("v_proj", Linear(LinearOptions{hidden, kvHeads_ * headDim_, config.queryKeyValueBias, false, options}));
        o_proj = register_module("o_proj", Linear(LinearOptions{heads_ * headDim_, hidden, config.outputProjectionBias, false, options}));
    }

    /// x [B, T, H], cos/sin [B, T, D] -> [B, T, H]
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                          const torch::Tensor& blocked, KVCache* cache) {
        const int64_t batch = x.size(0), length = x.size(1);
        torch::Tensor query = q_proj->forward(x).view({batch, length, heads_, headDim_}).transpose(1, 2);   // [B, n, T, D]
        torch::Tensor key = k_proj->forward(x).view({batch, length, kvHeads_, headDim_}).transpose(1, 2);   // [B, k, T, D]
        torch::Tensor value = v_proj->forward(x).view({batch, length, kvHeads_, headDim_}).transpose(1, 2); // [B, k, T, D]
        query = applyRotaryEmbedding(query, cos, sin);
        key = applyRotaryEmbedding(key, cos, sin);
        if (cache) std::tie(key, value) = cache->append(layerIndex_, key, value);  // [B, k, P + T, D]
        const torch::Tensor attended = scaledDotProductAttention(query, key, value, blocked,
                                                                 1.0 / std::sqrt(static_cast<double>(headDim_)),
                                                                 attentionDropout_, is_training());  // [B, n, T, D]
        return o_proj->forward(attended.transpose(1, 2).reshape({batch, length, heads_ * headDim_}));  // [B, T, H]
    }

    Linear q_proj{nullptr};
    Linear k_proj{nullptr};
    Linear v_proj{nullptr};
    Linear o_proj{nullptr};

private:
    int64_t layerIndex_;
    int64_t heads_;
    int64_t kvHeads_;
    int64_t headDim_;
    double attentionDropout_;
};
TORCH_MODULE(LlamaAttention);

/// Gated MLP: down_proj(act(gate_proj(x)) ⊙ up_proj(x)).
class LlamaMlpImpl : public torch::nn::Module {
public:
    LlamaMlpImpl(const ModelConfig& config, const torch::TensorOptions& options)
        : activation_(activationFromName(config.hiddenActivation)) {
        const int64_t hidden = config.hiddenSize, inner = config.intermediateSize;
        gate_proj = register_module("gate_proj", Linear(LinearOptions{hidden, inner, config.mlpBias, false, options}));
        up_proj = register_module("up_proj", Linear(LinearOptions{hidden, inner, config.mlpBias, false, options}));
        down_proj = register_module("down_proj", Linear(LinearOptions{inner, hidden, config.mlpBias, false, options}));
    }

    /// x [B, T, H] -> [B, T, H]
    torch::Tensor forward(const torch::Tensor& x) {
        const torch::Tensor gated = applyActivation(activation_, gate_proj->forward(x)) * up_proj->forward(x);  // [B, T, I]
        return down_proj->forward(gated);
    }

    Linear gate_proj{nullptr};
    Linear up_proj{nullptr};
    Linear down_proj{nullptr};

private:
    Activation activation_;
};
TORCH_MODULE(LlamaMlp);

class LlamaDecoderLayerImpl : public torch::nn::Module {
public:
    LlamaDecoderLayerImpl(const ModelConfig& config, int64_t layerIndex, const torch::TensorOptions& options)
        : usesSlidingWindow_(config.layerUsesSlidingWindow.at(static_cast<size_t>(layerIndex))) {
        self_attn = register_module("self_attn", LlamaAttention(config, layerIndex, options));
        mlp = register_module("mlp", LlamaMlp(config, options));
        input_layernorm = register_module("input_layernorm", RmsNorm(config.hiddenSize, config.normEpsilon, options));
        post_attention_layernorm =
            register_module("post_attention_layernorm", RmsNorm(config.hiddenSize, config.normEpsilon, options));
    }

    /// [B, T, H] -> [B, T, H]; `blockedFull` / `blockedSliding` are the masks for full and
    /// sliding-window layers.
    torch::Tensor forward(const torch::Tensor& hiddenStates, const torch::Tensor& cos, const torch::Tensor& sin,
                          const torch::Tensor& blockedFull, const torch::Tensor& blockedSliding, KVCache* cache) {
        const torch::Tensor& blocked = usesSlidingWindow_ ? blockedSliding : blockedFull;
        const torch::Tensor afterAttention =
            hiddenStates + self_attn->forward(input_layernorm->forward(hiddenStates), cos, sin, blocked, cache);
        return afterAttention + mlp->forward(post_attention_layernorm->forward(afterAttention));
    }

    LlamaAttention self_attn{nullptr};
    LlamaMlp mlp{nullptr};
    RmsNorm input_layernorm{nullptr};
    RmsNorm post_attention_layernorm{nullptr};

private:
    bool usesSlidingWindow_;
};
TORCH_MODULE(LlamaDecoderLayer);

/// transformers' LlamaModel: embedding, decoder layers, final norm.
class LlamaModelImpl : public torch::nn::Module {
public:
    LlamaModelImpl(const ModelConfig& config, const torch::TensorOptions& options) {
        embed_tokens = register_module(
            "embed_tokens",
            torch::nn::Embedding(torch::nn::EmbeddingOptions(config.vocabSize, config.hiddenSize)
                                     ._weight(torch::empty({config.vocabSize, config.hiddenSize}, options))));
        layers = register_module("layers", torch::nn::ModuleList());
        for (int64_t i = 0; i < config.numHiddenLayers; ++i) {
            LlamaDecoderLayer layer(config, i, options);
            layers->push_back(layer);
            typedLayers.push_back(layer);
        }
        norm = register_module("norm", RmsNorm(config.hiddenSize, config.normEpsilon, options));
    }

    torch::nn::Embedding embed_tokens{nullptr};
    torch::nn::ModuleList layers{nullptr};
    std::vector<LlamaDecoderLayer> typedLayers;  // the same modules as `layers`, typed
    RmsNorm norm{nullptr};
};

LlamaForCausalLMImpl::LlamaForCausalLMImpl(const ModelConfig& config, const torch::TensorOptions& options)
    : CausalLM(config), rotary_(std::make_unique<RotaryEmbedding>(config)) {
    if (config.isGpt2()) throw std::invalid_argument("LlamaForCausalLM: model_type is 'gpt2'");
    if (static_cast<int64_t>(config.layerUsesSlidingWindow.size()) != config.numHiddenLayers)
        throw std::invalid_argument("LlamaForCausalLM: layerUsesSlidingWindow needs one entry per layer");
    model_ = register_module("model", std::make_shared<LlamaModelImpl>(config, options));
    if (config.tieWordEmbeddings) {
        lmHead_ = register_module("lm_head", Linear(model_->embed_tokens->weight));
    } else {
        lmHead_ = register_module("lm_head", Linear(LinearOptions{config.hiddenSize, config.vocabSize, false, false, options}));
    }
}

torch::Tensor LlamaForCausalLMImpl::hidden(const ForwardInput& input) {
    const InputShape shape = validateInput(input);
    const torch::Device device = model_->embed_tokens->weight.device();
    const torch::ScalarType computeType = model_->embed_tokens->weight.scalar_type();
    const torch::Tensor positions = input.positionIds.defined()
                                        ? input.positionIds.to(device, torch::kLong)
                                        : defaultPositionIds(input.attentionMask, shape.batch, shape.length,
                                                             shape.pastLength, device);  // [B, T]
    torch::Tensor hiddenStates = input.inputIds.defined()
                                     ? model_->embed_tokens->forward(input.inputIds.to(device, torch::kLong))
                                     : input.inputsEmbeds.to(device, computeType);  // [B, T, H]

    const auto [cosine, sine] = rotary_->cosSin(positions, computeType);  // [B, T, D] each
    const torch::Tensor blockedFull = buildAttentionMask(input.attentionMask, shape.batch, shape.length,
                                                            shape.pastLength, std::nullopt, device);  // [B|1, 1, T, S]
    const torch::Tensor blockedSliding =
        config_.slidingWindow ? buildAttentionMask(input.attentionMask, shape.batch, shape.length, shape.pastLength,
                                                      config_.slidingWindow, device)
                              : blockedFull;
    for (auto& layer : model_->typedLayers)
        hiddenStates = layer->forward(hiddenStates, cosine, sine, blockedFull, blockedSliding, input.cache);
    return model_->norm->forward(hiddenStates);  // [B, T, H]
}

torch::Tensor LlamaForCausalLMImpl::logits(const torch::Tensor& hiddenStates) {
    return lmHead_->forward(hiddenStates);  // [..., V]
}

torch::Tensor LlamaForCausalLMImpl::embedTokens(const torch::Tensor& inputIds) {
    return model_->embed_tokens->forward(inputIds.to(model_->embed_tokens->weight.device(), torch::kLong));  // [B, T, H]
}

torch::Tensor LlamaForCausalLMImpl::wordEmbeddingWeight() {
    return model_->embed_tokens->weight;  // [V, H]
}

std::vector<std::pair<std::string, Linear>> LlamaForCausalLMImpl::namedLinears() {
    std::vector<std::pair<std::string, Linear>> linears;
    for (size_t i = 0; i < model_->typedLayers.size(); ++i) {
        const std::string prefix = "model.layers." + std::to_string(i) + ".";
        const auto& layer = model_->typedLayers[i];
        linears.emplace_back(prefix + "self_attn.q_proj", layer->self_attn->q_proj);
        linears.emplace_back(prefix + "self_attn.k_proj", layer->self_attn->k_proj);
        linears.emplace_back(prefix + "self_attn.v_proj", layer->self_attn->v_proj);
        linears.emplace_back(prefix + "self_attn.o_proj", layer->self_attn->o_proj);
        linears.emplace_back(prefix + "mlp.gate_proj", layer->mlp->gate_proj);
        linears.emplace_back(prefix + "mlp.up_proj", layer->mlp->up_proj);
        linears.emplace_back(prefix + "mlp.down_proj", layer->mlp->down_proj);
    }
    linears.emplace_back("lm_head", lmHead_);
    return linears;
}

std::optional<std::string> LlamaForCausalLMImpl::parameterNameForCheckpointKey(const std::string& key) const {
    const std::string buffer = ".rotary_emb.inv_freq";
    if (key.size() >= buffer.size() && key.compare(key.size() - buffer.size(), buffer.size(), buffer) == 0)
        return std::nullopt;  // a non-persistent buffer very old checkpoints still carry
    if (key == "lm_head.weight") return key;
    const std::string prefix = "model.";
    // Checkpoints saved from the bare LlamaModel have no "model." prefix.
    return key.compare(0, prefix.size(), prefix) == 0 ? key : prefix + key;
}

}  // namespace capsule::model
