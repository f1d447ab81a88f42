#pragma once
// Attention keys and values of the positions a model has already processed, one pair per layer,
// so generation runs the prompt once and then one token per step.
//
// Layout per layer: key and value [B, kv_heads, T_past, head_dim], keys already rotated (RoPE),
// in the model's compute dtype — the same as transformers' DynamicCache. Prefix tuning pre-fills
// every layer with its virtual K/V (setLayer) before the first forward; the real tokens then get
// positions starting at length() unless the caller passes position ids.
//
// Not thread-safe; one cache belongs to one sequence batch at a time.
#include <torch/torch.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace capsule::model {

class KVCache {
public:
    explicit KVCache(int64_t numLayers = 0);

    int64_t numLayers() const { return static_cast<int64_t>(keys_.size()); }
    /// Cached positions T_past (layer 0's length; 0 when empty).
    int64_t length() const;
    bool empty() const { return length() == 0; }

    /// Concatenates this step's key/value [B, kv, T, D] to layer `layer` and returns the full
    /// key/value [B, kv, T_past + T, D]. Keeps autograd history (prefix tuning trains through it).
    std::pair<torch::Tensor, torch::Tensor> append(int64_t layer, const torch::Tensor& key, const torch::Tensor& value);

    /// Replaces a layer's contents, e.g. with prefix-tuning K/V [B, kv, P, D].
    void setLayer(int64_t layer, torch::Tensor key, torch::Tensor value);

    const torch::Tensor& key(int64_t layer) const;    // [B, kv, T_past, D]; undefined when empty
    const torch::Tensor& value(int64_t layer) const;  // [B, kv, T_past, D]; undefined when empty

    /// Keeps only the batch rows in `indices` (int64 [B']), e.g. to drop finished sequences.
    void selectBatch(const torch::Tensor& indices);
    /// Drops every cached position (the layer count stays).
    void clear();

private:
    void checkLayer(int64_t layer) const;

    std::vector<torch::Tensor> keys_;    // per layer [B, kv, T_past, D]
    std::vector<torch::Tensor> values_;  // per layer [B, kv, T_past, D]
};

}  // namespace capsule::model
