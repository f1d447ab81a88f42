#include "data/dataset_loader.h"

#include "data/dataset_split.h"
#include "data/example_builder.h"
#include "data/format_detection.h"
#include "data/packing.h"
#include "data/parallel_for.h"
#include "data/record_content.h"
#include "data/record_reader.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>

namespace capsule::data {

namespace {

using tokenizer::ChatTemplate;

// Everything the loader learns about one row, filled by the parallel passes.
struct RowState {
    std::optional<RecordContent> content;
    std::optional<RowIssue> issue;
    std::optional<Example> example;
    std::vector<int64_t> documentIds;  // plain-text blocks mode
};

struct FileRows {
    RecordFile file;
    std::vector<RowState> rows;
    std::vector<Example> examples;  // valid examples in file order
};

void setIssue(RowState& row, const RecordFile& file, const RawRecord& record, const RowProblemError& error) {
    row.issue = RowIssue{file.path, record.line, error.problem, error.what()};
    row.content.reset();
    row.example.reset();
    row.documentIds.clear();
}

// Classification: label -> choice index from label_words, or from the labels the data uses.
void assignClassificationChoices(std::vector<FileRows>& files, const DatasetOptions& options,
                                 std::vector<std::string>& choiceLabels) {
    std::vector<std::string> words;
    if (!options.labelWords.empty()) {
        for (const auto& [label, word] : options.labelWords) {
            choiceLabels.push_back(label);
            words.push_back(word);
        }
    } else {
        std::set<std::string> seen;
        for (const FileRows& file : files)
            for (const RowState& row : file.rows)
                if (row.content) seen.insert(row.content->label);
        choiceLabels.assign(seen.begin(), seen.end());
        words = choiceLabels;
    }
    if (choiceLabels.size() < 2)
        throw std::runtime_error(files.front().file.path + ": classification needs at least 2 labels, found " +
                                 std::to_string(choiceLabels.size()) + " (set label_words or check label_column)");
    std::map<std::string, int64_t> index;
    for (size_t i = 0; i < choiceLabels.size(); ++i) index[choiceLabels[i]] = static_cast<int64_t>(i);
    std::string known;
    for (size_t i = 0; i < choiceLabels.size() && i < 10; ++i) known += (i ? ", " : "") + choiceLabels[i];
    if (choiceLabels.size() > 10) known += ", ...";
    for (FileRows& file : files) {
        for (size_t r = 0; r < file.rows.size(); ++r) {
            RowState& row = file.rows[r];
            if (!row.content) continue;
            const auto it = index.find(row.content->label);
            if (it == index.end()) {
                setIssue(row, file.file, file.file.records[r],
                         RowProblemError(RowProblem::UnknownLabel,
                                         "label '" + row.content->label + "' is not one of the labels (" + known + ")"));
                continue;
            }
            row.content->choices = words;
            row.content->answerIndex = it->second;
        }
    }
}

// Plain-text blocks: every valid document's ids, in order, cut into max-length blocks.
std::vector<Example> cutBlocks(const FileRows& file, int64_t blockTokens) {
    std::vector<Example> blocks;
    Example current;
    for (size_t r = 0; r < file.rows.size(); ++r) {
        const RowState& row = file.rows[r];
        if (row.issue || row.documentIds.empty()) continue;
        for (const int64_t id : row.documentIds) {
            if (current.inputIds.empty()) current.source = {file.file.path, file.file.records[r].line};
            current.inputIds.push_back(id);
            if (current.length() == blockTokens) {
                current.labels = current.inputIds;
                current.untruncatedLength = current.length();
                blocks.push_back(std::move(current));
                current = Example();
            }
        }
    }
    if (!current.inputIds.empty()) {
        current.labels = current.inputIds;
        current.untruncatedLength = current.length();
        blocks.push_back(std::move(current));
    }
    return blocks;
}

}  // namespace

ChatTemplate chooseTemplate(const DatasetOptions& options, DatasetFormat format,
                            const std::optional<ChatTemplate>& modelTemplate,
                            const tokenizer::SpecialTokens& specialTokens, std::string* note) {
    std::string reason;
    const auto finish = [&](ChatTemplate chosen) {
        if (note) *note = reason;
        return chosen;
    };
    if (!options.templateName.empty() && options.templateName != "auto") {
        reason = "set in the options";
        return finish(ChatTemplate::fromName(options.templateName, specialTokens));
    }
    if (modelTemplate && modelTemplate->warning().empty()) {
        reason = "the model's chat template";
        return finish(*modelTemplate);
    }
    if (format == DatasetFormat::Alpaca) {
        reason = "the model has no recognised chat template; Alpaca data uses the Alpaca prompt";
        return finish(ChatTemplate::fromName("alpaca", specialTokens));
    }
    reason = modelTemplate ? modelTemplate->warning() : "no chat template given; using the plain format";
    return finish(modelTemplate ? *modelTemplate : ChatTemplate::fromName("plain", specialTokens));
}

LoadedDataset loadDataset(const std::string& path, const tokenizer::Tokenizer& tokenizer,
                          const std::optional<ChatTemplate>& modelTemplate, const DatasetOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    options.validate();
    const int threads = resolveThreadCount(options.threadCount);

    std::vector<FileRows> files;
    files.push_back({readRecordFile(path), {}, {}});
    if (!options.validationFile.empty()) files.push_back({readRecordFile(options.validationFile), {}, {}});
    for (FileRows& file : files)
        parallelFor(file.file.records.size(), threads,
                    [&](size_t i) { parseRecord(file.file.records[i], file.file.path); });

    const FormatDetection detection = detectFormat(files.front().file, options);
    const DatasetFormat format = detection.format;
    if (files.size() > 1) {
        DatasetOptions forced = options;
        forced.format = format;
        detectFormat(files[1].file, forced);  // the validation file must be readable as the same format
    }
    if (options.packing && hasChoices(format))
        throw std::invalid_argument("dataset option 'packing': cannot be used with " + formatName(format) +
                                    " data (rank classification scores each example on its own)");
    const bool blocks = format == DatasetFormat::PlainText && options.plainTextSplit == PlainTextSplit::Blocks;
    if (blocks && options.maxLengthTokens == 0)
        throw std::invalid_argument("dataset option 'plain_text_split': blocks need a max_length");

    LoadedDataset result;
    DatasetSummary& summary = result.summary;
    summary.file = path;
    summary.validationFile = options.validationFile;
    summary.format = format;
    summary.formatReason = detection.reason;
    summary.maxLengthTokens = options.maxLengthTokens;
    const ChatTemplate chatTemplate =
        chooseTemplate(options, format, modelTemplate, tokenizer.specialTokens(), &summary.templateNote);
    summary.templateName = chatTemplate.name();
    if (format == DatasetFormat::Text || format == DatasetFormat::PlainText || format == DatasetFormat::PromptCompletion)
        summary.templateNote = "not used: " + formatName(format) + " data is tokenized as written";

    // Check each row's fields for the format.
    for (FileRows& file : files) {
        file.rows.resize(file.file.records.size());
        parallelFor(file.rows.size(), threads, [&](size_t i) {
            const RawRecord& record = file.file.records[i];
            RowState& row = file.rows[i];
            if (record.issue) {
                row.issue = record.issue;
                return;
            }
            try {
                row.content = extractContent(record.fields, format, options);
            } catch (const RowProblemError& error) {
                setIssue(row, file.file, record, error);
            } catch (const std::exception& error) {  // never let one odd row take the load down
                setIssue(row, file.file, record, RowProblemError(RowProblem::InvalidValue, error.what()));
            }
        });
    }
    if (format == DatasetFormat::Classification) assignClassificationChoices(files, options, result.choiceLabels);

    // Render and tokenize.
    const ExampleBuilder builder(tokenizer, chatTemplate, format, options.maxLengthTokens);
    for (FileRows& file : files) {
        parallelFor(file.rows.size(), threads, [&](size_t i) {
            RowState& row = file.rows[i];
            if (!row.content) return;
            try {
                if (blocks) {
                    row.documentIds = builder.documentIds(row.content->text);
                } else {
                    row.example = builder.build(*row.content);
                    row.example->source = {file.file.path, file.file.records[i].line};
                }
            } catch (const RowProblemError& error) {
                setIssue(row, file.file, file.file.records[i], error);
            } catch (const std::exception& error) {  // e.g. the tokenizer refusing a text
                setIssue(row, file.file, file.file.records[i],
                         RowProblemError(RowProblem::InvalidValue, std::string("cannot tokenize: ") + error.what()));
            }
            row.content.reset();  // no longer needed; frees memory early
        });
    }

    for (FileRows& file : files) {
        summary.rows += static_cast<int64_t>(file.rows.size());
        for (RowState& row : file.rows) {
            if (row.issue) {
                summary.issues.push_back(*row.issue);
                continue;
            }
            ++summary.validRows;
            if (row.example) file.examples.push_back(std::move(*row.example));
        }
        if (blocks) file.examples = cutBlocks(file, options.maxLengthTokens);
        file.rows.clear();
    }
    summary.skippedRows = static_cast<int64_t>(summary.issues.size());
    if (options.badRows == BadRowPolicy::Stop && !summary.issues.empty()) throw DatasetError(summary.issues);

    std::vector<int64_t> lengths;
    for (const FileRows& file : files)
        for (const Example& example : file.examples) {
            lengths.push_back(example.untruncatedLength);
            if (example.truncated) ++summary.truncatedExamples;
        }
    summary.lengths = computeLengthStats(lengths);
    summary.histogram = lengthHistogram(lengths);

    if (files.size() > 1) {
        result.train = std::move(files[0].examples);
        result.validation = std::move(files[1].examples);
    } else {
        std::vector<Example>& examples = files[0].examples;
        const SplitIndices split = splitTrainValidation(examples.size(), options.validationFraction, options.seed);
        result.train.reserve(split.train.size());
        result.validation.reserve(split.validation.size());
        for (const size_t index : split.train) result.train.push_back(std::move(examples[index]));
        for (const size_t index : split.validation) result.validation.push_back(std::move(examples[index]));
    }
    summary.trainExamples = static_cast<int64_t>(result.train.size());
    summary.validationExamples = static_cast<int64_t>(result.validation.size());
    if (options.packing && !blocks) result.train = packExamples(result.train, options.maxLengthTokens);
    summary.trainRows = static_cast<int64_t>(result.train.size());
    for (const Example& example : result.train) {
        summary.trainTokens += example.length();
        summary.trainTargetTokens += std::count_if(example.labels.begin(), example.labels.end(),
                                                   [](int64_t label) { return label != kIgnoreLabel; });
    }
    summary.tokenizeSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

}  // namespace capsule::data
