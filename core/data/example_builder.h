#pragma once
// Renders a record with the chosen prompt template and tokenizes it into an Example whose labels
// train only on the response:
//   alpaca             alpaca template: the Stanford prompt (with or without ### Input) + output +
//                      EOS; any other template: user = instruction (+ "\n\n" + input), assistant = output
//   chat / sharegpt    the template's rendering; every assistant turn and its end-of-turn marker
//                      (<|im_end|>, <|eot_id|>, EOS) are trained, everything else is -100
//   prompt-completion  prompt as written, completion + EOS trained (no template, as TRL does)
//   text / plain-text  the whole text + EOS trained
//   multiple-choice /  context = the template's prompt for user = question (or text) up to where the
//   classification     assistant turn starts; each choice = that assistant turn (choice text + the
//                      end-of-turn marker or EOS); inputIds = context + gold choice
// Labels never come from a token that merges prompt and response text (hf-formats §7.1 caveat):
// the whole rendered text is encoded once and each token labelled by the piece its first byte is
// in; if any token crosses a prompt/response boundary, the pieces are instead tokenized separately
// and their ids concatenated. (Always tokenizing separately would be wrong for SentencePiece
// tokenizers, whose normalizer prepends "▁" to every encode call: "[/INST]" + " answer" would
// train "▁▁answer" where the model generates "▁answer".) Rendered templates carry their own BOS;
// other text gets the BOS the tokenizer's post-processor would add.
// Truncation keeps the start and cuts the end; a multiple-choice context is cut from its start
// (after BOS) instead so that every choice stays whole.
//
// Immutable after construction; build() may run on many threads at once.
#include "data/dataset_options.h"
#include "data/example.h"
#include "data/record_content.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace capsule::data {

class ExampleBuilder {
public:
    /// `tokenizer` is copied (copies share state). maxLengthTokens 0 means no truncation.
    ExampleBuilder(const tokenizer::Tokenizer& tokenizer, tokenizer::ChatTemplate chatTemplate, DatasetFormat format,
                   int64_t maxLengthTokens);

    /// The example for one record (classification: content.choices and content.answerIndex must be
    /// filled from the label words). Throws RowProblemError: OverLong when no response token fits,
    /// InvalidValue when the template cannot render the conversation (e.g. roles that do not
    /// alternate for llama2/mistral).
    Example build(const RecordContent& content) const;

    /// Plain-text blocks mode: the ids of one document (BOS as the post-processor adds it, the
    /// text, EOS), to be concatenated and cut into blocks.
    std::vector<int64_t> documentIds(const std::string& text) const;

    const tokenizer::ChatTemplate& chatTemplate() const { return chatTemplate_; }
    /// The ids the tokenizer's post-processor puts before a sequence (e.g. Llama's BOS); often none.
    const std::vector<int64_t>& leadingSpecialIds() const { return leadingSpecialIds_; }

private:
    struct Piece {
        std::string text;
        bool trainable = false;
    };
    // Appends the ids of the concatenated pieces and their labels (ids on trainable pieces, -100
    // elsewhere): one encoding of the whole text when no token crosses a trainable/untrained
    // boundary, otherwise each piece encoded on its own.
    void appendPieces(const std::vector<Piece>& pieces, std::vector<int64_t>& ids, std::vector<int64_t>& labels) const;
    void appendPiecesSeparately(const std::vector<Piece>& pieces, std::vector<int64_t>& ids,
                                std::vector<int64_t>& labels) const;
    std::vector<Piece> renderConversation(const std::vector<tokenizer::ChatMessage>& messages) const;
    Example buildSequence(const std::vector<Piece>& pieces, bool appendEos) const;
    Example buildChoices(const RecordContent& content, const std::string& promptText) const;
    bool startsWithBos(const std::vector<Piece>& pieces) const;

    tokenizer::Tokenizer tokenizer_;
    tokenizer::ChatTemplate chatTemplate_;
    DatasetFormat format_;
    int64_t maxLengthTokens_;
    std::vector<int64_t> leadingSpecialIds_;
    std::optional<int64_t> eosId_;
    std::string bosText_;
};

}  // namespace capsule::data
