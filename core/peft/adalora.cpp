#include "peft/adalora.h"

#include "model/dropout.h"
#include "peft/injection.h"
#include "peft/random_init.h"

#include <stdexcept>

namespace capsule::peft {

// ---------------------------------------------------------------------------------------------
// AdaLoraLayer

AdaLoraLayer::AdaLoraLayer(const model::LinearImpl& base, int64_t rank, int64_t initialRank, double scaling,
                           double dropoutProbability)
    : initialRank_(initialRank), scaling_(scaling), dropoutProbability_(dropoutProbability) {
    const auto options = torch::TensorOptions().dtype(adapterDtypeFor(base.weight)).device(base.weight.device());
    loraA = register_parameter("lora_A", torch::empty({rank, base.inFeatures()}, options));   // [r, in]
    loraE = register_parameter("lora_E", torch::empty({rank, 1}, options));                   // [r, 1]
    loraB = register_parameter("lora_B", torch::empty({base.outFeatures(), rank}, options));  // [out, r]
    // A frozen Parameter in PEFT too, so it counts in "all params" exactly as there.
    ranknum = register_parameter("ranknum", torch::full({1}, static_cast<double>(initialRank), options), false);  // [1]
}

void AdaLoraLayer::initialize(bool initLoraWeights) {
    torch::NoGradGuard noGrad;
    if (initLoraWeights) {
        loraE.zero_();
        fillFromCpu(loraA, [](torch::Tensor& t) { t.normal_(0.0, 0.02); });
        fillFromCpu(loraB, [](torch::Tensor& t) { t.normal_(0.0, 0.02); });
    } else {
        fillFromCpu(loraA, [](torch::Tensor& t) { t.normal_(); });
        fillFromCpu(loraE, [](torch::Tensor& t) { t.normal_(); });
        fillFromCpu(loraB, [](torch::Tensor& t) { t.normal_(); });
    }
}

torch::Tensor AdaLoraLayer::forward(model::LinearImpl& base, const torch::Tensor& x) {
    torch::Tensor result = base.forwardBase(x);  // [..., out]
    if (!enabled || merged || loraA.size(0) == 0) return result;
    torch::Tensor input = x.to(loraA.scalar_type());  // [..., in]
    if (dropoutProbability_ > 0.0) input = model::dropout(input, dropoutProbability_, is_training());
    const torch::Tensor low = torch::linear(input, loraA * loraE);  // [..., r]  (A ⊙ E: row j of A times E_j)
    const torch::Tensor update = torch::linear(low, loraB);          // [..., out]
    const double factor = scaling_ / (static_cast<double>(initialRank_) + 1e-5);
    return result + (update * factor).to(result.scalar_type());
}

NamedTensorList AdaLoraLayer::savedTensors() {
    return parametersBySuffix();
}

NamedTensorList AdaLoraLayer::parametersBySuffix() {
    return {{"lora_A", loraA}, {"lora_B", loraB}, {"lora_E", loraE}};
}

torch::Tensor AdaLoraLayer::deltaWeight(const model::LinearImpl& base) const {
    torch::NoGradGuard noGrad;
    const torch::Tensor scaledA = loraA.detach().to(torch::kFloat) * loraE.detach().to(torch::kFloat);  // [r, in]
    const torch::Tensor product = loraB.detach().to(torch::kFloat).mm(scaledA);                         // [out, in]
    const torch::Tensor delta = base.fanInFanOut() ? product.t() : product;
    return delta * (scaling_ / (static_cast<double>(initialRank_) + 1e-5));
}

void AdaLoraLayer::merge(model::LinearImpl& base) {
    torch::NoGradGuard noGrad;
    base.weight.add_(deltaWeight(base).to(base.weight.scalar_type()));
}

void AdaLoraLayer::unmerge(model::LinearImpl& base) {
    torch::NoGradGuard noGrad;
    base.weight.sub_(deltaWeight(base).to(base.weight.scalar_type()));
}

std::pair<torch::Tensor, torch::Tensor> AdaLoraLayer::mergedWeightAndBias(model::LinearImpl& base) {
    torch::NoGradGuard noGrad;
    return {(base.weight.detach().to(torch::kFloat) + deltaWeight(base)).to(base.weight.scalar_type()), torch::Tensor()};
}

// ---------------------------------------------------------------------------------------------
// AdaLoraController

namespace {

std::vector<RankTriplet> tripletsOf(const std::vector<AdaLoraController::Module>& modules) {
    std::vector<RankTriplet> triplets;
    for (const auto& module : modules)
        triplets.push_back({module.name + ".lora_E", module.layer->loraA, module.layer->loraE, module.layer->loraB});
    return triplets;
}

RankAllocatorOptions allocatorOptions(const AdaLoraConfig& config) {
    RankAllocatorOptions options;
    options.targetR = config.targetR;
    options.tinit = config.tinit;
    options.tfinal = config.tfinal;
    options.deltaT = config.deltaT;
    options.totalStep = config.totalStep.value_or(1);
    options.beta1 = config.beta1;
    options.beta2 = config.beta2;
    return options;
}

/// "transformer.h.3.attn.c_attn" -> {3, "attn.c_attn"}.
std::pair<int64_t, std::string> layerAndKind(const std::string& name) {
    const std::optional<int64_t> index = layerIndexOf(name);
    if (!index) return {-1, name};
    const std::string marker = "." + std::to_string(*index) + ".";
    const size_t position = name.find(marker);
    if (position == std::string::npos) return {*index, name};
    return {*index, name.substr(position + marker.size())};
}

}  // namespace

AdaLoraController::AdaLoraController(AdaLoraConfig& config, std::vector<Module> modules)
    : config_(config), modules_(std::move(modules)), allocator_(allocatorOptions(config), tripletsOf(modules_)) {
    lastScores_.resize(modules_.size());
    for (size_t i = 0; i < modules_.size(); ++i)
        lastScores_[i].assign(static_cast<size_t>(modules_[i].layer->rank()), 0.0f);
    snapshot_.budget = allocator_.initialBudget();
    for (size_t i = 0; i < modules_.size(); ++i) {
        ModuleRank rank;
        rank.name = modules_[i].name;
        std::tie(rank.layerIndex, rank.moduleKind) = layerAndKind(rank.name);
        rank.rank = modules_[i].layer->rank();
        rank.initialRank = modules_[i].layer->initialRank();
        rank.importanceScores = lastScores_[i];
        snapshot_.totalRank += rank.rank;
        snapshot_.modules.push_back(std::move(rank));
    }
}

void AdaLoraController::afterOptimizerStep(int64_t globalStep) {
    const int64_t finalStart = *config_.totalStep - config_.tfinal;
    int64_t budget = 0;
    bool updatedScores = false;
    if (globalStep < finalStart) {
        auto [scheduled, pattern] = allocator_.updateAndAllocate(globalStep);
        budget = scheduled;
        updatedScores = true;
        if (pattern) config_.rankPattern = std::move(*pattern);
    } else if (globalStep == finalStart) {
        auto [scheduled, pattern] = allocator_.updateAndAllocate(globalStep, true);
        budget = scheduled;
        // The scores that chose the final pattern, before the reset.
        const std::vector<torch::Tensor> scores = allocator_.tripletScores();
        for (size_t i = 0; i < scores.size(); ++i) {
            const torch::Tensor cpu = scores[i].to(torch::kCPU, torch::kFloat).contiguous();
            lastScores_[i].assign(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
        }
        config_.rankPattern = std::move(*pattern);
        allocator_.resetImportance();
    } else {
        budget = allocator_.budgetSchedule(globalStep).budget;
        if (config_.rankPattern) allocator_.maskUsingRankPattern(*config_.rankPattern);
    }
    if (updatedScores) {
        const std::vector<torch::Tensor> scores = allocator_.tripletScores();
        for (size_t i = 0; i < scores.size(); ++i) {
            const torch::Tensor cpu = scores[i].to(torch::kCPU, torch::kFloat).contiguous();
            lastScores_[i].assign(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
        }
    }
    publish(globalStep, budget);
}

void AdaLoraController::publish(int64_t step, int64_t budget) {
    snapshot_.step = step;
    snapshot_.budget = budget;
    snapshot_.totalRank = 0;
    for (size_t i = 0; i < modules_.size(); ++i) {
        ModuleRank& rank = snapshot_.modules[i];
        rank.rank = modules_[i].layer->rank();
        if (config_.rankPattern) {
            const auto found = config_.rankPattern->find(rank.name + ".lora_E");
            if (found != config_.rankPattern->end() &&
                static_cast<int64_t>(found->second.size()) == modules_[i].layer->rank()) {
                rank.rank = 0;
                for (bool kept : found->second) rank.rank += kept ? 1 : 0;
            }
        }
        rank.importanceScores = lastScores_[i];
        snapshot_.totalRank += rank.rank;
    }
    if (callback_) callback_(snapshot_);
}

torch::Tensor AdaLoraController::regularizationLoss() const {
    if (config_.orthRegWeight == 0.0 || modules_.empty()) return {};
    torch::Tensor total;
    int64_t count = 0;
    auto add = [&](const torch::Tensor& covariance) {  // [r, r]
        const torch::Tensor identity = torch::eye(covariance.size(0), covariance.options().requires_grad(false));
        const torch::Tensor norm = torch::norm(covariance - identity);  // [] Frobenius (2-norm of all entries)
        total = total.defined() ? total + norm : norm;
        ++count;
    };
    for (const auto& module : modules_) {
        add(module.layer->loraA.mm(module.layer->loraA.t()));  // A Aᵀ  [r, r]
        add(module.layer->loraB.t().mm(module.layer->loraB));  // Bᵀ B  [r, r]
    }
    return total * (config_.orthRegWeight / static_cast<double>(count));
}

// ---------------------------------------------------------------------------------------------
// AdaLoraAdapter

AdaLoraAdapter::AdaLoraAdapter(AdaLoraConfig config) : config_(std::move(config)) {
    validate(config_);
}

void AdaLoraAdapter::apply(model::CausalLM& model, WeightInit init) {
    LoraConfig& lora = config_.lora;
    if (lora.targetModules.isNone()) lora.targetModules = defaultAdaLoraTargetModules(model.config().modelType);
    fillBaseConfigFields(lora, model);
    const TargetRules rules{lora.targetModules, lora.excludeModules, lora.modulesToSave, lora.layersToTransform,
                            lora.layersPattern};
    bool fanInFanOut = lora.fanInFanOut;
    const TargetResolution resolution = attachLayers(model, rules, true, lora.bias, init, fanInFanOut);
    lora.targetModules = resolution.targetModulesAfterInjection;
    lora.fanInFanOut = fanInFanOut;
    lora.inferenceMode = init == WeightInit::FromFile;

    if (init == WeightInit::FromFile && config_.rankPattern) {
        // Every pattern key must name an adapted module (PEFT's resize would fail otherwise).
        for (const auto& [key, mask] : *config_.rankPattern) {
            bool found = false;
            for (const auto& slot : slots_) found = found || key == slot.name + ".lora_E";
            if (!found) {
                remove();
                throw std::runtime_error("AdaLoRA: rank_pattern key '" + key + "' names no adapted module");
            }
        }
    }
    std::vector<AdaLoraController::Module> modules;
    for (const auto& slot : slots_)
        modules.push_back({slot.name, std::static_pointer_cast<AdaLoraLayer>(slot.layer)});
    controller_ = std::make_unique<AdaLoraController>(config_, std::move(modules));
    if (pendingCallback_) controller_->setSnapshotCallback(pendingCallback_);
}

std::shared_ptr<AdapterLayer> AdaLoraAdapter::createLayer(const AdaptedLayer& target, WeightInit init) {
    const LoraConfig& lora = config_.lora;
    int64_t rank = config_.initR;
    if (init == WeightInit::FromFile && config_.rankPattern) {
        const auto found = config_.rankPattern->find(target.name + ".lora_E");
        if (found != config_.rankPattern->end()) {
            if (static_cast<int64_t>(found->second.size()) != config_.initR)
                throw std::runtime_error("AdaLoRA: rank_pattern entry '" + found->first + "' has " +
                                         std::to_string(found->second.size()) + " flags, expected init_r = " +
                                         std::to_string(config_.initR));
            rank = 0;
            for (bool kept : found->second) rank += kept ? 1 : 0;
        }
    }
    const double scaling = lora.loraAlpha > 0 ? lora.loraAlpha : static_cast<double>(config_.initR);
    auto layer = std::make_shared<AdaLoraLayer>(*target.linear, rank, config_.initR, scaling, lora.loraDropout);
    if (init == WeightInit::Fresh) {
        layer->initialize(lora.initLoraWeights != "false");
    } else {
        torch::NoGradGuard noGrad;
        layer->loraA.zero_();
        layer->loraE.zero_();
        layer->loraB.zero_();
    }
    return layer;
}

NamedTensorList AdaLoraAdapter::stateDict() {
    NamedTensorList tensors = WeightAdapterMethod::stateDict();
    if (!config_.rankPattern) return tensors;
    torch::NoGradGuard noGrad;
    for (const auto& [key, mask] : *config_.rankPattern) {
        const std::string module = key.substr(0, key.size() - std::string(".lora_E").size());
        std::vector<int64_t> kept;
        for (size_t j = 0; j < mask.size(); ++j)
            if (mask[j]) kept.push_back(static_cast<int64_t>(j));
        for (auto& [name, tensor] : tensors) {
            const std::string prefix = std::string(kSavedKeyPrefix) + module + ".";
            if (name.rfind(prefix, 0) != 0) continue;
            const std::string piece = name.substr(prefix.size());
            // Already at the kept size (e.g. a loaded adapter): unchanged, as PEFT.
            const int64_t dimension = piece == "lora_B" ? 1 : 0;
            if (piece != "lora_A" && piece != "lora_E" && piece != "lora_B") continue;
            if (tensor.size(dimension) != static_cast<int64_t>(mask.size()) ||
                static_cast<int64_t>(kept.size()) == tensor.size(dimension))
                continue;
            const torch::Tensor index = torch::tensor(kept, torch::kLong).to(tensor.device());
            tensor = tensor.detach().index_select(dimension, index);  // rows of A / E, columns of B
        }
    }
    return tensors;
}

std::string AdaLoraAdapter::configJson(ConfigProfile profile) const {
    return toAdapterConfigJson(config_, profile);
}

torch::Tensor AdaLoraAdapter::regularizationLoss() {
    return controller_ ? controller_->regularizationLoss() : torch::Tensor();
}

void AdaLoraAdapter::afterOptimizerStep(int64_t globalStep) {
    if (!controller_) throw std::runtime_error("AdaLoRA: afterOptimizerStep() before apply()");
    controller_->afterOptimizerStep(globalStep);
}

NamedTensorList AdaLoraController::trainingState() const {
    NamedTensorList state = allocator_.exportState();
    if (config_.rankPattern) {
        for (const auto& [key, mask] : *config_.rankPattern) {
            std::vector<uint8_t> bytes(mask.begin(), mask.end());
            state.emplace_back("rank_pattern." + key,
                               torch::tensor(std::vector<int64_t>(bytes.begin(), bytes.end()), torch::kLong).to(torch::kUInt8));
        }
    }
    return state;
}

void AdaLoraController::restoreTrainingState(const NamedTensorList& state) {
    const std::string prefix = "rank_pattern.";
    NamedTensorList allocatorState;
    RankPattern pattern;
    for (const auto& [name, tensor] : state) {
        if (name.rfind(prefix, 0) == 0) {
            const torch::Tensor values = tensor.to(torch::kLong).contiguous();
            std::vector<bool> mask;
            for (int64_t i = 0; i < values.numel(); ++i) mask.push_back(values.data_ptr<int64_t>()[i] != 0);
            pattern[name.substr(prefix.size())] = std::move(mask);
        } else {
            allocatorState.emplace_back(name, tensor);
        }
    }
    allocator_.importState(allocatorState);
    if (!pattern.empty()) config_.rankPattern = std::move(pattern);
}

NamedTensorList AdaLoraAdapter::trainingState() const {
    return controller_ ? controller_->trainingState() : NamedTensorList{};
}

void AdaLoraAdapter::restoreTrainingState(const NamedTensorList& state) {
    if (!controller_) throw std::runtime_error("AdaLoRA: restoreTrainingState() before apply()");
    controller_->restoreTrainingState(state);
}

void AdaLoraAdapter::setRankSnapshotCallback(std::function<void(const RankSnapshot&)> callback) {
    pendingCallback_ = callback;
    if (controller_) controller_->setSnapshotCallback(std::move(callback));
}

void AdaLoraAdapter::remove() {
    controller_.reset();
    WeightAdapterMethod::remove();
}

}  // namespace capsule::peft
