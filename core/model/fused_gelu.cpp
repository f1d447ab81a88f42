#include "model/fused_gelu.h"

#include "model/kernel_selection.h"
#include "model/vector_math.h"

#include <ATen/Parallel.h>

namespace capsule::model {
namespace {

constexpr float kTwoC = 1.5957691216057308f;             // 2·√(2/π)
constexpr float kTwoCTimesCubic = 0.07135481627159115f;  // 2·√(2/π)·0.044715
constexpr int64_t kGrain = 16384;                        // elements per parallel chunk

CAPSULE_ALWAYS_INLINE float sigmoidOfU(float x) {
    const float u = x * (kTwoC + kTwoCTimesCubic * x * x);
    return 1.0f / (1.0f + vec::exp(-u));
}

CAPSULE_ALWAYS_INLINE float geluValue(float x) {
    return x * sigmoidOfU(x);
}

CAPSULE_ALWAYS_INLINE float geluDerivative(float x) {
    const float s = sigmoidOfU(x);
    return s + x * s * (1.0f - s) * (kTwoC + 3.0f * kTwoCTimesCubic * x * x);
}

CAPSULE_VECTOR_CLONES void forwardFloat(const float* x, float* y, int64_t count) {
    for (int64_t i = 0; i < count; ++i) y[i] = geluValue(x[i]);
}

CAPSULE_VECTOR_CLONES void forwardBfloat16(const uint16_t* x, uint16_t* y, int64_t count) {
    for (int64_t i = 0; i < count; ++i) y[i] = vec::floatToBfloat16(geluValue(vec::bfloat16ToFloat(x[i])));
}

CAPSULE_VECTOR_CLONES void backwardFloat(const float* x, const float* g, float* dx, int64_t count) {
    for (int64_t i = 0; i < count; ++i) dx[i] = g[i] * geluDerivative(x[i]);
}

CAPSULE_VECTOR_CLONES void backwardBfloat16(const uint16_t* x, const uint16_t* g, uint16_t* dx, int64_t count) {
    for (int64_t i = 0; i < count; ++i)
        dx[i] = vec::floatToBfloat16(vec::bfloat16ToFloat(g[i]) * geluDerivative(vec::bfloat16ToFloat(x[i])));
}

/// y = gelu(x) for contiguous x (float32 or bfloat16).
torch::Tensor geluForward(const torch::Tensor& x) {
    torch::Tensor y = torch::empty_like(x, torch::MemoryFormat::Contiguous);
    const bool bf16 = x.scalar_type() == torch::kBFloat16;
    at::parallel_for(0, x.numel(), kGrain, [&](int64_t begin, int64_t end) {
        if (bf16) forwardBfloat16(vec::raw<uint16_t>(x) + begin, vec::raw<uint16_t>(y) + begin, end - begin);
        else forwardFloat(vec::raw<float>(x) + begin, vec::raw<float>(y) + begin, end - begin);
    });
    return y;
}

/// dx = g · gelu'(x) for contiguous x and g of one dtype.
torch::Tensor geluBackward(const torch::Tensor& x, const torch::Tensor& g) {
    torch::Tensor dx = torch::empty_like(x, torch::MemoryFormat::Contiguous);
    const bool bf16 = x.scalar_type() == torch::kBFloat16;
    at::parallel_for(0, x.numel(), kGrain, [&](int64_t begin, int64_t end) {
        if (bf16)
            backwardBfloat16(vec::raw<uint16_t>(x) + begin, vec::raw<uint16_t>(g) + begin, vec::raw<uint16_t>(dx) + begin,
                             end - begin);
        else
            backwardFloat(vec::raw<float>(x) + begin, vec::raw<float>(g) + begin, vec::raw<float>(dx) + begin, end - begin);
    });
    return dx;
}

class FusedGelu : public torch::autograd::Function<FusedGelu> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& x) {
        context->save_for_backward({x});
        return geluForward(x);
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                   torch::autograd::variable_list gradients) {
        const torch::Tensor x = context->get_saved_variables()[0];
        return {geluBackward(x, gradients[0].to(x.scalar_type()).contiguous())};
    }
};

}  // namespace

bool fusedGeluApplies(const torch::Tensor& x) {
    return fusedKernelsEnabled() && x.device().is_cpu() && (x.scalar_type() == torch::kFloat || x.scalar_type() == torch::kBFloat16);
}

torch::Tensor fusedGeluTanh(const torch::Tensor& x) {
    const torch::Tensor input = x.contiguous();
    if (!(torch::GradMode::is_enabled() && input.requires_grad())) return geluForward(input);
    return FusedGelu::apply(input);
}

}  // namespace capsule::model
