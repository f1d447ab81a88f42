#include "data/dataset_options.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>
#include <stdexcept>

namespace capsule::data {

namespace {

struct NamedFormat {
    const char* name;
    DatasetFormat format;
};
constexpr NamedFormat kFormats[] = {
    {"alpaca", DatasetFormat::Alpaca},
    {"chat", DatasetFormat::Chat},
    {"sharegpt", DatasetFormat::ShareGpt},
    {"text", DatasetFormat::Text},
    {"prompt-completion", DatasetFormat::PromptCompletion},
    {"multiple-choice", DatasetFormat::MultipleChoice},
    {"classification", DatasetFormat::Classification},
    {"plain-text", DatasetFormat::PlainText},
};

std::string joinedNames() {
    std::string names;
    for (const NamedFormat& entry : kFormats) names += std::string(names.empty() ? "" : ", ") + entry.name;
    return names;
}

[[noreturn]] void badOption(const std::string& key, const std::string& what) {
    throw std::invalid_argument("dataset option '" + key + "': " + what);
}

const nlohmann::json& expectType(const nlohmann::json& value, const std::string& key, nlohmann::json::value_t type,
                                 const char* typeName) {
    const bool matches = value.type() == type ||
                         (type == nlohmann::json::value_t::number_integer && value.is_number_unsigned()) ||
                         (type == nlohmann::json::value_t::number_float && value.is_number());
    if (!matches) badOption(key, std::string("expected ") + typeName + ", got " + value.type_name());
    return value;
}

std::string stringValue(const nlohmann::json& value, const std::string& key) {
    return expectType(value, key, nlohmann::json::value_t::string, "a string").get<std::string>();
}

}  // namespace

std::string formatName(DatasetFormat format) {
    for (const NamedFormat& entry : kFormats)
        if (entry.format == format) return entry.name;
    return "unknown";
}

DatasetFormat parseDatasetFormat(std::string_view name) {
    for (const NamedFormat& entry : kFormats)
        if (name == entry.name) return entry.format;
    throw std::invalid_argument("unknown dataset format '" + std::string(name) + "' (valid: " + joinedNames() + ")");
}

std::vector<std::string> datasetFormatNames() {
    std::vector<std::string> names;
    for (const NamedFormat& entry : kFormats) names.emplace_back(entry.name);
    return names;
}

bool hasChoices(DatasetFormat format) {
    return format == DatasetFormat::MultipleChoice || format == DatasetFormat::Classification;
}

std::string DatasetOptions::columnFor(const std::string& canonicalField) const {
    const auto it = columnMapping.find(canonicalField);
    return it == columnMapping.end() ? canonicalField : it->second;
}

void DatasetOptions::validate() const {
    if (maxLengthTokens < 0) badOption("max_length", "must be >= 0 (0 means no limit)");
    if (!(validationFraction >= 0.0 && validationFraction < 1.0))
        badOption("validation_fraction", "must be in [0, 1)");
    if (packing && maxLengthTokens == 0) badOption("packing", "needs a max_length to pack into");
    if (packing && format && hasChoices(*format))
        badOption("packing", "cannot be used with " + formatName(*format) +
                                 " data (rank classification scores each example on its own)");
    if (threadCount < 0) badOption("threads", "must be >= 0");
    static const std::set<std::string> kCanonical = {"instruction", "input",    "output",   "system",
                                                     "messages",    "conversations", "text", "prompt",
                                                     "completion",  "question", "choices",  "answer",
                                                     "label"};
    for (const auto& [canonical, column] : columnMapping) {
        if (!kCanonical.count(canonical))
            badOption("column_mapping", "unknown field '" + canonical +
                                            "' (fields: instruction, input, output, system, messages, conversations, "
                                            "text, prompt, completion, question, choices, answer, label)");
        if (column.empty()) badOption("column_mapping", "empty column name for '" + canonical + "'");
    }
    std::set<std::string> labels, words;
    for (const auto& [label, word] : labelWords) {
        if (!labels.insert(label).second) badOption("label_words", "label '" + label + "' appears twice");
        if (word.empty()) badOption("label_words", "empty word for label '" + label + "'");
        if (!words.insert(word).second)
            badOption("label_words", "word '" + word + "' is used for two labels (choices must differ)");
    }
}

DatasetOptions datasetOptionsFromJson(const nlohmann::json& object) {
    if (!object.is_object()) throw std::invalid_argument("dataset options: expected a JSON object");
    using Type = nlohmann::json::value_t;
    DatasetOptions options;
    for (const auto& [key, value] : object.items()) {
        if (key == "format") {
            const std::string name = stringValue(value, key);
            if (name != "auto" && !name.empty()) options.format = parseDatasetFormat(name);
        } else if (key == "column_mapping") {
            expectType(value, key, Type::object, "an object");
            for (const auto& [field, column] : value.items())
                options.columnMapping[field] = stringValue(column, key + "." + field);
        } else if (key == "text_column") {
            options.columnMapping["text"] = stringValue(value, key);
        } else if (key == "label_column") {
            options.columnMapping["label"] = stringValue(value, key);
        } else if (key == "template") {
            options.templateName = stringValue(value, key);
        } else if (key == "max_length") {
            options.maxLengthTokens = expectType(value, key, Type::number_integer, "an integer").get<int64_t>();
        } else if (key == "packing") {
            options.packing = expectType(value, key, Type::boolean, "true or false").get<bool>();
        } else if (key == "validation_fraction") {
            options.validationFraction = expectType(value, key, Type::number_float, "a number").get<double>();
        } else if (key == "validation_file") {
            options.validationFile = stringValue(value, key);
        } else if (key == "seed") {
            if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0))
                badOption(key, "expected a non-negative integer");
            options.seed = value.get<uint64_t>();
        } else if (key == "bad_rows") {
            const std::string policy = stringValue(value, key);
            if (policy == "skip") options.badRows = BadRowPolicy::Skip;
            else if (policy == "stop") options.badRows = BadRowPolicy::Stop;
            else badOption(key, "expected \"skip\" or \"stop\", got \"" + policy + "\"");
        } else if (key == "label_words") {
            if (value.is_object()) {
                for (const auto& [label, word] : value.items())
                    options.labelWords.emplace_back(label, stringValue(word, key + "." + label));
            } else if (value.is_array()) {
                for (const auto& pair : value) {
                    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
                        badOption(key, "expected [label, word] string pairs");
                    options.labelWords.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
                }
            } else {
                badOption(key, std::string("expected an object or a list of pairs, got ") + value.type_name());
            }
        } else if (key == "plain_text_split") {
            const std::string split = stringValue(value, key);
            if (split == "paragraphs") options.plainTextSplit = PlainTextSplit::Paragraphs;
            else if (split == "blocks") options.plainTextSplit = PlainTextSplit::Blocks;
            else badOption(key, "expected \"paragraphs\" or \"blocks\", got \"" + split + "\"");
        } else if (key == "threads") {
            options.threadCount = expectType(value, key, Type::number_integer, "an integer").get<int>();
        } else {
            badOption(key, "unknown option (known: format, column_mapping, text_column, label_column, template, "
                           "max_length, packing, validation_fraction, validation_file, seed, bad_rows, label_words, "
                           "plain_text_split, threads)");
        }
    }
    options.validate();
    return options;
}

nlohmann::json toJson(const DatasetOptions& options) {
    nlohmann::json object;
    object["format"] = options.format ? formatName(*options.format) : std::string("auto");
    object["column_mapping"] = options.columnMapping;
    object["template"] = options.templateName.empty() ? std::string("auto") : options.templateName;
    object["max_length"] = options.maxLengthTokens;
    object["packing"] = options.packing;
    object["validation_fraction"] = options.validationFraction;
    object["validation_file"] = options.validationFile;
    object["seed"] = options.seed;
    object["bad_rows"] = options.badRows == BadRowPolicy::Skip ? "skip" : "stop";
    nlohmann::json words = nlohmann::json::array();
    for (const auto& [label, word] : options.labelWords) words.push_back({label, word});
    object["label_words"] = words;
    object["plain_text_split"] = options.plainTextSplit == PlainTextSplit::Paragraphs ? "paragraphs" : "blocks";
    object["threads"] = options.threadCount;
    return object;
}

}  // namespace capsule::data
