#pragma once
// RMSNorm of the Llama family: y = weight · cast(x · rsqrt(mean(x²) + eps)), the normalisation in
// float32 whatever the activation dtype, then cast back before the weight multiplies (as
// transformers' LlamaRMSNorm does).
#include <torch/torch.h>

#include <cstdint>

namespace capsule::model {

class RmsNormImpl : public torch::nn::Module {
public:
    /// `weight` [size] is allocated uninitialised in `options` (the loader fills it).
    RmsNormImpl(int64_t size, double epsilon, const torch::TensorOptions& options);

    /// x [..., size] -> [..., size] in x's dtype
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight;  // [size]

private:
    double epsilon_;
};
TORCH_MODULE(RmsNorm);

}  // namespace capsule::model
