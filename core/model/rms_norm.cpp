#include "model/rms_norm.h"

namespace capsule::model {

RmsNormImpl::RmsNormImpl(int64_t size, double epsilon, const torch::TensorOptions& options) : epsilon_(epsilon) {
    weight = register_parameter("weight", torch::empty({size}, options));
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor& x) {
    const torch::Tensor x32 = x.to(torch::kFloat);                             // [..., H]
    const torch::Tensor meanSquare = x32.pow(2).mean(-1, /*keepdim=*/true);    // [..., 1]
    const torch::Tensor normalised = x32 * torch::rsqrt(meanSquare + epsilon_);  // [..., H]
    return weight * normalised.to(x.scalar_type());
}

}  // namespace capsule::model
