#pragma once
// Pre-training of the built-in demo's base model (train/demo_assets.h), with all its parameters
// trainable: what turns a random tiny GPT-2 into a base model that PEFT methods can adapt.
//
// The lines (in the demo task's rendered layout, "<context>\n<label><eos>"):
//   "[filler..] sentiment : the <noun> was <adj>\n<polarity of adj>"
//   "[filler..] opposite : the <noun> was <adj>\n<the other polarity>"
//   "the <noun> was <adj> and <adj of the same polarity> ."
// Both cues are equally frequent, so on the demo task (no cue) the base model is at chance: every
// method has to learn what the cue did. The third kind teaches the adjectives' polarity by plain
// language modelling; without it the cue logic (an XOR of cue and polarity) takes far longer.
#include "model/causal_lm.h"

#include <cstdint>
#include <functional>
#include <string>

namespace capsule::train {

/// Called every 100 steps: step, training loss, accuracy of the label on that batch's cue lines.
using PretrainProgress = std::function<void(int64_t step, double loss, double labelAccuracy)>;

/// Trains `network` in place for `steps` AdamW steps (batch 32, lr 3e-3) on lines drawn from
/// `seed`, tokenized with the tokenizer in `tokenizerFolder`. Leaves every parameter frozen.
void pretrainDemoModel(model::CausalLM& network, const std::string& tokenizerFolder, uint64_t seed, int64_t steps,
                       const PretrainProgress& progress = {});

}  // namespace capsule::train
