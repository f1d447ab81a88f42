#pragma once
// The table mapping config.json's model_type to the class that builds it.
#include "model/causal_lm.h"
#include "model/model_config.h"

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace capsule::model {

using ModelBuilder = std::function<std::shared_ptr<CausalLM>(const ModelConfig&, const torch::TensorOptions&)>;

struct ModelFamily {
    std::string modelType;     // config.json model_type: "gpt2", "llama", "qwen2", "mistral"
    std::string className;     // the transformers class it mirrors: "GPT2LMHeadModel", ...
    ModelBuilder build;
};

/// Every model_type this build can construct (the same set as io::supportedModelTypes()).
const std::vector<ModelFamily>& modelFamilies();

/// Builds the model for `config` with uninitialised weights in `options` (dtype, device).
/// Throws std::runtime_error listing the supported types for an unknown model_type.
std::shared_ptr<CausalLM> buildModel(const ModelConfig& config, const torch::TensorOptions& options);

}  // namespace capsule::model
