#include "data/format_detection.h"

#include <stdexcept>

namespace capsule::data {

namespace {

std::string quotedList(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names) text += (text.empty() ? "'" : ", '") + name + "'";
    return text.empty() ? "none" : text;
}

// The item keys of a list of chat turns, when the first item is an object.
bool itemsUse(const nlohmann::json& list, const char* first, const char* second) {
    if (!list.is_array() || list.empty() || !list.front().is_object()) return false;
    return list.front().contains(first) && list.front().contains(second);
}

}  // namespace

FormatDetection detectFormat(const RecordFile& file, const DatasetOptions& options) {
    const std::string kind = fileKindName(file.kind) + " file";
    if (options.format) {
        const bool textFile = file.kind == FileKind::PlainText;
        if (textFile != (*options.format == DatasetFormat::PlainText))
            throw std::runtime_error(file.path + ": format '" + formatName(*options.format) + "' cannot be read from a " +
                                     kind + (textFile ? " (use plain-text)" : " (plain-text needs a .txt file)"));
        return {*options.format, "set in the options"};
    }
    if (file.kind == FileKind::PlainText)
        return {DatasetFormat::PlainText,
                std::string("plain text file: ") +
                    (options.plainTextSplit == PlainTextSplit::Paragraphs ? "documents separated by blank lines"
                                                                          : "cut into fixed blocks")};

    std::vector<std::string> keys;
    const nlohmann::json* sample = nullptr;
    std::string where;
    if (file.kind == FileKind::Csv || file.kind == FileKind::Tsv) {
        keys = file.columns;
        where = "the header";
        for (const RawRecord& record : file.records)
            if (record.fields.is_object()) {
                sample = &record.fields;
                break;
            }
    } else {
        for (const RawRecord& record : file.records) {
            if (!record.fields.is_object()) continue;
            sample = &record.fields;
            for (const auto& item : record.fields.items()) keys.push_back(item.key());
            where = "the first record (line " + std::to_string(record.line) + ")";
            break;
        }
        if (!sample)
            throw std::runtime_error(file.path + ": no readable record to detect the format from" +
                                     (file.records.empty() || !file.records.front().issue
                                          ? std::string()
                                          : " (first problem: " + file.records.front().issue->describe() + ")"));
    }
    const auto has = [&](const char* field) {
        const std::string column = options.columnFor(field);
        for (const std::string& key : keys)
            if (key == column) return true;
        return false;
    };
    const auto fieldValue = [&](const char* field) -> const nlohmann::json& {
        static const nlohmann::json kNull;
        if (!sample) return kNull;
        const auto it = sample->find(options.columnFor(field));
        return it == sample->end() ? kNull : *it;
    };
    const auto because = [&](const std::string& fields) { return where + " of the " + kind + " has " + fields; };

    if (has("messages")) {
        if (itemsUse(fieldValue("messages"), "from", "value"))
            return {DatasetFormat::ShareGpt, because("'messages' whose turns use from/value")};
        return {DatasetFormat::Chat, because("'messages'")};
    }
    if (has("conversations")) {
        if (itemsUse(fieldValue("conversations"), "role", "content"))
            return {DatasetFormat::Chat, because("'conversations' whose turns use role/content")};
        return {DatasetFormat::ShareGpt, because("'conversations'")};
    }
    if (has("instruction") && has("output")) return {DatasetFormat::Alpaca, because("'instruction' and 'output'")};
    if (has("prompt") && has("completion")) return {DatasetFormat::PromptCompletion, because("'prompt' and 'completion'")};
    if (has("question") && has("answer")) {
        if (has("choices")) return {DatasetFormat::MultipleChoice, because("'question', 'choices' and 'answer'")};
        bool lettered = false;
        for (const std::string& key : keys) lettered = lettered || key == "A";
        if (lettered) return {DatasetFormat::MultipleChoice, because("'question', 'answer' and choice columns A, B, ...")};
    }
    if (has("text") && has("label")) return {DatasetFormat::Classification, because("'text' and 'label'")};
    if (has("text")) return {DatasetFormat::Text, because("'text'")};
    throw std::runtime_error(file.path + ": cannot detect the dataset format: " + where + " has fields " +
                             quotedList(keys) +
                             "; set 'format' (alpaca, chat, sharegpt, text, prompt-completion, multiple-choice, "
                             "classification) and 'column_mapping'");
}

}  // namespace capsule::data
