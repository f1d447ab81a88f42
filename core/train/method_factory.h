#pragma once
// Builds the PEFT adapter a TrainingConfig names (CLI method names -> peft classes, method options
// -> PEFT config fields). The adapter is constructed, not applied.
#include "peft/adapter.h"
#include "peft/tfew_recipe.h"
#include "tokenizer/tokenizer.h"
#include "train/training_config.h"

#include <cstdint>
#include <memory>
#include <string>

namespace capsule::train {

/// `totalSteps` becomes AdaLoRA's total_step. `tokenizer` tokenizes prompt_tuning_init_text.
/// Throws std::invalid_argument naming the option for values the method rejects.
std::unique_ptr<peft::AdapterMethod> createAdapter(const TrainingConfig& config, const model::ModelConfig& modelConfig,
                                                   const tokenizer::Tokenizer& tokenizer, int64_t totalSteps);

/// The T-Few loss weights from the config (mc_loss, unlikely_loss, length_norm).
peft::TFewLossWeights tFewWeights(const TrainingConfig& config);

/// True for the methods that transform the input instead of the layers.
bool isPromptLearningMethod(const std::string& method);

}  // namespace capsule::train
