#pragma once
// Python `re` semantics for the regexes PEFT configs carry (target_modules / exclude_modules /
// feedforward_modules as a string, layers_pattern, rank_pattern / alpha_pattern keys).
//
// Why PCRE2 and not std::regex: std::regex (ECMAScript) lacks lookbehind, `(?P<name>...)`,
// inline flags such as `(?i)` and possessive/atomic groups, and libstdc++'s implementation
// recurses per character (stack overflow on long inputs). PCRE2 is Perl-compatible, which is what
// Python's `re` is modelled on; with PCRE2_UTF | PCRE2_UCP, `\w`, `\d` and `\s` are Unicode-aware
// like Python 3 str patterns. `re.fullmatch` maps to PCRE2_ANCHORED | PCRE2_ENDANCHORED, `re.match`
// to PCRE2_ANCHORED. Remaining differences (Python-only escapes such as `\Z`, which PCRE2 reads
// as "end or before final newline") do not matter for module names, which never contain newlines.
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace capsule::peft {

/// A compiled pattern. Immutable after construction; safe to share between threads (each match
/// allocates its own match data).
class PythonRegex {
public:
    /// Compiles `pattern`; throws std::runtime_error "<context>: invalid regex '<pattern>': <why>
    /// at offset <n>".
    PythonRegex(const std::string& pattern, const std::string& context);
    ~PythonRegex();
    PythonRegex(PythonRegex&&) noexcept;
    PythonRegex& operator=(PythonRegex&&) noexcept;
    PythonRegex(const PythonRegex&) = delete;
    PythonRegex& operator=(const PythonRegex&) = delete;

    /// `re.fullmatch(pattern, text) is not None`.
    bool fullMatch(const std::string& text) const;
    /// `re.match(pattern, text)` (anchored at the start only): the groups (index 0 = whole match;
    /// an unset group is ""), or nullopt when there is no match.
    std::optional<std::vector<std::string>> match(const std::string& text) const;

    const std::string& pattern() const { return pattern_; }

private:
    std::string pattern_;
    struct Compiled;
    std::unique_ptr<Compiled> compiled_;
};

/// One-shot helpers (compile, match, discard).
bool regexFullMatch(const std::string& pattern, const std::string& text, const std::string& context);

}  // namespace capsule::peft
