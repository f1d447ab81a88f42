#pragma once
// Turns generated token ids into text as they arrive (capsule-cli generate and the studio's
// playground share it). Tokens are decoded together because a character may span several
// byte-level tokens; a trailing U+FFFD (an incomplete UTF-8 sequence) is held back until the next
// token completes it, so the pieces handed out always concatenate to the final decode.
#include "tokenizer/tokenizer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace capsule::tokenizer {

class TextStreamer {
public:
    /// `tokenizer` must outlive the streamer. Special tokens are skipped in the text.
    explicit TextStreamer(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {}

    /// Adds one token; returns the text that became printable (often empty for partial characters).
    std::string add(int64_t tokenId);
    /// Returns whatever was held back (an incomplete character at the very end).
    std::string finish();

    /// Everything handed out so far.
    const std::string& text() const { return printed_; }
    const std::vector<int64_t>& tokens() const { return tokens_; }

private:
    std::string advance(bool final);

    const Tokenizer& tokenizer_;
    std::vector<int64_t> tokens_;
    std::string printed_;
};

/// The ids that end generation: the model config's eos ids, then the tokenizer's that are not
/// among them yet.
std::vector<int64_t> mergeStopTokenIds(std::vector<int64_t> modelEosIds, const SpecialTokens& specialTokens);

}  // namespace capsule::tokenizer
