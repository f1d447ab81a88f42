// CRC-32 as zlib, zip and Python's zlib.crc32 compute it: the standard check values, any split of
// the input, and the slicing-by-8 loop against the bit-at-a-time definition on every length and
// alignment up to 64 bytes and on a large buffer.
#include "capsule_test.h"

#include "io/crc32.h"

#include <random>
#include <string>
#include <vector>

using capsule::io::crc32;
using capsule::io::crc32Hex;

namespace {

// The definition: one bit at a time, reflected polynomial 0xEDB88320.
uint32_t bitwiseCrc32(const unsigned char* data, size_t size) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < size; ++i) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; ++bit) crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

}  // namespace

CAPSULE_TEST(standardCheckValues) {
    COMPARE(crc32(std::string_view("123456789")), uint32_t{0xCBF43926});
    COMPARE(crc32(std::string_view("")), uint32_t{0});
    // zlib.crc32(b"The quick brown fox jumps over the lazy dog")
    COMPARE(crc32(std::string_view("The quick brown fox jumps over the lazy dog")), uint32_t{0x414FA339});
    COMPARE(crc32Hex(0xCBF43926), std::string("cbf43926"));
    COMPARE(crc32Hex(0x0000ABCD), std::string("0000abcd"));
}

CAPSULE_TEST(slicedLoopEqualsTheDefinitionAndSplitsCompose) {
    std::mt19937 random(7);
    std::vector<unsigned char> bytes(1 << 20);
    for (unsigned char& byte : bytes) byte = static_cast<unsigned char>(random());
    for (size_t offset = 0; offset < 8; ++offset)
        for (size_t size = 0; size <= 64; ++size)
            COMPARE(crc32(bytes.data() + offset, size), bitwiseCrc32(bytes.data() + offset, size));
    const uint32_t whole = crc32(bytes.data(), bytes.size());
    COMPARE(whole, bitwiseCrc32(bytes.data(), bytes.size()));
    for (size_t split : {size_t{1}, size_t{7}, size_t{4096}, bytes.size() - 3})
        COMPARE(crc32(bytes.data() + split, bytes.size() - split, crc32(bytes.data(), split)), whole);
}
