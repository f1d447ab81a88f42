#include "model/gpt2_model.h"

#include "model/activation.h"
#include "model/attention.h"
#include "model/dropout.h"
#include "model/layer_norm.h"

#include <cctype>
#include <cmath>
#include <stdexcept>

namespace capsule::model {
namespace {

torch::nn::Embedding makeEmbedding(int64_t rows, int64_t width, const torch::TensorOptions& options) {
    // `_weight` keeps Embedding from drawing a random init the loader would overwrite anyway.
    return torch::nn::Embedding(torch::nn::EmbeddingOptions(rows, width)._weight(torch::empty({rows, width}, options)));
}

/// Matches "h.<digits>.attn.<suffix>" exactly.
bool isAttentionBuffer(const std::string& key, const std::string& suffix) {
    if (key.compare(0, 2, "h.") != 0) return false;
    size_t position = 2;
    const size_t digitsStart = position;
    while (position < key.size() && std::isdigit(static_cast<unsigned char>(key[position]))) ++position;
    if (position == digitsStart) return false;
    return key.compare(position, std::string::npos, ".attn." + suffix) == 0;
}

}  // namespace

/// Causal self-attention with the fused q/k/v Conv1D (transformers' GPT2Attention).
class Gpt2AttentionImpl : public torch::nn::Module {
public:
    Gpt2AttentionImpl(const ModelConfig& config, int64_t layerIndex, const torch::TensorOptions& options)
        : layerIndex_(layerIndex),
          heads_(config.numAttentionHeads),
          headDim_(config.headDim),
          hiddenSize_(config.hiddenSize),
          attentionDropout_(config.attentionDropout),
          residualDropout_(config.residualDropout) {
        c_attn = register_module("c_attn", Linear(LinearOptions{hiddenSize_, 3 * hiddenSize_, true, true, options}));
        c_proj = register_module("c_proj", Linear(LinearOptions{hiddenSize_, hiddenSize_, true, true, options}));
        scale_ = 1.0;
        if (config.scaleAttentionWeights) scale_ /= std::sqrt(static_cast<double>(headDim_));
        if (config.scaleAttentionByInverseLayerIndex) scale_ /= static_cast<double>(layerIndex + 1);
    }

    /// x [B, T, H] -> [B, T, H]
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& blocked, KVCache* cache) {
        const int64_t batch = x.size(0), length = x.size(1);
        const std::vector<torch::Tensor> parts = c_attn->forward(x).split(hiddenSize_, -1);  // 3 × [B, T, H]
        auto toHeads = [&](const torch::Tensor& part) {
            return part.view({batch, length, heads_, headDim_}).transpose(1, 2);  // [B, n, T, D]
        };
        const torch::Tensor query = toHeads(parts[0]);  // [B, n, T, D]
        torch::Tensor key = toHeads(parts[1]);          // [B, n, T, D]
        torch::Tensor value = toHeads(parts[2]);        // [B, n, T, D]
        if (cache) std::tie(key, value) = cache->append(layerIndex_, key, value);  // [B, n, P + T, D]
        const torch::Tensor attended =
            scaledDotProductAttention(query, key, value, blocked, scale_, attentionDropout_, is_training());  // [B, n, T, D]
        const torch::Tensor merged = attended.transpose(1, 2).reshape({batch, length, hiddenSize_});           // [B, T, H]
        return model::dropout(c_proj->forward(merged), residualDropout_, is_training());
    }

    Linear c_attn{nullptr};
    Linear c_proj{nullptr};

private:
    int64_t layerIndex_;
    int64_t heads_;
    int64_t headDim_;
    int64_t hiddenSize_;
    double attentionDropout_;
    double residualDropout_;
    double scale_;
};
TORCH_MODULE(Gpt2Attention);

class Gpt2MlpImpl : public torch::nn::Module {
public:
    Gpt2MlpImpl(const ModelConfig& config, const torch::TensorOptions& options)
        : activation_(activationFromName(config.hiddenActivation)), residualDropout_(config.residualDropout) {
        c_fc = register_module("c_fc", Linear(LinearOptions{config.hiddenSize, config.intermediateSize, true, true, options}));
        c_proj = register_module("c_proj", Linear(LinearOptions{config.intermediateSize, config.hiddenSize, true, true, options}));
    }

    /// x [B, T, H] -> [B, T, H]
    torch::Tensor forward(const torch::Tensor& x) {
        const torch::Tensor inner = applyActivation(activation_, c_fc->forward(x));  // [B, T, I]
        return model::dropout(c_proj->forward(inner), residualDropout_, is_training());
    }

    Linear c_fc{nullptr};
    Linear c_proj{nullptr};

private:
    Activation activation_;
    double residualDropout_;
};
TORCH_MODULE(Gpt2Mlp);

class Gpt2BlockImpl : public torch::nn::Module {
public:
    Gpt2BlockImpl(const ModelConfig& config, int64_t layerIndex, const torch::TensorOptions& options) {
        ln_1 = register_module("ln_1", LayerNorm(config.hiddenSize, config.normEpsilon, options));
        attn = register_module("attn", Gpt2Attention(config, layerIndex, options));
        ln_2 = register_module("ln_2", LayerNorm(config.hiddenSize, config.normEpsilon, options));
        mlp = register_module("mlp", Gpt2Mlp(config, options));
    }

    /// Pre-LN residual block: h + attn(ln_1(h)), then + mlp(ln_2(h)). [B, T, H] -> [B, T, H]
    torch::Tensor forward(const torch::Tensor& hiddenStates, const torch::Tensor& blocked, KVCache* cache) {
        const torch::Tensor afterAttention = hiddenStates + attn->forward(ln_1->forward(hiddenStates), blocked, cache);
        return afterAttention + mlp->forward(ln_2->forward(afterAttention));
    }

    LayerNorm ln_1{nullptr};
    Gpt2Attention attn{nullptr};
    LayerNorm ln_2{nullptr};
    Gpt2Mlp mlp{nullptr};
};
TORCH_MODULE(Gpt2Block);

/// transformers' GPT2Model: embeddings, blocks, final LayerNorm.
class Gpt2TransformerImpl : public torch::nn::Module {
public:
    Gpt2TransformerImpl(const ModelConfig& config, const torch::TensorOptions& options) {
        wte = register_module("wte", makeEmbedding(config.vocabSize, config.hiddenSize, options));
        wpe = register_module("wpe", makeEmbedding(config.maxPositionEmbeddings, config.hiddenSize, options));
        h = register_module("h", torch::nn::ModuleList());
        for (int64_t i = 0; i < config.numHiddenLayers; ++i) {
            Gpt2Block block(config, i, options);
            h->push_back(block);
            blocks.push_back(block);
        }
        ln_f = register_module("ln_f", LayerNorm(config.hiddenSize, config.normEpsilon, options));
    }

    torch::nn::Embedding wte{nullptr};
    torch::nn::Embedding wpe{nullptr};
    torch::nn::ModuleList h{nullptr};
    std::vector<Gpt2Block> blocks;  // the same modules as `h`, typed
    LayerNorm ln_f{nullptr};
};

Gpt2ForCausalLMImpl::Gpt2ForCausalLMImpl(const ModelConfig& config, const torch::TensorOptions& options)
    : CausalLM(config) {
    if (!config.isGpt2()) throw std::invalid_argument("Gpt2ForCausalLM: model_type is '" + config.modelType + "'");
    transformer_ = register_module("transformer", std::make_shared<Gpt2TransformerImpl>(config, options));
    if (config.tieWordEmbeddings) {
        lmHead_ = register_module("lm_head", Linear(transformer_->wte->weight));
    } else {
        lmHead_ = register_module("lm_head", Linear(LinearOptions{config.hiddenSize, config.vocabSize, false, false, options}));
    }
}

torch::Tensor Gpt2ForCausalLMImpl::hidden(const ForwardInput& input) {
    const InputShape shape = validateInput(input);
    const torch::Device device = transformer_->wte->weight.device();
    torch::Tensor positions = input.positionIds.defined()
                                  ? input.positionIds.to(device, torch::kLong)
                                  : defaultPositionIds(input.attentionMask, shape.batch, shape.length,
                                                       shape.pastLength, device);  // [B, T]
    // wpe has n_positions rows: an index past it is a user error, not a crash.
    const auto extremes = torch::aminmax(positions);
    const int64_t smallest = std::get<0>(extremes).item<int64_t>();
    const int64_t largest = std::get<1>(extremes).item<int64_t>();
    if (smallest < 0 || largest >= config_.maxPositionEmbeddings)
        throw std::invalid_argument("GPT-2: position " + std::to_string(smallest < 0 ? smallest : largest) +
                                    " is outside the model's n_positions = " +
                                    std::to_string(config_.maxPositionEmbeddings) + " (sequence too long)");

    const torch::Tensor tokens = input.inputIds.defined()
                                     ? transformer_->wte->forward(input.inputIds.to(device, torch::kLong))
                                     : input.inputsEmbeds.to(device, dtype());  // [B, T, H]
    torch::Tensor hiddenStates = tokens + transformer_->wpe->forward(positions);   // [B, T, H]
    hiddenStates = model::dropout(hiddenStates, config_.embeddingDropout, is_training());

    const torch::Tensor blocked = buildAttentionMask(input.attentionMask, shape.batch, shape.length,
                                                        shape.pastLength, std::nullopt, device);  // [B|1, 1, T, S]
    for (auto& block : transformer_->blocks) hiddenStates = block->forward(hiddenStates, blocked, input.cache);
    return transformer_->ln_f->forward(hiddenStates);  // [B, T, H]
}

torch::Tensor Gpt2ForCausalLMImpl::logits(const torch::Tensor& hiddenStates) {
    return lmHead_->forward(hiddenStates);  // [..., V]
}

torch::Tensor Gpt2ForCausalLMImpl::embedTokens(const torch::Tensor& inputIds) {
    return transformer_->wte->forward(inputIds.to(transformer_->wte->weight.device(), torch::kLong));  // [B, T, H]
}

torch::Tensor Gpt2ForCausalLMImpl::wordEmbeddingWeight() {
    return transformer_->wte->weight;  // [V, H]
}

std::vector<std::pair<std::string, Linear>> Gpt2ForCausalLMImpl::namedLinears() {
    std::vector<std::pair<std::string, Linear>> linears;
    for (size_t i = 0; i < transformer_->blocks.size(); ++i) {
        const std::string prefix = "transformer.h." + std::to_string(i) + ".";
        const auto& block = transformer_->blocks[i];
        linears.emplace_back(prefix + "attn.c_attn", block->attn->c_attn);
        linears.emplace_back(prefix + "attn.c_proj", block->attn->c_proj);
        linears.emplace_back(prefix + "mlp.c_fc", block->mlp->c_fc);
        linears.emplace_back(prefix + "mlp.c_proj", block->mlp->c_proj);
    }
    linears.emplace_back("lm_head", lmHead_);
    return linears;
}

std::optional<std::string> Gpt2ForCausalLMImpl::parameterNameForCheckpointKey(const std::string& key) const {
    if (key == "lm_head.weight") return key;
    const std::string prefix = "transformer.";
    const std::string bare = key.compare(0, prefix.size(), prefix) == 0 ? key.substr(prefix.size()) : key;
    // The causal-mask buffers of the hub files (h.N.attn.bias [1,1,P,P], h.N.attn.masked_bias []).
    if (isAttentionBuffer(bare, "bias") || isAttentionBuffer(bare, "masked_bias")) return std::nullopt;
    return prefix + bare;
}

}  // namespace capsule::model
