#include "peft/adapter.h"

#include <stdexcept>

namespace capsule::peft {

AdapterMethod::~AdapterMethod() = default;

std::vector<torch::Tensor> AdapterMethod::trainableParameters() {
    std::vector<torch::Tensor> parameters;
    for (auto& [name, tensor] : namedTrainableParameters()) parameters.push_back(tensor);
    return parameters;
}

std::vector<torch::Tensor> AdapterMethod::ownedParameters() {
    return {};
}

void AdapterMethod::merge() {
    throw std::runtime_error(peftType() + " adapters cannot be merged into the base weights");
}

void AdapterMethod::unmerge() {
    throw std::runtime_error(peftType() + " adapters cannot be merged into the base weights");
}

NamedTensorList AdapterMethod::mergedParameters() {
    throw std::runtime_error(peftType() + " adapters cannot be merged into the base weights");
}

AdaptedInput AdapterMethod::prepareInput(const model::ForwardInput& input) {
    AdaptedInput adapted;
    adapted.input = input;
    return adapted;
}

model::GenerationHooks AdapterMethod::generationHooks() {
    return {};
}

torch::Tensor AdapterMethod::regularizationLoss() {
    return {};
}

void AdapterMethod::afterOptimizerStep(int64_t) {}

NamedTensorList AdapterMethod::trainingState() const {
    return {};
}

void AdapterMethod::restoreTrainingState(const NamedTensorList& state) {
    if (!state.empty())
        throw std::runtime_error("training state tensor '" + state.front().first + "' given to a " + peftType() +
                                 " adapter, which keeps none");
}

void AdapterMethod::setRankSnapshotCallback(std::function<void(const RankSnapshot&)>) {}

AdapterDisabledScope::AdapterDisabledScope(AdapterMethod& adapter)
    : adapter_(adapter), wasEnabled_(adapter.isEnabled()), wasMerged_(adapter.isMerged()) {
    adapter_.setEnabled(false);
}

AdapterDisabledScope::~AdapterDisabledScope() {
    try {
        adapter_.setEnabled(wasEnabled_);
        if (wasMerged_ && !adapter_.isMerged()) adapter_.merge();
    } catch (...) {
        // A destructor must not throw; the adapter stays disabled / unmerged in that case.
    }
}

torch::Tensor forwardLogits(model::CausalLM& model, AdapterMethod* adapter, const model::ForwardInput& input) {
    if (!adapter) return model.forward(input);  // [B, T, V]
    const AdaptedInput adapted = adapter->prepareInput(input);
    torch::Tensor logits = model.forward(adapted.input);  // [B, v + T, V]
    if (adapted.virtualTokenCount > 0) logits = logits.slice(1, adapted.virtualTokenCount);  // [B, T, V]
    return logits;
}

}  // namespace capsule::peft
