#include "data/text_encoding.h"

#include "tokenizer/unicode_text.h"

#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace capsule::data {

std::string textEncodingName(TextEncoding encoding) {
    switch (encoding) {
    case TextEncoding::Utf8: return "UTF-8";
    case TextEncoding::Utf16LE: return "UTF-16 LE";
    case TextEncoding::Utf16BE: return "UTF-16 BE";
    }
    return "UTF-8";
}

TextEncoding detectTextEncoding(std::string_view bytes) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
    if (bytes.size() >= 2 && byte(0) == 0xFF && byte(1) == 0xFE) return TextEncoding::Utf16LE;
    if (bytes.size() >= 2 && byte(0) == 0xFE && byte(1) == 0xFF) return TextEncoding::Utf16BE;
    if (bytes.size() >= 4) {
        // Two ASCII characters: "x\0y\0" in little endian, "\0x\0y" in big endian. (UTF-32 would
        // have three NULs in four bytes; it is left to fail as invalid text.)
        if (byte(0) != 0 && byte(1) == 0 && byte(2) != 0 && byte(3) == 0) return TextEncoding::Utf16LE;
        if (byte(0) == 0 && byte(1) != 0 && byte(2) == 0 && byte(3) != 0) return TextEncoding::Utf16BE;
    }
    return TextEncoding::Utf8;
}

std::string utf16ToUtf8(std::string_view bytes, TextEncoding encoding, const std::string& path) {
    const bool bigEndian = encoding == TextEncoding::Utf16BE;
    const auto unitAt = [&](size_t offset) {
        const auto first = static_cast<unsigned char>(bytes[offset]);
        const auto second = static_cast<unsigned char>(bytes[offset + 1]);
        return static_cast<uint16_t>(bigEndian ? (first << 8) | second : (second << 8) | first);
    };
    std::string out;
    out.reserve(bytes.size() / 2 + bytes.size() / 8);
    int64_t line = 1;
    const auto fail = [&](const std::string& what) {
        throw std::runtime_error(path + ":" + std::to_string(line) + ": not valid " + textEncodingName(encoding) +
                                 ": " + what);
    };
    size_t offset = bytes.size() >= 2 && unitAt(0) == 0xFEFF ? 2 : 0;
    while (offset + 1 < bytes.size()) {
        const uint16_t unit = unitAt(offset);
        uint32_t codePoint = unit;
        size_t width = 2;
        if (unit >= 0xD800 && unit <= 0xDFFF) {
            const bool paired = unit <= 0xDBFF && offset + 3 < bytes.size() && unitAt(offset + 2) >= 0xDC00 &&
                                unitAt(offset + 2) <= 0xDFFF;
            if (!paired) {
                char hex[8];
                std::snprintf(hex, sizeof hex, "%04X", unit);
                fail("unpaired surrogate 0x" + std::string(hex) + " at byte " + std::to_string(offset));
            }
            codePoint = 0x10000 + ((uint32_t(unit) - 0xD800) << 10) + (uint32_t(unitAt(offset + 2)) - 0xDC00);
            width = 4;
        }
        if (codePoint == '\n') ++line;
        tokenizer::unicode::appendUtf8(out, static_cast<char32_t>(codePoint));
        offset += width;
    }
    if (offset < bytes.size())
        fail("the file ends in the middle of a character (" + std::to_string(bytes.size()) + " bytes)");
    return out;
}

}  // namespace capsule::data
