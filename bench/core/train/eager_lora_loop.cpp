#include "eager_lora_loop.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <chrono>
#include <cmath>
#include <vector>

namespace capsule::bench {
namespace {

constexpr double kDropout = 0.1;  // GPT-2's resid/embd/attn_pdrop
constexpr double kLoraAlpha = 8.0;

/// A Conv1D (weight [in, out]) with an r=8 LoRA (a [r, in], b [out, r]).
struct AdaptedLinear {
    torch::Tensor weight, bias, a, b;

    AdaptedLinear(int64_t in, int64_t out, int64_t rank) {
        weight = torch::randn({in, out}) * 0.02;
        bias = torch::zeros({out});
        a = (torch::rand({rank, in}) * 2.0 - 1.0).mul_(1.0 / std::sqrt(static_cast<double>(in))).requires_grad_();
        b = (torch::randn({out, rank}) * 0.01).requires_grad_();  // non-zero: every matmul does real work
    }

    /// x [N, in] -> [N, out]
    torch::Tensor operator()(const torch::Tensor& x, double scale) const {
        return torch::addmm(bias, x, weight) + torch::matmul(torch::matmul(x, a.t()), b.t()) * scale;
    }
};

struct Block {
    torch::Tensor ln1Weight, ln1Bias, ln2Weight, ln2Bias;
    AdaptedLinear attention, projection, up, down;

    explicit Block(const EagerShape& s)
        : ln1Weight(torch::ones({s.hidden})), ln1Bias(torch::zeros({s.hidden})), ln2Weight(torch::ones({s.hidden})),
          ln2Bias(torch::zeros({s.hidden})), attention(s.hidden, 3 * s.hidden, s.rank),
          projection(s.hidden, s.hidden, s.rank), up(s.hidden, 4 * s.hidden, s.rank), down(4 * s.hidden, s.hidden, s.rank) {}
};

struct EagerGpt2 {
    EagerShape shape;
    torch::Tensor tokenEmbedding, positionEmbedding, finalWeight, finalBias;
    std::vector<Block> blocks;

    explicit EagerGpt2(const EagerShape& s)
        : shape(s), tokenEmbedding(torch::randn({s.vocabulary, s.hidden}) * 0.02),
          positionEmbedding(torch::randn({s.positions, s.hidden}) * 0.01), finalWeight(torch::ones({s.hidden})),
          finalBias(torch::zeros({s.hidden})) {
        for (int64_t i = 0; i < s.layers; ++i) blocks.emplace_back(s);
    }

    std::vector<torch::Tensor> loraParameters() const {
        std::vector<torch::Tensor> parameters;
        for (const Block& block : blocks)
            for (const AdaptedLinear* linear : {&block.attention, &block.projection, &block.up, &block.down}) {
                parameters.push_back(linear->a);
                parameters.push_back(linear->b);
            }
        return parameters;
    }

    /// ids [B, T] -> mean next-token loss over the B·(T−1) positions.
    torch::Tensor loss(const torch::Tensor& ids) const {
        const int64_t batch = ids.size(0), length = ids.size(1), hidden = shape.hidden, heads = shape.heads;
        const int64_t headDim = hidden / heads;
        const double scale = kLoraAlpha / static_cast<double>(shape.rank);
        const torch::Tensor causal = torch::ones({length, length}, torch::kBool).triu(1);  // [T, T], true = masked
        torch::Tensor h = torch::dropout(tokenEmbedding.index_select(0, ids.flatten()).view({batch, length, hidden}) +
                                             positionEmbedding.slice(0, 0, length),
                                         kDropout, true);  // [B, T, H]
        for (const Block& block : blocks) {
            const torch::Tensor x = torch::layer_norm(h, {hidden}, block.ln1Weight, block.ln1Bias, 1e-5).view({-1, hidden});
            const auto qkv = block.attention(x, scale).view({batch, length, 3, heads, headDim}).permute({2, 0, 3, 1, 4});
            const torch::Tensor q = qkv[0], k = qkv[1], v = qkv[2];  // [B, n, T, D]
            torch::Tensor scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(headDim));
            scores = scores.masked_fill(causal, -1e9);
            torch::Tensor weights = torch::softmax(scores, -1).to(v.scalar_type());
            weights = torch::dropout(weights, kDropout, true);
            const torch::Tensor context = torch::matmul(weights, v).transpose(1, 2).reshape({-1, hidden});  // [B·T, H]
            h = h + torch::dropout(block.projection(context, scale).view({batch, length, hidden}), kDropout, true);
            const torch::Tensor y = torch::layer_norm(h, {hidden}, block.ln2Weight, block.ln2Bias, 1e-5).view({-1, hidden});
            const torch::Tensor inner = torch::gelu(block.up(y, scale), "tanh");
            h = h + torch::dropout(block.down(inner, scale).view({batch, length, hidden}), kDropout, true);
        }
        h = torch::layer_norm(h, {hidden}, finalWeight, finalBias, 1e-5);
        const torch::Tensor logits = torch::matmul(h, tokenEmbedding.t());  // [B, T, V] (tied head)
        const torch::Tensor shifted = logits.slice(1, 0, length - 1).reshape({-1, shape.vocabulary}).to(torch::kFloat);
        return torch::cross_entropy_loss(shifted, ids.slice(1, 1).flatten());
    }
};

void setAutocast(bool enabled, torch::ScalarType dtype) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    // 2.4 made autocast per device type; the CPU-specific calls are deprecated there.
    at::autocast::set_autocast_dtype(at::kCPU, dtype);
    at::autocast::set_autocast_enabled(at::kCPU, enabled);
#else
    at::autocast::set_autocast_cpu_dtype(dtype);
    at::autocast::set_cpu_enabled(enabled);
#endif
    if (!enabled) at::autocast::clear_cache();
}

}  // namespace

double eagerLoraTokensPerSecond(const EagerShape& shape, torch::ScalarType dtype, int64_t steps) {
    torch::manual_seed(5);
    const EagerGpt2 model(shape);
    torch::optim::AdamW optimizer(model.loraParameters(), torch::optim::AdamWOptions(1e-4).weight_decay(0.0));
    const bool autocast = dtype != torch::kFloat;
    double seconds = 0.0;
    for (int64_t step = 0; step <= steps; ++step) {
        const torch::Tensor ids = torch::randint(shape.vocabulary, {shape.batch, shape.length}, torch::kLong);
        const auto start = std::chrono::steady_clock::now();
        optimizer.zero_grad();
        if (autocast) setAutocast(true, dtype);
        torch::Tensor loss = model.loss(ids);
        if (autocast) setAutocast(false, dtype);
        loss.backward();
        optimizer.step();
        if (step > 0) seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    return static_cast<double>(shape.batch * shape.length * steps) / seconds;
}

}  // namespace capsule::bench
