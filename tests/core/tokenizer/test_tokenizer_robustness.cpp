// Adversarial inputs on the real tokenizers, checked against invariants that do not depend on our
// own code: byte-level BPE is lossless (decode(encode(x)) == x, or NFC(x) for Qwen's NFC
// normalizer, computed here with ICU directly), added-token strings are single ids wherever they
// appear, offsets partition the input, and concurrent encoding gives the single-thread result.
#include "capsule_test.h"

#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_impl.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

using capsule::tokenizer::Tokenizer;

namespace {

std::string fixture(const std::string& name) { return capsule::test::fixturesDir() + "/tokenizers/" + name; }

const Tokenizer& gpt2() {
    static const Tokenizer tokenizer = Tokenizer::fromDirectory(fixture("gpt2"));
    return tokenizer;
}
const Tokenizer& qwen3() {
    static const Tokenizer tokenizer = Tokenizer::fromDirectory(fixture("qwen3"));
    return tokenizer;
}
const Tokenizer& spBpe() {
    static const Tokenizer tokenizer = Tokenizer::fromDirectory(fixture("sp-bpe"));
    return tokenizer;
}

std::string nfc(const std::string& text) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* normalizer = icu::Normalizer2::getNFCInstance(status);
    icu::UnicodeString result = normalizer->normalize(icu::UnicodeString::fromUTF8(text), status);
    std::string out;
    result.toUTF8String(out);
    return out;
}

// Random text from pieces that stress the regexes, normalizers and merges.
std::string randomText(std::mt19937& random) {
    static const std::vector<std::string> pieces = {
        "a", "Z", "the", " ", "  ", "\t", "\n", "\r\n", "\n\n", "1", "42", "2024", "'s", "'LL", "!", "...", "--", "(",
        "\u00e9", "e\u0301", "\u0301", "\u00fc", "\u0130", "\u03a3", "\u4e2d\u6587", "\u65e5\u672c", "\u0416",
        "\U0001F468\u200D\U0001F469\u200D\U0001F467", "\U0001F44D\U0001F3FD", "\u200d", "\u00a0", "\u3000", "\u2028",
        "\ufb01", "\u2581", "\xef\xbf\xbd", "<s>", "</s>", "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "x"};
    std::uniform_int_distribution<size_t> count(0, 24), pick(0, pieces.size() - 1);
    std::string text;
    const size_t n = count(random);
    for (size_t i = 0; i < n; ++i) text += pieces[pick(random)];
    return text;
}

}  // namespace

CAPSULE_TEST(byteLevelRoundTripsRandomText) {
    std::mt19937 random(1234);
    for (int i = 0; i < 400; ++i) {
        const std::string text = randomText(random);
        COMPARE(gpt2().decode(gpt2().encode(text, false), false), text);
        COMPARE(qwen3().decode(qwen3().encode(text, false), false), nfc(text));
    }
}

CAPSULE_TEST(sentencePieceRoundTripsTextWithoutSpecialStrings) {
    std::mt19937 random(99);
    int checked = 0;
    while (checked < 300) {
        const std::string text = randomText(random);
        // Special strings are matched whole (pieces around them get their own prefix), and a literal
        // "▁" decodes to a space: both are expected differences, not losses.
        if (text.find("<s>") != std::string::npos || text.find("</s>") != std::string::npos ||
            text.find("\u2581") != std::string::npos)
            continue;
        // Byte fallback covers every character, so nothing is lost (the decoder strips the one
        // leading space the Prepend normalizer added).
        COMPARE(spBpe().decode(spBpe().encode(text, false), false), text);
        ++checked;
    }
}

CAPSULE_TEST(combiningMarksNormalizeBeforeQwenBpe) {
    COMPARE(qwen3().encode("cafe\u0301", false), qwen3().encode("caf\u00e9", false));
    VERIFY(gpt2().encode("cafe\u0301", false) != gpt2().encode("caf\u00e9", false));  // GPT-2 has no normalizer
    COMPARE(gpt2().decode(gpt2().encode("\u0301\u0301x", false), false), std::string("\u0301\u0301x"));
}

CAPSULE_TEST(specialTokenStringsInsideText) {
    const auto ids = qwen3().encode("ab<|im_end|>cd<|im_start|><|im_start|>", false);
    COMPARE(std::count(ids.begin(), ids.end(), int64_t{151645}), std::ptrdiff_t{1});
    COMPARE(std::count(ids.begin(), ids.end(), int64_t{151644}), std::ptrdiff_t{2});
    COMPARE(ids.back(), int64_t{151644});
    COMPARE(qwen3().decode(ids, true), std::string("abcd"));
    const auto gptIds = gpt2().encode("x<|endoftext|><|endoftext|>y", false);
    COMPARE(std::count(gptIds.begin(), gptIds.end(), int64_t{50256}), std::ptrdiff_t{2});
    COMPARE(gpt2().decode(gptIds, true), std::string("xy"));
    // A partial special string is ordinary text.
    const auto partial = qwen3().encode("<|im_end", false);
    VERIFY(std::find(partial.begin(), partial.end(), int64_t{151645}) == partial.end());
}

CAPSULE_TEST(longDigitRunsAreSingleDigitsInQwen) {
    std::string digits;
    std::vector<int64_t> expected;
    for (int i = 0; i < 300; ++i) {
        const int d = (i * 7) % 10;
        digits += static_cast<char>('0' + d);
        expected.push_back(15 + d);  // "0" is id 15 ... "9" is id 24 in Qwen's vocab
    }
    COMPARE(qwen3().encode(digits, false), expected);
    COMPARE(gpt2().decode(gpt2().encode(digits, false), false), digits);
}

CAPSULE_TEST(crlfAndWhitespaceRuns) {
    for (const std::string text : {"a\r\nb", "\r\n\r\n", " \r\n \t\n", "   ", "\n", "x  \n  y", "\u00a0\u00a0a"}) {
        COMPARE(gpt2().decode(gpt2().encode(text, false), false), text);
        COMPARE(qwen3().decode(qwen3().encode(text, false), false), text);
        COMPARE(spBpe().decode(spBpe().encode(text, false), false), text);
    }
}

CAPSULE_TEST(emptyInput) {
    COMPARE(gpt2().encode("", true), std::vector<int64_t>{});
    COMPARE(spBpe().encode("", true), std::vector<int64_t>{1});
    COMPARE(spBpe().decode({}, false), std::string());
}

CAPSULE_TEST(veryLongWordsStayFastAndLossless) {
    const std::string word(200000, 'a');
    const std::string mixed = [] {
        std::string text;
        for (int i = 0; i < 20000; ++i) text += "xq\u00e9z";
        return text;
    }();
    const auto start = std::chrono::steady_clock::now();
    for (const Tokenizer* tokenizer : {&gpt2(), &qwen3(), &spBpe()}) {
        COMPARE(tokenizer->decode(tokenizer->encode(word, false), false), word);
        COMPARE(tokenizer->decode(tokenizer->encode(mixed, false), false), mixed);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    VERIFY(seconds < 10.0);  // O(n log n) merges; a quadratic merge loop would take minutes
}

CAPSULE_TEST(offsetsPartitionTheInput) {
    std::mt19937 random(7);
    for (int i = 0; i < 100; ++i) {
        const std::string text = randomText(random);
        const auto encoding = gpt2().encodeWithDetails(text, false);
        // Byte-level tokens cover consecutive bytes of the input.
        int64_t expectedBegin = 0;
        for (const auto& [begin, end] : encoding.offsets) {
            COMPARE(begin, expectedBegin);
            VERIFY(end > begin);
            expectedBegin = end;
        }
        COMPARE(expectedBegin, static_cast<int64_t>(text.size()));
    }
    // SentencePiece: "▁Hello" covers "Hello" (the ▁ stands for the inserted/replaced space).
    const std::string text = "Hello world";
    const auto encoding = spBpe().encodeWithDetails(text, true);
    COMPARE(encoding.ids, (std::vector<int64_t>{1, 22557, 1526}));
    COMPARE(encoding.offsets[0], (std::pair<int64_t, int64_t>(0, 0)));
    COMPARE(encoding.offsets[1], (std::pair<int64_t, int64_t>(0, 5)));
    COMPARE(encoding.offsets[2], (std::pair<int64_t, int64_t>(5, 11)));
}

CAPSULE_TEST(concurrentEncodingMatchesSingleThread) {
    std::mt19937 random(2025);
    std::vector<std::string> texts;
    for (int i = 0; i < 200; ++i) texts.push_back(randomText(random));
    std::vector<std::vector<int64_t>> expected;
    for (const std::string& text : texts) expected.push_back(qwen3().encode(text, true));
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 5; ++round)
                for (size_t i = 0; i < texts.size(); ++i) {
                    const size_t k = (i + static_cast<size_t>(t) * 37) % texts.size();
                    if (qwen3().encode(texts[k], true) != expected[k]) ++mismatches[static_cast<size_t>(t)];
                    if (qwen3().decode(expected[k], false) != nfc(texts[k])) ++mismatches[static_cast<size_t>(t)];
                }
        });
    }
    for (std::thread& thread : threads) thread.join();
    COMPARE(mismatches, (std::vector<int>{0, 0, 0, 0}));
}

CAPSULE_TEST(decodeHandlesPartialBytesAndUnknownIds) {
    // "，" (EF BC 8C) is three byte tokens in GPT-2; one alone is an incomplete sequence -> U+FFFD.
    const auto ids = gpt2().encode("\uff0c", false);
    COMPARE(ids.size(), size_t{3});
    COMPARE(gpt2().decode({ids[0]}, false), std::string("\ufffd"));
    COMPARE(gpt2().decode({ids[0], ids[1]}, false), std::string("\ufffd"));
    // Ids outside the vocabulary (a model's padded embedding rows) are skipped.
    COMPARE(qwen3().decode({9707, 151935, -5, 1879}, false), std::string("Hello world"));
}

CAPSULE_TEST(shortWordScanMatchesPriorityQueueMerges) {
    // The linear scan used for short words must pick exactly the merges of Hugging Face's queue.
    std::mt19937 random(31337);
    const std::string alphabet[] = {"a", "e", "t", "h", "in", " ", "\n", "0", "1", "\u00e9", "\u4e2d", "'", "s", "ing", "\U0001F600"};
    size_t compared = 0;
    for (const Tokenizer* tokenizer : {&gpt2(), &qwen3(), &spBpe()}) {
        const capsule::tokenizer::BpeModel& model = *tokenizer->impl().model;
        const bool byteLevel = tokenizer != &spBpe();
        for (int i = 0; i < 3000; ++i) {
            std::string word;
            const size_t length = 1 + random() % 16;
            for (size_t k = 0; k < length; ++k) word += alphabet[random() % std::size(alphabet)];
            std::vector<capsule::tokenizer::ModelToken> queue, scan;
            model.tokenizeUncached(word, byteLevel, true, queue);
            model.tokenizeUncached(word, byteLevel, false, scan);
            VERIFY(queue.size() == scan.size());
            for (size_t k = 0; k < queue.size(); ++k) {
                COMPARE(scan[k].id, queue[k].id);
                COMPARE(scan[k].end, queue[k].end);
            }
            ++compared;
        }
    }
    COMPARE(compared, size_t{9000});
}
