#include "model/activation.h"

#include <stdexcept>

namespace capsule::model {

Activation activationFromName(const std::string& name) {
    if (name == "gelu_new" || name == "gelu_pytorch_tanh") return Activation::GeluTanh;
    if (name == "gelu") return Activation::GeluExact;
    if (name == "gelu_fast") return Activation::GeluFast;
    if (name == "quick_gelu") return Activation::QuickGelu;
    if (name == "relu") return Activation::Relu;
    if (name == "silu" || name == "swish") return Activation::Silu;
    if (name == "tanh") return Activation::Tanh;
    throw std::invalid_argument("unsupported activation function '" + name + "'");
}

torch::Tensor applyActivation(Activation activation, const torch::Tensor& x) {
    switch (activation) {
    case Activation::GeluTanh:
        return torch::gelu(x, "tanh");
    case Activation::GeluExact:
        return torch::gelu(x);
    case Activation::GeluFast:
        return 0.5 * x * (1.0 + torch::tanh(x * 0.7978845608 * (1.0 + 0.044715 * x * x)));
    case Activation::QuickGelu:
        return x * torch::sigmoid(1.702 * x);
    case Activation::Relu:
        return torch::relu(x);
    case Activation::Silu:
        return torch::silu(x);
    case Activation::Tanh:
        return torch::tanh(x);
    }
    throw std::logic_error("applyActivation: unknown activation");
}

}  // namespace capsule::model
