#include "peft/rank_allocator.h"

#include <map>
#include <tuple>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace capsule::peft {

BudgetStep adaLoraBudgetSchedule(const RankAllocatorOptions& options, int64_t initialBudget, int64_t targetBudget,
                                 int64_t step) {
    BudgetStep result;
    if (step <= options.tinit) {
        result.budget = initialBudget;
        result.maskThisStep = false;
    } else if (step > options.totalStep - options.tfinal) {
        result.budget = targetBudget;
        result.maskThisStep = true;
    } else {
        // Python: mul_coeff = 1 - (step - tinit) / (total_step - tfinal - tinit), int(...) truncates.
        const double multiplier = 1.0 - static_cast<double>(step - options.tinit) /
                                            static_cast<double>(options.totalStep - options.tfinal - options.tinit);
        const double budget = static_cast<double>(initialBudget - targetBudget) * (multiplier * multiplier * multiplier) +
                              static_cast<double>(targetBudget);
        result.budget = static_cast<int64_t>(std::trunc(budget));
        result.maskThisStep = step % options.deltaT == 0;
    }
    return result;
}

RankAllocator::RankAllocator(const RankAllocatorOptions& options, std::vector<RankTriplet> triplets)
    : options_(options), triplets_(std::move(triplets)) {
    if (options_.deltaT < 1) throw std::runtime_error("RankAllocator: deltaT must be >= 1");
    for (const auto& triplet : triplets_) {
        const int64_t rank = triplet.a.size(0);
        if (triplet.e.dim() != 2 || triplet.e.size(0) != rank || triplet.e.size(1) != 1 || triplet.b.size(1) != rank)
            throw std::runtime_error("RankAllocator: triplet '" + triplet.name + "' has inconsistent shapes A " +
                                     c10::str(triplet.a.sizes()) + ", E " + c10::str(triplet.e.sizes()) + ", B " +
                                     c10::str(triplet.b.sizes()));
        initialBudget_ += rank;
    }
    targetBudget_ = options_.targetR * static_cast<int64_t>(triplets_.size());
}

void RankAllocator::updateEma(Ema& ema, const torch::Tensor& parameter, const std::string& name, double beta1,
                              double beta2) {
    const torch::Tensor gradient = parameter.grad();
    if (!gradient.defined())
        throw std::runtime_error("AdaLoRA RankAllocator: parameter '" + name +
                                 "' has no gradient; call afterOptimizerStep() after backward() and before zero_grad()");
    if (!ema.smoothed.defined()) {
        ema.smoothed = torch::zeros_like(parameter);
        ema.uncertainty = torch::zeros_like(parameter);
    }
    const torch::Tensor sensitivity = (parameter.detach() * gradient).abs();  // I
    ema.smoothed = beta1 * ema.smoothed + (1.0 - beta1) * sensitivity;      // Ī
    ema.uncertainty = beta2 * ema.uncertainty + (1.0 - beta2) * (sensitivity - ema.smoothed).abs();  // Ū
}

torch::Tensor RankAllocator::elementScore(const Ema& ema, const torch::Tensor& parameter) {
    if (!ema.smoothed.defined()) return torch::zeros_like(parameter.detach());
    return ema.smoothed * ema.uncertainty;
}

void RankAllocator::updateImportance() {
    torch::NoGradGuard noGrad;
    if (state_.size() != triplets_.size()) state_.assign(triplets_.size(), TripletState{});
    for (size_t i = 0; i < triplets_.size(); ++i) {
        const RankTriplet& triplet = triplets_[i];
        const std::string module = triplet.name.substr(0, triplet.name.size() - std::string(".lora_E").size());
        updateEma(state_[i].a, triplet.a, module + ".lora_A", options_.beta1, options_.beta2);
        updateEma(state_[i].e, triplet.e, module + ".lora_E", options_.beta1, options_.beta2);
        updateEma(state_[i].b, triplet.b, module + ".lora_B", options_.beta1, options_.beta2);
    }
}

std::vector<torch::Tensor> RankAllocator::tripletScores() const {
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> scores;
    scores.reserve(triplets_.size());
    for (size_t i = 0; i < triplets_.size(); ++i) {
        const RankTriplet& triplet = triplets_[i];
        const int64_t rank = triplet.a.size(0);
        if (rank == 0) {
            scores.push_back(torch::zeros({0}, triplet.e.options().requires_grad(false)));
            continue;
        }
        static const TripletState empty;
        const TripletState& state = i < state_.size() ? state_[i] : empty;
        const torch::Tensor scoreA = elementScore(state.a, triplet.a).mean(1, true);            // [r, 1]
        const torch::Tensor scoreB = elementScore(state.b, triplet.b).mean(0).view({-1, 1});    // [r, 1]
        const torch::Tensor scoreE = elementScore(state.e, triplet.e);                          // [r, 1]
        // PEFT's _combine_ipt: E + (A + B), in that order.
        scores.push_back(scoreE.view(-1) + torch::cat({scoreA, scoreB}, 1).sum(1));  // [r]
    }
    return scores;
}

RankPattern RankAllocator::maskToBudget(int64_t budget) {
    torch::NoGradGuard noGrad;
    const std::vector<torch::Tensor> scores = tripletScores();
    RankPattern pattern;
    if (triplets_.empty()) return pattern;
    const int64_t k = initialBudget_ - budget;
    double threshold = -std::numeric_limits<double>::infinity();
    if (k > 0) {
        std::vector<torch::Tensor> flat;
        for (const auto& score : scores) flat.push_back(score.to(torch::kCPU));
        const torch::Tensor all = torch::cat(flat);  // [init_bgt]
        if (k > all.numel())
            throw std::runtime_error("AdaLoRA RankAllocator: budget " + std::to_string(budget) + " below zero");
        threshold = std::get<0>(torch::kthvalue(all, k)).item<double>();
    }
    for (size_t i = 0; i < triplets_.size(); ++i) {
        const torch::Tensor drop = (scores[i].to(torch::kDouble) <= threshold).view({-1, 1});  // [r, 1] bool
        triplets_[i].e.masked_fill_(drop.to(triplets_[i].e.device()), 0.0);
        const torch::Tensor keep = drop.logical_not().view(-1).to(torch::kCPU);
        std::vector<bool> mask(static_cast<size_t>(keep.numel()));
        const auto accessor = keep.accessor<bool, 1>();
        for (int64_t j = 0; j < keep.numel(); ++j) mask[static_cast<size_t>(j)] = accessor[j];
        pattern[triplets_[i].name] = std::move(mask);
    }
    return pattern;
}

void RankAllocator::maskUsingRankPattern(const RankPattern& pattern) {
    torch::NoGradGuard noGrad;
    for (auto& triplet : triplets_) {
        const auto found = pattern.find(triplet.name);
        if (found == pattern.end()) continue;
        if (static_cast<int64_t>(found->second.size()) != triplet.e.size(0))
            throw std::runtime_error("AdaLoRA: rank_pattern entry '" + triplet.name + "' has " +
                                     std::to_string(found->second.size()) + " flags for rank " +
                                     std::to_string(triplet.e.size(0)));
        std::vector<uint8_t> drop;
        for (bool kept : found->second) drop.push_back(kept ? 0 : 1);
        const torch::Tensor dropMask =
            torch::from_blob(drop.data(), {static_cast<int64_t>(drop.size()), 1}, torch::kUInt8).to(torch::kBool).clone();
        triplet.e.masked_fill_(dropMask.to(triplet.e.device()), 0.0);
    }
}

void RankAllocator::resetImportance() {
    state_.clear();
}

namespace {

std::string tripletModule(const RankTriplet& triplet) {
    return triplet.name.substr(0, triplet.name.size() - std::string(".lora_E").size());
}

}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> RankAllocator::exportState() const {
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (size_t i = 0; i < state_.size() && i < triplets_.size(); ++i) {
        const std::string module = tripletModule(triplets_[i]);
        const std::pair<const char*, const Ema*> parts[] = {{".lora_A", &state_[i].a}, {".lora_E", &state_[i].e}, {".lora_B", &state_[i].b}};
        for (const auto& [suffix, ema] : parts) {
            if (!ema->smoothed.defined()) continue;
            tensors.emplace_back(module + suffix + ".exp_avg_ipt", ema->smoothed.detach().cpu());
            tensors.emplace_back(module + suffix + ".exp_avg_unc", ema->uncertainty.detach().cpu());
        }
    }
    return tensors;
}

void RankAllocator::importState(const std::vector<std::pair<std::string, torch::Tensor>>& state) {
    state_.clear();
    if (state.empty()) return;
    std::map<std::string, torch::Tensor> byName(state.begin(), state.end());
    state_.assign(triplets_.size(), TripletState{});
    for (size_t i = 0; i < triplets_.size(); ++i) {
        const RankTriplet& triplet = triplets_[i];
        const std::string module = tripletModule(triplet);
        const std::tuple<const char*, Ema*, const torch::Tensor*> parts[] = {
            {".lora_A", &state_[i].a, &triplet.a}, {".lora_E", &state_[i].e, &triplet.e}, {".lora_B", &state_[i].b, &triplet.b}};
        for (const auto& [suffix, ema, parameter] : parts) {
            for (const char* field : {".exp_avg_ipt", ".exp_avg_unc"}) {
                const std::string name = module + suffix + field;
                const auto found = byName.find(name);
                if (found == byName.end()) throw std::runtime_error("AdaLoRA allocator state: tensor " + name + " is missing");
                if (found->second.sizes() != parameter->sizes())
                    throw std::runtime_error("AdaLoRA allocator state: tensor " + name + " has shape " +
                                             c10::str(found->second.sizes()) + ", expected " + c10::str(parameter->sizes()));
                torch::Tensor value = found->second.to(parameter->device(), parameter->scalar_type());
                (std::string(field) == ".exp_avg_ipt" ? ema->smoothed : ema->uncertainty) = value;
            }
        }
    }
}

std::pair<int64_t, std::optional<RankPattern>> RankAllocator::updateAndAllocate(int64_t step, bool forceMask) {
    if (step < options_.totalStep - options_.tfinal) updateImportance();
    const BudgetStep schedule = budgetSchedule(step);
    std::optional<RankPattern> pattern;
    if (schedule.maskThisStep || forceMask) pattern = maskToBudget(schedule.budget);
    return {schedule.budget, pattern};
}

}  // namespace capsule::peft
