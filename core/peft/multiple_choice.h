#pragma once
// Multiple-choice scoring of a decoder-only model (T-Few's rank classification, peft-spec.md
// §10.1–10.4, adapted from its encoder-decoder form): every (example, choice) pair becomes one
// sequence context ‖ choice, all of them right-padded into ONE batch and run in one forward
// (with the adapter's prepareInput, so prompt / prefix methods work too). The log-probability of
// choice token t is read from the logits at the position before it.
//
// The result feeds tfew_losses.h directly (tokenLogProbabilities / tokenMask) and gives the
// per-choice summed and length-normalised log-likelihoods. Unlike T5 in t-few, nothing is
// appended to the choices (no EOS): pass the ids exactly as they should be scored.
//
// Dimension letters: B examples, N choices (the most any example has), L choice tokens (the
// longest choice), S = longest context + choice, V vocabulary, H hidden size.
#include "model/causal_lm.h"
#include "peft/adapter.h"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace capsule::peft {

struct MultipleChoiceExample {
    std::vector<int64_t> contextIds;                 // non-empty (e.g. BOS + question)
    std::vector<std::vector<int64_t>> choiceIds;     // one or more non-empty continuations
};

struct ChoiceLogLikelihoods {
    torch::Tensor tokenLogProbabilities;   // [B, N, L] log p of each choice token; 0 at padding
    torch::Tensor tokenMask;               // [B, N, L] bool, true for real choice tokens
    torch::Tensor choiceMask;              // [B, N] bool, false for the missing choices of examples
                                           // with fewer than N choices
    torch::Tensor summedLogLikelihood;     // [B, N] Σ_t log p; −inf for missing choices
    torch::Tensor normalizedLogLikelihood; // [B, N] Σ_t log p / T_c^λ (λ ≤ 0: the sum); −inf missing
};

/// Scores every choice of every example. float32 results on the model's device; autograd flows
/// when grad mode is on (training with tFewLosses()), so run it under torch::NoGradGuard or
/// InferenceMode for evaluation. `adapter` may be null. `lengthNorm` is λ. `padTokenId` fills the
/// padding (any id inside the vocabulary: padded positions are masked and never scored).
/// Throws std::invalid_argument for an empty batch, context or choice, or an id outside the
/// vocabulary.
ChoiceLogLikelihoods scoreChoices(model::CausalLM& model, AdapterMethod* adapter,
                                  const std::vector<MultipleChoiceExample>& batch, double lengthNorm = 1.0,
                                  int64_t padTokenId = 0);

}  // namespace capsule::peft
