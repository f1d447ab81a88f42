#include "model/activation.h"

#include "model/fused_gelu.h"

#include <stdexcept>

namespace capsule::model {

namespace {

/// tanh-GELU for float16 on the CPU without autograd, evaluated in float32 with in-place ops
/// (x·sigmoid(2z), see fused_gelu.h). LibTorch 1.13's reduced-precision tanh-GELU kernel is ~3x
/// slower and no more accurate (both are within rounding of the float64 value).
torch::Tensor geluTanhViaFloat(const torch::Tensor& x) {
    constexpr double twoC = 1.5957691216057308;           // 2·√(2/π)
    constexpr double twoCTimesCubic = 0.07135481627159115;  // 2·√(2/π)·0.044715
    const torch::Tensor x32 = x.to(torch::kFloat);
    torch::Tensor gate = (x32 * x32).mul_(twoCTimesCubic).add_(twoC).mul_(x32).sigmoid_();  // pow() is slow here
    return gate.mul_(x32).to(x.scalar_type());
}

bool isHalfInferenceOnCpu(const torch::Tensor& x) {
    return x.scalar_type() == torch::kHalf && x.device().is_cpu() && !(torch::GradMode::is_enabled() && x.requires_grad());
}

}  // namespace

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
        if (fusedGeluApplies(x)) return fusedGeluTanh(x);  // float32 / bfloat16 on the CPU, with autograd
        return isHalfInferenceOnCpu(x) ? geluTanhViaFloat(x) : torch::gelu(x, "tanh");
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
