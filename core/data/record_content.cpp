#include "data/record_content.h"

#include <algorithm>
#include <cctype>

namespace capsule::data {

namespace {

using Json = nlohmann::json;

bool isBlank(const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); });
}

// Reads the fields of one record under the user's column mapping.
class FieldReader {
public:
    FieldReader(const Json& fields, const DatasetOptions& options) : fields_(fields), options_(options) {}

    // "field 'output'" or "field 'output' (column 'answer')".
    std::string describe(const std::string& canonical) const {
        const std::string column = options_.columnFor(canonical);
        return column == canonical ? "field '" + canonical + "'" : "field '" + canonical + "' (column '" + column + "')";
    }

    const Json* find(const std::string& canonical) const {
        const auto it = fields_.find(options_.columnFor(canonical));
        return it == fields_.end() ? nullptr : &*it;
    }

    const Json& require(const std::string& canonical) const {
        const Json* value = find(canonical);
        if (!value) throw RowProblemError(RowProblem::MissingField, "missing " + describe(canonical));
        return *value;
    }

    std::string requireString(const std::string& canonical) const {
        const Json& value = require(canonical);
        if (!value.is_string())
            throw RowProblemError(RowProblem::WrongType,
                                  describe(canonical) + " must be a string, got " + std::string(value.type_name()));
        return value.get<std::string>();
    }

    // Absent or null gives "".
    std::string optionalString(const std::string& canonical) const {
        const Json* value = find(canonical);
        if (!value || value->is_null()) return "";
        if (!value->is_string())
            throw RowProblemError(RowProblem::WrongType,
                                  describe(canonical) + " must be a string, got " + std::string(value->type_name()));
        return value->get<std::string>();
    }

    const Json& fields() const { return fields_; }

private:
    const Json& fields_;
    const DatasetOptions& options_;
};

std::string turnString(const Json& turn, const char* key, const std::string& where) {
    const auto it = turn.find(key);
    if (it == turn.end()) throw RowProblemError(RowProblem::MissingField, where + " has no '" + key + "'");
    if (!it->is_string())
        throw RowProblemError(RowProblem::WrongType,
                              where + "." + key + " must be a string, got " + std::string(it->type_name()));
    return it->get<std::string>();
}

// chat: {role, content}; sharegpt: {from, value} with human/gpt names.
std::vector<tokenizer::ChatMessage> readTurns(const FieldReader& reader, const std::string& canonical, bool shareGpt) {
    const Json& list = reader.require(canonical);
    const std::string& column = reader.describe(canonical);
    if (!list.is_array())
        throw RowProblemError(RowProblem::WrongType, column + " must be a list of turns, got " + std::string(list.type_name()));
    if (list.empty()) throw RowProblemError(RowProblem::EmptyResponse, column + " is an empty list");
    std::vector<tokenizer::ChatMessage> messages;
    messages.reserve(list.size());
    bool trainable = false;
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string where = "'" + canonical + "[" + std::to_string(i) + "]'";
        const Json& turn = list[i];
        if (!turn.is_object())
            throw RowProblemError(RowProblem::WrongType, where + " must be an object, got " + std::string(turn.type_name()));
        tokenizer::ChatMessage message;
        if (shareGpt) {
            const std::string from = turnString(turn, "from", where);
            if (from == "system") message.role = "system";
            else if (from == "human" || from == "user") message.role = "user";
            else if (from == "gpt" || from == "assistant" || from == "chatgpt" || from == "model" || from == "bing" ||
                     from == "bard")
                message.role = "assistant";
            else
                throw RowProblemError(RowProblem::InvalidValue,
                                      where + ".from is '" + from + "' (expected system, human or gpt)");
            message.content = turnString(turn, "value", where);
        } else {
            message.role = turnString(turn, "role", where);
            if (message.role != "system" && message.role != "user" && message.role != "assistant")
                throw RowProblemError(RowProblem::InvalidValue,
                                      where + ".role is '" + message.role + "' (expected system, user or assistant)");
            message.content = turnString(turn, "content", where);
        }
        trainable = trainable || (message.role == "assistant" && !isBlank(message.content));
        messages.push_back(std::move(message));
    }
    if (!trainable)
        throw RowProblemError(RowProblem::EmptyResponse, "no " + std::string(shareGpt ? "gpt" : "assistant") +
                                                             " turn with content to train on");
    return messages;
}

std::vector<std::string> readChoices(const FieldReader& reader) {
    std::vector<std::string> choices;
    const Json* value = reader.find("choices");
    Json parsed;
    if (value && value->is_string()) {
        // A CSV cell holding a JSON list: ["red", "green"].
        parsed = Json::parse(value->get<std::string>(), nullptr, /*allow_exceptions=*/false);
        if (!parsed.is_array())
            throw RowProblemError(RowProblem::WrongType,
                                  reader.describe("choices") + " must be a list of strings (a JSON list in a CSV cell)");
        value = &parsed;
    }
    if (value) {
        if (!value->is_array())
            throw RowProblemError(RowProblem::WrongType,
                                  reader.describe("choices") + " must be a list of strings, got " + value->type_name());
        for (size_t i = 0; i < value->size(); ++i) {
            const Json& choice = (*value)[i];
            if (!choice.is_string())
                throw RowProblemError(RowProblem::WrongType, reader.describe("choices") + "[" + std::to_string(i) +
                                                                 "] must be a string, got " + choice.type_name());
            choices.push_back(choice.get<std::string>());
        }
    } else {
        // Columns A, B, C, ... (MMLU-style tables).
        for (char letter = 'A'; letter <= 'Z'; ++letter) {
            const auto it = reader.fields().find(std::string(1, letter));
            if (it == reader.fields().end()) break;
            if (!it->is_string())
                throw RowProblemError(RowProblem::WrongType, "choice column '" + std::string(1, letter) +
                                                                 "' must be a string, got " + it->type_name());
            choices.push_back(it->get<std::string>());
        }
        if (choices.empty()) throw RowProblemError(RowProblem::MissingField, "missing " + reader.describe("choices"));
    }
    if (choices.size() < 2)
        throw RowProblemError(RowProblem::InvalidValue,
                              "needs at least 2 choices, got " + std::to_string(choices.size()));
    for (size_t i = 0; i < choices.size(); ++i)
        if (isBlank(choices[i]))
            throw RowProblemError(RowProblem::EmptyResponse, "choice " + std::to_string(i) + " is empty");
    return choices;
}

std::string labelText(const FieldReader& reader) {
    const Json& label = reader.require("label");
    if (label.is_string()) {
        if (label.get<std::string>().empty())
            throw RowProblemError(RowProblem::MissingField, reader.describe("label") + " is empty");
        return label.get<std::string>();
    }
    if (label.is_number_integer() || label.is_number_unsigned() || label.is_boolean()) return label.dump();
    throw RowProblemError(RowProblem::WrongType, reader.describe("label") + " must be a string or an integer, got " +
                                                     std::string(label.type_name()));
}

}  // namespace

int64_t resolveAnswer(const Json& answer, const std::vector<std::string>& choices, const std::string& fieldName) {
    const int64_t count = static_cast<int64_t>(choices.size());
    const std::string range = " (" + std::to_string(count) + " choices: 0-" + std::to_string(count - 1) + ")";
    if (answer.is_number_integer() || answer.is_number_unsigned()) {
        if (answer.is_number_unsigned() ? answer.get<uint64_t>() >= static_cast<uint64_t>(count)
                                        : (answer.get<int64_t>() < 0 || answer.get<int64_t>() >= count))
            throw RowProblemError(RowProblem::AnswerOutOfRange,
                                  fieldName + " " + answer.dump() + " is out of range" + range);
        return answer.get<int64_t>();
    }
    if (!answer.is_string())
        throw RowProblemError(RowProblem::WrongType, fieldName + " must be an index, a letter or the choice text, got " +
                                                         std::string(answer.type_name()));
    const std::string text = answer.get<std::string>();
    for (int64_t i = 0; i < count; ++i)
        if (choices[static_cast<size_t>(i)] == text) return i;
    if (text.size() == 1 && std::isalpha(static_cast<unsigned char>(text[0]))) {
        const int64_t index = std::toupper(static_cast<unsigned char>(text[0])) - 'A';
        if (index >= count)
            throw RowProblemError(RowProblem::AnswerOutOfRange, fieldName + " '" + text + "' is out of range" + range);
        return index;
    }
    if (!text.empty() && text.size() <= 9 && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
        const int64_t index = std::stoll(text);
        if (index >= count)
            throw RowProblemError(RowProblem::AnswerOutOfRange, fieldName + " '" + text + "' is out of range" + range);
        return index;
    }
    throw RowProblemError(RowProblem::UnknownLabel,
                          fieldName + " '" + text + "' is neither a choice, a letter nor an index" + range);
}

RecordContent extractContent(const Json& fields, DatasetFormat format, const DatasetOptions& options) {
    const FieldReader reader(fields, options);
    RecordContent content;
    switch (format) {
    case DatasetFormat::Alpaca:
        content.instruction = reader.requireString("instruction");
        content.input = reader.optionalString("input");
        content.system = reader.optionalString("system");
        content.output = reader.requireString("output");
        if (isBlank(content.output)) throw RowProblemError(RowProblem::EmptyResponse, reader.describe("output") + " is empty");
        break;
    case DatasetFormat::Chat: content.messages = readTurns(reader, "messages", false); break;
    case DatasetFormat::ShareGpt: content.messages = readTurns(reader, "conversations", true); break;
    case DatasetFormat::Text:
    case DatasetFormat::PlainText:
        content.text = reader.requireString("text");
        if (isBlank(content.text)) throw RowProblemError(RowProblem::EmptyResponse, reader.describe("text") + " is empty");
        break;
    case DatasetFormat::PromptCompletion:
        content.prompt = reader.requireString("prompt");
        content.completion = reader.requireString("completion");
        if (isBlank(content.completion))
            throw RowProblemError(RowProblem::EmptyResponse, reader.describe("completion") + " is empty");
        break;
    case DatasetFormat::MultipleChoice:
        content.question = reader.requireString("question");
        content.choices = readChoices(reader);
        content.answerIndex = resolveAnswer(reader.require("answer"), content.choices, reader.describe("answer"));
        break;
    case DatasetFormat::Classification:
        content.text = reader.requireString("text");
        content.label = labelText(reader);
        break;
    }
    return content;
}

}  // namespace capsule::data
