#pragma once
// The text encodings a dataset file arrives in. Capsule works in UTF-8; UTF-16 files — what
// Windows tools write: PowerShell 5's `>` and Out-File, Notepad's "Unicode" and "UTF-16 BE",
// Excel's "Unicode Text" — are converted to UTF-8 when read, so they train like any other file.
// The conversion keeps every newline, so line numbers in reports are those of the file.
#include <string>
#include <string_view>

namespace capsule::data {

enum class TextEncoding { Utf8, Utf16LE, Utf16BE };

/// "UTF-8", "UTF-16 LE", "UTF-16 BE".
std::string textEncodingName(TextEncoding encoding);

/// The encoding of `bytes`, the start of a file: UTF-16 from its byte order mark (FF FE, FE FF),
/// or without one from the NUL bytes of two leading ASCII characters ("{\0\"\0" is UTF-16 LE),
/// as RFC 4627 §3 detects JSON's encoding. Anything else is UTF-8 (validated later, per record).
TextEncoding detectTextEncoding(std::string_view bytes);

/// `bytes` (UTF-16 in `encoding`, byte order mark optional and dropped) as UTF-8. Throws
/// std::runtime_error "<path>:<line>: not valid UTF-16 LE: ..." on an unpaired surrogate or an odd
/// byte count, with the line where it happens.
std::string utf16ToUtf8(std::string_view bytes, TextEncoding encoding, const std::string& path);

}  // namespace capsule::data
