#include "model/model_loader.h"

#include "io/checkpoint_reader.h"
#include "model/model_registry.h"

#include <ATen/CPUGeneratorImpl.h>

#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace capsule::model {
namespace {

constexpr size_t kMaxReportedProblems = 24;

bool isFloatingDtype(const std::string& dtype) {
    return dtype == "F32" || dtype == "F16" || dtype == "BF16" || dtype == "F64";
}

std::string shapeText(const std::vector<int64_t>& shape) {
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

/// The LibTorch 1.13 CPU kernels lack float16 matmuls; fail at load time with advice instead of
/// mid-forward with "addmm_impl_cpu_ not implemented for 'Half'".
void checkDtypeSupported(torch::ScalarType dtype, const torch::Device& device) {
    if (dtype != torch::kHalf || !device.is_cpu()) return;
    try {
        torch::NoGradGuard noGrad;
        const torch::Tensor probe = torch::ones({2, 2}, torch::TensorOptions().dtype(torch::kHalf));
        (void)torch::addmm(probe, probe, probe);
        (void)torch::softmax(probe, -1);
    } catch (const std::exception&) {
        throw std::runtime_error(
            "float16 compute is not supported on the CPU by this LibTorch build; use bfloat16 or float32");
    }
}

}  // namespace

torch::ScalarType parseComputeDtype(const std::string& name) {
    if (name == "float32" || name == "fp32" || name == "float" || name == "f32") return torch::kFloat;
    if (name == "bfloat16" || name == "bf16") return torch::kBFloat16;
    if (name == "float16" || name == "fp16" || name == "half" || name == "f16") return torch::kHalf;
    throw std::invalid_argument("unknown compute dtype '" + name + "' (expected float32, bfloat16 or float16)");
}

std::string computeDtypeName(torch::ScalarType dtype) {
    switch (dtype) {
    case torch::kFloat: return "float32";
    case torch::kBFloat16: return "bfloat16";
    case torch::kHalf: return "float16";
    case torch::kDouble: return "float64";
    default: return c10::toString(dtype);
    }
}

torch::Device defaultDevice() {
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
}

std::optional<torch::Device> parseDevice(const std::string& name) {
    if (name == "auto" || name.empty()) return std::nullopt;
    if (name == "cpu") return torch::Device(torch::kCPU);
    if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
        int index = 0;
        if (name.size() > 5) {
            const std::string digits = name.substr(5);
            if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string::npos)
                throw std::invalid_argument("unknown device '" + name + "' (expected auto, cpu, cuda or cuda:N)");
            index = std::stoi(digits);
        }
        if (!torch::cuda::is_available() || index >= static_cast<int>(torch::cuda::device_count()))
            throw std::invalid_argument("device '" + name + "' is not available (LibTorch sees " +
                                        std::to_string(torch::cuda::device_count()) + " CUDA devices)");
        return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
    }
    throw std::invalid_argument("unknown device '" + name + "' (expected auto, cpu, cuda or cuda:N)");
}

std::vector<std::pair<std::string, torch::Tensor>> uniqueNamedParameters(CausalLM& model) {
    std::vector<std::pair<std::string, torch::Tensor>> unique;
    std::set<const void*> seen;
    for (const auto& item : model.named_parameters(/*recurse=*/true)) {
        if (!seen.insert(item.value().unsafeGetTensorImpl()).second) continue;
        unique.emplace_back(item.key(), item.value());
    }
    return unique;
}

int64_t countParameters(CausalLM& model) {
    int64_t total = 0;
    for (const auto& [name, tensor] : uniqueNamedParameters(model)) total += tensor.numel();
    return total;
}

namespace {

struct LoadPlan {
    std::vector<std::string> problems;            // one line each
    std::map<std::string, torch::Tensor> target;  // parameter name -> parameter
    std::map<std::string, std::string> sourceOf;  // parameter name -> checkpoint name
};

LoadPlan planLoad(CausalLM& model, const io::CheckpointReader& checkpoint) {
    // name -> parameter, each tensor under its first name; aliases (the tied lm_head) separately.
    std::map<std::string, torch::Tensor> expected;
    std::map<std::string, torch::Tensor> aliases;
    std::set<const void*> seen;
    for (const auto& item : model.named_parameters(/*recurse=*/true)) {
        if (seen.insert(item.value().unsafeGetTensorImpl()).second) expected.emplace(item.key(), item.value());
        else aliases.emplace(item.key(), item.value());
    }

    std::vector<std::string> problems;
    std::vector<std::string> unexpected;
    std::map<std::string, std::string> sourceOf;  // parameter -> checkpoint name
    std::set<std::string> mismatched;              // parameters already reported
    for (const std::string& stored : checkpoint.names()) {
        const std::optional<std::string> mapped = model.parameterNameForCheckpointKey(stored);
        if (!mapped) continue;  // a known buffer
        const bool isAlias = aliases.count(*mapped) > 0;
        const auto found = expected.find(*mapped);
        if (!isAlias && found == expected.end()) {
            unexpected.push_back(stored);
            continue;
        }
        const torch::Tensor& parameter = isAlias ? aliases.at(*mapped) : found->second;
        const io::TensorInfo& info = checkpoint.info(stored);
        if (info.shape != parameter.sizes().vec()) {
            problems.push_back("tensor " + stored + ": expected " + shapeText(parameter.sizes().vec()) + ", got " +
                               shapeText(info.shape));
            mismatched.insert(*mapped);
            continue;
        }
        if (!isFloatingDtype(info.dtype)) {
            problems.push_back("tensor " + stored + ": stored dtype " + info.dtype + " is not a floating-point type");
            mismatched.insert(*mapped);
            continue;
        }
        if (isAlias) continue;  // tied: the embedding provides the values
        if (const auto previous = sourceOf.find(*mapped); previous != sourceOf.end()) {
            problems.push_back("tensor " + *mapped + " appears twice in the checkpoint (as " + previous->second +
                               " and " + stored + ")");
            continue;
        }
        sourceOf.emplace(*mapped, stored);
    }
    for (const auto& [name, tensor] : expected)
        if (!sourceOf.count(name) && !mismatched.count(name)) problems.push_back("missing tensor " + name);
    for (const std::string& name : unexpected) problems.push_back("unexpected tensor " + name);

    LoadPlan plan;
    plan.problems = std::move(problems);
    plan.target = std::move(expected);
    plan.sourceOf = std::move(sourceOf);
    return plan;
}

}  // namespace

std::vector<std::string> checkpointProblems(CausalLM& model, const io::CheckpointReader& checkpoint) {
    return planLoad(model, checkpoint).problems;
}

void loadWeights(CausalLM& model, const io::CheckpointReader& checkpoint) {
    LoadPlan plan = planLoad(model, checkpoint);
    const std::vector<std::string>& problems = plan.problems;
    if (!problems.empty()) {
        std::ostringstream message;
        message << checkpoint.layout().folder << ": the checkpoint does not match the " << model.config().modelType
                << " config (" << problems.size() << " problem" << (problems.size() == 1 ? "" : "s") << "): ";
        // One line (the CLI prints errors as a single line), problems separated by "; ".
        for (size_t i = 0; i < problems.size() && i < kMaxReportedProblems; ++i)
            message << (i ? "; " : "") << problems[i];
        if (problems.size() > kMaxReportedProblems)
            message << "; ... and " << problems.size() - kMaxReportedProblems << " more";
        throw std::runtime_error(message.str());
    }

    // One tensor at a time from the mapping into the preallocated parameter: copy_ converts the
    // dtype and moves to the device in one pass. The copied pages then leave the resident set, so
    // the peak is the model plus one tensor, not the model plus the whole file.
    torch::NoGradGuard noGrad;
    for (const auto& [name, stored] : plan.sourceOf) {
        plan.target.at(name).copy_(checkpoint.tensor(stored));
        checkpoint.releasePages(stored);
    }
}

ModelConfig effectiveModelConfig(const std::string& folder, const io::CheckpointReader& checkpoint) {
    ModelConfig config = loadModelConfig(folder);
    if (!config.isGpt2() && !config.tieWordEmbeddings && !config.tieWordEmbeddingsExplicit &&
        !checkpoint.has("lm_head.weight"))
        config.tieWordEmbeddings = true;
    return config;
}

std::shared_ptr<CausalLM> loadModel(const std::string& folder, const LoadOptions& options) {
    const io::CheckpointReader checkpoint(folder);
    const ModelConfig config = effectiveModelConfig(folder, checkpoint);

    const torch::Device device = options.device.value_or(defaultDevice());
    if (options.dtype != torch::kFloat && options.dtype != torch::kBFloat16 && options.dtype != torch::kHalf)
        throw std::invalid_argument("loadModel: compute dtype must be float32, bfloat16 or float16, got " +
                                    computeDtypeName(options.dtype));
    checkDtypeSupported(options.dtype, device);

    std::shared_ptr<CausalLM> model =
        buildModel(config, torch::TensorOptions().dtype(options.dtype).device(device));
    loadWeights(*model, checkpoint);
    model->eval();
    for (auto& parameter : model->parameters()) parameter.set_requires_grad(false);
    return model;
}

void initializeRandomWeights(CausalLM& model, uint64_t seed) {
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    const double standardDeviation = model.config().initializerRange;
    torch::NoGradGuard noGrad;
    for (auto& [name, parameter] : uniqueNamedParameters(model)) {
        const bool isBias = name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
        if (isBias) {
            parameter.zero_();
        } else if (parameter.dim() == 1) {
            parameter.fill_(1.0);  // LayerNorm / RMSNorm weights
        } else {
            const torch::Tensor values = torch::empty(parameter.sizes(), torch::kFloat);
            values.normal_(0.0, standardDeviation, generator);
            parameter.copy_(values);
        }
    }
}

}  // namespace capsule::model
