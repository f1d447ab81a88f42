#pragma once
// The one linear layer every model uses, so PEFT methods can wrap any of them the same way.
//
// Two weight layouts:
//   nn.Linear (Llama family, lm_head):  weight [out, in],  y = x Wᵀ + b
//   HF Conv1D (GPT-2 c_attn/c_proj/c_fc): weight [in, out], y = x W + b   (fanInFanOut = true)
// The Conv1D weight keeps its stored layout (no transposed copy), so checkpoints, PEFT deltas
// (ΔW = (B·A)ᵀ·s for fan_in_fan_out) and merges use the same tensor the file holds.
//
// Adapters: `forward(x)` runs `adapter->forward(*this, x)` when an adapter is attached, else
// `forwardBase(x)`. LoRA computes `base.forwardBase(x) + B(A(dropout(x)))·s`, IA3-FF
// `base.forwardBase(x·l)`, IA3 `base.forwardBase(x)·l`. Merging edits `weight` in place under a
// NoGradGuard; `weight` stays a plain registered parameter.
#include <torch/torch.h>

#include <cstdint>
#include <memory>

namespace capsule::model {

class LinearImpl;

/// A hook that replaces LinearImpl::forward. The adapter owns its parameters (whoever attaches it
/// registers them with the module tree); it must not keep a reference to `base` beyond the call.
struct LinearAdapter {
    virtual ~LinearAdapter();
    /// x [..., in] -> [..., out]
    virtual torch::Tensor forward(LinearImpl& base, const torch::Tensor& x) = 0;
};

struct LinearOptions {
    int64_t inFeatures = 0;
    int64_t outFeatures = 0;
    bool bias = true;
    bool fanInFanOut = false;            // HF Conv1D layout: weight [in, out]
    torch::TensorOptions tensorOptions;  // dtype and device of the weights
};

/// Weights are allocated uninitialised (torch::empty): the loader fills them from a checkpoint,
/// or initializeRandomWeights() (model_loader.h) draws them.
class LinearImpl : public torch::nn::Module {
public:
    explicit LinearImpl(const LinearOptions& options);
    /// A layer that shares `sharedWeight` ([out, in], not copied) — a tied LM head. No bias.
    explicit LinearImpl(torch::Tensor sharedWeight);

    /// x [..., in] -> [..., out]: the attached adapter if any, else forwardBase(x).
    torch::Tensor forward(const torch::Tensor& x);
    /// The frozen base computation only: x·Wᵀ + b (or x·W + b for Conv1D).
    torch::Tensor forwardBase(const torch::Tensor& x);
    /// forwardBase on flattened rows [N, in] -> [N, out]: a fresh tensor, not a view, which an
    /// adapter may update in place (LoRA's addmm_).
    torch::Tensor forwardBaseRows(const torch::Tensor& rows);

    int64_t inFeatures() const { return inFeatures_; }
    int64_t outFeatures() const { return outFeatures_; }
    bool fanInFanOut() const { return fanInFanOut_; }
    bool hasBias() const { return bias.defined(); }
    /// True when `weight` is another module's tensor (tied LM head).
    bool sharesWeight() const { return sharesWeight_; }

    torch::Tensor weight;  // [out, in], or [in, out] when fanInFanOut
    torch::Tensor bias;    // [out]; undefined without bias
    std::shared_ptr<LinearAdapter> adapter;  // optional; null = plain layer

private:
    int64_t inFeatures_ = 0;
    int64_t outFeatures_ = 0;
    bool fanInFanOut_ = false;
    bool sharesWeight_ = false;
};
TORCH_MODULE(Linear);

}  // namespace capsule::model
