#pragma once
// What a user sees before training: row counts (read, valid, skipped, truncated, train/validation),
// token length statistics and a histogram for a chart, the detected format and why, the template,
// and every bad row. Plain values.
#include "data/dataset_options.h"
#include "data/row_issue.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace capsule::data {

struct LengthStats {
    int64_t count = 0;
    int64_t minTokens = 0;
    int64_t maxTokens = 0;
    double meanTokens = 0.0;
    double medianTokens = 0.0;  // mean of the two middle values for an even count
    int64_t p95Tokens = 0;      // nearest-rank 95th percentile
};

/// Bin [lowerTokens, upperTokens) holds `count` lengths. Bins are equal-width with a round width
/// (1, 2 or 5 times a power of ten), start at 0 and cover the longest length.
struct HistogramBin {
    int64_t lowerTokens = 0;
    int64_t upperTokens = 0;
    int64_t count = 0;
};

struct DatasetSummary {
    std::string file, validationFile;
    DatasetFormat format = DatasetFormat::Text;
    std::string formatReason;   // why this format (detection rule or "set in the options")
    std::string templateName;   // the chat format used to render prompts
    std::string templateNote;   // why that template / the template's warning
    int64_t maxLengthTokens = 0;

    int64_t rows = 0;                // records read (train and validation files)
    int64_t validRows = 0;           // rows that became examples
    int64_t skippedRows = 0;         // bad rows left out
    int64_t truncatedExamples = 0;   // valid examples cut to max_length
    int64_t trainExamples = 0;
    int64_t validationExamples = 0;
    int64_t trainRows = 0;           // training sequences after packing (= trainExamples without)
    int64_t trainTokens = 0;         // tokens in the training sequences
    int64_t trainTargetTokens = 0;   // of which carry a label (are trained on)

    LengthStats lengths;                  // untruncated token lengths of every valid example
    std::vector<HistogramBin> histogram;  // of the same lengths
    std::vector<RowIssue> issues;         // every bad row, in file order
    double tokenizeSeconds = 0.0;         // wall time of reading, rendering and tokenizing

    /// A few lines for a log or the CLI.
    std::string describe() const;
};

LengthStats computeLengthStats(std::vector<int64_t> lengths);
/// About `targetBins` bins (never more than 2x that); empty input gives no bins.
std::vector<HistogramBin> lengthHistogram(const std::vector<int64_t>& lengths, int targetBins = 20);

nlohmann::json toJson(const DatasetSummary& summary);

}  // namespace capsule::data
