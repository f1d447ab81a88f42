#include "tokenizer/byte_level.h"

#include "tokenizer/unicode_text.h"

namespace capsule::tokenizer::byte_level {

namespace {

struct Tables {
    std::array<std::string, 256> characters;
    std::array<int16_t, 0x144> byteOf{};  // code points U+0000..U+0143

    Tables() {
        byteOf.fill(-1);
        int next = 0;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            const char32_t codePoint = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(0x100 + next++);
            unicode::appendUtf8(characters[static_cast<size_t>(b)], codePoint);
            byteOf[codePoint] = static_cast<int16_t>(b);
        }
    }
};

const Tables& tables() {
    static const Tables instance;
    return instance;
}

}  // namespace

const std::string& characterForByte(uint8_t byte) { return tables().characters[byte]; }

void appendEncoded(std::string& out, std::string_view bytes) {
    const Tables& t = tables();
    for (const char c : bytes) out += t.characters[static_cast<uint8_t>(c)];
}

int byteForCharacter(char32_t codePoint) {
    if (codePoint >= 0x144) return -1;
    return tables().byteOf[codePoint];
}

void appendDecodedToken(std::string& outBytes, std::string_view token) {
    const size_t mark = outBytes.size();
    size_t i = 0;
    while (i < token.size()) {
        size_t length = 0;
        const char32_t c = unicode::decodeAt(token, i, length);
        const int b = byteForCharacter(c);
        if (b < 0) {
            outBytes.resize(mark);
            outBytes.append(token);
            return;
        }
        outBytes.push_back(static_cast<char>(b));
        i += length;
    }
}

}  // namespace capsule::tokenizer::byte_level
