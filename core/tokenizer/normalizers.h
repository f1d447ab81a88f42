#pragma once
// tokenizer.json "normalizer" components: NFC, NFD, NFKC, NFKD (ICU), Lowercase, Strip,
// StripAccents, Replace, Prepend, Nmt, BertNormalizer, ByteLevel and Sequence, with Hugging Face
// tokenizers' exact semantics. Components are immutable after construction (thread-safe).
#include "tokenizer/normalized_text.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace capsule::tokenizer {

class Normalizer {
public:
    virtual ~Normalizer() = default;
    /// Rewrites `text` in place, keeping its alignment to the original input.
    virtual void normalize(NormalizedText& text) const = 0;
};

/// Builds a normalizer from its JSON object; `context` (e.g. "tokenizer.json: normalizer") prefixes
/// errors. Throws std::runtime_error "<context>: unsupported normalizer 'Precompiled'" and the like.
std::shared_ptr<const Normalizer> makeNormalizer(const nlohmann::json& spec, const std::string& context);

/// Convenience for callers outside the pipeline (added-token contents are normalized at load time).
std::string normalizeString(const Normalizer& normalizer, const std::string& text);

}  // namespace capsule::tokenizer
