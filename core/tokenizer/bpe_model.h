#pragma once
// The BPE model of Hugging Face tokenizers: vocab + ranked merges, applied per pre-token with a
// priority queue over (rank, position) on a linked list of symbols (O(n log n) per word), exactly
// like tokenizers' Word::merge_all, including its handling of stale queue entries.
// Supports byte-level input (initial symbols read through the GPT-2 byte table), `byte_fallback`
// (<0xHH> tokens), `unk_token` with `fuse_unk`, `continuing_subword_prefix`, `end_of_word_suffix`
// and `ignore_merges`. `dropout` is a training-time randomization and is ignored (ids are those of
// dropout = null).
//
// Threads: immutable after loading except the word cache, which is sharded and lock-protected, so
// tokenize() may run concurrently.
#include "tokenizer/flat_maps.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace capsule::tokenizer {

/// One token of a pre-token: its id and the bytes [begin, end) of the pre-token it covers.
struct ModelToken {
    int32_t id = 0;
    uint32_t begin = 0, end = 0;
};

class BpeModel {
public:
    struct Options {
        std::optional<std::string> unkToken;
        std::optional<std::string> continuingSubwordPrefix;
        std::optional<std::string> endOfWordSuffix;
        bool fuseUnk = false;
        bool byteFallback = false;
        bool ignoreMerges = false;
    };

    /// From tokenizer.json's "model" object. Throws std::runtime_error naming `context`, the
    /// merge index or the token at fault.
    static std::shared_ptr<const BpeModel> fromJson(const nlohmann::json& model, const std::string& context);
    /// From a vocab.json object and merges.txt text (legacy GPT-2 files).
    static std::shared_ptr<const BpeModel> fromVocabAndMerges(const nlohmann::json& vocab, const std::string& mergesText,
                                                              const std::string& vocabPath,
                                                              const std::string& mergesPath);

    /// Appends the tokens of one pre-token. `byteLevel`: `word` holds raw bytes to be read through
    /// the byte-level table. Throws if the unk token is needed but missing from the vocab.
    void tokenize(std::string_view word, bool byteLevel, std::vector<ModelToken>& out) const;

    /// For tests and benchmarks: tokenizes without the cache, with the priority-queue merge loop
    /// (`useQueue`) or the linear scan used for short words. Both give identical tokens.
    void tokenizeUncached(std::string_view word, bool byteLevel, bool useQueue, std::vector<ModelToken>& out) const;

    int32_t tokenToId(std::string_view token) const { return vocab_.find(token); }  // -1 if absent
    /// The token string of `id`, or nullptr.
    const std::string* idToToken(int64_t id) const;
    /// Largest id in the vocab + 1.
    int64_t idLimit() const { return static_cast<int64_t>(tokens_.size()); }
    size_t vocabSize() const { return vocab_.size(); }
    const std::optional<std::string>& unkToken() const { return options_.unkToken; }

private:
    BpeModel() = default;
    void setVocab(const nlohmann::json& vocab, const std::string& context);
    void addMerge(const std::string& left, const std::string& right, size_t rank, const std::string& context);
    void finishLoading();

    struct Symbol {
        int32_t id;
        int32_t previous, next;  // indexes into the symbol array, -1 at the ends
        uint32_t begin, end;     // bytes of the word
    };
    void mergeWord(std::string_view word, bool byteLevel, bool useQueue, std::vector<ModelToken>& out) const;
    void initialSymbols(std::string_view word, bool byteLevel, std::vector<Symbol>& symbols) const;
    void applyMergesWithQueue(std::vector<Symbol>& symbols) const;
    void applyMergesByScanning(std::vector<Symbol>& symbols) const;
    // Words with at most this many symbols use the scan: no heap allocation, fewer lookups.
    static constexpr size_t kScanMergeLimit = 48;

    Options options_;
    StringIdMap vocab_;
    std::vector<std::string> tokens_;  // id -> token ("" where unused)
    std::vector<uint8_t> hasToken_;    // id -> 1 when tokens_[id] is a real entry
    MergeMap merges_;
    std::array<int32_t, 256> byteLevelIds_{};  // byte -> id of its byte-level character, or -1
    std::array<int32_t, 256> byteFallbackIds_{};  // byte -> id of "<0xHH>", or -1

    // Word cache: raw pre-token (plus a byte-level marker) -> tokens. Sharded to keep lock
    // contention low when many threads encode at once.
    static constexpr size_t kCacheShards = 16;
    static constexpr size_t kCacheEntriesPerShard = 8192;
    static constexpr size_t kMaxCachedWordBytes = 256;
    struct CacheShard {
        mutable std::shared_mutex mutex;
        std::unordered_map<std::string, std::vector<ModelToken>> entries;
    };
    mutable std::unique_ptr<std::array<CacheShard, kCacheShards>> cache_ =
        std::make_unique<std::array<CacheShard, kCacheShards>>();
};

}  // namespace capsule::tokenizer
