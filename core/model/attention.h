#pragma once
// Attention pieces shared by the model families: which keys each query may see (causal order,
// padding, sliding window), default position ids for padded batches, and the attention product.
//
// Dimension letters: B batch, T new (query) positions, P cached positions (T_past), S = P + T key
// positions, n query heads, k key/value heads, D head dim.
//
// Causality follows cache order (query i sits at cache index P + i), not position ids — the same
// as transformers. Masked scores are replaced by the most negative finite float, never -inf, so a
// fully padded query row yields finite (ignored) outputs instead of NaN that would leak into the
// real rows of later layers.
#include <torch/torch.h>

#include <cstdint>
#include <optional>

namespace capsule::model {

/// Boolean [B|1, 1, T, S] mask, true where a query must NOT see a key: later positions (causal),
/// padding (paddingMask [B, S]: 1 real, 0 pad; undefined = all real) and keys outside an optional
/// sliding window (visible when query − key < window). Built once per forward and shared by the
/// layers. Returns an undefined tensor when every key is visible to every query (single-token
/// steps without padding), so the attention can skip masking.
torch::Tensor buildAttentionMask(const torch::Tensor& paddingMask, int64_t batch, int64_t queryLength,
                                    int64_t pastLength, std::optional<int64_t> slidingWindow,
                                    const torch::Device& device);

/// Position ids [B, T] (int64) for the T new tokens: with a padding mask [B, P + T] they are
/// cumsum(mask) − 1 over the whole row (so left padding does not shift the real tokens, as
/// transformers' generate does), pads get 1; without one, arange(P, P + T).
torch::Tensor defaultPositionIds(const torch::Tensor& paddingMask, int64_t batch, int64_t queryLength,
                                 int64_t pastLength, const torch::Device& device);

/// Repeats each of the k key/value heads n/k times consecutively: [B, k, S, D] -> [B, n, S, D]
/// (query head h reads key/value head h / (n/k)).
torch::Tensor repeatKeyValue(const torch::Tensor& keyOrValue, int64_t groups);

/// softmax(q·kᵀ·scale + mask)·v with the softmax in float32 and the result in q's dtype.
/// query [B, n, T, D], key/value [B, k, S, D] with n a multiple of k (GQA), blocked [B|1, 1, T, S]
/// bool from buildAttentionMask() or undefined (all visible). Dropout on the attention weights
/// only when training.
/// Returns [B, n, T, D].
torch::Tensor scaledDotProductAttention(const torch::Tensor& query, const torch::Tensor& key,
                                        const torch::Tensor& value, const torch::Tensor& blocked, double scale,
                                        double dropoutProbability, bool training);

}  // namespace capsule::model
