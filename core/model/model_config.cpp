#include "model/model_config.h"

#include "io/model_discovery.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace capsule::model {
namespace {

using nlohmann::json;

// Upper bounds that no real checkpoint reaches; they keep a hostile config.json from asking for
// absurd allocations before the checkpoint's own shapes are checked.
constexpr int64_t kMaxVocabSize = int64_t{1} << 24;
constexpr int64_t kMaxWidth = int64_t{1} << 20;
constexpr int64_t kMaxLayers = 4096;
constexpr int64_t kMaxHeads = 4096;
constexpr int64_t kMaxPositions = int64_t{1} << 28;

/// Reads typed fields out of one JSON object and names the file and field on every error.
class FieldReader {
public:
    FieldReader(const json& object, std::string sourceName, std::string prefix = "")
        : object_(object), sourceName_(std::move(sourceName)), prefix_(std::move(prefix)) {}

    bool has(const char* key) const {
        const auto found = object_.find(key);
        return found != object_.end() && !found->is_null();
    }

    [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
        throw std::runtime_error(sourceName_ + ": field '" + prefix_ + key + "' " + problem);
    }

    std::optional<int64_t> optionalInteger(const char* key) const {
        if (!has(key)) return std::nullopt;
        const json& value = object_.at(key);
        if (value.is_number_integer()) return value.get<int64_t>();
        if (value.is_number_float()) {
            const double number = value.get<double>();
            if (std::isfinite(number) && number == std::floor(number) && std::fabs(number) < 9e15)
                return static_cast<int64_t>(number);
        }
        fail(key, "must be an integer, got " + value.dump());
    }

    int64_t integer(const char* key, int64_t fallback) const {
        return optionalInteger(key).value_or(fallback);
    }

    /// First present key of `keys` (aliases such as n_embd / hidden_size).
    std::optional<int64_t> optionalIntegerOf(std::initializer_list<const char*> keys) const {
        for (const char* key : keys)
            if (has(key)) return optionalInteger(key);
        return std::nullopt;
    }

    std::optional<double> optionalNumber(const char* key) const {
        if (!has(key)) return std::nullopt;
        const json& value = object_.at(key);
        if (!value.is_number()) fail(key, "must be a number, got " + value.dump());
        const double number = value.get<double>();
        if (!std::isfinite(number)) fail(key, "must be finite");
        return number;
    }

    double number(const char* key, double fallback) const { return optionalNumber(key).value_or(fallback); }

    bool boolean(const char* key, bool fallback) const {
        if (!has(key)) return fallback;
        const json& value = object_.at(key);
        if (!value.is_boolean()) fail(key, "must be true or false, got " + value.dump());
        return value.get<bool>();
    }

    std::optional<std::string> optionalString(const char* key) const {
        if (!has(key)) return std::nullopt;
        const json& value = object_.at(key);
        if (!value.is_string()) fail(key, "must be a string, got " + value.dump());
        return value.get<std::string>();
    }

    /// An int, a list of ints, or null/absent (empty list).
    std::vector<int64_t> integerList(const char* key) const {
        std::vector<int64_t> values;
        if (!has(key)) return values;
        const json& value = object_.at(key);
        auto toInteger = [&](const json& item) -> int64_t {
            if (!item.is_number_integer()) fail(key, "must be an integer or a list of integers, got " + value.dump());
            return item.get<int64_t>();
        };
        if (value.is_array()) {
            for (const json& item : value) values.push_back(toInteger(item));
        } else {
            values.push_back(toInteger(value));
        }
        return values;
    }

    const json& object() const { return object_; }

private:
    const json& object_;
    std::string sourceName_;
    std::string prefix_;
};

void requireRange(const FieldReader& reader, const char* key, int64_t value, int64_t minimum, int64_t maximum) {
    if (value < minimum || value > maximum)
        reader.fail(key, "must be in [" + std::to_string(minimum) + ", " + std::to_string(maximum) + "], got " +
                             std::to_string(value));
}

void requireProbability(const FieldReader& reader, const char* key, double value) {
    if (value < 0.0 || value >= 1.0) reader.fail(key, "must be in [0, 1), got " + std::to_string(value));
}

const std::vector<std::string>& supportedActivations() {
    static const std::vector<std::string> names = {"gelu_new", "gelu_pytorch_tanh", "gelu", "gelu_fast",
                                                   "quick_gelu", "relu", "silu", "swish", "tanh"};
    return names;
}

std::string normaliseDtypeName(std::string name) {
    if (name.rfind("torch.", 0) == 0) name = name.substr(6);
    if (name == "float" || name == "fp32") return "float32";
    if (name == "half" || name == "fp16") return "float16";
    if (name == "bf16") return "bfloat16";
    return name;
}

/// Parses one rope scaling object (`rope_scaling` or `rope_parameters`).
RopeScaling parseRopeScaling(const json& object, const std::string& sourceName, const std::string& fieldName) {
    const FieldReader reader(object, sourceName, fieldName + ".");
    RopeScaling scaling;
    std::optional<std::string> type = reader.optionalString("rope_type");
    if (!type) type = reader.optionalString("type");
    scaling.type = type.value_or("default");
    if (scaling.type == "linear" || scaling.type == "dynamic" || scaling.type == "yarn" || scaling.type == "llama3") {
        const std::optional<double> factor = reader.optionalNumber("factor");
        if (!factor) reader.fail("factor", "is required for rope type '" + scaling.type + "'");
        if (*factor < 1.0 && scaling.type != "linear") reader.fail("factor", "must be >= 1");
        if (*factor <= 0.0) reader.fail("factor", "must be > 0");
        scaling.factor = *factor;
    } else if (scaling.type != "default") {
        throw std::runtime_error(sourceName + ": " + fieldName + " type '" + scaling.type +
                                 "' is not supported (supported: default, linear, dynamic, yarn, llama3)");
    }
    if (const auto original = reader.optionalInteger("original_max_position_embeddings")) {
        requireRange(reader, "original_max_position_embeddings", *original, 1, kMaxPositions);
        scaling.originalMaxPositionEmbeddings = *original;
    }
    if (scaling.type == "llama3") {
        scaling.lowFrequencyFactor = reader.number("low_freq_factor", 1.0);
        scaling.highFrequencyFactor = reader.number("high_freq_factor", 4.0);
        if (!scaling.originalMaxPositionEmbeddings)
            reader.fail("original_max_position_embeddings", "is required for rope type 'llama3'");
        if (!(scaling.highFrequencyFactor > scaling.lowFrequencyFactor) || scaling.lowFrequencyFactor <= 0.0)
            reader.fail("high_freq_factor", "must be greater than low_freq_factor (> 0)");
    }
    if (scaling.type == "yarn") {
        scaling.attentionFactor = reader.optionalNumber("attention_factor");
        // transformers: `beta_fast or 32` — a 0 or null falls back to the default too.
        if (const auto beta = reader.optionalNumber("beta_fast"); beta && *beta != 0.0) scaling.betaFast = *beta;
        if (const auto beta = reader.optionalNumber("beta_slow"); beta && *beta != 0.0) scaling.betaSlow = *beta;
        if (scaling.betaFast <= 0.0 || scaling.betaSlow <= 0.0) reader.fail("beta_fast", "and beta_slow must be > 0");
        scaling.mscale = reader.optionalNumber("mscale");
        scaling.mscaleAllDim = reader.optionalNumber("mscale_all_dim");
    }
    return scaling;
}

void parseGpt2(const FieldReader& reader, ModelConfig& config) {
    config.vocabSize = reader.integer("vocab_size", 50257);
    config.maxPositionEmbeddings = reader.optionalIntegerOf({"n_positions", "max_position_embeddings"}).value_or(1024);
    config.hiddenSize = reader.optionalIntegerOf({"n_embd", "hidden_size"}).value_or(768);
    config.numHiddenLayers = reader.optionalIntegerOf({"n_layer", "num_hidden_layers"}).value_or(12);
    config.numAttentionHeads = reader.optionalIntegerOf({"n_head", "num_attention_heads"}).value_or(12);
    config.numKeyValueHeads = config.numAttentionHeads;
    requireRange(reader, "n_embd", config.hiddenSize, 1, kMaxWidth);
    requireRange(reader, "n_head", config.numAttentionHeads, 1, kMaxHeads);
    if (config.hiddenSize % config.numAttentionHeads != 0)
        reader.fail("n_embd", "(" + std::to_string(config.hiddenSize) + ") must be divisible by n_head (" +
                                  std::to_string(config.numAttentionHeads) + ")");
    config.headDim = config.hiddenSize / config.numAttentionHeads;
    config.intermediateSize = reader.integer("n_inner", 4 * config.hiddenSize);
    config.hiddenActivation = reader.optionalString("activation_function").value_or("gelu_new");
    config.normEpsilon = reader.number("layer_norm_epsilon", 1e-5);
    config.scaleAttentionWeights = reader.boolean("scale_attn_weights", true);
    config.scaleAttentionByInverseLayerIndex = reader.boolean("scale_attn_by_inverse_layer_idx", false);
    config.residualDropout = reader.number("resid_pdrop", 0.1);
    config.embeddingDropout = reader.number("embd_pdrop", 0.1);
    config.attentionDropout = reader.number("attn_pdrop", 0.1);
    config.bosTokenId = reader.integer("bos_token_id", 50256);
    config.eosTokenIds = reader.has("eos_token_id") ? reader.integerList("eos_token_id") : std::vector<int64_t>{50256};
    // GPT2Config does not override PretrainedConfig's default: tied.
    config.tieWordEmbeddings = reader.boolean("tie_word_embeddings", true);
    if (reader.boolean("add_cross_attention", false))
        reader.fail("add_cross_attention", "is not supported (decoder-only GPT-2 only)");
}

void parseLlamaFamily(const FieldReader& reader, ModelConfig& config) {
    const bool isQwen2 = config.modelType == "qwen2";
    const bool isMistral = config.modelType == "mistral";
    config.vocabSize = reader.integer("vocab_size", isQwen2 ? 151936 : 32000);
    config.hiddenSize = reader.integer("hidden_size", 4096);
    config.intermediateSize = reader.integer("intermediate_size", isQwen2 ? 22016 : (isMistral ? 14336 : 11008));
    config.numHiddenLayers = reader.integer("num_hidden_layers", 32);
    config.numAttentionHeads = reader.integer("num_attention_heads", 32);
    config.numKeyValueHeads =
        reader.integer("num_key_value_heads", isMistral ? 8 : config.numAttentionHeads);
    requireRange(reader, "hidden_size", config.hiddenSize, 1, kMaxWidth);
    requireRange(reader, "num_attention_heads", config.numAttentionHeads, 1, kMaxHeads);
    requireRange(reader, "num_key_value_heads", config.numKeyValueHeads, 1, config.numAttentionHeads);
    if (config.numAttentionHeads % config.numKeyValueHeads != 0)
        reader.fail("num_attention_heads", "(" + std::to_string(config.numAttentionHeads) +
                                               ") must be divisible by num_key_value_heads (" +
                                               std::to_string(config.numKeyValueHeads) + ")");
    if (reader.has("head_dim")) {
        config.headDim = reader.integer("head_dim", 0);
    } else {
        if (config.hiddenSize % config.numAttentionHeads != 0)
            reader.fail("hidden_size", "(" + std::to_string(config.hiddenSize) +
                                           ") must be divisible by num_attention_heads when head_dim is absent");
        config.headDim = config.hiddenSize / config.numAttentionHeads;
    }
    requireRange(reader, "head_dim", config.headDim, 2, kMaxWidth);
    if (config.headDim % 2 != 0) reader.fail("head_dim", "must be even for rotary embeddings");
    config.maxPositionEmbeddings =
        reader.integer("max_position_embeddings", isQwen2 ? 32768 : (isMistral ? 131072 : 2048));
    config.hiddenActivation = reader.optionalString("hidden_act").value_or("silu");
    config.normEpsilon = reader.number("rms_norm_eps", 1e-6);
    config.attentionDropout = reader.number("attention_dropout", 0.0);
    config.initializerRange = reader.number("initializer_range", 0.02);
    if (isQwen2) {
        config.queryKeyValueBias = true;  // hard-coded in Qwen2Attention; o_proj has none
    } else if (config.modelType == "llama") {
        config.queryKeyValueBias = reader.boolean("attention_bias", false);
        config.outputProjectionBias = config.queryKeyValueBias;
        config.mlpBias = reader.boolean("mlp_bias", false);
    }
    config.tieWordEmbeddings = reader.boolean("tie_word_embeddings", false);
    if (reader.has("bos_token_id")) config.bosTokenId = reader.integer("bos_token_id", 0);
    else if (!isQwen2) config.bosTokenId = 1;
    config.eosTokenIds = reader.has("eos_token_id") ? reader.integerList("eos_token_id")
                                                    : (isQwen2 ? std::vector<int64_t>{} : std::vector<int64_t>{2});

    // RoPE: old layout (rope_theta + rope_scaling) or transformers v5 (rope_parameters).
    config.ropeTheta = reader.number("rope_theta", 10000.0);
    const json& object = reader.object();
    if (reader.has("rope_scaling")) {
        const json& scaling = object.at("rope_scaling");
        if (!scaling.is_object()) reader.fail("rope_scaling", "must be an object or null");
        config.ropeScaling = parseRopeScaling(scaling, config.sourcePath, "rope_scaling");
    }
    // rope_parameters (v5) carries the same information and wins when both are present.
    if (reader.has("rope_parameters")) {
        const json* parameters = &object.at("rope_parameters");
        if (!parameters->is_object()) reader.fail("rope_parameters", "must be an object");
        // Per-layer-type nesting ({"full_attention": {...}, "sliding_attention": {...}}): these
        // families use one RoPE for every layer, so the full-attention entry is taken.
        if (!parameters->contains("rope_theta") && !parameters->contains("rope_type") &&
            !parameters->contains("type")) {
            if (parameters->contains("full_attention") && parameters->at("full_attention").is_object())
                parameters = &parameters->at("full_attention");
            else if (!parameters->empty() && parameters->begin()->is_object())
                parameters = &*parameters->begin();
        }
        const FieldReader ropeReader(*parameters, config.sourcePath, "rope_parameters.");
        config.ropeTheta = ropeReader.number("rope_theta", config.ropeTheta);
        config.ropeScaling = parseRopeScaling(*parameters, config.sourcePath, "rope_parameters");
    }
    if (!(config.ropeTheta > 1.0)) reader.fail("rope_theta", "must be > 1");

    // Sliding windows. Mistral: every layer when sliding_window is set. Qwen2: only with
    // use_sliding_window, and only layers i >= max_window_layers (or as layer_types says).
    const std::optional<int64_t> window = reader.optionalInteger("sliding_window");
    config.layerUsesSlidingWindow.assign(static_cast<size_t>(std::max<int64_t>(config.numHiddenLayers, 0)), false);
    bool anySliding = false;
    if (window && (isMistral || isQwen2)) {
        requireRange(reader, "sliding_window", *window, 1, kMaxPositions);
        if (isMistral) {
            std::fill(config.layerUsesSlidingWindow.begin(), config.layerUsesSlidingWindow.end(), true);
            anySliding = true;
        } else if (reader.boolean("use_sliding_window", false)) {
            if (reader.has("layer_types")) {
                const json& types = object.at("layer_types");
                if (!types.is_array() || static_cast<int64_t>(types.size()) != config.numHiddenLayers)
                    reader.fail("layer_types", "must be a list with one entry per layer");
                for (size_t i = 0; i < types.size(); ++i) {
                    if (!types[i].is_string()) reader.fail("layer_types", "entries must be strings");
                    const std::string type = types[i].get<std::string>();
                    if (type != "full_attention" && type != "sliding_attention")
                        reader.fail("layer_types", "entry '" + type + "' is not supported");
                    config.layerUsesSlidingWindow[i] = type == "sliding_attention";
                }
            } else {
                const int64_t firstSlidingLayer = reader.integer("max_window_layers", 28);
                for (int64_t i = 0; i < config.numHiddenLayers; ++i)
                    config.layerUsesSlidingWindow[static_cast<size_t>(i)] = i >= firstSlidingLayer;
            }
            for (bool sliding : config.layerUsesSlidingWindow) anySliding = anySliding || sliding;
        }
    }
    if (anySliding) config.slidingWindow = window;
}

}  // namespace

ModelConfig parseModelConfig(const std::string& jsonText, const std::string& sourceName) {
    json root;
    try {
        root = json::parse(jsonText);
    } catch (const json::parse_error& error) {
        throw std::runtime_error(sourceName + ": invalid JSON: " + error.what());
    }
    if (!root.is_object()) throw std::runtime_error(sourceName + ": expected a JSON object");
    const FieldReader reader(root, sourceName);

    ModelConfig config;
    config.sourcePath = sourceName;
    const std::optional<std::string> modelType = reader.optionalString("model_type");
    if (!modelType)
        throw std::runtime_error(sourceName + ": no 'model_type' field (supported: " +
                                 io::supportedModelTypesText() + ")");
    config.modelType = *modelType;
    if (!io::isSupportedModelType(config.modelType))
        throw std::runtime_error(sourceName + ": unsupported model_type '" + config.modelType +
                                 "' (supported: " + io::supportedModelTypesText() + ")");
    if (reader.has("architectures")) {
        const json& list = root.at("architectures");
        if (!list.is_array()) reader.fail("architectures", "must be a list of strings");
        for (const json& item : list) {
            if (!item.is_string()) reader.fail("architectures", "must be a list of strings");
            config.architectures.push_back(item.get<std::string>());
        }
    }

    if (config.isGpt2()) parseGpt2(reader, config);
    else parseLlamaFamily(reader, config);

    config.tieWordEmbeddingsExplicit = reader.has("tie_word_embeddings");
    config.initializerRange = reader.number("initializer_range", 0.02);
    if (auto dtype = reader.optionalString("dtype")) config.storedDtype = normaliseDtypeName(*dtype);
    else if (auto torchDtype = reader.optionalString("torch_dtype")) config.storedDtype = normaliseDtypeName(*torchDtype);
    if (reader.has("pad_token_id")) config.padTokenId = reader.optionalInteger("pad_token_id");

    requireRange(reader, "vocab_size", config.vocabSize, 1, kMaxVocabSize);
    requireRange(reader, "num_hidden_layers", config.numHiddenLayers, 1, kMaxLayers);
    requireRange(reader, "intermediate_size", config.intermediateSize, 1, kMaxWidth);
    requireRange(reader, "max_position_embeddings", config.maxPositionEmbeddings, 1, kMaxPositions);
    if (config.numAttentionHeads * config.headDim > kMaxWidth)
        reader.fail("num_attention_heads", "times head_dim exceeds " + std::to_string(kMaxWidth));
    if (!(config.normEpsilon > 0.0) || config.normEpsilon > 1.0)
        reader.fail(config.isGpt2() ? "layer_norm_epsilon" : "rms_norm_eps", "must be in (0, 1]");
    requireProbability(reader, "dropout", config.residualDropout);
    requireProbability(reader, "dropout", config.embeddingDropout);
    requireProbability(reader, "attention dropout", config.attentionDropout);
    const auto& activations = supportedActivations();
    if (std::find(activations.begin(), activations.end(), config.hiddenActivation) == activations.end()) {
        std::string list;
        for (const auto& name : activations) list += (list.empty() ? "" : ", ") + name;
        reader.fail(config.isGpt2() ? "activation_function" : "hidden_act",
                    "names an unsupported activation '" + config.hiddenActivation + "' (supported: " + list + ")");
    }
    if (config.layerUsesSlidingWindow.empty())
        config.layerUsesSlidingWindow.assign(static_cast<size_t>(config.numHiddenLayers), false);
    return config;
}

ModelConfig loadModelConfig(const std::string& folderOrFile) {
    std::string path = folderOrFile;
    if (path.size() < 5 || path.compare(path.size() - 5, 5, ".json") != 0) path += "/config.json";
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(path + ": cannot open the model's config.json");
    std::ostringstream text;
    text << file.rdbuf();
    if (file.bad()) throw std::runtime_error(path + ": read error");
    return parseModelConfig(text.str(), path);
}

}  // namespace capsule::model
