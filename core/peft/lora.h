#pragma once
// LoRA (peft-spec.md §3): y = base(x) + s · B(A(dropout(x))) beside the frozen weight.
//
//   lora_A  [r, in]   Kaiming-uniform (U(±1/√in)) by default, N(0, 1/r) for "gaussian"
//   lora_B  [out, r]  zero by default (the adapter starts as a no-op), plus [out] with lora_bias
//   s = lora_alpha / r, or lora_alpha / √r with use_rslora; rank_pattern / alpha_pattern override
//   r / alpha per module (first matching key, regex "(.*\.)?(<key>)$").
//
// GPT-2 Conv1D layers (weight [in, out]) use the same forward (it does not depend on the layout);
// only merge transposes: ΔW = (B·A)ᵀ·s. The saved config then says fan_in_fan_out = true (§3.4).
// Saved keys: base_model.model.<module>.lora_A.weight / lora_B.weight (/ lora_B.bias).
#include "peft/peft_config.h"
#include "peft/weight_adapter.h"

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace capsule::peft {

/// The LoRA state of one linear.
class LoraLayer : public AdapterLayer {
public:
    /// Allocates A [r, in] and B [out, r] (float32, or float64 for a float64 base) on the base
    /// weight's device, uninitialised: call initialize() or load them.
    LoraLayer(const model::LinearImpl& base, int64_t rank, double scaling, double dropoutProbability, bool loraBias);

    /// "true": Kaiming-uniform A, zero B (and bias); "gaussian": A ~ N(0, 1/r), zero B; "false":
    /// nn.Linear's default init for both (B ~ U(±1/√r)), so the adapter is not a no-op.
    /// Draws from the global LibTorch generator (torch::manual_seed).
    void initialize(const std::string& initLoraWeights);

    /// x [..., in] -> [..., out]
    torch::Tensor forward(model::LinearImpl& base, const torch::Tensor& x) override;
    NamedTensorList savedTensors() override;
    NamedTensorList parametersBySuffix() override;
    void merge(model::LinearImpl& base) override;
    void unmerge(model::LinearImpl& base) override;
    std::pair<torch::Tensor, torch::Tensor> mergedWeightAndBias(model::LinearImpl& base) override;

    /// ΔW = T(B·A)·s in the base weight's layout ([out, in], or [in, out] for Conv1D), float32.
    torch::Tensor deltaWeight(const model::LinearImpl& base) const;

    int64_t rank() const { return rank_; }
    double scaling() const { return scaling_; }

    torch::Tensor loraA;      // [r, in]
    torch::Tensor loraB;      // [out, r]
    torch::Tensor loraBBias;  // [out]; undefined unless lora_bias

private:
    int64_t rank_;
    double scaling_;
    double dropoutProbability_;
};

/// LoRA over every targeted linear of a model.
class LoraAdapter : public WeightAdapterMethod {
public:
    /// Validates `config` (throws std::runtime_error naming the field).
    explicit LoraAdapter(LoraConfig config);

    std::string peftType() const override { return "LORA"; }
    /// Resolves the per-architecture default target_modules, attaches a LoraLayer to each target.
    /// Fresh init accepts init_lora_weights true / false / "gaussian" only.
    void apply(model::CausalLM& model, WeightInit init) override;
    std::string configJson(ConfigProfile profile) const override;

    /// The config as PEFT would save it after injection (defaults resolved, fan_in_fan_out fixed).
    const LoraConfig& config() const { return config_; }
    /// Overrides base_model_name_or_path (default: the model's folder).
    void setBaseModelNameOrPath(const std::string& name) { config_.baseModelNameOrPath = name; }

    /// {r, scaling} for `moduleName` after rank_pattern / alpha_pattern / use_rslora.
    static std::pair<int64_t, double> rankAndScalingFor(const LoraConfig& config, const std::string& moduleName);

protected:
    std::shared_ptr<AdapterLayer> createLayer(const AdaptedLayer& target, WeightInit init) override;
    std::string layerModuleName() const override { return "lora"; }

private:
    LoraConfig config_;
};

}  // namespace capsule::peft
