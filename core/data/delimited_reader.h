#pragma once
// CSV / TSV per RFC 4180: fields separated by the delimiter, records by CRLF, LF or CR; a field
// that starts with '"' is quoted, may contain delimiters and line breaks, and writes '"' as '""'.
// Like Python's csv module (and unlike a strict reader) characters after a closing quote are kept,
// and a '"' inside an unquoted field is literal, so hand-made TSV files with quotes in the text
// still read. A UTF-8 byte order mark at the start is skipped. Lines that are entirely empty are
// skipped. Never reads past the input; every record knows the line it starts on.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace capsule::data {

struct DelimitedRecord {
    int64_t line = 0;                 // 1-based line of the record's first character
    std::vector<std::string> fields;  // unquoted values
    size_t beginOffset = 0;           // byte range of the raw record in the input (for UTF-8 checks)
    size_t endOffset = 0;
    std::string error;                // non-empty: the record is malformed (unterminated quote)
};

/// Splits `text` into records. A quote left open at the end of the input gives a last record whose
/// `error` names the line the quote opened on.
std::vector<DelimitedRecord> parseDelimited(std::string_view text, char delimiter);

/// Quotes a field for writing when it needs it (delimiter, quote, CR or LF inside).
std::string quoteDelimitedField(std::string_view field, char delimiter);

}  // namespace capsule::data
