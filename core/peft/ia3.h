#pragma once
// (IA)³ (peft-spec.md §5): one learned vector per targeted linear, initialised to ones.
//
//   non-feedforward layers: ia3_l [out, 1], scales the output after the bias: y = base(x) ⊙ l
//   feedforward layers:     ia3_l [1, in],  scales the input:                y = base(x ⊙ l)
//
// A layer is feedforward when feedforward_modules matches its name (a list entry matches by a
// plain `endswith`, no dot boundary; a string is a regex fullmatch). Merge: W ← W ⊙ T(l) (T
// transposes for Conv1D), and for non-feedforward layers b ← b ⊙ l; unmerge divides by l + 1e-8
// (inexact where l is near zero, as PEFT warns). Saved key: base_model.model.<module>.ia3_l.
#include "peft/peft_config.h"
#include "peft/weight_adapter.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>

namespace capsule::peft {

class Ia3Layer : public AdapterLayer {
public:
    /// Allocates ia3_l ([1, in] when `feedforward`, else [out, 1]) on the base weight's device.
    Ia3Layer(const model::LinearImpl& base, bool feedforward);
    /// Ones (init_ia3_weights true) or N(0, 1) (false). Global LibTorch generator.
    void initialize(bool ones);

    /// x [..., in] -> [..., out]
    torch::Tensor forward(model::LinearImpl& base, const torch::Tensor& x) override;
    NamedTensorList savedTensors() override;
    NamedTensorList parametersBySuffix() override;
    void merge(model::LinearImpl& base) override;
    void unmerge(model::LinearImpl& base) override;
    std::pair<torch::Tensor, torch::Tensor> mergedWeightAndBias(model::LinearImpl& base) override;

    bool isFeedforward() const { return feedforward_; }

    torch::Tensor vector;  // ia3_l: [1, in] (feedforward) or [out, 1]

private:
    /// ia3_l shaped to multiply the base weight in its own layout (float32).
    torch::Tensor weightFactor(const model::LinearImpl& base) const;

    bool feedforward_;
};

class Ia3Adapter : public WeightAdapterMethod {
public:
    explicit Ia3Adapter(Ia3Config config);

    std::string peftType() const override { return "IA3"; }
    /// Resolves the per-architecture target_modules / feedforward_modules defaults and attaches an
    /// Ia3Layer to every target.
    void apply(model::CausalLM& model, WeightInit init) override;
    std::string configJson(ConfigProfile profile) const override;

    const Ia3Config& config() const { return config_; }
    void setBaseModelNameOrPath(const std::string& name) { config_.baseModelNameOrPath = name; }

protected:
    std::shared_ptr<AdapterLayer> createLayer(const AdaptedLayer& target, WeightInit init) override;
    std::string layerModuleName() const override { return "ia3"; }

private:
    Ia3Config config_;
};

}  // namespace capsule::peft
