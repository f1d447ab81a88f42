#include "peft/ia3.h"

#include "peft/random_init.h"

#include <stdexcept>

namespace capsule::peft {

Ia3Layer::Ia3Layer(const model::LinearImpl& base, bool feedforward) : feedforward_(feedforward) {
    const auto options = torch::TensorOptions().dtype(adapterDtypeFor(base.weight)).device(base.weight.device());
    const std::vector<int64_t> shape = feedforward ? std::vector<int64_t>{1, base.inFeatures()}
                                                   : std::vector<int64_t>{base.outFeatures(), 1};
    vector = register_parameter("ia3_l", torch::empty(shape, options));  // [1, in] or [out, 1]
}

void Ia3Layer::initialize(bool ones) {
    torch::NoGradGuard noGrad;
    if (ones) vector.fill_(1.0);
    else fillFromCpu(vector, [](torch::Tensor& t) { t.normal_(); });
}

torch::Tensor Ia3Layer::forward(model::LinearImpl& base, const torch::Tensor& x) {
    if (!enabled || merged) return base.forwardBase(x);
    const torch::Tensor scale = vector.flatten();  // [in] or [out]
    if (feedforward_) {
        // Scale the input in the vector's dtype, then back to the input dtype (PEFT).
        const torch::Tensor scaled = (x.to(vector.scalar_type()) * scale).to(x.scalar_type());  // [..., in]
        return base.forwardBase(scaled);
    }
    const torch::Tensor result = base.forwardBase(x);  // [..., out]
    return (result * scale).to(result.scalar_type());
}

NamedTensorList Ia3Layer::savedTensors() {
    return {{"ia3_l", vector}};
}

NamedTensorList Ia3Layer::parametersBySuffix() {
    return {{"ia3_l", vector}};
}

torch::Tensor Ia3Layer::weightFactor(const model::LinearImpl& base) const {
    const torch::Tensor factor = vector.detach().to(torch::kFloat);  // [1, in] or [out, 1]
    // nn.Linear weight [out, in]: [out, 1] scales rows, [1, in] columns; Conv1D [in, out]: transposed.
    return base.fanInFanOut() ? factor.t() : factor;
}

void Ia3Layer::merge(model::LinearImpl& base) {
    torch::NoGradGuard noGrad;
    base.weight.copy_(base.weight.to(torch::kFloat) * weightFactor(base));
    if (!feedforward_ && base.bias.defined())
        base.bias.copy_(base.bias.to(torch::kFloat) * vector.detach().to(torch::kFloat).reshape(base.bias.sizes()));
}

void Ia3Layer::unmerge(model::LinearImpl& base) {
    torch::NoGradGuard noGrad;
    base.weight.copy_(base.weight.to(torch::kFloat) / (weightFactor(base) + 1e-8));
    if (!feedforward_ && base.bias.defined())
        base.bias.copy_(base.bias.to(torch::kFloat) /
                        (vector.detach().to(torch::kFloat).reshape(base.bias.sizes()) + 1e-8));
}

std::pair<torch::Tensor, torch::Tensor> Ia3Layer::mergedWeightAndBias(model::LinearImpl& base) {
    torch::NoGradGuard noGrad;
    const torch::Tensor weight = (base.weight.detach().to(torch::kFloat) * weightFactor(base)).to(base.weight.scalar_type());
    torch::Tensor bias;
    if (!feedforward_ && base.bias.defined())
        bias = (base.bias.detach().to(torch::kFloat) * vector.detach().to(torch::kFloat).reshape(base.bias.sizes()))
                   .to(base.bias.scalar_type());
    return {weight, bias};
}

Ia3Adapter::Ia3Adapter(Ia3Config config) : config_(std::move(config)) {
    validate(config_);
}

void Ia3Adapter::apply(model::CausalLM& model, WeightInit init) {
    const std::string& modelType = model.config().modelType;
    if (config_.targetModules.isNone()) config_.targetModules = defaultIa3TargetModules(modelType);
    if (config_.feedforwardModules.isNone()) config_.feedforwardModules = defaultIa3FeedforwardModules(modelType);
    validate(config_);
    fillBaseConfigFields(config_, model);
    const TargetRules rules{config_.targetModules, config_.excludeModules, config_.modulesToSave, std::nullopt,
                            std::nullopt};
    bool fanInFanOut = config_.fanInFanOut;
    // IA3 is the one method PEFT does not compress long target lists for (§2.1).
    const TargetResolution resolution = attachLayers(model, rules, false, "none", init, fanInFanOut);
    config_.targetModules = resolution.targetModulesAfterInjection;
    config_.fanInFanOut = fanInFanOut;
    config_.inferenceMode = init == WeightInit::FromFile;
}

std::shared_ptr<AdapterLayer> Ia3Adapter::createLayer(const AdaptedLayer& target, WeightInit init) {
    auto layer = std::make_shared<Ia3Layer>(*target.linear, isFeedforwardModule(config_.feedforwardModules, target.name));
    layer->initialize(init == WeightInit::FromFile ? true : config_.initIa3Weights);
    return layer;
}

std::string Ia3Adapter::configJson(ConfigProfile profile) const {
    return toAdapterConfigJson(config_, profile);
}

}  // namespace capsule::peft
