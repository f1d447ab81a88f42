#pragma once
// A piece of text being normalized, with the map back to the original input's bytes
// (the role of NormalizedString in Hugging Face tokenizers). Every normalized byte remembers the
// original byte range it came from, so token offsets survive normalizers that change lengths
// (NFC, Replace, Prepend, ...). While no normalizer has changed anything the map is implicit
// (identity from `originalStart`), which keeps the hot byte-level path allocation-free.
// A value type; not synchronized (each encode call owns its pieces).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace capsule::tokenizer {

class NormalizedText {
public:
    struct Span {
        uint32_t begin = 0, end = 0;  // original byte range [begin, end)
    };

    NormalizedText() = default;
    /// Unmodified text whose first byte is at `originalStart` in the original input.
    NormalizedText(std::string text, size_t originalStart);

    const std::string& text() const { return text_; }
    size_t size() const { return text_.size(); }
    bool empty() const { return text_.empty(); }

    /// Original byte range covered by normalized bytes [begin, end) (begin < end <= size()).
    std::pair<size_t, size_t> originalRange(size_t begin, size_t end) const;
    /// Original offset of the first byte (Hugging Face's offsets_original().0).
    size_t originalStart() const;

    /// The normalized bytes [begin, end) with their alignment.
    NormalizedText slice(size_t begin, size_t end) const;
    /// Inserts `prefix` before the text, aligned with the first character (no-op on empty text,
    /// as in Hugging Face).
    void prepend(std::string_view prefix);

    /// Collects a rewritten text: normalizers copy unchanged ranges and emit replacements that
    /// stand for a range of the current text.
    class Builder {
    public:
        explicit Builder(const NormalizedText& source);
        /// Current bytes [begin, end) unchanged.
        void copy(size_t begin, size_t end);
        /// New bytes standing for current bytes [sourceBegin, sourceEnd) (sourceBegin < sourceEnd).
        void emit(std::string_view bytes, size_t sourceBegin, size_t sourceEnd);
        /// Replaces the source's content (the source must still be alive).
        void commit();

    private:
        void materialize();
        NormalizedText& source_;
        std::string text_;
        std::vector<Span> alignment_;
        bool identity_ = true;  // every byte so far is a copy at the same position
    };

private:
    Span spanAt(size_t normalizedByte) const;

    std::string text_;
    size_t originalStart_ = 0;     // used while alignment_ is empty (identity map)
    std::vector<Span> alignment_;  // one entry per byte of text_, or empty for identity
};

}  // namespace capsule::tokenizer
