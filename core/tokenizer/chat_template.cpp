#include "tokenizer/chat_template.h"

#include "tokenizer/tokenizer_config.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace capsule::tokenizer {

namespace {

constexpr const char* kAlpacaPreambleWithInput =
    "Below is an instruction that describes a task, paired with an input that provides further context. "
    "Write a response that appropriately completes the request.";
constexpr const char* kAlpacaPreamble =
    "Below is an instruction that describes a task. Write a response that appropriately completes the request.";

struct NamedFormat {
    const char* name;
    ChatFormat format;
};
constexpr NamedFormat kFormats[] = {{"chatml", ChatFormat::ChatML}, {"llama3", ChatFormat::Llama3},
                                    {"llama2", ChatFormat::Llama2}, {"mistral", ChatFormat::Mistral},
                                    {"alpaca", ChatFormat::Alpaca}, {"plain", ChatFormat::Plain}};

// Python's str.strip(): ASCII and Unicode whitespace at both ends (ASCII is what matters here).
std::string strip(const std::string& text) {
    const char* spaces = " \t\n\r\f\v";
    const size_t begin = text.find_first_not_of(spaces);
    if (begin == std::string::npos) return "";
    const size_t end = text.find_last_not_of(spaces);
    return text.substr(begin, end - begin + 1);
}

class SegmentWriter {
public:
    void context(const std::string& text) { add(text, false); }
    void trainable(const std::string& text) { add(text, true); }
    std::vector<ChatSegment> take() { return std::move(segments_); }

private:
    void add(const std::string& text, bool trainable) {
        if (text.empty()) return;
        if (!segments_.empty() && segments_.back().trainable == trainable)
            segments_.back().text += text;
        else
            segments_.push_back({text, trainable});
    }
    std::vector<ChatSegment> segments_;
};

void checkRole(const ChatMessage& message) {
    if (message.role != "system" && message.role != "user" && message.role != "assistant")
        throw std::invalid_argument("chat template: unknown role '" + message.role +
                                    "' (expected system, user or assistant)");
}

std::string readFileText(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(path + ": cannot open file");
    std::ostringstream buffer;
    buffer << file.rdbuf();
    return buffer.str();
}

}  // namespace

ChatTemplate::ChatTemplate(ChatFormat format, const SpecialTokens& specialTokens)
    : format_(format), bosText_(specialTokens.bosText), eosText_(specialTokens.eosText) {
    switch (format) {
    case ChatFormat::Llama3:
        if (bosText_.empty()) bosText_ = "<|begin_of_text|>";
        break;
    case ChatFormat::Llama2:
    case ChatFormat::Mistral:
        if (bosText_.empty()) bosText_ = "<s>";
        if (eosText_.empty()) eosText_ = "</s>";
        break;
    default:
        break;
    }
}

std::vector<std::string> ChatTemplate::formatNames() {
    std::vector<std::string> names;
    for (const NamedFormat& entry : kFormats) names.emplace_back(entry.name);
    return names;
}

std::string ChatTemplate::name() const {
    for (const NamedFormat& entry : kFormats)
        if (entry.format == format_) return entry.name;
    return "plain";
}

ChatTemplate ChatTemplate::fromName(std::string_view name, const SpecialTokens& specialTokens) {
    for (const NamedFormat& entry : kFormats)
        if (name == entry.name) return ChatTemplate(entry.format, specialTokens);
    std::string valid;
    for (const NamedFormat& entry : kFormats) valid += std::string(valid.empty() ? "" : ", ") + entry.name;
    throw std::invalid_argument("unknown chat format '" + std::string(name) + "' (valid: " + valid + ")");
}

ChatTemplate ChatTemplate::detect(std::string_view source, const SpecialTokens& specialTokens) {
    for (const NamedFormat& entry : kFormats)
        if (source == entry.name) return ChatTemplate(entry.format, specialTokens);
    const auto contains = [&](const char* needle) { return source.find(needle) != std::string_view::npos; };
    if (contains("<|im_start|>")) return ChatTemplate(ChatFormat::ChatML, specialTokens);
    if (contains("<|start_header_id|>") && contains("<|end_header_id|>"))
        return ChatTemplate(ChatFormat::Llama3, specialTokens);
    if (contains("[INST]")) {
        // Llama-2-chat wraps the system prompt in <<SYS>>; Mistral's templates have no such block.
        return ChatTemplate(contains("<<SYS>>") ? ChatFormat::Llama2 : ChatFormat::Mistral, specialTokens);
    }
    if (contains("### Instruction:") && contains("### Response:")) return ChatTemplate(ChatFormat::Alpaca, specialTokens);
    ChatTemplate fallback(ChatFormat::Plain, specialTokens);
    fallback.warning_ = source.empty() ? "The model has no chat template; using the plain prompt format."
                                       : "The model's chat template is not one of the known formats (chatml, llama2, "
                                         "llama3, mistral, alpaca); using the plain prompt format.";
    return fallback;
}

ChatTemplate ChatTemplate::fromDirectory(const std::string& folder, const SpecialTokens& specialTokens) {
    namespace fs = std::filesystem;
    const std::string jinjaPath = (fs::path(folder) / "chat_template.jinja").string();
    if (fs::exists(jinjaPath)) return detect(readFileText(jinjaPath), specialTokens);
    const std::string configPath = (fs::path(folder) / "tokenizer_config.json").string();
    if (fs::exists(configPath)) {
        const nlohmann::json config = readJson(configPath);
        const auto it = config.is_object() ? config.find("chat_template") : config.end();
        if (it != config.end() && !it->is_null()) {
            if (it->is_string()) return detect(it->get<std::string>(), specialTokens);
            if (!it->is_array())
                throw std::runtime_error(configPath + ": 'chat_template' must be a string or a list of {name, template}");
            // A list of named templates: the one called "default", else the first.
            std::string chosen;
            bool found = false;
            for (const auto& entry : *it) {
                if (!entry.is_object() || !entry.contains("template") || !entry["template"].is_string())
                    throw std::runtime_error(configPath + ": each 'chat_template' entry needs a string 'template'");
                const bool isDefault = entry.contains("name") && entry["name"] == "default";
                if (!found || isDefault) chosen = entry["template"].get<std::string>();
                found = true;
                if (isDefault) break;
            }
            return detect(chosen, specialTokens);
        }
    }
    return detect("", specialTokens);
}

std::string ChatTemplate::alpacaPrompt(const std::string& instruction, const std::string& input) {
    if (input.empty())
        return std::string(kAlpacaPreamble) + "\n\n### Instruction:\n" + instruction + "\n\n### Response:";
    return std::string(kAlpacaPreambleWithInput) + "\n\n### Instruction:\n" + instruction + "\n\n### Input:\n" + input +
           "\n\n### Response:";
}

std::vector<ChatSegment> ChatTemplate::render(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const {
    for (const ChatMessage& message : messages) checkRole(message);
    SegmentWriter out;
    switch (format_) {
    case ChatFormat::ChatML:
        for (const ChatMessage& message : messages) {
            out.context("<|im_start|>" + message.role + "\n");
            if (message.role == "assistant") {
                out.trainable(message.content + "<|im_end|>");
                out.context("\n");
            } else {
                out.context(message.content + "<|im_end|>\n");
            }
        }
        if (addGenerationPrompt) out.context("<|im_start|>assistant\n");
        break;

    case ChatFormat::Llama3:
        out.context(bosText_);
        for (const ChatMessage& message : messages) {
            out.context("<|start_header_id|>" + message.role + "<|end_header_id|>\n\n");
            if (message.role == "assistant")
                out.trainable(strip(message.content) + "<|eot_id|>");
            else
                out.context(strip(message.content) + "<|eot_id|>");
        }
        if (addGenerationPrompt) out.context("<|start_header_id|>assistant<|end_header_id|>\n\n");
        break;

    case ChatFormat::Llama2:
    case ChatFormat::Mistral: {
        const bool llama2 = format_ == ChatFormat::Llama2;
        size_t first = 0;
        std::string system;
        bool hasSystem = false;
        if (!messages.empty() && messages[0].role == "system") {
            system = messages[0].content;
            hasSystem = true;
            first = 1;
        }
        for (size_t i = first; i < messages.size(); ++i) {
            const ChatMessage& message = messages[i];
            const bool expectUser = (i - first) % 2 == 0;
            if (message.role == "system" || (message.role == "user") != expectUser)
                throw std::invalid_argument(name() + " chat format: after an optional first system message, roles must "
                                                     "alternate user/assistant (message " + std::to_string(i) + " is '" +
                                            message.role + "')");
            if (message.role == "user") {
                std::string content = message.content;
                if (i == first && hasSystem)
                    content = llama2 ? "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + content : system + "\n\n" + content;
                if (llama2) {
                    out.context(bosText_ + "[INST] " + strip(content) + " [/INST]");
                } else {
                    if (i == first) out.context(bosText_);
                    out.context("[INST] " + content + " [/INST]");
                }
            } else {
                out.trainable(llama2 ? " " + strip(message.content) + " " + eosText_ : message.content + eosText_);
            }
        }
        break;
    }

    case ChatFormat::Alpaca: {
        std::string preamble = kAlpacaPreamble;
        bool started = false;
        for (const ChatMessage& message : messages) {
            if (message.role == "system") {
                preamble = message.content;
            } else if (message.role == "user") {
                out.context((started ? std::string("\n\n") : preamble + "\n\n") + "### Instruction:\n" + message.content +
                            "\n\n### Response:");
                started = true;
            } else {
                out.trainable(message.content + eosText_);
                started = true;
            }
        }
        break;
    }

    case ChatFormat::Plain:
        for (size_t i = 0; i < messages.size(); ++i) {
            const ChatMessage& message = messages[i];
            if (message.role == "assistant") {
                out.trainable(message.content + eosText_);
                if (i + 1 < messages.size()) out.context("\n");
            } else {
                out.context(message.content + "\n");
            }
        }
        break;
    }
    return out.take();
}

std::string ChatTemplate::renderText(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const {
    std::string text;
    for (const ChatSegment& segment : render(messages, addGenerationPrompt)) text += segment.text;
    return text;
}

}  // namespace capsule::tokenizer
