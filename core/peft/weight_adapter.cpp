#include "peft/weight_adapter.h"

#include "model/model_registry.h"

#include <set>
#include <stdexcept>

namespace capsule::peft {

torch::ScalarType adapterDtypeFor(const torch::Tensor& baseWeight) {
    return baseWeight.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
}

void fillBaseConfigFields(PeftConfigBase& config, const model::CausalLM& model) {
    const model::ModelConfig& modelConfig = model.config();
    if (!config.baseModelNameOrPath && !modelConfig.sourcePath.empty()) {
        std::string folder = modelConfig.sourcePath;
        const std::string suffix = "/config.json";
        if (folder.size() > suffix.size() && folder.compare(folder.size() - suffix.size(), suffix.size(), suffix) == 0)
            folder.resize(folder.size() - suffix.size());
        config.baseModelNameOrPath = folder;
    }
    if (!config.taskType && !config.autoMapping) {
        for (const auto& family : model::modelFamilies())
            if (family.modelType == modelConfig.modelType) {
                config.autoMapping = AutoMapping{family.className, "transformers.models." + modelConfig.modelType +
                                                                       ".modeling_" + modelConfig.modelType};
                break;
            }
    }
}

// ---------------------------------------------------------------------------------------------
// ModulesToSaveLayer

ModulesToSaveLayer::ModulesToSaveLayer(model::LinearImpl& base) {
    torch::NoGradGuard noGrad;
    weight = register_parameter("weight", base.weight.detach().clone(), true);  // base layout
    if (base.hasBias()) bias = register_parameter("bias", base.bias.detach().clone(), true);  // [out]
}

torch::Tensor ModulesToSaveLayer::forward(model::LinearImpl& base, const torch::Tensor& x) {
    if (!enabled) return base.forwardBase(x);
    if (!base.fanInFanOut()) return torch::linear(x, weight, bias);  // [..., out]
    std::vector<int64_t> outputShape = x.sizes().vec();
    outputShape.back() = base.outFeatures();
    const torch::Tensor rows = x.reshape({-1, base.inFeatures()});  // [N, in]
    const torch::Tensor output = bias.defined() ? torch::addmm(bias, rows, weight) : rows.mm(weight);  // [N, out]
    return output.view(outputShape);
}

NamedTensorList ModulesToSaveLayer::savedTensors() {
    return parametersBySuffix();
}

NamedTensorList ModulesToSaveLayer::parametersBySuffix() {
    NamedTensorList list{{"weight", weight}};
    if (bias.defined()) list.emplace_back("bias", bias);
    return list;
}

std::pair<torch::Tensor, torch::Tensor> ModulesToSaveLayer::mergedWeightAndBias(model::LinearImpl& base) {
    torch::NoGradGuard noGrad;
    return {weight.detach().to(base.weight.scalar_type()),
            bias.defined() ? bias.detach().to(base.bias.scalar_type()) : torch::Tensor()};
}

// ---------------------------------------------------------------------------------------------
// WeightAdapterMethod

TargetResolution WeightAdapterMethod::attachLayers(model::CausalLM& model, const TargetRules& rules,
                                                   bool compressLongLists, const std::string& biasMode,
                                                   WeightInit init, bool& fanInFanOut) {
    if (model_) throw std::runtime_error(peftType() + ": the adapter is already applied to a model");
    if (biasMode != "none" && biasMode != "all" && biasMode != "lora_only")
        throw std::runtime_error(peftType() + ": unknown bias mode '" + biasMode + "'");
    TargetResolution resolution = resolveTargets(model, rules, compressLongLists);
    for (const auto& target : resolution.layers)
        if (target.linear->adapter)
            throw std::runtime_error(peftType() + ": layer '" + target.name +
                                     "' already has an adapter attached; remove it first");

    std::vector<AdaptedLayer> toSave;
    if (rules.modulesToSave && !rules.modulesToSave->empty()) {
        toSave = findModulesToSave(model, *rules.modulesToSave);
        if (toSave.empty())
            throw std::runtime_error(peftType() + ": modules_to_save entries match no linear layer of the model "
                                     "(only linear layers can be saved as trainable copies)");
        for (const auto& target : toSave) {
            if (target.linear->sharesWeight())
                throw std::runtime_error(peftType() + ": modules_to_save '" + target.name +
                                         "' shares its weight with the embedding (tied); not supported");
            if (target.linear->adapter)
                throw std::runtime_error(peftType() + ": layer '" + target.name + "' already has an adapter attached");
        }
    }

    // Create every layer before touching the model, so a failure leaves it as it was.
    std::vector<std::shared_ptr<AdapterLayer>> created;
    for (const auto& target : resolution.layers) {
        // PEFT's auto-fix mutates the shared config per layer, in module order (§3.4).
        fanInFanOut = target.linear->fanInFanOut();
        created.push_back(createLayer(target, init));
    }

    // Every parameter present now belongs to the base model.
    freezeAllParameters(model);
    model_ = &model;

    if (biasMode == "all") {
        std::set<std::string> targeted;
        for (const auto& target : resolution.layers) targeted.insert(target.name + ".bias");
        std::set<const void*> seen;
        for (const auto& item : model.named_parameters()) {
            const std::string& name = item.key();
            if (name.find("bias") == std::string::npos) continue;
            if (!seen.insert(item.value().unsafeGetTensorImpl()).second) continue;
            item.value().set_requires_grad(true);
            std::string key = kSavedKeyPrefix;
            if (targeted.count(name)) key += name.substr(0, name.size() - 5) + ".base_layer.bias";
            else key += name;
            trainableBiases_.emplace_back(key, item.value());
        }
    } else if (biasMode == "lora_only") {
        for (const auto& target : resolution.layers)
            if (target.linear->hasBias()) {
                target.linear->bias.set_requires_grad(true);
                trainableBiases_.emplace_back(std::string(kSavedKeyPrefix) + target.name + ".base_layer.bias",
                                              target.linear->bias);
            }
    }

    const std::string childName = layerModuleName();
    for (size_t i = 0; i < resolution.layers.size(); ++i) {
        const AdaptedLayer& target = resolution.layers[i];
        const std::shared_ptr<AdapterLayer>& layer = created[i];
        model::LinearImpl& linear = *target.linear.ptr();
        layer->train(linear.is_training());  // a new module starts in training mode; follow the model
        linear.register_module(childName, layer);
        linear.adapter = layer;
        slots_.push_back({target.name, target.linear, layer});
    }
    for (const auto& target : toSave) {
        model::LinearImpl& linear = *target.linear.ptr();
        auto layer = std::make_shared<ModulesToSaveLayer>(linear);
        layer->train(linear.is_training());
        linear.register_module("modules_to_save", layer);
        linear.adapter = layer;
        savedModules_.push_back({target.name, target.linear, layer});
    }
    return resolution;
}

NamedTensorList WeightAdapterMethod::stateDict() {
    NamedTensorList tensors;
    for (const auto* list : {&slots_, &savedModules_})
        for (const auto& slot : *list)
            for (auto& [suffix, tensor] : slot.layer->savedTensors())
                tensors.emplace_back(std::string(kSavedKeyPrefix) + slot.name + "." + suffix, tensor);
    for (const auto& [key, tensor] : trainableBiases_) tensors.emplace_back(key, tensor);
    return tensors;
}

NamedTensorList WeightAdapterMethod::loadTargets() {
    NamedTensorList tensors;
    for (const auto* list : {&slots_, &savedModules_})
        for (const auto& slot : *list)
            for (auto& [suffix, tensor] : slot.layer->parametersBySuffix())
                tensors.emplace_back(std::string(kSavedKeyPrefix) + slot.name + "." + suffix, tensor);
    for (const auto& [key, tensor] : trainableBiases_) tensors.emplace_back(key, tensor);
    return tensors;
}

NamedTensorList WeightAdapterMethod::namedTrainableParameters() {
    NamedTensorList parameters;
    for (auto& [key, tensor] : loadTargets())
        if (tensor.requires_grad()) parameters.emplace_back(key, tensor);
    return parameters;
}

std::vector<torch::Tensor> WeightAdapterMethod::ownedParameters() {
    std::vector<torch::Tensor> parameters;
    for (const auto* list : {&slots_, &savedModules_})
        for (const auto& slot : *list)
            for (auto& parameter : slot.layer->parameters()) parameters.push_back(parameter);
    return parameters;
}

void WeightAdapterMethod::merge() {
    if (!model_) throw std::runtime_error(peftType() + ": merge() before apply()");
    torch::NoGradGuard noGrad;
    for (auto& slot : slots_)
        if (!slot.layer->merged) {
            slot.layer->merge(*slot.linear.ptr());
            slot.layer->merged = true;
        }
    merged_ = true;
}

void WeightAdapterMethod::unmerge() {
    torch::NoGradGuard noGrad;
    // Reverse order, as PEFT pops merged adapters.
    for (auto slot = slots_.rbegin(); slot != slots_.rend(); ++slot)
        if (slot->layer->merged) {
            slot->layer->unmerge(*slot->linear.ptr());
            slot->layer->merged = false;
        }
    merged_ = false;
}

NamedTensorList WeightAdapterMethod::mergedParameters() {
    torch::NoGradGuard noGrad;
    NamedTensorList parameters;
    for (const auto* list : {&slots_, &savedModules_})
        for (const auto& slot : *list) {
            torch::Tensor weight, bias;
            if (slot.layer->merged) {
                weight = slot.linear->weight.detach();
                bias = slot.linear->bias.defined() ? slot.linear->bias.detach() : torch::Tensor();
            } else {
                std::tie(weight, bias) = slot.layer->mergedWeightAndBias(*slot.linear.ptr());
            }
            parameters.emplace_back(slot.name + ".weight", weight);
            if (bias.defined()) parameters.emplace_back(slot.name + ".bias", bias);
        }
    return parameters;
}

void WeightAdapterMethod::setEnabled(bool enabled) {
    if (!enabled && merged_) unmerge();
    for (const auto* list : {&slots_, &savedModules_})
        for (const auto& slot : *list) slot.layer->enabled = enabled;
    enabled_ = enabled;
}

void WeightAdapterMethod::remove() {
    if (!model_) return;
    if (merged_) unmerge();
    for (auto& slot : slots_) {
        slot.linear.ptr()->adapter.reset();
        slot.linear.ptr()->unregister_module(layerModuleName());
    }
    for (auto& slot : savedModules_) {
        slot.linear.ptr()->adapter.reset();
        slot.linear.ptr()->unregister_module("modules_to_save");
    }
    for (auto& [key, tensor] : trainableBiases_) tensor.set_requires_grad(false);
    slots_.clear();
    savedModules_.clear();
    trainableBiases_.clear();
    model_ = nullptr;
}

}  // namespace capsule::peft
