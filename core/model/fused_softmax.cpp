#include "model/fused_softmax.h"

#include "model/kernel_selection.h"
#include "model/vector_math.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace capsule::model {
namespace {

constexpr float kLowest = std::numeric_limits<float>::lowest();

/// out = softmax(row with blocked entries at the lowest value); `work` holds `count` floats.
/// `blocked` is null when nothing in the row is masked.
template <typename T, float (*load)(T), T (*store)(float)>
CAPSULE_ALWAYS_INLINE void softmaxRow(const T* row, const uint8_t* blocked, T* out, float* work, int64_t count) {
    if (blocked)
        for (int64_t j = 0; j < count; ++j) work[j] = blocked[j] ? kLowest : load(row[j]);
    else
        for (int64_t j = 0; j < count; ++j) work[j] = load(row[j]);
    const float largest = vec::laneMax(work, count, kLowest);
    // A fully blocked row: every value equals `largest`, so e^0 = 1 everywhere (uniform), as the
    // reference's softmax of equal finite scores.
    for (int64_t i = 0; i < count; ++i) work[i] = vec::exp(work[i] - largest);
    const float inverse = 1.0f / vec::laneSum(work, count);
    for (int64_t i = 0; i < count; ++i) out[i] = store(work[i] * inverse);
}

/// dS = P ∘ (dP − Σ P·dP), zero where blocked.
template <typename T, float (*load)(T), T (*store)(float)>
CAPSULE_ALWAYS_INLINE void softmaxBackwardRow(const T* p, const T* g, const uint8_t* blocked, T* out, int64_t count) {
    float lanes[vec::kLanes] = {};
    int64_t j = 0;
    for (; j + vec::kLanes <= count; j += vec::kLanes)
        for (int64_t l = 0; l < vec::kLanes; ++l) lanes[l] += load(p[j + l]) * load(g[j + l]);
    float dot = 0.0f;
    for (; j < count; ++j) dot += load(p[j]) * load(g[j]);
    for (float lane : lanes) dot += lane;
    if (blocked)
        for (int64_t i = 0; i < count; ++i) out[i] = store(blocked[i] ? 0.0f : load(p[i]) * (load(g[i]) - dot));
    else
        for (int64_t i = 0; i < count; ++i) out[i] = store(load(p[i]) * (load(g[i]) - dot));
}

CAPSULE_VECTOR_CLONES void forwardFloat(const float* row, const uint8_t* blocked, float* out, float* work, int64_t count) {
    softmaxRow<float, vec::loadFloat, vec::storeFloat>(row, blocked, out, work, count);
}

CAPSULE_VECTOR_CLONES void forwardBfloat16(const uint16_t* row, const uint8_t* blocked, uint16_t* out, float* work,
                                           int64_t count) {
    softmaxRow<uint16_t, vec::loadBfloat16, vec::storeBfloat16>(row, blocked, out, work, count);
}

CAPSULE_VECTOR_CLONES void backwardFloat(const float* p, const float* g, const uint8_t* blocked, float* out, int64_t count) {
    softmaxBackwardRow<float, vec::loadFloat, vec::storeFloat>(p, g, blocked, out, count);
}

CAPSULE_VECTOR_CLONES void backwardBfloat16(const uint16_t* p, const uint16_t* g, const uint8_t* blocked, uint16_t* out,
                                            int64_t count) {
    softmaxBackwardRow<uint16_t, vec::loadBfloat16, vec::storeBfloat16>(p, g, blocked, out, count);
}

/// Maps a row of scores [B, n, T, S] to its row of the mask [Bm, Hm, T, S] (Bm ∈ {1, B}, Hm ∈ {1, n}).
struct MaskRows {
    const uint8_t* data = nullptr;
    int64_t heads = 1, length = 1, columns = 0;
    bool perBatch = false, perHead = false;

    MaskRows(const torch::Tensor& blocked, const torch::Tensor& scores) {
        if (!blocked.defined()) return;
        data = reinterpret_cast<const uint8_t*>(blocked.data_ptr());
        heads = scores.size(1);
        length = scores.size(2);
        columns = scores.size(3);
        perBatch = blocked.size(0) != 1;
        perHead = blocked.size(1) != 1;
    }

    const uint8_t* row(int64_t scoresRow) const {
        if (!data) return nullptr;
        const int64_t t = scoresRow % length, h = (scoresRow / length) % heads, b = scoresRow / (length * heads);
        const int64_t maskRow = ((perBatch ? b : 0) * (perHead ? heads : 1) + (perHead ? h : 0)) * length + t;
        return data + maskRow * columns;
    }
};

/// scores [B, n, T, S] contiguous; blocked contiguous bool or undefined.
torch::Tensor softmaxForward(const torch::Tensor& scores, const torch::Tensor& blocked) {
    torch::Tensor out = torch::empty_like(scores, torch::MemoryFormat::Contiguous);  // [B, n, T, S]
    const MaskRows mask(blocked, scores);
    const int64_t columns = scores.size(3), rows = scores.numel() / std::max<int64_t>(columns, 1);
    const bool bf16 = scores.scalar_type() == torch::kBFloat16;
    at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
        std::vector<float> work(static_cast<size_t>(columns));
        for (int64_t r = begin; r < end; ++r) {
            const int64_t offset = r * columns;
            if (bf16)
                forwardBfloat16(vec::raw<uint16_t>(scores) + offset, mask.row(r), vec::raw<uint16_t>(out) + offset,
                                work.data(), columns);
            else
                forwardFloat(vec::raw<float>(scores) + offset, mask.row(r), vec::raw<float>(out) + offset, work.data(),
                             columns);
        }
    });
    return out;
}

torch::Tensor softmaxBackward(const torch::Tensor& weights, const torch::Tensor& gradient, const torch::Tensor& blocked) {
    torch::Tensor out = torch::empty_like(weights, torch::MemoryFormat::Contiguous);  // [B, n, T, S]
    const MaskRows mask(blocked, weights);
    const int64_t columns = weights.size(3), rows = weights.numel() / std::max<int64_t>(columns, 1);
    const bool bf16 = weights.scalar_type() == torch::kBFloat16;
    at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            const int64_t offset = r * columns;
            if (bf16)
                backwardBfloat16(vec::raw<uint16_t>(weights) + offset, vec::raw<uint16_t>(gradient) + offset, mask.row(r),
                                 vec::raw<uint16_t>(out) + offset, columns);
            else
                backwardFloat(vec::raw<float>(weights) + offset, vec::raw<float>(gradient) + offset, mask.row(r),
                              vec::raw<float>(out) + offset, columns);
        }
    });
    return out;
}

/// The mask travels as a non-tensor argument: autograd records every tensor argument as an input,
/// and an undefined one (no mask) cannot be recorded.
struct MaskArgument {
    torch::Tensor blocked;
};

class FusedMaskedSoftmax : public torch::autograd::Function<FusedMaskedSoftmax> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& scores,
                                 const MaskArgument& mask) {
        const torch::Tensor& blocked = mask.blocked;
        torch::Tensor weights = softmaxForward(scores, blocked);
        context->save_for_backward({weights});
        if (blocked.defined()) context->saved_data["blocked"] = blocked;
        return weights;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                   torch::autograd::variable_list gradients) {
        const torch::Tensor weights = context->get_saved_variables()[0];
        const auto found = context->saved_data.find("blocked");
        const torch::Tensor blocked = found == context->saved_data.end() ? torch::Tensor() : found->second.toTensor();
        const torch::Tensor gradient = gradients[0].to(weights.scalar_type()).contiguous();
        return {softmaxBackward(weights, gradient, blocked), torch::Tensor()};
    }
};

}  // namespace

bool fusedSoftmaxApplies(const torch::Tensor& scores) {
    return fusedKernelsEnabled() && scores.device().is_cpu() &&
           (scores.scalar_type() == torch::kFloat || scores.scalar_type() == torch::kBFloat16);
}

torch::Tensor maskedSoftmax(const torch::Tensor& scores, const torch::Tensor& blocked) {
    if (scores.dim() != 4) throw std::invalid_argument("masked softmax: scores must be [B, n, T, S]");
    torch::Tensor mask;
    if (blocked.defined()) {
        const bool fits = blocked.dim() == 4 && (blocked.size(0) == 1 || blocked.size(0) == scores.size(0)) &&
                          (blocked.size(1) == 1 || blocked.size(1) == scores.size(1)) &&
                          blocked.size(2) == scores.size(2) && blocked.size(3) == scores.size(3);
        if (!fits) throw std::invalid_argument("masked softmax: the mask does not broadcast to the scores");
        mask = blocked.to(torch::kBool).contiguous();
    }
    const torch::Tensor input = scores.contiguous();
    if (!(torch::GradMode::is_enabled() && input.requires_grad())) return softmaxForward(input, mask);
    return FusedMaskedSoftmax::apply(input, MaskArgument{mask});
}

}  // namespace capsule::model
