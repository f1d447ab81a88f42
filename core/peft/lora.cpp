#include "peft/lora.h"

#include "model/dropout.h"
#include "peft/fused_lora.h"
#include "peft/random_init.h"

#include <cmath>
#include <stdexcept>

namespace capsule::peft {

// ---------------------------------------------------------------------------------------------
// LoraLayer

LoraLayer::LoraLayer(const model::LinearImpl& base, int64_t rank, double scaling, double dropoutProbability,
                     bool loraBias)
    : rank_(rank), scaling_(scaling), dropoutProbability_(dropoutProbability) {
    const auto options = torch::TensorOptions().dtype(adapterDtypeFor(base.weight)).device(base.weight.device());
    loraA = register_parameter("lora_A", torch::empty({rank, base.inFeatures()}, options));   // [r, in]
    loraB = register_parameter("lora_B", torch::empty({base.outFeatures(), rank}, options));  // [out, r]
    if (loraBias) loraBBias = register_parameter("lora_B_bias", torch::empty({base.outFeatures()}, options));  // [out]
}

void LoraLayer::initialize(const std::string& initLoraWeights) {
    torch::NoGradGuard noGrad;
    if (initLoraWeights == "true") {
        // kaiming_uniform_(a=√5) with fan_in = in gives U(±1/√in), nn.Linear's default. Drawn on
        // the CPU generator and copied, so the same seed gives the same adapter on every device.
        fillFromCpu(loraA, [](torch::Tensor& t) { torch::nn::init::kaiming_uniform_(t, std::sqrt(5.0)); });
        loraB.zero_();
        if (loraBBias.defined()) loraBBias.zero_();
    } else if (initLoraWeights == "gaussian") {
        fillFromCpu(loraA, [this](torch::Tensor& t) { t.normal_(0.0, 1.0 / static_cast<double>(rank_)); });
        loraB.zero_();
        if (loraBBias.defined()) loraBBias.zero_();
    } else if (initLoraWeights == "false") {
        // No reset: both keep nn.Linear's default init (B's fan_in is r).
        fillFromCpu(loraA, [](torch::Tensor& t) { torch::nn::init::kaiming_uniform_(t, std::sqrt(5.0)); });
        fillFromCpu(loraB, [](torch::Tensor& t) { torch::nn::init::kaiming_uniform_(t, std::sqrt(5.0)); });
        if (loraBBias.defined()) {
            const double bound = 1.0 / std::sqrt(static_cast<double>(rank_));
            fillFromCpu(loraBBias, [bound](torch::Tensor& t) { t.uniform_(-bound, bound); });
        }
    } else {
        throw std::runtime_error("LoRA: init_lora_weights '" + initLoraWeights +
                                 "' is not supported for a fresh adapter (use true, false or \"gaussian\")");
    }
}

torch::Tensor LoraLayer::forward(model::LinearImpl& base, const torch::Tensor& x) {
    if (!enabled || merged) return base.forwardBase(x);
    std::vector<int64_t> outputShape = x.sizes().vec();
    outputShape.back() = base.outFeatures();
    const torch::Tensor inputRows = x.reshape({-1, base.inFeatures()});  // [N, in]
    const torch::ScalarType dtype = base.weight.scalar_type();            // the base's compute dtype
    // Training on a bf16/fp16 base: the adapter's matmuls run in the base's dtype on cast copies
    // of A and B (as under torch.autocast); the gradients reach the float32 parameters through the
    // casts. Otherwise (float32, or inference, as PEFT) the adapter computes in its own dtype.
    const bool mixedPrecision = dtype != loraA.scalar_type() && is_training() && torch::GradMode::is_enabled();
    const torch::ScalarType adapterDtype = mixedPrecision ? dtype : loraA.scalar_type();
    if (adapterDtype == dtype && fusedLoraApplies(base, inputRows, dropoutProbability_, loraBBias.defined()))
        return fusedLoraForward(base, inputRows, loraA, loraB, scaling_).view(outputShape);  // one autograd node
    torch::Tensor result = base.forwardBaseRows(inputRows);  // [N, out], fresh
    torch::Tensor input = inputRows.to(adapterDtype);                                                 // [N, in]
    if (dropoutProbability_ > 0.0) input = model::dropout(input, dropoutProbability_, is_training());
    // The scaling goes on the small [N, r] intermediate, and B's product is accumulated into the
    // base output in place by one GEMM (beta = 1): no extra pass or copy over [N, out].
    const torch::Tensor low = input.mm(loraA.to(adapterDtype).t()) * scaling_;  // [N, r]
    if (adapterDtype == dtype) {
        result.addmm_(low, loraB.to(adapterDtype).t());  // [N, out]
        if (loraBBias.defined()) result.add_((loraBBias * scaling_).to(dtype));
        return result.view(outputShape);  // [..., out]
    }
    // Reduced-precision base at inference: the adapter computes in float32, its output is cast back (PEFT).
    const torch::Tensor update = torch::linear(low, loraB, loraBBias.defined() ? loraBBias * scaling_ : torch::Tensor());  // [N, out]
    return result.add_(update.to(dtype)).view(outputShape);  // [..., out]
}

NamedTensorList LoraLayer::savedTensors() {
    return parametersBySuffix();
}

NamedTensorList LoraLayer::parametersBySuffix() {
    NamedTensorList list{{"lora_A.weight", loraA}, {"lora_B.weight", loraB}};
    if (loraBBias.defined()) list.emplace_back("lora_B.bias", loraBBias);
    return list;
}

torch::Tensor LoraLayer::deltaWeight(const model::LinearImpl& base) const {
    torch::NoGradGuard noGrad;
    // B·A in float32 even for fp16/bf16 bases (PEFT's CPU path), transposed for Conv1D.
    const torch::Tensor product = loraB.detach().to(torch::kFloat).mm(loraA.detach().to(torch::kFloat));  // [out, in]
    const torch::Tensor delta = base.fanInFanOut() ? product.t() : product;  // base layout
    return delta * scaling_;
}

void LoraLayer::merge(model::LinearImpl& base) {
    torch::NoGradGuard noGrad;
    base.weight.add_(deltaWeight(base).to(base.weight.scalar_type()));
    if (loraBBias.defined() && base.bias.defined())
        base.bias.add_((loraBBias.detach() * scaling_).to(base.bias.scalar_type()));
}

void LoraLayer::unmerge(model::LinearImpl& base) {
    torch::NoGradGuard noGrad;
    base.weight.sub_(deltaWeight(base).to(base.weight.scalar_type()));
    if (loraBBias.defined() && base.bias.defined())
        base.bias.sub_((loraBBias.detach() * scaling_).to(base.bias.scalar_type()));
}

std::pair<torch::Tensor, torch::Tensor> LoraLayer::mergedWeightAndBias(model::LinearImpl& base) {
    torch::NoGradGuard noGrad;
    const torch::Tensor weight =
        (base.weight.detach().to(torch::kFloat) + deltaWeight(base)).to(base.weight.scalar_type());
    torch::Tensor bias;
    if (loraBBias.defined()) {
        if (!base.bias.defined())
            throw std::runtime_error("LoRA: lora_bias needs a base layer with a bias to merge into");
        bias = (base.bias.detach().to(torch::kFloat) + loraBBias.detach().to(torch::kFloat) * scaling_)
                   .to(base.bias.scalar_type());
    }
    return {weight, bias};
}

// ---------------------------------------------------------------------------------------------
// LoraAdapter

LoraAdapter::LoraAdapter(LoraConfig config) : config_(std::move(config)) {
    validate(config_);
}

std::pair<int64_t, double> LoraAdapter::rankAndScalingFor(const LoraConfig& config, const std::string& moduleName) {
    int64_t rank = config.r;
    double alpha = config.loraAlpha;
    {
        std::vector<std::string> keys;
        for (const auto& [key, value] : config.rankPattern) keys.push_back(key);
        if (auto index = findPatternKey(keys, moduleName)) rank = config.rankPattern[*index].second;
    }
    {
        std::vector<std::string> keys;
        for (const auto& [key, value] : config.alphaPattern) keys.push_back(key);
        if (auto index = findPatternKey(keys, moduleName)) alpha = config.alphaPattern[*index].second;
    }
    const double scaling = config.useRslora ? alpha / std::sqrt(static_cast<double>(rank))
                                            : alpha / static_cast<double>(rank);
    return {rank, scaling};
}

void LoraAdapter::apply(model::CausalLM& model, WeightInit init) {
    if (init == WeightInit::Fresh && config_.initLoraWeights != "true" && config_.initLoraWeights != "false" &&
        config_.initLoraWeights != "gaussian")
        throw std::runtime_error("LoRA: init_lora_weights '" + config_.initLoraWeights +
                                 "' (data-driven init) is not supported by Capsule; use true, false or \"gaussian\"");
    if (config_.targetModules.isNone()) config_.targetModules = defaultLoraTargetModules(model.config().modelType);
    fillBaseConfigFields(config_, model);
    const TargetRules rules{config_.targetModules, config_.excludeModules, config_.modulesToSave,
                            config_.layersToTransform, config_.layersPattern};
    bool fanInFanOut = config_.fanInFanOut;
    const TargetResolution resolution = attachLayers(model, rules, true, config_.bias, init, fanInFanOut);
    config_.targetModules = resolution.targetModulesAfterInjection;
    config_.fanInFanOut = fanInFanOut;
    config_.inferenceMode = init == WeightInit::FromFile;
}

std::shared_ptr<AdapterLayer> LoraAdapter::createLayer(const AdaptedLayer& target, WeightInit init) {
    const auto [rank, scaling] = rankAndScalingFor(config_, target.name);
    auto layer = std::make_shared<LoraLayer>(*target.linear, rank, scaling, config_.loraDropout, config_.loraBias);
    if (init == WeightInit::Fresh) {
        layer->initialize(config_.initLoraWeights);
    } else {
        torch::NoGradGuard noGrad;  // defined values until the file's tensors are copied in
        layer->loraA.zero_();
        layer->loraB.zero_();
        if (layer->loraBBias.defined()) layer->loraBBias.zero_();
    }
    return layer;
}

std::string LoraAdapter::configJson(ConfigProfile profile) const {
    return toAdapterConfigJson(config_, profile);
}

}  // namespace capsule::peft
