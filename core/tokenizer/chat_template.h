#pragma once
// Prompt formats for chat / instruction fine-tuning and the playground, rendered natively (no Jinja):
// the Jinja `chat_template` of tokenizer_config.json (a string, or a list of {name, template}) or
// chat_template.jinja is recognised by substring rules in the spirit of llama.cpp's
// llm_chat_detect_template, and the family's format is rendered by hand-written code.
//
// Formats (exact strings; BOS/EOS texts come from the tokenizer's SpecialTokens, with the family's
// usual tokens as fallback):
//   chatml   <|im_start|>{role}\n{content}<|im_end|>\n ...; generation prompt <|im_start|>assistant\n
//   llama3   {bos}<|start_header_id|>{role}<|end_header_id|>\n\n{content.strip()}<|eot_id|> ...;
//            generation prompt <|start_header_id|>assistant<|end_header_id|>\n\n
//   llama2   {bos}[INST] {(<<SYS>>\n{system}\n<</SYS>>\n\n + user).strip()} [/INST] {assistant.strip()} {eos}
//            then {bos}[INST] ... for later turns (the Llama-2-chat template); roles must alternate
//   mistral  {bos}[INST] {user} [/INST]{assistant}{eos}[INST] {user} [/INST]... (Mistral-Instruct v0.1);
//            a system message is put before the first user message, separated by "\n\n"
//   alpaca   Stanford Alpaca: "{preamble}\n\n### Instruction:\n{user}\n\n### Response:" + assistant + eos,
//            later turns "\n\n### Instruction:\n{user}\n\n### Response:"; a system message replaces the preamble
//   plain    each system/user message "{content}\n", each assistant message "{content}{eos}" ("\n" between turns)
// The rendered text contains the BOS/EOS strings where the model's template puts them, so it must be
// encoded with addSpecialTokens = false (as transformers' apply_chat_template does).
// No system prompt is ever invented (Qwen's and SmolLM's templates add a default one; we do not).
//
// Immutable after construction (thread-safe).
#include "tokenizer/tokenizer.h"

#include <string>
#include <string_view>
#include <vector>

namespace capsule::tokenizer {

enum class ChatFormat { ChatML, Llama2, Llama3, Mistral, Alpaca, Plain };

struct ChatMessage {
    std::string role;  // "system", "user" or "assistant"
    std::string content;
};

/// A run of rendered text. `trainable` marks what the model should learn to produce: each assistant
/// message's content plus its end-of-turn marker (<|im_end|>, <|eot_id|>, EOS); everything else
/// (headers, user and system turns) is context whose labels training masks out.
struct ChatSegment {
    std::string text;
    bool trainable = false;
};

class ChatTemplate {
public:
    /// A format picked by name: "chatml", "llama2", "llama3", "mistral", "alpaca", "plain".
    /// Throws std::invalid_argument listing the valid names.
    static ChatTemplate fromName(std::string_view name, const SpecialTokens& specialTokens = {});
    /// Recognises the family of a Jinja chat template (or a format name). An unrecognised template
    /// gives the plain format and a warning() the UI can show.
    static ChatTemplate detect(std::string_view jinjaSource, const SpecialTokens& specialTokens = {});
    /// Reads chat_template.jinja (preferred, as transformers does) or tokenizer_config.json's
    /// "chat_template" in `folder`; without any, the plain format with a warning.
    /// Throws std::runtime_error naming the file when it is malformed.
    static ChatTemplate fromDirectory(const std::string& folder, const SpecialTokens& specialTokens);

    /// Every format name, in the order the UI should offer them.
    static std::vector<std::string> formatNames();

    ChatFormat format() const { return format_; }
    std::string name() const;
    /// Empty unless the format was a fallback for a missing or unrecognised template.
    const std::string& warning() const { return warning_; }

    /// Renders a conversation. Consecutive pieces with the same `trainable` flag are merged.
    /// Throws std::invalid_argument for an unknown role or (llama2, mistral) roles that do not
    /// alternate user/assistant.
    std::vector<ChatSegment> render(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const;
    /// The concatenated text of render().
    std::string renderText(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const;

    /// The Alpaca prompt for one record (with or without an input), ending in "### Response:".
    static std::string alpacaPrompt(const std::string& instruction, const std::string& input);

private:
    ChatTemplate(ChatFormat format, const SpecialTokens& specialTokens);

    ChatFormat format_ = ChatFormat::Plain;
    std::string bosText_, eosText_;
    std::string warning_;
};

}  // namespace capsule::tokenizer
