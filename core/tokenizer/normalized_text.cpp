#include "tokenizer/normalized_text.h"

#include <stdexcept>

namespace capsule::tokenizer {

NormalizedText::NormalizedText(std::string text, size_t originalStart)
    : text_(std::move(text)), originalStart_(originalStart) {}

NormalizedText::Span NormalizedText::spanAt(size_t normalizedByte) const {
    if (!alignment_.empty()) return alignment_[normalizedByte];
    const auto begin = static_cast<uint32_t>(originalStart_ + normalizedByte);
    return {begin, begin + 1};
}

std::pair<size_t, size_t> NormalizedText::originalRange(size_t begin, size_t end) const {
    if (begin >= end || end > text_.size()) {
        const size_t at = text_.empty() ? originalStart_ : (begin < text_.size() ? spanAt(begin).begin : spanAt(text_.size() - 1).end);
        return {at, at};
    }
    return {spanAt(begin).begin, spanAt(end - 1).end};
}

size_t NormalizedText::originalStart() const {
    if (text_.empty() || alignment_.empty()) return originalStart_;
    return alignment_.front().begin;
}

NormalizedText NormalizedText::slice(size_t begin, size_t end) const {
    if (begin > end || end > text_.size()) throw std::logic_error("NormalizedText::slice out of range");
    NormalizedText part;
    part.text_.assign(text_, begin, end - begin);
    if (alignment_.empty()) {
        part.originalStart_ = originalStart_ + begin;
    } else {
        part.alignment_.assign(alignment_.begin() + static_cast<std::ptrdiff_t>(begin),
                               alignment_.begin() + static_cast<std::ptrdiff_t>(end));
        part.originalStart_ = begin < text_.size() ? alignment_[begin].begin : originalStart_;
    }
    return part;
}

void NormalizedText::prepend(std::string_view prefix) {
    if (text_.empty() || prefix.empty()) return;
    if (alignment_.empty()) {
        std::vector<Span> explicitAlignment;
        explicitAlignment.reserve(text_.size() + prefix.size());
        for (size_t i = 0; i < text_.size(); ++i) explicitAlignment.push_back(spanAt(i));
        alignment_ = std::move(explicitAlignment);
    }
    // Hugging Face aligns inserted characters with the whole first character.
    const Span first = alignment_.front();
    Span firstCharacter = first;
    for (size_t i = 1; i < alignment_.size() && alignment_[i].begin == first.begin; ++i)
        firstCharacter.end = std::max(firstCharacter.end, alignment_[i].end);
    alignment_.insert(alignment_.begin(), prefix.size(), firstCharacter);
    text_.insert(0, prefix);
}

NormalizedText::Builder::Builder(const NormalizedText& source) : source_(const_cast<NormalizedText&>(source)) {
    text_.reserve(source.text_.size());
}

void NormalizedText::Builder::materialize() {
    identity_ = false;
    alignment_.reserve(text_.size() + 16);
    for (size_t i = 0; i < text_.size(); ++i) alignment_.push_back(source_.spanAt(i));
}

void NormalizedText::Builder::copy(size_t begin, size_t end) {
    if (identity_ && begin != text_.size()) materialize();
    if (!identity_)
        for (size_t i = begin; i < end; ++i) alignment_.push_back(source_.spanAt(i));
    text_.append(source_.text_, begin, end - begin);
}

void NormalizedText::Builder::emit(std::string_view bytes, size_t sourceBegin, size_t sourceEnd) {
    if (identity_) {
        if (sourceBegin == text_.size() && bytes.size() == sourceEnd - sourceBegin &&
            source_.text_.compare(sourceBegin, bytes.size(), bytes) == 0) {
            text_.append(bytes);
            return;
        }
        materialize();
    }
    Span span = source_.spanAt(sourceBegin);
    span.end = source_.spanAt(sourceEnd - 1).end;
    alignment_.insert(alignment_.end(), bytes.size(), span);
    text_.append(bytes);
}

void NormalizedText::Builder::commit() {
    if (identity_ && text_.size() == source_.text_.size()) return;  // nothing changed
    if (identity_) materialize();
    source_.text_ = std::move(text_);
    source_.alignment_ = std::move(alignment_);
    // originalStart_ stays meaningful for empty results (a fully stripped piece).
}

}  // namespace capsule::tokenizer
