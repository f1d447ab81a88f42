#pragma once
// Dropout for the CPU whose keep mask comes from a counter-based hash (one 32-bit hash per
// element, vectorised), seeded by one draw from LibTorch's default CPU generator: deterministic
// under torch::manual_seed and restored with the generator's state on resume, as torch::dropout
// is. LibTorch 1.13's bernoulli_ draws element by element (6.8 ms for GPT-2 small's
// [2, 12, 128, 128] attention weights in bfloat16 against ~0.3 ms here). Other devices take
// torch::dropout.
#include <torch/torch.h>

namespace capsule::model {

/// x with each element zeroed with probability p and the rest scaled by 1 / (1 − p) when
/// `training`; x itself otherwise (or when p = 0). Differentiable with respect to x.
torch::Tensor dropout(const torch::Tensor& x, double p, bool training);

}  // namespace capsule::model
