#include "model/attention.h"

#include "model/dropout.h"
#include "model/fused_softmax.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace capsule::model {

torch::Tensor buildAttentionMask(const torch::Tensor& paddingMask, int64_t batch, int64_t queryLength,
                                    int64_t pastLength, std::optional<int64_t> slidingWindow,
                                    const torch::Device& device) {
    const int64_t keyLength = pastLength + queryLength;
    const bool windowBites = slidingWindow && keyLength > *slidingWindow;
    if (!paddingMask.defined() && queryLength <= 1 && !windowBites) return {};

    const auto indexOptions = torch::TensorOptions().dtype(torch::kLong).device(device);
    const torch::Tensor queryIndex = torch::arange(pastLength, keyLength, indexOptions).view({queryLength, 1});  // [T, 1]
    const torch::Tensor keyIndex = torch::arange(0, keyLength, indexOptions).view({1, keyLength});  // [1, S]
    torch::Tensor blocked = keyIndex > queryIndex;  // [T, S]
    if (windowBites) blocked = blocked | ((queryIndex - keyIndex) >= *slidingWindow);
    blocked = blocked.view({1, 1, queryLength, keyLength});  // [1, 1, T, S]
    if (paddingMask.defined()) {
        const torch::Tensor keyIsPad = paddingMask.to(device).eq(0).view({batch, 1, 1, keyLength});  // [B, 1, 1, S]
        blocked = blocked | keyIsPad;  // [B, 1, T, S]
    }
    return blocked;
}

torch::Tensor defaultPositionIds(const torch::Tensor& paddingMask, int64_t batch, int64_t queryLength,
                                 int64_t pastLength, const torch::Device& device) {
    const auto indexOptions = torch::TensorOptions().dtype(torch::kLong).device(device);
    if (!paddingMask.defined())
        return torch::arange(pastLength, pastLength + queryLength, indexOptions).unsqueeze(0).expand({batch, queryLength});
    const torch::Tensor mask = paddingMask.to(indexOptions).ne(0).to(torch::kLong);  // [B, S]
    torch::Tensor positions = mask.cumsum(-1) - 1;                                   // [B, S]
    positions.masked_fill_(mask.eq(0), 1);
    return positions.slice(1, pastLength, pastLength + queryLength).contiguous();  // [B, T]
}

torch::Tensor repeatKeyValue(const torch::Tensor& keyOrValue, int64_t groups) {
    if (groups == 1) return keyOrValue;
    const int64_t batch = keyOrValue.size(0), kvHeads = keyOrValue.size(1);
    const int64_t length = keyOrValue.size(2), headDim = keyOrValue.size(3);
    return keyOrValue.unsqueeze(2)
        .expand({batch, kvHeads, groups, length, headDim})   // [B, k, n/k, S, D]
        .reshape({batch, kvHeads * groups, length, headDim});  // [B, n, S, D]
}

namespace {

/// The most negative finite value of `dtype` (masked scores; -inf would turn fully padded rows
/// into NaN).
double lowestFinite(torch::ScalarType dtype) {
    switch (dtype) {
    case torch::kDouble: return std::numeric_limits<double>::lowest();
    case torch::kHalf: return -65504.0;
    case torch::kBFloat16: return -3.3895313892515355e38;
    default: return std::numeric_limits<float>::lowest();
    }
}

#if TORCH_VERSION_MAJOR < 2
/// Inference on the CPU: one parallel region over the B·k (batch, kv head) slices, each running
/// its own single-threaded matmul → mask → softmax → matmul. One batched matmul would open a
/// parallel region per small GEMM (48 for GPT-2 small at batch 4), which costs more than the GEMMs
/// themselves when the cores are shared; it also never materialises all [B, n, T, S] scores.
/// query [B, k, g·T, D] (already scaled), key/value [B, k, S, D], blocked [B|1, 1, T, S] or undefined.
torch::Tensor attendPerSlice(const torch::Tensor& groupedQuery, const torch::Tensor& key, const torch::Tensor& value,
                             const torch::Tensor& blocked, int64_t groups) {
    const int64_t batch = groupedQuery.size(0), kvHeads = groupedQuery.size(1), rows = groupedQuery.size(2);
    const int64_t headDim = groupedQuery.size(3), keyLength = key.size(2), queryLength = rows / groups;
    const torch::Tensor queries = groupedQuery.reshape({batch * kvHeads, rows, headDim});  // [B·k, g·T, D]
    const torch::Tensor keys = key.reshape({batch * kvHeads, keyLength, headDim});         // [B·k, S, D]
    const torch::Tensor values = value.reshape({batch * kvHeads, keyLength, headDim});     // [B·k, S, D]
    const double lowest = lowestFinite(groupedQuery.scalar_type());
    torch::Tensor output = torch::empty({batch * kvHeads, rows, headDim}, groupedQuery.options());  // [B·k, g·T, D]
    const bool inference = c10::InferenceMode::is_enabled();
    at::parallel_for(0, batch * kvHeads, 1, [&](int64_t begin, int64_t end) {
        // Worker threads do not inherit the caller's grad / inference mode.
        c10::InferenceMode inferenceGuard(inference);
        torch::NoGradGuard noGrad;
        for (int64_t slice = begin; slice < end; ++slice) {
            torch::Tensor scores = torch::mm(queries[slice], keys[slice].t());  // [g·T, S]
            if (blocked.defined()) {
                const torch::Tensor sliceBlocked = blocked.size(0) == 1 ? blocked[0][0] : blocked[slice / kvHeads][0];  // [T, S]
                scores.view({groups, queryLength, keyLength}).masked_fill_(sliceBlocked, lowest);
            }
            const torch::Tensor weights = torch::softmax(scores, -1, torch::kFloat).to(groupedQuery.scalar_type());  // [g·T, S]
            torch::Tensor target = output[slice];  // [g·T, D]
            torch::mm_out(target, weights, values[slice]);
        }
    });
    return output.view({batch, kvHeads, rows, headDim});
}
#endif

}  // namespace

torch::Tensor scaledDotProductAttention(const torch::Tensor& query, const torch::Tensor& key,
                                        const torch::Tensor& value, const torch::Tensor& blocked, double scale,
                                        double dropoutProbability, bool training) {
    const int64_t heads = query.size(1), headDim = query.size(3);
    const int64_t kvHeads = key.size(1);
    if (kvHeads <= 0 || heads % kvHeads != 0)
        throw std::invalid_argument("attention: " + std::to_string(heads) + " query heads are not a multiple of " +
                                    std::to_string(kvHeads) + " key/value heads");
    const int64_t groups = heads / kvHeads;
    const double dropout = training ? dropoutProbability : 0.0;

#if TORCH_VERSION_MAJOR >= 2
    {
        // Fused kernels (flash / memory-efficient / math). The mask is additive with the dtype's
        // lowest finite value (not -inf: fully padded rows must stay finite).
        c10::optional<torch::Tensor> additiveMask;
        if (blocked.defined()) {
            additiveMask = torch::zeros(blocked.sizes(), query.options()).masked_fill(blocked, lowestFinite(query.scalar_type()));
        }
        // SDPA scales by 1/sqrt(D) by default (the `scale` argument needs 2.1); fold ours into q.
        const double queryFactor = scale * std::sqrt(static_cast<double>(headDim));
        const torch::Tensor scaledQuery = std::fabs(queryFactor - 1.0) > 1e-12 ? query * queryFactor : query;
        return at::scaled_dot_product_attention(scaledQuery, repeatKeyValue(key, groups), repeatKeyValue(value, groups),
                                                additiveMask, dropout, false);
    }
#else
    const int64_t batch = query.size(0), queryLength = query.size(2), keyLength = key.size(2);
    // GQA without copying K/V: the n/k query heads that share a key/value head are folded into
    // the row dimension. The scale is applied to q (T·D values) rather than to the scores (T·S).
    const torch::Tensor groupedQuery = (query * scale).reshape({batch, kvHeads, groups * queryLength, headDim});  // [B, k, g·T, D]
    const bool needsGradient = torch::GradMode::is_enabled() &&
                               (query.requires_grad() || key.requires_grad() || value.requires_grad());
    // Per-slice only in float32/64: single-threaded reduced-precision GEMMs miss oneDNN's fast
    // path, where one batched bf16 matmul is several times faster (measured).
    const bool fullPrecision = query.scalar_type() == torch::kFloat || query.scalar_type() == torch::kDouble;
    if (query.device().is_cpu() && fullPrecision && !needsGradient && dropout == 0.0 &&
        batch * kvHeads >= at::get_num_threads())
        return attendPerSlice(groupedQuery, key, value, blocked, groups).view({batch, heads, queryLength, headDim});

    // Batched form (training, GPU, reduced precision): softmax statistics in float32.
    torch::Tensor scores = torch::matmul(groupedQuery, key.transpose(-1, -2))  // [B, k, g·T, S]
                               .view({batch, heads, queryLength, keyLength});  // [B, n, T, S]
    torch::Tensor weights;  // [B, n, T, S]
    if (fusedSoftmaxApplies(scores)) {
        weights = maskedSoftmax(scores, blocked);  // one pass each way, float32 statistics
    } else {
        if (blocked.defined()) scores.masked_fill_(blocked, lowestFinite(scores.scalar_type()));
        // The CPU softmax kernel accumulates f16 rows in float32 and rounds once at the end:
        // bit-identical to softmax(float(scores)) cast back and half the memory traffic.
        const bool kernelUpcasts = query.device().is_cpu() && !needsGradient && query.scalar_type() == torch::kHalf;
        weights = kernelUpcasts ? torch::softmax(scores, -1) : torch::softmax(scores, -1, torch::kFloat).to(query.scalar_type());
    }
    if (dropout > 0.0) weights = model::dropout(weights, dropout, true);
    const torch::Tensor output =
        torch::matmul(weights.view({batch, kvHeads, groups * queryLength, keyLength}), value);  // [B, k, g·T, D]
    return output.view({batch, heads, queryLength, headDim});                                   // [B, n, T, D]
#endif
}

}  // namespace capsule::model
