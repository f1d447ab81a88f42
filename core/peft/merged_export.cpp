#include "peft/merged_export.h"

#include "io/atomic_directory.h"
#include "io/safetensors_writer.h"
#include "model/model_loader.h"

#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

namespace capsule::peft {
namespace fs = std::filesystem;

const std::vector<std::string>& modelSideFiles() {
    static const std::vector<std::string> files = {
        "generation_config.json", "tokenizer.json",    "tokenizer_config.json", "special_tokens_map.json",
        "vocab.json",             "merges.txt",        "tokenizer.model",       "added_tokens.json",
        "chat_template.jinja",    "chat_template.json"};
    return files;
}

std::vector<std::pair<std::string, torch::Tensor>> mergedModelTensors(model::CausalLM& model, AdapterMethod* adapter) {
    torch::NoGradGuard noGrad;
    std::set<const void*> adapterOwned;
    std::map<const void*, torch::Tensor> replacement;  // base parameter -> merged tensor
    if (adapter) {
        if (!adapter->supportsMerge())
            throw std::runtime_error(adapter->peftType() +
                                     " adapters change the input, not the weights, and cannot be merged into a model");
        for (const auto& parameter : adapter->ownedParameters()) adapterOwned.insert(parameter.unsafeGetTensorImpl());
        std::map<std::string, torch::Tensor> byName;
        for (const auto& item : model.named_parameters()) byName.emplace(item.key(), item.value());
        for (const auto& [name, merged] : adapter->mergedParameters()) {
            const auto found = byName.find(name);
            if (found == byName.end())
                throw std::runtime_error("merged export: the adapter changes '" + name + "', which the model lacks");
            replacement[found->second.unsafeGetTensorImpl()] = merged;
        }
    }
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    // Each tensor once under its first name: a tied lm_head is written as the embedding only.
    for (const auto& [name, parameter] : model::uniqueNamedParameters(model)) {
        const void* identity = parameter.unsafeGetTensorImpl();
        if (adapterOwned.count(identity)) continue;
        const auto merged = replacement.find(identity);
        tensors.emplace_back(name, merged != replacement.end() ? merged->second : parameter.detach());
    }
    return tensors;
}

void exportMergedModel(model::CausalLM& model, AdapterMethod* adapter, const std::string& baseModelFolder,
                       const std::string& outputFolder, const MergedExportOptions& options) {
    std::error_code error;
    const fs::path base(baseModelFolder);
    if (!fs::is_regular_file(base / "config.json", error))
        throw std::runtime_error(baseModelFolder + ": no config.json to copy into the merged model");
    const fs::path output(outputFolder);
    if (fs::exists(output, error)) {
        if (!fs::is_directory(output, error)) throw std::runtime_error(outputFolder + ": exists and is not a folder");
        if (!fs::is_empty(output, error) && !fs::exists(output / "config.json", error))
            throw std::runtime_error(outputFolder + ": exists, is not empty and is not a model folder; refusing to "
                                     "replace it");
    }

    std::vector<std::pair<std::string, torch::Tensor>> tensors = mergedModelTensors(model, adapter);
    io::NamedTensors written;
    written.reserve(tensors.size());
    for (auto& [name, tensor] : tensors)
        written.emplace_back(name, options.dtype ? tensor.to(*options.dtype) : tensor);

    io::writeDirectoryAtomically(outputFolder, [&](const std::string& temporary) {
        io::writeShardedSafetensors(temporary, written, options.maxShardBytes);
        written.clear();
        for (const std::string& name : std::vector<std::string>{"config.json"}) {
            fs::copy_file(base / name, fs::path(temporary) / name, fs::copy_options::overwrite_existing, error);
            if (error) throw std::runtime_error((base / name).string() + ": cannot copy: " + error.message());
        }
        for (const auto& name : modelSideFiles()) {
            if (!fs::is_regular_file(base / name, error)) continue;
            fs::copy_file(base / name, fs::path(temporary) / name, fs::copy_options::overwrite_existing, error);
            if (error) throw std::runtime_error((base / name).string() + ": cannot copy: " + error.message());
        }
    });
}

}  // namespace capsule::peft
