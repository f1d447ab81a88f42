#pragma once
// LayerNorm over the last dimension of a bfloat16 or float32 CPU tensor as one vectorised pass
// forward and one backward (input gradient), with float32 statistics:
//   y  = x̂·w + b,  x̂ = (x − μ)·ρ,  ρ = 1/√(σ² + ε)   (biased variance, as torch::layer_norm)
//   dx = ρ·(g·w − mean(g·w) − x̂·mean(g·w·x̂))
// Saved for backward: x in its dtype and μ, ρ [rows] in float32. Weight and bias are treated
// as constants (frozen base); callers whose norm weights train use torch::layer_norm.
// LibTorch 1.13's bfloat16 layer_norm is 2-3x slower than a float32 round trip, and the round
// trip costs two casts forward and two backward over [B, T, H].
#include <torch/torch.h>

namespace capsule::model {

/// True for CPU x of float32 or bfloat16 whose weight and bias need no gradient.
bool fusedLayerNormApplies(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

/// x [..., H], weight and bias [H] (any floating dtype) -> [..., H] in x's dtype; differentiable in x.
torch::Tensor fusedLayerNorm(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias, double epsilon);

}  // namespace capsule::model
