// The fused LoRA training node (peft/fused_lora.h) against a float64 autograd reference of
//   y = base(x) + s·(x·Aᵀ)·Bᵀ
// for both base layouts (Conv1D [in, out], nn.Linear [out, in]), with and without a base bias,
// float32 and bfloat16 compute, inputs that need a gradient and inputs that do not; and the
// conditions under which LoraLayer must not use it.
#include "capsule_test.h"

#include "peft/fused_lora.h"

using namespace capsule;
using namespace capsule::peft;

namespace {

double relativeError(const torch::Tensor& actual, const torch::Tensor& expected) {
    return (actual.to(torch::kDouble) - expected).abs().max().item<double>() / (expected.abs().max().item<double>() + 1e-12);
}

void checkLayout(bool fanInFanOut, bool bias, torch::ScalarType dtype, bool inputNeedsGradient) {
    torch::manual_seed(fanInFanOut * 2 + bias + 17);
    const int64_t in = 48, out = 40, rank = 4, rows = 13;
    const double scaling = 2.5;
    model::LinearImpl base(model::LinearOptions{in, out, bias, fanInFanOut, torch::TensorOptions().dtype(dtype)});
    {
        torch::NoGradGuard noGrad;
        base.weight.copy_(torch::randn(base.weight.sizes()) * 0.2);
        if (bias) base.bias.copy_(torch::randn({out}));
    }
    base.weight.requires_grad_(false);
    if (bias) base.bias.requires_grad_(false);
    const torch::Tensor loraA = (torch::randn({rank, in}) * 0.3).requires_grad_();   // [r, in]
    const torch::Tensor loraB = (torch::randn({out, rank}) * 0.3).requires_grad_();  // [out, r]
    const torch::Tensor x = torch::randn({rows, in}).to(dtype).requires_grad_(inputNeedsGradient);
    const torch::Tensor g = torch::randn({rows, out}).to(dtype);

    // Reference in float64 on the same (rounded) values.
    const torch::Tensor wide = x.detach().to(torch::kDouble).requires_grad_();
    const torch::Tensor a64 = loraA.detach().to(torch::kDouble).requires_grad_();
    const torch::Tensor b64 = loraB.detach().to(torch::kDouble).requires_grad_();
    const torch::Tensor w64 = base.weight.detach().to(torch::kDouble);
    torch::Tensor expected = fanInFanOut ? wide.mm(w64) : wide.mm(w64.t());
    if (bias) expected = expected + base.bias.detach().to(torch::kDouble);
    expected = expected + scaling * wide.mm(a64.t()).mm(b64.t());
    expected.backward(g.to(torch::kDouble));

    VERIFY(fusedLoraApplies(base, x, 0.0, false));
    const torch::Tensor y = fusedLoraForward(base, x, loraA, loraB, scaling);
    COMPARE(y.scalar_type(), dtype);
    y.backward(g);
    // float32: GEMM rounding; bfloat16: products of bf16 operands rounded to bf16 (2^-8) with a
    // few roundings along the way.
    const double tolerance = dtype == torch::kFloat ? 1e-5 : 3e-2;
    VERIFY(relativeError(y, expected.detach()) < tolerance);
    COMPARE(loraA.grad().scalar_type(), torch::kFloat);
    COMPARE(loraB.grad().scalar_type(), torch::kFloat);
    VERIFY(relativeError(loraA.grad(), a64.grad()) < tolerance);
    VERIFY(relativeError(loraB.grad(), b64.grad()) < tolerance);
    if (inputNeedsGradient) VERIFY(relativeError(x.grad(), wide.grad()) < tolerance);
    else VERIFY(!x.grad().defined());
    VERIFY(!base.weight.grad().defined());
}

}  // namespace

CAPSULE_TEST(fusedLoraMatchesFloat64ReferenceInEveryLayout) {
    for (const torch::ScalarType dtype : {torch::kFloat, torch::kBFloat16})
        for (bool fanInFanOut : {true, false})
            for (bool bias : {true, false})
                for (bool inputNeedsGradient : {true, false}) checkLayout(fanInFanOut, bias, dtype, inputNeedsGradient);
}

CAPSULE_TEST(fusedLoraStaysOutOfTheWayWhereItCannotApply) {
    model::LinearImpl base(model::LinearOptions{8, 6, true, true, torch::TensorOptions()});
    base.weight.requires_grad_(false);
    base.bias.requires_grad_(false);
    const torch::Tensor x = torch::randn({3, 8});
    VERIFY(fusedLoraApplies(base, x, 0.0, false));
    VERIFY(!fusedLoraApplies(base, x, 0.1, false));  // LoRA dropout: the unfused path masks x
    VERIFY(!fusedLoraApplies(base, x, 0.0, true));   // lora_B bias
    {
        torch::NoGradGuard noGrad;  // inference keeps PEFT's float32 adapter path
        VERIFY(!fusedLoraApplies(base, x, 0.0, false));
    }
    base.bias.requires_grad_(true);  // bias="all": the base bias trains and needs its gradient
    VERIFY(!fusedLoraApplies(base, x, 0.0, false));
}
