#include "train/training_config.h"

#include "train/loss_scaler.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <variant>

namespace capsule::train {
namespace {

using FieldPointer = std::variant<std::string TrainingConfig::*, int64_t TrainingConfig::*, double TrainingConfig::*,
                                  bool TrainingConfig::*, uint64_t TrainingConfig::*,
                                  std::vector<std::string> TrainingConfig::*>;

struct Field {
    const char* key;
    FieldPointer pointer;
};

// One row per JSON key / CLI flag, in the order `capsule-cli train --help` lists them.
const std::vector<Field>& fields() {
    using C = TrainingConfig;
    static const std::vector<Field> table = {
        {"model", &C::model}, {"data", &C::data}, {"method", &C::method}, {"out", &C::out},
        {"run_name", &C::runName}, {"resume", &C::resume},
        {"format", &C::format}, {"column_mapping", &C::columnMapping}, {"template", &C::templateName}, {"max_length", &C::maxLength},
        {"packing", &C::packing}, {"validation_fraction", &C::validationFraction},
        {"validation_file", &C::validationFile},
        {"max_steps", &C::maxSteps}, {"epochs", &C::epochs}, {"batch_size", &C::batchSize},
        {"gradient_accumulation", &C::gradientAccumulation}, {"lr", &C::lr}, {"weight_decay", &C::weightDecay},
        {"adam_beta1", &C::adamBeta1}, {"adam_beta2", &C::adamBeta2}, {"adam_epsilon", &C::adamEpsilon},
        {"schedule", &C::schedule}, {"warmup_steps", &C::warmupSteps}, {"warmup_ratio", &C::warmupRatio},
        {"max_grad_norm", &C::maxGradNorm}, {"seed", &C::seed}, {"dtype", &C::dtype}, {"device", &C::device},
        {"loss_scale", &C::lossScale},
        {"eval_every", &C::evalEvery}, {"eval_batch_size", &C::evalBatchSize}, {"eval_at_start", &C::evalAtStart},
        {"early_stopping_patience", &C::earlyStoppingPatience}, {"keep_best", &C::keepBest},
        {"checkpoint_every", &C::checkpointEvery}, {"log_every", &C::logEvery},
        {"metrics_jsonl", &C::metricsJsonl}, {"store", &C::store}, {"threads", &C::threads},
        {"r", &C::r}, {"lora_alpha", &C::loraAlpha}, {"lora_dropout", &C::loraDropout},
        {"target_modules", &C::targetModules}, {"use_rslora", &C::useRslora}, {"init_r", &C::initR},
        {"target_r", &C::targetR}, {"tinit", &C::tinit}, {"tfinal", &C::tfinal}, {"delta_t", &C::deltaT},
        {"beta1", &C::beta1}, {"beta2", &C::beta2}, {"orth_reg_weight", &C::orthRegWeight},
        {"feedforward_modules", &C::feedforwardModules}, {"mc_loss", &C::mcLoss},
        {"unlikely_loss", &C::unlikelyLoss}, {"length_norm", &C::lengthNorm},
        {"num_virtual_tokens", &C::numVirtualTokens}, {"prompt_tuning_init", &C::promptTuningInit},
        {"prompt_tuning_init_text", &C::promptTuningInitText}, {"prefix_projection", &C::prefixProjection},
        {"encoder_reparameterization_type", &C::encoderReparameterizationType},
        {"encoder_hidden_size", &C::encoderHiddenSize},
    };
    return table;
}

const Field* findField(const std::string& key) {
    for (const Field& field : fields())
        if (key == field.key) return &field;
    return nullptr;
}

OptionKind kindOf(const FieldPointer& pointer) {
    switch (pointer.index()) {
    case 0: return OptionKind::String;
    case 1: return OptionKind::Integer;
    case 2: return OptionKind::Number;
    case 3: return OptionKind::Boolean;
    case 4: return OptionKind::Integer;
    default: return OptionKind::StringList;
    }
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty()) items.push_back(item);
    }
    return items;
}

}  // namespace

const std::vector<std::string>& methodNames() {
    static const std::vector<std::string> names = {"lora", "adalora", "ia3", "prompt-tuning",
                                                   "prefix-tuning", "p-tuning", "t-few"};
    return names;
}

double defaultLearningRate(const std::string& method) {
    if (method == "lora" || method == "adalora") return 2e-4;
    if (method == "ia3" || method == "t-few") return 3e-3;
    return 3e-2;
}

void TrainingConfig::validate() const {
    auto fail = [](const std::string& what) { throw std::invalid_argument(what); };
    const auto& names = methodNames();
    if (std::find(names.begin(), names.end(), method) == names.end())
        fail("option --method: unknown method '" + method +
             "' (expected lora, adalora, ia3, prompt-tuning, prefix-tuning, p-tuning or t-few)");
    if (resume.empty()) {
        if (model.empty()) fail("option --model is required");
        if (data.empty()) fail("option --data is required");
    }
    if (out.empty() && resume.empty()) fail("option --out is required");
    for (const std::string& entry : columnMapping) {
        const size_t equals = entry.find('=');
        if (equals == std::string::npos || equals == 0 || equals + 1 == entry.size())
            fail("option --column-mapping: entry '" + entry + "' is not field=column (e.g. instruction=question)");
    }
    if (maxSteps < 0) fail("option --max-steps must be >= 0");
    if (maxSteps == 0 && !(epochs > 0)) fail("option --epochs must be > 0 when --max-steps is 0");
    if (batchSize < 1) fail("option --batch-size must be >= 1");
    if (gradientAccumulation < 1) fail("option --gradient-accumulation must be >= 1");
    if (maxLength < 0) fail("option --max-length must be >= 0");
    if (lr < 0 || !std::isfinite(lr)) fail("option --lr must be a finite number >= 0");
    if (weightDecay < 0) fail("option --weight-decay must be >= 0");
    if (schedule != "constant" && schedule != "linear" && schedule != "cosine")
        fail("option --schedule: unknown schedule '" + schedule + "' (expected constant, linear or cosine)");
    if (warmupSteps < 0) fail("option --warmup-steps must be >= 0");
    if (warmupRatio < 0 || warmupRatio >= 1) fail("option --warmup-ratio must be in [0, 1)");
    if (validationFraction < 0 || validationFraction >= 1) fail("option --validation-fraction must be in [0, 1)");
    if (evalEvery < 0 || evalBatchSize < 0 || earlyStoppingPatience < 0 || checkpointEvery < 0)
        fail("options --eval-every, --eval-batch-size, --early-stopping-patience, --checkpoint-every must be >= 0");
    if (logEvery < 1) fail("option --log-every must be >= 1");
    if (r < 1) fail("option --r must be >= 1");
    if (numVirtualTokens < 1) fail("option --num-virtual-tokens must be >= 1");
    if (dtype != "auto" && dtype != "float32" && dtype != "fp32" && dtype != "float" && dtype != "bfloat16" &&
        dtype != "bf16" && dtype != "float16" && dtype != "fp16" && dtype != "half")
        fail("option --dtype: unknown dtype '" + dtype + "' (expected auto, float32, bfloat16 or float16)");
    if (!LossScaler::isValidSetting(lossScale)) fail(LossScaler::invalidSettingMessage(lossScale));
}

nlohmann::json toJson(const TrainingConfig& config) {
    nlohmann::json object = nlohmann::json::object();
    for (const Field& field : fields())
        std::visit([&](auto pointer) { object[field.key] = config.*pointer; }, field.pointer);
    return object;
}

TrainingConfig trainingConfigFromJson(const nlohmann::json& object, const std::string& sourceName) {
    const std::string where = sourceName.empty() ? std::string() : sourceName + ": ";
    if (!object.is_object()) throw std::invalid_argument(where + "a training config must be a JSON object");
    TrainingConfig config;
    for (const auto& item : object.items()) {
        const Field* field = findField(item.key());
        if (!field) throw std::invalid_argument(where + "unknown key '" + item.key() + "'");
        const nlohmann::json& value = item.value();
        const auto wrong = [&](const char* expected) {
            throw std::invalid_argument(where + "key '" + item.key() + "' must be " + expected + ", got " + value.dump());
        };
        std::visit(
            [&](auto pointer) {
                using T = std::decay_t<decltype(config.*pointer)>;
                if constexpr (std::is_same_v<T, std::string>) {
                    if (value.is_null()) config.*pointer = "";
                    else if (!value.is_string()) wrong("a string");
                    else config.*pointer = value.get<std::string>();
                } else if constexpr (std::is_same_v<T, bool>) {
                    if (!value.is_boolean()) wrong("true or false");
                    config.*pointer = value.get<bool>();
                } else if constexpr (std::is_same_v<T, double>) {
                    if (!value.is_number()) wrong("a number");
                    config.*pointer = value.get<double>();
                } else if constexpr (std::is_same_v<T, int64_t>) {
                    if (value.is_null()) config.*pointer = 0;
                    else if (!value.is_number_integer()) wrong("an integer");
                    else config.*pointer = value.get<int64_t>();
                } else if constexpr (std::is_same_v<T, uint64_t>) {
                    if (!value.is_number_integer() || value.get<int64_t>() < 0) wrong("a non-negative integer");
                    config.*pointer = value.get<uint64_t>();
                } else {
                    if (value.is_null()) {
                        (config.*pointer).clear();
                    } else if (value.is_string()) {
                        config.*pointer = splitList(value.get<std::string>());
                    } else if (value.is_array()) {
                        std::vector<std::string> list;
                        for (const auto& entry : value) {
                            if (!entry.is_string()) wrong("a list of strings");
                            list.push_back(entry.get<std::string>());
                        }
                        config.*pointer = list;
                    } else {
                        wrong("a list of strings");
                    }
                }
            },
            field->pointer);
    }
    return config;
}

TrainingConfig loadTrainingConfig(const std::string& path) {
    std::ifstream stream(path, std::ios::binary);
    if (!stream) throw std::runtime_error(path + ": cannot open the training config");
    nlohmann::json object;
    try {
        object = nlohmann::json::parse(stream);
    } catch (const nlohmann::json::exception& error) {
        throw std::runtime_error(path + ": invalid JSON: " + error.what());
    }
    try {
        return trainingConfigFromJson(object, path);
    } catch (const std::invalid_argument& error) {
        throw std::runtime_error(error.what());
    }
}

std::optional<OptionKind> optionKind(const std::string& key) {
    const Field* field = findField(key);
    if (!field) return std::nullopt;
    return kindOf(field->pointer);
}

std::vector<std::string> optionKeys() {
    std::vector<std::string> keys;
    for (const Field& field : fields()) keys.emplace_back(field.key);
    return keys;
}

std::string flagToKey(const std::string& flag) {
    std::string key = flag;
    std::replace(key.begin(), key.end(), '-', '_');
    return key;
}

std::string keyToFlag(const std::string& key) {
    std::string flag = key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    return flag;
}

void setOptionFromText(nlohmann::json& object, const std::string& key, const std::string& text) {
    const std::optional<OptionKind> kind = optionKind(key);
    const std::string flag = "option --" + keyToFlag(key);
    if (!kind) throw std::invalid_argument(flag + ": unknown option");
    switch (*kind) {
    case OptionKind::String: object[key] = text; break;
    case OptionKind::StringList: object[key] = splitList(text); break;
    case OptionKind::Boolean:
        if (text.empty() || text == "true" || text == "1") object[key] = true;
        else if (text == "false" || text == "0") object[key] = false;
        else throw std::invalid_argument(flag + ": expected true or false, got '" + text + "'");
        break;
    case OptionKind::Integer: {
        size_t used = 0;
        long long value = 0;
        try {
            value = std::stoll(text, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != text.size()) throw std::invalid_argument(flag + ": expected an integer, got '" + text + "'");
        object[key] = static_cast<int64_t>(value);
        break;
    }
    case OptionKind::Number: {
        size_t used = 0;
        double value = 0;
        try {
            value = std::stod(text, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != text.size() || !std::isfinite(value))
            throw std::invalid_argument(flag + ": expected a number, got '" + text + "'");
        object[key] = value;
        break;
    }
    }
}

}  // namespace capsule::train
