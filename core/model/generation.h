#pragma once
// Autoregressive text generation on token ids: the prompt runs once (prefill) into a KV cache,
// then one token per step. Greedy (temperature 0) or sampling with temperature, top-k and top-p
// (applied in that order, as transformers' logits warpers do) from the generation's own seeded
// CPU generator, so the same seed repeats the same tokens on any device.
#include "model/causal_lm.h"
#include "model/kv_cache.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace capsule::model {

struct GenerationOptions {
    int64_t maxNewTokens = 64;
    double temperature = 0.0;  // <= 0: greedy (argmax)
    double topP = 1.0;         // nucleus sampling; 1: off
    int64_t topK = 0;          // keep the k most likely tokens; 0: off
    uint64_t seed = 0;
    std::vector<int64_t> eosTokenIds;  // stop after any of these (it is included in the output)
};

enum class StopReason {
    EndOfSequence,  // an EOS id was produced
    MaxNewTokens,   // maxNewTokens reached
    Callback,       // the token callback returned false
    ContextFull,    // the model's position table is exhausted (GPT-2's n_positions)
};

/// "eos", "max_new_tokens", "callback", "context_full"
std::string stopReasonName(StopReason reason);

struct GenerationResult {
    std::vector<int64_t> tokens;  // the new tokens only (an EOS that stopped generation included)
    StopReason stopReason = StopReason::MaxNewTokens;
    double prefillSeconds = 0.0;
    double decodeSeconds = 0.0;   // all steps after the prefill
};

/// Called with each new token as soon as it is chosen (streaming). Return false to stop.
using TokenCallback = std::function<bool(int64_t tokenId)>;

/// Extension points for prompt-learning adapters.
struct GenerationHooks {
    /// Called once on the fresh cache before the prompt runs (prefix tuning fills each layer with
    /// its prefix K/V [1, kv_heads, P, head_dim]; the prompt then starts at position P).
    std::function<void(KVCache& cache)> prepareCache;
    /// Maps the prompt's word embeddings [1, T, H] to the embeddings to run (prompt tuning and
    /// P-tuning prepend virtual tokens).
    std::function<torch::Tensor(const torch::Tensor& promptEmbeddings)> prepareInputsEmbeds;
};

/// Picks tokens from logits. Deterministic for a given seed; not thread-safe.
class TokenSampler {
public:
    explicit TokenSampler(const GenerationOptions& options);
    /// logits [V] (any dtype/device) -> token id
    int64_t next(const torch::Tensor& logits);

private:
    GenerationOptions options_;
    at::Generator generator_;
};

/// Generates up to options.maxNewTokens after `promptIds` (non-empty) for one sequence. Runs
/// under InferenceMode with the model temporarily in eval mode. Throws std::invalid_argument for
/// an empty prompt or ids outside the vocabulary.
GenerationResult generate(CausalLM& model, const std::vector<int64_t>& promptIds, const GenerationOptions& options,
                          const TokenCallback& onToken = {}, const GenerationHooks& hooks = {});

}  // namespace capsule::model
