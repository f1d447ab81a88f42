#include "model/layer_norm.h"

namespace capsule::model {

LayerNormImpl::LayerNormImpl(int64_t size, double epsilon, const torch::TensorOptions& options)
    : size_(size), epsilon_(epsilon) {
    weight = register_parameter("weight", torch::empty({size}, options));
    bias = register_parameter("bias", torch::empty({size}, options));
}

torch::Tensor LayerNormImpl::forward(const torch::Tensor& x) {
    return torch::layer_norm(x, {size_}, weight, bias, epsilon_);
}

}  // namespace capsule::model
