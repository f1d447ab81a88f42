#include "peft/multiple_choice.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace capsule::peft {
namespace {

void checkIds(const std::vector<int64_t>& ids, int64_t vocabulary, const std::string& what) {
    for (size_t i = 0; i < ids.size(); ++i)
        if (ids[i] < 0 || ids[i] >= vocabulary)
            throw std::invalid_argument("scoreChoices: " + what + ", position " + std::to_string(i) + ": token id " +
                                        std::to_string(ids[i]) + " is outside the vocabulary of " +
                                        std::to_string(vocabulary));
}

}  // namespace

ChoiceLogLikelihoods scoreChoices(model::CausalLM& model, AdapterMethod* adapter,
                                  const std::vector<MultipleChoiceExample>& batch, double lengthNorm,
                                  int64_t padTokenId) {
    if (batch.empty()) throw std::invalid_argument("scoreChoices: the batch is empty");
    const int64_t vocabulary = model.vocabSize();
    if (padTokenId < 0 || padTokenId >= vocabulary)
        throw std::invalid_argument("scoreChoices: pad token id " + std::to_string(padTokenId) +
                                    " is outside the vocabulary");
    int64_t choices = 0;         // N
    int64_t choiceLength = 0;    // L
    int64_t sequenceLength = 0;  // S
    for (size_t b = 0; b < batch.size(); ++b) {
        const auto& example = batch[b];
        const std::string name = "example " + std::to_string(b);
        if (example.contextIds.empty())
            throw std::invalid_argument("scoreChoices: " + name + " has an empty context (a decoder-only model needs "
                                        "at least one token before the first choice token, e.g. BOS)");
        if (example.choiceIds.empty()) throw std::invalid_argument("scoreChoices: " + name + " has no choices");
        checkIds(example.contextIds, vocabulary, name + " context");
        choices = std::max<int64_t>(choices, static_cast<int64_t>(example.choiceIds.size()));
        for (size_t c = 0; c < example.choiceIds.size(); ++c) {
            const auto& choice = example.choiceIds[c];
            if (choice.empty())
                throw std::invalid_argument("scoreChoices: " + name + ", choice " + std::to_string(c) + " is empty");
            checkIds(choice, vocabulary, name + " choice " + std::to_string(c));
            choiceLength = std::max<int64_t>(choiceLength, static_cast<int64_t>(choice.size()));
            sequenceLength =
                std::max<int64_t>(sequenceLength, static_cast<int64_t>(example.contextIds.size() + choice.size()));
        }
    }

    const int64_t examples = static_cast<int64_t>(batch.size());
    const int64_t rows = examples * choices;  // R = B·N sequences
    std::vector<int64_t> ids(static_cast<size_t>(rows * sequenceLength), padTokenId);        // [R, S]
    std::vector<int64_t> attention(static_cast<size_t>(rows * sequenceLength), 0);           // [R, S]
    std::vector<int64_t> readPositions(static_cast<size_t>(rows * choiceLength), 0);         // [R, L]
    std::vector<int64_t> targets(static_cast<size_t>(rows * choiceLength), 0);               // [R, L]
    std::vector<uint8_t> tokenMask(static_cast<size_t>(rows * choiceLength), 0);             // [R, L]
    std::vector<uint8_t> choiceMask(static_cast<size_t>(rows), 0);                           // [R]
    for (int64_t b = 0; b < examples; ++b) {
        const auto& example = batch[static_cast<size_t>(b)];
        const int64_t context = static_cast<int64_t>(example.contextIds.size());
        for (int64_t c = 0; c < choices; ++c) {
            const int64_t row = b * choices + c;
            // A missing choice still runs (its context alone) so the batch stays rectangular.
            const bool present = c < static_cast<int64_t>(example.choiceIds.size());
            const std::vector<int64_t> empty;
            const std::vector<int64_t>& choice = present ? example.choiceIds[static_cast<size_t>(c)] : empty;
            choiceMask[static_cast<size_t>(row)] = present ? 1 : 0;
            int64_t position = 0;
            for (int64_t id : example.contextIds) {
                ids[static_cast<size_t>(row * sequenceLength + position)] = id;
                attention[static_cast<size_t>(row * sequenceLength + position)] = 1;
                ++position;
            }
            for (size_t t = 0; t < choice.size(); ++t) {
                ids[static_cast<size_t>(row * sequenceLength + position)] = choice[t];
                attention[static_cast<size_t>(row * sequenceLength + position)] = 1;
                // Token t of the choice sits at context + t and is predicted one position earlier.
                const size_t slot = static_cast<size_t>(row * choiceLength) + t;
                readPositions[slot] = context + static_cast<int64_t>(t) - 1;
                targets[slot] = choice[t];
                tokenMask[slot] = 1;
                ++position;
            }
        }
    }

    const torch::Device device = model.device();
    const auto longOptions = torch::TensorOptions().dtype(torch::kLong);
    model::ForwardInput input;
    input.inputIds = torch::tensor(ids, longOptions).view({rows, sequenceLength}).to(device);             // [R, S]
    input.attentionMask = torch::tensor(attention, longOptions).view({rows, sequenceLength}).to(device);  // [R, S]
    const torch::Tensor positions = torch::tensor(readPositions, longOptions).view({rows, choiceLength}).to(device);
    const torch::Tensor targetIds = torch::tensor(targets, longOptions).view({rows, choiceLength}).to(device);  // [R, L]
    const torch::Tensor realTokens =
        torch::tensor(std::vector<int64_t>(tokenMask.begin(), tokenMask.end()), longOptions)
            .view({rows, choiceLength}).to(device).to(torch::kBool);  // [R, L]
    const torch::Tensor realChoices =
        torch::tensor(std::vector<int64_t>(choiceMask.begin(), choiceMask.end()), longOptions)
            .view({examples, choices}).to(device).to(torch::kBool);  // [B, N]

    AdaptedInput adapted;
    if (adapter) adapted = adapter->prepareInput(input);
    else adapted.input = input;
    torch::Tensor hidden = model.hidden(adapted.input);  // [R, v + S, H]
    if (adapted.virtualTokenCount > 0) hidden = hidden.slice(1, adapted.virtualTokenCount);  // [R, S, H]
    const torch::Tensor readHidden =
        hidden.gather(1, positions.unsqueeze(-1).expand({rows, choiceLength, hidden.size(2)}));  // [R, L, H]
    const torch::Tensor logProbabilities = model.logits(readHidden).to(torch::kFloat).log_softmax(-1);  // [R, L, V]
    const torch::Tensor tokenLogProbabilities =
        logProbabilities.gather(2, targetIds.unsqueeze(-1)).squeeze(-1).masked_fill(~realTokens, 0.0);  // [R, L]

    ChoiceLogLikelihoods result;
    result.tokenLogProbabilities = tokenLogProbabilities.view({examples, choices, choiceLength});  // [B, N, L]
    result.tokenMask = realTokens.view({examples, choices, choiceLength});                         // [B, N, L]
    result.choiceMask = realChoices;                                                               // [B, N]
    const double negativeInfinity = -std::numeric_limits<double>::infinity();
    const torch::Tensor summed = result.tokenLogProbabilities.sum(-1);            // [B, N]
    const torch::Tensor lengths = result.tokenMask.sum(-1).to(torch::kFloat);     // [B, N]
    torch::Tensor normalized = lengthNorm > 0.0 ? summed / lengths.clamp_min(1.0).pow(lengthNorm) : summed;
    result.summedLogLikelihood = summed.masked_fill(~realChoices, negativeInfinity);
    result.normalizedLogLikelihood = normalized.masked_fill(~realChoices, negativeInfinity);
    return result;
}

}  // namespace capsule::peft
