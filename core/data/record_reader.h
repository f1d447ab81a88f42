#pragma once
// Reads a dataset file into raw records, each tagged with the line it starts on:
//   .jsonl / .ndjson    one JSON object per line (blank lines skipped)
//   .json               a JSON array of objects (each element keeps its own line); a .json file
//                       whose first character is '{' is read as JSON Lines
//   .csv / .tsv         RFC 4180 with a header row; each row becomes an object of strings
//   .txt / .md / .text  documents separated by blank lines, each {"text": document}
// Other extensions are sniffed: '[' -> JSON array, '{' -> JSON Lines.
// JSON records are kept as text and parsed by parseRecord() (the loader does that on many threads).
// A UTF-8 byte order mark at the start of any file is skipped; UTF-16 files are converted to UTF-8
// first (data/text_encoding.h).
#include "data/row_issue.h"
#include "data/text_encoding.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace capsule::data {

enum class FileKind { JsonLines, JsonArray, Csv, Tsv, PlainText };

/// "JSON Lines", "JSON array", "CSV", "TSV", "plain text".
std::string fileKindName(FileKind kind);

struct RawRecord {
    int64_t line = 0;              // 1-based line where the record starts
    std::string_view jsonText;     // JSON files: the record's text (points into RecordFile::content)
    nlohmann::json fields;         // an object once parsed (CSV/TSV/TXT: filled by the reader)
    std::optional<RowIssue> issue; // set when the record cannot be read
};

struct RecordFile {
    std::string path;
    FileKind kind = FileKind::JsonLines;
    TextEncoding encoding = TextEncoding::Utf8;  // of the file; `content` is always UTF-8
    std::vector<std::string> columns;  // CSV/TSV header
    std::vector<RawRecord> records;
    std::shared_ptr<const std::string> content;  // keeps the jsonText views alive
};

/// Reads and splits `path` (at most `maxSizeBytes`). Throws std::runtime_error naming the file
/// (and line) when the file as a whole is unusable: unreadable, unknown type, a JSON array that is
/// not closed, a CSV without header. Row-level problems become RawRecord::issue instead.
RecordFile readRecordFile(const std::string& path, size_t maxSizeBytes = size_t(16) << 30);

/// Parses `record.jsonText` into `record.fields` (an object), or sets `record.issue` (invalid
/// UTF-8, invalid JSON with the parser's message, not an object). Safe to call concurrently on
/// different records.
void parseRecord(RawRecord& record, const std::string& path);

/// The 1-based line of byte `offset` in `text`, counting from `firstLine` at offset 0.
int64_t lineOfOffset(std::string_view text, size_t offset, int64_t firstLine = 1);

}  // namespace capsule::data
