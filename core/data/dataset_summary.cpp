#include "data/dataset_summary.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace capsule::data {

namespace {

// The smallest of 1, 2, 5 x 10^k that is >= value.
int64_t roundWidth(double value) {
    int64_t scale = 1;
    while (true) {
        for (const int64_t step : {1, 2, 5})
            if (static_cast<double>(step * scale) >= value) return step * scale;
        scale *= 10;
    }
}

}  // namespace

LengthStats computeLengthStats(std::vector<int64_t> lengths) {
    LengthStats stats;
    if (lengths.empty()) return stats;
    std::sort(lengths.begin(), lengths.end());
    const size_t n = lengths.size();
    stats.count = static_cast<int64_t>(n);
    stats.minTokens = lengths.front();
    stats.maxTokens = lengths.back();
    stats.meanTokens = static_cast<double>(std::accumulate(lengths.begin(), lengths.end(), int64_t{0})) /
                       static_cast<double>(n);
    stats.medianTokens = n % 2 ? static_cast<double>(lengths[n / 2])
                               : (static_cast<double>(lengths[n / 2 - 1]) + static_cast<double>(lengths[n / 2])) / 2.0;
    const size_t rank = static_cast<size_t>(std::ceil(0.95 * static_cast<double>(n)));
    stats.p95Tokens = lengths[std::max<size_t>(rank, 1) - 1];
    return stats;
}

std::vector<HistogramBin> lengthHistogram(const std::vector<int64_t>& lengths, int targetBins) {
    std::vector<HistogramBin> bins;
    if (lengths.empty()) return bins;
    targetBins = std::max(targetBins, 1);
    const int64_t longest = *std::max_element(lengths.begin(), lengths.end());
    const int64_t width = roundWidth(static_cast<double>(longest + 1) / targetBins);
    const int64_t count = longest / width + 1;
    for (int64_t b = 0; b < count; ++b) bins.push_back({b * width, (b + 1) * width, 0});
    for (const int64_t length : lengths) ++bins[static_cast<size_t>(std::max<int64_t>(length, 0) / width)].count;
    return bins;
}

std::string DatasetSummary::describe() const {
    char line[256];
    std::string text = file + ": " + formatName(format) + " (" + formatReason + "), template " + templateName;
    if (!templateNote.empty()) text += " (" + templateNote + ")";
    std::snprintf(line, sizeof line,
                  "\nrows %lld, valid %lld, skipped %lld, truncated %lld; train %lld examples (%lld rows), "
                  "validation %lld",
                  static_cast<long long>(rows), static_cast<long long>(validRows), static_cast<long long>(skippedRows),
                  static_cast<long long>(truncatedExamples), static_cast<long long>(trainExamples),
                  static_cast<long long>(trainRows), static_cast<long long>(validationExamples));
    text += line;
    std::snprintf(line, sizeof line, "\ntokens per example: min %lld, mean %.1f, median %.1f, p95 %lld, max %lld",
                  static_cast<long long>(lengths.minTokens), lengths.meanTokens, lengths.medianTokens,
                  static_cast<long long>(lengths.p95Tokens), static_cast<long long>(lengths.maxTokens));
    text += line;
    for (size_t i = 0; i < issues.size() && i < 10; ++i) text += "\n  " + issues[i].describe();
    if (issues.size() > 10) text += "\n  ... and " + std::to_string(issues.size() - 10) + " more bad rows";
    return text;
}

nlohmann::json toJson(const DatasetSummary& summary) {
    nlohmann::json object;
    object["file"] = summary.file;
    object["validation_file"] = summary.validationFile;
    object["format"] = formatName(summary.format);
    object["format_reason"] = summary.formatReason;
    object["template"] = summary.templateName;
    object["template_note"] = summary.templateNote;
    object["max_length"] = summary.maxLengthTokens;
    object["rows"] = summary.rows;
    object["valid_rows"] = summary.validRows;
    object["skipped_rows"] = summary.skippedRows;
    object["truncated_examples"] = summary.truncatedExamples;
    object["train_examples"] = summary.trainExamples;
    object["validation_examples"] = summary.validationExamples;
    object["train_rows"] = summary.trainRows;
    object["train_tokens"] = summary.trainTokens;
    object["train_target_tokens"] = summary.trainTargetTokens;
    object["lengths"] = {{"count", summary.lengths.count},          {"min", summary.lengths.minTokens},
                         {"mean", summary.lengths.meanTokens},      {"median", summary.lengths.medianTokens},
                         {"p95", summary.lengths.p95Tokens},        {"max", summary.lengths.maxTokens}};
    nlohmann::json bins = nlohmann::json::array();
    for (const HistogramBin& bin : summary.histogram)
        bins.push_back({{"lower", bin.lowerTokens}, {"upper", bin.upperTokens}, {"count", bin.count}});
    object["histogram"] = bins;
    nlohmann::json issues = nlohmann::json::array();
    for (const RowIssue& issue : summary.issues)
        issues.push_back({{"file", issue.file}, {"line", issue.line}, {"problem", problemName(issue.problem)},
                          {"message", issue.message}});
    object["issues"] = issues;
    object["tokenize_seconds"] = summary.tokenizeSeconds;
    return object;
}

}  // namespace capsule::data
