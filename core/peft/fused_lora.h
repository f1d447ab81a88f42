#pragma once
// One autograd node for a LoRA-adapted linear layer while training on the CPU:
//   y = base(x) + s·(x·Aᵀ)·Bᵀ           (A [r, in], B [out, r]: float32 parameters)
// computed in x's dtype on cast copies of A and B (autocast semantics, as LoraLayer's unfused
// path), with the backward written out:
//   g_B  = g·B                  [N, r]
//   dx   = g·W_baseᵀ + s·g_B·A   one GEMM for the base and the adapter accumulated in place
//   dA   = s·g_Bᵀ·x             [r, in]
//   dB   = s·gᵀ·(x·Aᵀ)          [out, r]
// The unfused graph records ~8 nodes per layer (two casts, mm, scale, addmm_, their backward and
// the sum of the two input gradients, a separate pass over [N, in]); on GPT-2 small that
// bookkeeping costs more than the adapter's GEMMs. The base weight is frozen; it may be stored as
// Conv1D ([in, out]) or nn.Linear ([out, in]).
#include "model/linear.h"

#include <torch/torch.h>

namespace capsule::peft {

/// True when fusedLoraForward applies: CPU, gradients recorded, no LoRA dropout, no lora_B bias,
/// and a base whose weight and bias are frozen (bias="all" trains the base bias: unfused path).
bool fusedLoraApplies(const model::LinearImpl& base, const torch::Tensor& rows, double dropoutProbability,
                      bool hasLoraBias);

/// rows [N, in] in the compute dtype -> [N, out]; differentiable in rows, loraA and loraB.
torch::Tensor fusedLoraForward(model::LinearImpl& base, const torch::Tensor& rows, const torch::Tensor& loraA,
                               const torch::Tensor& loraB, double scaling);

}  // namespace capsule::peft
