#include "arguments.h"

#include <cerrno>
#include <cstdlib>

namespace capsule::cli {

Arguments::Arguments(int argc, char** argv, int first, const std::vector<OptionSpec>& specs) {
    for (int i = first; i < argc; ++i) {
        std::string token = argv[i];
        if (token.size() > 2 && token.compare(0, 2, "--") == 0) {
            std::string name = token.substr(2);
            std::optional<std::string> inlineValue;
            if (const auto equals = name.find('='); equals != std::string::npos) {
                inlineValue = name.substr(equals + 1);
                name = name.substr(0, equals);
            }
            const OptionSpec* spec = nullptr;
            for (const auto& candidate : specs) {
                if (candidate.name == name) spec = &candidate;
            }
            if (!spec) throw UsageError("unknown option --" + name + " (see --help)");
            std::string value;
            if (spec->takesValue) {
                if (inlineValue) {
                    value = *inlineValue;
                } else if (i + 1 < argc) {
                    value = argv[++i];
                } else {
                    throw UsageError("option --" + name + " needs a value (" + spec->valueName + ")");
                }
            } else if (inlineValue) {
                throw UsageError("option --" + name + " takes no value");
            }
            values_[name] = value;
            given_.emplace_back(name, value);
        } else {
            positional_.push_back(token);
        }
    }
}

std::optional<std::string> Arguments::value(const std::string& name) const {
    const auto found = values_.find(name);
    if (found == values_.end()) return std::nullopt;
    return found->second;
}

std::string Arguments::required(const std::string& name) const {
    const auto found = values_.find(name);
    if (found == values_.end()) throw UsageError("missing required option --" + name);
    return found->second;
}

std::string Arguments::valueOr(const std::string& name, const std::string& fallback) const {
    const auto found = values_.find(name);
    return found == values_.end() ? fallback : found->second;
}

long long Arguments::integerOr(const std::string& name, long long fallback) const {
    const auto found = values_.find(name);
    if (found == values_.end()) return fallback;
    const std::string& text = found->second;
    char* end = nullptr;
    errno = 0;
    const long long parsed = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || errno != 0 || *end != '\0')
        throw UsageError("option --" + name + " expects an integer, got '" + text + "'");
    return parsed;
}

double Arguments::numberOr(const std::string& name, double fallback) const {
    const auto found = values_.find(name);
    if (found == values_.end()) return fallback;
    const std::string& text = found->second;
    char* end = nullptr;
    errno = 0;
    const double parsed = std::strtod(text.c_str(), &end);
    if (text.empty() || errno != 0 || *end != '\0')
        throw UsageError("option --" + name + " expects a number, got '" + text + "'");
    return parsed;
}

std::string formatOptions(const std::vector<OptionSpec>& specs) {
    std::string text;
    for (const auto& spec : specs) {
        std::string left = "  --" + spec.name + (spec.takesValue ? " " + spec.valueName : "");
        if (left.size() < 28) left.resize(28, ' ');
        else left += "  ";
        text += left + spec.help + "\n";
    }
    return text;
}

}  // namespace capsule::cli
