// T-Few (peft-spec.md §10): the length-normalised scores, L_LM, L_LN and L_UL against values
// computed by hand from the §10 formulas, rank classification, the recipe defaults, and the
// decoder-only multiple-choice scorer against per-sequence forwards (plain, prompt tuning,
// prefix tuning, IA3 training step).
#include "prompt_test_support.h"

#include "peft/ia3.h"
#include "peft/multiple_choice.h"
#include "peft/prefix_tuning.h"
#include "peft/prompt_tuning.h"
#include "peft/tfew_losses.h"
#include "peft/tfew_recipe.h"

#include <cmath>

using namespace capsule;
using capsule::test::TempDir;

namespace {

/// One example, two choices padded to three tokens; gold = 0.
///   choice 0: p = 0.5, 0.25 (one pad)      choice 1: p = 0.2, 0.1, 0.4
struct HandExample {
    torch::Tensor logProbabilities;  // [1, 2, 3]
    torch::Tensor mask;              // [1, 2, 3]
    torch::Tensor gold;              // [1]
};

HandExample handExample() {
    HandExample example;
    example.logProbabilities =
        torch::tensor({std::log(0.5), std::log(0.25), -7.0, std::log(0.2), std::log(0.1), std::log(0.4)}, torch::kDouble)
            .view({1, 2, 3});
    example.mask = torch::tensor({1, 1, 0, 1, 1, 1}, torch::kLong).view({1, 2, 3});
    example.gold = torch::tensor({0}, torch::kLong);
    return example;
}

/// Σ_t log p of `choice` after `context`, from one unpadded forward of that sequence alone.
double referenceLogLikelihood(model::CausalLM& model, peft::AdapterMethod* adapter, const std::vector<int64_t>& context,
                              const std::vector<int64_t>& choice, std::vector<double>* perToken = nullptr) {
    std::vector<int64_t> ids = context;
    ids.insert(ids.end(), choice.begin(), choice.end());
    torch::NoGradGuard noGrad;
    model::ForwardInput input;
    input.inputIds = torch::tensor(ids, torch::kLong).view({1, -1});
    const torch::Tensor logProbabilities = peft::forwardLogits(model, adapter, input)[0].to(torch::kDouble).log_softmax(-1);
    double total = 0.0;
    for (size_t t = 0; t < choice.size(); ++t) {
        const double value = logProbabilities[int64_t(context.size() + t) - 1][choice[t]].item<double>();
        if (perToken) perToken->push_back(value);
        total += value;
    }
    return total;
}

const std::vector<peft::MultipleChoiceExample> kBatch = {
    {{1, 4, 7}, {{3, 9}, {5}, {11, 12, 13, 2}}},
    {{2, 6}, {{8, 8, 8}, {20}}},  // fewer choices: the third is missing
};

void checkAgainstReference(model::CausalLM& model, peft::AdapterMethod* adapter) {
    torch::NoGradGuard noGrad;
    const peft::ChoiceLogLikelihoods scored = peft::scoreChoices(model, adapter, kBatch, 1.0);
    COMPARE(scored.tokenLogProbabilities.sizes().vec(), (std::vector<int64_t>{2, 3, 4}));
    COMPARE(scored.tokenMask.sum().item<int64_t>(), int64_t{2 + 1 + 4 + 3 + 1});
    VERIFY(!scored.choiceMask[1][2].item<bool>());
    VERIFY(std::isinf(scored.summedLogLikelihood[1][2].item<double>()));
    std::vector<double> bestPerExample;
    for (size_t b = 0; b < kBatch.size(); ++b) {
        double best = -1e300;
        int64_t bestIndex = -1;
        for (size_t c = 0; c < kBatch[b].choiceIds.size(); ++c) {
            std::vector<double> perToken;
            const double expected =
                referenceLogLikelihood(model, adapter, kBatch[b].contextIds, kBatch[b].choiceIds[c], &perToken);
            COMPARE_NEAR(scored.summedLogLikelihood[int64_t(b)][int64_t(c)].item<double>(), expected, 1e-4);
            for (size_t t = 0; t < perToken.size(); ++t)
                COMPARE_NEAR(scored.tokenLogProbabilities[int64_t(b)][int64_t(c)][int64_t(t)].item<double>(),
                             perToken[t], 1e-4);
            const double normalized = expected / static_cast<double>(perToken.size());
            COMPARE_NEAR(scored.normalizedLogLikelihood[int64_t(b)][int64_t(c)].item<double>(), normalized, 1e-4);
            if (normalized > best) {
                best = normalized;
                bestIndex = int64_t(c);
            }
        }
        // Rank classification on the scores = the highest normalised log-likelihood.
        const torch::Tensor scores = peft::lengthNormalizedScores(scored.tokenLogProbabilities, scored.tokenMask, 1.0);
        COMPARE(peft::rankClassification(scores)[int64_t(b)].item<int64_t>(), bestIndex);
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Pure formulas (§10.2, §10.3) against hand-computed values

CAPSULE_TEST(scoresAndRankClassificationByHand) {
    const HandExample example = handExample();
    // λ = 1: score_0 = −(ln .5 + ln .25)/2 = ln 8 / 2 ≈ 1.039721; score_1 = −ln(.2·.1·.4)/3 = ln 5 ≈ 1.609438.
    const torch::Tensor scores = peft::lengthNormalizedScores(example.logProbabilities, example.mask, 1.0);
    COMPARE_NEAR(scores[0][0].item<double>(), std::log(8.0) / 2.0, 1e-12);
    COMPARE_NEAR(scores[0][1].item<double>(), std::log(5.0), 1e-12);
    COMPARE_NEAR(scores[0][0].item<double>(), 1.039720771, 1e-8);
    COMPARE(peft::rankClassification(scores)[0].item<int64_t>(), int64_t{0});
    // λ ≤ 0: no division.
    const torch::Tensor sums = peft::lengthNormalizedScores(example.logProbabilities, example.mask, 0.0);
    COMPARE_NEAR(sums[0][0].item<double>(), std::log(8.0), 1e-12);
    COMPARE_NEAR(sums[0][1].item<double>(), std::log(125.0), 1e-12);
    // λ = 0.5 divides by sqrt(T_c).
    const torch::Tensor half = peft::lengthNormalizedScores(example.logProbabilities, example.mask, 0.5);
    COMPARE_NEAR(half[0][1].item<double>(), std::log(125.0) / std::sqrt(3.0), 1e-12);
}

CAPSULE_TEST(lengthNormalisationChangesTheDecision) {
    // Choice 0: one token, p = 0.3 (NLL 1.204). Choice 1: four tokens, p = 0.6 each (NLL 2.043 in
    // total, 0.511 per token). Summed NLL prefers 0, length-normalised NLL prefers 1.
    const double a = std::log(0.3), b = std::log(0.6);
    const torch::Tensor logProbabilities = torch::tensor({a, 0.0, 0.0, 0.0, b, b, b, b}, torch::kDouble).view({1, 2, 4});
    const torch::Tensor mask = torch::tensor({1, 0, 0, 0, 1, 1, 1, 1}, torch::kLong).view({1, 2, 4});
    COMPARE(peft::rankClassification(peft::lengthNormalizedScores(logProbabilities, mask, 0.0))[0].item<int64_t>(),
            int64_t{0});
    COMPARE(peft::rankClassification(peft::lengthNormalizedScores(logProbabilities, mask, 1.0))[0].item<int64_t>(),
            int64_t{1});
    // A missing choice (no tokens) scores +inf and is never picked.
    const torch::Tensor withMissing = torch::tensor({a, 0.0, 0.0, 0.0}, torch::kDouble).view({1, 2, 2});
    const torch::Tensor missingMask = torch::tensor({1, 0, 0, 0}, torch::kLong).view({1, 2, 2});
    const torch::Tensor scores = peft::lengthNormalizedScores(withMissing, missingMask, 1.0);
    VERIFY(std::isinf(scores[0][1].item<double>()));
    COMPARE(peft::rankClassification(scores)[0].item<int64_t>(), int64_t{0});
}

CAPSULE_TEST(lossesByHand) {
    const HandExample example = handExample();
    // L_LM: mean NLL of the gold tokens = (ln 2 + ln 4) / 2.
    const double languageModel = (std::log(2.0) + std::log(4.0)) / 2.0;
    COMPARE_NEAR(peft::goldChoiceLanguageModelLoss(example.logProbabilities, example.mask, example.gold).item<double>(),
                 languageModel, 1e-12);
    // L_LN = −log softmax(−score)_0 = log(1 + exp(s0 − s1)) = log(1 + 2^1.5 / 5) ≈ 0.448324.
    const double s0 = std::log(8.0) / 2.0, s1 = std::log(5.0);
    const double lengthNormalized = std::log(1.0 + std::exp(s0 - s1));
    COMPARE_NEAR(lengthNormalized, 0.448324, 1e-6);
    const torch::Tensor scores = peft::lengthNormalizedScores(example.logProbabilities, example.mask, 1.0);
    COMPARE_NEAR(peft::lengthNormalizedLoss(scores, example.gold).item<double>(), lengthNormalized, 1e-12);
    // L_UL: the three real tokens of the wrong choice count; the gold choice (3 entries) and the
    // pad are −100 and still add −log(1.01 − e^−100) each to the numerator:
    // (−[ln .81 + ln .91 + ln .61] − 3·ln 1.01) / 3 ≈ 0.256492.
    const double unlikelihood =
        (-(std::log(0.81) + std::log(0.91) + std::log(0.61)) - 3.0 * std::log(1.01 - std::exp(-100.0))) / 3.0;
    COMPARE_NEAR(unlikelihood, 0.256492, 1e-6);
    COMPARE_NEAR(peft::unlikelihoodLoss(example.logProbabilities, example.mask, example.gold).item<double>(),
                 unlikelihood, 1e-12);
    // Total with the T-Few weights (1, 1) and with other weights.
    const peft::TFewLosses losses = peft::tFewLosses(example.logProbabilities, example.mask, example.gold);
    COMPARE_NEAR(losses.total.item<double>(), languageModel + lengthNormalized + unlikelihood, 1e-12);
    COMPARE_NEAR(losses.total.item<double>(), 1.744537, 1e-6);
    peft::TFewLossWeights weights;
    weights.mcLoss = 0.5;
    weights.unlikelyLoss = 0.0;
    const peft::TFewLosses partial = peft::tFewLosses(example.logProbabilities, example.mask, example.gold, weights);
    COMPARE_NEAR(partial.total.item<double>(), languageModel + 0.5 * lengthNormalized, 1e-12);
    VERIFY(!partial.unlikelihood.defined());
}

CAPSULE_TEST(lossesBatchAndGradients) {
    // Two examples with different gold indices; L_LM averages over all gold tokens of the batch.
    torch::manual_seed(3);
    const torch::Tensor raw = torch::randn({2, 3, 4}, torch::kDouble).requires_grad_(true);
    const torch::Tensor logProbabilities = -torch::nn::functional::softplus(raw);  // < 0
    const torch::Tensor mask = torch::tensor({1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1,  //
                                              1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0},
                                             torch::kLong)
                                   .view({2, 3, 4});
    const torch::Tensor gold = torch::tensor({2, 1}, torch::kLong);
    // L_LM by loops.
    double sum = 0.0;
    int count = 0;
    const torch::Tensor detached = logProbabilities.detach();
    auto g = detached.accessor<double, 3>();
    auto m = mask.accessor<int64_t, 3>();
    const int64_t goldIndex[2] = {2, 1};
    for (int b = 0; b < 2; ++b)
        for (int t = 0; t < 4; ++t)
            if (m[b][goldIndex[b]][t]) {
                sum -= g[b][goldIndex[b]][t];
                ++count;
            }
    COMPARE_NEAR(peft::goldChoiceLanguageModelLoss(logProbabilities, mask, gold).item<double>(), sum / count, 1e-12);
    // L_UL by loops: every entry of the [2, 3, 4] tensor is in the numerator.
    double numerator = 0.0;
    int counted = 0;
    for (int b = 0; b < 2; ++b)
        for (int c = 0; c < 3; ++c)
            for (int t = 0; t < 4; ++t) {
                const bool masked = !m[b][c][t] || c == goldIndex[b];
                const double value = masked ? -100.0 : g[b][c][t];
                numerator -= std::log(1.0 - std::exp(value) + 0.01);
                if (!masked) ++counted;
            }
    COMPARE_NEAR(peft::unlikelihoodLoss(logProbabilities, mask, gold).item<double>(), numerator / counted, 1e-12);
    // Gradients flow to the log-probabilities.
    peft::tFewLosses(logProbabilities, mask, gold).total.backward();
    VERIFY(raw.grad().defined() && raw.grad().abs().sum().item<double>() > 0.0);
    // Padding receives no gradient.
    COMPARE_NEAR(raw.grad()[0][0][3].item<double>(), 0.0, 0.0);
    // Shape errors are reported.
    VERIFY_THROWS(peft::unlikelihoodLoss(logProbabilities, mask.slice(2, 0, 3), gold), "shape");
    VERIFY_THROWS(peft::lengthNormalizedLoss(torch::zeros({2, 3}), torch::tensor({0, 3}, torch::kLong)), "gold");
}

CAPSULE_TEST(recipeDefaults) {
    model::ModelConfig llama;
    llama.modelType = "llama";
    const peft::TFewRecipe recipe = peft::tFewConfig(llama);
    COMPARE(recipe.ia3.targetModules.names, (std::vector<std::string>{"k_proj", "v_proj", "down_proj"}));
    COMPARE(recipe.ia3.feedforwardModules.names, std::vector<std::string>{"down_proj"});
    VERIFY(recipe.ia3.initIa3Weights);
    COMPARE(recipe.losses.mcLoss, 1.0);
    COMPARE(recipe.losses.unlikelyLoss, 1.0);
    COMPARE(recipe.losses.lengthNorm, 1.0);
    COMPARE(recipe.learningRate, 3e-3);
    COMPARE(recipe.maxSteps, int64_t{1000});
    COMPARE(recipe.batchSize, int64_t{8});
    COMPARE(recipe.warmupRatio, 0.06);
    COMPARE(recipe.gradientClipNorm, 1.0);
    COMPARE(recipe.optimizer, std::string("adafactor"));
    model::ModelConfig gpt2;
    gpt2.modelType = "gpt2";
    COMPARE(peft::tFewConfig(gpt2).ia3.targetModules.names, (std::vector<std::string>{"c_attn", "mlp.c_proj"}));
    model::ModelConfig unknown;
    unknown.modelType = "mamba";
    VERIFY_THROWS(peft::tFewConfig(unknown), "target_modules");
}

// ---------------------------------------------------------------------------------------------
// Decoder-only multiple-choice scoring (§10.4)

CAPSULE_TEST(scoreChoicesMatchesPerSequenceForwards) {
    for (const std::string type : {"gpt2", "llama"}) {
        TempDir folder;
        auto model = test::tinyPromptModel(folder, type);
        checkAgainstReference(*model, nullptr);
    }
}

CAPSULE_TEST(scoreChoicesWithPromptAndPrefixAdapters) {
    TempDir folder;
    auto model = test::tinyPromptModel(folder, "llama");
    {
        torch::manual_seed(31);
        peft::PromptTuningConfig config;
        config.numVirtualTokens = 3;
        peft::PromptTuningAdapter adapter(config);
        adapter.apply(*model, peft::WeightInit::Fresh);
        checkAgainstReference(*model, &adapter);
        adapter.remove();
    }
    {
        torch::manual_seed(32);
        peft::PrefixTuningConfig config;
        config.numVirtualTokens = 2;
        peft::PrefixTuningAdapter adapter(config);
        adapter.apply(*model, peft::WeightInit::Fresh);
        checkAgainstReference(*model, &adapter);
        adapter.remove();
    }
}

CAPSULE_TEST(rankClassificationOnAConstructedExample) {
    // Choice 1 is the model's own most likely next token, choice 0 another single token, choice 2
    // a two-token continuation: rank classification must pick the choice with the lowest
    // normalised NLL computed independently (per-sequence forwards), and choice 1 must beat 0.
    TempDir folder;
    auto model = test::tinyPromptModel(folder, "gpt2");
    torch::NoGradGuard noGrad;
    const std::vector<int64_t> context = {4, 5, 6, 4, 5, 6, 4, 5};
    model::ForwardInput input;
    input.inputIds = torch::tensor(context, torch::kLong).view({1, -1});
    const torch::Tensor next = model->forward(input)[0][int64_t(context.size()) - 1];  // [V]
    const int64_t likeliest = next.argmax().item<int64_t>();
    const int64_t other = (likeliest + 7) % 29;
    const std::vector<std::vector<int64_t>> choices = {{other}, {likeliest}, {(likeliest + 3) % 29, 2}};
    const auto scored = peft::scoreChoices(*model, nullptr, {{context, choices}}, 1.0);
    const torch::Tensor scores = peft::lengthNormalizedScores(scored.tokenLogProbabilities, scored.tokenMask, 1.0);
    int64_t best = -1;
    double bestValue = -1e300;
    for (size_t c = 0; c < choices.size(); ++c) {
        const double value = referenceLogLikelihood(*model, nullptr, context, choices[c]) / double(choices[c].size());
        if (value > bestValue) {
            bestValue = value;
            best = int64_t(c);
        }
    }
    COMPARE(peft::rankClassification(scores)[0].item<int64_t>(), best);
    COMPARE_NEAR(scores[0][best].item<double>(), -bestValue, 1e-4);
    VERIFY(scores[0][1].item<double>() < scores[0][0].item<double>());
    VERIFY_THROWS(peft::scoreChoices(*model, nullptr, {{{}, choices}}), "empty context");
    VERIFY_THROWS(peft::scoreChoices(*model, nullptr, {{context, {{}}}}), "empty");
    VERIFY_THROWS(peft::scoreChoices(*model, nullptr, {{context, {{29}}}}), "outside the vocabulary");
}

CAPSULE_TEST(tFewTrainingStepWithIa3) {
    // The recipe's IA3 adapter, the three losses on a scored batch, one gradient step: only the
    // IA3 vectors receive gradients and the gold choice's score improves.
    TempDir folder;
    auto model = test::tinyPromptModel(folder, "llama");
    const peft::TFewRecipe recipe = peft::tFewConfig(model->config());
    peft::Ia3Adapter adapter(recipe.ia3);
    adapter.apply(*model, peft::WeightInit::Fresh);
    const std::vector<peft::MultipleChoiceExample> batch = {{{1, 2, 3}, {{7, 8}, {9}, {10, 11, 12}}}};
    const torch::Tensor gold = torch::tensor({2}, torch::kLong);
    auto goldScore = [&] {
        torch::NoGradGuard noGrad;
        const auto scored = peft::scoreChoices(*model, &adapter, batch, recipe.losses.lengthNorm);
        return peft::lengthNormalizedScores(scored.tokenLogProbabilities, scored.tokenMask, 1.0)[0][2].item<double>();
    };
    const double before = goldScore();
    torch::optim::SGD optimizer(adapter.trainableParameters(), torch::optim::SGDOptions(0.5));
    for (int step = 0; step < 5; ++step) {
        optimizer.zero_grad();
        const auto scored = peft::scoreChoices(*model, &adapter, batch, recipe.losses.lengthNorm);
        const peft::TFewLosses losses = peft::tFewLosses(scored.tokenLogProbabilities, scored.tokenMask, gold, recipe.losses);
        losses.total.backward();
        for (const auto& item : model->named_parameters())
            if (!item.value().requires_grad()) VERIFY(!item.value().grad().defined());
        optimizer.step();
    }
    VERIFY(goldScore() < before);
}
