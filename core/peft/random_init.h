#pragma once
// Random adapter initialisation that does not depend on the device: values are drawn on the CPU
// generator (seeded by the run's seed) and copied to the tensor's device, so a run seeded the
// same way starts from the same adapter on the CPU and on CUDA (CUDA's generator draws other
// numbers). On the CPU it draws exactly what drawing in place would.
#include <torch/torch.h>

namespace capsule::peft {

/// Fills `target` (any device, any floating dtype) with `draw` applied to a CPU tensor of the
/// same shape and dtype, e.g. fillFromCpu(a, [](torch::Tensor& t) { t.normal_(0.0, 0.02); }).
template <typename Draw>
void fillFromCpu(torch::Tensor& target, Draw&& draw) {
    torch::NoGradGuard noGrad;
    if (target.device().is_cpu()) {
        draw(target);
        return;
    }
    torch::Tensor host = torch::empty(target.sizes(), target.options().device(torch::kCPU));
    draw(host);
    target.copy_(host);
}

}  // namespace capsule::peft
