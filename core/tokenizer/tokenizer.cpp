#include "tokenizer/tokenizer.h"

#include "tokenizer/tokenizer_impl.h"
#include "tokenizer/unicode_text.h"

#include <stdexcept>

namespace capsule::tokenizer {

void Tokenizer::Impl::encodeSequence(std::string_view text, int64_t typeId, int32_t sequenceId, bool details,
                                     Encoding& out) const {
    if (const auto bad = unicode::findInvalidUtf8(text))
        throw std::runtime_error("tokenizer: input text is not valid UTF-8 (byte offset " + std::to_string(*bad) + ")");
    if (text.size() >= 0xFFFFFFF0u) throw std::runtime_error("tokenizer: input text is larger than 4 GiB");
    Pieces pieces = addedVocabulary.extractAndNormalize(text, normalizer.get());
    if (preTokenizer) preTokenizer->preTokenize(pieces);

    std::vector<ModelToken> tokens;
    for (const Piece& piece : pieces) {
        if (piece.isAddedToken()) {
            out.ids.push_back(piece.addedTokenId);
            if (details) {
                const auto range = piece.text.originalRange(0, piece.text.size());
                out.offsets.emplace_back(range.first, range.second);
            }
            continue;
        }
        tokens.clear();
        model->tokenize(piece.text.text(), piece.byteLevel, tokens);
        for (const ModelToken& token : tokens) {
            out.ids.push_back(token.id);
            if (details) {
                const auto range = piece.text.originalRange(token.begin, token.end);
                out.offsets.emplace_back(range.first, range.second);
            }
        }
    }
    if (details) {
        out.typeIds.assign(out.ids.size(), typeId);
        out.specialTokensMask.assign(out.ids.size(), 0);
        out.sequenceIds.assign(out.ids.size(), sequenceId);
    }
}

Encoding Tokenizer::Impl::encode(std::string_view text, const std::string_view* pair, bool addSpecialTokens,
                                 bool details) const {
    std::vector<Encoding> encodings(pair ? 2 : 1);
    encodeSequence(text, 0, 0, details, encodings[0]);
    if (pair) encodeSequence(*pair, 1, 1, details, encodings[1]);
    if (postProcessor) encodings = postProcessor->process(std::move(encodings), addSpecialTokens);
    Encoding result = std::move(encodings[0]);
    for (size_t i = 1; i < encodings.size(); ++i) result.append(encodings[i]);
    if (!details) {  // the fast path only keeps ids meaningful
        result.typeIds.clear();
        result.specialTokensMask.clear();
        result.offsets.clear();
        result.sequenceIds.clear();
    }
    return result;
}

std::optional<int64_t> Tokenizer::Impl::tokenToId(std::string_view token) const {
    if (const auto id = addedVocabulary.idOf(token)) return id;
    const int32_t id = model->tokenToId(token);
    if (id >= 0) return id;
    return std::nullopt;
}

std::optional<std::string> Tokenizer::Impl::idToToken(int64_t id) const {
    if (const AddedToken* token = addedVocabulary.byId(id)) return token->content;
    if (const std::string* token = model->idToToken(id)) return *token;
    return std::nullopt;
}

Tokenizer::Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

std::vector<int64_t> Tokenizer::encode(std::string_view text, bool addSpecialTokens) const {
    return impl_->encode(text, nullptr, addSpecialTokens, false).ids;
}

Encoding Tokenizer::encodeWithDetails(std::string_view text, bool addSpecialTokens,
                                      std::optional<std::string_view> pair) const {
    return impl_->encode(text, pair ? &*pair : nullptr, addSpecialTokens, true);
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids, bool skipSpecialTokens) const {
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (const int64_t id : ids) {
        // Unknown ids are dropped, as Hugging Face does (a model may have more rows than tokens).
        std::optional<std::string> token = impl_->idToToken(id);
        if (!token) continue;
        if (skipSpecialTokens && impl_->addedVocabulary.isSpecialContent(*token)) continue;
        tokens.push_back(std::move(*token));
    }
    if (!impl_->decoder) {
        std::string joined;
        for (size_t i = 0; i < tokens.size(); ++i) {
            if (i) joined += ' ';
            joined += tokens[i];
        }
        return joined;
    }
    impl_->decoder->decodeChain(tokens);
    std::string text;
    for (const std::string& token : tokens) text += token;
    return text;
}

const SpecialTokens& Tokenizer::specialTokens() const { return impl_->specialTokens; }

int64_t Tokenizer::vocabSize() const { return std::max(impl_->model->idLimit(), impl_->addedVocabulary.idLimit()); }

std::optional<int64_t> Tokenizer::tokenToId(std::string_view token) const { return impl_->tokenToId(token); }

std::optional<std::string> Tokenizer::idToToken(int64_t id) const { return impl_->idToToken(id); }

bool Tokenizer::isSpecialToken(int64_t id) const {
    const AddedToken* token = impl_->addedVocabulary.byId(id);
    return token && token->special;
}

}  // namespace capsule::tokenizer
