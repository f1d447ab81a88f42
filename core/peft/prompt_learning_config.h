#pragma once
// Configurations of the prompt-learning PEFT methods (peft-spec.md §6.1, §7, §8.1, §9) as plain
// structs with PEFT's field names and defaults, and their `adapter_config.json` form (§1.2).
//
//   PROMPT_TUNING  PromptTuningConfig   soft tokens prepended to the input embeddings
//   P_TUNING       PromptEncoderConfig  soft tokens produced by an MLP / LSTM prompt encoder
//   PREFIX_TUNING  PrefixTuningConfig   per-layer key/value prefixes fed through the KV cache
//
// Writing follows Python's `json.dumps(asdict(config), indent=2, sort_keys=True)` like
// peft_config.h: sorted keys, 2-space indent, no trailing newline, inference_mode forced to true.
// Key sets: the compatibility profile writes the long-standing keys only (PEFT >= 0.10 loads it);
// `modules_to_save` (v0.17) and prefix tuning's `init_weights` (v0.19) are written there only when
// set. The full profile writes every key PEFT 0.20 writes, plus `peft_version`.
//
// Reading accepts every key PEFT writes for these methods, applies PEFT's defaults for missing
// keys and reports unknown keys. The dimension fields (token_dim, num_layers,
// num_attention_heads, num_transformer_submodules, encoder_hidden_size) may be null: apply()
// fills them from the model as PEFT's _prepare_prompt_learning_config does
// (resolvePromptLearningDimensions). No LibTorch here.
#include "model/model_config.h"
#include "peft/peft_config.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace capsule::peft {

/// PromptLearningConfig fields shared by the three methods (§6.1).
struct PromptLearningConfig : PeftConfigBase {
    int64_t numVirtualTokens = 0;  // required, > 0
    std::optional<int64_t> tokenDim;                  // null -> hidden size (prefix: KV width, §6.1)
    std::optional<int64_t> numTransformerSubmodules;  // null -> 2 for SEQ_2_SEQ_LM, else 1
    std::optional<int64_t> numAttentionHeads;         // null -> the model's (prefix: KV heads)
    std::optional<int64_t> numLayers;                 // null -> the model's
    /// Not supported for prompt learning in Capsule: must stay null.
    std::optional<std::vector<std::string>> modulesToSave;
};

/// PromptTuningConfig (peft_type "PROMPT_TUNING", §7).
struct PromptTuningConfig : PromptLearningConfig {
    /// "RANDOM" (N(0, 1)), "SAMPLE_VOCAB" (rows of the word embedding at uniformly drawn token ids)
    /// or "TEXT" (rows of the word embedding at the init text's token ids, repeated cyclically).
    std::string promptTuningInit = "RANDOM";
    std::optional<std::string> promptTuningInitText;  // required for TEXT (written to the file)
    /// Required for TEXT; apply() fills it with base_model_name_or_path when unset (the model folder
    /// holds the tokenizer), because PEFT refuses a TEXT config without it.
    std::optional<std::string> tokenizerNameOrPath;
    std::optional<std::string> tokenizerKwargsJson;  // raw JSON object text; only allowed with TEXT

    /// Not part of the file. TEXT init is tokenizer-free here: the caller tokenizes
    /// promptTuningInitText with the model's tokenizer exactly as PEFT would (default special
    /// tokens: Llama adds BOS, GPT-2 adds none) and passes the ids. Required for a fresh TEXT
    /// adapter; ignored when loading.
    std::vector<int64_t> initTextTokenIds;
};

/// PromptEncoderConfig (peft_type "P_TUNING", §9).
struct PromptEncoderConfig : PromptLearningConfig {
    std::string encoderReparameterizationType = "MLP";  // "MLP" or "LSTM"
    std::optional<int64_t> encoderHiddenSize;           // null -> token_dim
    int64_t encoderNumLayers = 2;  // LSTM layers; the MLP always has three linears (PEFT warns)
    double encoderDropout = 0.0;   // LSTM inter-layer dropout, training mode only
};

/// PrefixTuningConfig (peft_type "PREFIX_TUNING", §8.1).
struct PrefixTuningConfig : PromptLearningConfig {
    std::optional<int64_t> encoderHiddenSize;  // null -> token_dim (after the GQA rewrite)
    bool prefixProjection = false;             // Embedding -> Linear -> Tanh -> Linear while training
    /// null: random init; "zero": zero the last projection layer (or the table without projection).
    std::optional<std::string> initWeights;
};

/// Parsing: `sourceName` names the file in errors; unknown keys are appended to `ignoredKeys` when
/// given. Throws std::runtime_error "<sourceName>: field '<key>' ..." for a wrong type or value.
PromptTuningConfig parsePromptTuningConfig(const std::string& jsonText, const std::string& sourceName,
                                           std::vector<std::string>* ignoredKeys = nullptr);
PromptEncoderConfig parsePromptEncoderConfig(const std::string& jsonText, const std::string& sourceName,
                                             std::vector<std::string>* ignoredKeys = nullptr);
PrefixTuningConfig parsePrefixTuningConfig(const std::string& jsonText, const std::string& sourceName,
                                           std::vector<std::string>* ignoredKeys = nullptr);

/// adapter_config.json text (unresolved dimension fields are written as null).
std::string toAdapterConfigJson(const PromptTuningConfig& config, ConfigProfile profile = ConfigProfile::Compatible);
std::string toAdapterConfigJson(const PromptEncoderConfig& config, ConfigProfile profile = ConfigProfile::Compatible);
std::string toAdapterConfigJson(const PrefixTuningConfig& config, ConfigProfile profile = ConfigProfile::Compatible);

/// PEFT's __post_init__ checks plus Capsule's limits (decoder-only models: task_type CAUSAL_LM or
/// null, one transformer submodule, no modules_to_save). Throw std::runtime_error naming the field.
void validate(const PromptTuningConfig& config);
void validate(const PromptEncoderConfig& config);
void validate(const PrefixTuningConfig& config);

/// PEFT's _prepare_prompt_learning_config for a Capsule model: fills null num_layers, token_dim,
/// num_attention_heads and num_transformer_submodules from `model`; for prefix tuning
/// (`groupedQueryRewrite`) on a model whose config has num_key_value_heads (every family but
/// GPT-2) rewrites token_dim = head_dim · num_key_value_heads and num_attention_heads =
/// num_key_value_heads (§6.1); then `encoderHiddenSize` (when given and null) becomes token_dim.
void resolvePromptLearningDimensions(PromptLearningConfig& config, const model::ModelConfig& model,
                                     bool groupedQueryRewrite, std::optional<int64_t>* encoderHiddenSize = nullptr);

}  // namespace capsule::peft
