#pragma once
// Test support for the model tests: tiny random checkpoints in Hugging Face layout and an
// independent float64 reference forward written from hf-formats.md §3.3 / §4.3–4.5 (plain loops
// and elementary tensor ops; it never calls the model code under test).
#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace capsule::test {

/// A tiny architecture, described the way config.json would (family-specific key names are
/// produced by configJson()).
struct TinyConfig {
    std::string modelType = "llama";  // "gpt2", "llama", "qwen2", "mistral"
    int64_t vocab = 37;
    int64_t hidden = 16;
    int64_t layers = 2;
    int64_t heads = 4;
    int64_t kvHeads = 4;
    int64_t headDim = 4;  // written as head_dim only when != hidden / heads
    int64_t intermediate = 24;
    int64_t maxPositions = 64;
    double epsilon = 1e-5;
    std::string activation;  // "" = family default (gelu_new / silu)
    bool tied = false;
    bool attentionBias = false;  // llama attention_bias
    bool mlpBias = false;        // llama mlp_bias
    // RoPE
    double ropeTheta = 10000.0;
    std::string ropeType = "default";  // "linear", "dynamic", "yarn", "llama3"
    double ropeFactor = 1.0;
    std::optional<int64_t> originalMaxPositions;
    double lowFrequencyFactor = 1.0;
    double highFrequencyFactor = 4.0;
    bool ropeParametersV5 = false;  // write rope_parameters instead of rope_theta/rope_scaling
    // sliding window (mistral: all layers; qwen2: layers >= maxWindowLayers)
    std::optional<int64_t> slidingWindow;
    int64_t maxWindowLayers = 0;

    bool isGpt2() const { return modelType == "gpt2"; }
    bool hasQkvBias() const { return modelType == "qwen2" || attentionBias; }
    bool hasOutputBias() const { return modelType == "llama" && attentionBias; }
    bool layerSlides(int64_t layer) const;
};

/// The tiny architecture of the shared configs below (the tests' expectations depend on these exact
/// values): family `type`, 2 layers of hidden 16, 4 query heads of 4 with 4 KV heads for GPT-2 and 2
/// otherwise (GQA), intermediate 24, the head tied for GPT-2 only.
TinyConfig tinyConfig(const std::string& type, int64_t vocab, int64_t maxPositions);
/// GPT-2: vocab 41, 32 positions.
TinyConfig tinyGpt2();
/// Llama with grouped-query attention (2 query heads per KV head): vocab 43, 64 positions.
TinyConfig tinyLlama();
/// tinyLlama() as Qwen2: q/k/v biases, tied head, rope_theta 1e6.
TinyConfig tinyQwen2();
/// The generation tests' models of family `type` ("gpt2", "llama", "qwen2", ...): vocab 29.
TinyConfig tinyGenerationConfig(const std::string& type, int64_t maxPositions = 48);

/// config.json text for `config`.
std::string configJson(const TinyConfig& config);

/// Random float64 weights with their checkpoint names (GPT-2 without prefix, Llama with `model.`),
/// Conv1D weights [in, out]; no lm_head.weight when tied. Values ~ N(0, scale²), norm weights
/// around 1.
std::map<std::string, torch::Tensor> randomWeights(const TinyConfig& config, uint64_t seed, double scale = 0.3);

/// Writes config.json and the weights (converted to `dtype`) into `folder`: one model.safetensors,
/// or shards with an index when maxShardBytes > 0. `extra` tensors are added as is (buffers).
/// Returns the weights as stored, back in float64 (bf16 rounding included) for the reference.
std::map<std::string, torch::Tensor> writeCheckpoint(const std::string& folder, const TinyConfig& config,
                                                     const std::map<std::string, torch::Tensor>& weights,
                                                     torch::ScalarType dtype = torch::kFloat,
                                                     int64_t maxShardBytes = 0,
                                                     const std::map<std::string, torch::Tensor>& extra = {});

/// writeCheckpoint() in bfloat16, split into exactly two shards with an index: the shard limit is
/// the smallest multiple of 64 bytes that splits the tensors (name order, greedy) into two.
std::map<std::string, torch::Tensor> writeTwoBf16Shards(const std::string& folder, const TinyConfig& config,
                                                        const std::map<std::string, torch::Tensor>& weights);

/// Reference logits [T, V] (float64) for one unpadded sequence, from the formulas alone.
torch::Tensor referenceLogits(const TinyConfig& config, const std::map<std::string, torch::Tensor>& weights,
                              const std::vector<int64_t>& ids);

/// Reference RoPE inverse frequencies [D/2] (float64) for a sequence of `sequenceLength`.
torch::Tensor referenceInverseFrequencies(const TinyConfig& config, int64_t sequenceLength);
/// The yarn attention factor (1 for other types).
double referenceAttentionFactor(const TinyConfig& config);

/// `sequences` as one batch: ids [B, width] padded with `padId` on the left or on the right, and the
/// attention mask (1 on the tokens).
struct PaddedBatch {
    torch::Tensor ids, mask;
    std::vector<int64_t> starts, lengths;  // where each row's tokens stand
    /// Row `b` of a batched output [B, width, ...] at sequence b's tokens.
    torch::Tensor tokensOf(const torch::Tensor& batched, int64_t b) const {
        return batched[b].slice(0, starts[size_t(b)], starts[size_t(b)] + lengths[size_t(b)]);
    }
};
PaddedBatch padBatch(const std::vector<std::vector<int64_t>>& sequences, int64_t width, bool leftPadding,
                     int64_t padId = 0);

/// max |a − b| as a double.
double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b);

/// A deterministic pseudo-random id sequence in [0, vocab).
std::vector<int64_t> randomIds(int64_t length, int64_t vocab, uint64_t seed);

}  // namespace capsule::test
