#include "tokenizer/regex_pattern.h"

#include "tokenizer/unicode_text.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <nlohmann/json.hpp>
#include <pcre2.h>

#include <stdexcept>

namespace capsule::tokenizer {

namespace {
constexpr const char* kWordClass = "\\p{L}\\p{M}\\p{N}\\p{Pc}";
constexpr const char* kHexClass = "0-9a-fA-F";
}  // namespace

std::string translateOnigurumaPattern(const std::string& pattern) {
    std::string out;
    out.reserve(pattern.size() + 16);
    int classDepth = 0;  // inside [...]
    for (size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            const char next = pattern[i + 1];
            ++i;
            if (next == 'w') {
                out += classDepth ? std::string(kWordClass) : "[" + std::string(kWordClass) + "]";
            } else if (next == 'W' && !classDepth) {
                out += "[^" + std::string(kWordClass) + "]";
            } else if (next == 'h') {
                out += classDepth ? std::string(kHexClass) : "[" + std::string(kHexClass) + "]";
            } else if (next == 'H' && !classDepth) {
                out += "[^" + std::string(kHexClass) + "]";
            } else {
                out += '\\';
                out += next;
            }
            continue;
        }
        if (c == '[') {
            ++classDepth;
            out += c;
            // A ']' right after '[' or '[^' is a literal member.
            if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
            if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
            continue;
        }
        if (c == ']' && classDepth > 0) --classDepth;
        out += c;
    }
    return out;
}

struct RegexPattern::Compiled {
    pcre2_code* code = nullptr;
    bool jit = false;
    ~Compiled() {
        if (code) pcre2_code_free(code);
    }
};

RegexPattern::RegexPattern(const std::string& pattern, const std::string& context)
    : source_(pattern), compiled_(std::make_unique<Compiled>()) {
    const std::string translated = translateOnigurumaPattern(pattern);
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                                    PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE, &errorCode, &errorOffset, nullptr);
    if (!compiled_->code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(errorCode, message, sizeof(message));
        throw std::runtime_error(context + ": invalid regex '" + pattern + "': " +
                                 reinterpret_cast<const char*>(message) + " at offset " +
                                 std::to_string(errorOffset));
    }
    compiled_->jit = pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE) == 0;
}

RegexPattern::~RegexPattern() = default;

void RegexPattern::findAll(std::string_view text, std::vector<std::pair<size_t, size_t>>& matches) const {
    matches.clear();
    if (text.empty()) {
        // Oniguruma still reports an empty match on empty input; callers treat it like none.
        return;
    }
    struct MatchData {
        pcre2_match_data* data;
        ~MatchData() { pcre2_match_data_free(data); }
    } matchData{pcre2_match_data_create(1, nullptr)};
    if (!matchData.data) throw std::bad_alloc();
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t searchFrom = 0;
    bool haveLastEnd = false;
    size_t lastEnd = 0;
    while (searchFrom <= text.size()) {
        // The subject was validated once up front; re-checking it on every call would make
        // iterating over a long text quadratic.
        const int rc = compiled_->jit
                           ? pcre2_jit_match(compiled_->code, subject, text.size(), searchFrom, PCRE2_NO_UTF_CHECK,
                                             matchData.data, nullptr)
                           : pcre2_match(compiled_->code, subject, text.size(), searchFrom, PCRE2_NO_UTF_CHECK,
                                         matchData.data, nullptr);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            PCRE2_UCHAR message[256];
            pcre2_get_error_message(rc, message, sizeof(message));
            throw std::runtime_error("regex '" + source_ + "' failed: " + reinterpret_cast<const char*>(message));
        }
        const PCRE2_SIZE* vector = pcre2_get_ovector_pointer(matchData.data);
        const size_t start = vector[0], end = vector[1];
        if (start == end && haveLastEnd && lastEnd == end) {
            // Oniguruma's iterator: an empty match right after the previous match is skipped by
            // moving one character forward.
            if (searchFrom >= text.size()) break;
            searchFrom += unicode::sequenceLength(static_cast<unsigned char>(text[searchFrom]));
            continue;
        }
        matches.emplace_back(start, end);
        haveLastEnd = true;
        lastEnd = end;
        if (end == start) {
            if (end >= text.size()) break;
            searchFrom = end;
            // The next search from the same place would find this empty match again; the
            // rule above then steps forward.
        } else {
            searchFrom = end;
        }
    }
}

std::shared_ptr<const TextPattern> TextPattern::fromJson(const void* jsonObject, const std::string& context) {
    const auto& json = *static_cast<const nlohmann::json*>(jsonObject);
    if (!json.is_object()) throw std::runtime_error(context + ": 'pattern' must be an object {\"String\"|\"Regex\": ...}");
    if (json.contains("String") && json["String"].is_string()) return literal(json["String"].get<std::string>());
    if (json.contains("Regex") && json["Regex"].is_string()) return regex(json["Regex"].get<std::string>(), context);
    throw std::runtime_error(context + ": 'pattern' must be {\"String\": s} or {\"Regex\": r}");
}

std::shared_ptr<const TextPattern> TextPattern::literal(std::string text) {
    auto pattern = std::make_shared<TextPattern>();
    pattern->literal_ = std::move(text);
    return pattern;
}

std::shared_ptr<const TextPattern> TextPattern::regex(const std::string& source, const std::string& context) {
    auto pattern = std::make_shared<TextPattern>();
    pattern->regex_ = std::make_shared<RegexPattern>(source, context);
    return pattern;
}

void TextPattern::findAll(std::string_view text, std::vector<std::pair<size_t, size_t>>& matches) const {
    if (regex_) {
        regex_->findAll(text, matches);
        return;
    }
    matches.clear();
    if (literal_.empty()) return;  // an escaped empty regex matches only empty strings: no pieces
    size_t at = 0;
    while ((at = text.find(literal_, at)) != std::string_view::npos) {
        matches.emplace_back(at, at + literal_.size());
        at += literal_.size();
    }
}

std::vector<PatternSplit> coverWithMatches(size_t textSize, const std::vector<std::pair<size_t, size_t>>& matches,
                                           bool invert) {
    std::vector<PatternSplit> splits;
    if (textSize == 0) {
        splits.push_back({0, 0, invert});
        return splits;
    }
    splits.reserve(matches.size() * 2 + 1);
    size_t previous = 0;
    for (const auto& [start, end] : matches) {
        if (previous != start) splits.push_back({previous, start, invert});
        splits.push_back({start, end, !invert});
        previous = end;
    }
    if (previous != textSize) splits.push_back({previous, textSize, invert});
    return splits;
}

std::vector<PatternSplit> TextPattern::split(std::string_view text, bool invert) const {
    std::vector<std::pair<size_t, size_t>> matches;
    findAll(text, matches);
    return coverWithMatches(text.size(), matches, invert);
}

}  // namespace capsule::tokenizer
