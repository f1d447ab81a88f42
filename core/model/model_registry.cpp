#include "model/model_registry.h"

#include "model/gpt2_model.h"
#include "model/llama_model.h"

#include <stdexcept>

namespace capsule::model {
namespace {

std::shared_ptr<CausalLM> buildGpt2(const ModelConfig& config, const torch::TensorOptions& options) {
    return std::make_shared<Gpt2ForCausalLMImpl>(config, options);
}

std::shared_ptr<CausalLM> buildLlamaFamily(const ModelConfig& config, const torch::TensorOptions& options) {
    return std::make_shared<LlamaForCausalLMImpl>(config, options);
}

}  // namespace

const std::vector<ModelFamily>& modelFamilies() {
    static const std::vector<ModelFamily> families = {
        {"gpt2", "GPT2LMHeadModel", &buildGpt2},
        {"llama", "LlamaForCausalLM", &buildLlamaFamily},
        {"qwen2", "Qwen2ForCausalLM", &buildLlamaFamily},
        {"mistral", "MistralForCausalLM", &buildLlamaFamily},
    };
    return families;
}

std::shared_ptr<CausalLM> buildModel(const ModelConfig& config, const torch::TensorOptions& options) {
    std::string supported;
    for (const ModelFamily& family : modelFamilies()) {
        if (family.modelType == config.modelType) return family.build(config, options);
        supported += (supported.empty() ? "" : ", ") + family.modelType;
    }
    throw std::runtime_error("unsupported model_type '" + config.modelType + "' (supported: " + supported + ")");
}

}  // namespace capsule::model
