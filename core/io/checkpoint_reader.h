#pragma once
// Reading the weights of a Hugging Face model folder.
//
// Which files (transformers' preference order, hf-formats.md §1):
//   1. model.safetensors.index.json  {"metadata": {...}, "weight_map": {"<tensor>": "<shard file>"}}
//      shards are named model-00001-of-00003.safetensors; each distinct shard is opened once
//   2. model.safetensors             a single file
//   A path to one *.safetensors file is accepted too. Legacy pytorch_model.bin(.index.json) folders
//   are rejected with a message suggesting conversion to safetensors.
#include "io/safetensors.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace capsule::io {

/// Which weight files a model folder (or single file) consists of. No tensor data is read.
struct CheckpointLayout {
    std::string folder;                              // the model folder
    std::string indexPath;                           // model.safetensors.index.json; empty if unsharded
    std::vector<std::string> files;                  // shard paths, sorted, each once
    std::map<std::string, std::string> weightMap;    // tensor -> shard path (sharded layouts only)
};

/// Resolves `folderOrFile` to its weight files (reads and validates the index JSON if there is
/// one: weight_map must be an object of string -> string naming files in the folder).
/// Throws std::runtime_error naming the folder or index file; for legacy .bin-only folders the
/// message says they are unsupported and suggests converting to safetensors.
CheckpointLayout resolveCheckpointLayout(const std::string& folderOrFile);

/// All tensors of a checkpoint, across shards, by name. Shards stay memory-mapped while the reader
/// (or any tensor view it returned) lives. Cheap to copy (shared files). Immutable after
/// construction: safe to use from several threads.
class CheckpointReader {
public:
    /// Opens a model folder or a single .safetensors file, validates every shard, and checks that
    /// every name in the index's weight_map exists in its shard (error names the index file).
    /// Tensors present in a shard but missing from the weight_map are ignored for sharded
    /// checkpoints, as transformers does.
    explicit CheckpointReader(const std::string& folderOrFile);

    const CheckpointLayout& layout() const { return layout_; }
    /// Tensor names, sorted.
    std::vector<std::string> names() const;
    bool has(const std::string& name) const;
    /// Throws std::runtime_error naming the checkpoint when `name` is absent.
    const TensorInfo& info(const std::string& name) const;
    /// The file holding `name`.
    const SafetensorsFile& fileOf(const std::string& name) const;
    /// Zero-copy CPU view of the stored tensor (see SafetensorsFile::tensor): stored dtype, read-only.
    at::Tensor tensor(const std::string& name) const;
    /// SafetensorsFile::releasePages in the shard that holds `name`.
    void releasePages(const std::string& name) const;
    /// Sum of element counts of all tensors.
    int64_t totalParameters() const;
    /// The stored dtype holding the most elements ("BF16", "F32", ...); empty when there are none.
    std::string dominantDtype() const;
    /// Union of the shards' "__metadata__" maps.
    std::map<std::string, std::string> metadata() const;

private:
    CheckpointLayout layout_;
    std::vector<std::shared_ptr<SafetensorsFile>> files_;
    std::map<std::string, size_t> fileIndexByName_;  // tensor -> index into files_
};

/// The dtype holding the most elements over `tensors` (ties: the first in name order); "" if none.
std::string dominantDtypeOf(const std::vector<TensorInfo>& tensors);

}  // namespace capsule::io
