#pragma once
// Command-line parsing for capsule-cli: `capsule-cli COMMAND [positional...] [--flag value | --switch]`.
// Each command declares its options; unknown options, missing values and bad numbers are errors
// that name the option (the CLI contract: one clear line on stderr, non-zero exit).
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace capsule::cli {

/// A usage error; main() prints "capsule-cli COMMAND: <what>" and exits with code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct OptionSpec {
    std::string name;        // without dashes: "max-steps"
    bool takesValue = true;  // false: a switch such as --json
    std::string valueName;   // "N", "DIR", ...
    std::string help;
};

class Arguments {
public:
    /// Parses argv[first..argc) against specs. Throws UsageError.
    Arguments(int argc, char** argv, int first, const std::vector<OptionSpec>& specs);

    const std::vector<std::string>& positional() const { return positional_; }
    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::optional<std::string> value(const std::string& name) const;
    std::string required(const std::string& name) const;
    std::string valueOr(const std::string& name, const std::string& fallback) const;
    long long integerOr(const std::string& name, long long fallback) const;
    double numberOr(const std::string& name, double fallback) const;

    /// Every option given, in order, with its value ("" for switches); lets config-file merging see them.
    const std::vector<std::pair<std::string, std::string>>& given() const { return given_; }

private:
    std::vector<std::string> positional_;
    std::map<std::string, std::string> values_;
    std::vector<std::pair<std::string, std::string>> given_;
};

/// "  --max-steps N      help text" lines for a command's help.
std::string formatOptions(const std::vector<OptionSpec>& specs);

}  // namespace capsule::cli
