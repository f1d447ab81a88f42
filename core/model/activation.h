#pragma once
// The activation functions config.json can name (transformers' ACT2FN subset these families use).
#include <torch/torch.h>

#include <string>

namespace capsule::model {

enum class Activation {
    GeluTanh,   // "gelu_new", "gelu_pytorch_tanh": 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    GeluExact,  // "gelu": x·Φ(x) (erf form)
    GeluFast,   // "gelu_fast": the tanh form written as 0.5·x·(1 + tanh(0.7978845608·x·(1 + 0.044715·x²)))
    QuickGelu,  // "quick_gelu": x·sigmoid(1.702·x)
    Relu,
    Silu,       // "silu", "swish": x·sigmoid(x)
    Tanh,
};

/// Throws std::invalid_argument naming `name` when it is not one of the names above.
Activation activationFromName(const std::string& name);

torch::Tensor applyActivation(Activation activation, const torch::Tensor& x);

}  // namespace capsule::model
