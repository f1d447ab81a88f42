#pragma once
// The fields of one dataset record, checked and normalised for its format: chats become a list of
// system/user/assistant messages (ShareGPT's human/gpt mapped), multiple-choice answers become a
// 0-based index, classification labels become strings. Every problem throws RowProblemError with
// a message naming the field (and the file column when column_mapping renamed it).
#include "data/dataset_options.h"
#include "data/row_issue.h"
#include "tokenizer/chat_template.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace capsule::data {

struct RecordContent {
    std::vector<tokenizer::ChatMessage> messages;  // chat, sharegpt
    std::string system;                            // alpaca (optional)
    std::string instruction, input, output;        // alpaca
    std::string prompt, completion;                // prompt-completion
    std::string text;                              // text, plain-text, classification
    std::string question;                          // multiple-choice
    std::vector<std::string> choices;              // multiple-choice (classification: filled by the loader)
    int64_t answerIndex = -1;                      // multiple-choice
    std::string label;                             // classification, as written in the file
};

/// Reads a record object for `format` (not plain-text's blocks mode; plain-text reads "text").
/// Throws RowProblemError (missing field, wrong type, invalid value, empty response, answer out
/// of range, unknown label). Thread-safe.
RecordContent extractContent(const nlohmann::json& fields, DatasetFormat format, const DatasetOptions& options);

/// A multiple-choice answer (index, letter, choice text or index as text) as a 0-based index.
/// Throws RowProblemError (AnswerOutOfRange, UnknownLabel, WrongType).
int64_t resolveAnswer(const nlohmann::json& answer, const std::vector<std::string>& choices, const std::string& fieldName);

}  // namespace capsule::data
