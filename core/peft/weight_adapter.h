#pragma once
// What LoRA, AdaLoRA and IA3 share: one AdapterLayer attached to each targeted linear (as
// model::LinearAdapter, registered as a child module of the linear so model->to(), train() /
// eval() and parameters() reach it), LoRA-style bias training ("none" / "all" / "lora_only"),
// modules_to_save copies, saved-key naming (§1.4), merge / unmerge / disable and detaching.
#include "model/causal_lm.h"
#include "model/linear.h"
#include "peft/adapter.h"
#include "peft/injection.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace capsule::peft {

/// The saved-key prefix of every non-prompt adapter tensor (§1.4).
inline constexpr const char* kSavedKeyPrefix = "base_model.model.";

/// PEFT keeps adapter weights in float32 (autocast_adapter_dtype) unless the base is float64.
torch::ScalarType adapterDtypeFor(const torch::Tensor& baseWeight);

/// Fills base_model_name_or_path (the model's folder) when unset, and auto_mapping (the
/// transformers class of the model) when task_type is null, as PEFT does at save time.
void fillBaseConfigFields(PeftConfigBase& config, const model::CausalLM& model);

/// The adapter state of one wrapped linear.
class AdapterLayer : public torch::nn::Module, public model::LinearAdapter {
public:
    /// Tensors as saved, by key suffix after the module path ("lora_A.weight", "ia3_l").
    virtual NamedTensorList savedTensors() = 0;
    /// Live parameters by the same suffixes (what a file loads into; what trains).
    virtual NamedTensorList parametersBySuffix() = 0;
    /// Folds the adapter into base.weight / base.bias in place.
    virtual void merge(model::LinearImpl& base) = 0;
    /// Undoes merge().
    virtual void unmerge(model::LinearImpl& base) = 0;
    /// {weight, bias} with the adapter folded in, out of place, in the base dtype; the bias is
    /// undefined when the adapter leaves it unchanged.
    virtual std::pair<torch::Tensor, torch::Tensor> mergedWeightAndBias(model::LinearImpl& base) = 0;

    bool enabled = true;  // false: forward returns the base output
    bool merged = false;  // true: ΔW is in the base weight; forward returns the base output
};

/// A trainable copy of a whole linear (PEFT's ModulesToSaveWrapper); saved as
/// base_model.model.<path>.weight / .bias.
class ModulesToSaveLayer : public AdapterLayer {
public:
    explicit ModulesToSaveLayer(model::LinearImpl& base);
    torch::Tensor forward(model::LinearImpl& base, const torch::Tensor& x) override;
    NamedTensorList savedTensors() override;
    NamedTensorList parametersBySuffix() override;
    void merge(model::LinearImpl&) override {}
    void unmerge(model::LinearImpl&) override {}
    std::pair<torch::Tensor, torch::Tensor> mergedWeightAndBias(model::LinearImpl& base) override;

    torch::Tensor weight;  // copy of base.weight, same layout
    torch::Tensor bias;    // [out] copy; undefined without bias
};

/// Base class of the weight-adapting methods.
class WeightAdapterMethod : public AdapterMethod {
public:
    NamedTensorList stateDict() override;
    NamedTensorList loadTargets() override;
    NamedTensorList namedTrainableParameters() override;
    std::vector<torch::Tensor> ownedParameters() override;

    bool supportsMerge() const override { return true; }
    void merge() override;
    void unmerge() override;
    bool isMerged() const override { return merged_; }
    NamedTensorList mergedParameters() override;

    void setEnabled(bool enabled) override;
    bool isEnabled() const override { return enabled_; }
    void remove() override;

    /// The adapted layers, model order.
    struct Slot {
        std::string name;  // HF module path
        model::Linear linear;
        std::shared_ptr<AdapterLayer> layer;
    };
    const std::vector<Slot>& slots() const { return slots_; }

protected:
    /// Creates the adapter of one targeted layer.
    virtual std::shared_ptr<AdapterLayer> createLayer(const AdaptedLayer& target, WeightInit init) = 0;
    /// Child-module name under the linear ("lora", "adalora", "ia3").
    virtual std::string layerModuleName() const = 0;

    /// The shared part of apply(): resolves targets, freezes the model, attaches layers, sets up
    /// bias training and modules_to_save. Returns the resolution (target_modules to save).
    /// `biasMode` is "none", "all" or "lora_only". Sets `fanInFanOut` the way PEFT's auto-fix
    /// leaves its config: true after a Conv1D target, false after an nn.Linear one (module order).
    TargetResolution attachLayers(model::CausalLM& model, const TargetRules& rules, bool compressLongLists,
                                  const std::string& biasMode, WeightInit init, bool& fanInFanOut);

    model::CausalLM* model_ = nullptr;  // not owned; set by attachLayers
    std::vector<Slot> slots_;           // adapted layers
    std::vector<Slot> savedModules_;    // modules_to_save copies
    NamedTensorList trainableBiases_;   // saved key -> base bias made trainable
    bool enabled_ = true;
    bool merged_ = false;
};

}  // namespace capsule::peft
