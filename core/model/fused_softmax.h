#pragma once
// The attention weights softmax(scores with blocked positions at the dtype's lowest value) over the
// last dimension, as one vectorised CPU pass forward and one backward, for float32 and bfloat16,
// with autograd. Equal (to float32 rounding) to
//   torch::softmax(scores.masked_fill(blocked, lowest), -1, torch::kFloat).to(scores.dtype())
// with its gradient: dS = P ∘ (dP − Σ_j P_j·dP_j), zero at blocked positions (masked_fill's
// backward), so a fully blocked row is uniform forward and passes no gradient back.
// Statistics are float32; the saved tensor is the output P in the scores' dtype.
//
// LibTorch 1.13's path costs a masked_fill, a float32 softmax, two casts and their backward
// (float32 softmax backward, cast backward, masked_fill backward): ~6 passes over [B, n, T, S]
// and a float32 copy kept for backward. This is one pass each way.
#include <torch/torch.h>

namespace capsule::model {

/// True for CPU tensors of float32 or bfloat16, where maskedSoftmax applies.
bool fusedSoftmaxApplies(const torch::Tensor& scores);

/// scores [B, n, T, S]; blocked bool [B|1, n|1, T, S] (true = masked) or undefined (nothing
/// masked). Returns the weights [B, n, T, S] in the scores' dtype; differentiable in scores.
torch::Tensor maskedSoftmax(const torch::Tensor& scores, const torch::Tensor& blocked);

}  // namespace capsule::model
