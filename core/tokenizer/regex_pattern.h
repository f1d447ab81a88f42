#pragma once
// The patterns that split and replace text: a PCRE2 regular expression (UTF + UCP, JIT-compiled
// when the platform has a JIT) standing in for the Oniguruma regexes of Hugging Face tokenizers,
// or a literal string. Patterns are immutable after construction and safe to share between
// threads; each search allocates its own match data.
//
// Oniguruma (Ruby syntax) differences handled here: `\w`/`\W` mean Letter|Mark|Number|Pc
// (PCRE2 lacks marks), `\h`/`\H` mean hexadecimal digits, and `^`/`$` are line anchors.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace capsule::tokenizer {

/// One piece of a covering split of a text: [begin, end) and whether it is a pattern match.
struct PatternSplit {
    size_t begin = 0, end = 0;
    bool isMatch = false;
};

class RegexPattern {
public:
    /// Compiles `pattern`; throws std::runtime_error "<context>: invalid regex '<p>': <why> at <n>".
    RegexPattern(const std::string& pattern, const std::string& context);
    ~RegexPattern();
    RegexPattern(const RegexPattern&) = delete;
    RegexPattern& operator=(const RegexPattern&) = delete;

    /// Non-overlapping matches, left to right, with Oniguruma's handling of empty matches.
    /// `text` must be valid UTF-8 (it is not re-checked).
    void findAll(std::string_view text, std::vector<std::pair<size_t, size_t>>& matches) const;

    const std::string& source() const { return source_; }

private:
    struct Compiled;
    std::string source_;
    std::unique_ptr<Compiled> compiled_;
};

/// A literal string or a regex, as in tokenizer.json's {"String": s} / {"Regex": r}.
class TextPattern {
public:
    /// Parses {"String": ...} or {"Regex": ...}; throws naming `context` otherwise.
    static std::shared_ptr<const TextPattern> fromJson(const void* jsonObject, const std::string& context);
    static std::shared_ptr<const TextPattern> literal(std::string text);
    static std::shared_ptr<const TextPattern> regex(const std::string& pattern, const std::string& context);

    void findAll(std::string_view text, std::vector<std::pair<size_t, size_t>>& matches) const;
    /// Covering split of `text` (one empty non-match for empty text), as Pattern::find_matches.
    std::vector<PatternSplit> split(std::string_view text, bool invert) const;

private:
    std::string literal_;
    std::shared_ptr<RegexPattern> regex_;
};

/// Rewrites the Oniguruma-only escapes of `pattern` into PCRE2 syntax (see the file comment).
std::string translateOnigurumaPattern(const std::string& pattern);

/// Builds a covering split from non-overlapping matches.
std::vector<PatternSplit> coverWithMatches(size_t textSize, const std::vector<std::pair<size_t, size_t>>& matches,
                                           bool invert);

}  // namespace capsule::tokenizer
