#pragma once
// Scoring a model, with or without a PEFT adapter, on tokenized examples: the language-model loss
// on the labelled tokens only (nothing is computed for the rest: the LM head runs on the positions
// whose next token is trained on), and for multiple-choice / classification data the
// rank-classification accuracy (argmin of the length-normalised NLL over the choices, T-Few §10.4)
// and optionally T-Few's validation loss. The trainer's evaluation and the in-context-learning
// baseline (icl_baseline.h) both run through here, so their numbers mean the same thing.
//
// Dimension letters: B batch, T tokens, v virtual tokens of a prompt method, H hidden, V vocab,
// N labelled positions.
#include "data/batcher.h"
#include "data/example.h"
#include "model/causal_lm.h"
#include "peft/adapter.h"
#include "peft/tfew_recipe.h"
#include "train/run_dataset.h"
#include "train/training_config.h"
#include "train/training_observer.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <optional>
#include <vector>

namespace capsule::train {

/// Cross-entropy of the labelled tokens of `batch` (labels −100 elsewhere), in float32: the mean
/// (sum = false) or the sum over them (sum = true). `adapter` may be null (the bare model); with
/// one, its prepareInput() runs first and virtual tokens are dropped. `usePositionIds`: the batch's
/// own position ids (packed rows). `count` receives the number of labelled tokens. Autograd flows
/// when grad mode is on.
torch::Tensor labelledTokenLoss(model::CausalLM& model, peft::AdapterMethod* adapter, const data::Batch& batch,
                                const torch::Device& device, bool usePositionIds, bool sum, int64_t* count = nullptr);

struct EvaluationSettings {
    torch::Device device{torch::kCPU};
    int64_t batchSize = 8;
    int64_t padId = 0;
    bool usePositionIds = false;  // packed rows
    /// Score the choices of every example (multiple-choice / classification data): accuracy.
    bool choices = false;
    double lengthNorm = 1.0;      // λ of the length-normalised scores
    /// Set: also T-Few's validation loss (L_LM + mc·L_LN + ul·L_UL), averaged over batches.
    std::optional<peft::TFewLossWeights> tFew;
};

/// Evaluates `examples` in batches of settings.batchSize, in order, under NoGradGuard, with the
/// model in eval mode (its previous mode is restored). EvalMetrics.step is left 0 for the caller.
/// `afterBatch(done)` is called after each batch with the number of examples scored so far; when
/// it returns false the evaluation stops there and the metrics cover the examples scored.
EvalMetrics evaluateExamples(model::CausalLM& model, peft::AdapterMethod* adapter,
                             const std::vector<data::Example>& examples, const EvaluationSettings& settings,
                             const std::function<bool(int64_t done)>& afterBatch = {});

/// What scoring a config's validation split outside a training run needs (the in-context baseline,
/// an adapter folder's evaluation): the data loaded as the trainer loads it (packing off), the model
/// at the config's device and compute dtype, and the trainer's evaluation settings.
struct EvaluationSetup {
    RunDataset data;                        // data.dataset.validation is not empty
    std::shared_ptr<model::CausalLM> model;
    torch::Device device{torch::kCPU};
    std::string computeDtype;               // "float32", "bfloat16", ...
    EvaluationSettings settings;
};

/// Sets config.threads, loads the data, checks it has validation examples (std::runtime_error naming
/// the file otherwise), calls `checkData` (may throw: checks that should fail before the model
/// loads), then loads the model.
EvaluationSetup prepareEvaluation(const TrainingConfig& config,
                                  const std::function<void(const RunDataset&)>& checkData = {});

}  // namespace capsule::train
