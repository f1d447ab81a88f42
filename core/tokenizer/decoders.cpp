#include "tokenizer/decoders.h"

#include "tokenizer/byte_level.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/regex_pattern.h"
#include "tokenizer/unicode_text.h"

#include <stdexcept>

namespace capsule::tokenizer {

namespace {

class ByteLevelDecoder final : public Decoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override {
        std::string bytes;
        for (const std::string& token : tokens) byte_level::appendDecodedToken(bytes, token);
        tokens.assign(1, unicode::decodeLossy(bytes));
    }
};

class MetaspaceDecoder final : public Decoder {
public:
    MetaspaceDecoder(std::string replacement, bool prependScheme) : replacement_(std::move(replacement)), prepend_(prependScheme) {}
    void decodeChain(std::vector<std::string>& tokens) const override {
        for (size_t i = 0; i < tokens.size(); ++i) {
            std::string out;
            const std::string& token = tokens[i];
            size_t at = 0;
            while (at < token.size()) {
                if (token.compare(at, replacement_.size(), replacement_) == 0) {
                    if (!(i == 0 && prepend_)) out += ' ';
                    at += replacement_.size();
                } else {
                    out += token[at++];
                }
            }
            tokens[i] = std::move(out);
        }
    }

private:
    std::string replacement_;
    bool prepend_;  // scheme other than "never": the replacements of the first token are dropped
};

class ByteFallbackDecoder final : public Decoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override {
        std::vector<std::string> result;
        result.reserve(tokens.size());
        std::string pending;  // consecutive <0xHH> bytes
        auto flush = [&] {
            if (pending.empty()) return;
            if (!unicode::findInvalidUtf8(pending)) {
                result.push_back(pending);
            } else {
                for (size_t k = 0; k < pending.size(); ++k) result.emplace_back("\xEF\xBF\xBD");
            }
            pending.clear();
        };
        for (std::string& token : tokens) {
            int byte = -1;
            if (token.size() == 6 && token.compare(0, 3, "<0x") == 0 && token[5] == '>') byte = parseHexByte(token.substr(3, 2));
            if (byte >= 0) {
                pending.push_back(static_cast<char>(byte));
            } else {
                flush();
                result.push_back(std::move(token));
            }
        }
        flush();
        tokens.swap(result);
    }

private:
    // u8::from_str_radix(.., 16) on two characters: hex digits, or '+' then one digit.
    static int parseHexByte(const std::string& text) {
        auto digit = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        if (text[0] == '+') return digit(text[1]);
        const int high = digit(text[0]), low = digit(text[1]);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }
};

class FuseDecoder final : public Decoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override {
        std::string joined;
        for (const std::string& token : tokens) joined += token;
        tokens.assign(1, std::move(joined));
    }
};

class StripDecoder final : public Decoder {
public:
    StripDecoder(std::string content, size_t start, size_t stop) : content_(std::move(content)), start_(start), stop_(stop) {
        size_t length = 0;
        character_ = unicode::decodeAt(content_, 0, length);
    }
    void decodeChain(std::vector<std::string>& tokens) const override {
        for (std::string& token : tokens) {
            // Work on characters, as Hugging Face does.
            std::vector<std::pair<size_t, size_t>> characters;  // byte begin, length
            std::vector<char32_t> codePoints;
            for (size_t i = 0; i < token.size();) {
                size_t length = 0;
                codePoints.push_back(unicode::decodeAt(token, i, length));
                characters.emplace_back(i, length);
                i += length;
            }
            size_t startCut = 0;
            for (size_t i = 0; i < start_ && i < codePoints.size(); ++i) {
                if (codePoints[i] != character_) break;
                startCut = i + 1;
            }
            size_t stopCut = codePoints.size();
            for (size_t i = 0; i < stop_ && i < codePoints.size(); ++i) {
                const size_t index = codePoints.size() - i - 1;
                if (codePoints[index] != character_) break;
                stopCut = index;
            }
            if (stopCut < startCut) stopCut = startCut;
            const size_t byteBegin = startCut < characters.size() ? characters[startCut].first : token.size();
            const size_t byteEnd = stopCut < characters.size() ? characters[stopCut].first : token.size();
            token = token.substr(byteBegin, byteEnd - byteBegin);
        }
    }

private:
    std::string content_;
    char32_t character_ = U' ';
    size_t start_, stop_;
};

class ReplaceDecoder final : public Decoder {
public:
    ReplaceDecoder(std::shared_ptr<const TextPattern> pattern, std::string content)
        : pattern_(std::move(pattern)), content_(std::move(content)) {}
    void decodeChain(std::vector<std::string>& tokens) const override {
        std::vector<std::pair<size_t, size_t>> matches;
        for (std::string& token : tokens) {
            pattern_->findAll(token, matches);
            if (matches.empty()) continue;
            std::string out;
            size_t previous = 0;
            for (const auto& [begin, end] : matches) {
                out.append(token, previous, begin - previous);
                out += content_;
                previous = end;
            }
            out.append(token, previous, std::string::npos);
            token = std::move(out);
        }
    }

private:
    std::shared_ptr<const TextPattern> pattern_;
    std::string content_;
};

class WordPieceDecoder final : public Decoder {
public:
    WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}
    void decodeChain(std::vector<std::string>& tokens) const override {
        for (size_t i = 0; i < tokens.size(); ++i) {
            std::string& token = tokens[i];
            if (i != 0) {
                if (token.compare(0, prefix_.size(), prefix_) == 0)
                    token.erase(0, prefix_.size());
                else
                    token.insert(0, " ");
            }
            if (cleanup_) token = cleanupTokenization(token);
        }
    }

private:
    static void replaceAll(std::string& text, const std::string& from, const std::string& to) {
        size_t at = 0;
        while ((at = text.find(from, at)) != std::string::npos) {
            text.replace(at, from.size(), to);
            at += to.size();
        }
    }
    static std::string cleanupTokenization(std::string text) {
        replaceAll(text, " .", ".");
        replaceAll(text, " ?", "?");
        replaceAll(text, " !", "!");
        replaceAll(text, " ,", ",");
        replaceAll(text, " ' ", "'");
        replaceAll(text, " n't", "n't");
        replaceAll(text, " 'm", "'m");
        replaceAll(text, " do not", " don't");
        replaceAll(text, " 's", "'s");
        replaceAll(text, " 've", "'ve");
        replaceAll(text, " 're", "'re");
        return text;
    }
    std::string prefix_;
    bool cleanup_;
};

class BpeSuffixDecoder final : public Decoder {
public:
    explicit BpeSuffixDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
    void decodeChain(std::vector<std::string>& tokens) const override {
        if (suffix_.empty()) return;
        for (size_t i = 0; i < tokens.size(); ++i) {
            const std::string replacement = i + 1 == tokens.size() ? "" : " ";
            std::string& token = tokens[i];
            size_t at = 0;
            while ((at = token.find(suffix_, at)) != std::string::npos) {
                token.replace(at, suffix_.size(), replacement);
                at += replacement.size();
            }
        }
    }

private:
    std::string suffix_;
};

class SequenceDecoder final : public Decoder {
public:
    explicit SequenceDecoder(std::vector<std::shared_ptr<const Decoder>> parts) : parts_(std::move(parts)) {}
    void decodeChain(std::vector<std::string>& tokens) const override {
        for (const auto& part : parts_) part->decodeChain(tokens);
    }

private:
    std::vector<std::shared_ptr<const Decoder>> parts_;
};

}  // namespace

std::shared_ptr<const Decoder> makeByteLevelDecoder() { return std::make_shared<ByteLevelDecoder>(); }

std::shared_ptr<const Decoder> makeDecoder(const nlohmann::json& spec, const std::string& context) {
    if (!spec.is_object()) throw std::runtime_error(context + ": expected an object with a 'type'");
    const std::string type = json_fields::requiredString(spec, "type", context);
    const std::string here = context + " '" + type + "'";
    if (type == "ByteLevel") return makeByteLevelDecoder();
    if (type == "Metaspace") {
        const std::string replacement = json_fields::optionalString(spec, "replacement", here).value_or("\u2581");
        bool prepend = true;
        if (const auto scheme = json_fields::optionalString(spec, "prepend_scheme", here))
            prepend = *scheme != "never";
        else
            prepend = json_fields::optionalBool(spec, "add_prefix_space", true, here);
        if (replacement.empty()) throw std::runtime_error(here + ": 'replacement' must be one character");
        return std::make_shared<MetaspaceDecoder>(replacement, prepend);
    }
    if (type == "ByteFallback") return std::make_shared<ByteFallbackDecoder>();
    if (type == "Fuse") return std::make_shared<FuseDecoder>();
    if (type == "Strip") {
        const std::string content = json_fields::requiredString(spec, "content", here);
        size_t length = 0;
        if (content.empty() || (unicode::decodeAt(content, 0, length), length != content.size()))
            throw std::runtime_error(here + ": 'content' must be exactly one character");
        return std::make_shared<StripDecoder>(content,
                                              static_cast<size_t>(json_fields::optionalInteger(spec, "start", 0, 0, 1 << 30, here)),
                                              static_cast<size_t>(json_fields::optionalInteger(spec, "stop", 0, 0, 1 << 30, here)));
    }
    if (type == "Replace") {
        if (!spec.contains("pattern")) throw std::runtime_error(here + ": missing 'pattern'");
        return std::make_shared<ReplaceDecoder>(TextPattern::fromJson(&spec["pattern"], here),
                                                json_fields::requiredString(spec, "content", here));
    }
    if (type == "WordPiece")
        return std::make_shared<WordPieceDecoder>(json_fields::optionalString(spec, "prefix", here).value_or("##"),
                                                  json_fields::optionalBool(spec, "cleanup", true, here));
    if (type == "BPEDecoder")
        return std::make_shared<BpeSuffixDecoder>(json_fields::optionalString(spec, "suffix", here).value_or("</w>"));
    if (type == "Sequence") {
        if (!spec.contains("decoders") || !spec["decoders"].is_array())
            throw std::runtime_error(here + ": missing array 'decoders'");
        std::vector<std::shared_ptr<const Decoder>> parts;
        size_t index = 0;
        for (const auto& part : spec["decoders"])
            parts.push_back(makeDecoder(part, context + "[" + std::to_string(index++) + "]"));
        return std::make_shared<SequenceDecoder>(std::move(parts));
    }
    throw std::runtime_error(context + ": unsupported decoder '" + type + "'");
}

}  // namespace capsule::tokenizer
