#pragma once
// The in-context-learning baseline (the seed paper, T-Few, compares PEFT with ICL): the untouched
// base model scored on a run's validation examples with k demonstrations from its training set
// placed in the prompt, with the same scoring as the runs (token loss of the answer, and for
// multiple-choice / classification data rank-classification accuracy), plus what that costs at
// inference: prompt tokens and wall time per example. Users see what fine-tuning buys over
// prompting, on their own data.
//
// The protocol (GPT-3's few-shot evaluation): for every validation example, k distinct training
// examples are drawn (seeded, so the same settings give the same prompts), each rendered with the
// run's template together with its gold answer, and concatenated in front of the example's own
// prompt: demo_1 ‖ … ‖ demo_k ‖ prompt. A leading BOS is kept only at the very start. When the
// prompt plus the longest answer would not fit the model's context (max_position_embeddings),
// the demonstrations farthest from the question are dropped one by one, and the result says for
// how many examples that happened. Truncated training examples are not used as demonstrations.
// Datasets load exactly as for training (run_dataset.h), packing off.
#include "data/dataset_loader.h"
#include "data/example.h"
#include "train/training_config.h"
#include "train/training_observer.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace capsule::train {

struct IclOptions {
    int64_t shots = 4;           // k demonstrations per example (0 = zero-shot)
    uint64_t seed = 42;          // which demonstrations are drawn
    int64_t maxExamples = 0;     // score at most this many validation examples (0 = all)
};

struct IclResult {
    EvalMetrics metrics;                 // step 0; loss, perplexity, accuracy (choice data)
    int64_t shots = 0;                   // requested k
    double meanShots = 0;                // demonstrations actually in the prompt, on average
    int64_t examplesWithFewerShots = 0;  // prompts that had to drop demonstrations to fit
    int64_t contextLimit = 0;            // the model's context length used for fitting
    double meanPromptTokens = 0;         // tokens before the answer, demonstrations included
    double meanZeroShotPromptTokens = 0; // the same prompts without demonstrations (what a
                                         // fine-tuned model reads per example)
    double scoringSeconds = 0;           // wall time of scoring the examples (model loaded)
    double secondsPerExample = 0;        // scoringSeconds / examples
    double loadSeconds = 0;              // tokenizer, data and model loading
    int64_t totalParameters = 0;
    std::string device;                  // "cpu", "cuda:0"
    std::string computeDtype;            // "float32", "bfloat16"
    bool cancelled = false;              // stopped by the progress callback (metrics cover what was scored)
    /// "file:line" of the demonstrations of the first scored example, for the report.
    std::vector<std::string> firstDemonstrations;
};

/// The prompts of the baseline, before scoring (exposed for tests and previews).
struct IclPrompts {
    /// One per scored validation example, in validation order: inputIds / labels / contextIds with
    /// the demonstrations in front (labels −100 on them), choices and gold index unchanged.
    std::vector<data::Example> prompts;
    double meanShots = 0;
    int64_t examplesWithFewerShots = 0;
    double meanPromptTokens = 0;
    double meanZeroShotPromptTokens = 0;
    std::vector<std::string> firstDemonstrations;  // "file:line" of the first prompt's demonstrations
};

/// Builds the prompts for `dataset`'s validation examples (options.maxExamples of them when set)
/// by the protocol above. `bos`: the tokenizer's BOS id, kept only at the start of a prompt.
/// Every prompt plus its longest answer fits `contextLimit` tokens unless the example alone does
/// not. Throws std::runtime_error naming the dataset file when k > 0 and the training split has
/// fewer than k usable examples.
IclPrompts buildInContextPrompts(const data::LoadedDataset& dataset, const IclOptions& options,
                                 const std::optional<int64_t>& bos, int64_t contextLimit);

/// Called after each scored batch with the examples done and the total; return false to stop.
using IclProgress = std::function<bool(int64_t done, int64_t total)>;

/// Runs the baseline for config's model and data (config.method and its options are ignored).
/// Throws std::invalid_argument for bad options (negative shots) and std::runtime_error naming the
/// file for a dataset with no validation examples, no training examples to draw from (k > 0), or
/// a model / tokenizer / data problem.
IclResult evaluateInContext(const TrainingConfig& config, const IclOptions& options, const IclProgress& progress = {});

/// The run-store record of a baseline: method "icl", config = the training config's JSON with
/// "method": "icl", "shots", "icl_seed" and "max_examples"; metrics at step 0 (eval_loss,
/// eval_perplexity, accuracy, and the costs icl_prompt_tokens, icl_zero_shot_prompt_tokens,
/// icl_seconds_per_example, icl_mean_shots); best eval = accuracy (else eval loss); 0 trainable
/// parameters; status finished (cancelled when it was stopped). Returns the run id.
/// Throws what RunStore throws (naming the store file).
int64_t recordIclBaseline(const std::string& storePath, const TrainingConfig& config, const IclOptions& options,
                          const IclResult& result, const std::string& runName = {});

/// "ICL 4-shot" (the default run name).
std::string iclRunName(int64_t shots);

}  // namespace capsule::train
