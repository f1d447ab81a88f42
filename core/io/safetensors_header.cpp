#include "io/safetensors_header.h"

#include "io/json_reader.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <unordered_set>

namespace capsule::io {
namespace {

using Json = nlohmann::json;

constexpr uint64_t kLengthPrefixBytes = 8;
constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // the reference reader's MAX_HEADER_SIZE

struct DtypeFact {
    const char* name;
    int bits;
};

// Every dtype the reference format defines, in its enum (= increasing alignment) order.
constexpr DtypeFact kDtypes[] = {
    {"BOOL", 8},     {"F4", 4},           {"F6_E2M3", 6},      {"F6_E3M2", 6}, {"U8", 8},
    {"I8", 8},       {"F8_E5M2", 8},      {"F8_E4M3", 8},      {"F8_E8M0", 8}, {"F8_E4M3FNUZ", 8},
    {"F8_E5M2FNUZ", 8}, {"I16", 16},      {"U16", 16},         {"F16", 16},    {"BF16", 16},
    {"I32", 32},     {"U32", 32},         {"F32", 32},         {"C64", 64},    {"F64", 64},
    {"I64", 64},     {"U64", 64},
};

[[noreturn]] void fail(const std::string& fileLabel, const std::string& problem) {
    throw std::runtime_error(fileLabel + ": " + problem);
}

std::string inQuotes(const std::string& name) {
    return "'" + name + "'";
}

// Little-endian uint64 from possibly unaligned bytes.
uint64_t readLittleEndian64(const unsigned char* bytes) {
    uint64_t value = 0;
    for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
    return value;
}

bool checkedMultiply(uint64_t a, uint64_t b, uint64_t& result) {
    return !__builtin_mul_overflow(a, b, &result);
}

const char* jsonTypeName(const Json& value) {
    return value.type_name();  // "object", "array", "string", "number", "boolean", "null"
}

// Parses one non-negative integer the way serde_json does for usize: digits only, at most
// 2^64-1; no fraction or exponent, no sign. nlohmann reports every number written with a '-' as
// signed (even "-0", which serde_json also rejects as a float), and every plain one as unsigned.
bool readUnsigned(const Json& value, uint64_t& out) {
    if (!value.is_number_unsigned()) return false;
    out = value.get<uint64_t>();
    return true;
}

TensorInfo parseEntry(const std::string& fileLabel, const std::string& name, const Json& entry) {
    const std::string where = "tensor " + inQuotes(name);
    if (!entry.is_object()) {
        fail(fileLabel, where + ": entry must be an object with dtype, shape and data_offsets, got " +
                            std::string(jsonTypeName(entry)));
    }
    TensorInfo info;
    info.name = name;

    const auto dtype = entry.find("dtype");
    if (dtype == entry.end()) fail(fileLabel, where + ": missing \"dtype\"");
    if (!dtype->is_string()) {
        fail(fileLabel, where + ": \"dtype\" must be a string, got " + jsonTypeName(*dtype));
    }
    info.dtype = dtype->get<std::string>();
    if (safetensorsDtypeBits(info.dtype) == 0) {
        fail(fileLabel, where + ": unknown dtype \"" + info.dtype + "\"");
    }

    const auto shape = entry.find("shape");
    if (shape == entry.end()) fail(fileLabel, where + ": missing \"shape\"");
    if (!shape->is_array()) {
        fail(fileLabel, where + ": \"shape\" must be an array of non-negative integers, got " +
                            jsonTypeName(*shape));
    }
    std::vector<uint64_t> dimensions;
    for (const Json& dimension : *shape) {
        uint64_t size = 0;
        if (!readUnsigned(dimension, size)) {
            fail(fileLabel, where + ": \"shape\" must hold non-negative integers, got " +
                                dimension.dump());
        }
        dimensions.push_back(size);
    }

    const auto offsets = entry.find("data_offsets");
    if (offsets == entry.end()) fail(fileLabel, where + ": missing \"data_offsets\"");
    if (!offsets->is_array() || offsets->size() != 2 || !readUnsigned((*offsets)[0], info.beginOffsetBytes) ||
        !readUnsigned((*offsets)[1], info.endOffsetBytes)) {
        fail(fileLabel, where + ": \"data_offsets\" must be [BEGIN, END] with non-negative integers, got " +
                            offsets->dump());
    }

    // Element count exactly as the reference folds it (left to right, failing on the first
    // overflow even if a later dimension is 0).
    uint64_t elements = 1;
    for (uint64_t size : dimensions) {
        if (!checkedMultiply(elements, size, elements)) {
            fail(fileLabel, where + ": shape " + shape->dump() + " overflows the element count");
        }
    }
    for (uint64_t size : dimensions) {
        // LibTorch sizes are int64: larger dimensions can only occur next to a 0 dimension.
        if (size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            fail(fileLabel, where + ": shape " + shape->dump() + " has a dimension larger than 2^63-1");
        }
        info.shape.push_back(static_cast<int64_t>(size));
    }
    if (elements > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        fail(fileLabel, where + ": shape " + shape->dump() + " overflows the element count");
    }
    info.elementCount = static_cast<int64_t>(elements);
    return info;
}

void validateOffsets(const std::string& fileLabel, std::vector<TensorInfo>& tensors) {
    // Key order in JSON is arbitrary: the reference sorts by (BEGIN, END) and walks the buffer.
    std::stable_sort(tensors.begin(), tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
        if (a.beginOffsetBytes != b.beginOffsetBytes) return a.beginOffsetBytes < b.beginOffsetBytes;
        return a.endOffsetBytes < b.endOffsetBytes;
    });
    uint64_t expectedBegin = 0;
    std::string previous;
    for (const TensorInfo& info : tensors) {
        const std::string offsets = "data_offsets [" + std::to_string(info.beginOffsetBytes) + ", " +
                                    std::to_string(info.endOffsetBytes) + "]";
        const std::string where = "tensor " + inQuotes(info.name) + ": " + offsets;
        if (info.endOffsetBytes < info.beginOffsetBytes) {
            fail(fileLabel, where + " end before they begin");
        }
        if (info.beginOffsetBytes > expectedBegin) {
            fail(fileLabel, where + " leave a hole: they should start at byte " +
                                std::to_string(expectedBegin) +
                                (previous.empty() ? std::string(" (start of the buffer)")
                                                  : " (end of tensor " + inQuotes(previous) + ")"));
        }
        if (info.beginOffsetBytes < expectedBegin) {
            fail(fileLabel, where + " overlap the previous tensor " + inQuotes(previous) +
                                ", which ends at byte " + std::to_string(expectedBegin));
        }
        expectedBegin = info.endOffsetBytes;
        previous = info.name;

        const int bits = safetensorsDtypeBits(info.dtype);
        uint64_t totalBits = 0;
        if (!checkedMultiply(static_cast<uint64_t>(info.elementCount), static_cast<uint64_t>(bits),
                             totalBits)) {
            fail(fileLabel, "tensor " + inQuotes(info.name) + ": byte size overflows");
        }
        if (totalBits % 8 != 0) {
            fail(fileLabel, "tensor " + inQuotes(info.name) + ": " + std::to_string(info.elementCount) +
                                " elements of " + info.dtype + " do not fill whole bytes");
        }
        const uint64_t expectedBytes = totalBits / 8;
        if (info.sizeBytes() != expectedBytes) {
            fail(fileLabel, where + " hold " + std::to_string(info.sizeBytes()) +
                                " bytes, but dtype " + info.dtype + " and the shape need " +
                                std::to_string(expectedBytes));
        }
    }
}

}  // namespace

int safetensorsDtypeBits(const std::string& dtype) {
    for (const DtypeFact& fact : kDtypes) {
        if (dtype == fact.name) return fact.bits;
    }
    return 0;
}

bool isSupportedSafetensorsDtype(const std::string& dtype) {
    static const std::unordered_set<std::string> supported = {
        "F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "C64"};
    return supported.count(dtype) > 0;
}

SafetensorsHeader parseSafetensorsHeader(const std::string& fileLabel, const unsigned char* fileBytes,
                                         uint64_t availableBytes, uint64_t fileSizeBytes) {
    if (fileSizeBytes < kLengthPrefixBytes || availableBytes < kLengthPrefixBytes) {
        fail(fileLabel, "header too small: the file has " + std::to_string(fileSizeBytes) +
                            " bytes, fewer than the 8-byte header length");
    }
    const uint64_t headerBytes = readLittleEndian64(fileBytes);
    if (headerBytes > kMaxHeaderBytes) {
        fail(fileLabel, "header too large: " + std::to_string(headerBytes) +
                            " bytes declared, the limit is 100000000");
    }
    const uint64_t dataStart = kLengthPrefixBytes + headerBytes;  // cannot overflow: N <= 1e8
    if (dataStart > fileSizeBytes) {
        fail(fileLabel, "invalid header length: " + std::to_string(headerBytes) +
                            " bytes declared, but the file has only " + std::to_string(fileSizeBytes) +
                            " bytes (truncated file?)");
    }
    if (availableBytes < dataStart) {
        fail(fileLabel, "internal error: header bytes not available");
    }

    const std::string_view text(reinterpret_cast<const char*>(fileBytes + kLengthPrefixBytes),
                                static_cast<std::size_t>(headerBytes));
    std::size_t badByte = 0;
    if (!isValidUtf8(text, &badByte)) {
        fail(fileLabel, "header is not valid UTF-8 (byte " + std::to_string(kLengthPrefixBytes + badByte) +
                            " of the file)");
    }
    const Json root = parseJsonStrict(fileLabel + ": header", text);
    if (!root.is_object()) {
        fail(fileLabel, std::string("header must be a JSON object, got ") + jsonTypeName(root));
    }

    SafetensorsHeader header;
    header.headerSizeBytes = headerBytes;
    header.dataStartBytes = dataStart;
    header.fileSizeBytes = fileSizeBytes;
    for (const auto& [key, value] : root.items()) {
        if (key == "__metadata__") {
            if (value.is_null()) continue;  // serde reads null as "no metadata"
            if (!value.is_object()) {
                fail(fileLabel, std::string("\"__metadata__\" must be an object of strings, got ") +
                                    jsonTypeName(value));
            }
            for (const auto& [metadataKey, metadataValue] : value.items()) {
                if (!metadataValue.is_string()) {
                    fail(fileLabel, "\"__metadata__\" must map strings to strings, but " +
                                        inQuotes(metadataKey) + " holds " + jsonTypeName(metadataValue));
                }
                header.metadata[metadataKey] = metadataValue.get<std::string>();
            }
            continue;
        }
        header.tensors.push_back(parseEntry(fileLabel, key, value));
    }

    validateOffsets(fileLabel, header.tensors);
    const uint64_t dataBytes = header.tensors.empty() ? 0 : header.tensors.back().endOffsetBytes;
    uint64_t expectedFileSize = 0;
    if (__builtin_add_overflow(dataBytes, dataStart, &expectedFileSize) || expectedFileSize > fileSizeBytes) {
        fail(fileLabel, "tensor data ends at byte " + std::to_string(dataBytes) +
                            " of the buffer, past the end of the file (" + std::to_string(fileSizeBytes) +
                            " bytes; truncated file?)");
    }
    if (expectedFileSize < fileSizeBytes) {
        fail(fileLabel, "incomplete metadata: " + std::to_string(fileSizeBytes - expectedFileSize) +
                            " trailing bytes after the last tensor (the data must end at the end of "
                            "the file)");
    }
    for (TensorInfo& info : header.tensors) info.fileOffsetBytes = dataStart + info.beginOffsetBytes;
    return header;
}

SafetensorsHeader readSafetensorsHeader(const std::string& path) {
    const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
    struct Closer {
        int descriptor;
        ~Closer() { ::close(descriptor); }
    } closer{descriptor};

    struct stat status {};
    if (::fstat(descriptor, &status) != 0) fail(path, std::string("cannot stat: ") + std::strerror(errno));
    if (!S_ISREG(status.st_mode)) fail(path, "not a regular file");
    const uint64_t fileSize = static_cast<uint64_t>(status.st_size);

    auto readAt = [&](unsigned char* into, uint64_t count, uint64_t offset) {
        uint64_t done = 0;
        while (done < count) {
            const ssize_t got = ::pread(descriptor, into + done, count - done, static_cast<off_t>(offset + done));
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) fail(path, std::string("read failed: ") + std::strerror(errno));
            if (got == 0) fail(path, "file shrank while reading the header");
            done += static_cast<uint64_t>(got);
        }
    };

    unsigned char prefix[8] = {};
    const uint64_t prefixBytes = std::min<uint64_t>(fileSize, 8);
    readAt(prefix, prefixBytes, 0);
    if (fileSize < 8) return parseSafetensorsHeader(path, prefix, prefixBytes, fileSize);
    const uint64_t headerBytes = readLittleEndian64(prefix);
    if (headerBytes > kMaxHeaderBytes || 8 + headerBytes > fileSize) {
        return parseSafetensorsHeader(path, prefix, 8, fileSize);  // throws the matching error
    }
    std::vector<unsigned char> bytes(static_cast<std::size_t>(8 + headerBytes));
    std::memcpy(bytes.data(), prefix, 8);
    readAt(bytes.data() + 8, headerBytes, 8);
    return parseSafetensorsHeader(path, bytes.data(), bytes.size(), fileSize);
}

}  // namespace capsule::io
