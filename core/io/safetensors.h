#pragma once
// safetensors: reading one file through a read-only memory mapping.
//
// File format (huggingface/safetensors; all integers little-endian):
//
//   [0, 8)          N: uint64, byte length of the JSON header
//   [8, 8+N)        header: UTF-8 JSON object, possibly padded with trailing spaces (0x20) so that
//                   8+N is a multiple of 8; readers tolerate leading/trailing JSON whitespace
//   [8+N, EOF)      byte buffer: every tensor's data, back to back, no gaps
//
// Header object:
//   { "__metadata__": { "format": "pt", ... },            optional, string -> string only
//     "<tensor name>": { "dtype": "F32",                   see the table below
//                        "shape": [2, 3],                  non-negative ints; [] = scalar (1 element)
//                        "data_offsets": [BEGIN, END] },   relative to the byte buffer, END exclusive
//     ... }
//
// Rules (the reference reader's, replicated here exactly): file >= 8 bytes; N <= 100,000,000;
// 8+N <= file size; header valid UTF-8 and a JSON object; no duplicate keys; known dtype; sorted by
// BEGIN, the tensors tile the buffer from 0 with no holes or overlaps; END-BEGIN == element count x
// dtype bits / 8 (checked arithmetic); last END + 8 + N == file size (no trailing bytes).
// Tensor data is dense, row-major, little-endian. Zero-size tensors occupy 0 bytes (BEGIN == END).
//
// dtypes (bits): BOOL 8, U8 8, I8 8, I16 16, U16 16, F16 16, BF16 16, I32 32, U32 32, F32 32,
// C64 64, F64 64, I64 64, U64 64, F8_E5M2 / F8_E4M3 / F8_E8M0 / F8_E4M3FNUZ / F8_E5M2FNUZ 8,
// F6_E2M3 / F6_E3M2 6, F4 4. Files with any of these parse; tensor() supports F64 F32 F16 BF16
// I64 I32 I16 I8 U8 BOOL and C64, and names the dtype, tensor and file for the others.
//
// Alignment: writers since safetensors 0.3.1 pad the header to 8 bytes and store tensors by
// descending dtype alignment, so each tensor starts on a multiple of its element size. Older
// files may not: tensor() aliases the mapping when the start is aligned and copies otherwise.
#include "io/safetensors_header.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace capsule::io {

/// One safetensors file, memory-mapped read-only for the lifetime of the object and of every
/// tensor view handed out (each view's deleter holds a shared_ptr to this object).
/// Immutable after open(): all methods are safe to call from several threads at once.
class SafetensorsFile : public std::enable_shared_from_this<SafetensorsFile> {
public:
    /// Maps and validates `path` (see the rules above). Throws std::runtime_error
    /// "<path>: <problem>" for I/O errors and malformed files; never reads out of bounds.
    static std::shared_ptr<SafetensorsFile> open(const std::string& path);

    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const { return path_; }
    /// Tensor names in storage (data offset) order.
    std::vector<std::string> names() const;
    bool has(const std::string& name) const;
    /// Throws std::runtime_error naming the file when `name` is absent.
    const TensorInfo& info(const std::string& name) const;
    /// All entries in storage order.
    const std::vector<TensorInfo>& tensors() const { return header_.tensors; }
    /// The "__metadata__" map (empty when the file has none).
    const std::map<std::string, std::string>& metadata() const { return header_.metadata; }
    uint64_t fileSizeBytes() const { return header_.fileSizeBytes; }

    /// The tensor as a CPU LibTorch tensor of the stored dtype and shape. Zero-copy: aliases the
    /// read-only mapping when its start is aligned to the element size (do not write into it:
    /// writing faults; call .clone() for a private copy); otherwise an aligned copy. Throws for an
    /// unknown name or an unsupported dtype ("unsupported dtype F8_E4M3 for tensor 'x' in FILE").
    at::Tensor tensor(const std::string& name) const;
    /// Drops the mapped pages that hold only `name`'s data from this process's resident set
    /// (madvise MADV_DONTNEED), for a loader that has copied the tensor elsewhere: converting a
    /// checkpoint then never holds the whole file and the whole model at once. Reading the tensor
    /// again, through a new or an older view, re-reads the file. Throws for an unknown name.
    void releasePages(const std::string& name) const;

    /// Start of the mapped file (for tests and benchmarks); valid while this object lives.
    const unsigned char* mappedBytes() const { return mapping_; }

private:
    SafetensorsFile() = default;

    std::string path_;
    const unsigned char* mapping_ = nullptr;  // owned: munmap in the destructor
    uint64_t mappingSizeBytes_ = 0;
    SafetensorsHeader header_;
    std::unordered_map<std::string, size_t> indexByName_;  // into header_.tensors
};

}  // namespace capsule::io
