// Chat formats: detection from real Jinja templates, exact rendered strings for each family, the
// trainable (assistant) spans used for label masking, and the fallbacks.
#include "capsule_test.h"

#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

using capsule::tokenizer::ChatFormat;
using capsule::tokenizer::ChatMessage;
using capsule::tokenizer::ChatSegment;
using capsule::tokenizer::ChatTemplate;
using capsule::tokenizer::SpecialTokens;
using capsule::tokenizer::Tokenizer;

namespace {

const std::vector<ChatMessage> kConversation = {
    {"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello!"}, {"user", " Bye "}};

std::string fixture(const std::string& name) { return capsule::test::fixturesDir() + "/tokenizers/" + name; }

std::string trainableText(const std::vector<ChatSegment>& segments) {
    std::string text;
    for (const ChatSegment& segment : segments)
        if (segment.trainable) text += "[" + segment.text + "]";
    return text;
}

// The Jinja templates as published on the Hugging Face hub (abridged where only detection matters).
const char* kLlama2Template =
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = "
    "messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}"
    "{% for message in loop_messages %}{% if loop.index0 == 0 and system_message != false %}{% set content = "
    "'<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = "
    "message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + "
    "' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}"
    "{% endfor %}";
const char* kMistralTemplate =
    "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + "
    "' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% endif %}{% endfor %}";
const char* kLlama3Template =
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + "
    "message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

}  // namespace

CAPSULE_TEST(detectsFamiliesFromRealTemplates) {
    const Tokenizer qwen = Tokenizer::fromDirectory(fixture("qwen3"));
    const ChatTemplate qwenTemplate = ChatTemplate::fromDirectory(fixture("qwen3"), qwen.specialTokens());
    COMPARE(qwenTemplate.name(), std::string("chatml"));
    VERIFY(qwenTemplate.warning().empty());
    COMPARE(ChatTemplate::detect(kLlama2Template).name(), std::string("llama2"));
    COMPARE(ChatTemplate::detect(kMistralTemplate).name(), std::string("mistral"));
    COMPARE(ChatTemplate::detect(kLlama3Template).name(), std::string("llama3"));
    COMPARE(ChatTemplate::detect("{{ '### Instruction:\\n' + x + '\\n\\n### Response:' }}").name(), std::string("alpaca"));
    COMPARE(ChatTemplate::detect("llama3").format(), ChatFormat::Llama3);  // a bare name is accepted too
}

CAPSULE_TEST(unknownOrMissingTemplatesFallBackToPlainWithWarning) {
    const ChatTemplate unknown = ChatTemplate::detect("{% for m in messages %}<<{{ m.role }}>>{{ m.content }}{% endfor %}");
    COMPARE(unknown.format(), ChatFormat::Plain);
    VERIFY(unknown.warning().find("not one of the known formats") != std::string::npos);
    // The sp-bpe fixture's tokenizer_config.json has no chat_template.
    const ChatTemplate missing = ChatTemplate::fromDirectory(fixture("sp-bpe"), {});
    COMPARE(missing.format(), ChatFormat::Plain);
    VERIFY(missing.warning().find("no chat template") != std::string::npos);
    VERIFY_THROWS(ChatTemplate::fromName("vicuna"), "valid: chatml, llama3, llama2, mistral, alpaca, plain");
}

CAPSULE_TEST(templateSourcesListFormAndJinjaFile) {
    capsule::test::TempDir folder;
    const nlohmann::json config = {
        {"chat_template", nlohmann::json::array({nlohmann::json{{"name", "tool_use"}, {"template", "<|im_start|>"}},
                                                 nlohmann::json{{"name", "default"}, {"template", kLlama3Template}}})}};
    capsule::test::writeFile(folder.file("tokenizer_config.json"), config.dump());
    COMPARE(ChatTemplate::fromDirectory(folder.path(), {}).name(), std::string("llama3"));
    // chat_template.jinja takes precedence, as in transformers.
    capsule::test::writeFile(folder.file("chat_template.jinja"), kMistralTemplate);
    COMPARE(ChatTemplate::fromDirectory(folder.path(), {}).name(), std::string("mistral"));
    capsule::test::writeFile(folder.file("chat_template.jinja"), "");
    capsule::test::writeFile(folder.file("tokenizer_config.json"), "{\"chat_template\": 5}");
    COMPARE(ChatTemplate::fromDirectory(folder.path(), {}).format(), ChatFormat::Plain);  // empty jinja file: no template
}

CAPSULE_TEST(rendersChatML) {
    const ChatTemplate chat = ChatTemplate::fromName("chatml");
    COMPARE(chat.renderText(kConversation, true),
            std::string("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                        "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\n Bye <|im_end|>\n"
                        "<|im_start|>assistant\n"));
    COMPARE(trainableText(chat.render(kConversation, true)), std::string("[Hello!<|im_end|>]"));
}

CAPSULE_TEST(rendersLlama3) {
    SpecialTokens tokens;
    tokens.bosText = "<|begin_of_text|>";
    const ChatTemplate chat = ChatTemplate::fromName("llama3", tokens);
    COMPARE(chat.renderText(kConversation, true),
            std::string("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                        "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                        "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
                        "<|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|>"
                        "<|start_header_id|>assistant<|end_header_id|>\n\n"));
    COMPARE(trainableText(chat.render(kConversation, false)), std::string("[Hello!<|eot_id|>]"));
}

CAPSULE_TEST(rendersLlama2) {
    const ChatTemplate chat = ChatTemplate::fromName("llama2");
    COMPARE(chat.renderText(kConversation, true),
            std::string("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] Bye [/INST]"));
    COMPARE(trainableText(chat.render(kConversation, false)), std::string("[ Hello! </s>]"));
    VERIFY_THROWS(chat.render({{"user", "a"}, {"user", "b"}}, false), "roles must alternate");
    VERIFY_THROWS(chat.render({{"robot", "a"}}, false), "unknown role 'robot'");
}

CAPSULE_TEST(rendersMistral) {
    const ChatTemplate chat = ChatTemplate::fromName("mistral");
    COMPARE(chat.renderText(kConversation, true),
            std::string("<s>[INST] Be brief.\n\nHi [/INST]Hello!</s>[INST]  Bye  [/INST]"));
    COMPARE(trainableText(chat.render(kConversation, false)), std::string("[Hello!</s>]"));
}

CAPSULE_TEST(rendersAlpacaAndPlain) {
    SpecialTokens tokens;
    tokens.eosText = "</s>";
    const ChatTemplate alpaca = ChatTemplate::fromName("alpaca", tokens);
    const std::vector<ChatMessage> oneTurn = {{"user", "Name a color."}, {"assistant", "Blue."}};
    COMPARE(alpaca.renderText(oneTurn, false),
            std::string("Below is an instruction that describes a task. Write a response that appropriately completes "
                        "the request.\n\n### Instruction:\nName a color.\n\n### Response:Blue.</s>"));
    COMPARE(ChatTemplate::alpacaPrompt("Name a color.", ""),
            std::string("Below is an instruction that describes a task. Write a response that appropriately completes "
                        "the request.\n\n### Instruction:\nName a color.\n\n### Response:"));
    COMPARE(ChatTemplate::alpacaPrompt("Sum", "1 2"),
            std::string("Below is an instruction that describes a task, paired with an input that provides further "
                        "context. Write a response that appropriately completes the request.\n\n### Instruction:\nSum"
                        "\n\n### Input:\n1 2\n\n### Response:"));
    const ChatTemplate plain = ChatTemplate::fromName("plain", tokens);
    COMPARE(plain.renderText(kConversation, true), std::string("Be brief.\nHi\nHello!</s>\n Bye \n"));
    COMPARE(trainableText(plain.render(oneTurn, false)), std::string("[Blue.</s>]"));
}

CAPSULE_TEST(renderedChatMLTokenizesSpecialMarkersWhole) {
    const Tokenizer qwen = Tokenizer::fromDirectory(fixture("qwen3"));
    const ChatTemplate chat = ChatTemplate::fromDirectory(fixture("qwen3"), qwen.specialTokens());
    const auto ids = qwen.encode(chat.renderText({{"user", "Hi there"}}, true), false);
    // <|im_start|> user \n Hi there <|im_end|> \n <|im_start|> assistant \n
    COMPARE(ids, (std::vector<int64_t>{151644, 872, 198, 13048, 1052, 151645, 198, 151644, 77091, 198}));
    // The assistant span maps onto whole tokens: its offsets locate the trainable ids.
    const auto segments = chat.render({{"user", "Hi"}, {"assistant", "Hello!"}}, false);
    std::string text;
    size_t trainBegin = 0, trainEnd = 0;
    for (const ChatSegment& segment : segments) {
        if (segment.trainable) trainBegin = text.size(), trainEnd = text.size() + segment.text.size();
        text += segment.text;
    }
    const auto encoding = qwen.encodeWithDetails(text, false);
    std::vector<int64_t> trainable;
    for (size_t i = 0; i < encoding.ids.size(); ++i)
        if (encoding.offsets[i].first >= static_cast<int64_t>(trainBegin) && encoding.offsets[i].second <= static_cast<int64_t>(trainEnd))
            trainable.push_back(encoding.ids[i]);
    COMPARE(qwen.decode(trainable, false), std::string("Hello!<|im_end|>"));
}
