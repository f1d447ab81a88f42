#include "model/generation.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace capsule::model {
namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Restores the model's training flag on scope exit.
class EvalModeScope {
public:
    explicit EvalModeScope(CausalLM& model) : model_(model), wasTraining_(model.is_training()) { model_.eval(); }
    ~EvalModeScope() { model_.train(wasTraining_); }
    EvalModeScope(const EvalModeScope&) = delete;
    EvalModeScope& operator=(const EvalModeScope&) = delete;

private:
    CausalLM& model_;
    bool wasTraining_;
};

}  // namespace

std::string stopReasonName(StopReason reason) {
    switch (reason) {
    case StopReason::EndOfSequence: return "eos";
    case StopReason::MaxNewTokens: return "max_new_tokens";
    case StopReason::Callback: return "callback";
    case StopReason::ContextFull: return "context_full";
    }
    return "unknown";
}

TokenSampler::TokenSampler(const GenerationOptions& options)
    : options_(options), generator_(at::make_generator<at::CPUGeneratorImpl>(options.seed)) {
    if (!(options.topP > 0.0) || options.topP > 1.0)
        throw std::invalid_argument("generation: top_p must be in (0, 1], got " + std::to_string(options.topP));
    if (options.topK < 0) throw std::invalid_argument("generation: top_k must be >= 0");
    if (!std::isfinite(options.temperature)) throw std::invalid_argument("generation: temperature must be finite");
}

int64_t TokenSampler::next(const torch::Tensor& logits) {
    // Sampling happens on the CPU in float32: [V] is small and this keeps results device-independent.
    torch::Tensor scores = logits.detach().to(torch::kCPU, torch::kFloat).reshape({-1});  // [V]
    if (options_.temperature <= 0.0) return scores.argmax().item<int64_t>();

    scores = scores / options_.temperature;
    const double removed = -std::numeric_limits<double>::infinity();
    const int64_t vocab = scores.size(0);
    if (options_.topK > 0 && options_.topK < vocab) {
        const torch::Tensor kthLargest = std::get<0>(scores.topk(options_.topK)).select(0, options_.topK - 1);
        scores = scores.masked_fill(scores < kthLargest, removed);
    }
    if (options_.topP < 1.0) {
        // transformers' TopPLogitsWarper: drop the least likely tokens whose cumulative
        // probability stays <= 1 − top_p, always keeping the most likely one.
        const auto [sortedScores, sortedIndices] = scores.sort(/*dim=*/0, /*descending=*/false);  // [V] ascending
        const torch::Tensor cumulative = sortedScores.softmax(0).cumsum(0);                      // [V]
        torch::Tensor removeSorted = cumulative <= (1.0 - options_.topP);                          // [V] bool
        removeSorted.index_put_({vocab - 1}, false);
        const torch::Tensor remove = torch::zeros_like(removeSorted).scatter(0, sortedIndices, removeSorted);
        scores = scores.masked_fill(remove, removed);
    }
    const torch::Tensor probabilities = scores.softmax(0);  // [V]
    return torch::multinomial(probabilities, 1, /*replacement=*/false, generator_).item<int64_t>();
}

GenerationResult generate(CausalLM& model, const std::vector<int64_t>& promptIds, const GenerationOptions& options,
                          const TokenCallback& onToken, const GenerationHooks& hooks) {
    if (promptIds.empty()) throw std::invalid_argument("generation: the prompt has no tokens");
    for (size_t i = 0; i < promptIds.size(); ++i)
        if (promptIds[i] < 0 || promptIds[i] >= model.vocabSize())
            throw std::invalid_argument("generation: prompt token " + std::to_string(i) + " has id " +
                                        std::to_string(promptIds[i]) + ", outside the vocabulary of " +
                                        std::to_string(model.vocabSize()));
    if (options.maxNewTokens < 0) throw std::invalid_argument("generation: max_new_tokens must be >= 0");

    c10::InferenceMode inferenceMode;
    EvalModeScope evalMode(model);
    TokenSampler sampler(options);
    GenerationResult result;
    if (options.maxNewTokens == 0) return result;

    const torch::Device device = model.device();
    // Only GPT-2 has a hard position limit (learned position table); RoPE models extrapolate.
    const int64_t positionLimit =
        model.config().isGpt2() ? model.config().maxPositionEmbeddings : std::numeric_limits<int64_t>::max();

    KVCache cache = model.makeCache();
    if (hooks.prepareCache) hooks.prepareCache(cache);

    const auto prefillStart = std::chrono::steady_clock::now();
    const torch::Tensor promptTensor =
        torch::tensor(promptIds, torch::TensorOptions().dtype(torch::kLong)).view({1, -1}).to(device);  // [1, T]
    ForwardInput prefill;
    prefill.cache = &cache;
    if (hooks.prepareInputsEmbeds) prefill.inputsEmbeds = hooks.prepareInputsEmbeds(model.embedTokens(promptTensor));
    else prefill.inputIds = promptTensor;
    const int64_t prefillLength = hooks.prepareInputsEmbeds ? prefill.inputsEmbeds.size(1) : promptTensor.size(1);
    if (cache.length() + prefillLength > positionLimit)
        throw std::invalid_argument("generation: the prompt (" + std::to_string(prefillLength) +
                                    " positions) does not fit the model's " + std::to_string(positionLimit) +
                                    " positions");
    torch::Tensor hiddenStates = model.hidden(prefill);                             // [1, T, H]
    torch::Tensor lastLogits = model.logits(hiddenStates.select(1, prefillLength - 1));  // [1, V]
    result.prefillSeconds = secondsSince(prefillStart);

    const auto decodeStart = std::chrono::steady_clock::now();
    while (true) {
        const int64_t token = sampler.next(lastLogits);
        result.tokens.push_back(token);
        const bool isEos = std::find(options.eosTokenIds.begin(), options.eosTokenIds.end(), token) !=
                           options.eosTokenIds.end();
        if (onToken && !onToken(token)) {
            result.stopReason = StopReason::Callback;
            break;
        }
        if (isEos) {
            result.stopReason = StopReason::EndOfSequence;
            break;
        }
        if (static_cast<int64_t>(result.tokens.size()) >= options.maxNewTokens) {
            result.stopReason = StopReason::MaxNewTokens;
            break;
        }
        if (cache.length() + 1 > positionLimit) {
            result.stopReason = StopReason::ContextFull;
            break;
        }
        ForwardInput step;
        step.inputIds = torch::full({1, 1}, token, torch::TensorOptions().dtype(torch::kLong).device(device));  // [1, 1]
        step.cache = &cache;
        hiddenStates = model.hidden(step);                    // [1, 1, H]
        lastLogits = model.logits(hiddenStates.select(1, 0));  // [1, V]
    }
    result.decodeSeconds = secondsSince(decodeStart);
    return result;
}

}  // namespace capsule::model
