#include "tokenizer/normalizers.h"

#include "tokenizer/byte_level.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/regex_pattern.h"
#include "tokenizer/unicode_text.h"

#include <unicode/bytestream.h>
#include <unicode/edits.h>
#include <unicode/normalizer2.h>

#include <stdexcept>
#include <vector>

namespace capsule::tokenizer {

namespace {

// Calls `function(codePoint, begin, end)` for each character of valid UTF-8 text.
template <typename Function>
void forEachCharacter(const std::string& text, Function&& function) {
    size_t i = 0;
    while (i < text.size()) {
        size_t length = 0;
        const char32_t c = unicode::decodeAt(text, i, length);
        function(c, i, i + length);
        i += length;
    }
}

// Keeps the characters for which `keep` is true.
template <typename Predicate>
void filterCharacters(NormalizedText& text, Predicate&& keep) {
    NormalizedText::Builder builder(text);
    forEachCharacter(text.text(), [&](char32_t c, size_t begin, size_t end) {
        if (keep(c)) builder.copy(begin, end);
    });
    builder.commit();
}

// Replaces characters by `map(c)` (a code point; equal means unchanged).
template <typename Mapping>
void mapCharacters(NormalizedText& text, Mapping&& map) {
    NormalizedText::Builder builder(text);
    std::string replacement;
    forEachCharacter(text.text(), [&](char32_t c, size_t begin, size_t end) {
        const char32_t mapped = map(c);
        if (mapped == c) {
            builder.copy(begin, end);
        } else {
            replacement.clear();
            unicode::appendUtf8(replacement, mapped);
            builder.emit(replacement, begin, end);
        }
    });
    builder.commit();
}

class UnicodeNormalizer final : public Normalizer {
public:
    enum class Form { NFC, NFD, NFKC, NFKD };
    explicit UnicodeNormalizer(Form form) {
        UErrorCode status = U_ZERO_ERROR;
        switch (form) {
        case Form::NFC: instance_ = icu::Normalizer2::getNFCInstance(status); break;
        case Form::NFD: instance_ = icu::Normalizer2::getNFDInstance(status); break;
        case Form::NFKC: instance_ = icu::Normalizer2::getNFKCInstance(status); break;
        case Form::NFKD: instance_ = icu::Normalizer2::getNFKDInstance(status); break;
        }
        if (U_FAILURE(status) || !instance_)
            throw std::runtime_error(std::string("ICU normalizer unavailable: ") + u_errorName(status));
    }
    void normalize(NormalizedText& text) const override {
        const std::string& source = text.text();
        if (unicode::isAscii(source)) return;  // ASCII is invariant under all four forms
        UErrorCode status = U_ZERO_ERROR;
        if (instance_->isNormalizedUTF8(source, status) && U_SUCCESS(status)) return;
        status = U_ZERO_ERROR;
        std::string result;
        icu::StringByteSink<std::string> sink(&result);
        icu::Edits edits;
        instance_->normalizeUTF8(0, source, sink, &edits, status);
        if (U_FAILURE(status)) throw std::runtime_error(std::string("Unicode normalization failed: ") + u_errorName(status));
        NormalizedText::Builder builder(text);
        icu::Edits::Iterator iterator = edits.getFineIterator();
        while (iterator.next(status)) {
            const size_t sourceBegin = static_cast<size_t>(iterator.sourceIndex());
            const size_t sourceLength = static_cast<size_t>(iterator.oldLength());
            if (!iterator.hasChange()) {
                builder.copy(sourceBegin, sourceBegin + sourceLength);
                continue;
            }
            const std::string_view produced(result.data() + iterator.destinationIndex(),
                                            static_cast<size_t>(iterator.newLength()));
            if (produced.empty()) continue;
            if (sourceLength == 0) {  // an insertion: align with the neighbouring character
                const size_t at = sourceBegin < source.size() ? sourceBegin : source.size() - 1;
                builder.emit(produced, at, at + 1);
            } else {
                builder.emit(produced, sourceBegin, sourceBegin + sourceLength);
            }
        }
        builder.commit();
    }

private:
    const icu::Normalizer2* instance_ = nullptr;  // ICU-owned singleton
};

class LowercaseNormalizer final : public Normalizer {
public:
    void normalize(NormalizedText& text) const override {
        const std::string& source = text.text();
        bool changes = false;
        for (const char c : source) {
            const auto b = static_cast<unsigned char>(c);
            if (b >= 0x80 || (b >= 'A' && b <= 'Z')) {
                changes = true;
                break;
            }
        }
        if (!changes) return;
        NormalizedText::Builder builder(text);
        std::string lowered;
        forEachCharacter(source, [&](char32_t c, size_t begin, size_t end) {
            lowered.clear();
            unicode::appendLowercase(lowered, c);
            builder.emit(lowered, begin, end);
        });
        builder.commit();
    }
};

class StripNormalizer final : public Normalizer {
public:
    StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
    void normalize(NormalizedText& text) const override {
        const std::string& source = text.text();
        size_t begin = 0, end = source.size();
        if (left_) {
            while (begin < end) {
                size_t length = 0;
                if (!unicode::isWhitespace(unicode::decodeAt(source, begin, length))) break;
                begin += length;
            }
        }
        if (right_) {
            while (end > begin) {
                size_t start = end - 1;
                while (start > begin && (static_cast<unsigned char>(source[start]) & 0xC0) == 0x80) --start;
                size_t length = 0;
                if (!unicode::isWhitespace(unicode::decodeAt(source, start, length))) break;
                end = start;
            }
        }
        if (begin == 0 && end == source.size()) return;
        NormalizedText::Builder builder(text);
        builder.copy(begin, end);
        builder.commit();
    }

private:
    bool left_, right_;
};

class StripAccentsNormalizer final : public Normalizer {
public:
    void normalize(NormalizedText& text) const override {
        if (unicode::isAscii(text.text())) return;
        filterCharacters(text, [](char32_t c) { return !unicode::isCombiningMark(c); });
    }
};

class ReplaceNormalizer final : public Normalizer {
public:
    ReplaceNormalizer(std::shared_ptr<const TextPattern> pattern, std::string content)
        : pattern_(std::move(pattern)), content_(std::move(content)) {}
    void normalize(NormalizedText& text) const override {
        std::vector<std::pair<size_t, size_t>> matches;
        pattern_->findAll(text.text(), matches);
        if (matches.empty()) return;
        NormalizedText::Builder builder(text);
        size_t previous = 0;
        const size_t size = text.size();
        for (const auto& [start, end] : matches) {
            builder.copy(previous, start);
            if (!content_.empty()) {
                if (start < end) {
                    builder.emit(content_, start, end);
                } else if (size > 0) {  // an empty match inserts: align with the next character
                    const size_t at = start < size ? start : size - 1;
                    builder.emit(content_, at, at + 1);
                }
            }
            previous = end;
        }
        builder.copy(previous, size);
        builder.commit();
    }

private:
    std::shared_ptr<const TextPattern> pattern_;
    std::string content_;
};

class PrependNormalizer final : public Normalizer {
public:
    explicit PrependNormalizer(std::string prefix) : prefix_(std::move(prefix)) {}
    void normalize(NormalizedText& text) const override { text.prepend(prefix_); }

private:
    std::string prefix_;
};

class NmtNormalizer final : public Normalizer {
public:
    void normalize(NormalizedText& text) const override {
        filterCharacters(text, [](char32_t c) {
            return !((c >= 0x01 && c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || c == 0x8F ||
                     c == 0x9F);
        });
        mapCharacters(text, [](char32_t c) -> char32_t {
            switch (c) {
            case 0x09: case 0x0A: case 0x0C: case 0x0D: case 0x1680: case 0x2028: case 0x2029:
            case 0x2581: case 0xFEFF: case 0xFFFD:
                return U' ';
            default:
                return (c >= 0x200B && c <= 0x200F) ? U' ' : c;
            }
        });
    }
};

class BertNormalizer final : public Normalizer {
public:
    BertNormalizer(bool cleanText, bool handleChineseCharacters, bool stripAccents, bool lowercase)
        : cleanText_(cleanText), handleChinese_(handleChineseCharacters), stripAccents_(stripAccents),
          lowercase_(lowercase), nfd_(UnicodeNormalizer::Form::NFD) {}
    void normalize(NormalizedText& text) const override {
        if (cleanText_) {
            filterCharacters(text, [](char32_t c) {
                const bool control = c != U'\t' && c != U'\n' && c != U'\r' && unicode::isOtherCategory(c);
                return !(c == 0 || c == 0xFFFD || control);
            });
            mapCharacters(text, [](char32_t c) -> char32_t {
                const bool whitespace = c == U'\t' || c == U'\n' || c == U'\r' || unicode::isWhitespace(c);
                return whitespace ? U' ' : c;
            });
        }
        if (handleChinese_) {
            NormalizedText::Builder builder(text);
            std::string padded;
            forEachCharacter(text.text(), [&](char32_t c, size_t begin, size_t end) {
                if (!unicode::isChineseCharacter(c)) {
                    builder.copy(begin, end);
                    return;
                }
                padded = " ";
                padded.append(text.text(), begin, end - begin);
                padded += ' ';
                builder.emit(padded, begin, end);
            });
            builder.commit();
        }
        if (stripAccents_) {
            nfd_.normalize(text);
            filterCharacters(text, [](char32_t c) { return !unicode::isNonSpacingMark(c); });
        }
        if (lowercase_) LowercaseNormalizer().normalize(text);
    }

private:
    bool cleanText_, handleChinese_, stripAccents_, lowercase_;
    UnicodeNormalizer nfd_;
};

class ByteLevelNormalizer final : public Normalizer {
public:
    void normalize(NormalizedText& text) const override {
        NormalizedText::Builder builder(text);
        const std::string& source = text.text();
        for (size_t i = 0; i < source.size(); ++i)
            builder.emit(byte_level::characterForByte(static_cast<uint8_t>(source[i])), i, i + 1);
        builder.commit();
    }
};

class SequenceNormalizer final : public Normalizer {
public:
    explicit SequenceNormalizer(std::vector<std::shared_ptr<const Normalizer>> parts) : parts_(std::move(parts)) {}
    void normalize(NormalizedText& text) const override {
        for (const auto& part : parts_) part->normalize(text);
    }

private:
    std::vector<std::shared_ptr<const Normalizer>> parts_;
};

}  // namespace

std::shared_ptr<const Normalizer> makeNormalizer(const nlohmann::json& spec, const std::string& context) {
    if (!spec.is_object()) throw std::runtime_error(context + ": expected an object with a 'type'");
    const std::string type = json_fields::requiredString(spec, "type", context);
    const std::string here = context + " '" + type + "'";
    if (type == "NFC") return std::make_shared<UnicodeNormalizer>(UnicodeNormalizer::Form::NFC);
    if (type == "NFD") return std::make_shared<UnicodeNormalizer>(UnicodeNormalizer::Form::NFD);
    if (type == "NFKC") return std::make_shared<UnicodeNormalizer>(UnicodeNormalizer::Form::NFKC);
    if (type == "NFKD") return std::make_shared<UnicodeNormalizer>(UnicodeNormalizer::Form::NFKD);
    if (type == "Lowercase") return std::make_shared<LowercaseNormalizer>();
    if (type == "StripAccents") return std::make_shared<StripAccentsNormalizer>();
    if (type == "Nmt") return std::make_shared<NmtNormalizer>();
    if (type == "ByteLevel") return std::make_shared<ByteLevelNormalizer>();
    if (type == "Strip")
        return std::make_shared<StripNormalizer>(json_fields::optionalBool(spec, "strip_left", true, here),
                                                 json_fields::optionalBool(spec, "strip_right", true, here));
    if (type == "Prepend") return std::make_shared<PrependNormalizer>(json_fields::requiredString(spec, "prepend", here));
    if (type == "Replace") {
        if (!spec.contains("pattern")) throw std::runtime_error(here + ": missing 'pattern'");
        return std::make_shared<ReplaceNormalizer>(TextPattern::fromJson(&spec["pattern"], here),
                                                   json_fields::requiredString(spec, "content", here));
    }
    if (type == "BertNormalizer") {
        const bool lowercase = json_fields::optionalBool(spec, "lowercase", true, here);
        bool stripAccents = lowercase;  // null means "follow lowercase", as in Hugging Face
        if (spec.contains("strip_accents") && !spec["strip_accents"].is_null())
            stripAccents = json_fields::optionalBool(spec, "strip_accents", lowercase, here);
        return std::make_shared<BertNormalizer>(json_fields::optionalBool(spec, "clean_text", true, here),
                                                json_fields::optionalBool(spec, "handle_chinese_chars", true, here),
                                                stripAccents, lowercase);
    }
    if (type == "Sequence") {
        if (!spec.contains("normalizers") || !spec["normalizers"].is_array())
            throw std::runtime_error(here + ": missing array 'normalizers'");
        std::vector<std::shared_ptr<const Normalizer>> parts;
        size_t index = 0;
        for (const auto& part : spec["normalizers"])
            parts.push_back(makeNormalizer(part, context + "[" + std::to_string(index++) + "]"));
        return std::make_shared<SequenceNormalizer>(std::move(parts));
    }
    throw std::runtime_error(context + ": unsupported normalizer '" + type + "'");
}

std::string normalizeString(const Normalizer& normalizer, const std::string& text) {
    NormalizedText normalized(text, 0);
    normalizer.normalize(normalized);
    return normalized.text();
}

}  // namespace capsule::tokenizer
