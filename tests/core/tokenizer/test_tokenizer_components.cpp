// Components the real fixtures do not exercise, on small hand-written tokenizer.json files and
// directly on the pipeline pieces, with expected outputs derived by hand from the Hugging Face
// tokenizers semantics (docs/hf-formats.md §6) or taken from that library's own unit tests.
#include "capsule_test.h"

#include "tokenizer/added_vocabulary.h"
#include "tokenizer/normalizers.h"
#include "tokenizer/pre_tokenizers.h"
#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

using capsule::tokenizer::AddedToken;
using capsule::tokenizer::AddedVocabulary;
using capsule::tokenizer::NormalizedText;
using capsule::tokenizer::Piece;
using capsule::tokenizer::Pieces;
using capsule::tokenizer::Tokenizer;
using nlohmann::json;

namespace {

// Runs a pre-tokenizer spec on `text` (optionally after added-token extraction) and returns the pieces.
std::vector<std::string> preTokenize(const json& spec, const std::string& text, const AddedVocabulary& added = {}) {
    auto preTokenizer = capsule::tokenizer::makePreTokenizer(spec, "test");
    Pieces pieces = added.extractAndNormalize(text, nullptr);
    preTokenizer->preTokenize(pieces);
    std::vector<std::string> result;
    for (const Piece& piece : pieces) result.push_back(piece.text.text());
    return result;
}

std::string normalize(const json& spec, const std::string& text) {
    return capsule::tokenizer::normalizeString(*capsule::tokenizer::makeNormalizer(spec, "test"), text);
}

using Strings = std::vector<std::string>;

json splitSpec(const char* behavior, bool invert = false) {
    return {{"type", "Split"}, {"pattern", {{"String", "-"}}}, {"behavior", behavior}, {"invert", invert}};
}

// A tokenizer.json around a BPE model; components default to null.
json tokenizerJson(json vocab, json merges, json extraModel = json::object()) {
    json model = {{"type", "BPE"},        {"dropout", nullptr},      {"unk_token", nullptr},
                  {"fuse_unk", false},    {"byte_fallback", false},  {"vocab", std::move(vocab)},
                  {"merges", std::move(merges)}};
    for (auto& [key, value] : extraModel.items()) model[key] = value;
    return {{"version", "1.0"},       {"truncation", nullptr},  {"padding", nullptr},  {"added_tokens", json::array()},
            {"normalizer", nullptr},  {"pre_tokenizer", nullptr}, {"post_processor", nullptr}, {"decoder", nullptr},
            {"model", std::move(model)}};
}

Tokenizer load(const capsule::test::TempDir& folder, const json& root) {
    capsule::test::writeFile(folder.file("tokenizer.json"), root.dump());
    return Tokenizer::fromTokenizerJson(folder.file("tokenizer.json"));
}

}  // namespace

// ---- Split behaviors: the "the-final--countdown" example of the Hugging Face docs ----

CAPSULE_TEST(splitBehaviorsOnTheFinalCountdown) {
    const std::string text = "the-final--countdown";
    COMPARE(preTokenize(splitSpec("Removed"), text), (Strings{"the", "final", "countdown"}));
    COMPARE(preTokenize(splitSpec("Isolated"), text), (Strings{"the", "-", "final", "-", "-", "countdown"}));
    COMPARE(preTokenize(splitSpec("MergedWithPrevious"), text), (Strings{"the-", "final-", "-", "countdown"}));
    COMPARE(preTokenize(splitSpec("MergedWithNext"), text), (Strings{"the", "-final", "-", "-countdown"}));
    COMPARE(preTokenize(splitSpec("Contiguous"), text), (Strings{"the", "-", "final", "--", "countdown"}));
}

CAPSULE_TEST(splitInvertKeepsWhatThePatternDescribes) {
    // Inverted, the words are the "delimiters": Removed drops them and keeps each dash.
    COMPARE(preTokenize(splitSpec("Removed", true), "the-final--countdown"), (Strings{"-", "-", "-"}));
    const json words = {{"type", "Split"}, {"pattern", {{"Regex", "\\w+"}}}, {"behavior", "Removed"}, {"invert", true}};
    COMPARE(preTokenize(words, "hi, you!"), (Strings{"hi", "you"}));
    // Regex with Unicode classes and a lookahead: whitespace runs leave their last space to the next word.
    const json gpt2Like = {{"type", "Split"},
                           {"pattern", {{"Regex", " ?\\p{L}+|\\s+(?!\\S)|\\s+"}}},
                           {"behavior", "Isolated"},
                           {"invert", false}};
    COMPARE(preTokenize(gpt2Like, "h\u00e9   w\u00f6rld"), (Strings{"h\u00e9", "  ", " w\u00f6rld"}));
}

CAPSULE_TEST(digitsIndividualAndContiguous) {
    COMPARE(preTokenize({{"type", "Digits"}, {"individual_digits", true}}, "abc123def45"),
            (Strings{"abc", "1", "2", "3", "def", "4", "5"}));
    COMPARE(preTokenize({{"type", "Digits"}, {"individual_digits", false}}, "abc123def45"),
            (Strings{"abc", "123", "def", "45"}));
}

CAPSULE_TEST(whitespacePunctuationAndSequence) {
    COMPARE(preTokenize({{"type", "Whitespace"}}, "Hey friend!  How are you?!?"),
            (Strings{"Hey", "friend", "!", "How", "are", "you", "?!?"}));
    COMPARE(preTokenize({{"type", "WhitespaceSplit"}}, "Hey friend!\tHow"), (Strings{"Hey", "friend!", "How"}));
    COMPARE(preTokenize({{"type", "Punctuation"}, {"behavior", "Isolated"}}, "Hey friend!?"),
            (Strings{"Hey friend", "!", "?"}));
    const json sequence = {{"type", "Sequence"},
                           {"pretokenizers", json::array({json{{"type", "WhitespaceSplit"}},
                                                          json{{"type", "Digits"}, {"individual_digits", true}}})}};
    COMPARE(preTokenize(sequence, "ab12 c3"), (Strings{"ab", "1", "2", "c", "3"}));
}

CAPSULE_TEST(metaspacePrependSchemes) {
    const auto spec = [](const char* scheme, bool split) {
        return json{{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", scheme}, {"split", split}};
    };
    COMPARE(preTokenize(spec("always", true), "Hey friend"), (Strings{"\u2581Hey", "\u2581friend"}));
    COMPARE(preTokenize(spec("never", true), "Hey friend"), (Strings{"Hey", "\u2581friend"}));
    COMPARE(preTokenize(spec("always", false), "Hey friend"), (Strings{"\u2581Hey\u2581friend"}));
    COMPARE(preTokenize(spec("always", true), "  a"), (Strings{"\u2581", "\u2581a"}));
    // "first": only the piece that starts the original input gets the prefix.
    AddedToken bos;
    bos.id = 1;
    bos.content = "<s>";
    bos.normalized = false;
    bos.special = true;
    const AddedVocabulary added({bos}, nullptr);
    COMPARE(preTokenize(spec("first", true), "Hey you", added), (Strings{"\u2581Hey", "\u2581you"}));
    COMPARE(preTokenize(spec("first", true), "<s>Hey you", added), (Strings{"<s>", "Hey", "\u2581you"}));
    COMPARE(preTokenize(spec("always", true), "<s>Hey", added), (Strings{"<s>", "\u2581Hey"}));
    // Legacy form: add_prefix_space false means "never".
    COMPARE(preTokenize({{"type", "Metaspace"}, {"replacement", "\u2581"}, {"add_prefix_space", false}}, "a b"),
            (Strings{"a", "\u2581b"}));
}

CAPSULE_TEST(byteLevelPreTokenizerPrefixSpace) {
    // With add_prefix_space the first piece gains a space; pieces stay raw (mapped later by the model).
    COMPARE(preTokenize({{"type", "ByteLevel"}, {"add_prefix_space", true}}, "Hello world"), (Strings{" Hello", " world"}));
    COMPARE(preTokenize({{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}, "Hello world"),
            (Strings{"Hello world"}));
}

// ---- Normalizers ----

CAPSULE_TEST(normalizersReplacePrependStripLowercase) {
    COMPARE(normalize({{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}}, "a b  c"),
            std::string("a\u2581b\u2581\u2581c"));
    COMPARE(normalize({{"type", "Replace"}, {"pattern", {{"Regex", "\\s+"}}}, {"content", " "}}, "a \t\n b"), std::string("a b"));
    COMPARE(normalize({{"type", "Prepend"}, {"prepend", "\u2581"}}, "hi"), std::string("\u2581hi"));
    COMPARE(normalize({{"type", "Prepend"}, {"prepend", "\u2581"}}, ""), std::string(""));  // only non-empty input
    COMPARE(normalize({{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}}, " \t hi \u3000"), std::string("hi"));
    COMPARE(normalize({{"type", "Strip"}, {"strip_left", false}, {"strip_right", true}}, "  hi  "), std::string("  hi"));
    COMPARE(normalize({{"type", "Lowercase"}}, "HeLLo \u0391\u03a3 \u0130"), std::string("hello \u03b1\u03c3 i\u0307"));
    const json sequence = {{"type", "Sequence"},
                           {"normalizers", json::array({json{{"type", "Prepend"}, {"prepend", "\u2581"}},
                                                        json{{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}}})}};
    COMPARE(normalize(sequence, "Hello world"), std::string("\u2581Hello\u2581world"));
}

CAPSULE_TEST(unicodeNormalizersAndStripAccents) {
    COMPARE(normalize({{"type", "NFC"}}, "e\u0301"), std::string("\u00e9"));
    COMPARE(normalize({{"type", "NFD"}}, "\u00e9"), std::string("e\u0301"));
    COMPARE(normalize({{"type", "NFKC"}}, "\ufb01x\u00b2"), std::string("fix2"));
    COMPARE(normalize({{"type", "NFKD"}}, "\u00c5"), std::string("A\u030a"));
    const json stripAccents = {{"type", "Sequence"},
                               {"normalizers", json::array({json{{"type", "NFD"}}, json{{"type", "StripAccents"}}})}};
    COMPARE(normalize(stripAccents, "caf\u00e9 na\u00efve"), std::string("cafe naive"));
}

CAPSULE_TEST(normalizedTextKeepsOriginalOffsets) {
    // "e" + combining acute (3 bytes) composes to "é" (2 bytes); the following "x" is original byte 3.
    NormalizedText text("e\u0301x", 0);
    capsule::tokenizer::makeNormalizer({{"type", "NFC"}}, "test")->normalize(text);
    COMPARE(text.text(), std::string("\u00e9x"));
    COMPARE(text.originalRange(2, 3), (std::pair<size_t, size_t>(3, 4)));
    COMPARE(text.originalRange(0, 2), (std::pair<size_t, size_t>(0, 3)));
    // A prepended marker maps to the first character.
    NormalizedText prefixed("ab", 10);
    prefixed.prepend("\u2581");
    COMPARE(prefixed.originalRange(0, 3), (std::pair<size_t, size_t>(10, 11)));
    COMPARE(prefixed.originalRange(3, 5), (std::pair<size_t, size_t>(10, 12)));
}

// ---- Added tokens: cases from Hugging Face's added_vocabulary.rs unit tests ----

namespace {
AddedToken token(int64_t id, const std::string& content, bool special, bool normalized) {
    AddedToken added;
    added.id = id;
    added.content = content;
    added.special = special;
    added.normalized = normalized;
    return added;
}
std::vector<std::pair<std::string, int64_t>> extract(const AddedVocabulary& added, const std::string& text,
                                                     const capsule::tokenizer::Normalizer* normalizer) {
    std::vector<std::pair<std::string, int64_t>> result;
    for (const Piece& piece : added.extractAndNormalize(text, normalizer))
        result.emplace_back(piece.text.text(), piece.addedTokenId);
    return result;
}
using Extracted = std::vector<std::pair<std::string, int64_t>>;
}  // namespace

CAPSULE_TEST(addedTokensLstripRstripSingleWordNormalized) {
    const auto lowercase = capsule::tokenizer::makeNormalizer({{"type", "Lowercase"}}, "test");
    AddedToken my = token(0, "my", false, true);
    my.lstrip = my.rstrip = true;
    AddedToken ony = token(2, "ony", false, true);
    ony.singleWord = true;
    const AddedVocabulary added({token(3, "[CLS]", true, false), token(4, "[SEP]", true, false), my,
                                 token(1, "name", false, true), ony},
                                lowercase.get());
    COMPARE(extract(added, "[CLS] My name is Anthony [SEP]", lowercase.get()),
            (Extracted{{"[CLS]", 3}, {" my ", 0}, {"name", 1}, {" is anthony ", -1}, {"[SEP]", 4}}));
}

CAPSULE_TEST(addedTokensSingleWordBoundaries) {
    const auto lowercase = capsule::tokenizer::makeNormalizer({{"type", "Lowercase"}}, "test");
    AddedToken mask = token(0, "<mask>", false, true);
    mask.singleWord = true;
    const AddedVocabulary added({mask}, lowercase.get());
    COMPARE(extract(added, "<mask> My name <mask> A<mask> <mask>ony <mask>", lowercase.get()),
            (Extracted{{"<mask>", 0}, {" my name ", -1}, {"<mask>", 0}, {" a<mask> <mask>ony ", -1}, {"<mask>", 0}}));
    // Punctuation is not a word character; a combining mark is.
    COMPARE(extract(added, "<mask>, <mask>- \u25cc\u0330<mask>", lowercase.get()),
            (Extracted{{"<mask>", 0}, {", ", -1}, {"<mask>", 0}, {"- \u25cc\u0330<mask>", -1}}));
}

CAPSULE_TEST(addedTokensStripUnicodeSpaces) {
    const auto lowercase = capsule::tokenizer::makeNormalizer({{"type", "Lowercase"}}, "test");
    AddedToken mask = token(0, "<mask>", false, true);
    mask.singleWord = mask.lstrip = mask.rstrip = true;
    const AddedVocabulary added({mask}, lowercase.get());
    COMPARE(extract(added, "Hi <mask> there\t<mask>\t<mask>\u2000", lowercase.get()),
            (Extracted{{"hi", -1}, {" <mask> ", 0}, {"there", -1}, {"\t<mask>\t", 0}, {"<mask>\u2000", 0}}));
}

CAPSULE_TEST(addedTokensLeftmostLongest) {
    const AddedVocabulary added({token(0, "<a>", true, false), token(1, "<a><b>", true, false), token(2, "b>", false, false)},
                                nullptr);
    COMPARE(extract(added, "x<a><b>y<a>b>", nullptr),
            (Extracted{{"x", -1}, {"<a><b>", 1}, {"y", -1}, {"<a>", 0}, {"b>", 2}}));
}

// ---- BPE model options ----

CAPSULE_TEST(bpeMergesStringAndArrayFormsAndIgnoreMerges) {
    capsule::test::TempDir folder;
    const json vocab = {{"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"bc", 4}, {"abc", 5}};
    // "b c" has the better rank, so "abc" becomes a + bc and no merge (a, bc) exists.
    const Tokenizer legacy = load(folder, tokenizerJson(vocab, json::array({"b c", "a b"})));
    COMPARE(legacy.encode("abc", false), (std::vector<int64_t>{0, 4}));
    COMPARE(legacy.encode("abab", false), (std::vector<int64_t>{3, 3}));
    const Tokenizer pairs = load(folder, tokenizerJson(vocab, json::array({json::array({"b", "c"}), json::array({"a", "b"})})));
    COMPARE(pairs.encode("abc", false), (std::vector<int64_t>{0, 4}));
    // ignore_merges: a pre-token that is itself in the vocab is emitted whole.
    const Tokenizer ignoring = load(folder, tokenizerJson(vocab, json::array({"b c", "a b"}), {{"ignore_merges", true}}));
    COMPARE(ignoring.encode("abc", false), (std::vector<int64_t>{5}));
    COMPARE(ignoring.encode("abcc", false), (std::vector<int64_t>{0, 4, 2}));
    // Tokens containing spaces need the array form.
    const Tokenizer spaced = load(folder, tokenizerJson({{"x", 0}, {" ", 1}, {"x ", 2}}, json::array({json::array({"x", " "})})));
    COMPARE(spaced.encode("x x", false), (std::vector<int64_t>{2, 0}));
}

CAPSULE_TEST(bpeMergeRanksBreakTiesLeftmost) {
    capsule::test::TempDir folder;
    // "aaa": both pairs are (a, a) with the same rank; the leftmost merges first -> aa + a.
    const Tokenizer tokenizer = load(folder, tokenizerJson({{"a", 0}, {"aa", 1}}, json::array({"a a"})));
    COMPARE(tokenizer.encode("aaa", false), (std::vector<int64_t>{1, 0}));
    COMPARE(tokenizer.encode("aaaaa", false), (std::vector<int64_t>{1, 1, 0}));
}

CAPSULE_TEST(bpeUnknownsFuseAndByteFallback) {
    capsule::test::TempDir folder;
    json vocab = {{"<unk>", 0}, {"a", 1}, {"b", 2}};
    const Tokenizer fused = load(folder, tokenizerJson(vocab, json::array(), {{"unk_token", "<unk>"}, {"fuse_unk", true}}));
    COMPARE(fused.encode("a\u2603\u2603b", false), (std::vector<int64_t>{1, 0, 2}));
    const Tokenizer separate = load(folder, tokenizerJson(vocab, json::array(), {{"unk_token", "<unk>"}, {"fuse_unk", false}}));
    COMPARE(separate.encode("a\u2603\u2603b", false), (std::vector<int64_t>{1, 0, 0, 2}));
    const Tokenizer dropping = load(folder, tokenizerJson(vocab, json::array()));  // no unk: unknown characters vanish
    COMPARE(dropping.encode("a\u2603b", false), (std::vector<int64_t>{1, 2}));

    // Byte fallback: U+2603 is E2 98 83; decoding turns <0xHH> runs back into text.
    json fallbackVocab = {{"<unk>", 0}, {"a", 1}, {"<0xE2>", 2}, {"<0x98>", 3}, {"<0x83>", 4}};
    json root = tokenizerJson(fallbackVocab, json::array(), {{"unk_token", "<unk>"}, {"byte_fallback", true}});
    root["decoder"] = {{"type", "Sequence"},
                       {"decoders", json::array({json{{"type", "ByteFallback"}}, json{{"type", "Fuse"}}})}};
    const Tokenizer bytes = load(folder, root);
    COMPARE(bytes.encode("a\u2603a", false), (std::vector<int64_t>{1, 2, 3, 4, 1}));
    COMPARE(bytes.encode("a\u00e9", false), (std::vector<int64_t>{1, 0}));  // C3 A9 lack tokens: unk
    COMPARE(bytes.decode({1, 2, 3, 4, 1}, false), std::string("a\u2603a"));
    // An incomplete sequence becomes one U+FFFD per byte.
    COMPARE(bytes.decode({2, 3, 1}, false), std::string("\ufffd\ufffda"));
}

CAPSULE_TEST(bpeContinuingSubwordPrefixAndSuffix) {
    capsule::test::TempDir folder;
    const json vocab = {{"a", 0}, {"##b", 1}, {"##c", 2}, {"ab", 3}, {"ab##c", 4}, {"abc", 5}};
    // Non-first characters carry the prefix; merge (a, ##b) produces "a" + "b" = "ab".
    const Tokenizer prefixed =
        load(folder, tokenizerJson(vocab, json::array({"a ##b", "ab ##c"}), {{"continuing_subword_prefix", "##"}}));
    COMPARE(prefixed.encode("abc", false), (std::vector<int64_t>{5}));
    COMPARE(prefixed.encode("ab", false), (std::vector<int64_t>{3}));
    const json suffixVocab = {{"a", 0}, {"b</w>", 1}, {"ab</w>", 2}, {"b", 3}};
    const Tokenizer suffixed = load(folder, tokenizerJson(suffixVocab, json::array({"a b</w>"}), {{"end_of_word_suffix", "</w>"}}));
    COMPARE(suffixed.encode("ab", false), (std::vector<int64_t>{2}));
    COMPARE(suffixed.encode("bb", false), (std::vector<int64_t>{3, 1}));
}

// ---- Post-processors ----

CAPSULE_TEST(templateProcessingSingleAndPairWithTypeIds) {
    capsule::test::TempDir folder;
    json root = tokenizerJson({{"[CLS]", 0}, {"[SEP]", 1}, {"a", 2}, {"b", 3}}, json::array());
    root["pre_tokenizer"] = {{"type", "WhitespaceSplit"}};
    root["added_tokens"] = json::array({json{{"id", 0}, {"content", "[CLS]"}, {"special", true}, {"normalized", false}},
                                        json{{"id", 1}, {"content", "[SEP]"}, {"special", true}, {"normalized", false}}});
    root["post_processor"] = {
        {"type", "TemplateProcessing"},
        {"single", json::array({json{{"SpecialToken", {{"id", "[CLS]"}, {"type_id", 0}}}},
                                json{{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                                json{{"SpecialToken", {{"id", "[SEP]"}, {"type_id", 0}}}}})},
        {"pair", json::array({json{{"SpecialToken", {{"id", "[CLS]"}, {"type_id", 0}}}},
                              json{{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                              json{{"SpecialToken", {{"id", "[SEP]"}, {"type_id", 0}}}},
                              json{{"Sequence", {{"id", "B"}, {"type_id", 1}}}},
                              json{{"SpecialToken", {{"id", "[SEP]"}, {"type_id", 1}}}}})},
        {"special_tokens", {{"[CLS]", {{"id", "[CLS]"}, {"ids", {0}}, {"tokens", {"[CLS]"}}}},
                            {"[SEP]", {{"id", "[SEP]"}, {"ids", {1}}, {"tokens", {"[SEP]"}}}}}}};
    const Tokenizer tokenizer = load(folder, root);
    COMPARE(tokenizer.encode("a b", true), (std::vector<int64_t>{0, 2, 3, 1}));
    COMPARE(tokenizer.encode("a b", false), (std::vector<int64_t>{2, 3}));
    const auto pair = tokenizer.encodeWithDetails("a", true, std::string_view("b a"));
    COMPARE(pair.ids, (std::vector<int64_t>{0, 2, 1, 3, 2, 1}));
    COMPARE(pair.typeIds, (std::vector<int64_t>{0, 0, 0, 1, 1, 1}));
    COMPARE(pair.specialTokensMask, (std::vector<uint8_t>{1, 0, 1, 0, 0, 1}));
    COMPARE(pair.offsets[3], (std::pair<int64_t, int64_t>(0, 1)));  // offsets are within the pair's own text
    COMPARE(pair.offsets[4], (std::pair<int64_t, int64_t>(2, 3)));
    // Without special tokens the template still assigns the type ids.
    const auto plain = tokenizer.encodeWithDetails("a", false, std::string_view("b"));
    COMPARE(plain.ids, (std::vector<int64_t>{2, 3}));
    COMPARE(plain.typeIds, (std::vector<int64_t>{0, 1}));
    COMPARE(tokenizer.decode({0, 2, 1}, true), std::string("a"));
    COMPARE(tokenizer.decode({0, 2, 1}, false), std::string("[CLS] a [SEP]"));  // no decoder: joined with spaces
}

CAPSULE_TEST(bertAndRobertaProcessing) {
    capsule::test::TempDir folder;
    json root = tokenizerJson({{"<s>", 0}, {"</s>", 1}, {"a", 2}}, json::array());
    root["post_processor"] = {{"type", "RobertaProcessing"}, {"sep", {"</s>", 1}}, {"cls", {"<s>", 0}}};
    const Tokenizer roberta = load(folder, root);
    const auto pair = roberta.encodeWithDetails("a", true, std::string_view("a"));
    COMPARE(pair.ids, (std::vector<int64_t>{0, 2, 1, 1, 2, 1}));
    COMPARE(pair.typeIds, (std::vector<int64_t>{0, 0, 0, 0, 0, 0}));
    root["post_processor"] = {{"type", "BertProcessing"}, {"sep", {"</s>", 1}}, {"cls", {"<s>", 0}}};
    const auto bert = load(folder, root).encodeWithDetails("a", true, std::string_view("a"));
    COMPARE(bert.ids, (std::vector<int64_t>{0, 2, 1, 2, 1}));
    COMPARE(bert.typeIds, (std::vector<int64_t>{0, 0, 0, 1, 1}));
}

// ---- Decoders ----

CAPSULE_TEST(decodersStripReplaceMetaspace) {
    capsule::test::TempDir folder;
    json root = tokenizerJson({{"\u2581a", 0}, {"b", 1}, {"\u2581", 2}, {"\u2581\u2581c", 3}}, json::array());
    root["decoder"] = {{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "always"}};
    // In the first token every replacement character is dropped; later ones become spaces.
    COMPARE(load(folder, root).decode({0, 1, 3}, false), std::string("ab  c"));
    COMPARE(load(folder, root).decode({3, 0}, false), std::string("c a"));
    root["decoder"] = {{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "never"}};
    COMPARE(load(folder, root).decode({0, 1}, false), std::string(" ab"));
    root["decoder"] = {{"type", "Sequence"},
                       {"decoders", json::array({json{{"type", "Replace"}, {"pattern", {{"String", "\u2581"}}}, {"content", " "}},
                                                 json{{"type", "Fuse"}},
                                                 json{{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 1}}})}};
    COMPARE(load(folder, root).decode({3, 1, 2}, false), std::string(" cb"));
}

// ---- Errors ----

CAPSULE_TEST(unsupportedComponentsAreNamed) {
    capsule::test::TempDir folder;
    json unigram = tokenizerJson(json::object(), json::array());
    unigram["model"] = {{"type", "Unigram"}, {"unk_id", 0}, {"vocab", json::array({json::array({"<unk>", 0.0})})}};
    capsule::test::writeFile(folder.file("tokenizer.json"), unigram.dump());
    VERIFY_THROWS(Tokenizer::fromTokenizerJson(folder.file("tokenizer.json")), "unsupported model type 'Unigram'");

    json precompiled = tokenizerJson({{"a", 0}}, json::array());
    precompiled["normalizer"] = {{"type", "Precompiled"}, {"precompiled_charsmap", "AAAA"}};
    capsule::test::writeFile(folder.file("tokenizer.json"), precompiled.dump());
    VERIFY_THROWS(Tokenizer::fromTokenizerJson(folder.file("tokenizer.json")), "unsupported normalizer 'Precompiled'");

    json scripts = tokenizerJson({{"a", 0}}, json::array());
    scripts["pre_tokenizer"] = {{"type", "UnicodeScripts"}};
    capsule::test::writeFile(folder.file("tokenizer.json"), scripts.dump());
    VERIFY_THROWS(Tokenizer::fromTokenizerJson(folder.file("tokenizer.json")), "unsupported pre-tokenizer 'UnicodeScripts'");

    json badMerge = tokenizerJson({{"a", 0}, {"b", 1}}, json::array({"a b"}));
    capsule::test::writeFile(folder.file("tokenizer.json"), badMerge.dump());
    VERIFY_THROWS(Tokenizer::fromTokenizerJson(folder.file("tokenizer.json")), "merged token 'ab' is not in the vocab");

    json badRegex = tokenizerJson({{"a", 0}}, json::array());
    badRegex["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "(a"}}}, {"behavior", "Isolated"}};
    capsule::test::writeFile(folder.file("tokenizer.json"), badRegex.dump());
    VERIFY_THROWS(Tokenizer::fromTokenizerJson(folder.file("tokenizer.json")), "invalid regex '(a'");

    capsule::test::writeFile(folder.file("tokenizer.json"), "{\"model\": ");
    VERIFY_THROWS(Tokenizer::fromTokenizerJson(folder.file("tokenizer.json")), "invalid JSON");
    VERIFY_THROWS(Tokenizer::fromDirectory(folder.file("missing")), "not a folder");
}

CAPSULE_TEST(invalidUtf8IsRejectedWithItsOffset) {
    capsule::test::TempDir folder;
    const Tokenizer tokenizer = load(folder, tokenizerJson({{"a", 0}}, json::array()));
    VERIFY_THROWS(tokenizer.encode(std::string("aa\xff"), false), "byte offset 2");
    VERIFY_THROWS(tokenizer.encode(std::string("a\xed\xa0\x80"), false), "not valid UTF-8");  // a surrogate
    VERIFY_THROWS(tokenizer.encode(std::string("\xc0\xaf"), false), "not valid UTF-8");       // overlong '/'
    VERIFY_THROWS(tokenizer.encode(std::string("\xe2\x98"), false), "not valid UTF-8");       // truncated
}
