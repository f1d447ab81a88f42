#include "model/rank_update.h"

#include "model/kernel_selection.h"
#include "model/vector_math.h"

#include <ATen/Parallel.h>

#include <stdexcept>
#include <vector>

namespace capsule::model {
namespace {

/// One row: y = y + bias + Σ_k coefficients[k]·lowToOut[k, :], accumulated in `work` (count floats).
template <typename T, float (*load)(T), T (*store)(float)>
CAPSULE_ALWAYS_INLINE void updateRow(T* y, const T* bias, const float* coefficients, const T* lowToOut, int64_t rank,
                                     float* work, int64_t count) {
    if (bias)
        for (int64_t j = 0; j < count; ++j) work[j] = load(y[j]) + load(bias[j]);
    else
        for (int64_t j = 0; j < count; ++j) work[j] = load(y[j]);
    for (int64_t k = 0; k < rank; ++k) {
        const float c = coefficients[k];
        const T* row = lowToOut + k * count;
        for (int64_t j = 0; j < count; ++j) work[j] += c * load(row[j]);
    }
    for (int64_t j = 0; j < count; ++j) y[j] = store(work[j]);
}

CAPSULE_VECTOR_CLONES void updateRowFloat(float* y, const float* bias, const float* coefficients, const float* lowToOut,
                                          int64_t rank, float* work, int64_t count) {
    updateRow<float, vec::loadFloat, vec::storeFloat>(y, bias, coefficients, lowToOut, rank, work, count);
}

CAPSULE_VECTOR_CLONES void updateRowBfloat16(uint16_t* y, const uint16_t* bias, const float* coefficients,
                                             const uint16_t* lowToOut, int64_t rank, float* work, int64_t count) {
    updateRow<uint16_t, vec::loadBfloat16, vec::storeBfloat16>(y, bias, coefficients, lowToOut, rank, work, count);
}

template <typename T>
const T* rawOrNull(const torch::Tensor& tensor) {
    return tensor.defined() ? reinterpret_cast<const T*>(tensor.data_ptr()) : nullptr;
}

}  // namespace

bool rankUpdateApplies(const torch::Tensor& y, int64_t rank) {
    return fusedKernelsEnabled() && y.device().is_cpu() && y.dim() == 2 && y.is_contiguous() && rank >= 0 && rank <= kMaxRankUpdate &&
           (y.scalar_type() == torch::kFloat || y.scalar_type() == torch::kBFloat16);
}

void addRankUpdate(torch::Tensor& y, const torch::Tensor& bias, const torch::Tensor& low, const torch::Tensor& lowToOut,
                   double scale) {
    const int64_t rows = y.size(0), columns = y.size(1);
    const int64_t rank = low.defined() ? low.size(1) : 0;
    if (!rankUpdateApplies(y, rank)) throw std::invalid_argument("rank update: y must be a contiguous CPU [N, out] matrix");
    const auto sameDtype = [&](const torch::Tensor& t) { return !t.defined() || t.scalar_type() == y.scalar_type(); };
    if (!sameDtype(bias) || !sameDtype(low) || !sameDtype(lowToOut) || (bias.defined() && bias.numel() != columns) ||
        (rank > 0 && (!lowToOut.defined() || low.size(0) != rows || lowToOut.size(0) != rank ||
                      lowToOut.size(1) != columns || !low.is_contiguous() || !lowToOut.is_contiguous())))
        throw std::invalid_argument("rank update: operands do not match y [N, out] (bias [out], low [N, r], lowToOut [r, out])");
    const torch::Tensor biasValues = bias.defined() ? bias.contiguous() : bias;
    const bool bf16 = y.scalar_type() == torch::kBFloat16;
    const float factor = static_cast<float>(scale);
    at::parallel_for(0, rows, 4, [&](int64_t begin, int64_t end) {
        std::vector<float> work(static_cast<size_t>(columns));
        float coefficients[kMaxRankUpdate];
        for (int64_t i = begin; i < end; ++i) {
            if (bf16) {
                const uint16_t* lowRow = rank ? rawOrNull<uint16_t>(low) + i * rank : nullptr;
                for (int64_t k = 0; k < rank; ++k) coefficients[k] = factor * vec::bfloat16ToFloat(lowRow[k]);
                updateRowBfloat16(reinterpret_cast<uint16_t*>(y.data_ptr()) + i * columns, rawOrNull<uint16_t>(biasValues),
                                  coefficients, rawOrNull<uint16_t>(lowToOut), rank, work.data(), columns);
            } else {
                const float* lowRow = rank ? rawOrNull<float>(low) + i * rank : nullptr;
                for (int64_t k = 0; k < rank; ++k) coefficients[k] = factor * lowRow[k];
                updateRowFloat(y.data_ptr<float>() + i * columns, rawOrNull<float>(biasValues), coefficients,
                               rawOrNull<float>(lowToOut), rank, work.data(), columns);
            }
        }
    });
}

}  // namespace capsule::model
