#pragma once
// T-Few's multiple-choice objectives and rank classification (peft-spec.md §10), as pure
// functions on per-token log-probabilities of the answer choices, ported from t-few's
// EncoderDecoder.py (the code-level formulas, which take precedence over the paper's).
//
// Inputs, for B examples with N choices padded to L tokens:
//   tokenLogProbabilities g [B, N, L]  log p(token_{c,t} | x, token_{c,<t}); any value at padding
//   tokenMask             m [B, N, L]  1 (or true) for real choice tokens, 0 for padding; a choice
//                                      with no real token is "missing" (examples with fewer choices)
//   gold                  y [B]        int64 index of the correct choice
//
//   score_c = (−Σ_t g·m) / T_c^λ        T_c = Σ_t m, λ = length_norm (λ ≤ 0: no division);
//                                       missing choices score +inf. Lower is better.
//   L_LM = −Σ_{b,t} g[b,y_b,t]·m / Σ m[b,y_b,t]               mean over the gold tokens
//   L_LN = mean_b CE(−score_b, y_b)                          softmax over the choices
//   L_UL = −Σ_{b,c,t} log(1 − exp(ĝ) + 0.01) / #{ĝ ≠ −100}     ĝ = g, set to −100 at padding and on
//        every position of the gold choice; the masked entries still add −log(1.01 − e^−100) each
//        to the numerator, as t-few does (bit-exact port)
//   L = L_LM + mc_loss·L_LN + unlikely_loss·L_UL
//
// Autograd flows through g. Everything is computed in float32 or wider (the input dtype when it is
// float64).
#include "peft/tfew_recipe.h"

#include <torch/torch.h>

namespace capsule::peft {

/// score_c [B, N] (see above). Throws std::invalid_argument for mismatched shapes.
torch::Tensor lengthNormalizedScores(const torch::Tensor& tokenLogProbabilities, const torch::Tensor& tokenMask,
                                     double lengthNorm);

/// Rank classification (§10.4): argmin_c score_c, int64 [B].
torch::Tensor rankClassification(const torch::Tensor& scores);

/// L_LM: token cross-entropy of the gold choices, averaged over all their real tokens. Scalar.
torch::Tensor goldChoiceLanguageModelLoss(const torch::Tensor& tokenLogProbabilities, const torch::Tensor& tokenMask,
                                          const torch::Tensor& gold);

/// L_LN: cross-entropy over choices of the logits −score, averaged over the batch. Scalar.
torch::Tensor lengthNormalizedLoss(const torch::Tensor& scores, const torch::Tensor& gold);

/// L_UL (t-few's exact formula, see above). Scalar; 0 when no entry is counted (a single choice),
/// where t-few would divide by zero.
torch::Tensor unlikelihoodLoss(const torch::Tensor& tokenLogProbabilities, const torch::Tensor& tokenMask,
                               const torch::Tensor& gold);

struct TFewLosses {
    torch::Tensor total;             // L_LM + mc_loss·L_LN + unlikely_loss·L_UL
    torch::Tensor languageModel;     // L_LM
    torch::Tensor lengthNormalized;  // L_LN (undefined when mc_loss is 0)
    torch::Tensor unlikelihood;      // L_UL (undefined when unlikely_loss is 0)
};

/// The three losses and their weighted sum (§10.3).
TFewLosses tFewLosses(const torch::Tensor& tokenLogProbabilities, const torch::Tensor& tokenMask,
                      const torch::Tensor& gold, const TFewLossWeights& weights = {});

}  // namespace capsule::peft
