#include "data/row_issue.h"

namespace capsule::data {

namespace {

std::string summarize(const std::vector<RowIssue>& issues) {
    constexpr size_t kShown = 5;
    if (issues.empty()) return "dataset refused";
    std::string text = std::to_string(issues.size()) + (issues.size() == 1 ? " bad row" : " bad rows") +
                       " (bad_rows = stop): ";
    for (size_t i = 0; i < issues.size() && i < kShown; ++i) text += (i ? "; " : "") + issues[i].describe();
    if (issues.size() > kShown) text += "; and " + std::to_string(issues.size() - kShown) + " more";
    return text;
}

}  // namespace

std::string problemName(RowProblem problem) {
    switch (problem) {
    case RowProblem::InvalidJson: return "invalid JSON";
    case RowProblem::InvalidUtf8: return "invalid UTF-8";
    case RowProblem::MalformedRow: return "malformed row";
    case RowProblem::MissingField: return "missing field";
    case RowProblem::WrongType: return "wrong type";
    case RowProblem::InvalidValue: return "invalid value";
    case RowProblem::EmptyResponse: return "empty response";
    case RowProblem::OverLong: return "over-long";
    case RowProblem::AnswerOutOfRange: return "answer out of range";
    case RowProblem::UnknownLabel: return "unknown label";
    }
    return "invalid value";
}

std::string RowIssue::describe() const {
    return file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + message;
}

DatasetError::DatasetError(std::vector<RowIssue> issues)
    : std::runtime_error(summarize(issues)), issues_(std::move(issues)) {}

}  // namespace capsule::data
