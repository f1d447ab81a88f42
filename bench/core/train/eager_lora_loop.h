#pragma once
// The training issue's "plain eager LoRA loop", rebuilt as a same-run reference for
// bench_train_step: GPT-2 written with bare LibTorch ops the way a Python training script runs it
// (HF GPT-2's module math, PEFT's LoRA: x·W + b + (x·Aᵀ)·Bᵀ·scale), float32 weights, bfloat16 via
// CPU autocast (as torch.autocast("cpu", torch.bfloat16)), dropout 0.1 as GPT-2's config, logits
// and cross-entropy over every position and the whole vocabulary, AdamW on the LoRA matrices.
// None of Capsule's kernels or shortcuts: the denominator of "≈ 1.3× the eager loop".
#include <torch/torch.h>

#include <cstdint>

namespace capsule::bench {

struct EagerShape {
    int64_t layers = 12, hidden = 768, heads = 12, vocabulary = 50257, positions = 1024;
    int64_t batch = 2, length = 128, rank = 8;
};

/// Mean tokens/s over `steps` steps after one warm-up step. float32 runs without autocast;
/// bfloat16 and float16 run under CPU autocast to that dtype.
double eagerLoraTokensPerSecond(const EagerShape& shape, torch::ScalarType dtype, int64_t steps);

}  // namespace capsule::bench
