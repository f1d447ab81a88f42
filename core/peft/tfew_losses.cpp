#include "peft/tfew_losses.h"

#include <limits>
#include <stdexcept>
#include <string>

namespace capsule::peft {
namespace {

/// t-few's marker for "not a candidate token" in the unlikelihood loss.
constexpr double kMaskedLogLikelihood = -100.0;

torch::ScalarType workType(const torch::Tensor& tensor) {
    return tensor.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
}

/// Checks the shapes and returns {g in the work dtype, mask as bool}.
std::pair<torch::Tensor, torch::Tensor> checkedInputs(const torch::Tensor& tokenLogProbabilities,
                                                      const torch::Tensor& tokenMask, const char* owner) {
    if (!tokenLogProbabilities.defined() || tokenLogProbabilities.dim() != 3)
        throw std::invalid_argument(std::string(owner) + ": token log-probabilities must be [B, N, L]");
    if (!tokenMask.defined() || tokenMask.sizes() != tokenLogProbabilities.sizes())
        throw std::invalid_argument(std::string(owner) + ": the token mask must have the shape of the log-probabilities " +
                                    c10::str(tokenLogProbabilities.sizes()));
    return {tokenLogProbabilities.to(workType(tokenLogProbabilities)), tokenMask.to(torch::kBool)};
}

torch::Tensor checkedGold(const torch::Tensor& gold, int64_t batch, int64_t choices, torch::Device device,
                          const char* owner) {
    if (!gold.defined() || gold.dim() != 1 || gold.size(0) != batch)
        throw std::invalid_argument(std::string(owner) + ": gold must be [B] = [" + std::to_string(batch) + "]");
    const torch::Tensor indices = gold.to(device, torch::kLong);  // [B]
    if (batch > 0 && (indices.min().item<int64_t>() < 0 || indices.max().item<int64_t>() >= choices))
        throw std::invalid_argument(std::string(owner) + ": a gold index is outside [0, " + std::to_string(choices) + ")");
    return indices;
}

}  // namespace

torch::Tensor lengthNormalizedScores(const torch::Tensor& tokenLogProbabilities, const torch::Tensor& tokenMask,
                                     double lengthNorm) {
    const auto [logProbabilities, mask] = checkedInputs(tokenLogProbabilities, tokenMask, "lengthNormalizedScores");
    // masked_fill, not a product: padding may hold -inf.
    const torch::Tensor negativeSum = -logProbabilities.masked_fill(~mask, 0.0).sum(-1);  // [B, N]
    const torch::Tensor lengths = mask.sum(-1).to(logProbabilities.scalar_type());     // [B, N]
    torch::Tensor scores = lengthNorm > 0.0 ? negativeSum / lengths.pow(lengthNorm) : negativeSum;  // [B, N]
    return scores.masked_fill(lengths.eq(0), std::numeric_limits<double>::infinity());
}

torch::Tensor rankClassification(const torch::Tensor& scores) {
    if (!scores.defined() || scores.dim() != 2 || scores.size(1) == 0)
        throw std::invalid_argument("rankClassification: scores must be [B, N] with N >= 1");
    return scores.argmin(1);  // [B]
}

torch::Tensor goldChoiceLanguageModelLoss(const torch::Tensor& tokenLogProbabilities, const torch::Tensor& tokenMask,
                                          const torch::Tensor& gold) {
    const auto [logProbabilities, mask] = checkedInputs(tokenLogProbabilities, tokenMask, "goldChoiceLanguageModelLoss");
    const int64_t batch = logProbabilities.size(0);
    const torch::Tensor indices =
        checkedGold(gold, batch, logProbabilities.size(1), logProbabilities.device(), "goldChoiceLanguageModelLoss");
    const torch::Tensor rows = torch::arange(batch, indices.options());  // [B]
    const torch::Tensor goldLogProbabilities = logProbabilities.index({rows, indices});  // [B, L]
    const torch::Tensor goldMask = mask.index({rows, indices});                         // [B, L]
    const torch::Tensor count = goldMask.sum().to(logProbabilities.scalar_type());
    return -goldLogProbabilities.masked_fill(~goldMask, 0.0).sum() / count;
}

torch::Tensor lengthNormalizedLoss(const torch::Tensor& scores, const torch::Tensor& gold) {
    if (!scores.defined() || scores.dim() != 2)
        throw std::invalid_argument("lengthNormalizedLoss: scores must be [B, N]");
    const torch::Tensor work = scores.to(workType(scores));
    const torch::Tensor indices = checkedGold(gold, work.size(0), work.size(1), work.device(), "lengthNormalizedLoss");
    const torch::Tensor logSoftmax = (-work).log_softmax(1);  // [B, N]
    return -logSoftmax.gather(1, indices.unsqueeze(1)).mean();
}

torch::Tensor unlikelihoodLoss(const torch::Tensor& tokenLogProbabilities, const torch::Tensor& tokenMask,
                               const torch::Tensor& gold) {
    const auto [logProbabilities, mask] = checkedInputs(tokenLogProbabilities, tokenMask, "unlikelihoodLoss");
    const int64_t batch = logProbabilities.size(0);
    const torch::Tensor indices =
        checkedGold(gold, batch, logProbabilities.size(1), logProbabilities.device(), "unlikelihoodLoss");
    torch::Tensor goldChoice = torch::zeros_like(mask);  // [B, N, L] bool
    goldChoice.index_put_({torch::arange(batch, indices.options()), indices}, true);
    const torch::Tensor candidates =
        logProbabilities.masked_fill(~mask | goldChoice, kMaskedLogLikelihood);  // [B, N, L]
    const torch::Tensor numerator = -(1.0 - candidates.exp() + 1e-2).log().sum();
    const torch::Tensor count = candidates.ne(kMaskedLogLikelihood).sum();
    if (count.item<int64_t>() == 0) return numerator * 0.0;
    return numerator / count.to(numerator.scalar_type());
}

TFewLosses tFewLosses(const torch::Tensor& tokenLogProbabilities, const torch::Tensor& tokenMask,
                      const torch::Tensor& gold, const TFewLossWeights& weights) {
    TFewLosses losses;
    losses.languageModel = goldChoiceLanguageModelLoss(tokenLogProbabilities, tokenMask, gold);
    losses.total = losses.languageModel;
    if (weights.mcLoss > 0.0) {
        const torch::Tensor scores = lengthNormalizedScores(tokenLogProbabilities, tokenMask, weights.lengthNorm);
        losses.lengthNormalized = lengthNormalizedLoss(scores, gold);
        losses.total = losses.total + weights.mcLoss * losses.lengthNormalized;
    }
    if (weights.unlikelyLoss > 0.0) {
        losses.unlikelihood = unlikelihoodLoss(tokenLogProbabilities, tokenMask, gold);
        losses.total = losses.total + weights.unlikelyLoss * losses.unlikelihood;
    }
    return losses;
}

}  // namespace capsule::peft
