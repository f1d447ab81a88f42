#include "peft/prompt_learning_methods.h"

#include "peft/p_tuning.h"
#include "peft/prefix_tuning.h"
#include "peft/prompt_tuning.h"

#include <mutex>

namespace capsule::peft {

std::unique_ptr<AdapterMethod> createPromptLearningAdapter(const std::string& configJson, const std::string& sourceName,
                                                           std::vector<std::string>& ignoredKeys) {
    const std::string peftType = readPeftType(configJson, sourceName);
    if (peftType == "PROMPT_TUNING")
        return std::make_unique<PromptTuningAdapter>(parsePromptTuningConfig(configJson, sourceName, &ignoredKeys));
    if (peftType == "P_TUNING")
        return std::make_unique<PTuningAdapter>(parsePromptEncoderConfig(configJson, sourceName, &ignoredKeys));
    if (peftType == "PREFIX_TUNING")
        return std::make_unique<PrefixTuningAdapter>(parsePrefixTuningConfig(configJson, sourceName, &ignoredKeys));
    return nullptr;
}

void registerPromptLearningMethods() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (const char* peftType : {"PROMPT_TUNING", "P_TUNING", "PREFIX_TUNING"})
            registerAdapterFactory(peftType, &createPromptLearningAdapter);
    });
}

}  // namespace capsule::peft
