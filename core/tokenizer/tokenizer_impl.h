#pragma once
// The state behind a Tokenizer (internal header: the loaders build it, tokenizer.cpp runs it).
#include "tokenizer/added_vocabulary.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/decoders.h"
#include "tokenizer/encoding.h"
#include "tokenizer/normalizers.h"
#include "tokenizer/post_processors.h"
#include "tokenizer/pre_tokenizers.h"
#include "tokenizer/tokenizer.h"

#include <memory>
#include <string>

namespace capsule::tokenizer {

struct Tokenizer::Impl {
    std::string sourceLabel;  // "DIR/tokenizer.json" or "DIR/vocab.json + merges.txt", for messages
    std::shared_ptr<const Normalizer> normalizer;      // may be null
    std::shared_ptr<const PreTokenizer> preTokenizer;  // may be null
    std::shared_ptr<const BpeModel> model;
    std::shared_ptr<const PostProcessor> postProcessor;  // may be null
    std::shared_ptr<const Decoder> decoder;              // may be null: tokens joined with spaces
    AddedVocabulary addedVocabulary;
    SpecialTokens specialTokens;

    /// Runs the pipeline up to the model on one sequence. With `details` false only `ids` is
    /// filled (the fast path of encode()).
    void encodeSequence(std::string_view text, int64_t typeId, int32_t sequenceId, bool details,
                        Encoding& out) const;
    Encoding encode(std::string_view text, const std::string_view* pair, bool addSpecialTokens, bool details) const;

    std::optional<int64_t> tokenToId(std::string_view token) const;
    std::optional<std::string> idToToken(int64_t id) const;
};

}  // namespace capsule::tokenizer
