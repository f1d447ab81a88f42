#pragma once
// Finding usable models on disk: the Hugging Face hub cache and user-chosen folders.
// Reads config.json and safetensors headers only, never tensor data. Torch-free.
#include <cstdint>
#include <string>
#include <vector>

namespace capsule::io {

/// One model folder as shown to the user.
struct DiscoveredModel {
    std::string name;               // "ORG/NAME" for hub-cache models, else the folder name
    std::string path;               // the snapshot / model folder
    std::string architecture;       // config.json model_type, e.g. "llama"
    std::string architectureClass;  // config.json architectures[0], e.g. "LlamaForCausalLM"
    int64_t parameterCount = 0;     // sum of element counts over the safetensors headers
    std::string dtype;              // dominant stored dtype ("BF16", "F32", ...)
    int64_t sizeOnDiskBytes = 0;    // files in the folder, symlinks followed (hub blobs)
    bool supported = false;         // model_type supported and weights readable
    std::string problem;            // why not supported; empty when supported
};

/// model_type values Capsule can run: {"gpt2", "llama", "qwen2", "mistral"}. The single list.
const std::vector<std::string>& supportedModelTypes();
/// True when `modelType` is in supportedModelTypes().
bool isSupportedModelType(const std::string& modelType);
/// "gpt2, llama, qwen2, mistral" (for error messages).
std::string supportedModelTypesText();

/// The hub cache folder: $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub.
std::string huggingFaceHubCacheFolder();

/// Inspects one model folder. Never throws: problems end up in `problem` with supported = false.
DiscoveredModel inspectModelFolder(const std::string& path);

/// Scans the hub cache (models--ORG--NAME/snapshots/REV; the revision refs/main points to, else
/// the most recently modified snapshot) and each of `extraFolders` (a model folder itself, or a
/// folder whose direct children are model folders). Broken folders are listed with supported =
/// false and a problem; folders without config.json and weights are skipped. Never throws.
/// Results: hub-cache models first, each group sorted by name; duplicates (same path) once.
std::vector<DiscoveredModel> discoverModels(const std::vector<std::string>& extraFolders = {});

}  // namespace capsule::io
