#include "train/method_factory.h"

#include "peft/adalora.h"
#include "peft/ia3.h"
#include "peft/lora.h"
#include "peft/p_tuning.h"
#include "peft/prefix_tuning.h"
#include "peft/prompt_learning_config.h"
#include "peft/prompt_tuning.h"

#include <stdexcept>

namespace capsule::train {
namespace {

peft::ModuleSelector selector(const std::vector<std::string>& names) {
    if (names.empty()) return peft::ModuleSelector::none();
    if (names.size() == 1 && names[0] == "all-linear") return peft::ModuleSelector::fromRegex("all-linear");
    return peft::ModuleSelector::fromList(names);
}

peft::LoraConfig loraConfig(const TrainingConfig& config) {
    peft::LoraConfig lora;
    lora.r = config.r;
    lora.loraAlpha = config.loraAlpha;
    lora.loraDropout = config.loraDropout;
    lora.targetModules = selector(config.targetModules);
    lora.useRslora = config.useRslora;
    lora.baseModelNameOrPath = config.model;
    return lora;
}

}  // namespace

bool isPromptLearningMethod(const std::string& method) {
    return method == "prompt-tuning" || method == "prefix-tuning" || method == "p-tuning";
}

peft::TFewLossWeights tFewWeights(const TrainingConfig& config) {
    peft::TFewLossWeights weights;
    weights.mcLoss = config.mcLoss;
    weights.unlikelyLoss = config.unlikelyLoss;
    weights.lengthNorm = config.lengthNorm;
    return weights;
}

std::unique_ptr<peft::AdapterMethod> createAdapter(const TrainingConfig& config, const model::ModelConfig& modelConfig,
                                                   const tokenizer::Tokenizer& tokenizer, int64_t totalSteps) {
    const std::string& method = config.method;
    try {
        if (method == "lora") return std::make_unique<peft::LoraAdapter>(loraConfig(config));
        if (method == "adalora") {
            peft::AdaLoraConfig adalora;
            adalora.lora = loraConfig(config);
            adalora.lora.r = config.initR;
            adalora.initR = config.initR;
            adalora.targetR = config.targetR;
            adalora.tinit = config.tinit;
            adalora.tfinal = config.tfinal;
            adalora.deltaT = config.deltaT;
            adalora.beta1 = config.beta1;
            adalora.beta2 = config.beta2;
            adalora.orthRegWeight = config.orthRegWeight;
            adalora.totalStep = totalSteps;
            return std::make_unique<peft::AdaLoraAdapter>(adalora);
        }
        if (method == "ia3" || method == "t-few") {
            peft::Ia3Config ia3 = method == "t-few" ? peft::tFewConfig(modelConfig).ia3 : peft::Ia3Config{};
            if (!config.targetModules.empty()) ia3.targetModules = selector(config.targetModules);
            if (!config.feedforwardModules.empty()) ia3.feedforwardModules = selector(config.feedforwardModules);
            ia3.baseModelNameOrPath = config.model;
            return std::make_unique<peft::Ia3Adapter>(ia3);
        }
        if (method == "prompt-tuning") {
            peft::PromptTuningConfig prompt;
            prompt.numVirtualTokens = config.numVirtualTokens;
            prompt.promptTuningInit = config.promptTuningInit;
            prompt.baseModelNameOrPath = config.model;
            if (config.promptTuningInit == "TEXT") {
                if (config.promptTuningInitText.empty())
                    throw std::invalid_argument("option --prompt-tuning-init-text is required with --prompt-tuning-init TEXT");
                prompt.promptTuningInitText = config.promptTuningInitText;
                prompt.tokenizerNameOrPath = config.model;
                prompt.initTextTokenIds = tokenizer.encode(config.promptTuningInitText, true);
            }
            return std::make_unique<peft::PromptTuningAdapter>(prompt);
        }
        if (method == "p-tuning") {
            peft::PromptEncoderConfig encoder;
            encoder.numVirtualTokens = config.numVirtualTokens;
            encoder.encoderReparameterizationType = config.encoderReparameterizationType;
            if (config.encoderHiddenSize > 0) encoder.encoderHiddenSize = config.encoderHiddenSize;
            encoder.baseModelNameOrPath = config.model;
            return std::make_unique<peft::PTuningAdapter>(encoder);
        }
        if (method == "prefix-tuning") {
            peft::PrefixTuningConfig prefix;
            prefix.numVirtualTokens = config.numVirtualTokens;
            prefix.prefixProjection = config.prefixProjection;
            if (config.encoderHiddenSize > 0) prefix.encoderHiddenSize = config.encoderHiddenSize;
            prefix.baseModelNameOrPath = config.model;
            return std::make_unique<peft::PrefixTuningAdapter>(prefix);
        }
    } catch (const std::invalid_argument&) {
        throw;
    } catch (const std::runtime_error& error) {
        throw std::invalid_argument("method " + method + ": " + error.what());
    }
    throw std::invalid_argument("option --method: unknown method '" + method + "'");
}

}  // namespace capsule::train
