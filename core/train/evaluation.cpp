#include "train/evaluation.h"

#include "model/cross_entropy.h"
#include "model/model_loader.h"
#include "peft/multiple_choice.h"
#include "peft/tfew_losses.h"
#include "train/trainer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace capsule::train {
namespace {

constexpr int64_t kHeadRowMultiple = 16;  // rows of the LM-head GEMM, see labelledTokenLoss

}  // namespace

torch::Tensor labelledTokenLoss(model::CausalLM& model, peft::AdapterMethod* adapter, const data::Batch& batch,
                                const torch::Device& device, bool usePositionIds, bool sum, int64_t* count) {
    model::ForwardInput input;
    input.inputIds = batch.inputIds.to(device);            // [B, T]
    input.attentionMask = batch.attentionMask.to(device);  // [B, T]
    if (usePositionIds) input.positionIds = batch.positionIds.to(device);  // [B, T]
    peft::AdaptedInput adapted;
    if (adapter) adapted = adapter->prepareInput(input);
    else adapted.input = input;
    torch::Tensor hidden = model.hidden(adapted.input);  // [B, v + T, H]
    const int64_t length = batch.inputIds.size(1);
    if (adapted.virtualTokenCount > 0) hidden = hidden.narrow(1, adapted.virtualTokenCount, length);  // [B, T, H]
    // Position t predicts token t + 1: only positions whose next token is labelled reach the LM head.
    const torch::Tensor targets = batch.labels.to(device).narrow(1, 1, length - 1);  // [B, T-1]
    const torch::Tensor labelled = targets.ne(data::kIgnoreLabel);                    // [B, T-1]
    torch::Tensor selected = hidden.narrow(1, 0, length - 1).index({labelled});  // [N, H]
    torch::Tensor selectedTargets = targets.index({labelled});                    // [N]
    const int64_t rows = selected.size(0);
    if (count) *count = rows;
    if (rows == 0) return torch::zeros({}, selected.options().dtype(torch::kFloat)) + 0 * model.logits(selected).sum();
    // The LM head GEMM [N, H] x [H, V] runs at half speed when N is not a multiple of 16 (AMX
    // tiles: 222 against 400 GFLOP/s for N = 254 / 256 on GPT-2 small's head): pad with zero rows
    // whose targets are ignored, so they add nothing to the loss or the gradient.
    const int64_t padded = (rows + kHeadRowMultiple - 1) / kHeadRowMultiple * kHeadRowMultiple;
    if (padded != rows) {
        selected = torch::cat({selected, torch::zeros({padded - rows, selected.size(1)}, selected.options())});  // [N', H]
        selectedTargets = torch::cat({selectedTargets, torch::full({padded - rows}, data::kIgnoreLabel, selectedTargets.options())});
    }
    // The logits are a temporary here: their memory takes the gradient.
    return model::crossEntropy(model.logits(selected), selectedTargets, sum,
                               model::LogitsAfterBackward::Overwritten);  // float32 scalar over the N real rows
}

EvalMetrics evaluateExamples(model::CausalLM& model, peft::AdapterMethod* adapter,
                             const std::vector<data::Example>& examples, const EvaluationSettings& settings,
                             const std::function<bool(int64_t done)>& afterBatch) {
    EvalMetrics metrics;
    const size_t batchSize = static_cast<size_t>(std::max<int64_t>(1, settings.batchSize));
    torch::NoGradGuard noGrad;
    const bool wasTraining = model.is_training();
    model.eval();
    double lossSum = 0, tFewSum = 0;
    int64_t tokens = 0, correct = 0, tFewBatches = 0, scored = 0;
    for (size_t begin = 0; begin < examples.size(); begin += batchSize) {
        std::vector<size_t> indices;
        for (size_t i = begin; i < std::min(examples.size(), begin + batchSize); ++i) indices.push_back(i);
        int64_t count = 0;
        const data::Batch batch = data::makeBatch(examples, indices, settings.padId);
        lossSum += labelledTokenLoss(model, adapter, batch, settings.device, settings.usePositionIds, true, &count).item<double>();
        tokens += count;
        if (settings.choices) {
            std::vector<peft::MultipleChoiceExample> choiceBatch;
            for (size_t index : indices) choiceBatch.push_back({examples[index].contextIds, examples[index].choiceIds});
            const peft::ChoiceLogLikelihoods likelihoods =
                peft::scoreChoices(model, adapter, choiceBatch, settings.lengthNorm, settings.padId);
            const torch::Tensor scores = peft::lengthNormalizedScores(likelihoods.tokenLogProbabilities,
                                                                      likelihoods.tokenMask, settings.lengthNorm);  // [B, N]
            const torch::Tensor predicted = peft::rankClassification(scores).cpu();  // [B]
            for (size_t i = 0; i < indices.size(); ++i)
                if (predicted[static_cast<int64_t>(i)].item<int64_t>() == examples[indices[i]].goldIndex) ++correct;
            if (settings.tFew) {
                std::vector<int64_t> gold;
                for (size_t index : indices) gold.push_back(examples[index].goldIndex);
                tFewSum += peft::tFewLosses(likelihoods.tokenLogProbabilities, likelihoods.tokenMask,
                                            torch::tensor(gold, torch::kLong).to(settings.device), *settings.tFew)
                               .total.item<double>();
                ++tFewBatches;
            }
        }
        scored += static_cast<int64_t>(indices.size());
        if (afterBatch && !afterBatch(scored)) break;
    }
    if (wasTraining) model.train();
    metrics.examples = scored;
    metrics.loss = tokens > 0 ? lossSum / static_cast<double>(tokens) : 0.0;
    metrics.perplexity = std::exp(metrics.loss);
    if (settings.choices && scored > 0) metrics.accuracy = static_cast<double>(correct) / static_cast<double>(scored);
    if (tFewBatches > 0) metrics.tFewLoss = tFewSum / static_cast<double>(tFewBatches);
    return metrics;
}

EvaluationSetup prepareEvaluation(const TrainingConfig& requested, const std::function<void(const RunDataset&)>& checkData) {
    TrainingConfig config = requested;
    config.packing = false;  // whole examples, as validation always is
    if (config.threads > 0) torch::set_num_threads(static_cast<int>(config.threads));
    EvaluationSetup setup;
    setup.data = loadRunDataset(config);
    const auto& validation = setup.data.dataset.validation;
    if (validation.empty())
        throw std::runtime_error(config.data + ": no validation examples to score (set validation_fraction above 0 or a validation file)");
    if (checkData) checkData(setup.data);
    const std::optional<torch::Device> device = model::parseDevice(config.device);
    setup.device = device ? *device : model::defaultDevice();
    model::LoadOptions loadOptions;
    loadOptions.device = setup.device;
    loadOptions.dtype = model::parseComputeDtype(resolveComputeDtype(
        config.dtype, setup.device.is_cuda(), setup.device.has_index() ? setup.device.index() : 0));
    setup.computeDtype = model::computeDtypeName(loadOptions.dtype);
    setup.model = model::loadModel(config.model, loadOptions);
    setup.settings.device = setup.device;
    setup.settings.batchSize = config.evalBatchSize > 0 ? config.evalBatchSize : config.batchSize;
    setup.settings.padId = data::padIdFor(setup.data.tokenizer->specialTokens());
    setup.settings.choices = !validation.front().choiceIds.empty();
    setup.settings.lengthNorm = config.lengthNorm;
    return setup;
}

}  // namespace capsule::train
