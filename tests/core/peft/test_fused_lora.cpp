// The fused LoRA training node (peft/fused_lora.h) against a float64 autograd reference of
//   y = base(x) + s·(x·Aᵀ)·Bᵀ
// for both base layouts (Conv1D [in, out], nn.Linear [out, in]), with and without a base bias,
// float32 and bfloat16 compute, inputs that need a gradient and inputs that do not; the
// conditions under which LoraLayer must not use it; and a whole training step of tiny GPT-2 and
// Llama models with Capsule's CPU kernels on and off (kernel_selection.h).
#include "capsule_test.h"

#include "peft_test_support.h"

#include "model/cross_entropy.h"
#include "model/kernel_selection.h"
#include "peft/fused_lora.h"
#include "peft/lora.h"

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

CAPSULE_TEST(aTrainingStepAgreesWithFusedKernelsOnAndOff) {
    // The whole CPU training path (attention softmax, LayerNorm, GELU, rank update, fused LoRA
    // node, cross-entropy) against LibTorch's own ops: same loss and adapter gradients.
    for (const auto& config : {test::tinyGpt2(), test::tinyLlamaConfig()})
        for (const torch::ScalarType dtype : {torch::kFloat, torch::kBFloat16}) {
            auto model = test::tinyModel(config, 7, dtype);
            auto adapter = std::make_unique<LoraAdapter>(LoraConfig{});
            adapter->apply(*model, WeightInit::Fresh);
            test::randomize(adapter->trainableParameters(), 5, 0.3);
            model->train();
            const torch::Tensor ids = test::tinyInputIds(2, 9, config.vocab);
            auto step = [&](bool fused) {
                model::setFusedKernelsEnabled(fused);
                torch::manual_seed(21);  // the same dropout masks both times
                for (auto& parameter : adapter->trainableParameters()) parameter.mutable_grad() = torch::Tensor();
                model::ForwardInput input;
                input.inputIds = ids;
                const torch::Tensor logits = model->logits(model->hidden(input));  // [B, T, V]
                const torch::Tensor loss = model::crossEntropy(
                    logits.slice(1, 0, -1).reshape({-1, logits.size(-1)}), ids.slice(1, 1).reshape({-1}), false);
                loss.backward();
                std::vector<torch::Tensor> gradients;
                for (auto& parameter : adapter->trainableParameters()) gradients.push_back(parameter.grad().clone());
                model::setFusedKernelsEnabled(true);
                return std::make_pair(loss.item<double>(), gradients);
            };
            const auto [fusedLoss, fusedGradients] = step(true);
            const auto [plainLoss, plainGradients] = step(false);
            const double tolerance = dtype == torch::kFloat ? 1e-5 : 3e-2;
            COMPARE_NEAR(fusedLoss, plainLoss, tolerance * std::max(1.0, std::fabs(plainLoss)));
            COMPARE(fusedGradients.size(), plainGradients.size());
            for (size_t i = 0; i < plainGradients.size(); ++i)
                VERIFY(relativeError(fusedGradients[i], plainGradients[i].to(torch::kDouble)) < 4 * tolerance);
        }
    VERIFY(model::fusedKernelsEnabled());
}
