#pragma once
// What a user chooses about a fine-tuning dataset: its format (or auto-detection), how its columns
// map onto the canonical field names, the prompt template, length limits, packing, the
// train/validation split and what to do with bad rows. Plain values; cheap to copy.
//
// Canonical field names per format (column_mapping maps a canonical name to the file's own key):
//   alpaca             instruction, input (optional), output, system (optional)
//   chat               messages: [{role, content}]           (roles system / user / assistant)
//   sharegpt           conversations: [{from, value}]        (from system / human / gpt)
//   text               text
//   prompt-completion  prompt, completion
//   multiple-choice    question, choices: [str] (or columns A, B, C, ...), answer: index (0-based),
//                      letter ("B") or the choice text
//   classification     text, label (mapped to label_words)
//   plain-text         a .txt file: documents separated by blank lines, or fixed blocks
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace capsule::data {

enum class DatasetFormat {
    Alpaca,
    Chat,
    ShareGpt,
    Text,
    PromptCompletion,
    MultipleChoice,
    Classification,
    PlainText,
};

/// "alpaca", "chat", "sharegpt", "text", "prompt-completion", "multiple-choice", "classification",
/// "plain-text".
std::string formatName(DatasetFormat format);
/// The inverse of formatName(); throws std::invalid_argument listing the valid names.
DatasetFormat parseDatasetFormat(std::string_view name);
/// Every format name, in enum order.
std::vector<std::string> datasetFormatNames();
/// True for the formats whose examples carry choices (rank classification, T-Few losses).
bool hasChoices(DatasetFormat format);

/// What happens to a row that fails validation.
enum class BadRowPolicy {
    Skip,  // report it in the summary and leave it out
    Stop,  // report every bad row, then refuse the dataset (DatasetError)
};

/// How a plain .txt file becomes examples.
enum class PlainTextSplit {
    Paragraphs,  // one example per document; documents are separated by blank lines
    Blocks,      // the whole file as one token stream (EOS after each document), cut into
                 // max-length blocks, as Hugging Face's run_clm does
};

struct DatasetOptions {
    std::optional<DatasetFormat> format;  // nullopt: detected from the extension and first records
    /// Canonical field name -> the file's key or column, e.g. {"instruction": "question",
    /// "output": "answer"}; text_column / label_column are {"text": ..} / {"label": ..}.
    std::map<std::string, std::string> columnMapping;
    /// "" or "auto": the model's own chat template (alpaca for Alpaca data when the model has
    /// none); otherwise one of tokenizer::ChatTemplate::formatNames().
    std::string templateName;
    int64_t maxLengthTokens = 1024;  // 0: no limit (then packing is off)
    bool packing = false;            // pack short training examples into max-length rows
    double validationFraction = 0.0; // in [0, 1); ignored when validationFile is set
    std::string validationFile;      // a separate file in the same format
    uint64_t seed = 42;              // split seed
    BadRowPolicy badRows = BadRowPolicy::Skip;
    /// Classification: label value -> the word the model should produce, in choice order. Empty:
    /// the distinct labels of the data, sorted, are their own words.
    std::vector<std::pair<std::string, std::string>> labelWords;
    PlainTextSplit plainTextSplit = PlainTextSplit::Paragraphs;
    int threadCount = 0;  // tokenization threads; 0: std::thread::hardware_concurrency()

    /// The file key for a canonical field name.
    std::string columnFor(const std::string& canonicalField) const;
    /// Throws std::invalid_argument naming the option at fault (fraction range, packing without
    /// a max length, packing with choice formats, duplicate label words, ...).
    void validate() const;
};

/// Reads options from a JSON object with the keys format, column_mapping, text_column,
/// label_column, template, max_length, packing, validation_fraction, validation_file, seed,
/// bad_rows ("skip" | "stop"), label_words (object or [[label, word], ...]), plain_text_split
/// ("paragraphs" | "blocks"), threads. Unknown keys and wrong types throw std::invalid_argument
/// naming the key.
DatasetOptions datasetOptionsFromJson(const nlohmann::json& object);
nlohmann::json toJson(const DatasetOptions& options);

}  // namespace capsule::data
