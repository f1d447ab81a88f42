#include "io/checkpoint_reader.h"

#include "io/json_reader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>

namespace capsule::io {
namespace {

namespace fs = std::filesystem;

constexpr const char* kIndexFileName = "model.safetensors.index.json";
constexpr const char* kSingleFileName = "model.safetensors";
constexpr const char* kLegacyFileName = "pytorch_model.bin";
constexpr const char* kLegacyIndexFileName = "pytorch_model.bin.index.json";

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isRegularFile(const fs::path& path) {
    std::error_code error;
    return fs::is_regular_file(path, error);  // follows symlinks (hub-cache blobs)
}

[[noreturn]] void failLegacy(const std::string& where) {
    throw std::runtime_error(
        where + ": legacy PyTorch pickle checkpoints (pytorch_model.bin) are not supported; convert the "
                "model to safetensors first, e.g. in Python: `from transformers import "
                "AutoModelForCausalLM; AutoModelForCausalLM.from_pretrained(DIR).save_pretrained(OUT, "
                "safe_serialization=True)`");
}

CheckpointLayout layoutFromIndex(const fs::path& indexPath) {
    CheckpointLayout layout;
    layout.folder = indexPath.parent_path().string();
    layout.indexPath = indexPath.string();
    const std::string label = layout.indexPath;
    const nlohmann::json index = readJsonFile(label);
    if (!index.is_object()) throw std::runtime_error(label + ": index must be a JSON object");
    const auto weightMap = index.find("weight_map");
    if (weightMap == index.end() || !weightMap->is_object()) {
        throw std::runtime_error(label + ": missing \"weight_map\" object (tensor name -> shard file)");
    }
    std::set<std::string> files;
    for (const auto& [name, shard] : weightMap->items()) {
        if (!shard.is_string()) {
            throw std::runtime_error(label + ": weight_map entry '" + name + "' must be a file name string");
        }
        const std::string shardName = shard.get<std::string>();
        const fs::path relative(shardName);
        // Shards live in the model folder: refuse paths that could point anywhere else.
        bool escapes = shardName.empty() || relative.is_absolute();
        for (const auto& part : relative) escapes = escapes || part == "..";
        if (escapes) {
            throw std::runtime_error(label + ": weight_map entry '" + name + "' names '" + shardName +
                                     "', which is not a file inside the model folder");
        }
        const std::string shardPath = (fs::path(layout.folder) / relative).string();
        if (!files.count(shardPath) && !isRegularFile(shardPath)) {
            throw std::runtime_error(label + ": shard '" + shardName + "' (for tensor '" + name +
                                     "') is missing");
        }
        files.insert(shardPath);
        layout.weightMap.emplace(name, shardPath);
    }
    layout.files.assign(files.begin(), files.end());
    return layout;
}

}  // namespace

CheckpointLayout resolveCheckpointLayout(const std::string& folderOrFile) {
    const fs::path path(folderOrFile);
    std::error_code error;
    if (!fs::exists(path, error)) throw std::runtime_error(folderOrFile + ": no such file or folder");
    if (fs::is_directory(path, error)) {
        if (isRegularFile(path / kIndexFileName)) return layoutFromIndex(path / kIndexFileName);
        if (isRegularFile(path / kSingleFileName)) {
            CheckpointLayout layout;
            layout.folder = path.string();
            layout.files.push_back((path / kSingleFileName).string());
            return layout;
        }
        if (isRegularFile(path / kLegacyFileName) || isRegularFile(path / kLegacyIndexFileName)) {
            failLegacy(folderOrFile);
        }
        throw std::runtime_error(folderOrFile + ": no weights found (looked for " + kIndexFileName + " and " +
                                 kSingleFileName + ")");
    }
    const std::string name = path.filename().string();
    if (endsWith(name, ".safetensors.index.json")) return layoutFromIndex(path);
    if (endsWith(name, ".safetensors")) {
        CheckpointLayout layout;
        layout.folder = path.parent_path().string();
        layout.files.push_back(path.string());
        return layout;
    }
    if (endsWith(name, ".bin") || endsWith(name, ".bin.index.json") || endsWith(name, ".pt") ||
        endsWith(name, ".pth")) {
        failLegacy(folderOrFile);
    }
    throw std::runtime_error(folderOrFile + ": not a model folder or a .safetensors file");
}

std::string dominantDtypeOf(const std::vector<TensorInfo>& tensors) {
    std::map<std::string, int64_t> elementsByDtype;
    std::map<std::string, std::string> firstNameByDtype;
    for (const TensorInfo& info : tensors) {
        elementsByDtype[info.dtype] += info.elementCount;
        auto& first = firstNameByDtype[info.dtype];
        if (first.empty() || info.name < first) first = info.name;
    }
    std::string best;
    for (const auto& [dtype, elements] : elementsByDtype) {
        if (best.empty() || elements > elementsByDtype[best] ||
            (elements == elementsByDtype[best] && firstNameByDtype[dtype] < firstNameByDtype[best])) {
            best = dtype;
        }
    }
    return best;
}

CheckpointReader::CheckpointReader(const std::string& folderOrFile)
    : layout_(resolveCheckpointLayout(folderOrFile)) {
    std::map<std::string, size_t> fileIndexByPath;
    for (const std::string& file : layout_.files) {
        fileIndexByPath.emplace(file, files_.size());
        files_.push_back(SafetensorsFile::open(file));
    }
    if (layout_.indexPath.empty()) {
        for (const TensorInfo& info : files_.front()->tensors()) fileIndexByName_.emplace(info.name, 0);
        return;
    }
    for (const auto& [name, shardPath] : layout_.weightMap) {
        const size_t fileIndex = fileIndexByPath.at(shardPath);
        if (!files_[fileIndex]->has(name)) {
            throw std::runtime_error(layout_.indexPath + ": tensor '" + name + "' is mapped to '" +
                                     fs::path(shardPath).filename().string() +
                                     "', but that shard does not contain it");
        }
        fileIndexByName_.emplace(name, fileIndex);
    }
}

std::vector<std::string> CheckpointReader::names() const {
    std::vector<std::string> result;
    result.reserve(fileIndexByName_.size());
    for (const auto& entry : fileIndexByName_) result.push_back(entry.first);
    return result;
}

bool CheckpointReader::has(const std::string& name) const {
    return fileIndexByName_.count(name) > 0;
}

const SafetensorsFile& CheckpointReader::fileOf(const std::string& name) const {
    const auto found = fileIndexByName_.find(name);
    if (found == fileIndexByName_.end()) {
        const std::string where = layout_.indexPath.empty() ? layout_.files.front() : layout_.indexPath;
        throw std::runtime_error(where + ": no tensor named '" + name + "'");
    }
    return *files_[found->second];
}

const TensorInfo& CheckpointReader::info(const std::string& name) const {
    return fileOf(name).info(name);
}

at::Tensor CheckpointReader::tensor(const std::string& name) const {
    return fileOf(name).tensor(name);
}

void CheckpointReader::releasePages(const std::string& name) const {
    fileOf(name).releasePages(name);
}

int64_t CheckpointReader::totalParameters() const {
    int64_t total = 0;
    for (const auto& entry : fileIndexByName_) total += info(entry.first).elementCount;
    return total;
}

std::string CheckpointReader::dominantDtype() const {
    std::vector<TensorInfo> infos;
    infos.reserve(fileIndexByName_.size());
    for (const auto& entry : fileIndexByName_) infos.push_back(info(entry.first));
    return dominantDtypeOf(infos);
}

std::map<std::string, std::string> CheckpointReader::metadata() const {
    std::map<std::string, std::string> merged;
    for (const auto& file : files_) merged.insert(file->metadata().begin(), file->metadata().end());
    return merged;
}

}  // namespace capsule::io
