#pragma once
// AdaLoRA (peft-spec.md §4): SVD-form updates W = W₀ + P Λ Q whose ranks a RankAllocator prunes
// during training.
//
//   lora_A [r, in]  (Q)   lora_E [r, 1]  (Λ)   lora_B [out, r]  (P)      r = init_r
//   init: E = 0, A, B ~ N(0, 0.02²)
//   y = base(x) + (dropout(x) · (A ⊙ E)ᵀ · Bᵀ) · scaling / (ranknum + 1e-5)
//   scaling = lora_alpha (or r when alpha ≤ 0); ranknum = init_r, fixed even after pruning.
//
// Training: the trainer adds regularizationLoss() (orth_reg_weight · mean ‖AAᵀ − I‖_F, ‖BᵀB − I‖_F)
// to the loss and calls afterOptimizerStep(step) after every optimizer step, which runs the
// allocator exactly like PEFT's update_and_allocate and publishes a RankSnapshot.
// Saving slices A rows, E rows and B columns to the kept ranks and writes rank_pattern (§4.6);
// loading resizes each module to its kept count (0 allowed). Keys have no `.weight`.
#include "peft/peft_config.h"
#include "peft/rank_allocator.h"
#include "peft/rank_snapshot.h"
#include "peft/weight_adapter.h"

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace capsule::peft {

class AdaLoraLayer : public AdapterLayer {
public:
    /// Allocates A [rank, in], E [rank, 1], B [out, rank] (float32) and ranknum = `initialRank`
    /// (a frozen parameter, not saved) on the base weight's device, uninitialised.
    AdaLoraLayer(const model::LinearImpl& base, int64_t rank, int64_t initialRank, double scaling,
                 double dropoutProbability);
    /// true: E = 0, A and B ~ N(0, 0.02²); false: all three N(0, 1) (PEFT's randn).
    void initialize(bool initLoraWeights);

    /// x [..., in] -> [..., out]
    torch::Tensor forward(model::LinearImpl& base, const torch::Tensor& x) override;
    NamedTensorList savedTensors() override;
    NamedTensorList parametersBySuffix() override;
    void merge(model::LinearImpl& base) override;
    void unmerge(model::LinearImpl& base) override;
    std::pair<torch::Tensor, torch::Tensor> mergedWeightAndBias(model::LinearImpl& base) override;

    /// ΔW = T(B · (A ⊙ E)) · scaling / (ranknum + 1e-5) in the base layout, float32.
    torch::Tensor deltaWeight(const model::LinearImpl& base) const;

    int64_t rank() const { return loraA.size(0); }
    int64_t initialRank() const { return initialRank_; }

    torch::Tensor loraA;    // [r, in]
    torch::Tensor loraE;    // [r, 1]
    torch::Tensor loraB;    // [out, r]
    torch::Tensor ranknum;  // [1] = init_r; requires_grad false

private:
    int64_t initialRank_;
    double scaling_;
    double dropoutProbability_;
};

/// Runs the rank allocation after each optimizer step (PEFT's AdaLoraModel.update_and_allocate)
/// and computes the orthogonal regularisation. Owned by AdaLoraAdapter; not thread-safe.
class AdaLoraController {
public:
    struct Module {
        std::string name;  // HF module path
        std::shared_ptr<AdaLoraLayer> layer;
    };
    /// `config` (not owned) receives each new rank_pattern.
    AdaLoraController(AdaLoraConfig& config, std::vector<Module> modules);

    /// step < T − tfinal: importance update, mask on schedule; step == T − tfinal: forced mask to
    /// target_bgt, importance reset; step > T − tfinal: re-apply the final pattern. Then publishes
    /// a snapshot. `globalStep` is 1-based (see AdapterMethod::afterOptimizerStep).
    void afterOptimizerStep(int64_t globalStep);
    /// orth_reg_weight · (1/n) Σ ‖M − I‖_F over every lora_A (M = AAᵀ) and lora_B (M = BᵀB);
    /// a scalar on the adapter device. Undefined when orth_reg_weight is 0.
    torch::Tensor regularizationLoss() const;

    void setSnapshotCallback(std::function<void(const RankSnapshot&)> callback) { callback_ = std::move(callback); }
    /// The snapshot of the latest afterOptimizerStep() (step 0, full ranks before the first).
    const RankSnapshot& lastSnapshot() const { return snapshot_; }
    const RankAllocator& allocator() const { return allocator_; }
    /// Allocator EMAs plus the current rank pattern ("rank_pattern.<key>" uint8 masks).
    NamedTensorList trainingState() const;
    void restoreTrainingState(const NamedTensorList& state);

private:
    void publish(int64_t step, int64_t budget);

    AdaLoraConfig& config_;
    std::vector<Module> modules_;
    RankAllocator allocator_;
    std::vector<std::vector<float>> lastScores_;  // per module, from the latest importance update
    RankSnapshot snapshot_;
    std::function<void(const RankSnapshot&)> callback_;
};

class AdaLoraAdapter : public WeightAdapterMethod {
public:
    explicit AdaLoraAdapter(AdaLoraConfig config);

    std::string peftType() const override { return "ADALORA"; }
    /// Resolves AdaLoRA's default targets and attaches an AdaLoraLayer (rank init_r, or the kept
    /// count of rank_pattern when loading) to each target.
    void apply(model::CausalLM& model, WeightInit init) override;
    std::string configJson(ConfigProfile profile) const override;
    /// Sliced to the kept ranks when rank_pattern is set (§4.6).
    NamedTensorList stateDict() override;

    torch::Tensor regularizationLoss() override;
    void afterOptimizerStep(int64_t globalStep) override;
    void setRankSnapshotCallback(std::function<void(const RankSnapshot&)> callback) override;
    NamedTensorList trainingState() const override;
    void restoreTrainingState(const NamedTensorList& state) override;
    void remove() override;

    const AdaLoraConfig& config() const { return config_; }
    void setBaseModelNameOrPath(const std::string& name) { config_.lora.baseModelNameOrPath = name; }
    /// Null before apply().
    AdaLoraController* controller() { return controller_.get(); }

protected:
    std::shared_ptr<AdapterLayer> createLayer(const AdaptedLayer& target, WeightInit init) override;
    std::string layerModuleName() const override { return "adalora"; }

private:
    AdaLoraConfig config_;
    std::unique_ptr<AdaLoraController> controller_;
    std::function<void(const RankSnapshot&)> pendingCallback_;
};

}  // namespace capsule::peft
