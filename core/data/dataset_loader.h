#pragma once
// Loads a fine-tuning dataset end to end: reads the file(s), detects the format, checks every row,
// renders prompts with the chosen template and tokenizes (on many threads), truncates, splits
// train/validation with a fixed seed, packs, and summarises. Row problems are collected with file
// and line; under BadRowPolicy::Skip the rows are left out and listed in the summary, under Stop
// the whole dataset is checked and then refused with a DatasetError listing every bad row.
//
// Deterministic: the same files, tokenizer and options give the same examples in the same order,
// whatever the thread count.
#include "data/dataset_options.h"
#include "data/dataset_summary.h"
#include "data/example.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

#include <optional>
#include <string>
#include <vector>

namespace capsule::data {

struct LoadedDataset {
    std::vector<Example> train;       // in file order; packed rows when options.packing
    std::vector<Example> validation;  // in file order; never packed
    /// Multiple-choice: empty. Classification: the label of each choice index ("0", "positive", ...),
    /// whose words are the choices every example carries.
    std::vector<std::string> choiceLabels;
    DatasetSummary summary;
};

/// The template used to render prompts: options.templateName when set (not "" or "auto"),
/// otherwise `modelTemplate` (ChatTemplate::fromDirectory of the model) when it has a recognised
/// template, otherwise alpaca for Alpaca data and plain for the rest. `note` says which rule chose.
tokenizer::ChatTemplate chooseTemplate(const DatasetOptions& options, DatasetFormat format,
                                       const std::optional<tokenizer::ChatTemplate>& modelTemplate,
                                       const tokenizer::SpecialTokens& specialTokens, std::string* note = nullptr);

/// Loads `path` (and options.validationFile). Throws std::runtime_error naming the file for
/// problems with a file as a whole, std::invalid_argument for bad options, DatasetError for bad
/// rows under BadRowPolicy::Stop. Uses options.threadCount threads for parsing and tokenizing.
LoadedDataset loadDataset(const std::string& path, const tokenizer::Tokenizer& tokenizer,
                          const std::optional<tokenizer::ChatTemplate>& modelTemplate, const DatasetOptions& options);

}  // namespace capsule::data
