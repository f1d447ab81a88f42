#include "io/json_reader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace capsule::io {
namespace {

using Json = nlohmann::json;

// Builds a DOM like nlohmann's json_sax_dom_parser, but stops at the first duplicate key or at
// nesting deeper than kMaxJsonDepth, and keeps a readable error instead of throwing from inside
// the parser.
class StrictDomBuilder : public nlohmann::json_sax<Json> {
public:
    explicit StrictDomBuilder(Json& root) : root_(root) {}

    bool null() override { return addValue(Json(nullptr)); }
    bool boolean(bool value) override { return addValue(Json(value)); }
    bool number_integer(number_integer_t value) override { return addValue(Json(value)); }
    bool number_unsigned(number_unsigned_t value) override { return addValue(Json(value)); }
    bool number_float(number_float_t value, const string_t& /*text*/) override {
        return addValue(Json(value));
    }
    bool string(string_t& value) override { return addValue(Json(std::move(value))); }
    bool binary(binary_t& /*value*/) override {
        error_ = "binary values are not JSON";
        return false;
    }
    bool start_object(std::size_t /*elements*/) override {
        return openContainer(Json::object());
    }
    bool key(string_t& value) override {
        Json& object = *stack_.back();
        if (object.contains(value)) {
            error_ = "duplicate key '" + value + "'";
            return false;
        }
        // Reserve the slot now so that the value lands under this key.
        pendingKey_ = &object[value];
        return true;
    }
    bool end_object() override {
        stack_.pop_back();
        return true;
    }
    bool start_array(std::size_t /*elements*/) override { return openContainer(Json::array()); }
    bool end_array() override {
        stack_.pop_back();
        return true;
    }
    bool parse_error(std::size_t position, const std::string& /*lastToken*/,
                     const nlohmann::detail::exception& exception) override {
        error_ = exception.what();
        // nlohmann's text reads "[json.exception.parse_error.101] parse error at line 1, column
        // 5: syntax error ..."; keep the part after the bracketed id.
        const auto bracket = error_.find("] ");
        if (bracket != std::string::npos) error_ = error_.substr(bracket + 2);
        errorPosition_ = position;
        return false;
    }

    const std::string& error() const { return error_; }
    std::size_t errorPosition() const { return errorPosition_; }

private:
    Json* place(Json value) {
        if (stack_.empty()) {
            root_ = std::move(value);
            return &root_;
        }
        Json& parent = *stack_.back();
        if (parent.is_array()) {
            parent.push_back(std::move(value));
            return &parent.back();
        }
        *pendingKey_ = std::move(value);
        return pendingKey_;
    }
    bool addValue(Json value) {
        place(std::move(value));
        return true;
    }
    bool openContainer(Json container) {
        // serde_json counts its recursion budget down from 128 and fails when it reaches 0, so
        // the 128th nested container is already refused.
        if (stack_.size() + 1 >= kMaxJsonDepth) {
            error_ = "nesting deeper than " + std::to_string(kMaxJsonDepth - 1) + " levels";
            return false;
        }
        stack_.push_back(place(std::move(container)));
        return true;
    }

    Json& root_;
    std::vector<Json*> stack_;
    Json* pendingKey_ = nullptr;
    std::string error_;
    std::size_t errorPosition_ = 0;
};

std::string errnoText() {
    return std::strerror(errno);
}

}  // namespace

bool isValidUtf8(std::string_view bytes, std::size_t* errorOffset) {
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t size = bytes.size();
    std::size_t i = 0;
    auto fail = [&](std::size_t at) {
        if (errorOffset) *errorOffset = at;
        return false;
    };
    while (i < size) {
        const unsigned char lead = data[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        unsigned char low = 0x80;  // allowed range of the second byte (rules out overlongs,
        unsigned char high = 0xBF; // surrogates and code points past U+10FFFF, RFC 3629)
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) low = 0xA0;
            if (lead == 0xED) high = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) low = 0x90;
            if (lead == 0xF4) high = 0x8F;
        } else {
            return fail(i);
        }
        if (size - i < length) return fail(i);
        if (data[i + 1] < low || data[i + 1] > high) return fail(i);
        for (std::size_t k = 2; k < length; ++k) {
            if (data[i + k] < 0x80 || data[i + k] > 0xBF) return fail(i);
        }
        i += length;
    }
    return true;
}

nlohmann::json parseJsonStrict(const std::string& fileLabel, std::string_view text) {
    std::size_t badByte = 0;
    if (!isValidUtf8(text, &badByte)) {
        throw std::runtime_error(fileLabel + ": invalid UTF-8 at byte " + std::to_string(badByte));
    }
    // nlohmann silently skips a byte order mark; serde_json (the reference) rejects it.
    if (!text.empty() && static_cast<unsigned char>(text[0]) == 0xEF) {
        throw std::runtime_error(fileLabel + ": invalid JSON: starts with a byte order mark");
    }
    // nlohmann's lexer treats a NUL byte as the end of input, so "{}\0garbage" would parse; NUL is
    // never valid JSON (not even inside strings, where control characters must be escaped).
    const std::size_t nul = text.find('\0');
    if (nul != std::string_view::npos) {
        throw std::runtime_error(fileLabel + ": invalid JSON: NUL byte at byte " + std::to_string(nul));
    }
    Json root;
    StrictDomBuilder builder(root);
    const bool parsed = Json::sax_parse(text.begin(), text.end(), &builder,
                                        Json::input_format_t::json, /*strict=*/true,
                                        /*ignore_comments=*/false);
    if (!parsed) {
        std::string message = builder.error().empty() ? std::string("parse failed") : builder.error();
        throw std::runtime_error(fileLabel + ": invalid JSON: " + message);
    }
    return root;
}

std::string readTextFile(const std::string& path, std::size_t maxSizeBytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open: " + errnoText());
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) throw std::runtime_error(path + ": cannot determine the file size");
    if (static_cast<std::size_t>(size) > maxSizeBytes) {
        throw std::runtime_error(path + ": file too large (" + std::to_string(size) + " bytes, limit " +
                                 std::to_string(maxSizeBytes) + ")");
    }
    in.seekg(0, std::ios::beg);
    std::string text(static_cast<std::size_t>(size), '\0');
    if (size > 0 && !in.read(text.data(), size)) {
        throw std::runtime_error(path + ": read failed: " + errnoText());
    }
    return text;
}

nlohmann::json readJsonFile(const std::string& path, std::size_t maxSizeBytes) {
    return parseJsonStrict(path, readTextFile(path, maxSizeBytes));
}

}  // namespace capsule::io
