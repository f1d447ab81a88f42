#include "peft/prompt_learning_config.h"

#include "peft/config_field_reader.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>
#include <stdexcept>

namespace capsule::peft {
namespace {

using Json = nlohmann::json;  // std::map: dump() writes keys sorted, like sort_keys=True

// Sanity limits for hostile files (they would allocate absurd tables otherwise).
constexpr int64_t kMaximumVirtualTokens = 1 << 16;
constexpr int64_t kMaximumDimension = 1 << 20;
constexpr int64_t kMaximumLayers = 1 << 12;


void readBase(ConfigFieldReader& reader, const std::string& expectedType, PromptLearningConfig& config) {
    std::string peftType;
    reader.readString("peft_type", peftType);
    if (peftType != expectedType) reader.fail("peft_type", "is '" + peftType + "', expected '" + expectedType + "'");
    reader.readOptionalString("task_type", config.taskType);
    reader.readOptionalString("base_model_name_or_path", config.baseModelNameOrPath);
    reader.readOptionalString("revision", config.revision);
    reader.readAutoMapping(config.autoMapping);
    reader.ignore("inference_mode");  // a loaded prompt-learning adapter is always in inference mode
    reader.ignore("peft_version");

    reader.readInteger("num_virtual_tokens", config.numVirtualTokens);
    if (!reader.find("num_virtual_tokens")) reader.fail("num_virtual_tokens", "is missing (it is required)");
    reader.readOptionalInteger("token_dim", config.tokenDim);
    reader.readOptionalInteger("num_transformer_submodules", config.numTransformerSubmodules);
    reader.readOptionalInteger("num_attention_heads", config.numAttentionHeads);
    reader.readOptionalInteger("num_layers", config.numLayers);
    reader.readOptionalStringList("modules_to_save", config.modulesToSave);
}

template <typename Config>
Config finishParse(ConfigFieldReader& reader, Config config, const std::string& sourceName,
                   std::vector<std::string>* ignoredKeys) {
    reader.reportUnknown(ignoredKeys);
    try {
        validate(config);
    } catch (const std::exception& error) {
        throw std::runtime_error(sourceName + ": " + error.what());
    }
    return config;
}

// ---------------------------------------------------------------------------------------------
// Writing

Json optionalStringJson(const std::optional<std::string>& value) {
    return value ? Json(*value) : Json(nullptr);
}

Json optionalIntegerJson(const std::optional<int64_t>& value) {
    return value ? Json(*value) : Json(nullptr);
}

void writeBase(Json& json, const std::string& peftType, const PromptLearningConfig& config, ConfigProfile profile) {
    json["peft_type"] = peftType;
    json["task_type"] = optionalStringJson(config.taskType);
    json["base_model_name_or_path"] = optionalStringJson(config.baseModelNameOrPath);
    json["revision"] = optionalStringJson(config.revision);
    json["inference_mode"] = true;  // forced on save (§1.2)
    if (!config.taskType && config.autoMapping)
        json["auto_mapping"] = Json{{"base_model_class", config.autoMapping->baseModelClass},
                                    {"parent_library", config.autoMapping->parentLibrary}};
    else json["auto_mapping"] = nullptr;
    if (profile == ConfigProfile::Full) json["peft_version"] = kPeftVersionForFullProfile;

    json["num_virtual_tokens"] = config.numVirtualTokens;
    json["token_dim"] = optionalIntegerJson(config.tokenDim);
    json["num_transformer_submodules"] = optionalIntegerJson(config.numTransformerSubmodules);
    json["num_attention_heads"] = optionalIntegerJson(config.numAttentionHeads);
    json["num_layers"] = optionalIntegerJson(config.numLayers);
    // modules_to_save joined PromptLearningConfig in v0.17: older readers reject the key.
    if (profile == ConfigProfile::Full || config.modulesToSave) {
        if (!config.modulesToSave) {
            json["modules_to_save"] = nullptr;
        } else {
            Json list = Json::array();
            for (const auto& name : *config.modulesToSave) list.push_back(name);
            json["modules_to_save"] = list;
        }
    }
}

std::string dumpLikePython(const Json& json) {
    return json.dump(2, ' ', /*ensure_ascii=*/true);
}

// ---------------------------------------------------------------------------------------------
// Validation

void validateBase(const std::string& owner, const PromptLearningConfig& config) {
    if (config.numVirtualTokens <= 0 || config.numVirtualTokens > kMaximumVirtualTokens)
        throw std::runtime_error(owner + ": `num_virtual_tokens` must be in [1, " +
                                 std::to_string(kMaximumVirtualTokens) + "], got " +
                                 std::to_string(config.numVirtualTokens));
    static const std::set<std::string> knownTasks = {"SEQ_CLS", "SEQ_2_SEQ_LM", "CAUSAL_LM",
                                                     "TOKEN_CLS", "QUESTION_ANS", "FEATURE_EXTRACTION"};
    if (config.taskType && !knownTasks.count(*config.taskType))
        throw std::runtime_error(owner + ": `task_type` has the unknown value '" + *config.taskType + "'");
    if (config.taskType && *config.taskType != "CAUSAL_LM")
        throw std::runtime_error(owner + ": `task_type` = '" + *config.taskType +
                                 "' is not supported: Capsule applies prompt-learning adapters to decoder-only "
                                 "causal LMs (task_type CAUSAL_LM or null)");
    if (config.numTransformerSubmodules && *config.numTransformerSubmodules != 1)
        throw std::runtime_error(owner + ": `num_transformer_submodules` = " +
                                 std::to_string(*config.numTransformerSubmodules) +
                                 " is not supported (decoder-only models have 1)");
    auto checkDimension = [&](const char* key, const std::optional<int64_t>& value, int64_t limit) {
        if (value && (*value <= 0 || *value > limit))
            throw std::runtime_error(owner + ": `" + key + "` must be in [1, " + std::to_string(limit) + "], got " +
                                     std::to_string(*value));
    };
    checkDimension("token_dim", config.tokenDim, kMaximumDimension);
    checkDimension("num_attention_heads", config.numAttentionHeads, kMaximumDimension);
    checkDimension("num_layers", config.numLayers, kMaximumLayers);
    if (config.modulesToSave)
        throw std::runtime_error(owner + ": `modules_to_save` is not supported by Capsule for prompt-learning methods");
}

void validateEncoderHiddenSize(const std::string& owner, const std::optional<int64_t>& size) {
    if (size && (*size <= 0 || *size > kMaximumDimension))
        throw std::runtime_error(owner + ": `encoder_hidden_size` must be in [1, " + std::to_string(kMaximumDimension) +
                                 "], got " + std::to_string(*size));
}

}  // namespace

PromptTuningConfig parsePromptTuningConfig(const std::string& jsonText, const std::string& sourceName,
                                           std::vector<std::string>* ignoredKeys) {
    ConfigFieldReader reader(jsonText, sourceName);
    PromptTuningConfig config;
    readBase(reader, "PROMPT_TUNING", config);
    reader.readString("prompt_tuning_init", config.promptTuningInit);
    reader.readOptionalString("prompt_tuning_init_text", config.promptTuningInitText);
    reader.readOptionalString("tokenizer_name_or_path", config.tokenizerNameOrPath);
    reader.readOptionalObjectText("tokenizer_kwargs", config.tokenizerKwargsJson);
    return finishParse(reader, config, sourceName, ignoredKeys);
}

PromptEncoderConfig parsePromptEncoderConfig(const std::string& jsonText, const std::string& sourceName,
                                             std::vector<std::string>* ignoredKeys) {
    ConfigFieldReader reader(jsonText, sourceName);
    PromptEncoderConfig config;
    readBase(reader, "P_TUNING", config);
    reader.readString("encoder_reparameterization_type", config.encoderReparameterizationType);
    reader.readOptionalInteger("encoder_hidden_size", config.encoderHiddenSize);
    reader.readInteger("encoder_num_layers", config.encoderNumLayers);
    reader.readNumber("encoder_dropout", config.encoderDropout);
    return finishParse(reader, config, sourceName, ignoredKeys);
}

PrefixTuningConfig parsePrefixTuningConfig(const std::string& jsonText, const std::string& sourceName,
                                           std::vector<std::string>* ignoredKeys) {
    ConfigFieldReader reader(jsonText, sourceName);
    PrefixTuningConfig config;
    readBase(reader, "PREFIX_TUNING", config);
    reader.readOptionalInteger("encoder_hidden_size", config.encoderHiddenSize);
    reader.readBool("prefix_projection", config.prefixProjection);
    reader.readOptionalString("init_weights", config.initWeights);
    return finishParse(reader, config, sourceName, ignoredKeys);
}

std::string toAdapterConfigJson(const PromptTuningConfig& config, ConfigProfile profile) {
    Json json = Json::object();
    writeBase(json, "PROMPT_TUNING", config, profile);
    json["prompt_tuning_init"] = config.promptTuningInit;
    json["prompt_tuning_init_text"] = optionalStringJson(config.promptTuningInitText);
    json["tokenizer_name_or_path"] = optionalStringJson(config.tokenizerNameOrPath);
    json["tokenizer_kwargs"] = config.tokenizerKwargsJson ? Json::parse(*config.tokenizerKwargsJson) : Json(nullptr);
    return dumpLikePython(json);
}

std::string toAdapterConfigJson(const PromptEncoderConfig& config, ConfigProfile profile) {
    Json json = Json::object();
    writeBase(json, "P_TUNING", config, profile);
    json["encoder_reparameterization_type"] = config.encoderReparameterizationType;
    json["encoder_hidden_size"] = optionalIntegerJson(config.encoderHiddenSize);
    json["encoder_num_layers"] = config.encoderNumLayers;
    json["encoder_dropout"] = config.encoderDropout;
    return dumpLikePython(json);
}

std::string toAdapterConfigJson(const PrefixTuningConfig& config, ConfigProfile profile) {
    Json json = Json::object();
    writeBase(json, "PREFIX_TUNING", config, profile);
    json["encoder_hidden_size"] = optionalIntegerJson(config.encoderHiddenSize);
    json["prefix_projection"] = config.prefixProjection;
    // init_weights is a v0.19 key: PEFT <= 0.13 readers reject unknown keys.
    if (profile == ConfigProfile::Full || config.initWeights) json["init_weights"] = optionalStringJson(config.initWeights);
    return dumpLikePython(json);
}

void validate(const PromptTuningConfig& config) {
    const std::string owner = "PromptTuningConfig";
    validateBase(owner, config);
    const std::string& init = config.promptTuningInit;
    if (init != "RANDOM" && init != "TEXT" && init != "SAMPLE_VOCAB")
        throw std::runtime_error(owner + ": `prompt_tuning_init` must be 'RANDOM', 'TEXT' or 'SAMPLE_VOCAB', got '" +
                                 init + "'");
    // PEFT's __post_init__ checks (their messages).
    if (init == "TEXT" && !config.promptTuningInitText)
        throw std::runtime_error(owner + ": When prompt_tuning_init='TEXT', prompt_tuning_init_text can't be None.");
    if (config.tokenizerKwargsJson && config.tokenizerKwargsJson != std::string("{}") && init != "TEXT")
        throw std::runtime_error(owner + ": tokenizer_kwargs only valid when using prompt_tuning_init='TEXT'.");
}

void validate(const PromptEncoderConfig& config) {
    const std::string owner = "PromptEncoderConfig";
    validateBase(owner, config);
    validateEncoderHiddenSize(owner, config.encoderHiddenSize);
    if (config.encoderNumLayers <= 0 || config.encoderNumLayers > 64)
        throw std::runtime_error(owner + ": `encoder_num_layers` must be in [1, 64], got " +
                                 std::to_string(config.encoderNumLayers));
    if (!(config.encoderDropout >= 0.0 && config.encoderDropout < 1.0))
        throw std::runtime_error(owner + ": `encoder_dropout` must be in [0, 1), got " +
                                 std::to_string(config.encoderDropout));
}

void validate(const PrefixTuningConfig& config) {
    const std::string owner = "PrefixTuningConfig";
    validateBase(owner, config);
    validateEncoderHiddenSize(owner, config.encoderHiddenSize);
}

void resolvePromptLearningDimensions(PromptLearningConfig& config, const model::ModelConfig& model,
                                     bool groupedQueryRewrite, std::optional<int64_t>* encoderHiddenSize) {
    if (!config.numLayers) config.numLayers = model.numHiddenLayers;
    if (!config.tokenDim) config.tokenDim = model.hiddenSize;
    if (!config.numAttentionHeads) config.numAttentionHeads = model.numAttentionHeads;
    if (!config.numTransformerSubmodules)
        config.numTransformerSubmodules = (config.taskType && *config.taskType == "SEQ_2_SEQ_LM") ? 2 : 1;
    // transformers' GPT-2 config has no num_key_value_heads; every Llama-family config has it.
    if (groupedQueryRewrite && !model.isGpt2()) {
        // head_dim from the config when it states one (Capsule's headDim differs from hidden /
        // heads only then), else token_dim // num_attention_heads as PEFT computes it.
        const bool explicitHeadDim = model.numAttentionHeads > 0 && model.headDim * model.numAttentionHeads != model.hiddenSize;
        const int64_t headDim = explicitHeadDim ? model.headDim : *config.tokenDim / *config.numAttentionHeads;
        config.tokenDim = headDim * model.numKeyValueHeads;
        config.numAttentionHeads = model.numKeyValueHeads;
    }
    if (encoderHiddenSize && !*encoderHiddenSize) *encoderHiddenSize = config.tokenDim;
}

}  // namespace capsule::peft
