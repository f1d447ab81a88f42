#include "model/linear.h"

#include "model/rank_update.h"

#include <stdexcept>
#include <string>

namespace capsule::model {

LinearAdapter::~LinearAdapter() = default;

LinearImpl::LinearImpl(const LinearOptions& options)
    : inFeatures_(options.inFeatures), outFeatures_(options.outFeatures), fanInFanOut_(options.fanInFanOut) {
    if (options.inFeatures <= 0 || options.outFeatures <= 0)
        throw std::invalid_argument("Linear: feature counts must be positive, got in " +
                                    std::to_string(options.inFeatures) + ", out " +
                                    std::to_string(options.outFeatures));
    const std::vector<int64_t> shape = fanInFanOut_ ? std::vector<int64_t>{inFeatures_, outFeatures_}
                                                    : std::vector<int64_t>{outFeatures_, inFeatures_};
    weight = register_parameter("weight", torch::empty(shape, options.tensorOptions));
    if (options.bias) bias = register_parameter("bias", torch::empty({outFeatures_}, options.tensorOptions));
}

LinearImpl::LinearImpl(torch::Tensor sharedWeight) : sharesWeight_(true) {
    if (!sharedWeight.defined() || sharedWeight.dim() != 2)
        throw std::invalid_argument("Linear: a shared weight must be a defined 2-D tensor");
    outFeatures_ = sharedWeight.size(0);
    inFeatures_ = sharedWeight.size(1);
    // register_parameter keeps the same TensorImpl: both modules see one tensor.
    weight = register_parameter("weight", sharedWeight, sharedWeight.requires_grad());
}

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
    if (adapter) return adapter->forward(*this, x);
    return forwardBase(x);
}

torch::Tensor LinearImpl::forwardBase(const torch::Tensor& x) {
    if (!fanInFanOut_) return torch::linear(x, weight, bias);
    std::vector<int64_t> outputShape = x.sizes().vec();
    outputShape.back() = outFeatures_;
    return forwardBaseRows(x.reshape({-1, inFeatures_})).view(outputShape);  // [..., out]
}

torch::Tensor LinearImpl::forwardBaseRows(const torch::Tensor& rows) {
    // bfloat16 on the CPU: the plain GEMM, then the (constant) bias in one pass (rank_update.h);
    // oneDNN's GEMM with beta = 1 costs more than that. Adding a constant changes no gradient.
    const bool constantBias = bias.defined() && !(torch::GradMode::is_enabled() && bias.requires_grad());
    if (constantBias && rows.scalar_type() == torch::kBFloat16 && rows.device().is_cpu()) {
        torch::Tensor output = fanInFanOut_ ? rows.mm(weight) : rows.mm(weight.t());  // [N, out]
        if (!rankUpdateApplies(output, 0)) return output.add_(bias);
        addRankUpdate(output, bias, {}, {}, 1.0);
        return output;
    }
    // Conv1D: y = x W + b with W [in, out]; addmm on the rows, no transposed copy.
    if (fanInFanOut_) return bias.defined() ? torch::addmm(bias, rows, weight) : rows.mm(weight);  // [N, out]
    return torch::linear(rows, weight, bias);  // [N, out]
}

}  // namespace capsule::model
