#pragma once
// The T-Few recipe (peft-spec.md §10.5, t-few configs/ia3.json + its dataset configs) as Capsule
// settings: an (IA)³ adapter with PEFT's per-architecture targets (§2.2; Llama family: k_proj,
// v_proj, down_proj as in the paper; GPT-2: c_attn, which also scales the queries, and mlp.c_proj),
// the three-part loss L_LM + L_UL + L_LN with λ = 1 (tfew_losses.h), and t-few's optimisation
// defaults. No LibTorch here.
#include "model/model_config.h"
#include "peft/peft_config.h"

#include <cstdint>
#include <string>

namespace capsule::peft {

/// T-Few's loss weights and length normalisation (t-few Config: mc_loss, unlikely_loss,
/// length_norm; formulas in tfew_losses.h). The defaults are the T-Few recipe of its dataset
/// configs (all 1); t-few's Config class defaults are all 0 (plain language-model loss).
struct TFewLossWeights {
    double mcLoss = 1.0;        // weight of L_LN
    double unlikelyLoss = 1.0;  // weight of L_UL
    double lengthNorm = 1.0;    // λ in score_c
};

struct TFewRecipe {
    Ia3Config ia3;  // targets and feedforward modules resolved for the model, vectors init to ones
    TFewLossWeights losses;
    // Optimisation (t-few ia3.json and Config defaults).
    double learningRate = 3e-3;
    int64_t maxSteps = 1000;
    int64_t batchSize = 8;
    std::string optimizer = "adafactor";  // scale_parameter true, relative_step false, warmup_init false
    double weightDecay = 0.0;
    std::string schedule = "linear_decay_with_warmup";
    double warmupRatio = 0.06;
    double gradientClipNorm = 1.0;
    std::string computeDtype = "bfloat16";
    int64_t maxSequenceLength = 256;
};

/// The recipe for a model of `model`'s type. Throws std::runtime_error (PEFT's "Please specify
/// `target_modules`" message) when PEFT has no IA3 default for its model_type.
TFewRecipe tFewConfig(const model::ModelConfig& model);

}  // namespace capsule::peft
