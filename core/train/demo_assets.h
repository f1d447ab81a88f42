#pragma once
// The built-in demo: a tiny GPT-2-shaped model with its own word-level byte-level-BPE tokenizer,
// and a templated sentiment task with two choices, so `capsule-cli demo`, the studio's first
// launch and the tests need no downloads. No LibTorch here.
//
// Task: "the <noun> was <adjective>" -> "positive" / "negative" (multiple choice, chance = 50 %).
// The base model is pre-trained (train/demo_pretraining.h) so that it knows the words and two cue
// phrases but is at chance on the task itself; every PEFT method can lift it well above chance in
// a few hundred steps. The pre-trained model ships in resources/demo/model (made by
// `capsule-cli demo --make-model DIR`); where it is missing it is made again (about a minute).
#include "train/training_config.h"

#include <cstdint>
#include <functional>
#include <string>

namespace capsule::train {

inline constexpr int64_t kDemoPretrainSteps = 3000;

struct DemoModelShape {
    int64_t hiddenSize = 64;
    int64_t layers = 2;
    int64_t heads = 4;
    int64_t maxPositions = 128;
};

/// Writes config.json, tokenizer.json, tokenizer_config.json and model.safetensors into `folder`
/// (created): random weights from `seed`, then `pretrainSteps` steps of full-parameter pre-training
/// on generated lines in which a cue word ("sentiment :" / "opposite :") decides the label, so the
/// base model knows the words but not the demo task (which has no cue): every PEFT method can
/// then raise the accuracy above chance within a minute. pretrainSteps 0 = random weights (tests).
void writeDemoModel(const std::string& folder, uint64_t seed = 1234, const DemoModelShape& shape = {},
                    int64_t pretrainSteps = kDemoPretrainSteps,
                    const std::function<void(int64_t step, double loss, double labelAccuracy)>& progress = {});

/// Writes `count` multiple-choice JSONL rows ({"question", "choices", "answer"}) to `path`,
/// drawn from `seed`; half of them positive.
void writeDemoDataset(const std::string& path, int64_t count, uint64_t seed = 7);

/// $XDG_CACHE_HOME/capsule/demo, else ~/.cache/capsule/demo.
std::string defaultDemoFolder();

/// The shipped demo model folder, the first that holds a model.safetensors of: $CAPSULE_DEMO_MODEL,
/// <executable>/../share/capsule/demo/model (installed), the source tree's resources/demo/model
/// (build tree). "" when none does.
std::string bundledDemoModelFolder();

struct DemoAssets {
    std::string modelFolder;   // the shipped model, or <folder>/model when it had to be made
    std::string datasetPath;   // <folder>/sentiment.jsonl
};

/// The demo's model and dataset, making what is missing: the dataset (640 rows) in `folder`, and
/// the model in `folder`/model when no shipped one is found (`log` is told, pre-training progress
/// included).
DemoAssets ensureDemoAssets(const std::string& folder, const std::function<void(const std::string&)>& log = {});

/// The demo's training settings for `method` (a methodNames() entry): batch 16, a fifth of the rows
/// held out, evaluation at the start and four times during the run, a learning rate that suits the
/// method on this tiny model, AdaLoRA's schedule scaled to `maxSteps`. The adapter goes to `out`.
TrainingConfig demoTrainingConfig(const DemoAssets& assets, const std::string& method, int64_t maxSteps,
                                  const std::string& out);

}  // namespace capsule::train
