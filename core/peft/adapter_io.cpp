#include "peft/adapter_io.h"

#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "io/safetensors_writer.h"
#include "peft/adalora.h"
#include "peft/ia3.h"
#include "peft/lora.h"
#include "peft/prompt_learning_methods.h"
#include "peft/weight_adapter.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace capsule::peft {
namespace fs = std::filesystem;

namespace {

std::string shapeText(c10::IntArrayRef shape) {
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

std::string shapeText(const std::vector<int64_t>& shape) {
    return shapeText(c10::IntArrayRef(shape));
}

struct FactoryRegistry {
    std::mutex mutex;
    std::map<std::string, AdapterFactory> factories;
};

FactoryRegistry& registry() {
    static FactoryRegistry instance;
    return instance;
}

std::optional<AdapterFactory> builtInFactory(const std::string& peftType) {
    if (peftType == "LORA")
        return AdapterFactory([](const std::string& text, const std::string& source, std::vector<std::string>& ignored) {
            return std::unique_ptr<AdapterMethod>(std::make_unique<LoraAdapter>(parseLoraConfig(text, source, &ignored)));
        });
    if (peftType == "ADALORA")
        return AdapterFactory([](const std::string& text, const std::string& source, std::vector<std::string>& ignored) {
            return std::unique_ptr<AdapterMethod>(
                std::make_unique<AdaLoraAdapter>(parseAdaLoraConfig(text, source, &ignored)));
        });
    if (peftType == "IA3")
        return AdapterFactory([](const std::string& text, const std::string& source, std::vector<std::string>& ignored) {
            return std::unique_ptr<AdapterMethod>(std::make_unique<Ia3Adapter>(parseIa3Config(text, source, &ignored)));
        });
    return std::nullopt;
}

/// Files an existing adapter folder may hold that saveAdapter() replaces.
bool holdsOnlyAdapterFiles(const std::string& folder) {
    static const std::set<std::string> adapterFiles = {kAdapterConfigFile, kAdapterWeightsFile, kAdapterPickleFile,
                                                       "README.md"};
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(folder, error))
        if (!adapterFiles.count(entry.path().filename().string())) return false;
    return !error;
}

}  // namespace

bool isKnownPeftType(const std::string& peftType) {
    static const std::set<std::string> known = {
        "ADALORA", "ADAMSS", "ADAPTION_PROMPT", "BEFT", "BOFT", "BONE", "C3A", "CARTRIDGE", "CPT", "DEFT",
        "DELORA", "FOURIERFT", "FROD", "GLORA", "GRALORA", "HIRA", "HRA", "IA3", "LILY", "LN_TUNING",
        "LOHA", "LOKR", "LORA", "MISS", "MULTITASK_PROMPT_TUNING", "OFT", "OSF", "PEANUT", "POLY",
        "PREFIX_TUNING", "PROMPT_TUNING", "PSOFT", "PVERA", "P_TUNING", "RANDLORA", "ROAD", "SHIRA",
        "SUPERTUNING", "TINYLORA", "TRAINABLE_TOKENS", "UNILORA", "VBLORA", "VERA", "WAVEFT", "XLORA"};
    return known.count(peftType) > 0;
}

void registerAdapterFactory(const std::string& peftType, AdapterFactory factory) {
    std::lock_guard<std::mutex> lock(registry().mutex);
    registry().factories[peftType] = std::move(factory);
}

std::string readAdapterConfigText(const std::string& folder) {
    const std::string path = (fs::path(folder) / kAdapterConfigFile).string();
    std::error_code error;
    if (!fs::is_directory(folder, error))
        throw std::runtime_error(folder + ": not a folder (expected a PEFT adapter folder with " +
                                 std::string(kAdapterConfigFile) + ")");
    if (!fs::is_regular_file(path, error))
        throw std::runtime_error(folder + ": no " + std::string(kAdapterConfigFile) + " (not a PEFT adapter folder)");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw std::runtime_error(path + ": read error");
    return text.str();
}

void writeAdapterFolder(const std::string& folder, const std::string& configJson, const NamedTensorList& tensors) {
    io::NamedTensors cpuTensors;
    cpuTensors.reserve(tensors.size());
    {
        torch::NoGradGuard noGrad;
        for (const auto& [key, tensor] : tensors)
            cpuTensors.emplace_back(key, tensor.detach().to(torch::kCPU).contiguous());
    }
    const fs::path target(folder);
    std::error_code error;
    if (target.has_parent_path()) fs::create_directories(target.parent_path(), error);

    const std::string temporary = io::temporarySiblingPath(folder);
    if (!fs::create_directory(temporary, error))
        throw std::runtime_error(folder + ": cannot create the temporary folder " + temporary + ": " + error.message());
    try {
        io::writeSafetensors((fs::path(temporary) / kAdapterWeightsFile).string(), cpuTensors,
                             io::defaultSafetensorsMetadata());
        io::writeFileAtomically((fs::path(temporary) / kAdapterConfigFile).string(), configJson);
        if (!fs::exists(target, error) || (fs::is_directory(target, error) && holdsOnlyAdapterFiles(folder))) {
            io::atomicReplaceDirectory(temporary, folder);
        } else {
            if (!fs::is_directory(target, error))
                throw std::runtime_error(folder + ": exists and is not a folder");
            // The folder holds other things (checkpoints, logs): move the files in one at a time,
            // tensors first so a config never describes tensors that are not there yet.
            for (const char* name : {kAdapterWeightsFile, kAdapterConfigFile}) {
                fs::rename(fs::path(temporary) / name, target / name, error);
                if (error)
                    throw std::runtime_error((target / name).string() + ": cannot move into place: " + error.message());
            }
            fs::remove_all(temporary, error);
        }
    } catch (...) {
        fs::remove_all(temporary, error);
        throw;
    }
}

void saveAdapter(AdapterMethod& adapter, const std::string& folder, ConfigProfile profile) {
    writeAdapterFolder(folder, adapter.configJson(profile), adapter.stateDict());
}

void loadAdapterTensors(const std::string& weightsPath, const NamedTensorList& targets, model::CausalLM& model) {
    const std::shared_ptr<io::SafetensorsFile> file = io::SafetensorsFile::open(weightsPath);
    std::vector<std::string> problems;
    std::set<std::string> expected;
    std::vector<std::pair<torch::Tensor, std::string>> copies;  // live tensor <- file key

    for (const auto& [key, live] : targets) {
        expected.insert(key);
        if (!file->has(key)) {
            problems.push_back("missing tensor '" + key + "' (expected shape " + shapeText(live.sizes()) + ")");
            continue;
        }
        const io::TensorInfo& info = file->info(key);
        if (info.shape != live.sizes().vec()) {
            problems.push_back("tensor '" + key + "': expected shape " + shapeText(live.sizes()) + ", got " +
                               shapeText(info.shape));
            continue;
        }
        copies.emplace_back(live, key);
    }

    // Base-model tensors PEFT saves next to the adapter (bias "all", embeddings): load them.
    std::map<std::string, torch::Tensor> modelParameters;
    for (const auto& item : model.named_parameters()) modelParameters.emplace(item.key(), item.value());
    for (const auto& key : file->names()) {
        if (expected.count(key)) continue;
        std::string name;
        if (key.rfind(kSavedKeyPrefix, 0) == 0) {
            name = key.substr(std::string(kSavedKeyPrefix).size());
            const std::string baseLayer = ".base_layer.";
            if (auto position = name.find(baseLayer); position != std::string::npos)
                name = name.substr(0, position) + "." + name.substr(position + baseLayer.size());
        }
        const auto found = name.empty() ? modelParameters.end() : modelParameters.find(name);
        if (found == modelParameters.end()) {
            problems.push_back("unexpected tensor '" + key + "': the adapter config does not create it and the model "
                               "has no parameter '" + (name.empty() ? key : name) + "'");
            continue;
        }
        const io::TensorInfo& info = file->info(key);
        if (info.shape != found->second.sizes().vec()) {
            problems.push_back("tensor '" + key + "': expected shape " + shapeText(found->second.sizes()) + ", got " +
                               shapeText(info.shape));
            continue;
        }
        copies.emplace_back(found->second, key);
    }

    for (const auto& [live, key] : copies) {
        const std::string dtype = file->info(key).dtype;
        if (dtype != "F32" && dtype != "F16" && dtype != "BF16" && dtype != "F64")
            problems.push_back("tensor '" + key + "': dtype " + dtype + " is not a floating type");
    }
    if (!problems.empty()) {
        std::string message = weightsPath + ": the adapter does not fit the model:";
        const size_t shown = std::min<size_t>(problems.size(), 20);
        for (size_t i = 0; i < shown; ++i) message += "\n  " + problems[i];
        if (problems.size() > shown) message += "\n  ... and " + std::to_string(problems.size() - shown) + " more";
        throw std::runtime_error(message);
    }
    torch::NoGradGuard noGrad;
    for (auto& [live, key] : copies) {
        torch::Tensor destination = live;
        destination.copy_(file->tensor(key));
    }
}

std::unique_ptr<AdapterMethod> loadAdapter(model::CausalLM& model, const std::string& folder,
                                           const AdapterLoadOptions& options) {
    registerPromptLearningMethods();  // PROMPT_TUNING, P_TUNING, PREFIX_TUNING (prompt_learning_methods.h)
    const std::string configPath = (fs::path(folder) / kAdapterConfigFile).string();
    const std::string text = readAdapterConfigText(folder);
    const std::string peftType = readPeftType(text, configPath);

    std::optional<AdapterFactory> factory;
    {
        std::lock_guard<std::mutex> lock(registry().mutex);
        if (auto found = registry().factories.find(peftType); found != registry().factories.end())
            factory = found->second;
    }
    if (!factory) factory = builtInFactory(peftType);
    if (!factory) {
        std::string supported = "LORA, ADALORA, IA3";
        {
            std::lock_guard<std::mutex> lock(registry().mutex);
            for (const auto& [type, unused] : registry().factories)
                if (type != "LORA" && type != "ADALORA" && type != "IA3") supported += ", " + type;
        }
        if (isKnownPeftType(peftType))
            throw std::runtime_error(configPath + ": peft_type '" + peftType +
                                     "' is not supported by Capsule yet (supported: " + supported + ")");
        throw std::runtime_error(configPath + ": unknown peft_type '" + peftType + "' (supported: " + supported + ")");
    }

    std::vector<std::string> ignoredKeys;
    std::unique_ptr<AdapterMethod> adapter = (*factory)(text, configPath, ignoredKeys);
    if (options.onWarning)
        for (const auto& key : ignoredKeys)
            options.onWarning(configPath + ": unknown key '" + key + "' ignored (as PEFT >= 0.14 does)");

    const std::string weightsPath = (fs::path(folder) / kAdapterWeightsFile).string();
    std::error_code error;
    if (!fs::is_regular_file(weightsPath, error)) {
        if (fs::is_regular_file(fs::path(folder) / kAdapterPickleFile, error))
            throw std::runtime_error(folder + ": only " + std::string(kAdapterPickleFile) +
                                     " (a Python pickle) is present; Capsule reads " + kAdapterWeightsFile +
                                     " only. Convert it in Python: PeftModel.from_pretrained(...).save_pretrained(dir, "
                                     "safe_serialization=True)");
        throw std::runtime_error(folder + ": no " + std::string(kAdapterWeightsFile));
    }

    adapter->apply(model, WeightInit::FromFile);
    try {
        loadAdapterTensors(weightsPath, adapter->loadTargets(), model);
    } catch (...) {
        adapter->remove();  // leave the model as it was
        throw;
    }
    if (!options.trainable)
        for (auto& [key, tensor] : adapter->loadTargets()) tensor.set_requires_grad(false);
    return adapter;
}

}  // namespace capsule::peft
