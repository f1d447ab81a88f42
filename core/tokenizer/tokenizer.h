#pragma once
// A Hugging Face-compatible tokenizer: reads `tokenizer.json` (or the legacy GPT-2 pair
// `vocab.json` + `merges.txt`) plus the transformers side files (`tokenizer_config.json`,
// `special_tokens_map.json`, `generation_config.json`) and reproduces the ids of the Rust
// `tokenizers` library exactly for the components real LLM tokenizers use.
//
// Pipeline (tokenizers' own order): added-token split on the raw text -> normalizer -> added-token
// split on the normalized text -> pre-tokenizer -> BPE per pre-token -> post-processor
// (BOS/EOS when addSpecialTokens). Decoding runs the decoder chain.
//
// Threads: a Tokenizer is immutable after construction except for an internal, mutex-guarded
// word cache; encode/decode may be called concurrently from any number of threads.
// Copies share the same immutable state (cheap to copy).
#include "tokenizer/encoding.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace capsule::tokenizer {

/// The tokens a model needs around generation and training. Ids are absent when the tokenizer
/// does not define the token.
struct SpecialTokens {
    std::optional<int64_t> bos, eos, pad, unk;
    std::vector<int64_t> eosIds;  // every id that stops generation (eos first, then generation_config's list)
    std::string bosText, eosText, padText, unkText;
};

class Tokenizer {
public:
    /// Loads `folder/tokenizer.json` (or `vocab.json` + `merges.txt` when it is absent) and the
    /// config files next to it. Throws std::runtime_error naming the file and the component at fault.
    static Tokenizer fromDirectory(const std::string& folder);
    /// Loads one tokenizer.json only (no side configs: specials come from the file alone).
    static Tokenizer fromTokenizerJson(const std::string& path);

    /// Text (UTF-8) to ids. addSpecialTokens runs the post-processor (BOS/EOS templates).
    /// Throws std::runtime_error on invalid UTF-8 (naming the byte offset).
    std::vector<int64_t> encode(std::string_view text, bool addSpecialTokens) const;
    /// Ids to text; skipSpecialTokens drops added tokens marked `special`. Ids the tokenizer does
    /// not know are skipped (as Hugging Face does: models often have more embedding rows than tokens).
    std::string decode(const std::vector<int64_t>& ids, bool skipSpecialTokens) const;

    /// encode() plus type ids, special-token mask and original byte offsets of every token
    /// (what label masking needs); with `pair`, encodes a sequence pair through the pair template.
    Encoding encodeWithDetails(std::string_view text, bool addSpecialTokens,
                               std::optional<std::string_view> pair = std::nullopt) const;
    /// True when `id` is an added token marked special (dropped by decode(ids, true)).
    bool isSpecialToken(int64_t id) const;

    const SpecialTokens& specialTokens() const;
    /// Number of ids: max(model vocab ids, added token ids) + 1 (includes added tokens).
    int64_t vocabSize() const;
    std::optional<int64_t> tokenToId(std::string_view token) const;
    std::optional<std::string> idToToken(int64_t id) const;

    struct Impl;  // internal (tokenizer_impl.h); public so the loaders can build it

    explicit Tokenizer(std::shared_ptr<const Impl> impl);
    const Impl& impl() const { return *impl_; }

private:
    std::shared_ptr<const Impl> impl_;
};

}  // namespace capsule::tokenizer
