#pragma once
// AdaLoRA's RankAllocator (peft-spec.md §4.5): importance scores of the SVD triplets
// (P_j, λ_j, Q_j) and the cubic budget schedule that masks the least important λ_j.
//
//   sensitivity   I = |p ⊙ ∇p|                       element-wise, for A, E and B
//   smoothed      Ī ← β1·Ī + (1 − β1)·I
//   uncertainty   Ū ← β2·Ū + (1 − β2)·|I − Ī|        (with the updated Ī)
//   element score s = Ī ⊙ Ū
//   triplet score S_j = s(E)_j + (mean_k s(A)_{j,k} + mean_k s(B)_{k,j})
//
//   budget b(t) = init_bgt                                   t ≤ tinit            (no masking)
//               = target_bgt                                 t > T − tfinal       (mask)
//               = ⌊(init_bgt − target_bgt)·(1 − (t − tinit)/(T − tfinal − tinit))³ + target_bgt⌋
//                                                            otherwise (mask iff t % deltaT == 0)
//   masking to b: threshold = k-th smallest S over all triplets, k = init_bgt − b;
//                 λ_j ← 0 where S_j ≤ threshold; the keep-mask is S_j > threshold.
//
// init_bgt = Σ rows of every lora_A, target_bgt = target_r · (number of matrices). A and B are
// never zeroed. Works on any device; not thread-safe.
#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace capsule::peft {

struct RankAllocatorOptions {
    int64_t targetR = 8;
    int64_t tinit = 0;
    int64_t tfinal = 0;
    int64_t deltaT = 1;
    int64_t totalStep = 1;
    double beta1 = 0.85;
    double beta2 = 0.85;
};

/// One adapted matrix P Λ Q. The tensors alias the live parameters (masking writes into e).
struct RankTriplet {
    std::string name;  // its rank_pattern key: "<module path>.lora_E"
    torch::Tensor a;   // lora_A [r, in]
    torch::Tensor e;   // lora_E [r, 1]
    torch::Tensor b;   // lora_B [out, r]
};

/// Keep-masks by rank_pattern key (true = triplet kept).
using RankPattern = std::map<std::string, std::vector<bool>>;

/// The budget and whether this step masks. Pure function of the step.
struct BudgetStep {
    int64_t budget = 0;
    bool maskThisStep = false;
};

BudgetStep adaLoraBudgetSchedule(const RankAllocatorOptions& options, int64_t initialBudget, int64_t targetBudget,
                                 int64_t step);

class RankAllocator {
public:
    RankAllocator(const RankAllocatorOptions& options, std::vector<RankTriplet> triplets);

    int64_t initialBudget() const { return initialBudget_; }
    int64_t targetBudget() const { return targetBudget_; }
    BudgetStep budgetSchedule(int64_t step) const {
        return adaLoraBudgetSchedule(options_, initialBudget_, targetBudget_, step);
    }

    /// update_ipt: one EMA step from the current gradients. Throws std::runtime_error naming the
    /// parameter when a gradient is missing (call before zero_grad()).
    void updateImportance();
    /// S_j of every triplet ([r] float32 each, triplet order), from the current EMA state (zeros
    /// before the first update).
    std::vector<torch::Tensor> tripletScores() const;
    /// mask_to_budget: zeroes the λ_j of the least important triplets so that `budget` remain
    /// (fewer on ties), returns the keep-masks.
    RankPattern maskToBudget(int64_t budget);
    /// Zeroes the λ_j the pattern drops (final phase: keeps optimizer steps from reviving them).
    void maskUsingRankPattern(const RankPattern& pattern);
    /// Clears the EMA state.
    void resetImportance();
    /// RankAllocator.update_and_allocate: updates importance while step < T − tfinal, then masks
    /// when the schedule says so (or `forceMask`). Returns the budget and the pattern if it masked.
    std::pair<int64_t, std::optional<RankPattern>> updateAndAllocate(int64_t step, bool forceMask = false);

    const std::vector<RankTriplet>& triplets() const { return triplets_; }

    /// The importance EMAs (Ī, Ū of every lora_A/E/B) as "<module>.lora_X.exp_avg_ipt" /
    /// ".exp_avg_unc" CPU tensors (PEFT's names); empty before the first update or after a reset.
    std::vector<std::pair<std::string, torch::Tensor>> exportState() const;
    /// Restores exportState(); an empty list means "no state yet". Throws std::runtime_error naming
    /// the tensor for a missing name or a wrong shape.
    void importState(const std::vector<std::pair<std::string, torch::Tensor>>& state);

private:
    struct Ema {
        torch::Tensor smoothed;     // Ī, same shape as the parameter
        torch::Tensor uncertainty;  // Ū
    };
    struct TripletState {
        Ema a, e, b;
    };
    static void updateEma(Ema& ema, const torch::Tensor& parameter, const std::string& name, double beta1, double beta2);
    static torch::Tensor elementScore(const Ema& ema, const torch::Tensor& parameter);

    RankAllocatorOptions options_;
    std::vector<RankTriplet> triplets_;
    std::vector<TripletState> state_;  // empty until the first update
    int64_t initialBudget_ = 0;
    int64_t targetBudget_ = 0;
};

}  // namespace capsule::peft
