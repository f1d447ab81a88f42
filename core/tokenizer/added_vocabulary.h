#pragma once
// Added tokens (tokenizer.json "added_tokens"): strings matched as whole tokens before the model
// sees the text. Tokens with `normalized: false` are found in the raw input, the others in the
// normalized remainder (their own content normalized the same way), both leftmost-longest, with
// `single_word`, `lstrip` and `rstrip` handled like Hugging Face's AddedVocabulary::find_matches.
// Immutable after construction (thread-safe).
#include "tokenizer/normalizers.h"
#include "tokenizer/pre_tokenized.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace capsule::tokenizer {

struct AddedToken {
    int64_t id = 0;
    std::string content;
    bool singleWord = false, lstrip = false, rstrip = false, normalized = true, special = false;
};

class AddedVocabulary {
public:
    AddedVocabulary() = default;
    /// `normalizer` (may be null) normalizes the content of `normalized` tokens for matching.
    AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer);

    /// Splits the raw input into added-token pieces and text pieces, normalizes the text pieces
    /// and splits them again on the normalized tokens (extract_and_normalize).
    Pieces extractAndNormalize(std::string_view text, const Normalizer* normalizer) const;

    const std::vector<AddedToken>& tokens() const { return tokens_; }
    /// The added token with this id, or nullptr.
    const AddedToken* byId(int64_t id) const;
    /// The id of the added token with this content, or nullopt.
    std::optional<int64_t> idOf(std::string_view content) const;
    /// True when `content` is the content of a special added token.
    bool isSpecialContent(std::string_view content) const;
    int64_t idLimit() const { return idLimit_; }

private:
    // Byte trie over token contents; leftmost-longest search as Aho-Corasick's LeftmostLongest.
    struct Trie {
        struct Node {
            std::unordered_map<unsigned char, int32_t> children;
            int32_t token = -1;  // index into tokens_ when a content ends here
        };
        std::vector<Node> nodes{Node{}};
        bool firstByte[256] = {};
        void insert(const std::string& content, int32_t token);
        bool empty() const { return nodes.size() == 1; }
        // Longest match starting at `at`: token index and end offset, or -1.
        int32_t longestAt(std::string_view text, size_t at, size_t& end) const;
    };
    struct Match {
        int32_t token;  // index into tokens_
        size_t begin, end;
    };
    std::vector<Match> findMatches(std::string_view text, const Trie& trie) const;
    void splitPiece(Piece&& piece, const Trie& trie, Pieces& out) const;

    std::vector<AddedToken> tokens_;
    Trie rawTrie_, normalizedTrie_;
    std::unordered_map<int64_t, size_t> byId_;
    std::unordered_map<std::string, int64_t> byContent_;
    std::unordered_set<std::string> specialContents_;
    int64_t idLimit_ = 0;
};

}  // namespace capsule::tokenizer
