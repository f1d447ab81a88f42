// BOS/EOS/PAD/UNK resolution from tokenizer_config.json, special_tokens_map.json and
// generation_config.json, and transformers' add_bos_token / add_eos_token handling for Llama.
#include "capsule_test.h"

#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

using capsule::tokenizer::Tokenizer;
using nlohmann::json;

namespace {

std::string fixture(const std::string& name) { return capsule::test::fixturesDir() + "/tokenizers/" + name; }

// A folder with the sp-bpe (Llama-style) tokenizer.json and the given side files.
void makeLlamaFolder(const capsule::test::TempDir& folder, const json& config, const json& specialMap = nullptr,
                     const json& generation = nullptr) {
    capsule::test::writeFile(folder.file("tokenizer.json"), capsule::test::readFile(fixture("sp-bpe") + "/tokenizer.json"));
    if (!config.is_null()) capsule::test::writeFile(folder.file("tokenizer_config.json"), config.dump());
    if (!specialMap.is_null()) capsule::test::writeFile(folder.file("special_tokens_map.json"), specialMap.dump());
    if (!generation.is_null()) capsule::test::writeFile(folder.file("generation_config.json"), generation.dump());
}

}  // namespace

CAPSULE_TEST(fixtureSpecialTokens) {
    const auto sp = Tokenizer::fromDirectory(fixture("sp-bpe")).specialTokens();
    COMPARE(sp.bos.value_or(-1), int64_t{1});
    COMPARE(sp.bosText, std::string("<s>"));
    COMPARE(sp.eos.value_or(-1), int64_t{2});
    COMPARE(sp.unk.value_or(-1), int64_t{0});
    COMPARE(sp.pad.value_or(-1), int64_t{2});  // pad_token null -> eos
    COMPARE(sp.eosIds, std::vector<int64_t>{2});

    const auto qwen = Tokenizer::fromDirectory(fixture("qwen3")).specialTokens();
    VERIFY(!qwen.bos.has_value());  // bos_token: null
    COMPARE(qwen.eos.value_or(-1), int64_t{151645});
    COMPARE(qwen.eosText, std::string("<|im_end|>"));
    COMPARE(qwen.pad.value_or(-1), int64_t{151643});
    VERIFY(!qwen.unk.has_value());

    const auto gpt2 = Tokenizer::fromDirectory(fixture("gpt2")).specialTokens();  // no config files
    COMPARE(gpt2.bos.value_or(-1), int64_t{50256});
    COMPARE(gpt2.eos.value_or(-1), int64_t{50256});
    COMPARE(gpt2.pad.value_or(-1), int64_t{50256});
    COMPARE(Tokenizer::fromDirectory(fixture("qwen3")).vocabSize(), int64_t{151669});
    COMPARE(Tokenizer::fromDirectory(fixture("gpt2")).vocabSize(), int64_t{50257});
}

CAPSULE_TEST(generationConfigEosListAndPad) {
    capsule::test::TempDir folder;
    makeLlamaFolder(folder, {{"tokenizer_class", "LlamaTokenizer"}, {"bos_token", "<s>"}, {"eos_token", "</s>"}},
                    nullptr, {{"bos_token_id", 1}, {"eos_token_id", json::array({2, 0})}, {"pad_token_id", 0}});
    const auto special = Tokenizer::fromDirectory(folder.path()).specialTokens();
    COMPARE(special.eos.value_or(-1), int64_t{2});
    COMPARE(special.eosIds, (std::vector<int64_t>{2, 0}));
    COMPARE(special.pad.value_or(-1), int64_t{0});
    COMPARE(special.padText, std::string("<unk>"));
}

CAPSULE_TEST(specialTokensMapOverridesConfig) {
    capsule::test::TempDir folder;
    makeLlamaFolder(folder,
                    {{"tokenizer_class", "LlamaTokenizer"},
                     {"bos_token", {{"__type", "AddedToken"}, {"content", "<s>"}, {"lstrip", false}}},
                     {"eos_token", "</s>"}},
                    {{"eos_token", {{"content", "<unk>"}, {"single_word", false}}}, {"pad_token", "</s>"}});
    const auto special = Tokenizer::fromDirectory(folder.path()).specialTokens();
    COMPARE(special.bos.value_or(-1), int64_t{1});
    COMPARE(special.eos.value_or(-1), int64_t{0});
    COMPARE(special.pad.value_or(-1), int64_t{2});
}

CAPSULE_TEST(llamaAddBosAddEosFlags) {
    const std::string text = "Hello world!";
    const std::vector<int64_t> body = {22557, 1526, 28808};
    {
        capsule::test::TempDir folder;  // defaults: add_bos_token true, add_eos_token false
        makeLlamaFolder(folder, {{"tokenizer_class", "LlamaTokenizer"}, {"bos_token", "<s>"}, {"eos_token", "</s>"}});
        COMPARE(Tokenizer::fromDirectory(folder.path()).encode(text, true), (std::vector<int64_t>{1, 22557, 1526, 28808}));
    }
    {
        capsule::test::TempDir folder;
        makeLlamaFolder(folder, {{"tokenizer_class", "LlamaTokenizerFast"}, {"add_bos_token", true}, {"add_eos_token", true},
                                 {"bos_token", "<s>"}, {"eos_token", "</s>"}});
        const Tokenizer tokenizer = Tokenizer::fromDirectory(folder.path());
        COMPARE(tokenizer.encode(text, true), (std::vector<int64_t>{1, 22557, 1526, 28808, 2}));
        COMPARE(tokenizer.encode(text, false), body);
        const auto pair = tokenizer.encodeWithDetails(text, true, std::string_view(text));
        COMPARE(pair.ids, (std::vector<int64_t>{1, 22557, 1526, 28808, 2, 1, 22557, 1526, 28808, 2}));
        COMPARE(pair.typeIds, (std::vector<int64_t>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}));
    }
    {
        capsule::test::TempDir folder;
        makeLlamaFolder(folder, {{"tokenizer_class", "LlamaTokenizer"}, {"add_bos_token", false}, {"bos_token", "<s>"}});
        COMPARE(Tokenizer::fromDirectory(folder.path()).encode(text, true), body);
    }
    {
        capsule::test::TempDir folder;  // other classes keep tokenizer.json's post-processor
        makeLlamaFolder(folder, {{"tokenizer_class", "PreTrainedTokenizerFast"}, {"add_bos_token", false}, {"add_eos_token", true}});
        COMPARE(Tokenizer::fromDirectory(folder.path()).encode(text, true), (std::vector<int64_t>{1, 22557, 1526, 28808}));
    }
    {
        capsule::test::TempDir folder;
        makeLlamaFolder(folder, {{"tokenizer_class", "LlamaTokenizer"}, {"add_eos_token", true}, {"eos_token", "<nope>"}});
        VERIFY_THROWS(Tokenizer::fromDirectory(folder.path()), "add_eos_token is true");
    }
}

CAPSULE_TEST(addedTokensDecoderEntriesJoinTheVocabulary) {
    capsule::test::TempDir folder;
    makeLlamaFolder(folder, {{"tokenizer_class", "LlamaTokenizer"},
                             {"bos_token", "<s>"},
                             {"added_tokens_decoder",
                              {{"32000", {{"content", "<|im_start|>"}, {"special", true}, {"normalized", false}}}}}});
    const Tokenizer tokenizer = Tokenizer::fromDirectory(folder.path());
    COMPARE(tokenizer.tokenToId("<|im_start|>").value_or(-1), int64_t{32000});
    COMPARE(tokenizer.vocabSize(), int64_t{32001});
    const auto ids = tokenizer.encode("<|im_start|>user", false);
    COMPARE(ids.front(), int64_t{32000});
    VERIFY(tokenizer.isSpecialToken(32000));
    COMPARE(tokenizer.decode(ids, true), std::string("user"));
}

CAPSULE_TEST(malformedConfigsAreNamed) {
    capsule::test::TempDir folder;
    makeLlamaFolder(folder, {{"bos_token", 5}});
    VERIFY_THROWS(Tokenizer::fromDirectory(folder.path()), "tokenizer_config.json: 'bos_token' must be");
    capsule::test::TempDir other;
    makeLlamaFolder(other, json::object(), nullptr, {{"eos_token_id", "two"}});
    VERIFY_THROWS(Tokenizer::fromDirectory(other.path()), "generation_config.json: 'eos_token_id'");
}
