#pragma once
// Parsing and validation of a safetensors header (the file format is described in safetensors.h).
// Torch-free on purpose: model discovery reads headers only, without LibTorch or tensor data.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace capsule::io {

/// One tensor entry of a safetensors header, validated.
struct TensorInfo {
    std::string name;
    std::string dtype;                // safetensors dtype string as stored: "F32", "BF16", "F8_E4M3", ...
    std::vector<int64_t> shape;       // empty for a rank-0 (scalar) tensor
    uint64_t beginOffsetBytes = 0;    // data_offsets[0], relative to the start of the byte buffer
    uint64_t endOffsetBytes = 0;      // data_offsets[1], one past the last byte
    uint64_t fileOffsetBytes = 0;     // absolute position in the file: 8 + N + beginOffsetBytes
    int64_t elementCount = 0;         // product of shape (1 for rank 0, 0 when a dimension is 0)

    uint64_t sizeBytes() const { return endOffsetBytes - beginOffsetBytes; }
};

/// A validated safetensors header.
struct SafetensorsHeader {
    std::vector<TensorInfo> tensors;               // sorted by data offset (= storage order)
    std::map<std::string, std::string> metadata;   // "__metadata__" (empty when absent)
    uint64_t headerSizeBytes = 0;                  // N, the JSON length (padding included)
    uint64_t dataStartBytes = 0;                   // 8 + N
    uint64_t fileSizeBytes = 0;
};

/// Validates a header exactly like the reference reader (safetensors' tensor.rs): header length,
/// UTF-8, JSON object (surrounding whitespace tolerated), `__metadata__` string->string, per-entry
/// field types, known dtype, checked element counts, offsets contiguous from 0 without holes or
/// overlaps, and data end == file size. `fileBytes` holds at least the first min(fileSizeBytes,
/// 8 + N) bytes of the file; only those are read. `fileLabel` names the file in error messages.
/// Throws std::runtime_error("<fileLabel>: <problem>").
SafetensorsHeader parseSafetensorsHeader(const std::string& fileLabel, const unsigned char* fileBytes,
                                         uint64_t availableBytes, uint64_t fileSizeBytes);

/// Reads and validates only the header of the file at `path` (8 + N bytes; tensor data untouched).
/// Used by model discovery. Throws std::runtime_error naming `path`.
SafetensorsHeader readSafetensorsHeader(const std::string& path);

/// Size in bits of one element of a safetensors dtype ("F32" -> 32, "F4" -> 4); 0 when unknown.
int safetensorsDtypeBits(const std::string& dtype);

/// True when this build can turn tensors of `dtype` into LibTorch tensors
/// (F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL, plus C64).
bool isSupportedSafetensorsDtype(const std::string& dtype);

}  // namespace capsule::io
