#include "peft/adapter_export.h"

#include "io/atomic_directory.h"
#include "io/safetensors_header.h"
#include "peft/adapter_io.h"
#include "peft/peft_config.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <vector>

namespace capsule::peft {
namespace fs = std::filesystem;
namespace {

/// True when both files hold the same bytes (compared in 1 MiB blocks).
bool sameBytes(const fs::path& first, const fs::path& second) {
    std::error_code error;
    if (fs::file_size(first, error) != fs::file_size(second, error) || error) return false;
    std::ifstream a(first, std::ios::binary), b(second, std::ios::binary);
    if (!a || !b) return false;
    std::vector<char> blockA(1 << 20), blockB(1 << 20);
    while (a && b) {
        a.read(blockA.data(), static_cast<std::streamsize>(blockA.size()));
        b.read(blockB.data(), static_cast<std::streamsize>(blockB.size()));
        if (a.gcount() != b.gcount()) return false;
        if (!std::equal(blockA.begin(), blockA.begin() + a.gcount(), blockB.begin())) return false;
    }
    return a.eof() && b.eof();
}

}  // namespace

AdapterFolderSummary inspectAdapterFolder(const std::string& folder) {
    const std::string text = readAdapterConfigText(folder);
    const std::string configPath = (fs::path(folder) / kAdapterConfigFile).string();
    AdapterFolderSummary summary;
    summary.peftType = readPeftType(text, configPath);
    // The weight adapters are parsed (and validated) in full; prompt-learning configs are parsed
    // by their factories when loaded with a model.
    if (summary.peftType == "LORA") parseLoraConfig(text, configPath);
    else if (summary.peftType == "ADALORA") parseAdaLoraConfig(text, configPath);
    else if (summary.peftType == "IA3") parseIa3Config(text, configPath);
    else {
        static const std::set<std::string> promptLearning = {"PROMPT_TUNING", "P_TUNING", "PREFIX_TUNING"};
        if (!promptLearning.count(summary.peftType))
            throw std::runtime_error(configPath + ": peft_type '" + summary.peftType +
                                     "' is not supported by Capsule (supported: LORA, ADALORA, IA3, PROMPT_TUNING, "
                                     "P_TUNING, PREFIX_TUNING)");
    }
    summary.canMerge = summary.peftType == "LORA" || summary.peftType == "ADALORA" || summary.peftType == "IA3";
    const nlohmann::json config = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (config.is_object()) {
        const auto base = config.find("base_model_name_or_path");
        if (base != config.end() && base->is_string()) summary.baseModel = base->get<std::string>();
    }

    const fs::path weights = fs::path(folder) / kAdapterWeightsFile;
    std::error_code error;
    if (!fs::is_regular_file(weights, error)) {
        if (fs::is_regular_file(fs::path(folder) / kAdapterPickleFile, error))
            throw std::runtime_error((fs::path(folder) / kAdapterPickleFile).string() +
                                     ": pickle weights are not read; save the adapter with safe_serialization=True "
                                     "(adapter_model.safetensors)");
        throw std::runtime_error(weights.string() + ": missing (an adapter folder needs its weights)");
    }
    const io::SafetensorsHeader header = io::readSafetensorsHeader(weights.string());
    if (header.tensors.empty()) throw std::runtime_error(weights.string() + ": holds no tensors");
    summary.tensorCount = static_cast<int64_t>(header.tensors.size());
    for (const io::TensorInfo& tensor : header.tensors) summary.parameterCount += tensor.elementCount;
    return summary;
}

void exportAdapterFolder(const std::string& adapterFolder, const std::string& outputFolder) {
    inspectAdapterFolder(adapterFolder);
    const fs::path output(outputFolder);
    std::error_code error;
    if (fs::exists(output, error) && (!fs::is_directory(output, error) ||
                                      (!fs::is_empty(output, error) && !fs::exists(output / kAdapterConfigFile, error))))
        throw std::runtime_error(outputFolder + ": exists and is not an adapter folder; refusing to replace it");
    io::writeDirectoryAtomically(outputFolder, [&](const std::string& temporary) {
        std::error_code copyError;
        for (const char* name : {kAdapterConfigFile, kAdapterWeightsFile}) {
            const fs::path source = fs::path(adapterFolder) / name, copy = fs::path(temporary) / name;
            fs::copy_file(source, copy, fs::copy_options::overwrite_existing, copyError);
            if (copyError) throw std::runtime_error(source.string() + ": cannot copy: " + copyError.message());
            if (!sameBytes(source, copy))
                throw std::runtime_error(copy.string() + ": the copy differs from " + source.string());
        }
        inspectAdapterFolder(temporary);
    });
}

}  // namespace capsule::peft
