#pragma once
// The architecture description of a causal language model, parsed from a Hugging Face
// `config.json` (hf-formats.md §1.2, §3.1, §4.1, §4.5). Plain data, no LibTorch: the GUI and the
// run store can include it.
//
// Families and model_type values: "gpt2" (GPT2LMHeadModel) and the Llama family "llama" (Llama 2/3,
// TinyLlama, SmolLM), "qwen2" (Qwen2/2.5), "mistral". Every field is normalised on parse, so model
// code never needs family-specific defaults: GPT-2's n_embd/n_head/n_inner land in hiddenSize /
// numAttentionHeads / intermediateSize, numKeyValueHeads is filled in, headDim is always set.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace capsule::model {

/// RoPE frequency scaling (`rope_scaling` / `rope_parameters`, key `type` or `rope_type`).
struct RopeScaling {
    /// "default" (none), "linear", "dynamic", "yarn" or "llama3".
    std::string type = "default";
    double factor = 1.0;
    /// The pre-training context length the scaling extends; absent unless the config gives it.
    std::optional<int64_t> originalMaxPositionEmbeddings;
    // llama3
    double lowFrequencyFactor = 1.0;
    double highFrequencyFactor = 4.0;
    // yarn
    std::optional<double> attentionFactor;  // default 0.1·ln(factor) + 1
    double betaFast = 32.0;
    double betaSlow = 1.0;
    std::optional<double> mscale;
    std::optional<double> mscaleAllDim;
};

struct ModelConfig {
    std::string modelType;                   // "gpt2", "llama", "qwen2", "mistral"
    std::vector<std::string> architectures;  // e.g. {"LlamaForCausalLM"}; may be empty
    std::string sourcePath;                  // the config.json this came from (for messages)

    int64_t vocabSize = 0;
    int64_t hiddenSize = 0;
    int64_t intermediateSize = 0;  // MLP width (GPT-2: n_inner, default 4·hidden)
    int64_t numHiddenLayers = 0;
    int64_t numAttentionHeads = 0;
    int64_t numKeyValueHeads = 0;  // = numAttentionHeads without GQA (always for GPT-2)
    int64_t headDim = 0;           // config head_dim, else hidden / heads
    int64_t maxPositionEmbeddings = 0;

    std::string hiddenActivation;  // "gelu_new" (GPT-2), "silu" (Llama family), ...
    double normEpsilon = 1e-5;     // GPT-2 layer_norm_epsilon or rms_norm_eps

    // RoPE (Llama family only)
    double ropeTheta = 10000.0;
    RopeScaling ropeScaling;

    bool tieWordEmbeddings = false;
    /// True when config.json states tie_word_embeddings itself (not a family default).
    bool tieWordEmbeddingsExplicit = false;

    bool queryKeyValueBias = false;  // Llama attention_bias, always true for Qwen2
    bool outputProjectionBias = false;  // Llama attention_bias (o_proj)
    bool mlpBias = false;               // Llama mlp_bias

    // GPT-2 attention options
    bool scaleAttentionWeights = true;
    bool scaleAttentionByInverseLayerIndex = false;

    // Dropout probabilities, used only in training mode.
    double residualDropout = 0.0;   // GPT-2 resid_pdrop
    double embeddingDropout = 0.0;  // GPT-2 embd_pdrop
    double attentionDropout = 0.0;  // GPT-2 attn_pdrop, Llama attention_dropout
    double initializerRange = 0.02;

    /// The dtype the weights were saved in according to `dtype` / `torch_dtype` ("float32",
    /// "bfloat16", "float16"); empty when absent. Informational: the checkpoint header rules.
    std::string storedDtype;

    std::optional<int64_t> bosTokenId;
    std::optional<int64_t> padTokenId;
    std::vector<int64_t> eosTokenIds;  // eos_token_id as a list (it may be an int or a list)

    /// Sliding-window attention: a key is visible to a query when query − key < slidingWindow
    /// (cache positions). Absent when no layer uses it.
    std::optional<int64_t> slidingWindow;
    /// Per layer: whether that layer applies slidingWindow (size numHiddenLayers).
    std::vector<bool> layerUsesSlidingWindow;

    bool isGpt2() const { return modelType == "gpt2"; }
};

/// Parses config.json text. `sourceName` names the file in error messages. Throws
/// std::runtime_error "<sourceName>: ..." for invalid JSON, a field of the wrong type or range,
/// inconsistent dimensions, and an unsupported model_type (the message lists the supported ones,
/// capsule::io::supportedModelTypes()).
ModelConfig parseModelConfig(const std::string& jsonText, const std::string& sourceName);

/// Reads `folder/config.json` (or the file itself when `folderOrFile` names a .json file).
ModelConfig loadModelConfig(const std::string& folderOrFile);

}  // namespace capsule::model
