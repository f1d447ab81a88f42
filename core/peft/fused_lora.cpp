#include "peft/fused_lora.h"

#include "model/kernel_selection.h"
#include "model/rank_update.h"

namespace capsule::peft {
namespace {

/// The frozen base travels as a non-tensor argument: its weight gets no gradient and must not
/// become an input of the autograd node.
struct FrozenBase {
    model::LinearImpl* layer;
};

class FusedLora : public torch::autograd::Function<FusedLora> {
public:
    /// rows [N, in] (compute dtype), loraA [r, in], loraB [out, r] (float32).
    static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& rows,
                                 const torch::Tensor& loraA, const torch::Tensor& loraB, FrozenBase base,
                                 double scaling) {
        const torch::ScalarType dtype = rows.scalar_type();
        const torch::Tensor a = loraA.to(dtype), b = loraB.to(dtype);  // [r, in], [out, r]
        const model::LinearImpl& layer = *base.layer;
        torch::Tensor output = layer.fanInFanOut() ? rows.mm(layer.weight) : rows.mm(layer.weight.t());  // [N, out]
        const torch::Tensor low = rows.mm(a.t());                                                     // [N, r]
        // += bias + s·(x·Aᵀ)·Bᵀ: one pass over the output rather than two GEMMs with beta = 1.
        if (model::rankUpdateApplies(output, low.size(1))) {
            model::addRankUpdate(output, layer.bias, low, b.t().contiguous(), scaling);
        } else {
            if (layer.bias.defined()) output.add_(layer.bias);
            output.addmm_(low, b.t(), 1.0, scaling);
        }
        context->save_for_backward({rows, low, a, b});
        context->saved_data["weight"] = base.layer->weight;
        context->saved_data["fan_in_fan_out"] = base.layer->fanInFanOut();
        context->saved_data["scaling"] = scaling;
        context->saved_data["adapter_dtype"] = static_cast<int64_t>(loraA.scalar_type());
        return output;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                   torch::autograd::variable_list gradients) {
        const auto saved = context->get_saved_variables();
        const torch::Tensor &rows = saved[0], &low = saved[1], &a = saved[2], &b = saved[3];
        const torch::Tensor weight = context->saved_data["weight"].toTensor();
        const bool fanInFanOut = context->saved_data["fan_in_fan_out"].toBool();
        const double scaling = context->saved_data["scaling"].toDouble();
        const auto adapterDtype = static_cast<torch::ScalarType>(context->saved_data["adapter_dtype"].toInt());
        const torch::Tensor g = gradients[0].to(rows.scalar_type()).contiguous();  // [N, out]
        const torch::Tensor gLow = g.mm(b).mul_(scaling);                          // [N, r]: s·g·B
        torch::Tensor gradRows;
        if (context->needs_input_grad(0)) {
            gradRows = fanInFanOut ? g.mm(weight.t()) : g.mm(weight);  // [N, in]: g·W_baseᵀ
            if (model::rankUpdateApplies(gradRows, gLow.size(1))) model::addRankUpdate(gradRows, {}, gLow, a, 1.0);
            else gradRows.addmm_(gLow, a);  // + s·g·B·A
        }
        torch::Tensor gradA, gradB;
        if (context->needs_input_grad(1)) gradA = gLow.t().mm(rows).to(adapterDtype);  // [r, in]
        if (context->needs_input_grad(2)) gradB = g.t().mm(low).mul_(scaling).to(adapterDtype);  // [out, r]
        return {gradRows, gradA, gradB, torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

bool fusedLoraApplies(const model::LinearImpl& base, const torch::Tensor& rows, double dropoutProbability,
                      bool hasLoraBias) {
    const bool frozenBase = !base.weight.requires_grad() && !(base.bias.defined() && base.bias.requires_grad());
    return model::fusedKernelsEnabled() && rows.device().is_cpu() && torch::GradMode::is_enabled() &&
           dropoutProbability == 0.0 && !hasLoraBias && frozenBase;
}

torch::Tensor fusedLoraForward(model::LinearImpl& base, const torch::Tensor& rows, const torch::Tensor& loraA,
                               const torch::Tensor& loraB, double scaling) {
    return FusedLora::apply(rows, loraA, loraB, FrozenBase{&base}, scaling);
}

}  // namespace capsule::peft
