#include "peft/python_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>

namespace capsule::peft {

struct PythonRegex::Compiled {
    pcre2_code* code = nullptr;  // owned
    ~Compiled() {
        if (code) pcre2_code_free(code);
    }
};

PythonRegex::PythonRegex(const std::string& pattern, const std::string& context)
    : pattern_(pattern), compiled_(std::make_unique<Compiled>()) {
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                    PCRE2_UTF | PCRE2_UCP, &errorCode, &errorOffset, nullptr);
    if (!compiled_->code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(errorCode, message, sizeof(message));
        throw std::runtime_error(context + ": invalid regex '" + pattern + "': " +
                                 reinterpret_cast<const char*>(message) + " at offset " +
                                 std::to_string(errorOffset));
    }
}

PythonRegex::~PythonRegex() = default;
PythonRegex::PythonRegex(PythonRegex&&) noexcept = default;
PythonRegex& PythonRegex::operator=(PythonRegex&&) noexcept = default;

namespace {

struct MatchData {
    explicit MatchData(const pcre2_code* code) : data(pcre2_match_data_create_from_pattern(code, nullptr)) {
        if (!data) throw std::bad_alloc();
    }
    ~MatchData() { pcre2_match_data_free(data); }
    MatchData(const MatchData&) = delete;
    MatchData& operator=(const MatchData&) = delete;
    pcre2_match_data* data;
};

int runMatch(const pcre2_code* code, const std::string& text, uint32_t options, MatchData& matchData) {
    // Invalid UTF-8 in a module name is a no-match, never an error or an out-of-bounds read.
    const int result = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, options,
                                   matchData.data, nullptr);
    if (result == PCRE2_ERROR_NOMATCH || result == PCRE2_ERROR_PARTIAL) return 0;
    if (result <= PCRE2_ERROR_UTF8_ERR1 && result >= PCRE2_ERROR_UTF8_ERR21) return 0;
    return result;
}

}  // namespace

bool PythonRegex::fullMatch(const std::string& text) const {
    MatchData matchData(compiled_->code);
    const int result = runMatch(compiled_->code, text, PCRE2_ANCHORED | PCRE2_ENDANCHORED, matchData);
    if (result < 0)
        throw std::runtime_error("regex '" + pattern_ + "': matching '" + text + "' failed (PCRE2 error " +
                                 std::to_string(result) + ")");
    return result > 0;
}

std::optional<std::vector<std::string>> PythonRegex::match(const std::string& text) const {
    MatchData matchData(compiled_->code);
    const int result = runMatch(compiled_->code, text, PCRE2_ANCHORED, matchData);
    if (result < 0)
        throw std::runtime_error("regex '" + pattern_ + "': matching '" + text + "' failed (PCRE2 error " +
                                 std::to_string(result) + ")");
    if (result == 0) return std::nullopt;
    uint32_t groupCount = 0;
    pcre2_pattern_info(compiled_->code, PCRE2_INFO_CAPTURECOUNT, &groupCount);
    const PCRE2_SIZE* offsets = pcre2_get_ovector_pointer(matchData.data);
    std::vector<std::string> groups;
    groups.reserve(groupCount + 1);
    for (uint32_t i = 0; i <= groupCount; ++i) {
        const PCRE2_SIZE begin = offsets[2 * i], end = offsets[2 * i + 1];
        if (static_cast<int>(i) >= result || begin == PCRE2_UNSET || end < begin || end > text.size())
            groups.emplace_back();
        else
            groups.emplace_back(text.substr(begin, end - begin));
    }
    return groups;
}

bool regexFullMatch(const std::string& pattern, const std::string& text, const std::string& context) {
    return PythonRegex(pattern, context).fullMatch(text);
}

}  // namespace capsule::peft
