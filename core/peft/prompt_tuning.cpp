#include "peft/prompt_tuning.h"

#include "peft/prompt_encoder_layers.h"
#include "peft/weight_adapter.h"

#include <stdexcept>

namespace capsule::peft {

PromptEmbeddingImpl::PromptEmbeddingImpl(int64_t rows, int64_t width, const torch::Device& device) {
    embedding = register_module("embedding", makeEmbedding(rows, width, device));
}

torch::Tensor PromptEmbeddingImpl::encode(const torch::Tensor& ids) {
    return embedding->forward(ids);  // [B, n, width]
}

std::vector<int64_t> cyclicTokenIds(const std::vector<int64_t>& ids, int64_t count) {
    if (ids.empty()) throw std::invalid_argument("prompt tuning TEXT init: the init text has no tokens");
    std::vector<int64_t> result;
    result.reserve(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) result.push_back(ids[static_cast<size_t>(i) % ids.size()]);
    return result;
}

PromptTuningAdapter::PromptTuningAdapter(PromptTuningConfig config) : config_(std::move(config)) {
    validate(config_);
}

void PromptTuningAdapter::apply(model::CausalLM& model, WeightInit init) {
    if (model_) throw std::runtime_error("PROMPT_TUNING: the adapter is already applied to a model");
    validate(config_);
    resolvePromptLearningDimensions(config_, model.config(), /*groupedQueryRewrite=*/false);
    if (*config_.tokenDim != model.hiddenSize())
        throw std::runtime_error("PROMPT_TUNING: token_dim = " + std::to_string(*config_.tokenDim) +
                                 " does not match the model's hidden size " + std::to_string(model.hiddenSize()));
    fillBaseConfigFields(config_, model);
    if (config_.promptTuningInit == "TEXT" && !config_.tokenizerNameOrPath) {
        // PEFT refuses a TEXT config without a tokenizer; the model folder holds it.
        if (!config_.baseModelNameOrPath)
            throw std::runtime_error("PROMPT_TUNING: prompt_tuning_init 'TEXT' needs tokenizer_name_or_path");
        config_.tokenizerNameOrPath = config_.baseModelNameOrPath;
    }

    const int64_t count = config_.numVirtualTokens * *config_.numTransformerSubmodules;
    auto encoder = std::make_shared<PromptEmbeddingImpl>(count, *config_.tokenDim, model.device());
    if (init == WeightInit::Fresh && config_.promptTuningInit != "RANDOM") {
        const torch::Tensor words = model.wordEmbeddingWeight();  // [V, H]
        const int64_t vocabulary = words.size(0);
        torch::Tensor ids;  // [n]
        if (config_.promptTuningInit == "SAMPLE_VOCAB") {
            ids = torch::randint(0, vocabulary, {count}, torch::TensorOptions().dtype(torch::kLong));
        } else {
            if (config_.initTextTokenIds.empty())
                throw std::runtime_error("PROMPT_TUNING: prompt_tuning_init 'TEXT' needs the init text's token ids "
                                         "(PromptTuningConfig::initTextTokenIds; tokenize prompt_tuning_init_text "
                                         "with the model's tokenizer)");
            for (int64_t id : config_.initTextTokenIds)
                if (id < 0 || id >= vocabulary)
                    throw std::runtime_error("PROMPT_TUNING: init text token id " + std::to_string(id) +
                                             " is outside the vocabulary of " + std::to_string(vocabulary));
            ids = torch::tensor(cyclicTokenIds(config_.initTextTokenIds, count), torch::kLong);
        }
        torch::NoGradGuard noGrad;
        const torch::Tensor rows = words.detach().index_select(0, ids.to(words.device())).to(torch::kFloat);  // [n, H]
        encoder->embedding->weight.copy_(rows);
    }
    attachEncoder(model, encoder, count, init == WeightInit::FromFile);
    config_.inferenceMode = init == WeightInit::FromFile;
}

std::string PromptTuningAdapter::configJson(ConfigProfile profile) const {
    return toAdapterConfigJson(config_, profile);
}

}  // namespace capsule::peft
