// Parity with Hugging Face tokenizers on real tokenizer files: every case of every fixture's
// expected.json (ids produced by the Rust library) must match exactly, with and without special
// tokens, and decode(ids) must give the expected text. The same holds for the 200 seeded random
// texts per tokenizer in tests/fixtures/tokenizer-fuzz (tests/golden/make_tokenizer_fuzz.py, made
// by the Rust library's Python binding): every script, combining marks, whitespace runs, emoji
// sequences, control characters and special-token strings inside text.
#include "capsule_test.h"

#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

using capsule::tokenizer::Tokenizer;

namespace {

std::string fixture(const std::string& name) { return capsule::test::fixturesDir() + "/tokenizers/" + name; }

/// `text` as a JSON string literal (control characters visible; a UTF-8 sequence cut short shown as U+FFFD).
std::string quoted(const std::string& text) {
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// Every case of the expected.json-layout file at `path`; all mismatches are reported, five in full.
void checkCases(const Tokenizer& tokenizer, const std::string& path, size_t minimumCases) {
    const nlohmann::json expected = nlohmann::json::parse(capsule::test::readFile(path));
    size_t index = 0;
    std::vector<std::string> mismatches;
    for (const auto& testCase : expected["cases"]) {
        const std::string text = testCase["text"].get<std::string>();
        const auto ids = testCase["ids"].get<std::vector<int64_t>>();
        const auto idsWithSpecial = testCase["ids_with_special"].get<std::vector<int64_t>>();
        const std::string decoded = testCase["decoded"].get<std::string>();
        const std::string label = "case " + std::to_string(index++) + " " + quoted(text.substr(0, 60));
        const auto actual = tokenizer.encode(text, false);
        if (actual != ids)
            mismatches.push_back(label + "\n   ids " + capsule::test::describe(actual) + "\n   expected " +
                                 capsule::test::describe(ids));
        const auto actualSpecial = tokenizer.encode(text, true);
        if (actualSpecial != idsWithSpecial)
            mismatches.push_back(label + "\n   ids_with_special " + capsule::test::describe(actualSpecial) +
                                 "\n   expected " + capsule::test::describe(idsWithSpecial));
        const std::string actualDecoded = tokenizer.decode(ids, false);
        if (actualDecoded != decoded)
            mismatches.push_back(label + "\n   decoded " + quoted(actualDecoded) + "\n   expected " +
                                 quoted(decoded));
    }
    if (!mismatches.empty()) {
        std::string report = std::to_string(mismatches.size()) + " mismatches against " + path;
        for (size_t i = 0; i < std::min<size_t>(5, mismatches.size()); ++i) report += "\n " + mismatches[i];
        capsule::test::fail(report, __FILE__, __LINE__);
    }
    VERIFY(index >= minimumCases);
}

void checkAllCases(const Tokenizer& tokenizer, const std::string& name) {
    checkCases(tokenizer, fixture(name) + "/expected.json", 20);
}

/// The random-text fixture for `name`, against the tokenizer file it was made from.
void checkFuzzCases(const std::string& name) {
    const std::string path = capsule::test::fixturesDir() + "/tokenizer-fuzz/" + name + ".json";
    const auto tokenizerFile = nlohmann::json::parse(capsule::test::readFile(path))["tokenizer"].get<std::string>();
    const std::string projectRoot = capsule::test::fixturesDir() + "/../..";
    checkCases(Tokenizer::fromTokenizerJson(projectRoot + "/" + tokenizerFile), path, 200);
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

CAPSULE_TEST(gpt2MatchesHuggingFaceOnRandomText) { checkFuzzCases("gpt2"); }

CAPSULE_TEST(qwen3MatchesHuggingFaceOnRandomText) { checkFuzzCases("qwen3"); }

CAPSULE_TEST(sentencePieceBpeMatchesHuggingFaceOnRandomText) { checkFuzzCases("sp-bpe"); }

CAPSULE_TEST(demoTokenizerMatchesHuggingFaceOnRandomText) { checkFuzzCases("demo"); }
