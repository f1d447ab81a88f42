// The fused CPU kernels against float64 LibTorch references: cross-entropy (value and gradient,
// float32 and bfloat16 logits, ignored rows, sum and mean, bad targets), tanh-GELU (value and
// gradient, tails), dropout (seeded, keep rate, scale, gradient equals the mask, p = 0 / 1) and the
// masked attention softmax (causal, padded and fully blocked rows; value and gradient), LayerNorm
// and the in-place rank update (bias and/or s·L·R).
#include "capsule_test.h"

#include "model/activation.h"
#include "model/cross_entropy.h"
#include "model/dropout.h"
#include "model/fused_gelu.h"
#include "model/fused_layer_norm.h"
#include "model/fused_softmax.h"
#include "model/rank_update.h"

#include <limits>

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

CAPSULE_TEST(crossEntropyCanWriteItsGradientOverTheLogits) {
    for (const torch::ScalarType dtype : {torch::kFloat, torch::kBFloat16}) {
        torch::manual_seed(4);
        const torch::Tensor leaf = (torch::randn({19, 517}) * 4.0).to(dtype).requires_grad_();  // [N, V]
        torch::Tensor targets = torch::randint(517, {19}, torch::kLong);                        // [N]
        targets[3] = -100;
        const torch::Tensor kept = leaf * 1.0;  // a non-leaf, as an LM head's output is
        model::crossEntropy(kept, targets, false).backward();
        const torch::Tensor expected = leaf.grad().clone();
        const torch::Tensor keptValues = (leaf * 1.0).detach();
        VERIFY(torch::equal(kept.detach(), keptValues));  // Kept: the logits are untouched
        leaf.grad().zero_();

        const torch::Tensor overwritten = leaf * 1.0;
        const torch::Tensor loss = model::crossEntropy(overwritten, targets, false, model::LogitsAfterBackward::Overwritten);
        loss.backward();
        VERIFY(torch::equal(leaf.grad(), expected));            // the same gradient, bit for bit
        VERIFY(torch::equal(overwritten.detach(), expected));  // written where the logits were
    }
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

namespace {

/// The reference attention weights in float64 on the same (rounded) scores: masked_fill with the
/// float32 lowest value, softmax, and the gradient of Σ weights·gradOutput.
std::pair<torch::Tensor, torch::Tensor> referenceMaskedSoftmax(const torch::Tensor& scores, const torch::Tensor& blocked,
                                                               const torch::Tensor& gradOutput) {
    torch::Tensor wide = scores.detach().to(torch::kDouble).requires_grad_();
    torch::Tensor filled = wide;
    if (blocked.defined()) filled = wide.masked_fill(blocked, std::numeric_limits<float>::lowest());
    const torch::Tensor weights = torch::softmax(filled, -1);
    weights.backward(gradOutput.to(torch::kDouble));
    return {weights.detach(), wide.grad()};
}

}  // namespace

CAPSULE_TEST(maskedSoftmaxMatchesFloat64MaskedFillSoftmax) {
    for (const torch::ScalarType dtype : {torch::kFloat, torch::kBFloat16}) {
        torch::manual_seed(7);
        const int64_t batch = 3, heads = 4, length = 37, keys = 41;  // ragged row length
        const torch::Tensor scores = (torch::randn({batch, heads, length, keys}) * 4.0).to(dtype).requires_grad_();
        const torch::Tensor gradOutput = torch::randn({batch, heads, length, keys}).to(dtype);
        // Causal with 4 past keys, and per-batch padding; batch 2's row 0 is fully blocked.
        const torch::Tensor query = torch::arange(4, 4 + length).view({length, 1});
        const torch::Tensor key = torch::arange(keys).view({1, keys});
        torch::Tensor padding = torch::zeros({batch, 1, 1, keys}, torch::kBool);
        padding[1].slice(-1, 0, 3).fill_(true);
        torch::Tensor blocked = (key > query).view({1, 1, length, keys}) | padding;  // [B, 1, T, S]
        blocked[2][0][0].fill_(true);
        for (const torch::Tensor& mask : {torch::Tensor(), (key > query).view({1, 1, length, keys}), blocked}) {
            VERIFY(model::fusedSoftmaxApplies(scores));
            const auto [expected, expectedGradient] = referenceMaskedSoftmax(scores, mask, gradOutput);
            scores.mutable_grad() = torch::Tensor();
            const torch::Tensor weights = model::maskedSoftmax(scores, mask);
            COMPARE(weights.scalar_type(), dtype);
            weights.backward(gradOutput);
            // float32: a few ulp; bfloat16: one rounding of each output (relative 2^-9).
            VERIFY(maxDifference(weights, expected) < (dtype == torch::kFloat ? 1e-6 : 4e-3));
            // The gradient is computed from the rounded weights: bfloat16 errors ~ 2^-8 of |P·dP|.
            VERIFY(maxDifference(scores.grad(), expectedGradient) < (dtype == torch::kFloat ? 1e-5 : 3e-2));
        }
        // The fully blocked row is uniform and passes no gradient; blocked keys get weight 0.
        const torch::Tensor weights = model::maskedSoftmax(scores, blocked);
        VERIFY(maxDifference(weights[2][1][0], torch::full({keys}, 1.0 / keys)) < 4e-3);
        COMPARE(weights[1][0][20].slice(0, 0, 3).abs().sum().item<double>(), 0.0);
        COMPARE(weights[0][3][0].slice(0, 5).abs().sum().item<double>(), 0.0);
        COMPARE(scores.grad()[2][0][0].abs().sum().item<double>(), 0.0);
    }
    VERIFY(!model::fusedSoftmaxApplies(torch::zeros({1, 1, 1, 2}, torch::kDouble)));
    VERIFY_THROWS(model::maskedSoftmax(torch::zeros({2, 3}), torch::Tensor()), "[B, n, T, S]");
    VERIFY_THROWS(model::maskedSoftmax(torch::zeros({2, 1, 3, 4}), torch::zeros({3, 1, 3, 4}, torch::kBool)), "broadcast");
}

CAPSULE_TEST(fusedLayerNormMatchesFloat64LayerNorm) {
    for (const torch::ScalarType dtype : {torch::kFloat, torch::kBFloat16}) {
        torch::manual_seed(9);
        const int64_t hidden = 203;  // ragged row length
        // An offset mean and a large spread: the two-pass variance must not cancel.
        const torch::Tensor x = (torch::randn({3, 11, hidden}) * 5.0 + 40.0).to(dtype).requires_grad_();
        const torch::Tensor weight = (torch::randn({hidden}) + 1.0).to(dtype), bias = torch::randn({hidden}).to(dtype);
        const torch::Tensor gradOutput = torch::randn({3, 11, hidden}).to(dtype);
        torch::Tensor wide = x.detach().to(torch::kDouble).requires_grad_();
        const torch::Tensor expected =
            torch::layer_norm(wide, {hidden}, weight.to(torch::kDouble), bias.to(torch::kDouble), 1e-5);
        expected.backward(gradOutput.to(torch::kDouble));

        VERIFY(model::fusedLayerNormApplies(x, weight, bias));
        const torch::Tensor y = model::fusedLayerNorm(x, weight, bias, 1e-5);
        COMPARE(y.scalar_type(), dtype);
        y.backward(gradOutput);
        // float32: a few ulp of values up to ~5; bfloat16: one rounding (relative 2^-9).
        VERIFY(((y.to(torch::kDouble) - expected).abs() / (expected.abs() + 1.0)).max().item<double>() <
               (dtype == torch::kFloat ? 1e-5 : 4e-3));
        const torch::Tensor expectedGradient = wide.grad();
        VERIFY(((x.grad().to(torch::kDouble) - expectedGradient).abs() / (expectedGradient.abs() + 0.1)).max().item<double>() <
               (dtype == torch::kFloat ? 1e-4 : 2e-2));
        // Trainable norm weights are not this kernel's business.
        VERIFY(!model::fusedLayerNormApplies(x, weight.clone().requires_grad_(), bias));
    }
    VERIFY_THROWS(model::fusedLayerNorm(torch::zeros({2, 4}), torch::ones({3}), torch::zeros({4}), 1e-5), "last dimension");
}

CAPSULE_TEST(rankUpdateMatchesFloat64) {
    for (const torch::ScalarType dtype : {torch::kFloat, torch::kBFloat16}) {
        torch::manual_seed(13);
        const int64_t rows = 19, columns = 203, rank = 8;  // ragged row length
        const torch::Tensor start = torch::randn({rows, columns}).to(dtype);
        const torch::Tensor bias = torch::randn({columns}).to(dtype);
        const torch::Tensor low = torch::randn({rows, rank}).to(dtype), lowToOut = torch::randn({rank, columns}).to(dtype);
        const auto wide = [](const torch::Tensor& t) { return t.to(torch::kDouble); };
        struct Case {
            bool withBias, withLow;
        };
        for (const Case c : {Case{true, true}, Case{true, false}, Case{false, true}}) {
            torch::Tensor y = start.clone();
            VERIFY(model::rankUpdateApplies(y, c.withLow ? rank : 0));
            model::addRankUpdate(y, c.withBias ? bias : torch::Tensor(), c.withLow ? low : torch::Tensor(),
                                 c.withLow ? lowToOut : torch::Tensor(), 0.75);
            torch::Tensor expected = wide(start);
            if (c.withBias) expected = expected + wide(bias);
            if (c.withLow) expected = expected + 0.75 * wide(low).mm(wide(lowToOut));
            // float32: a few roundings of values up to ~10; bfloat16: one final rounding (2^-9 relative).
            const double error = ((wide(y) - expected).abs() / (expected.abs() + 1.0)).max().item<double>();
            VERIFY(error < (dtype == torch::kFloat ? 1e-6 : 4e-3));
        }
    }
    torch::Tensor y = torch::zeros({4, 6});
    VERIFY(!model::rankUpdateApplies(y.t(), 0));  // not contiguous
    VERIFY(!model::rankUpdateApplies(y, model::kMaxRankUpdate + 1));
    VERIFY(!model::rankUpdateApplies(torch::zeros({4, 6}, torch::kDouble), 0));
    VERIFY_THROWS(model::addRankUpdate(y, torch::zeros({5}), {}, {}, 1.0), "do not match");
    VERIFY_THROWS(model::addRankUpdate(y, {}, torch::zeros({4, 2}), torch::zeros({3, 6}), 1.0), "do not match");
    VERIFY_THROWS(model::addRankUpdate(y, torch::zeros({6}, torch::kBFloat16), {}, {}, 1.0), "do not match");
}
