#include "model/causal_lm.h"

#include <stdexcept>

namespace capsule::model {

CausalLM::CausalLM(ModelConfig config) : config_(std::move(config)) {}

CausalLM::~CausalLM() = default;

torch::Tensor CausalLM::forward(const ForwardInput& input) {
    return logits(hidden(input));
}

torch::ScalarType CausalLM::dtype() {
    return wordEmbeddingWeight().scalar_type();
}

torch::Device CausalLM::device() {
    return wordEmbeddingWeight().device();
}

CausalLM::InputShape CausalLM::validateInput(const ForwardInput& input) const {
    InputShape shape;
    if (input.inputIds.defined() == input.inputsEmbeds.defined())
        throw std::invalid_argument("forward: give exactly one of input_ids and inputs_embeds");
    if (input.inputIds.defined()) {
        if (input.inputIds.dim() != 2)
            throw std::invalid_argument("forward: input_ids must be [B, T], got " + c10::str(input.inputIds.sizes()));
        if (input.inputIds.scalar_type() != torch::kLong && input.inputIds.scalar_type() != torch::kInt)
            throw std::invalid_argument("forward: input_ids must be an integer tensor");
        shape.batch = input.inputIds.size(0);
        shape.length = input.inputIds.size(1);
    } else {
        if (input.inputsEmbeds.dim() != 3 || input.inputsEmbeds.size(2) != config_.hiddenSize)
            throw std::invalid_argument("forward: inputs_embeds must be [B, T, " + std::to_string(config_.hiddenSize) +
                                        "], got " + c10::str(input.inputsEmbeds.sizes()));
        shape.batch = input.inputsEmbeds.size(0);
        shape.length = input.inputsEmbeds.size(1);
    }
    if (shape.batch <= 0 || shape.length <= 0) throw std::invalid_argument("forward: empty batch or sequence");
    if (input.cache) {
        if (input.cache->numLayers() != config_.numHiddenLayers)
            throw std::invalid_argument("forward: the KV cache has " + std::to_string(input.cache->numLayers()) +
                                        " layers, the model " + std::to_string(config_.numHiddenLayers));
        shape.pastLength = input.cache->length();
        if (shape.pastLength > 0) {
            const torch::Tensor& key = input.cache->key(0);
            if (key.size(0) != shape.batch || key.size(1) != config_.numKeyValueHeads || key.size(3) != config_.headDim)
                throw std::invalid_argument("forward: cached keys " + c10::str(key.sizes()) + " do not fit batch " +
                                            std::to_string(shape.batch) + ", " +
                                            std::to_string(config_.numKeyValueHeads) + " kv heads, head_dim " +
                                            std::to_string(config_.headDim));
        }
    }
    if (input.attentionMask.defined()) {
        if (input.attentionMask.dim() != 2 || input.attentionMask.size(0) != shape.batch ||
            input.attentionMask.size(1) != shape.pastLength + shape.length)
            throw std::invalid_argument("forward: attention_mask must be [B, T_past + T] = [" +
                                        std::to_string(shape.batch) + ", " +
                                        std::to_string(shape.pastLength + shape.length) + "], got " +
                                        c10::str(input.attentionMask.sizes()));
    }
    if (input.positionIds.defined()) {
        if (input.positionIds.dim() != 2 || input.positionIds.size(0) != shape.batch ||
            input.positionIds.size(1) != shape.length)
            throw std::invalid_argument("forward: position_ids must be [B, T] = [" + std::to_string(shape.batch) +
                                        ", " + std::to_string(shape.length) + "], got " +
                                        c10::str(input.positionIds.sizes()));
    }
    return shape;
}

}  // namespace capsule::model
