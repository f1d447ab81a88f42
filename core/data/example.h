#pragma once
// One rendered, tokenized training example (or one packed row of several). Plain values.
#include <cstdint>
#include <string>
#include <vector>

namespace capsule::data {

/// The label value CrossEntropyLoss ignores (PyTorch's default ignore_index).
constexpr int64_t kIgnoreLabel = -100;

struct SourceLocation {
    std::string file;
    int64_t line = 0;  // 1-based line where the row starts
};

struct Example {
    /// Token ids of the whole sequence (prompt + response, or a packed row).
    std::vector<int64_t> inputIds;  // [T]
    /// Loss targets, not shifted (the model shifts): the id where the token is trained on,
    /// kIgnoreLabel on prompt/template tokens (and on the first token of each packed example).
    std::vector<int64_t> labels;  // [T]
    /// Packed rows only (empty otherwise): positions restart at 0 for each packed example, and
    /// the segment (1, 2, ...) tells which packed example a token belongs to, so attention can be
    /// kept within an example.
    std::vector<int64_t> positionIds;  // [T]
    std::vector<int64_t> segmentIds;   // [T]

    /// Multiple-choice / classification: the prompt ids, each choice's ids (the choice text plus
    /// the template's end-of-turn marker or EOS) and the gold choice. inputIds/labels hold the
    /// context followed by the gold choice, trained on the gold choice only.
    std::vector<int64_t> contextIds;               // [C]
    std::vector<std::vector<int64_t>> choiceIds;   // N x [L_c]
    int64_t goldIndex = -1;

    SourceLocation source;      // first row for a packed row
    int64_t untruncatedLength = 0;  // tokens before truncation (sum over a packed row)
    bool truncated = false;
    int64_t packedCount = 1;    // examples in this row

    int64_t length() const { return static_cast<int64_t>(inputIds.size()); }
    /// Length of the longest context + choice sequence (what a choice batch pads to).
    int64_t choiceSequenceLength() const {
        size_t longest = 0;
        for (const auto& choice : choiceIds) longest = choice.size() > longest ? choice.size() : longest;
        return static_cast<int64_t>(contextIds.size() + longest);
    }
};

}  // namespace capsule::data
