#pragma once
// LayerNorm with the weights allocated directly in the model's dtype and device (torch::nn's
// LayerNorm allocates float32 CPU tensors first, which cannot be moved to the meta device that
// `capsule-cli info` builds on). y = (x − mean) / sqrt(biased var + eps) · weight + bias; on the
// CPU, bfloat16/float16 inputs are normalised in float32 and cast back.
#include <torch/torch.h>

#include <cstdint>

namespace capsule::model {

class LayerNormImpl : public torch::nn::Module {
public:
    /// `weight` and `bias` [size] are allocated uninitialised in `options` (the loader fills them).
    LayerNormImpl(int64_t size, double epsilon, const torch::TensorOptions& options);

    /// x [..., size] -> [..., size]
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight;  // [size]
    torch::Tensor bias;    // [size]

private:
    int64_t size_;
    double epsilon_;
};
TORCH_MODULE(LayerNorm);

}  // namespace capsule::model
