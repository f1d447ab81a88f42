#pragma once
// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): the checksum of zip, gzip and PNG, equal
// to zlib's crc32() and Python's zlib.crc32(), so a file's recorded value can be checked anywhere.
// Checkpoints record one per file: LibTorch's archive reader does not verify the zip CRCs, so a
// damaged checkpoint would otherwise resume with silently wrong weights.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace capsule::io {

/// The CRC-32 of `size` bytes at `data`, continuing from `crc` (0 to start; pass the previous
/// result to checksum a file in pieces). Slicing-by-8: several GB/s, no dependency.
uint32_t crc32(const void* data, std::size_t size, uint32_t crc = 0);

inline uint32_t crc32(std::string_view bytes, uint32_t crc = 0) { return crc32(bytes.data(), bytes.size(), crc); }

/// "cbf43926": eight lowercase hex digits, as checkpoints store it.
std::string crc32Hex(uint32_t crc);

}  // namespace capsule::io
