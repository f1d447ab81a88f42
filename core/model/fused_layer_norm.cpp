#include "model/fused_layer_norm.h"

#include "model/kernel_selection.h"
#include "model/vector_math.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace capsule::model {
namespace {

/// One row: y = x̂·w + b; returns μ and ρ. `work` holds `count` floats.
template <typename T, float (*load)(T), T (*store)(float)>
CAPSULE_ALWAYS_INLINE void forwardRow(const T* x, const float* w, const float* b, T* y, float* work, int64_t count,
                                      float epsilon, float* mean, float* rstd) {
    for (int64_t j = 0; j < count; ++j) work[j] = load(x[j]);
    const float mu = vec::laneSum(work, count) / static_cast<float>(count);
    for (int64_t j = 0; j < count; ++j) work[j] = work[j] - mu;
    float lanes[vec::kLanes] = {};
    int64_t j = 0;
    for (; j + vec::kLanes <= count; j += vec::kLanes)
        for (int64_t l = 0; l < vec::kLanes; ++l) lanes[l] += work[j + l] * work[j + l];
    float squares = 0.0f;
    for (; j < count; ++j) squares += work[j] * work[j];
    for (float lane : lanes) squares += lane;
    const float rho = 1.0f / std::sqrt(squares / static_cast<float>(count) + epsilon);
    for (int64_t i = 0; i < count; ++i) y[i] = store(work[i] * rho * w[i] + b[i]);
    *mean = mu;
    *rstd = rho;
}

/// One row's input gradient. `work` holds 2·count floats.
template <typename T, float (*load)(T), T (*store)(float)>
CAPSULE_ALWAYS_INLINE void backwardRow(const T* x, const T* g, const float* w, T* dx, float* work, int64_t count,
                                       float mu, float rho) {
    float* gw = work;             // g·w
    float* gwHat = work + count;  // g·w·x̂
    for (int64_t j = 0; j < count; ++j) {
        gw[j] = load(g[j]) * w[j];
        gwHat[j] = gw[j] * ((load(x[j]) - mu) * rho);
    }
    const float inverseCount = 1.0f / static_cast<float>(count);
    const float meanGw = vec::laneSum(gw, count) * inverseCount, meanGwHat = vec::laneSum(gwHat, count) * inverseCount;
    for (int64_t j = 0; j < count; ++j) dx[j] = store(rho * (gw[j] - meanGw - (load(x[j]) - mu) * rho * meanGwHat));
}

CAPSULE_VECTOR_CLONES void forwardFloat(const float* x, const float* w, const float* b, float* y, float* work,
                                        int64_t count, float epsilon, float* mean, float* rstd) {
    forwardRow<float, vec::loadFloat, vec::storeFloat>(x, w, b, y, work, count, epsilon, mean, rstd);
}

CAPSULE_VECTOR_CLONES void forwardBfloat16(const uint16_t* x, const float* w, const float* b, uint16_t* y, float* work,
                                           int64_t count, float epsilon, float* mean, float* rstd) {
    forwardRow<uint16_t, vec::loadBfloat16, vec::storeBfloat16>(x, w, b, y, work, count, epsilon, mean, rstd);
}

CAPSULE_VECTOR_CLONES void backwardFloat(const float* x, const float* g, const float* w, float* dx, float* work,
                                         int64_t count, float mu, float rho) {
    backwardRow<float, vec::loadFloat, vec::storeFloat>(x, g, w, dx, work, count, mu, rho);
}

CAPSULE_VECTOR_CLONES void backwardBfloat16(const uint16_t* x, const uint16_t* g, const float* w, uint16_t* dx,
                                            float* work, int64_t count, float mu, float rho) {
    backwardRow<uint16_t, vec::loadBfloat16, vec::storeBfloat16>(x, g, w, dx, work, count, mu, rho);
}

torch::Tensor floatVector(const torch::Tensor& values) {
    return values.detach().to(torch::kCPU, torch::kFloat).contiguous();
}

/// x [..., H] contiguous, w and b [H] contiguous float32 -> y, and μ, ρ [rows] float32.
std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> normalise(const torch::Tensor& x, const torch::Tensor& w,
                                                                  const torch::Tensor& b, double epsilon) {
    const int64_t columns = x.size(-1), rows = x.numel() / std::max<int64_t>(columns, 1);
    torch::Tensor y = torch::empty_like(x, torch::MemoryFormat::Contiguous);
    const auto statsOptions = torch::TensorOptions().dtype(torch::kFloat);
    torch::Tensor mean = torch::empty({rows}, statsOptions), rstd = torch::empty({rows}, statsOptions);  // [rows]
    const bool bf16 = x.scalar_type() == torch::kBFloat16;
    at::parallel_for(0, rows, 8, [&](int64_t begin, int64_t end) {
        std::vector<float> work(static_cast<size_t>(columns));
        for (int64_t r = begin; r < end; ++r) {
            const int64_t offset = r * columns;
            float* mu = mean.data_ptr<float>() + r;
            float* rho = rstd.data_ptr<float>() + r;
            if (bf16)
                forwardBfloat16(vec::raw<uint16_t>(x) + offset, w.data_ptr<float>(), b.data_ptr<float>(), vec::raw<uint16_t>(y) + offset,
                                work.data(), columns, static_cast<float>(epsilon), mu, rho);
            else
                forwardFloat(vec::raw<float>(x) + offset, w.data_ptr<float>(), b.data_ptr<float>(), vec::raw<float>(y) + offset,
                             work.data(), columns, static_cast<float>(epsilon), mu, rho);
        }
    });
    return {y, mean, rstd};
}

class FusedLayerNorm : public torch::autograd::Function<FusedLayerNorm> {
public:
    /// w, b: the norm's float32 weight and bias (constants).
    static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& x,
                                 const torch::Tensor& w, const torch::Tensor& b, double epsilon) {
        auto [y, mean, rstd] = normalise(x, w, b, epsilon);
        context->save_for_backward({x, mean, rstd});
        context->saved_data["weight"] = w;
        return y;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                   torch::autograd::variable_list gradients) {
        const auto saved = context->get_saved_variables();
        const torch::Tensor& x = saved[0];
        const float* mean = saved[1].data_ptr<float>();
        const float* rstd = saved[2].data_ptr<float>();
        const torch::Tensor w = context->saved_data["weight"].toTensor();
        const torch::Tensor g = gradients[0].to(x.scalar_type()).contiguous();
        const int64_t columns = x.size(-1), rows = x.numel() / std::max<int64_t>(columns, 1);
        torch::Tensor dx = torch::empty_like(x, torch::MemoryFormat::Contiguous);
        const bool bf16 = x.scalar_type() == torch::kBFloat16;
        at::parallel_for(0, rows, 8, [&](int64_t begin, int64_t end) {
            std::vector<float> work(static_cast<size_t>(2 * columns));
            for (int64_t r = begin; r < end; ++r) {
                const int64_t offset = r * columns;
                if (bf16)
                    backwardBfloat16(vec::raw<uint16_t>(x) + offset, vec::raw<uint16_t>(g) + offset, w.data_ptr<float>(),
                                     vec::raw<uint16_t>(dx) + offset, work.data(), columns, mean[r], rstd[r]);
                else
                    backwardFloat(vec::raw<float>(x) + offset, vec::raw<float>(g) + offset, w.data_ptr<float>(),
                                  vec::raw<float>(dx) + offset, work.data(), columns, mean[r], rstd[r]);
            }
        });
        return {dx, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

bool fusedLayerNormApplies(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
    const bool constants = !(weight.requires_grad() || bias.requires_grad()) || !torch::GradMode::is_enabled();
    return fusedKernelsEnabled() && constants && x.device().is_cpu() &&
           (x.scalar_type() == torch::kFloat || x.scalar_type() == torch::kBFloat16);
}

torch::Tensor fusedLayerNorm(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias, double epsilon) {
    const int64_t columns = x.dim() ? x.size(-1) : 0;
    if (columns == 0 || weight.numel() != columns || bias.numel() != columns)
        throw std::invalid_argument("layer norm: weight and bias must have the input's last dimension");
    const torch::Tensor input = x.contiguous();
    const torch::Tensor w = floatVector(weight), b = floatVector(bias);  // [H] float32
    if (!(torch::GradMode::is_enabled() && input.requires_grad())) return std::get<0>(normalise(input, w, b, epsilon));
    return FusedLayerNorm::apply(input, w, b, epsilon);
}

}  // namespace capsule::model
