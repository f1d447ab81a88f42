// The fused CPU kernels against float64 LibTorch references: cross-entropy (value and gradient,
// float32 and bfloat16 logits, ignored rows, sum and mean, bad targets), tanh-GELU (value and
// gradient, tails), and dropout (seeded, keep rate, scale, gradient equals the mask, p = 0 / 1).
#include "capsule_test.h"

#include "model/activation.h"
#include "model/cross_entropy.h"
#include "model/dropout.h"
#include "model/fused_gelu.h"

using namespace capsule;

namespace {

double maxDifference(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

/// Reference cross-entropy in float64 on the same (rounded) logits: value and gradient.
std::pair<double, torch::Tensor> referenceCrossEntropy(const torch::Tensor& logits, const torch::Tensor& targets, bool sum) {
    torch::Tensor wide = logits.detach().to(torch::kDouble).requires_grad_();
    torch::nn::functional::CrossEntropyFuncOptions options;
    if (sum) options.reduction(torch::kSum);
    const torch::Tensor loss = torch::nn::functional::cross_entropy(wide, targets, options);
    loss.backward();
    return {loss.item<double>(), wide.grad()};
}

void checkCrossEntropy(torch::ScalarType dtype, bool sum, double gradientTolerance) {
    torch::manual_seed(3);
    // 37 rows (not a multiple of the vector width), 1003 columns (a ragged tail), large logits.
    const torch::Tensor logits = (torch::randn({37, 1003}) * 6.0).to(dtype).requires_grad_();  // [N, V]
    torch::Tensor targets = torch::randint(1003, {37}, torch::kLong);                          // [N]
    targets[5] = -100;
    targets[20] = -100;
    const auto [expected, expectedGradient] = referenceCrossEntropy(logits, targets, sum);
    const torch::Tensor loss = model::crossEntropy(logits, targets, sum);
    COMPARE(loss.scalar_type(), torch::kFloat);
    COMPARE_NEAR(loss.item<double>(), expected, 1e-5 * std::max(1.0, std::fabs(expected)));
    loss.backward();
    COMPARE(logits.grad().scalar_type(), dtype);
    VERIFY(maxDifference(logits.grad(), expectedGradient) < gradientTolerance);
    VERIFY(logits.grad()[5].abs().sum().item<double>() == 0.0);  // ignored rows get no gradient
}

}  // namespace

CAPSULE_TEST(crossEntropyFloat32MatchesFloat64) {
    checkCrossEntropy(torch::kFloat, false, 1e-7);
    checkCrossEntropy(torch::kFloat, true, 1e-6);
}

CAPSULE_TEST(crossEntropyBfloat16MatchesFloat64OnTheSameLogits) {
    // The loss is float32 from bf16 inputs; the gradient is rounded once to bf16 (2^-9 relative).
    checkCrossEntropy(torch::kBFloat16, false, 1.0 / 37 * 4e-3);
    checkCrossEntropy(torch::kBFloat16, true, 4e-3);
}

CAPSULE_TEST(crossEntropyChecksItsInput) {
    const torch::Tensor logits = torch::zeros({2, 5});
    VERIFY_THROWS(model::crossEntropy(logits, torch::tensor({1, 5}, torch::kLong), false), "target 5 is outside the 5-token");
    VERIFY_THROWS(model::crossEntropy(logits, torch::tensor({1, -3}, torch::kLong), false), "target -3");
    VERIFY_THROWS(model::crossEntropy(logits, torch::tensor({1}, torch::kLong), false), "[N, V]");
    // Uniform logits: the loss is log V exactly.
    COMPARE_NEAR(model::crossEntropy(logits, torch::tensor({1, 4}, torch::kLong), false).item<double>(), std::log(5.0), 1e-6);
}

CAPSULE_TEST(fusedGeluMatchesFloat64TanhGelu) {
    for (const torch::ScalarType dtype : {torch::kFloat, torch::kBFloat16}) {
        torch::manual_seed(5);
        torch::Tensor x = torch::randn({3, 7, 301}) * 3.0;  // ragged length, tails included below
        x[0][0][0] = 40.0;
        x[0][0][1] = -40.0;
        x[0][0][2] = 0.0;
        x = x.to(dtype).requires_grad_();
        const torch::Tensor gradOutput = torch::randn({3, 7, 301}).to(dtype);
        torch::Tensor wide = x.detach().to(torch::kDouble).requires_grad_();
        const torch::Tensor expected = torch::gelu(wide, "tanh");
        expected.backward(gradOutput.to(torch::kDouble));

        VERIFY(model::fusedGeluApplies(x));
        const torch::Tensor y = model::applyActivation(model::Activation::GeluTanh, x);
        COMPARE(y.scalar_type(), dtype);
        y.backward(gradOutput);
        // float32: a few ulp; bfloat16: one rounding of values up to 40 (ulp 0.25) -> relative 2^-8.
        const double relative = dtype == torch::kFloat ? 1e-6 : 8e-3;
        VERIFY(((y.to(torch::kDouble) - expected).abs() / (expected.abs() + 1.0)).max().item<double>() < relative);
        const torch::Tensor expectedGradient = wide.grad();
        VERIFY(((x.grad().to(torch::kDouble) - expectedGradient).abs() / (expectedGradient.abs() + 1.0)).max().item<double>() <
               (dtype == torch::kFloat ? 1e-5 : 2e-2));
        VERIFY(std::fabs(y[0][0][1].item<double>()) < 1e-30);  // gelu(-40) ~ -1e-347: ~0, not NaN
        COMPARE(y[0][0][0].item<double>(), 40.0);
    }
    VERIFY(!model::fusedGeluApplies(torch::zeros({2}, torch::kDouble)));
}

CAPSULE_TEST(dropoutIsSeededKeepsTheRateAndScales) {
    for (const torch::ScalarType dtype : {torch::kFloat, torch::kBFloat16}) {
        const torch::Tensor ones = torch::ones({4, 100003}, dtype);
        torch::manual_seed(11);
        const torch::Tensor first = model::dropout(ones, 0.25, true);
        const torch::Tensor second = model::dropout(ones, 0.25, true);
        torch::manual_seed(11);
        VERIFY(model::dropout(ones, 0.25, true).equal(first));  // the global seed decides the mask
        VERIFY(!second.equal(first));                           // and each call draws a new one
        const double kept = first.ne(0).to(torch::kDouble).mean().item<double>();
        COMPARE_NEAR(kept, 0.75, 0.005);  // 400,012 draws: 5 standard deviations ~ 0.0034
        const double scale = first.max().item<double>();
        COMPARE_NEAR(scale, 1.0 / 0.75, dtype == torch::kFloat ? 1e-6 : 1e-2);
        COMPARE(first.min().item<double>(), 0.0);
        // Neighbouring elements are independent: P(both kept) ~ 0.75².
        const torch::Tensor keep = first.ne(0).flatten().to(torch::kDouble);
        COMPARE_NEAR((keep.slice(0, 0, -1) * keep.slice(0, 1)).mean().item<double>(), 0.5625, 0.005);
    }
    const torch::Tensor x = torch::randn({8, 33}).requires_grad_();
    VERIFY(model::dropout(x, 0.3, false).equal(x));  // eval: identity
    VERIFY(model::dropout(x, 0.0, true).equal(x));
    COMPARE(model::dropout(x, 1.0, true).abs().sum().item<double>(), 0.0);
    VERIFY_THROWS(model::dropout(x, 1.5, true), "outside [0, 1]");
}

CAPSULE_TEST(dropoutGradientIsTheMask) {
    torch::manual_seed(2);
    const torch::Tensor x = torch::randn({16, 257}).requires_grad_();
    const torch::Tensor y = model::dropout(x, 0.1, true);
    y.sum().backward();
    const torch::Tensor mask = y.detach() / x.detach();  // scale where kept, 0 where dropped
    VERIFY(maxDifference(x.grad(), mask) < 1e-5);
}
