#pragma once
// UTF-8 helpers and the Unicode character classes the tokenizer components use, with the exact
// definitions of the Rust functions Hugging Face `tokenizers` calls (char::is_whitespace,
// char::is_numeric, regex `\w`, ...), backed by ICU's property tables.
// All functions are pure and thread-safe.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace capsule::tokenizer::unicode {

/// Byte length of the UTF-8 sequence that starts with `leadByte` (1 for stray continuation bytes,
/// so that loops over text that was validated always advance).
inline size_t sequenceLength(unsigned char leadByte) {
    if (leadByte < 0x80) return 1;
    if (leadByte >= 0xF0) return 4;
    if (leadByte >= 0xE0) return 3;
    if (leadByte >= 0xC0) return 2;
    return 1;
}

/// Decodes the code point starting at `text[offset]` of valid UTF-8; `length` receives its size.
char32_t decodeAt(std::string_view text, size_t offset, size_t& length);

/// Appends `codePoint` as UTF-8.
void appendUtf8(std::string& out, char32_t codePoint);

/// Offset of the first byte that makes `bytes` invalid UTF-8 (Rust's str::from_utf8 rules:
/// no overlong forms, no surrogates, nothing past U+10FFFF), or nullopt when it is valid.
std::optional<size_t> findInvalidUtf8(std::string_view bytes);

/// Replaces ill-formed sequences by U+FFFD the way Rust's String::from_utf8_lossy does
/// (one replacement per maximal invalid subpart).
std::string decodeLossy(std::string_view bytes);

bool isAscii(std::string_view text);

// Character classes (exact Rust / Rust-regex definitions).
bool isWhitespace(char32_t c);          // char::is_whitespace: White_Space property
bool isNumeric(char32_t c);             // char::is_numeric: Nd | Nl | No
bool isPunctuation(char32_t c);         // ASCII punctuation or categories Pc Pd Pe Pf Pi Po Ps
bool isCombiningMark(char32_t c);       // Mn | Mc | Me
bool isNonSpacingMark(char32_t c);      // Mn
bool isWordCharacter(char32_t c);       // Rust regex \w: Alphabetic | M | Nd | Pc | Join_Control
bool isOtherCategory(char32_t c);       // Cc | Cf | Cn | Co (BertNormalizer's "control")
bool isChineseCharacter(char32_t c);    // the CJK blocks BertNormalizer pads with spaces

/// Full lowercase mapping of one code point, without context (Rust char::to_lowercase).
void appendLowercase(std::string& out, char32_t c);

}  // namespace capsule::tokenizer::unicode
