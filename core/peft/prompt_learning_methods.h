#pragma once
// Plugs the prompt-learning methods (PROMPT_TUNING, P_TUNING, PREFIX_TUNING) into loadAdapter()
// through registerAdapterFactory(). loadAdapter() calls registerPromptLearningMethods() itself, so
// callers never need to; the explicit call also keeps these object files in every link of the
// static capsule_peft library.
#include "peft/adapter.h"

#include <memory>
#include <string>
#include <vector>

namespace capsule::peft {

/// Registers the three factories once (idempotent, thread-safe).
void registerPromptLearningMethods();

/// The adapter (not applied) for a prompt-learning adapter_config.json text; nullptr when its
/// peft_type is not a prompt-learning method. Unknown keys are appended to `ignoredKeys`. Throws
/// std::runtime_error naming `sourceName` for an invalid config.
std::unique_ptr<AdapterMethod> createPromptLearningAdapter(const std::string& configJson, const std::string& sourceName,
                                                           std::vector<std::string>& ignoredKeys);

}  // namespace capsule::peft
