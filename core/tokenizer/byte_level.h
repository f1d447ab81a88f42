#pragma once
// The GPT-2 byte-to-unicode table used by byte-level BPE (GPT-2, Llama-3, Qwen2/3, SmolLM):
// printable bytes 0x21-0x7E, 0xA1-0xAC, 0xAE-0xFF map to the same code point, the other 68 bytes
// map to U+0100.. in increasing byte order (space -> U+0120 'Ġ', '\n' -> U+010A 'Ċ').
// Tables are built once and immutable (thread-safe).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace capsule::tokenizer::byte_level {

/// UTF-8 of the character standing for `byte` (1 or 2 bytes long).
const std::string& characterForByte(uint8_t byte);

/// Appends the byte-level characters of every byte of `bytes`.
void appendEncoded(std::string& out, std::string_view bytes);

/// The byte a byte-level code point stands for, or -1 when the code point is not in the table.
int byteForCharacter(char32_t codePoint);

/// Decodes one token: each character back to its byte; if any character is outside the table
/// the token's own UTF-8 bytes are used instead (that is how added tokens survive).
void appendDecodedToken(std::string& outBytes, std::string_view token);

}  // namespace capsule::tokenizer::byte_level
