#pragma once
// tokenizer.json "pre_tokenizer" components: ByteLevel (GPT-2 regex), Split (regex or string,
// five behaviors, invert), Metaspace, Digits, Whitespace, WhitespaceSplit, Punctuation,
// BertPreTokenizer, CharDelimiterSplit, FixedLength and Sequence, with Hugging Face tokenizers'
// exact semantics. Components are immutable after construction (thread-safe).
#include "tokenizer/pre_tokenized.h"
#include "tokenizer/regex_pattern.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace capsule::tokenizer {

/// How a Split keeps the delimiters it finds (SplitDelimiterBehavior).
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

/// Parses "Removed", "Isolated", ...; throws naming `context`.
SplitBehavior parseSplitBehavior(const std::string& name, const std::string& context);

/// Cuts `text` along a covering split, as NormalizedString::split does.
std::vector<NormalizedText> splitText(const NormalizedText& text, const std::vector<PatternSplit>& splits,
                                      SplitBehavior behavior);

class PreTokenizer {
public:
    virtual ~PreTokenizer() = default;
    /// Splits (and may rewrite) every text piece; added-token pieces are left alone.
    virtual void preTokenize(Pieces& pieces) const = 0;
};

/// Builds a pre-tokenizer from its JSON object; errors name `context`, e.g.
/// "tokenizer.json: pre_tokenizer: unsupported pre-tokenizer 'UnicodeScripts'".
std::shared_ptr<const PreTokenizer> makePreTokenizer(const nlohmann::json& spec, const std::string& context);

/// The GPT-2 ByteLevel pre-tokenizer (the legacy vocab.json + merges.txt route builds one).
std::shared_ptr<const PreTokenizer> makeByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex);

/// Rewrites a `byteLevel` piece into its mapped characters (needed when a later component must
/// see the mapped text).
void materializeByteLevel(Piece& piece);

}  // namespace capsule::tokenizer
