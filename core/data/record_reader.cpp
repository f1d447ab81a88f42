#include "data/record_reader.h"

#include "data/delimited_reader.h"
#include "io/json_reader.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <stdexcept>

namespace capsule::data {

namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

bool isJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string lowerExtension(const std::string& path) {
    std::string extension = std::filesystem::path(path).extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension;
}

size_t skipSpace(std::string_view text, size_t position) {
    while (position < text.size() && isJsonSpace(text[position])) ++position;
    return position;
}

// Counts lines incrementally while a scanner moves forward through the text.
class LineCounter {
public:
    explicit LineCounter(std::string_view text) : text_(text) {}
    int64_t lineAt(size_t offset) {
        offset = std::min(offset, text_.size());
        if (offset < countedUpTo_) {  // never happens in forward scans; stay correct anyway
            countedUpTo_ = 0;
            line_ = 1;
        }
        line_ += std::count(text_.begin() + static_cast<std::ptrdiff_t>(countedUpTo_),
                            text_.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
        countedUpTo_ = offset;
        return line_;
    }

private:
    std::string_view text_;
    size_t countedUpTo_ = 0;
    int64_t line_ = 1;
};

void splitJsonLines(RecordFile& file, std::string_view text, size_t start) {
    int64_t line = lineOfOffset(text, start);
    size_t position = start;
    while (position < text.size()) {
        size_t end = text.find('\n', position);
        if (end == std::string_view::npos) end = text.size();
        std::string_view row = text.substr(position, end - position);
        if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
        if (std::any_of(row.begin(), row.end(), [](char c) { return !isJsonSpace(c); })) {
            RawRecord record;
            record.line = line;
            record.jsonText = row;
            file.records.push_back(std::move(record));
        }
        position = end + 1;
        ++line;
    }
}

// Finds the top-level elements of a JSON array by bracket and string scanning, so that each can be
// parsed (and reported) on its own with its own line number.
void splitJsonArray(RecordFile& file, std::string_view text, size_t start) {
    LineCounter lines(text);
    size_t position = skipSpace(text, start);
    const int64_t arrayLine = lines.lineAt(position);
    if (position >= text.size() || text[position] != '[')
        throw std::runtime_error(file.path + ":" + std::to_string(arrayLine) +
                                 ": invalid JSON: expected an array of records ('[')");
    ++position;
    const auto notClosed = [&]() {
        return std::runtime_error(file.path + ":" + std::to_string(arrayLine) +
                                  ": invalid JSON: the array that starts here is never closed (missing ']' or an "
                                  "unterminated string)");
    };
    while (true) {
        position = skipSpace(text, position);
        if (position >= text.size()) throw notClosed();
        if (text[position] == ']') break;
        const size_t begin = position;
        std::vector<char> open;
        bool inString = false;
        while (position < text.size()) {
            const char c = text[position];
            if (inString) {
                if (c == '\\') {
                    position += 2;
                    continue;
                }
                if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                open.push_back(c);
            } else if (c == '}' || c == ']') {
                if (open.empty() && c == ']') break;  // the array's own ']'
                if (!open.empty()) open.pop_back();   // a stray '}' stays in the element for its parser
            } else if (c == ',' && open.empty()) {
                break;
            }
            ++position;
        }
        if (position >= text.size()) throw notClosed();
        size_t end = position;
        while (end > begin && isJsonSpace(text[end - 1])) --end;
        RawRecord record;
        record.line = lines.lineAt(begin);
        record.jsonText = text.substr(begin, end - begin);
        file.records.push_back(std::move(record));
        if (text[position] == ',') {
            ++position;
            continue;
        }
        break;  // ']'
    }
    const size_t after = skipSpace(text, position + 1);
    if (after < text.size())
        throw std::runtime_error(file.path + ":" + std::to_string(lines.lineAt(after)) +
                                 ": invalid JSON: content after the end of the array");
}

void splitDelimited(RecordFile& file, std::string_view text, char delimiter) {
    std::vector<DelimitedRecord> rows = parseDelimited(text, delimiter);
    if (rows.empty()) throw std::runtime_error(file.path + ": empty file (a header row is needed)");
    const DelimitedRecord& header = rows.front();
    if (!header.error.empty()) throw std::runtime_error(file.path + ":" + std::to_string(header.line) + ": " + header.error);
    size_t badByte = 0;
    if (!io::isValidUtf8(text.substr(header.beginOffset, header.endOffset - header.beginOffset), &badByte))
        throw std::runtime_error(file.path + ":" + std::to_string(header.line) + ": header is not valid UTF-8");
    std::map<std::string, int> seen;
    for (std::string column : header.fields) {
        // Trim the header names: "text, label" is a common hand-written header.
        const size_t first = column.find_first_not_of(" \t");
        column = first == std::string::npos ? "" : column.substr(first, column.find_last_not_of(" \t") - first + 1);
        if (column.empty())
            throw std::runtime_error(file.path + ":" + std::to_string(header.line) + ": header has an empty column name");
        if (seen[column]++)
            throw std::runtime_error(file.path + ":" + std::to_string(header.line) + ": header names column '" + column +
                                     "' twice");
        file.columns.push_back(column);
    }
    for (size_t r = 1; r < rows.size(); ++r) {
        DelimitedRecord& row = rows[r];
        RawRecord record;
        record.line = row.line;
        const std::string_view raw = text.substr(row.beginOffset, row.endOffset - row.beginOffset);
        if (!io::isValidUtf8(raw, &badByte)) {
            record.issue = RowIssue{file.path, row.line, RowProblem::InvalidUtf8,
                                    "not valid UTF-8 (bad byte on line " +
                                        std::to_string(lineOfOffset(raw, badByte, row.line)) + ")"};
        } else if (!row.error.empty()) {
            record.issue = RowIssue{file.path, row.line, RowProblem::MalformedRow, row.error};
        } else if (row.fields.size() != file.columns.size()) {
            record.issue = RowIssue{file.path, row.line, RowProblem::MalformedRow,
                                    "has " + std::to_string(row.fields.size()) + " fields, the header has " +
                                        std::to_string(file.columns.size())};
        } else {
            record.fields = nlohmann::json::object();
            for (size_t c = 0; c < row.fields.size(); ++c) record.fields[file.columns[c]] = std::move(row.fields[c]);
        }
        file.records.push_back(std::move(record));
    }
}

bool isBlankLine(std::string_view line) {
    return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f'; });
}

void splitParagraphs(RecordFile& file, std::string_view text, size_t start) {
    int64_t line = 1;
    size_t position = start;
    size_t paragraphBegin = std::string_view::npos, paragraphEnd = 0;
    int64_t paragraphLine = 0;
    const auto flush = [&]() {
        if (paragraphBegin == std::string_view::npos) return;
        const std::string_view paragraph = text.substr(paragraphBegin, paragraphEnd - paragraphBegin);
        RawRecord record;
        record.line = paragraphLine;
        size_t badByte = 0;
        if (!io::isValidUtf8(paragraph, &badByte)) {
            const int64_t badLine = lineOfOffset(paragraph, badByte, paragraphLine);
            record.line = badLine;
            record.issue = RowIssue{file.path, badLine, RowProblem::InvalidUtf8,
                                    "not valid UTF-8 (byte " + std::to_string(paragraphBegin + badByte) + " of the file)"};
        } else {
            record.fields = nlohmann::json{{"text", std::string(paragraph)}};
        }
        file.records.push_back(std::move(record));
        paragraphBegin = std::string_view::npos;
    };
    while (position < text.size()) {
        size_t end = text.find('\n', position);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view row = text.substr(position, end - position);
        if (isBlankLine(row)) {
            flush();
        } else {
            if (paragraphBegin == std::string_view::npos) {
                paragraphBegin = position;
                paragraphLine = line;
            }
            paragraphEnd = row.empty() || row.back() != '\r' ? end : end - 1;
        }
        position = end + 1;
        ++line;
    }
    flush();
}

}  // namespace

std::string fileKindName(FileKind kind) {
    switch (kind) {
    case FileKind::JsonLines: return "JSON Lines";
    case FileKind::JsonArray: return "JSON array";
    case FileKind::Csv: return "CSV";
    case FileKind::Tsv: return "TSV";
    case FileKind::PlainText: return "plain text";
    }
    return "JSON Lines";
}

int64_t lineOfOffset(std::string_view text, size_t offset, int64_t firstLine) {
    offset = std::min(offset, text.size());
    return firstLine + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
}

RecordFile readRecordFile(const std::string& path, size_t maxSizeBytes) {
    RecordFile file;
    file.path = path;
    if (std::filesystem::is_directory(path))
        throw std::runtime_error(path + ": is a folder, not a dataset file (pick a .jsonl, .json, .csv, .tsv or .txt file)");
    if (!std::filesystem::is_regular_file(path)) throw std::runtime_error(path + ": no such file");
    std::string bytes = io::readTextFile(path, maxSizeBytes);
    file.encoding = detectTextEncoding(bytes);
    if (file.encoding != TextEncoding::Utf8) bytes = utf16ToUtf8(bytes, file.encoding, path);
    file.content = std::make_shared<const std::string>(std::move(bytes));
    const std::string_view text = *file.content;
    const size_t start = text.substr(0, 3) == kByteOrderMark ? 3 : 0;
    const size_t firstCharacter = skipSpace(text, start);
    const char first = firstCharacter < text.size() ? text[firstCharacter] : '\0';

    const std::string extension = lowerExtension(path);
    if (extension == ".jsonl" || extension == ".ndjson") {
        file.kind = FileKind::JsonLines;
    } else if (extension == ".json") {
        file.kind = first == '{' ? FileKind::JsonLines : FileKind::JsonArray;
    } else if (extension == ".csv") {
        file.kind = FileKind::Csv;
    } else if (extension == ".tsv" || extension == ".tab") {
        file.kind = FileKind::Tsv;
    } else if (extension == ".txt" || extension == ".text" || extension == ".md") {
        file.kind = FileKind::PlainText;
    } else if (first == '[') {
        file.kind = FileKind::JsonArray;
    } else if (first == '{') {
        file.kind = FileKind::JsonLines;
    } else {
        throw std::runtime_error(path + ": unknown dataset file type '" + extension +
                                 "' (expected .jsonl, .json, .csv, .tsv or .txt)");
    }

    switch (file.kind) {
    case FileKind::JsonLines: splitJsonLines(file, text, start); break;
    case FileKind::JsonArray: splitJsonArray(file, text, start); break;
    case FileKind::Csv: splitDelimited(file, text, ','); break;
    case FileKind::Tsv: splitDelimited(file, text, '\t'); break;
    case FileKind::PlainText: splitParagraphs(file, text, start); break;
    }
    return file;
}

void parseRecord(RawRecord& record, const std::string& path) {
    if (record.issue || !record.fields.is_null()) return;
    size_t badByte = 0;
    if (!io::isValidUtf8(record.jsonText, &badByte)) {
        record.issue = RowIssue{path, lineOfOffset(record.jsonText, badByte, record.line), RowProblem::InvalidUtf8,
                                "not valid UTF-8 (byte " + std::to_string(badByte) + " of the record)"};
        return;
    }
    if (record.jsonText.empty()) {
        record.issue = RowIssue{path, record.line, RowProblem::InvalidJson, "invalid JSON: empty array element"};
        return;
    }
    try {
        record.fields = io::parseJsonStrict("", record.jsonText);
    } catch (const std::exception& error) {
        std::string message = error.what();
        if (message.rfind(": ", 0) == 0) message.erase(0, 2);  // the empty file label's separator
        // nlohmann counts lines within the record: "invalid JSON: parse error at line 1, column 10:
        // syntax error ..." becomes "invalid JSON (line <file line>, column 10): syntax error ...".
        const std::string marker = "invalid JSON: parse error at line ";
        if (message.rfind(marker, 0) == 0) {
            size_t cursor = marker.size();
            const auto readNumber = [&]() {
                int64_t number = 0;
                while (cursor < message.size() && std::isdigit(static_cast<unsigned char>(message[cursor])) &&
                       number < 1'000'000'000)
                    number = number * 10 + (message[cursor++] - '0');
                return number;
            };
            const int64_t recordLine = readNumber();
            const std::string columnMarker = ", column ";
            if (message.compare(cursor, columnMarker.size(), columnMarker) == 0) {
                cursor += columnMarker.size();
                const int64_t column = readNumber();
                if (message.compare(cursor, 2, ": ") == 0) cursor += 2;
                message = "invalid JSON (line " + std::to_string(record.line + std::max<int64_t>(recordLine, 1) - 1) +
                          ", column " + std::to_string(column) + "): " + message.substr(cursor);
            }
        }
        record.issue = RowIssue{path, record.line, RowProblem::InvalidJson, message};
        return;
    }
    if (!record.fields.is_object()) {
        record.issue = RowIssue{path, record.line, RowProblem::WrongType,
                                std::string("a record must be a JSON object, got ") + record.fields.type_name()};
        record.fields = nullptr;
    }
}

}  // namespace capsule::data
