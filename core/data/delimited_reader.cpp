#include "data/delimited_reader.h"

namespace capsule::data {

std::vector<DelimitedRecord> parseDelimited(std::string_view text, char delimiter) {
    std::vector<DelimitedRecord> records;
    size_t position = 0;
    if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) position = 3;
    int64_t line = 1;
    const size_t size = text.size();

    // Consumes one line break at `position` (CRLF, LF or CR); returns false when there is none.
    const auto consumeLineBreak = [&]() {
        if (position >= size) return false;
        if (text[position] == '\r') {
            ++position;
            if (position < size && text[position] == '\n') ++position;
            ++line;
            return true;
        }
        if (text[position] == '\n') {
            ++position;
            ++line;
            return true;
        }
        return false;
    };

    while (position < size) {
        if (consumeLineBreak()) continue;  // an empty line
        DelimitedRecord record;
        record.line = line;
        record.beginOffset = position;
        std::string field;
        bool recordDone = false;
        while (!recordDone) {
            field.clear();
            if (position < size && text[position] == '"') {
                const int64_t quoteLine = line;
                ++position;
                bool closed = false;
                while (position < size) {
                    const char c = text[position];
                    if (c == '"') {
                        if (position + 1 < size && text[position + 1] == '"') {
                            field += '"';
                            position += 2;
                            continue;
                        }
                        ++position;
                        closed = true;
                        break;
                    }
                    // Count line breaks inside the quotes so later rows keep their true line numbers.
                    if (c == '\n' || (c == '\r' && !(position + 1 < size && text[position + 1] == '\n'))) ++line;
                    field += c;
                    ++position;
                }
                if (!closed) {
                    record.error = "unterminated quoted field (the quote opens on line " + std::to_string(quoteLine) +
                                   ")";
                    record.fields.push_back(std::move(field));
                    record.endOffset = size;
                    records.push_back(std::move(record));
                    return records;
                }
                // Lenient: text between the closing quote and the delimiter is kept.
                while (position < size && text[position] != delimiter && text[position] != '\n' &&
                       text[position] != '\r')
                    field += text[position++];
            } else {
                while (position < size && text[position] != delimiter && text[position] != '\n' &&
                       text[position] != '\r')
                    field += text[position++];
            }
            record.fields.push_back(field);
            if (position < size && text[position] == delimiter) {
                ++position;  // another field follows (possibly empty, also at the end of the line)
                continue;
            }
            record.endOffset = position;
            consumeLineBreak();
            recordDone = true;
        }
        records.push_back(std::move(record));
    }
    return records;
}

std::string quoteDelimitedField(std::string_view field, char delimiter) {
    if (field.find_first_of(std::string{delimiter, '"', '\r', '\n'}) == std::string_view::npos) return std::string(field);
    std::string quoted = "\"";
    for (const char c : field) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

}  // namespace capsule::data
