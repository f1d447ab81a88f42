#include "peft/prompt_learning.h"

#include "peft/injection.h"

#include <stdexcept>

namespace capsule::peft {
namespace {

constexpr const char* kEncoderHolderName = "prompt_encoder";
constexpr const char* kAdapterName = "default";

/// Sets a module's training flag for a scope and restores it after.
class TrainingModeScope {
public:
    TrainingModeScope(torch::nn::Module& module, bool training) : module_(module), wasTraining_(module.is_training()) {
        module_.train(training);
    }
    ~TrainingModeScope() { module_.train(wasTraining_); }
    TrainingModeScope(const TrainingModeScope&) = delete;
    TrainingModeScope& operator=(const TrainingModeScope&) = delete;

private:
    torch::nn::Module& module_;
    bool wasTraining_;
};

/// The width the caller's mask must have: positions already cached plus this step's.
void checkMaskWidth(const torch::Tensor& mask, int64_t expected, const std::string& owner) {
    if (mask.dim() != 2 || mask.size(1) != expected)
        throw std::invalid_argument(owner + ": attention_mask must be [B, " + std::to_string(expected) +
                                    "] (cached + new positions), got " + c10::str(mask.sizes()));
}

}  // namespace

torch::Tensor extendLabelsForVirtualTokens(const torch::Tensor& labels, int64_t virtualTokenCount) {
    if (labels.dim() != 2) throw std::invalid_argument("extendLabelsForVirtualTokens: labels must be [B, T], got " +
                                                       c10::str(labels.sizes()));
    if (virtualTokenCount < 0) throw std::invalid_argument("extendLabelsForVirtualTokens: negative count");
    if (virtualTokenCount == 0) return labels;
    const torch::Tensor prefix = torch::full({labels.size(0), virtualTokenCount}, kIgnoreLabel, labels.options());  // [B, n]
    return torch::cat({prefix, labels}, 1);  // [B, n + T]
}

torch::Tensor prependOnesToMask(const torch::Tensor& attentionMask, int64_t count) {
    if (!attentionMask.defined() || count == 0) return attentionMask;
    if (attentionMask.dim() != 2)
        throw std::invalid_argument("attention_mask must be [B, S], got " + c10::str(attentionMask.sizes()));
    const torch::Tensor ones = torch::ones({attentionMask.size(0), count}, attentionMask.options());  // [B, count]
    return torch::cat({ones, attentionMask}, 1);  // [B, count + S]
}

// ---------------------------------------------------------------------------------------------
// PromptLearningMethod

void PromptLearningMethod::attachEncoder(model::CausalLM& model, std::shared_ptr<VirtualTokenEncoder> encoder,
                                         int64_t virtualTokenCount, bool tableOnly) {
    if (model_) throw std::runtime_error(peftType() + ": the adapter is already applied to a model");
    for (const auto& child : model.named_children())
        if (child.key() == kEncoderHolderName)
            throw std::runtime_error(peftType() + ": the model already carries a prompt encoder (another "
                                     "prompt-learning adapter is applied); remove it first");
    freezeAllParameters(model);
    auto holder = std::make_shared<torch::nn::Module>();
    holder->register_module(kAdapterName, encoder);
    holder->train(model.is_training());
    model.register_module(kEncoderHolderName, holder);
    model_ = &model;
    encoder_ = std::move(encoder);
    virtualTokenCount_ = virtualTokenCount;
    tableOnly_ = tableOnly;
}

model::CausalLM& PromptLearningMethod::appliedModel() const {
    if (!model_) throw std::runtime_error(peftType() + ": the adapter is used before apply()");
    return *model_;
}

torch::Tensor PromptLearningMethod::encodeVirtualTokens() {
    appliedModel();
    const torch::Tensor ids = torch::arange(virtualTokenCount_, torch::TensorOptions()
                                                                    .dtype(torch::kLong)
                                                                    .device(encoder_->table().device()));  // [n]
    return encoder_->encode(ids.unsqueeze(0)).squeeze(0);  // [n, W]
}

torch::Tensor PromptLearningMethod::promptEmbeddings() {
    appliedModel();
    torch::NoGradGuard noGrad;
    TrainingModeScope evalMode(*encoder_, false);
    return encodeVirtualTokens().detach().to(torch::kCPU, torch::kFloat).contiguous();  // [n, W]
}

NamedTensorList PromptLearningMethod::stateDict() {
    return {{kPromptEmbeddingsKey, promptEmbeddings()}};
}

NamedTensorList PromptLearningMethod::loadTargets() {
    appliedModel();
    if (encoder_->hasHead())
        throw std::runtime_error(peftType() + ": this adapter's encoder has a head (it was applied for training); "
                                 "saved prompt_embeddings can only be loaded into an adapter applied with "
                                 "WeightInit::FromFile (loadAdapter does that)");
    return {{kPromptEmbeddingsKey, encoder_->table()}};
}

NamedTensorList PromptLearningMethod::namedTrainableParameters() {
    NamedTensorList parameters;
    if (!encoder_) return parameters;
    const std::string prefix = std::string(kEncoderHolderName) + "." + kAdapterName + ".";
    for (const auto& item : encoder_->named_parameters())
        if (item.value().requires_grad()) parameters.emplace_back(prefix + item.key(), item.value());
    return parameters;
}

std::vector<torch::Tensor> PromptLearningMethod::ownedParameters() {
    return encoder_ ? encoder_->parameters() : std::vector<torch::Tensor>{};
}

void PromptLearningMethod::remove() {
    if (!model_) return;
    model_->unregister_module(kEncoderHolderName);
    model_ = nullptr;
    encoder_.reset();
}

// ---------------------------------------------------------------------------------------------
// VirtualTokenMethod

AdaptedInput VirtualTokenMethod::prepareInput(const model::ForwardInput& input) {
    AdaptedInput adapted;
    adapted.input = input;
    if (!enabled_) return adapted;
    model::CausalLM& model = appliedModel();
    const int64_t count = virtualTokenCount_;
    adapted.input.positionIds = torch::Tensor();  // PEFT: "Position ids are not supported ... Ignoring"

    const bool continuing = input.cache && !input.cache->empty();
    const int64_t newLength = input.inputIds.defined() ? input.inputIds.size(-1)
                              : input.inputsEmbeds.defined() ? input.inputsEmbeds.size(1)
                                                             : 0;
    if (continuing) {
        // The virtual tokens went into the cache with the first call.
        if (input.attentionMask.defined()) {
            const int64_t full = input.cache->length() + newLength;
            if (input.attentionMask.dim() == 2 && input.attentionMask.size(1) == full - count)
                adapted.input.attentionMask = prependOnesToMask(input.attentionMask, count);
            else checkMaskWidth(input.attentionMask, full, peftType());
        }
        return adapted;
    }

    torch::Tensor embeddings = input.inputsEmbeds;  // [B, T, H]
    if (!embeddings.defined()) {
        if (!input.inputIds.defined() || input.inputIds.dim() != 2)
            throw std::invalid_argument(peftType() + ": give input_ids [B, T] or inputs_embeds [B, T, H]");
        embeddings = model.embedTokens(input.inputIds);  // [B, T, H]
    }
    if (embeddings.dim() != 3)
        throw std::invalid_argument(peftType() + ": inputs_embeds must be [B, T, H], got " +
                                    c10::str(embeddings.sizes()));
    const int64_t batch = embeddings.size(0);
    // One encoder run, expanded over the batch (PEFT runs one row and repeats it).
    const torch::Tensor prompts = encodeVirtualTokens().to(embeddings.scalar_type());  // [n, H]
    if (prompts.size(1) != embeddings.size(2))
        throw std::invalid_argument(peftType() + ": the prompts have width " + std::to_string(prompts.size(1)) +
                                    " but the input embeddings " + std::to_string(embeddings.size(2)));
    const torch::Tensor batchPrompts = prompts.unsqueeze(0).expand({batch, count, prompts.size(1)});  // [B, n, H]
    adapted.input.inputIds = torch::Tensor();
    adapted.input.inputsEmbeds = torch::cat({batchPrompts.to(embeddings.device()), embeddings}, 1);  // [B, n + T, H]
    if (input.attentionMask.defined()) {
        const int64_t past = input.cache ? input.cache->length() : 0;
        checkMaskWidth(input.attentionMask, past + newLength, peftType());
        adapted.input.attentionMask = prependOnesToMask(input.attentionMask, count);  // [B, n + T]
    }
    adapted.virtualTokenCount = count;
    return adapted;
}

model::GenerationHooks VirtualTokenMethod::generationHooks() {
    model::GenerationHooks hooks;
    if (!enabled_ || !model_) return hooks;
    hooks.prepareInputsEmbeds = [this](const torch::Tensor& promptEmbeddings) {
        const torch::Tensor prompts = encodeVirtualTokens().to(promptEmbeddings.scalar_type());  // [n, H]
        const torch::Tensor batchPrompts =
            prompts.unsqueeze(0).expand({promptEmbeddings.size(0), prompts.size(0), prompts.size(1)});  // [B, n, H]
        return torch::cat({batchPrompts.to(promptEmbeddings.device()), promptEmbeddings}, 1);  // [B, n + T, H]
    };
    return hooks;
}

}  // namespace capsule::peft
