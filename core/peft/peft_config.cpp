#include "peft/peft_config.h"

#include "peft/config_field_reader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

namespace capsule::peft {
namespace {

using Json = nlohmann::json;                 // std::map: writes keys sorted, like sort_keys=True

// Sanity limits for hostile files: a rank beyond this would allocate absurd tensors.
constexpr int64_t kMaximumRank = 1 << 16;
constexpr int64_t kMaximumLayerIndex = 1 << 20;


void readBase(ConfigFieldReader& reader, const std::string& expectedType, PeftConfigBase& config) {
    std::string peftType;
    reader.readString("peft_type", peftType);
    if (peftType != expectedType)
        reader.fail("peft_type", "is '" + peftType + "', expected '" + expectedType + "'");
    reader.readOptionalString("task_type", config.taskType);
    if (config.taskType) {
        static const std::set<std::string> known = {"SEQ_CLS",      "SEQ_2_SEQ_LM", "CAUSAL_LM",
                                                    "TOKEN_CLS",    "QUESTION_ANS", "FEATURE_EXTRACTION"};
        if (!known.count(*config.taskType)) reader.fail("task_type", "has the unknown value '" + *config.taskType + "'");
    }
    reader.readOptionalString("base_model_name_or_path", config.baseModelNameOrPath);
    reader.readOptionalString("revision", config.revision);
    reader.readAutoMapping(config.autoMapping);
    reader.ignore("inference_mode");  // a loaded adapter is always in inference mode until trained
    reader.ignore("peft_version");
}

void readLoraFields(ConfigFieldReader& reader, LoraConfig& config, bool adaLora) {
    reader.readInteger("r", config.r);
    reader.readNumber("lora_alpha", config.loraAlpha);
    reader.readNumber("lora_dropout", config.loraDropout);
    reader.readSelector("target_modules", config.targetModules);
    reader.readSelector("exclude_modules", config.excludeModules);
    reader.readBool("fan_in_fan_out", config.fanInFanOut);
    reader.readString("bias", config.bias);
    reader.readBool("use_rslora", config.useRslora);
    reader.readOptionalStringList("modules_to_save", config.modulesToSave);

    if (const OrderedJson* init = reader.find("init_lora_weights")) {
        if (init->is_boolean()) config.initLoraWeights = init->get<bool>() ? "true" : "false";
        else if (init->is_string()) config.initLoraWeights = init->get<std::string>();
        else reader.fail("init_lora_weights", "must be true, false or a string, got " + jsonTypeName(*init));
    }

    if (const OrderedJson* layers = reader.find("layers_to_transform"); layers && !layers->is_null()) {
        std::vector<int64_t> indices;
        if (layers->is_array()) {
            for (const auto& item : *layers) indices.push_back(reader.integerValue("layers_to_transform", item));
            config.layersToTransformIsInteger = false;
        } else {
            indices.push_back(reader.integerValue("layers_to_transform", *layers));
            config.layersToTransformIsInteger = true;
        }
        for (int64_t index : indices)
            if (index < 0 || index > kMaximumLayerIndex)
                reader.fail("layers_to_transform", "has the invalid layer index " + std::to_string(index));
        config.layersToTransform = indices;
    }
    if (const OrderedJson* pattern = reader.find("layers_pattern"); pattern && !pattern->is_null()) {
        if (pattern->is_string()) {
            config.layersPattern = std::vector<std::string>{pattern->get<std::string>()};
            config.layersPatternIsString = true;
        } else {
            config.layersPattern = reader.stringList("layers_pattern", *pattern);
            config.layersPatternIsString = false;
        }
    }

    // AdaLoRA's rank_pattern is a different thing (keep-masks) and is read by the caller.
    if (!adaLora) {
        if (const OrderedJson* ranks = reader.find("rank_pattern"); ranks && !ranks->is_null()) {
            if (!ranks->is_object()) reader.fail("rank_pattern", "must be an object of pattern -> rank");
            for (auto item = ranks->begin(); item != ranks->end(); ++item)
                config.rankPattern.emplace_back(item.key(), reader.integerValue("rank_pattern." + item.key(), item.value()));
        }
    }
    if (const OrderedJson* alphas = reader.find("alpha_pattern"); alphas && !alphas->is_null()) {
        if (!alphas->is_object()) reader.fail("alpha_pattern", "must be an object of pattern -> alpha");
        for (auto item = alphas->begin(); item != alphas->end(); ++item)
            config.alphaPattern.emplace_back(item.key(), reader.numberValue("alpha_pattern." + item.key(), item.value()));
    }

    reader.readBool("lora_bias", config.loraBias);
    reader.readBool("use_dora", config.useDora);
    if (const OrderedJson* megatron = reader.find("megatron_config"); megatron && !megatron->is_null())
        config.megatronConfigJson = megatron->dump();
    reader.readString("megatron_core", config.megatronCore);

    // Features that change the forward pass: accepted only when off.
    reader.requireOff("layer_replication", "layer replication");
    reader.requireOff("trainable_token_indices", "trainable token indices");
    reader.requireOff("target_parameters", "targeting raw parameters (MoE)");
    reader.requireOff("alora_invocation_tokens", "activated LoRA (aLoRA)");
    reader.requireOff("use_qalora", "QA-LoRA");
    reader.requireOff("arrow_config", "Arrow routing");
    reader.requireOff("use_bdlora", "BD-LoRA");
    reader.requireOff("velora_config", "VeLoRA");
    reader.requireOff("monteclora_config", "MonteCLoRA");
    reader.requireOff("kasa_config", "KaSA");
    // Initialisation-only or bookkeeping keys: trained weights make them irrelevant.
    for (const char* key : {"loftq_config", "eva_config", "corda_config", "lora_ga_config", "qalora_group_size",
                            "ensure_weight_tying", "runtime_config"})
        reader.ignore(key);
}

// ---------------------------------------------------------------------------------------------
// Writing

Json numberJson(double value) {
    // Python writes the int the user passed as an int; integral values are ints in practice.
    if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9.0e15)
        return Json(static_cast<int64_t>(value));
    return Json(value);
}

Json selectorJson(const ModuleSelector& selector) {
    switch (selector.kind) {
        case ModuleSelector::Kind::None: return Json(nullptr);
        case ModuleSelector::Kind::Regex: return Json(selector.regex);
        case ModuleSelector::Kind::List: {
            // A Python set: order is arbitrary there; sorted (and de-duplicated) here for stable files.
            std::set<std::string> sorted(selector.names.begin(), selector.names.end());
            Json list = Json::array();
            for (const auto& name : sorted) list.push_back(name);
            return list;
        }
    }
    return Json(nullptr);
}

Json optionalStringJson(const std::optional<std::string>& value) {
    return value ? Json(*value) : Json(nullptr);
}

Json stringListJson(const std::optional<std::vector<std::string>>& list) {
    if (!list) return Json(nullptr);
    Json out = Json::array();
    for (const auto& item : *list) out.push_back(item);
    return out;
}

void writeBase(Json& json, const std::string& peftType, const PeftConfigBase& config, ConfigProfile profile) {
    json["peft_type"] = peftType;
    json["task_type"] = optionalStringJson(config.taskType);
    json["base_model_name_or_path"] = optionalStringJson(config.baseModelNameOrPath);
    json["revision"] = optionalStringJson(config.revision);
    json["inference_mode"] = true;  // forced on save (§1.2)
    if (!config.taskType && config.autoMapping) {
        json["auto_mapping"] = Json{{"base_model_class", config.autoMapping->baseModelClass},
                                    {"parent_library", config.autoMapping->parentLibrary}};
    } else {
        json["auto_mapping"] = nullptr;
    }
    if (profile == ConfigProfile::Full) json["peft_version"] = kPeftVersionForFullProfile;
}

/// Keys newer than the compatibility baseline are written there too when they are not at their
/// default: dropping them would make PEFT load a different adapter.
void writeNewerKey(Json& json, ConfigProfile profile, const std::string& key, const Json& value, const Json& defaultValue) {
    if (profile == ConfigProfile::Full || value != defaultValue) json[key] = value;
}

void writeLoraFields(Json& json, const LoraConfig& config, ConfigProfile profile, bool adaLora) {
    json["r"] = config.r;
    json["lora_alpha"] = numberJson(config.loraAlpha);
    json["lora_dropout"] = config.loraDropout;
    json["target_modules"] = selectorJson(config.targetModules);
    json["fan_in_fan_out"] = config.fanInFanOut;
    json["bias"] = config.bias;
    json["use_rslora"] = config.useRslora;
    json["modules_to_save"] = stringListJson(config.modulesToSave);
    if (config.initLoraWeights == "true") json["init_lora_weights"] = true;
    else if (config.initLoraWeights == "false") json["init_lora_weights"] = false;
    else json["init_lora_weights"] = config.initLoraWeights;

    if (!config.layersToTransform) json["layers_to_transform"] = nullptr;
    else if (config.layersToTransformIsInteger && config.layersToTransform->size() == 1)
        json["layers_to_transform"] = config.layersToTransform->front();
    else json["layers_to_transform"] = *config.layersToTransform;

    if (!config.layersPattern) json["layers_pattern"] = nullptr;
    else if (config.layersPatternIsString && config.layersPattern->size() == 1)
        json["layers_pattern"] = config.layersPattern->front();
    else json["layers_pattern"] = *config.layersPattern;

    if (!adaLora) {
        Json ranks = Json::object();
        for (const auto& [pattern, rank] : config.rankPattern) ranks[pattern] = rank;
        json["rank_pattern"] = ranks;
    }
    Json alphas = Json::object();
    for (const auto& [pattern, alpha] : config.alphaPattern) alphas[pattern] = numberJson(alpha);
    json["alpha_pattern"] = alphas;

    json["megatron_config"] = config.megatronConfigJson ? Json::parse(*config.megatronConfigJson) : Json(nullptr);
    json["megatron_core"] = config.megatronCore;
    json["loftq_config"] = Json::object();
    json["use_dora"] = config.useDora;
    json["layer_replication"] = nullptr;

    // v0.14 and later (§3.1 field history).
    writeNewerKey(json, profile, "exclude_modules", selectorJson(config.excludeModules), Json(nullptr));
    writeNewerKey(json, profile, "lora_bias", Json(config.loraBias), Json(false));
    if (profile == ConfigProfile::Full) {
        for (const char* key : {"eva_config", "trainable_token_indices", "corda_config", "target_parameters",
                                "alora_invocation_tokens", "arrow_config", "lora_ga_config", "use_bdlora",
                                "velora_config", "monteclora_config", "kasa_config"})
            json[key] = nullptr;
        json["use_qalora"] = false;
        json["qalora_group_size"] = 16;
        json["ensure_weight_tying"] = false;
    }
}

std::string dumpLikePython(const Json& json) {
    // indent=2, ensure_ascii=True; Python adds no trailing newline.
    return json.dump(2, ' ', true);
}

}  // namespace

std::string ModuleSelector::describe() const {
    switch (kind) {
        case Kind::None: return "null";
        case Kind::Regex: return "'" + regex + "'";
        case Kind::List: {
            std::string text = "[";
            for (size_t i = 0; i < names.size(); ++i) text += (i ? ", " : "") + names[i];
            return text + "]";
        }
    }
    return "null";
}

std::string readPeftType(const std::string& jsonText, const std::string& sourceName) {
    ConfigFieldReader reader(jsonText, sourceName);
    const OrderedJson* type = reader.find("peft_type");
    if (!type) throw std::runtime_error(sourceName + ": field 'peft_type' is missing");
    if (!type->is_string()) reader.fail("peft_type", "must be a string, got " + jsonTypeName(*type));
    return type->get<std::string>();
}

LoraConfig parseLoraConfig(const std::string& jsonText, const std::string& sourceName,
                           std::vector<std::string>* ignoredKeys) {
    ConfigFieldReader reader(jsonText, sourceName);
    LoraConfig config;
    readBase(reader, "LORA", config);
    readLoraFields(reader, config, false);
    reader.reportUnknown(ignoredKeys);
    try {
        validate(config);
    } catch (const std::exception& error) {
        throw std::runtime_error(sourceName + ": " + error.what());
    }
    return config;
}

AdaLoraConfig parseAdaLoraConfig(const std::string& jsonText, const std::string& sourceName,
                                 std::vector<std::string>* ignoredKeys) {
    ConfigFieldReader reader(jsonText, sourceName);
    AdaLoraConfig config;
    config.lora.rankPattern.clear();
    readBase(reader, "ADALORA", config.lora);
    readLoraFields(reader, config.lora, true);
    reader.readInteger("target_r", config.targetR);
    reader.readInteger("init_r", config.initR);
    reader.readInteger("tinit", config.tinit);
    reader.readInteger("tfinal", config.tfinal);
    reader.readInteger("deltaT", config.deltaT);
    reader.readNumber("beta1", config.beta1);
    reader.readNumber("beta2", config.beta2);
    reader.readNumber("orth_reg_weight", config.orthRegWeight);
    reader.readOptionalInteger("total_step", config.totalStep);
    if (const OrderedJson* pattern = reader.find("rank_pattern"); pattern && !pattern->is_null()) {
        if (!pattern->is_object()) reader.fail("rank_pattern", "must be an object of '<module>.lora_E' -> list of booleans");
        std::map<std::string, std::vector<bool>> masks;
        for (auto item = pattern->begin(); item != pattern->end(); ++item) {
            if (!item.value().is_array())
                reader.fail("rank_pattern." + item.key(), "must be a list of booleans, got " + jsonTypeName(item.value()));
            std::vector<bool> mask;
            for (const auto& flag : item.value()) {
                if (!flag.is_boolean())
                    reader.fail("rank_pattern." + item.key(), "must be a list of booleans; an item is " + jsonTypeName(flag));
                mask.push_back(flag.get<bool>());
            }
            masks[item.key()] = mask;
        }
        if (!masks.empty()) config.rankPattern = masks;
    }
    reader.reportUnknown(ignoredKeys);
    try {
        validate(config);
    } catch (const std::exception& error) {
        throw std::runtime_error(sourceName + ": " + error.what());
    }
    return config;
}

Ia3Config parseIa3Config(const std::string& jsonText, const std::string& sourceName,
                         std::vector<std::string>* ignoredKeys) {
    ConfigFieldReader reader(jsonText, sourceName);
    Ia3Config config;
    readBase(reader, "IA3", config);
    reader.readSelector("target_modules", config.targetModules);
    reader.readSelector("exclude_modules", config.excludeModules);
    reader.readSelector("feedforward_modules", config.feedforwardModules);
    reader.readBool("fan_in_fan_out", config.fanInFanOut);
    reader.readOptionalStringList("modules_to_save", config.modulesToSave);
    reader.readBool("init_ia3_weights", config.initIa3Weights);
    reader.reportUnknown(ignoredKeys);
    try {
        validate(config);
    } catch (const std::exception& error) {
        throw std::runtime_error(sourceName + ": " + error.what());
    }
    return config;
}

std::string toAdapterConfigJson(const LoraConfig& config, ConfigProfile profile) {
    Json json = Json::object();
    writeBase(json, "LORA", config, profile);
    writeLoraFields(json, config, profile, false);
    return dumpLikePython(json);
}

std::string toAdapterConfigJson(const AdaLoraConfig& config, ConfigProfile profile) {
    Json json = Json::object();
    writeBase(json, "ADALORA", config.lora, profile);
    writeLoraFields(json, config.lora, profile, true);
    json["target_r"] = config.targetR;
    json["init_r"] = config.initR;
    json["tinit"] = config.tinit;
    json["tfinal"] = config.tfinal;
    json["deltaT"] = config.deltaT;
    json["beta1"] = config.beta1;
    json["beta2"] = config.beta2;
    json["orth_reg_weight"] = config.orthRegWeight;
    json["total_step"] = config.totalStep ? Json(*config.totalStep) : Json(nullptr);
    if (!config.rankPattern) {
        json["rank_pattern"] = nullptr;
    } else {
        Json masks = Json::object();
        for (const auto& [name, mask] : *config.rankPattern) {
            Json flags = Json::array();
            for (bool kept : mask) flags.push_back(kept);
            masks[name] = flags;
        }
        json["rank_pattern"] = masks;
    }
    return dumpLikePython(json);
}

std::string toAdapterConfigJson(const Ia3Config& config, ConfigProfile profile) {
    Json json = Json::object();
    writeBase(json, "IA3", config, profile);
    json["target_modules"] = selectorJson(config.targetModules);
    json["feedforward_modules"] = selectorJson(config.feedforwardModules);
    json["fan_in_fan_out"] = config.fanInFanOut;
    json["modules_to_save"] = stringListJson(config.modulesToSave);
    json["init_ia3_weights"] = config.initIa3Weights;
    writeNewerKey(json, profile, "exclude_modules", selectorJson(config.excludeModules), Json(nullptr));
    return dumpLikePython(json);
}

namespace {

void validateSelectorsAndLayers(const std::string& owner, const ModuleSelector& target,
                                const std::optional<std::vector<int64_t>>& layersToTransform,
                                const std::optional<std::vector<std::string>>& layersPattern) {
    if (target.isList() && target.names.empty())
        throw std::runtime_error(owner + ": `target_modules` is an empty list");
    if (layersToTransform && target.isRegex())
        throw std::runtime_error(owner + ": `layers_to_transform` cannot be used when `target_modules` is a str.");
    if (layersPattern && !layersPattern->empty() && !layersToTransform)
        throw std::runtime_error(owner + ": When `layers_pattern` is specified, `layers_to_transform` must also be specified.");
}

}  // namespace

void validate(const LoraConfig& config) {
    if (config.r <= 0)
        throw std::runtime_error("LoraConfig: `r` should be a positive integer value but the value passed is " +
                                 std::to_string(config.r));
    if (config.r > kMaximumRank)
        throw std::runtime_error("LoraConfig: `r` = " + std::to_string(config.r) + " exceeds the supported maximum " +
                                 std::to_string(kMaximumRank));
    if (!(config.loraDropout >= 0.0 && config.loraDropout < 1.0))
        throw std::runtime_error("LoraConfig: `lora_dropout` must be in [0, 1), got " + std::to_string(config.loraDropout));
    if (config.bias != "none" && config.bias != "all" && config.bias != "lora_only")
        throw std::runtime_error("LoraConfig: `bias` must be 'none', 'all' or 'lora_only', got '" + config.bias + "'");
    if (config.useDora) throw std::runtime_error("LoraConfig: `use_dora` = true (DoRA) is not supported by Capsule");
    if (config.megatronConfigJson) throw std::runtime_error("LoraConfig: `megatron_config` is not supported by Capsule");
    static const std::set<std::string> knownInits = {"true", "false", "gaussian", "eva", "olora", "pissa", "corda",
                                                     "loftq", "orthogonal", "mica", "lora_ga"};
    if (!knownInits.count(config.initLoraWeights) && config.initLoraWeights.rfind("pissa_niter_", 0) != 0)
        throw std::runtime_error("LoraConfig: unknown `init_lora_weights` value '" + config.initLoraWeights + "'");
    validateSelectorsAndLayers("LoraConfig", config.targetModules, config.layersToTransform, config.layersPattern);
    for (const auto& [pattern, rank] : config.rankPattern)
        if (rank <= 0 || rank > kMaximumRank)
            throw std::runtime_error("LoraConfig: `rank_pattern` entry '" + pattern + "' has the invalid rank " +
                                     std::to_string(rank));
}

void validate(const AdaLoraConfig& config) {
    const LoraConfig& lora = config.lora;
    if (lora.useDora) throw std::runtime_error("AdaLoraConfig: AdaLoRA does not support DoRA (`use_dora`)");
    if (lora.initLoraWeights == "loftq") throw std::runtime_error("AdaLoraConfig: AdaLoRA does not support LoftQ");
    if (!(lora.loraDropout >= 0.0 && lora.loraDropout < 1.0))
        throw std::runtime_error("AdaLoraConfig: `lora_dropout` must be in [0, 1), got " + std::to_string(lora.loraDropout));
    if (lora.bias != "none" && lora.bias != "all" && lora.bias != "lora_only")
        throw std::runtime_error("AdaLoraConfig: `bias` must be 'none', 'all' or 'lora_only', got '" + lora.bias + "'");
    if (lora.loraBias) throw std::runtime_error("AdaLoraConfig: `lora_bias` is not supported by AdaLoRA");
    if (!lora.rankPattern.empty())
        throw std::runtime_error("AdaLoraConfig: LoRA's integer `rank_pattern` does not apply to AdaLoRA");
    validateSelectorsAndLayers("AdaLoraConfig", lora.targetModules, lora.layersToTransform, lora.layersPattern);
    if (!config.totalStep || *config.totalStep <= 0)
        throw std::runtime_error("AdaLoraConfig: AdaLoRA does not work when `total_step` is None, supply a value > 0.");
    if (config.initR <= 0 || config.initR > kMaximumRank)
        throw std::runtime_error("AdaLoraConfig: `init_r` must be in [1, " + std::to_string(kMaximumRank) + "], got " +
                                 std::to_string(config.initR));
    if (config.targetR < 0 || config.targetR > config.initR)
        throw std::runtime_error("AdaLoraConfig: `target_r` must be in [0, init_r = " + std::to_string(config.initR) +
                                 "], got " + std::to_string(config.targetR));
    if (config.tinit < 0 || config.tfinal < 0)
        throw std::runtime_error("AdaLoraConfig: `tinit` and `tfinal` must be >= 0");
    if (config.tinit >= *config.totalStep - config.tfinal)
        throw std::runtime_error(
            "AdaLoraConfig: The supplied schedule values don't allow for a budgeting phase. Decrease `tfinal`/`tinit` "
            "or increase `total_step` (tinit " + std::to_string(config.tinit) + ", tfinal " +
            std::to_string(config.tfinal) + ", total_step " + std::to_string(*config.totalStep) + ").");
    if (config.deltaT < 1)
        throw std::runtime_error("AdaLoraConfig: `deltaT` must be >= 1, got " + std::to_string(config.deltaT));
    if (!(config.beta1 >= 0.0 && config.beta1 <= 1.0) || !(config.beta2 >= 0.0 && config.beta2 <= 1.0))
        throw std::runtime_error("AdaLoraConfig: `beta1` and `beta2` must be in [0, 1]");
    if (config.orthRegWeight < 0.0)
        throw std::runtime_error("AdaLoraConfig: `orth_reg_weight` must be >= 0, got " + std::to_string(config.orthRegWeight));
    if (config.rankPattern)
        for (const auto& [name, mask] : *config.rankPattern)
            if (static_cast<int64_t>(mask.size()) > kMaximumRank)
                throw std::runtime_error("AdaLoraConfig: `rank_pattern` entry '" + name + "' is too long");
}

void validate(const Ia3Config& config) {
    if (config.targetModules.isList() && config.targetModules.names.empty())
        throw std::runtime_error("IA3Config: `target_modules` is an empty list");
    if (config.targetModules.isList() && config.feedforwardModules.isList()) {
        const std::set<std::string> targets(config.targetModules.names.begin(), config.targetModules.names.end());
        for (const auto& name : config.feedforwardModules.names)
            if (!targets.count(name))
                throw std::runtime_error("IA3Config: `feedforward_modules` should be a subset of `target_modules` ('" +
                                         name + "' is not a target)");
    }
}

}  // namespace capsule::peft
