#pragma once
// Writing safetensors files byte-compatible with Python's safetensors (format in safetensors.h):
// compact JSON header ("__metadata__" first, then tensors in storage order; entry keys dtype,
// shape, data_offsets), padded with spaces to a multiple of 8, tensors stored by descending dtype
// alignment then by name (byte-wise), so every tensor starts aligned to its element size.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace capsule::io {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

/// The default metadata transformers writes.
inline std::map<std::string, std::string> defaultSafetensorsMetadata() {
    return {{"format", "pt"}};
}

/// Writes `tensors` to `path` atomically (temp file + fsync + rename, see atomic_file.h).
/// Tensors may live on any device / be non-contiguous: contiguous CPU copies are written.
/// Supported dtypes: float64/32/16, bfloat16, int64/32/16/8, uint8, bool (and complex64).
/// Throws std::runtime_error naming the path and tensor for duplicate or empty names, undefined
/// tensors, unsupported dtypes, or I/O errors (the old file at `path` is then left intact).
/// An empty `metadata` map omits "__metadata__".
void writeSafetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

/// Writes a checkpoint folder per hf-formats.md §1.1: if the tensors' total byte size fits in
/// `maxShardBytes`, one `model.safetensors`; else `model-0000i-of-0000n.safetensors` shards
/// (tensors in input order, as huggingface_hub splits: a new shard when the next tensor would overflow; a tensor larger than
/// the limit gets its own shard) plus `model.safetensors.index.json` with
/// {"metadata": {"total_size": <bytes>}, "weight_map": {...}}. Creates `folder` if needed; each
/// file is written atomically. Stale model*.safetensors files of an earlier layout are not removed.
void writeShardedSafetensors(const std::string& folder, const NamedTensors& tensors,
                             int64_t maxShardBytes = 5'000'000'000,
                             const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

/// The header bytes (JSON + space padding, without the 8-byte length) that writeSafetensors would
/// produce for `tensors`; exposed for tests and for callers that stream data themselves.
std::string buildSafetensorsHeader(const NamedTensors& tensors,
                                   const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

}  // namespace capsule::io
