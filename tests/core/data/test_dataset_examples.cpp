// Rendering and label masking with the real fixture tokenizers: the loss falls on the response
// only (checked by decoding the trained spans back to text), on every assistant turn of a chat,
// with the end-of-turn marker / EOS kept; multiple-choice contexts and choices; truncation;
// packing boundaries; plain-text documents and blocks.
#include "capsule_test.h"
#include "dataset_test_support.h"

#include "data/dataset_loader.h"

#include <algorithm>
#include <numeric>

using namespace capsule::data;
using capsule::test::fixtureTemplate;
using capsule::test::fixtureTokenizer;
using capsule::test::slice;
using capsule::test::TempDir;
using capsule::test::trainedRuns;
using capsule::test::writeFile;
using capsule::tokenizer::Tokenizer;

namespace {

LoadedDataset loadWith(const std::string& tokenizerName, const std::string& path, const DatasetOptions& options = {}) {
    return loadDataset(path, fixtureTokenizer(tokenizerName), fixtureTemplate(tokenizerName), options);
}

std::string decode(const std::string& tokenizerName, const std::vector<int64_t>& ids) {
    return fixtureTokenizer(tokenizerName).decode(ids, /*skipSpecialTokens=*/false);
}

// The trained span must be one run reaching the end, everything before it -100.
void verifySingleResponse(const Example& example, const std::string& tokenizerName, const std::string& prompt,
                          const std::string& response) {
    const auto runs = trainedRuns(example);
    COMPARE(runs.size(), size_t(1));
    COMPARE(decode(tokenizerName, slice(example.inputIds, 0, runs[0].first)), prompt);
    COMPARE(decode(tokenizerName, slice(example.inputIds, runs[0].first, runs[0].second)), response);
    COMPARE(slice(example.labels, runs[0].first, runs[0].second), slice(example.inputIds, runs[0].first, runs[0].second));
}

const char* kNoInputPreamble =
    "Below is an instruction that describes a task. Write a response that appropriately completes the request.";
const char* kInputPreamble =
    "Below is an instruction that describes a task, paired with an input that provides further context. Write a "
    "response that appropriately completes the request.";

}  // namespace

CAPSULE_TEST(alpacaOnBaseModelUsesStanfordPromptAndTrainsOutputPlusEos) {
    TempDir folder;
    writeFile(folder.file("alpaca.json"), R"([
  {"instruction": "Name a color.", "input": "", "output": "Blue."},
  {"instruction": "Add the numbers.", "input": "2 and 3", "output": "5"}
])");
    const LoadedDataset data = loadWith("gpt2", folder.file("alpaca.json"));
    COMPARE(data.summary.format, DatasetFormat::Alpaca);
    COMPARE(data.summary.templateName, std::string("alpaca"));  // gpt2 has no chat template
    COMPARE(data.train.size(), size_t(2));
    const std::string prompt0 = std::string(kNoInputPreamble) + "\n\n### Instruction:\nName a color.\n\n### Response:";
    const std::string prompt1 =
        std::string(kInputPreamble) + "\n\n### Instruction:\nAdd the numbers.\n\n### Input:\n2 and 3\n\n### Response:";
    verifySingleResponse(data.train[0], "gpt2", prompt0, "Blue.<|endoftext|>");
    verifySingleResponse(data.train[1], "gpt2", prompt1, "5<|endoftext|>");
    // Prompt ids are the prompt's own tokenization; EOS (50256) closes the response.
    const Tokenizer& gpt2 = fixtureTokenizer("gpt2");
    const std::vector<int64_t> promptIds = gpt2.encode(prompt0, false);
    COMPARE(slice(data.train[0].inputIds, 0, promptIds.size()), promptIds);
    COMPARE(data.train[0].inputIds.back(), int64_t(50256));
    COMPARE(data.train[0].labels.back(), int64_t(50256));
    COMPARE(data.train[0].source.line, int64_t(2));
    COMPARE(data.train[1].source.line, int64_t(3));
}

CAPSULE_TEST(multiTurnChatTrainsEveryAssistantTurnOnly) {
    TempDir folder;
    writeFile(folder.file("chat.jsonl"),
              R"({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},)"
              R"( {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"},)"
              R"( {"role": "assistant", "content": "Bye."}]})"
              "\n");
    const LoadedDataset data = loadWith("qwen3", folder.file("chat.jsonl"));
    COMPARE(data.summary.templateName, std::string("chatml"));
    COMPARE(data.summary.templateNote, std::string("the model's chat template"));
    const Example& example = data.train.at(0);
    const std::string expected =
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        "Hello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\nBye.<|im_end|>\n";
    COMPARE(decode("qwen3", example.inputIds), expected);
    COMPARE(example.inputIds, fixtureTokenizer("qwen3").encode(expected, false));
    const auto runs = trainedRuns(example);
    COMPARE(runs.size(), size_t(2));
    COMPARE(decode("qwen3", slice(example.inputIds, runs[0].first, runs[0].second)), std::string("Hello!<|im_end|>"));
    COMPARE(decode("qwen3", slice(example.inputIds, runs[1].first, runs[1].second)), std::string("Bye.<|im_end|>"));
    VERIFY(capsule::test::labelsMatchIds(example));
    // Everything else is context: the headers, the system and user turns, the "\n" after <|im_end|>.
    COMPARE(decode("qwen3", slice(example.inputIds, 0, runs[0].first)),
            std::string("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                        "<|im_start|>assistant\n"));
    COMPARE(example.labels.back(), kIgnoreLabel);
}

CAPSULE_TEST(shareGptMapsHumanAndGptTurns) {
    TempDir folder;
    writeFile(folder.file("sg.jsonl"),
              R"({"conversations": [{"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4"},)"
              R"( {"from": "human", "value": "3+3?"}, {"from": "gpt", "value": "6"}]})"
              "\n");
    const LoadedDataset data = loadWith("qwen3", folder.file("sg.jsonl"));
    COMPARE(data.summary.format, DatasetFormat::ShareGpt);
    const auto runs = trainedRuns(data.train.at(0));
    COMPARE(runs.size(), size_t(2));
    COMPARE(decode("qwen3", slice(data.train[0].inputIds, runs[0].first, runs[0].second)), std::string("4<|im_end|>"));
    COMPARE(decode("qwen3", slice(data.train[0].inputIds, runs[1].first, runs[1].second)), std::string("6<|im_end|>"));
}

CAPSULE_TEST(alpacaOnChatModelRendersAsAConversation) {
    TempDir folder;
    writeFile(folder.file("a.jsonl"), R"({"instruction": "Add the numbers.", "input": "2 and 3", "output": "5"})");
    const LoadedDataset data = loadWith("qwen3", folder.file("a.jsonl"));
    COMPARE(data.summary.templateName, std::string("chatml"));
    verifySingleResponse(data.train.at(0), "qwen3",
                         "<|im_start|>user\nAdd the numbers.\n\n2 and 3<|im_end|>\n<|im_start|>assistant\n",
                         "5<|im_end|>");
    // The trailing "\n" after <|im_end|> is context, not trained.
    COMPARE(decode("qwen3", {data.train[0].inputIds.back()}), std::string("\n"));
    COMPARE(data.train[0].labels.back(), kIgnoreLabel);
}

CAPSULE_TEST(promptCompletionTrainsCompletionAndEosWithoutBoundaryMerges) {
    TempDir folder;
    writeFile(folder.file("pc.jsonl"),
              "{\"prompt\": \"The capital of France is\", \"completion\": \" Paris.\"}\n"
              "{\"prompt\": \"The answer is no\", \"completion\": \"t known.\"}\n");
    const LoadedDataset data = loadWith("gpt2", folder.file("pc.jsonl"));
    COMPARE(data.summary.format, DatasetFormat::PromptCompletion);
    const Tokenizer& gpt2 = fixtureTokenizer("gpt2");
    verifySingleResponse(data.train.at(0), "gpt2", "The capital of France is", " Paris.<|endoftext|>");
    // Encoded together, " no" + "t" would merge into the single token " not" that spans the
    // boundary; the ids must be the prompt's and the completion's own (hf-formats §7.1).
    std::vector<int64_t> expected = gpt2.encode("The answer is no", false);
    const std::vector<int64_t> completion = gpt2.encode("t known.", false);
    expected.insert(expected.end(), completion.begin(), completion.end());
    expected.push_back(50256);
    COMPARE(data.train.at(1).inputIds, expected);
    std::vector<int64_t> joint = gpt2.encode("The answer is not known.", false);
    joint.push_back(50256);
    VERIFY(joint.size() < expected.size());  // the case really merges
    verifySingleResponse(data.train[1], "gpt2", "The answer is no", "t known.<|endoftext|>");
}

CAPSULE_TEST(textTrainsEverythingAndBosComesFromThePostProcessor) {
    TempDir folder;
    writeFile(folder.file("t.jsonl"), R"({"text": "Hello world, this is text."})");
    const LoadedDataset gpt2 = loadWith("gpt2", folder.file("t.jsonl"));
    std::vector<int64_t> expected = fixtureTokenizer("gpt2").encode("Hello world, this is text.", false);
    expected.push_back(50256);
    COMPARE(gpt2.train.at(0).inputIds, expected);
    COMPARE(gpt2.train[0].labels, expected);

    // sp-bpe is Llama-like: its post-processor adds <s> (id 1), which is never trained; </s> is 2.
    const LoadedDataset llama = loadWith("sp-bpe", folder.file("t.jsonl"));
    const Example& example = llama.train.at(0);
    COMPARE(example.inputIds.front(), int64_t(1));
    COMPARE(example.labels.front(), kIgnoreLabel);
    COMPARE(example.inputIds.back(), int64_t(2));
    std::vector<int64_t> withBos = fixtureTokenizer("sp-bpe").encode("Hello world, this is text.", true);
    withBos.push_back(2);
    COMPARE(example.inputIds, withBos);
}

CAPSULE_TEST(llama2TemplateKeepsTheModelsOwnTokenizationOfTheAnswer) {
    // SentencePiece-style tokenizers prepend "▁" to every encode call, so encoding the answer on its
    // own would train "▁▁Hello"; the joint encoding is what the model sees and generates.
    TempDir folder;
    writeFile(folder.file("c.jsonl"),
              R"({"messages": [{"role": "user", "content": "Hi there"}, {"role": "assistant", "content": "Hello friend"}]})");
    DatasetOptions options;
    options.templateName = "llama2";
    const LoadedDataset data = loadWith("sp-bpe", folder.file("c.jsonl"), options);
    const Example& example = data.train.at(0);
    const std::string rendered = "<s>[INST] Hi there [/INST] Hello friend </s>";
    const Tokenizer& tokenizer = fixtureTokenizer("sp-bpe");
    COMPARE(example.inputIds, tokenizer.encode(rendered, false));
    COMPARE(example.inputIds[0], int64_t(1));
    VERIFY(example.inputIds[1] != 1);  // the template's <s> is not doubled by the post-processor
    const auto runs = trainedRuns(example);
    COMPARE(runs.size(), size_t(1));
    COMPARE(runs[0].second, example.inputIds.size());
    COMPARE(example.inputIds.back(), int64_t(2));
    const std::string firstTrained = *tokenizer.idToToken(example.inputIds[runs[0].first]);
    VERIFY(firstTrained.rfind("\xE2\x96\x81", 0) == 0 && firstTrained != "\xE2\x96\x81");  // "▁Hello..."
    const std::string lastPrompt = *tokenizer.idToToken(example.inputIds[runs[0].first - 1]);
    VERIFY(lastPrompt.find(']') != std::string::npos);
}

CAPSULE_TEST(multipleChoiceContextAndChoices) {
    TempDir folder;
    writeFile(folder.file("mc.jsonl"),
              R"({"question": "Capital of France?", "choices": ["Paris", "Rome", "Oslo"], "answer": "A"})"
              "\n");
    const LoadedDataset gpt2 = loadWith("gpt2", folder.file("mc.jsonl"));
    COMPARE(gpt2.summary.templateName, std::string("plain"));
    const Example& example = gpt2.train.at(0);
    COMPARE(decode("gpt2", example.contextIds), std::string("Capital of France?\n"));
    COMPARE(example.choiceIds.size(), size_t(3));
    COMPARE(decode("gpt2", example.choiceIds[0]), std::string("Paris<|endoftext|>"));
    COMPARE(decode("gpt2", example.choiceIds[1]), std::string("Rome<|endoftext|>"));
    COMPARE(decode("gpt2", example.choiceIds[2]), std::string("Oslo<|endoftext|>"));
    COMPARE(example.goldIndex, int64_t(0));
    std::vector<int64_t> lm = example.contextIds;
    lm.insert(lm.end(), example.choiceIds[0].begin(), example.choiceIds[0].end());
    COMPARE(example.inputIds, lm);
    verifySingleResponse(example, "gpt2", "Capital of France?\n", "Paris<|endoftext|>");

    const LoadedDataset qwen = loadWith("qwen3", folder.file("mc.jsonl"));
    const Example& chat = qwen.train.at(0);
    COMPARE(decode("qwen3", chat.contextIds),
            std::string("<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n"));
    COMPARE(decode("qwen3", chat.choiceIds[1]), std::string("Rome<|im_end|>"));
}

CAPSULE_TEST(classificationMapsLabelsToWords) {
    TempDir folder;
    writeFile(folder.file("sst.csv"), "text,label\nI loved it,1\n\"Terrible,\nreally\",0\n");
    DatasetOptions options;
    options.labelWords = {{"0", "negative"}, {"1", "positive"}};
    const LoadedDataset data = loadWith("gpt2", folder.file("sst.csv"), options);
    COMPARE(data.summary.format, DatasetFormat::Classification);
    COMPARE(data.choiceLabels, (std::vector<std::string>{"0", "1"}));
    COMPARE(data.train.size(), size_t(2));
    COMPARE(data.train[0].goldIndex, int64_t(1));
    COMPARE(data.train[1].goldIndex, int64_t(0));
    COMPARE(data.train[1].source.line, int64_t(3));
    COMPARE(decode("gpt2", data.train[0].choiceIds[0]), std::string("negative<|endoftext|>"));
    COMPARE(decode("gpt2", data.train[0].choiceIds[1]), std::string("positive<|endoftext|>"));
    COMPARE(decode("gpt2", data.train[1].contextIds), std::string("Terrible,\nreally\n"));
    // Without label words the data's labels, sorted, are the choices.
    const LoadedDataset plain = loadWith("gpt2", folder.file("sst.csv"));
    COMPARE(plain.choiceLabels, (std::vector<std::string>{"0", "1"}));
    COMPARE(decode("gpt2", plain.train[0].choiceIds[1]), std::string("1<|endoftext|>"));
}

CAPSULE_TEST(truncationKeepsThePromptAndCountsExamples) {
    TempDir folder;
    const std::string longOutput = "one two three four five six seven eight nine ten";
    writeFile(folder.file("a.jsonl"), "{\"instruction\": \"Count.\", \"output\": \"" + longOutput +
                                          "\"}\n{\"instruction\": \"Hi\", \"output\": \"Yo\"}\n");
    const std::string prompt = std::string(kNoInputPreamble) + "\n\n### Instruction:\nCount.\n\n### Response:";
    const std::vector<int64_t> promptIds = fixtureTokenizer("gpt2").encode(prompt, false);
    const std::vector<int64_t> responseIds = fixtureTokenizer("gpt2").encode(longOutput, false);
    DatasetOptions options;
    options.maxLengthTokens = static_cast<int64_t>(promptIds.size()) + 3;
    const LoadedDataset data = loadWith("gpt2", folder.file("a.jsonl"), options);
    COMPARE(data.summary.truncatedExamples, int64_t(1));
    const Example& cut = data.train.at(0);
    VERIFY(cut.truncated);
    COMPARE(cut.length(), options.maxLengthTokens);
    COMPARE(cut.untruncatedLength, static_cast<int64_t>(promptIds.size() + responseIds.size() + 1));
    COMPARE(slice(cut.inputIds, 0, promptIds.size()), promptIds);  // the prompt start is kept
    COMPARE(slice(cut.labels, promptIds.size(), cut.inputIds.size()), slice(responseIds, 0, 3));
    VERIFY(!data.train.at(1).truncated);
    COMPARE(data.summary.lengths.maxTokens, cut.untruncatedLength);  // stats use untruncated lengths
}

CAPSULE_TEST(packingKeepsExamplesApart) {
    TempDir folder;
    std::string lines;
    const std::vector<int> wordCounts = {3, 9, 1, 5, 12, 2, 7, 4, 6, 1, 8};
    for (size_t i = 0; i < wordCounts.size(); ++i) {
        std::string text;
        for (int w = 0; w < wordCounts[i]; ++w) text += (w ? " " : "") + std::string("w") + std::to_string(i) + "x" + std::to_string(w);
        lines += "{\"text\": \"" + text + "\"}\n";
    }
    writeFile(folder.file("t.jsonl"), lines);
    DatasetOptions options;
    options.maxLengthTokens = 40;
    const LoadedDataset unpacked = loadWith("gpt2", folder.file("t.jsonl"), options);
    options.packing = true;
    const LoadedDataset packed = loadWith("gpt2", folder.file("t.jsonl"), options);
    COMPARE(packed.summary.trainExamples, static_cast<int64_t>(wordCounts.size()));
    COMPARE(packed.summary.trainRows, static_cast<int64_t>(packed.train.size()));
    VERIFY(packed.train.size() < unpacked.train.size());

    std::vector<std::vector<int64_t>> remaining;
    for (const Example& example : unpacked.train) remaining.push_back(example.inputIds);
    int64_t packedTokens = 0, packedExamples = 0;
    for (const Example& row : packed.train) {
        VERIFY(row.length() <= options.maxLengthTokens);
        COMPARE(row.positionIds.size(), row.inputIds.size());
        COMPARE(row.segmentIds.size(), row.inputIds.size());
        packedTokens += row.length();
        size_t begin = 0;
        int64_t segment = 0;
        while (begin < row.inputIds.size()) {
            size_t end = begin;
            while (end < row.inputIds.size() && row.segmentIds[end] == row.segmentIds[begin]) ++end;
            COMPARE(row.segmentIds[begin], ++segment);
            COMPARE(row.labels[begin], kIgnoreLabel);  // no loss across the boundary
            for (size_t t = begin; t < end; ++t) {
                COMPARE(row.positionIds[t], static_cast<int64_t>(t - begin));
                if (t > begin) COMPARE(row.labels[t], row.inputIds[t]);
            }
            const std::vector<int64_t> piece = slice(row.inputIds, begin, end);
            const auto match = std::find(remaining.begin(), remaining.end(), piece);
            VERIFY(match != remaining.end());  // every segment is exactly one original example
            remaining.erase(match);
            ++packedExamples;
            begin = end;
        }
        COMPARE(row.packedCount, segment);
    }
    VERIFY(remaining.empty());
    COMPARE(packedExamples, static_cast<int64_t>(wordCounts.size()));
    int64_t unpackedTokens = 0;
    for (const Example& example : unpacked.train) unpackedTokens += example.length();
    COMPARE(packedTokens, unpackedTokens);
    COMPARE(packed.summary.trainTokens, unpackedTokens);
}

CAPSULE_TEST(plainTextDocumentsAndBlocks) {
    TempDir folder;
    const std::vector<std::string> documents = {"The first document has a few words.", "Second one.",
                                                "A third document, longer than the others, to fill a block."};
    writeFile(folder.file("book.txt"), documents[0] + "\n\n" + documents[1] + "\n\n\n" + documents[2] + "\n");
    const Tokenizer& gpt2 = fixtureTokenizer("gpt2");
    const LoadedDataset paragraphs = loadWith("gpt2", folder.file("book.txt"));
    COMPARE(paragraphs.summary.format, DatasetFormat::PlainText);
    COMPARE(paragraphs.train.size(), size_t(3));
    COMPARE(paragraphs.train[2].source.line, int64_t(6));
    std::vector<int64_t> stream;
    for (size_t d = 0; d < documents.size(); ++d) {
        std::vector<int64_t> ids = gpt2.encode(documents[d], false);
        ids.push_back(50256);
        COMPARE(paragraphs.train[d].inputIds, ids);
        COMPARE(paragraphs.train[d].labels, ids);
        stream.insert(stream.end(), ids.begin(), ids.end());
    }
    DatasetOptions options;
    options.plainTextSplit = PlainTextSplit::Blocks;
    options.maxLengthTokens = 8;
    const LoadedDataset blocks = loadWith("gpt2", folder.file("book.txt"), options);
    COMPARE(blocks.train.size(), (stream.size() + 7) / 8);
    std::vector<int64_t> joined;
    for (size_t b = 0; b < blocks.train.size(); ++b) {
        const Example& block = blocks.train[b];
        if (b + 1 < blocks.train.size()) COMPARE(block.length(), int64_t(8));
        COMPARE(block.labels, block.inputIds);
        joined.insert(joined.end(), block.inputIds.begin(), block.inputIds.end());
    }
    COMPARE(joined, stream);
    COMPARE(blocks.summary.validRows, int64_t(3));
}
