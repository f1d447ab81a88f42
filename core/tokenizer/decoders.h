#pragma once
// tokenizer.json "decoder" components: ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace,
// WordPiece, BPEDecoder and Sequence, each a step on the list of token strings (decode_chain) as
// in Hugging Face tokenizers. Immutable after construction (thread-safe).
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace capsule::tokenizer {

class Decoder {
public:
    virtual ~Decoder() = default;
    /// Rewrites the token strings; the final text is their concatenation.
    virtual void decodeChain(std::vector<std::string>& tokens) const = 0;
};

/// Builds a decoder from its JSON object; errors name `context`.
std::shared_ptr<const Decoder> makeDecoder(const nlohmann::json& spec, const std::string& context);

/// The GPT-2 byte-level decoder (used by the legacy vocab.json + merges.txt route).
std::shared_ptr<const Decoder> makeByteLevelDecoder();

}  // namespace capsule::tokenizer
