#include "tokenizer/pre_tokenizers.h"

#include "tokenizer/byte_level.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/unicode_text.h"

#include <algorithm>
#include <stdexcept>

namespace capsule::tokenizer {

namespace {

// The GPT-2 pattern of Hugging Face's ByteLevel pre-tokenizer.
constexpr const char* kGpt2Pattern =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

// Applies `function(const NormalizedText&) -> std::vector<NormalizedText>` to every text piece and
// keeps the non-empty results (PreTokenizedString::split).
template <typename Function>
void splitPieces(Pieces& pieces, Function&& function) {
    Pieces result;
    result.reserve(pieces.size() * 2);
    for (Piece& piece : pieces) {
        if (piece.isAddedToken()) {
            result.push_back(std::move(piece));
            continue;
        }
        if (piece.byteLevel) materializeByteLevel(piece);
        for (NormalizedText& part : function(piece.text))
            if (!part.empty()) result.push_back(Piece{std::move(part), -1, false});
    }
    pieces.swap(result);
}

// Covering split where every character matching `predicate` is its own match (the char/fn
// patterns of Hugging Face).
template <typename Predicate>
std::vector<PatternSplit> splitOnCharacters(const std::string& text, Predicate&& predicate) {
    std::vector<PatternSplit> splits;
    if (text.empty()) {
        splits.push_back({0, 0, false});
        return splits;
    }
    size_t lastOffset = 0, i = 0;
    while (i < text.size()) {
        size_t length = 0;
        const char32_t c = unicode::decodeAt(text, i, length);
        if (predicate(c)) {
            if (lastOffset < i) splits.push_back({lastOffset, i, false});
            splits.push_back({i, i + length, true});
            lastOffset = i + length;
        }
        i += length;
    }
    if (lastOffset < text.size()) splits.push_back({lastOffset, text.size(), false});
    return splits;
}

class ByteLevelPreTokenizer final : public PreTokenizer {
public:
    ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : addPrefixSpace_(addPrefixSpace) {
        if (useRegex) regex_ = std::make_shared<RegexPattern>(kGpt2Pattern, "ByteLevel pre-tokenizer");
    }
    void preTokenize(Pieces& pieces) const override {
        Pieces result;
        result.reserve(pieces.size() * 4);
        std::vector<std::pair<size_t, size_t>> matches;
        for (Piece& piece : pieces) {
            if (piece.isAddedToken()) {
                result.push_back(std::move(piece));
                continue;
            }
            if (piece.byteLevel) materializeByteLevel(piece);
            NormalizedText& text = piece.text;
            if (addPrefixSpace_ && (text.empty() || text.text()[0] != ' ')) text.prepend(" ");
            if (!regex_) {
                if (!text.empty()) result.push_back(Piece{std::move(text), -1, true});
                continue;
            }
            regex_->findAll(text.text(), matches);
            for (const PatternSplit& split : coverWithMatches(text.size(), matches, false))
                if (split.end > split.begin) result.push_back(Piece{text.slice(split.begin, split.end), -1, true});
        }
        pieces.swap(result);
    }

private:
    bool addPrefixSpace_;
    std::shared_ptr<RegexPattern> regex_;
};

class SplitPreTokenizer final : public PreTokenizer {
public:
    SplitPreTokenizer(std::shared_ptr<const TextPattern> pattern, SplitBehavior behavior, bool invert)
        : pattern_(std::move(pattern)), behavior_(behavior), invert_(invert) {}
    void preTokenize(Pieces& pieces) const override {
        splitPieces(pieces, [&](const NormalizedText& text) {
            return splitText(text, pattern_->split(text.text(), invert_), behavior_);
        });
    }

private:
    std::shared_ptr<const TextPattern> pattern_;
    SplitBehavior behavior_;
    bool invert_;
};

class MetaspacePreTokenizer final : public PreTokenizer {
public:
    enum class PrependScheme { Always, First, Never };
    MetaspacePreTokenizer(std::string replacement, PrependScheme scheme, bool split)
        : replacement_(std::move(replacement)), scheme_(scheme), split_(split) {
        size_t length = 0;
        replacementCharacter_ = unicode::decodeAt(replacement_, 0, length);
    }
    void preTokenize(Pieces& pieces) const override {
        splitPieces(pieces, [&](const NormalizedText& original) {
            NormalizedText text = original;
            if (text.text().find(' ') != std::string::npos) {
                NormalizedText::Builder builder(text);
                const std::string& source = text.text();
                size_t previous = 0;
                for (size_t i = 0; i < source.size(); ++i) {
                    if (source[i] != ' ') continue;
                    builder.copy(previous, i);
                    builder.emit(replacement_, i, i + 1);
                    previous = i + 1;
                }
                builder.copy(previous, source.size());
                builder.commit();
            }
            const bool startsWithReplacement = text.text().compare(0, replacement_.size(), replacement_) == 0;
            if (!startsWithReplacement) {
                if (scheme_ == PrependScheme::Always ||
                    (scheme_ == PrependScheme::First && text.originalStart() == 0))
                    text.prepend(replacement_);
            }
            if (!split_) return std::vector<NormalizedText>{std::move(text)};
            const char32_t replacement = replacementCharacter_;
            return splitText(text, splitOnCharacters(text.text(), [replacement](char32_t c) { return c == replacement; }),
                             SplitBehavior::MergedWithNext);
        });
    }

private:
    std::string replacement_;
    char32_t replacementCharacter_ = U'\u2581';
    PrependScheme scheme_;
    bool split_;
};

template <typename Predicate>
class CharacterSplitPreTokenizer final : public PreTokenizer {
public:
    CharacterSplitPreTokenizer(Predicate predicate, SplitBehavior behavior)
        : predicate_(std::move(predicate)), behavior_(behavior) {}
    void preTokenize(Pieces& pieces) const override {
        splitPieces(pieces, [&](const NormalizedText& text) {
            return splitText(text, splitOnCharacters(text.text(), predicate_), behavior_);
        });
    }

private:
    Predicate predicate_;
    SplitBehavior behavior_;
};

template <typename Predicate>
std::shared_ptr<const PreTokenizer> makeCharacterSplit(Predicate predicate, SplitBehavior behavior) {
    return std::make_shared<CharacterSplitPreTokenizer<Predicate>>(std::move(predicate), behavior);
}

class WhitespacePreTokenizer final : public PreTokenizer {
public:
    WhitespacePreTokenizer() : pattern_(TextPattern::regex("\\w+|[^\\w\\s]+", "Whitespace pre-tokenizer")) {}
    void preTokenize(Pieces& pieces) const override {
        splitPieces(pieces, [&](const NormalizedText& text) {
            return splitText(text, pattern_->split(text.text(), true), SplitBehavior::Removed);
        });
    }

private:
    std::shared_ptr<const TextPattern> pattern_;
};

class BertPreTokenizer final : public PreTokenizer {
public:
    void preTokenize(Pieces& pieces) const override {
        splitPieces(pieces, [](const NormalizedText& text) {
            return splitText(text, splitOnCharacters(text.text(), unicode::isWhitespace), SplitBehavior::Removed);
        });
        splitPieces(pieces, [](const NormalizedText& text) {
            return splitText(text, splitOnCharacters(text.text(), unicode::isPunctuation), SplitBehavior::Isolated);
        });
    }
};

class FixedLengthPreTokenizer final : public PreTokenizer {
public:
    explicit FixedLengthPreTokenizer(size_t lengthCharacters) : length_(lengthCharacters) {}
    void preTokenize(Pieces& pieces) const override {
        splitPieces(pieces, [&](const NormalizedText& text) {
            std::vector<NormalizedText> parts;
            const std::string& source = text.text();
            size_t begin = 0, count = 0, i = 0;
            while (i < source.size()) {
                i += unicode::sequenceLength(static_cast<unsigned char>(source[i]));
                if (++count == length_) {
                    parts.push_back(text.slice(begin, i));
                    begin = i;
                    count = 0;
                }
            }
            if (begin < source.size()) parts.push_back(text.slice(begin, source.size()));
            return parts;
        });
    }

private:
    size_t length_;
};

class SequencePreTokenizer final : public PreTokenizer {
public:
    explicit SequencePreTokenizer(std::vector<std::shared_ptr<const PreTokenizer>> parts) : parts_(std::move(parts)) {}
    void preTokenize(Pieces& pieces) const override {
        for (const auto& part : parts_) part->preTokenize(pieces);
    }

private:
    std::vector<std::shared_ptr<const PreTokenizer>> parts_;
};

}  // namespace

SplitBehavior parseSplitBehavior(const std::string& name, const std::string& context) {
    if (name == "Removed") return SplitBehavior::Removed;
    if (name == "Isolated") return SplitBehavior::Isolated;
    if (name == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
    if (name == "MergedWithNext") return SplitBehavior::MergedWithNext;
    if (name == "Contiguous") return SplitBehavior::Contiguous;
    throw std::runtime_error(context + ": unknown split behavior '" + name + "'");
}

std::vector<NormalizedText> splitText(const NormalizedText& text, const std::vector<PatternSplit>& splits,
                                      SplitBehavior behavior) {
    struct Range {
        size_t begin, end;
        bool remove;
    };
    std::vector<Range> ranges;
    ranges.reserve(splits.size());
    switch (behavior) {
    case SplitBehavior::Isolated:
        for (const PatternSplit& split : splits) ranges.push_back({split.begin, split.end, false});
        break;
    case SplitBehavior::Removed:
        for (const PatternSplit& split : splits) ranges.push_back({split.begin, split.end, split.isMatch});
        break;
    case SplitBehavior::Contiguous: {
        bool previousMatch = false;
        for (const PatternSplit& split : splits) {
            if (split.isMatch == previousMatch && !ranges.empty())
                ranges.back().end = split.end;
            else
                ranges.push_back({split.begin, split.end, false});
            previousMatch = split.isMatch;
        }
        break;
    }
    case SplitBehavior::MergedWithPrevious: {
        bool previousMatch = false;
        for (const PatternSplit& split : splits) {
            if (split.isMatch && !previousMatch && !ranges.empty())
                ranges.back().end = split.end;
            else
                ranges.push_back({split.begin, split.end, false});
            previousMatch = split.isMatch;
        }
        break;
    }
    case SplitBehavior::MergedWithNext: {
        bool previousMatch = false;
        for (auto it = splits.rbegin(); it != splits.rend(); ++it) {
            if (it->isMatch && !previousMatch && !ranges.empty())
                ranges.back().begin = it->begin;
            else
                ranges.push_back({it->begin, it->end, false});
            previousMatch = it->isMatch;
        }
        std::reverse(ranges.begin(), ranges.end());
        break;
    }
    }
    std::vector<NormalizedText> parts;
    parts.reserve(ranges.size());
    for (const Range& range : ranges)
        if (!range.remove) parts.push_back(text.slice(range.begin, range.end));
    return parts;
}

void materializeByteLevel(Piece& piece) {
    if (!piece.byteLevel) return;
    NormalizedText::Builder builder(piece.text);
    const std::string& source = piece.text.text();
    for (size_t i = 0; i < source.size(); ++i)
        builder.emit(byte_level::characterForByte(static_cast<uint8_t>(source[i])), i, i + 1);
    builder.commit();
    piece.byteLevel = false;
}

std::shared_ptr<const PreTokenizer> makeByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) {
    return std::make_shared<ByteLevelPreTokenizer>(addPrefixSpace, useRegex);
}

std::shared_ptr<const PreTokenizer> makePreTokenizer(const nlohmann::json& spec, const std::string& context) {
    if (!spec.is_object()) throw std::runtime_error(context + ": expected an object with a 'type'");
    const std::string type = json_fields::requiredString(spec, "type", context);
    const std::string here = context + " '" + type + "'";
    if (type == "ByteLevel")
        return makeByteLevelPreTokenizer(json_fields::optionalBool(spec, "add_prefix_space", true, here),
                                         json_fields::optionalBool(spec, "use_regex", true, here));
    if (type == "Split") {
        if (!spec.contains("pattern")) throw std::runtime_error(here + ": missing 'pattern'");
        return std::make_shared<SplitPreTokenizer>(
            TextPattern::fromJson(&spec["pattern"], here),
            parseSplitBehavior(json_fields::requiredString(spec, "behavior", here), here),
            json_fields::optionalBool(spec, "invert", false, here));
    }
    if (type == "Metaspace") {
        std::string replacement = json_fields::optionalString(spec, "replacement", here).value_or("\u2581");
        size_t length = 0;
        if (replacement.empty() || (unicode::decodeAt(replacement, 0, length), length != replacement.size()))
            throw std::runtime_error(here + ": 'replacement' must be exactly one character");
        MetaspacePreTokenizer::PrependScheme scheme = MetaspacePreTokenizer::PrependScheme::Always;
        if (const auto name = json_fields::optionalString(spec, "prepend_scheme", here)) {
            if (*name == "always") scheme = MetaspacePreTokenizer::PrependScheme::Always;
            else if (*name == "first") scheme = MetaspacePreTokenizer::PrependScheme::First;
            else if (*name == "never") scheme = MetaspacePreTokenizer::PrependScheme::Never;
            else throw std::runtime_error(here + ": unknown prepend_scheme '" + *name + "'");
        } else if (!json_fields::optionalBool(spec, "add_prefix_space", true, here)) {
            scheme = MetaspacePreTokenizer::PrependScheme::Never;
        }
        return std::make_shared<MetaspacePreTokenizer>(std::move(replacement), scheme,
                                                       json_fields::optionalBool(spec, "split", true, here));
    }
    if (type == "Whitespace") return std::make_shared<WhitespacePreTokenizer>();
    if (type == "WhitespaceSplit") return makeCharacterSplit(unicode::isWhitespace, SplitBehavior::Removed);
    if (type == "BertPreTokenizer") return std::make_shared<BertPreTokenizer>();
    if (type == "Punctuation") {
        const auto behavior = json_fields::optionalString(spec, "behavior", here);
        return makeCharacterSplit(unicode::isPunctuation,
                                  behavior ? parseSplitBehavior(*behavior, here) : SplitBehavior::Isolated);
    }
    if (type == "Digits") {
        const bool individual = json_fields::optionalBool(spec, "individual_digits", false, here);
        return makeCharacterSplit(unicode::isNumeric,
                                  individual ? SplitBehavior::Isolated : SplitBehavior::Contiguous);
    }
    if (type == "CharDelimiterSplit") {
        const std::string delimiter = json_fields::requiredString(spec, "delimiter", here);
        size_t length = 0;
        if (delimiter.empty() || (unicode::decodeAt(delimiter, 0, length), length != delimiter.size()))
            throw std::runtime_error(here + ": 'delimiter' must be exactly one character");
        const char32_t character = unicode::decodeAt(delimiter, 0, length);
        return makeCharacterSplit([character](char32_t c) { return c == character; }, SplitBehavior::Removed);
    }
    if (type == "FixedLength") {
        const int64_t length = json_fields::optionalInteger(spec, "length", 5, 1, 1 << 20, here);
        return std::make_shared<FixedLengthPreTokenizer>(static_cast<size_t>(length));
    }
    if (type == "Sequence") {
        if (!spec.contains("pretokenizers") || !spec["pretokenizers"].is_array())
            throw std::runtime_error(here + ": missing array 'pretokenizers'");
        std::vector<std::shared_ptr<const PreTokenizer>> parts;
        size_t index = 0;
        for (const auto& part : spec["pretokenizers"])
            parts.push_back(makePreTokenizer(part, context + "[" + std::to_string(index++) + "]"));
        return std::make_shared<SequencePreTokenizer>(std::move(parts));
    }
    throw std::runtime_error(context + ": unsupported pre-tokenizer '" + type + "'");
}

}  // namespace capsule::tokenizer
