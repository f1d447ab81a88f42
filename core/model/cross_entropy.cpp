#include "model/cross_entropy.h"

#include "model/kernel_selection.h"
#include "model/vector_math.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace capsule::model {
namespace {

constexpr int64_t kIgnored = -100;

/// log Σ_j e^(x_j) of one row, as max + log Σ e^(x − max): two vectorised passes.
template <typename T, float (*load)(T)>
CAPSULE_ALWAYS_INLINE float rowLogSumExp(const T* row, int64_t count) {
    float lanes[vec::kLanes];
    for (float& lane : lanes) lane = -INFINITY;
    int64_t j = 0;
    for (; j + vec::kLanes <= count; j += vec::kLanes)
        for (int64_t l = 0; l < vec::kLanes; ++l) {
            const float value = load(row[j + l]);
            lanes[l] = value > lanes[l] ? value : lanes[l];
        }
    float largest = -INFINITY;
    for (; j < count; ++j) largest = std::max(largest, load(row[j]));
    for (float lane : lanes) largest = std::max(largest, lane);
    for (float& lane : lanes) lane = 0.0f;
    for (j = 0; j + vec::kLanes <= count; j += vec::kLanes)
        for (int64_t l = 0; l < vec::kLanes; ++l) lanes[l] += vec::exp(load(row[j + l]) - largest);
    float total = 0.0f;
    for (; j < count; ++j) total += vec::exp(load(row[j]) - largest);
    for (float lane : lanes) total += lane;
    return largest + std::log(total);
}

CAPSULE_VECTOR_CLONES float rowLogSumExpFloat(const float* row, int64_t count) {
    return rowLogSumExp<float, vec::loadFloat>(row, count);
}

CAPSULE_VECTOR_CLONES float rowLogSumExpBfloat16(const uint16_t* row, int64_t count) {
    return rowLogSumExp<uint16_t, vec::loadBfloat16>(row, count);
}

/// The row's gradient without the one-hot: scale · e^(x − lse).
CAPSULE_VECTOR_CLONES void rowGradientFloat(const float* row, float* out, int64_t count, float lse, float scale) {
    for (int64_t j = 0; j < count; ++j) out[j] = scale * vec::exp(row[j] - lse);
}

CAPSULE_VECTOR_CLONES void rowGradientBfloat16(const uint16_t* row, uint16_t* out, int64_t count, float lse, float scale) {
    for (int64_t j = 0; j < count; ++j) out[j] = vec::floatToBfloat16(scale * vec::exp(vec::bfloat16ToFloat(row[j]) - lse));
}

float logitAt(const torch::Tensor& logits, int64_t row, int64_t column) {
    const int64_t index = row * logits.size(1) + column;
    return logits.scalar_type() == torch::kBFloat16
               ? vec::bfloat16ToFloat(reinterpret_cast<const uint16_t*>(logits.data_ptr())[index])
               : logits.data_ptr<float>()[index];
}

bool fusedPathApplies(const torch::Tensor& logits) {
    return fusedKernelsEnabled() && logits.device().is_cpu() && logits.dim() == 2 &&
           (logits.scalar_type() == torch::kFloat || logits.scalar_type() == torch::kBFloat16);
}

/// lse [N] float32 of logits [N, V] (contiguous float32 or bfloat16).
torch::Tensor logSumExpRows(const torch::Tensor& logits) {
    const int64_t rows = logits.size(0), columns = logits.size(1);
    torch::Tensor lse = torch::empty({rows}, torch::TensorOptions().dtype(torch::kFloat));  // [N]
    float* lseData = lse.data_ptr<float>();
    const bool bf16 = logits.scalar_type() == torch::kBFloat16;
    at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            lseData[i] = bf16 ? rowLogSumExpBfloat16(reinterpret_cast<const uint16_t*>(logits.data_ptr()) + i * columns, columns)
                              : rowLogSumExpFloat(logits.data_ptr<float>() + i * columns, columns);
    });
    return lse;
}

class FusedCrossEntropy : public torch::autograd::Function<FusedCrossEntropy> {
public:
    /// logits [N, V] contiguous, targets [N] long on the CPU.
    static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& logits,
                                 const torch::Tensor& targets, bool sum, bool overwrite) {
        const torch::Tensor lse = logSumExpRows(logits);  // [N]
        const int64_t* target = targets.data_ptr<int64_t>();
        const float* lseData = lse.data_ptr<float>();
        int64_t counted = 0;
        double total = 0.0;
        for (int64_t i = 0; i < logits.size(0); ++i) {
            if (target[i] == kIgnored) continue;
            total += static_cast<double>(lseData[i]) - static_cast<double>(logitAt(logits, i, target[i]));
            ++counted;
        }
        const double divisor = sum ? 1.0 : static_cast<double>(counted);
        context->save_for_backward({logits, targets, lse});
        context->saved_data["divisor"] = divisor;
        context->saved_data["overwrite"] = overwrite;
        // mean over zero rows is NaN, as torch's cross_entropy.
        return torch::full({}, total / divisor, torch::TensorOptions().dtype(torch::kFloat));
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                   torch::autograd::variable_list gradients) {
        const auto saved = context->get_saved_variables();
        const torch::Tensor& logits = saved[0];
        const int64_t* target = saved[1].data_ptr<int64_t>();
        const float* lse = saved[2].data_ptr<float>();
        const float scale = static_cast<float>(gradients[0].item<double>() / context->saved_data["divisor"].toDouble());
        const int64_t rows = logits.size(0), columns = logits.size(1);
        // Row by row, each element is read before it is written: the gradient can take the
        // logits' place when the caller allowed it.
        torch::Tensor gradient = context->saved_data["overwrite"].toBool() ? logits : torch::empty_like(logits);  // [N, V]
        const bool bf16 = logits.scalar_type() == torch::kBFloat16;
        at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                const bool ignored = target[i] == kIgnored;
                if (bf16) {
                    uint16_t* out = reinterpret_cast<uint16_t*>(gradient.data_ptr()) + i * columns;
                    if (ignored) { std::fill(out, out + columns, uint16_t{0}); continue; }
                    rowGradientBfloat16(reinterpret_cast<const uint16_t*>(logits.data_ptr()) + i * columns, out,
                                        columns, lse[i], scale);
                    out[target[i]] = vec::floatToBfloat16(vec::bfloat16ToFloat(out[target[i]]) - scale);
                } else {
                    float* out = gradient.data_ptr<float>() + i * columns;
                    if (ignored) { std::fill(out, out + columns, 0.0f); continue; }
                    rowGradientFloat(logits.data_ptr<float>() + i * columns, out, columns, lse[i], scale);
                    out[target[i]] -= scale;
                }
            }
        });
        return {gradient, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

torch::Tensor crossEntropy(const torch::Tensor& logits, const torch::Tensor& targets, bool sum,
                           LogitsAfterBackward afterBackward) {
    if (logits.dim() != 2 || targets.dim() != 1 || targets.size(0) != logits.size(0))
        throw std::invalid_argument("cross-entropy: logits must be [N, V] and targets [N]");
    const torch::Tensor indices = targets.to(torch::kCPU, torch::kLong).contiguous();  // [N]
    const int64_t vocabulary = logits.size(1);
    const int64_t* target = indices.data_ptr<int64_t>();
    for (int64_t i = 0; i < indices.size(0); ++i)
        if (target[i] != kIgnored && (target[i] < 0 || target[i] >= vocabulary))
            throw std::invalid_argument("cross-entropy: target " + std::to_string(target[i]) + " is outside the " +
                                        std::to_string(vocabulary) + "-token vocabulary");
    if (!fusedPathApplies(logits)) {
        torch::nn::functional::CrossEntropyFuncOptions options;
        options.reduction(sum ? torch::nn::functional::CrossEntropyFuncOptions::reduction_t(torch::kSum)
                              : torch::nn::functional::CrossEntropyFuncOptions::reduction_t(torch::kMean));
        return torch::nn::functional::cross_entropy(logits.to(torch::kFloat), targets.to(logits.device()), options);
    }
    return FusedCrossEntropy::apply(logits.contiguous(), indices, sum, afterBackward == LogitsAfterBackward::Overwritten);
}

}  // namespace capsule::model
