// Parity with Hugging Face tokenizers on real tokenizer files: every case of every fixture's
// expected.json (ids produced by the Rust library) must match exactly, with and without special
// tokens, and decode(ids) must give the expected text.
#include "capsule_test.h"

#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

using capsule::tokenizer::Tokenizer;

namespace {

nlohmann::json loadExpected(const std::string& name) {
    return nlohmann::json::parse(capsule::test::readFile(capsule::test::fixturesDir() + "/tokenizers/" + name + "/expected.json"));
}

std::string fixture(const std::string& name) { return capsule::test::fixturesDir() + "/tokenizers/" + name; }

void checkAllCases(const Tokenizer& tokenizer, const std::string& name) {
    const nlohmann::json expected = loadExpected(name);
    size_t index = 0;
    for (const auto& testCase : expected["cases"]) {
        const std::string text = testCase["text"].get<std::string>();
        const auto ids = testCase["ids"].get<std::vector<int64_t>>();
        const auto idsWithSpecial = testCase["ids_with_special"].get<std::vector<int64_t>>();
        const std::string decoded = testCase["decoded"].get<std::string>();
        const std::string label = name + " case " + std::to_string(index++) + ": " + text.substr(0, 40);
        const auto actual = tokenizer.encode(text, false);
        if (actual != ids)
            capsule::test::fail(label + "\n   ids " + capsule::test::describe(actual) + "\n   expected " +
                                    capsule::test::describe(ids),
                                __FILE__, __LINE__);
        const auto actualSpecial = tokenizer.encode(text, true);
        if (actualSpecial != idsWithSpecial)
            capsule::test::fail(label + "\n   ids_with_special " + capsule::test::describe(actualSpecial) +
                                    "\n   expected " + capsule::test::describe(idsWithSpecial),
                                __FILE__, __LINE__);
        const std::string actualDecoded = tokenizer.decode(ids, false);
        if (actualDecoded != decoded)
            capsule::test::fail(label + "\n   decoded \"" + actualDecoded + "\"\n   expected \"" + decoded + "\"",
                                __FILE__, __LINE__);
    }
    VERIFY(index >= 20);
}

}  // namespace

CAPSULE_TEST(gpt2MatchesHuggingFace) {
    checkAllCases(Tokenizer::fromDirectory(fixture("gpt2")), "gpt2");
    checkAllCases(Tokenizer::fromTokenizerJson(fixture("gpt2") + "/tokenizer.json"), "gpt2");
}

CAPSULE_TEST(qwen3MatchesHuggingFace) { checkAllCases(Tokenizer::fromDirectory(fixture("qwen3")), "qwen3"); }

CAPSULE_TEST(sentencePieceBpeMatchesHuggingFace) { checkAllCases(Tokenizer::fromDirectory(fixture("sp-bpe")), "sp-bpe"); }

CAPSULE_TEST(gpt2LegacyVocabAndMergesMatchTokenizerJson) {
    // Copy only vocab.json + merges.txt so the legacy route is taken.
    capsule::test::TempDir folder;
    capsule::test::writeFile(folder.file("vocab.json"), capsule::test::readFile(fixture("gpt2") + "/vocab.json"));
    capsule::test::writeFile(folder.file("merges.txt"), capsule::test::readFile(fixture("gpt2") + "/merges.txt"));
    const Tokenizer legacy = Tokenizer::fromDirectory(folder.path());
    checkAllCases(legacy, "gpt2");
    const Tokenizer modern = Tokenizer::fromTokenizerJson(fixture("gpt2") + "/tokenizer.json");
    COMPARE(legacy.vocabSize(), modern.vocabSize());
    COMPARE(legacy.specialTokens().eos.value_or(-1), int64_t{50256});
}
