#pragma once
// Shared helpers for the dataset tests: the fixture tokenizers (loaded once per process), file
// writing, and reading the trained spans back out of an example.
#include "capsule_test.h"

#include "data/example.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace capsule::test {

inline std::string tokenizerFolder(const std::string& name) { return fixturesDir() + "/tokenizers/" + name; }

/// "gpt2", "qwen3" or "sp-bpe", loaded once. (The name is taken by value: a `const std::string&`
/// bound to a literal makes GCC 14+ warn that the returned reference may dangle.)
inline const tokenizer::Tokenizer& fixtureTokenizer(std::string_view name) {
    static std::map<std::string, std::unique_ptr<tokenizer::Tokenizer>> cache;
    auto& slot = cache[std::string(name)];
    if (!slot)
        slot = std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::fromDirectory(tokenizerFolder(std::string(name))));
    return *slot;
}

inline tokenizer::ChatTemplate fixtureTemplate(const std::string& name) {
    return tokenizer::ChatTemplate::fromDirectory(tokenizerFolder(name), fixtureTokenizer(name).specialTokens());
}

/// Maximal runs of trained positions (label != -100) as [begin, end) index pairs.
inline std::vector<std::pair<size_t, size_t>> trainedRuns(const data::Example& example) {
    std::vector<std::pair<size_t, size_t>> runs;
    for (size_t t = 0; t < example.labels.size(); ++t) {
        if (example.labels[t] == data::kIgnoreLabel) continue;
        if (!runs.empty() && runs.back().second == t)
            runs.back().second = t + 1;
        else
            runs.emplace_back(t, t + 1);
    }
    return runs;
}

inline std::vector<int64_t> slice(const std::vector<int64_t>& ids, size_t begin, size_t end) {
    return std::vector<int64_t>(ids.begin() + static_cast<std::ptrdiff_t>(begin),
                                ids.begin() + static_cast<std::ptrdiff_t>(end));
}

/// True when every trained label equals its input id.
inline bool labelsMatchIds(const data::Example& example) {
    if (example.labels.size() != example.inputIds.size()) return false;
    for (size_t t = 0; t < example.labels.size(); ++t)
        if (example.labels[t] != data::kIgnoreLabel && example.labels[t] != example.inputIds[t]) return false;
    return true;
}

}  // namespace capsule::test
