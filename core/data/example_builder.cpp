#include "data/example_builder.h"

#include <algorithm>
#include <stdexcept>

namespace capsule::data {

namespace {

using tokenizer::ChatFormat;
using tokenizer::ChatMessage;

bool anyTrainable(const std::vector<int64_t>& labels) {
    return std::any_of(labels.begin(), labels.end(), [](int64_t label) { return label != kIgnoreLabel; });
}

}  // namespace

ExampleBuilder::ExampleBuilder(const tokenizer::Tokenizer& tokenizer, tokenizer::ChatTemplate chatTemplate,
                               DatasetFormat format, int64_t maxLengthTokens)
    : tokenizer_(tokenizer),
      chatTemplate_(std::move(chatTemplate)),
      format_(format),
      maxLengthTokens_(maxLengthTokens),
      eosId_(tokenizer.specialTokens().eos),
      bosText_(tokenizer.specialTokens().bosText) {
    // What the post-processor adds in front of a sequence (Llama: BOS; GPT-2, Qwen: nothing).
    const tokenizer::Encoding probe = tokenizer_.encodeWithDetails("a", /*addSpecialTokens=*/true);
    for (size_t i = 0; i < probe.size() && probe.specialTokensMask[i]; ++i) leadingSpecialIds_.push_back(probe.ids[i]);
}

bool ExampleBuilder::startsWithBos(const std::vector<Piece>& pieces) const {
    return !bosText_.empty() && !pieces.empty() && pieces.front().text.rfind(bosText_, 0) == 0;
}

void ExampleBuilder::appendPiecesSeparately(const std::vector<Piece>& pieces, std::vector<int64_t>& ids,
                                            std::vector<int64_t>& labels) const {
    for (const Piece& piece : pieces) {
        if (piece.text.empty()) continue;
        const std::vector<int64_t> pieceIds = tokenizer_.encode(piece.text, /*addSpecialTokens=*/false);
        ids.insert(ids.end(), pieceIds.begin(), pieceIds.end());
        if (piece.trainable)
            labels.insert(labels.end(), pieceIds.begin(), pieceIds.end());
        else
            labels.insert(labels.end(), pieceIds.size(), kIgnoreLabel);
    }
}

void ExampleBuilder::appendPieces(const std::vector<Piece>& pieces, std::vector<int64_t>& ids,
                                  std::vector<int64_t>& labels) const {
    std::string text;
    std::vector<size_t> starts;      // byte offset of each piece in `text`
    std::vector<size_t> boundaries;  // offsets where trainable and untrained text meet
    for (size_t i = 0; i < pieces.size(); ++i) {
        if (i > 0 && pieces[i].trainable != pieces[i - 1].trainable && !pieces[i].text.empty())
            boundaries.push_back(text.size());
        starts.push_back(text.size());
        text += pieces[i].text;
    }
    if (boundaries.empty()) {  // one kind of text only: one call, nothing to split
        const std::vector<int64_t> pieceIds = tokenizer_.encode(text, /*addSpecialTokens=*/false);
        const bool trainable = !pieces.empty() && pieces.front().trainable;
        ids.insert(ids.end(), pieceIds.begin(), pieceIds.end());
        if (trainable) labels.insert(labels.end(), pieceIds.begin(), pieceIds.end());
        else labels.insert(labels.end(), pieceIds.size(), kIgnoreLabel);
        return;
    }
    // Encode the whole text once and label each token by the piece its first byte belongs to,
    // unless a token spans a boundary; then the pieces are tokenized on their own (see header).
    const tokenizer::Encoding encoding = tokenizer_.encodeWithDetails(text, /*addSpecialTokens=*/false);
    for (size_t t = 0; t < encoding.size(); ++t) {
        const auto [begin, end] = encoding.offsets[t];
        const bool sane = begin >= 0 && end >= begin && static_cast<size_t>(end) <= text.size();
        bool spans = !sane;
        for (const size_t boundary : boundaries)
            spans = spans || (static_cast<size_t>(begin) < boundary && boundary < static_cast<size_t>(end));
        if (spans) {
            appendPiecesSeparately(pieces, ids, labels);
            return;
        }
    }
    for (size_t t = 0; t < encoding.size(); ++t) {
        const size_t begin = static_cast<size_t>(encoding.offsets[t].first);
        // The last piece starting at or before `begin` (empty pieces share their offset with the next).
        size_t piece = static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), begin) - starts.begin()) - 1;
        while (piece + 1 < pieces.size() && pieces[piece].text.empty()) ++piece;
        ids.push_back(encoding.ids[t]);
        labels.push_back(pieces[piece].trainable ? encoding.ids[t] : kIgnoreLabel);
    }
}

std::vector<ExampleBuilder::Piece> ExampleBuilder::renderConversation(const std::vector<ChatMessage>& messages) const {
    std::vector<tokenizer::ChatSegment> segments;
    try {
        segments = chatTemplate_.render(messages, /*addGenerationPrompt=*/false);
    } catch (const std::invalid_argument& error) {
        throw RowProblemError(RowProblem::InvalidValue, error.what());
    }
    std::vector<Piece> pieces;
    pieces.reserve(segments.size());
    for (tokenizer::ChatSegment& segment : segments) pieces.push_back({std::move(segment.text), segment.trainable});
    return pieces;
}

Example ExampleBuilder::buildSequence(const std::vector<Piece>& pieces, bool appendEos) const {
    Example example;
    if (!startsWithBos(pieces)) {
        example.inputIds = leadingSpecialIds_;
        example.labels.assign(leadingSpecialIds_.size(), kIgnoreLabel);
    }
    appendPieces(pieces, example.inputIds, example.labels);
    if (appendEos && eosId_) {
        example.inputIds.push_back(*eosId_);
        example.labels.push_back(*eosId_);
    }
    example.untruncatedLength = example.length();
    if (maxLengthTokens_ > 0 && example.length() > maxLengthTokens_) {
        int64_t promptTokens = 0;
        while (promptTokens < example.length() && example.labels[static_cast<size_t>(promptTokens)] == kIgnoreLabel)
            ++promptTokens;
        example.inputIds.resize(static_cast<size_t>(maxLengthTokens_));
        example.labels.resize(static_cast<size_t>(maxLengthTokens_));
        example.truncated = true;
        if (!anyTrainable(example.labels))
            throw RowProblemError(RowProblem::OverLong,
                                  "over-long: the prompt takes " + std::to_string(promptTokens) +
                                      " tokens, so max_length " + std::to_string(maxLengthTokens_) +
                                      " leaves no response token (" + std::to_string(example.untruncatedLength) +
                                      " tokens in all)");
    }
    if (!anyTrainable(example.labels))
        throw RowProblemError(RowProblem::EmptyResponse, "the response renders to no token");
    return example;
}

Example ExampleBuilder::buildChoices(const RecordContent& content, const std::string& promptText) const {
    Example example;
    std::vector<int64_t> contextBody;  // the context's own ids (without a BOS added in front)
    for (size_t c = 0; c < content.choices.size(); ++c) {
        const std::vector<Piece> pieces = renderConversation({{"user", promptText}, {"assistant", content.choices[c]}});
        // Context: everything before the assistant turn; choice: the assistant turn itself.
        std::vector<Piece> sequence;
        bool hasChoice = false;
        for (const Piece& piece : pieces) {
            sequence.push_back(piece);
            if (piece.trainable) {
                hasChoice = true;
                break;
            }
        }
        if (!hasChoice) throw RowProblemError(RowProblem::EmptyResponse, "choice " + std::to_string(c) + " renders to nothing");
        if (c == 0) {
            const std::vector<Piece> context(sequence.begin(), sequence.end() - 1);
            std::vector<int64_t> unusedLabels;
            appendPieces(context, contextBody, unusedLabels);
            if (!startsWithBos(context)) example.contextIds = leadingSpecialIds_;
            example.contextIds.insert(example.contextIds.end(), contextBody.begin(), contextBody.end());
        }
        // The choice's ids as they follow the context (see appendPieces for why not always alone).
        std::vector<int64_t> ids, labels;
        appendPieces(sequence, ids, labels);
        std::vector<int64_t> choiceIds;
        if (ids.size() > contextBody.size() && std::equal(contextBody.begin(), contextBody.end(), ids.begin()))
            choiceIds.assign(ids.begin() + static_cast<std::ptrdiff_t>(contextBody.size()), ids.end());
        else
            choiceIds = tokenizer_.encode(sequence.back().text, /*addSpecialTokens=*/false);
        if (choiceIds.empty())
            throw RowProblemError(RowProblem::EmptyResponse, "choice " + std::to_string(c) + " renders to no token");
        example.choiceIds.push_back(std::move(choiceIds));
    }
    example.goldIndex = content.answerIndex;
    example.untruncatedLength = example.choiceSequenceLength();
    if (maxLengthTokens_ > 0 && example.untruncatedLength > maxLengthTokens_) {
        // Keep every choice whole and the end of the context (the question sits next to the answer).
        size_t keepFront = 0;  // BOS or whatever the post-processor/template put first
        while (keepFront < leadingSpecialIds_.size() && keepFront < example.contextIds.size() &&
               example.contextIds[keepFront] == leadingSpecialIds_[keepFront])
            ++keepFront;
        if (keepFront == 0 && !example.contextIds.empty() && tokenizer_.isSpecialToken(example.contextIds.front()))
            keepFront = 1;
        const size_t excess = static_cast<size_t>(example.untruncatedLength - maxLengthTokens_);
        if (example.contextIds.size() < keepFront + excess + 1) {
            size_t longest = 0;
            for (const auto& choice : example.choiceIds) longest = std::max(longest, choice.size());
            throw RowProblemError(RowProblem::OverLong, "over-long: the longest choice takes " + std::to_string(longest) +
                                                            " tokens, so max_length " + std::to_string(maxLengthTokens_) +
                                                            " leaves no room for the question");
        }
        const auto eraseBegin = example.contextIds.begin() + static_cast<std::ptrdiff_t>(keepFront);
        example.contextIds.erase(eraseBegin, eraseBegin + static_cast<std::ptrdiff_t>(excess));
        example.truncated = true;
    }
    const std::vector<int64_t>& gold = example.choiceIds[static_cast<size_t>(example.goldIndex)];
    example.inputIds = example.contextIds;
    example.inputIds.insert(example.inputIds.end(), gold.begin(), gold.end());
    example.labels.assign(example.contextIds.size(), kIgnoreLabel);
    example.labels.insert(example.labels.end(), gold.begin(), gold.end());
    return example;
}

Example ExampleBuilder::build(const RecordContent& content) const {
    switch (format_) {
    case DatasetFormat::Alpaca: {
        if (chatTemplate_.format() == ChatFormat::Alpaca) {
            std::string prompt = tokenizer::ChatTemplate::alpacaPrompt(content.instruction, content.input);
            if (!content.system.empty())  // a system text replaces the preamble, as the alpaca chat format does
                prompt = content.system + prompt.substr(prompt.find("\n\n### Instruction:"));
            return buildSequence({{prompt, false}, {content.output, true}}, /*appendEos=*/true);
        }
        std::vector<ChatMessage> messages;
        if (!content.system.empty()) messages.push_back({"system", content.system});
        messages.push_back({"user", content.input.empty() ? content.instruction
                                                          : content.instruction + "\n\n" + content.input});
        messages.push_back({"assistant", content.output});
        return buildSequence(renderConversation(messages), /*appendEos=*/false);
    }
    case DatasetFormat::Chat:
    case DatasetFormat::ShareGpt:
        return buildSequence(renderConversation(content.messages), /*appendEos=*/false);
    case DatasetFormat::PromptCompletion:
        return buildSequence({{content.prompt, false}, {content.completion, true}}, /*appendEos=*/true);
    case DatasetFormat::Text:
    case DatasetFormat::PlainText:
        return buildSequence({{content.text, true}}, /*appendEos=*/true);
    case DatasetFormat::MultipleChoice:
        return buildChoices(content, content.question);
    case DatasetFormat::Classification:
        return buildChoices(content, content.text);
    }
    throw std::logic_error("ExampleBuilder: unhandled dataset format");
}

std::vector<int64_t> ExampleBuilder::documentIds(const std::string& text) const {
    std::vector<int64_t> ids = leadingSpecialIds_;
    const std::vector<int64_t> textIds = tokenizer_.encode(text, /*addSpecialTokens=*/false);
    ids.insert(ids.end(), textIds.begin(), textIds.end());
    if (eosId_) ids.push_back(*eosId_);
    return ids;
}

}  // namespace capsule::data
