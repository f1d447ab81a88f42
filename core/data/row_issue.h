#pragma once
// A bad row found while validating a dataset: where it is (file and 1-based line of the row's
// first character) and what is wrong, plus the exception that refuses a dataset under
// BadRowPolicy::Stop. Plain values.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace capsule::data {

enum class RowProblem {
    InvalidJson,       // the parser's message is in the text
    InvalidUtf8,
    MalformedRow,      // CSV/TSV: wrong number of fields, unterminated quote
    MissingField,
    WrongType,
    InvalidValue,      // e.g. an unknown chat role, roles a template cannot render
    EmptyResponse,     // nothing to train on (empty output, no assistant message, empty text)
    OverLong,          // the prompt alone reaches max_length: no response token would be left
    AnswerOutOfRange,  // multiple-choice answer index outside the choices
    UnknownLabel,      // classification label not in label_words; answer matching no choice
};

/// "invalid JSON", "invalid UTF-8", "malformed row", "missing field", "wrong type",
/// "invalid value", "empty response", "over-long", "answer out of range", "unknown label".
std::string problemName(RowProblem problem);

struct RowIssue {
    std::string file;  // as given to the loader
    int64_t line = 0;  // 1-based; 0 when the problem concerns the whole file
    RowProblem problem = RowProblem::InvalidValue;
    std::string message;  // what is wrong, without the location

    /// "file:line: message".
    std::string describe() const;
};

/// Thrown under BadRowPolicy::Stop after the whole dataset was checked: what() names the first
/// few bad rows and the count; issues() has all of them.
class DatasetError : public std::runtime_error {
public:
    explicit DatasetError(std::vector<RowIssue> issues);
    const std::vector<RowIssue>& issues() const { return issues_; }

private:
    std::vector<RowIssue> issues_;
};

/// Thrown inside the per-row code and turned into a RowIssue by the loader (never escapes it).
struct RowProblemError : std::runtime_error {
    RowProblemError(RowProblem kind, const std::string& message) : std::runtime_error(message), problem(kind) {}
    RowProblem problem;
};

}  // namespace capsule::data
