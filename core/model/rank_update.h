#pragma once
// y += bias + s·L·R in place, in one pass over y with float32 accumulation, for the small inner
// dimension of LoRA (L [N, r], R [r, out], r ≤ kMaxRankUpdate) and for bias-only updates (r = 0).
// LibTorch 1.13's bfloat16 GEMM with beta = 1 (addmm_, addmm with a bias) costs 0.1-0.6 ms more
// than the plain GEMM on GPT-2 small's [256, 768] x [768, 2304] (measured), and a broadcast bf16
// bias add_ another 0.1 ms; here the whole update reads and writes y once: ~0.03 ms.
// Not differentiable: for use inside autograd Functions or with constant (frozen) operands.
#include <torch/torch.h>

#include <cstdint>

namespace capsule::model {

constexpr int64_t kMaxRankUpdate = 64;

/// True for a contiguous CPU y [N, out] of float32 or bfloat16 and 0 ≤ rank ≤ kMaxRankUpdate.
bool rankUpdateApplies(const torch::Tensor& y, int64_t rank);

/// y [N, out] += bias [out] (when defined) + scale · low [N, r] · lowToOut [r, out] (when defined).
/// Operands in y's dtype; low and lowToOut contiguous.
void addRankUpdate(torch::Tensor& y, const torch::Tensor& bias, const torch::Tensor& low, const torch::Tensor& lowToOut,
                   double scale);

}  // namespace capsule::model
