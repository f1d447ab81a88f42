#pragma once
// Byte-level helpers for building safetensors files by hand in the tests, straight from the
// format description (8-byte little-endian N, N bytes of JSON, data), independent of the writer.
#include <cstdint>
#include <cstring>
#include <string>

namespace capsule::test {

inline std::string littleEndianBytes(uint64_t value, int byteCount) {
    std::string bytes;
    for (int i = 0; i < byteCount; ++i) bytes += static_cast<char>((value >> (8 * i)) & 0xFF);
    return bytes;
}

inline std::string float32Bytes(float value) {
    uint32_t bits = 0;
    std::memcpy(&bits, &value, 4);
    return littleEndianBytes(bits, 4);
}

inline std::string float64Bytes(double value) {
    uint64_t bits = 0;
    std::memcpy(&bits, &value, 8);
    return littleEndianBytes(bits, 8);
}

/// A whole file: N (= header.size()) + header + data.
inline std::string safetensorsBytes(const std::string& header, const std::string& data) {
    return littleEndianBytes(header.size(), 8) + header + data;
}

/// Same, but with an explicit N (for lying headers).
inline std::string safetensorsBytesWithLength(uint64_t declaredLength, const std::string& header,
                                              const std::string& data) {
    return littleEndianBytes(declaredLength, 8) + header + data;
}

}  // namespace capsule::test
