#pragma once
// Rotary position embedding, Hugging Face "rotate_half" convention (hf-formats.md §4.4, §4.5):
// dimension j pairs with j + D/2, inv_freq[j] = 1 / θ^(2j/D) in float32, angles p·inv_freq,
// cos/sin = cos/sin(concat(angles, angles))·attention_scaling, then cast to the activation dtype.
// Scaling variants: linear, dynamic (NTK, depends on the sequence length), yarn, llama3.
//
// Choices where transformers versions differ:
//   dynamic: θ grows once max(position) + 1 exceeds the trained length (rope_scaling's
//            original_max_position_embeddings, else max_position_embeddings), recomputed per
//            forward from the current positions; keys already in a KV cache keep the rotation
//            they were stored with (as in transformers).
//   yarn:    the correction range uses original_max_position_embeddings when the scaling gives it,
//            else max_position_embeddings (transformers 4.44); `factor` is always the config's
//            (newer transformers derive it from max/original for DeepSeek-style configs).
//            attention_factor defaults to 0.1·ln(factor) + 1, or the mscale / mscale_all_dim ratio.
#include "model/model_config.h"

#include <torch/torch.h>

#include <cstdint>
#include <mutex>
#include <utility>

namespace capsule::model {

class RotaryEmbedding {
public:
    explicit RotaryEmbedding(const ModelConfig& config);

    /// inv_freq [D/2] float32 on the CPU for a sequence spanning `sequenceLength` positions
    /// (only dynamic scaling looks at it: it changes θ once the length exceeds the trained one).
    torch::Tensor inverseFrequencies(int64_t sequenceLength) const;
    /// The factor cos and sin are multiplied by (yarn's attention factor; 1 otherwise).
    double attentionScaling() const { return attentionScaling_; }
    bool dependsOnSequenceLength() const { return scaling_.type == "dynamic"; }

    /// cos, sin [B, T, D] in `dtype` on positionIds' device for positions [B, T] (int64).
    std::pair<torch::Tensor, torch::Tensor> cosSin(const torch::Tensor& positionIds, torch::ScalarType dtype) const;

private:
    torch::Tensor computeInverseFrequencies(int64_t sequenceLength) const;

    int64_t dim_ = 0;
    double theta_ = 10000.0;
    int64_t maxPositionEmbeddings_ = 0;
    RopeScaling scaling_;
    double attentionScaling_ = 1.0;
    torch::Tensor staticInverseFrequencies_;  // [D/2] float32 CPU, for every type but dynamic
    mutable std::mutex deviceCacheMutex_;
    mutable torch::Tensor deviceInverseFrequencies_;  // [D/2] float32 on the last device used
};

/// concat(−x[..., D/2:], x[..., :D/2])
torch::Tensor rotateHalf(const torch::Tensor& x);

/// x·cos + rotateHalf(x)·sin for x [B, heads, T, D] and cos/sin [B, T, D].
torch::Tensor applyRotaryEmbedding(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

}  // namespace capsule::model
