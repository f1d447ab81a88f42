#include "io/model_discovery.h"

#include "io/checkpoint_reader.h"
#include "io/json_reader.h"
#include "io/safetensors_header.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace capsule::io {
namespace {

namespace fs = std::filesystem;

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

bool isDirectory(const fs::path& path) {
    std::error_code error;
    return fs::is_directory(path, error);
}

bool isRegularFile(const fs::path& path) {
    std::error_code error;
    return fs::is_regular_file(path, error);
}

// Bytes of every file under `folder`, symlinks followed (hub snapshots are symlinks into blobs/).
// Folder symlinks are not descended into, so a link cycle cannot loop.
int64_t sizeOnDisk(const fs::path& folder) {
    int64_t total = 0;
    std::error_code error;
    fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, error);
    for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        std::error_code fileError;
        if (!fs::is_regular_file(it->path(), fileError)) continue;  // follows the symlink
        const auto size = fs::file_size(it->path(), fileError);
        if (!fileError) total += static_cast<int64_t>(size);
    }
    return total;
}

// A folder worth listing: it has a config.json or weights.
bool looksLikeModelFolder(const fs::path& folder) {
    for (const char* name : {"config.json", "model.safetensors", "model.safetensors.index.json",
                             "pytorch_model.bin", "pytorch_model.bin.index.json"}) {
        std::error_code error;
        if (fs::exists(folder / name, error)) return true;  // a broken symlink counts too
        if (fs::is_symlink(folder / name, error)) return true;
    }
    return false;
}

void addProblem(DiscoveredModel& model, const std::string& problem) {
    if (!model.problem.empty()) model.problem += "; ";
    model.problem += problem;
}

// The snapshot refs/main points to, else the most recently modified one; empty if none.
fs::path pickSnapshot(const fs::path& repository) {
    const fs::path snapshots = repository / "snapshots";
    try {
        const std::string main = readTextFile((repository / "refs" / "main").string(), 4096);
        std::string revision = main.substr(0, main.find_first_of(" \t\r\n"));
        if (!revision.empty() && revision.find('/') == std::string::npos && revision != ".." &&
            isDirectory(snapshots / revision)) {
            return snapshots / revision;
        }
    } catch (const std::exception&) {
        // no refs/main: fall back to the newest snapshot
    }
    fs::path newest;
    fs::file_time_type newestTime{};
    std::error_code error;
    for (fs::directory_iterator it(snapshots, error); !error && it != fs::directory_iterator(); it.increment(error)) {
        if (!isDirectory(it->path())) continue;
        std::error_code timeError;
        const auto time = fs::last_write_time(it->path(), timeError);
        if (timeError) continue;
        if (newest.empty() || time > newestTime || (time == newestTime && it->path() > newest)) {
            newest = it->path();
            newestTime = time;
        }
    }
    return newest;
}

std::string canonicalOrSelf(const std::string& path) {
    std::error_code error;
    const fs::path canonical = fs::weakly_canonical(path, error);
    return error ? path : canonical.string();
}

}  // namespace

const std::vector<std::string>& supportedModelTypes() {
    static const std::vector<std::string> types = {"gpt2", "llama", "qwen2", "mistral"};
    return types;
}

bool isSupportedModelType(const std::string& modelType) {
    const auto& types = supportedModelTypes();
    return std::find(types.begin(), types.end(), modelType) != types.end();
}

std::string supportedModelTypesText() {
    std::string text;
    for (const std::string& type : supportedModelTypes()) text += (text.empty() ? "" : ", ") + type;
    return text;
}

std::string huggingFaceHubCacheFolder() {
    // huggingface_hub's constants: HF_HUB_CACHE (legacy HUGGINGFACE_HUB_CACHE), else HF_HOME/hub,
    // HF_HOME defaulting to $XDG_CACHE_HOME/huggingface, then ~/.cache/huggingface.
    for (const char* name : {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"}) {
        const std::string value = environment(name);
        if (!value.empty()) return value;
    }
    std::string home = environment("HF_HOME");
    if (home.empty()) {
        const std::string xdgCache = environment("XDG_CACHE_HOME");
        if (!xdgCache.empty()) {
            home = (fs::path(xdgCache) / "huggingface").string();
        } else {
            home = (fs::path(environment("HOME")) / ".cache" / "huggingface").string();
        }
    }
    return (fs::path(home) / "hub").string();
}

DiscoveredModel inspectModelFolder(const std::string& path) {
    DiscoveredModel model;
    model.path = path;
    model.name = fs::path(path).filename().string();
    if (model.name.empty()) model.name = fs::path(path).parent_path().filename().string();
    try {
        if (!isDirectory(path)) {
            addProblem(model, "not a folder");
            return model;
        }
        model.sizeOnDiskBytes = sizeOnDisk(path);

        bool configUsable = false;
        const fs::path configPath = fs::path(path) / "config.json";
        if (!isRegularFile(configPath)) {
            addProblem(model, "config.json is missing");
        } else {
            try {
                const nlohmann::json config = readJsonFile(configPath.string(), 16'000'000);
                if (!config.is_object()) throw std::runtime_error(configPath.string() + ": not a JSON object");
                const auto modelType = config.find("model_type");
                if (modelType != config.end() && modelType->is_string()) model.architecture = modelType->get<std::string>();
                const auto architectures = config.find("architectures");
                if (architectures != config.end() && architectures->is_array() && !architectures->empty() &&
                    architectures->front().is_string()) {
                    model.architectureClass = architectures->front().get<std::string>();
                }
                if (model.architecture.empty()) {
                    addProblem(model, "config.json has no model_type");
                } else if (!isSupportedModelType(model.architecture)) {
                    addProblem(model, "model_type \"" + model.architecture + "\" is not supported (supported: " +
                                          supportedModelTypesText() + ")");
                } else {
                    configUsable = true;
                }
            } catch (const std::exception& error) {
                addProblem(model, error.what());
            }
        }

        bool weightsUsable = false;
        try {
            const CheckpointLayout layout = resolveCheckpointLayout(path);
            std::vector<TensorInfo> tensors;
            for (const std::string& file : layout.files) {
                SafetensorsHeader header = readSafetensorsHeader(file);
                for (TensorInfo& info : header.tensors) {
                    const auto mapped = layout.weightMap.find(info.name);
                    // Sharded: count only what the index maps to this shard (as the loader does).
                    if (!layout.indexPath.empty() && (mapped == layout.weightMap.end() || mapped->second != file)) {
                        continue;
                    }
                    tensors.push_back(std::move(info));
                }
            }
            if (!layout.indexPath.empty() && tensors.size() != layout.weightMap.size()) {
                throw std::runtime_error(layout.indexPath + ": " +
                                         std::to_string(layout.weightMap.size() - tensors.size()) +
                                         " mapped tensors are missing from their shards");
            }
            for (const TensorInfo& info : tensors) model.parameterCount += info.elementCount;
            model.dtype = dominantDtypeOf(tensors);
            weightsUsable = true;
        } catch (const std::exception& error) {
            addProblem(model, error.what());
        }
        model.supported = configUsable && weightsUsable;
    } catch (const std::exception& error) {  // e.g. std::bad_alloc, filesystem errors
        addProblem(model, error.what());
        model.supported = false;
    }
    return model;
}

std::vector<DiscoveredModel> discoverModels(const std::vector<std::string>& extraFolders) {
    std::vector<DiscoveredModel> hubModels;
    std::vector<DiscoveredModel> folderModels;
    std::set<std::string> seenPaths;
    auto add = [&](std::vector<DiscoveredModel>& into, DiscoveredModel model) {
        if (!seenPaths.insert(canonicalOrSelf(model.path)).second) return;
        into.push_back(std::move(model));
    };

    try {
        const fs::path hub = huggingFaceHubCacheFolder();
        std::error_code error;
        for (fs::directory_iterator it(hub, error); !error && it != fs::directory_iterator(); it.increment(error)) {
            const std::string folderName = it->path().filename().string();
            const std::string prefix = "models--";
            if (folderName.compare(0, prefix.size(), prefix) != 0 || !isDirectory(it->path())) continue;
            // huggingface_hub: repo_id = name.split("--", 1)[1].replace("--", "/")
            std::string repositoryId = folderName.substr(prefix.size());
            for (size_t at = repositoryId.find("--"); at != std::string::npos; at = repositoryId.find("--", at + 1)) {
                repositoryId.replace(at, 2, "/");
            }
            const fs::path snapshot = pickSnapshot(it->path());
            DiscoveredModel model;
            if (snapshot.empty()) {
                model.path = it->path().string();
                model.problem = "no downloaded snapshot";
            } else {
                model = inspectModelFolder(snapshot.string());
            }
            model.name = repositoryId;
            add(hubModels, std::move(model));
        }
    } catch (const std::exception&) {
        // an unreadable cache lists nothing rather than failing discovery
    }

    for (const std::string& folder : extraFolders) {
        try {
            if (!isDirectory(folder)) {
                DiscoveredModel model;
                model.path = folder;
                model.name = fs::path(folder).filename().string();
                model.problem = "folder not found";
                add(folderModels, std::move(model));
                continue;
            }
            if (looksLikeModelFolder(folder)) {
                add(folderModels, inspectModelFolder(folder));
                continue;
            }
            std::vector<fs::path> children;
            std::error_code error;
            for (fs::directory_iterator it(folder, error); !error && it != fs::directory_iterator(); it.increment(error)) {
                if (isDirectory(it->path()) && looksLikeModelFolder(it->path())) children.push_back(it->path());
            }
            for (const fs::path& child : children) add(folderModels, inspectModelFolder(child.string()));
        } catch (const std::exception&) {
            // skip folders that vanish or cannot be read while scanning
        }
    }

    auto byName = [](const DiscoveredModel& a, const DiscoveredModel& b) {
        return a.name != b.name ? a.name < b.name : a.path < b.path;
    };
    std::sort(hubModels.begin(), hubModels.end(), byName);
    std::sort(folderModels.begin(), folderModels.end(), byName);
    hubModels.insert(hubModels.end(), std::make_move_iterator(folderModels.begin()),
                     std::make_move_iterator(folderModels.end()));
    return hubModels;
}

}  // namespace capsule::io
