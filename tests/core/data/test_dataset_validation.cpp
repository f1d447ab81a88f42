// Validation before training: every kind of bad row reported with its file and exact line (also
// after a CSV field spanning several lines), skip vs stop, the summary's counts, length statistics
// and histogram, and the seeded, thread-independent train/validation split.
#include "capsule_test.h"
#include "dataset_test_support.h"

#include "data/dataset_loader.h"
#include "data/dataset_split.h"

#include <nlohmann/json.hpp>

#include <set>

using namespace capsule::data;
using capsule::test::fixtureTemplate;
using capsule::test::fixtureTokenizer;
using capsule::test::TempDir;
using capsule::test::writeFile;

namespace {

LoadedDataset loadGpt2(const std::string& path, const DatasetOptions& options = {}) {
    return loadDataset(path, fixtureTokenizer("gpt2"), fixtureTemplate("gpt2"), options);
}

struct ExpectedIssue {
    int64_t line;
    RowProblem problem;
    std::string fragment;
};

void compareIssues(const std::vector<RowIssue>& issues, const std::string& file, const std::vector<ExpectedIssue>& expected) {
    COMPARE(issues.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        COMPARE(issues[i].file, file);
        COMPARE(issues[i].line, expected[i].line);
        COMPARE(problemName(issues[i].problem), problemName(expected[i].problem));
        if (issues[i].message.find(expected[i].fragment) == std::string::npos)
            capsule::test::fail("issue at line " + std::to_string(issues[i].line) + " says \"" + issues[i].message +
                                    "\", expected it to contain \"" + expected[i].fragment + "\"",
                                __FILE__, __LINE__);
    }
}

std::string badAlpacaFile() {
    std::string longInstruction;
    for (int i = 0; i < 100; ++i) longInstruction += "word ";
    return "{\"instruction\": \"ok\", \"output\": \"fine\"}\n"          // 1
           "{\"instruction\": \"x\", \"output\": }\n"                   // 2 invalid JSON
           "\n"                                                         // 3
           "{\"instruction\": \"no output\"}\n"                         // 4 missing field
           "{\"instruction\": \"x\", \"output\": 5}\n"                  // 5 wrong type
           "{\"instruction\": \"x\", \"output\": \"   \"}\n"            // 6 empty response
           "{\"instruction\": \"bad \xFF byte\", \"output\": \"y\"}\n"  // 7 not UTF-8
           "[\"not\", \"an\", \"object\"]\n"                            // 8 wrong type
           "{\"instruction\": \"ok again\", \"output\": \"fine\"}\n"    // 9
           "{\"instruction\": \"" + longInstruction + "\", \"output\": \"z\"}\n";  // 10 over-long
}

const std::vector<ExpectedIssue> kAlpacaIssues = {
    {2, RowProblem::InvalidJson, "invalid JSON (line 2, column 32): syntax error while parsing value"},
    {4, RowProblem::MissingField, "missing field 'output'"},
    {5, RowProblem::WrongType, "field 'output' must be a string, got number"},
    {6, RowProblem::EmptyResponse, "field 'output' is empty"},
    {7, RowProblem::InvalidUtf8, "not valid UTF-8"},
    {8, RowProblem::WrongType, "a record must be a JSON object, got array"},
    {10, RowProblem::OverLong, "leaves no response token"},
};

}  // namespace

CAPSULE_TEST(everyBadRowIsReportedWithItsLine) {
    TempDir folder;
    const std::string path = folder.file("bad.jsonl");
    writeFile(path, badAlpacaFile());
    DatasetOptions options;
    options.maxLengthTokens = 64;
    const LoadedDataset data = loadGpt2(path, options);
    compareIssues(data.summary.issues, path, kAlpacaIssues);
    COMPARE(data.summary.rows, int64_t(9));  // the blank line is not a row
    COMPARE(data.summary.validRows, int64_t(2));
    COMPARE(data.summary.skippedRows, int64_t(7));
    COMPARE(data.train.size(), size_t(2));
    COMPARE(data.train[0].source.line, int64_t(1));
    COMPARE(data.train[1].source.line, int64_t(9));
    COMPARE(data.summary.issues[0].describe().rfind(path + ":2: invalid JSON", 0), size_t(0));
}

CAPSULE_TEST(stopPolicyRefusesTheDatasetAfterCheckingEveryRow) {
    TempDir folder;
    const std::string path = folder.file("bad.jsonl");
    writeFile(path, badAlpacaFile());
    DatasetOptions options;
    options.maxLengthTokens = 64;
    options.badRows = BadRowPolicy::Stop;
    VERIFY_THROWS(loadGpt2(path, options), "7 bad rows (bad_rows = stop): " + path + ":2: invalid JSON");
    try {
        loadGpt2(path, options);
        capsule::test::fail("no DatasetError", __FILE__, __LINE__);
    } catch (const DatasetError& error) {
        compareIssues(error.issues(), path, kAlpacaIssues);
        VERIFY(std::string(error.what()).find("and 2 more") != std::string::npos);
    }
    // A clean file passes under stop.
    writeFile(folder.file("good.jsonl"), "{\"instruction\": \"ok\", \"output\": \"fine\"}\n");
    COMPARE(loadGpt2(folder.file("good.jsonl"), options).train.size(), size_t(1));
}

CAPSULE_TEST(multipleChoiceProblemsAreReported) {
    TempDir folder;
    const std::string path = folder.file("mc.jsonl");
    writeFile(path,
              "{\"question\": \"q1\", \"choices\": [\"a\", \"b\", \"c\"], \"answer\": 1}\n"
              "{\"question\": \"q2\", \"choices\": [\"a\", \"b\", \"c\"], \"answer\": 5}\n"
              "{\"question\": \"q3\", \"choices\": [\"a\", \"b\"], \"answer\": \"maybe\"}\n"
              "{\"question\": \"q4\", \"answer\": 0}\n"
              "{\"question\": \"q5\", \"choices\": [\"a\", 7], \"answer\": 0}\n");
    const LoadedDataset data = loadGpt2(path);
    compareIssues(data.summary.issues, path,
                  {{2, RowProblem::AnswerOutOfRange, "field 'answer' 5 is out of range (3 choices: 0-2)"},
                   {3, RowProblem::UnknownLabel, "'maybe' is neither a choice, a letter nor an index"},
                   {4, RowProblem::MissingField, "missing field 'choices'"},
                   {5, RowProblem::WrongType, "field 'choices'[1] must be a string, got number"}});
    COMPARE(data.train.size(), size_t(1));
}

CAPSULE_TEST(csvLineNumbersStayExactAfterMultiLineFields) {
    TempDir folder;
    const std::string path = folder.file("sst.csv");
    writeFile(path,
              "text,label\n"                        // 1
              "\"first\nsecond\nthird\",pos\n"      // 2-4
              "fine,neg\n"                          // 5
              "odd,neutral\n"                       // 6 unknown label
              "too,many,fields\n"                   // 7 malformed
              "\"bad \xFF\",pos\n"                  // 8 not UTF-8
              "\"quoted, \"\"again\"\"\nover lines\",\n"  // 9-10 empty label
              "last,pos\n");                        // 11
    DatasetOptions options;
    options.labelWords = {{"neg", "negative"}, {"pos", "positive"}};
    const LoadedDataset data = loadGpt2(path, options);
    compareIssues(data.summary.issues, path,
                  {{6, RowProblem::UnknownLabel, "label 'neutral' is not one of the labels (neg, pos)"},
                   {7, RowProblem::MalformedRow, "has 3 fields, the header has 2"},
                   {8, RowProblem::InvalidUtf8, "not valid UTF-8 (bad byte on line 8)"},
                   {9, RowProblem::MissingField, "field 'label' is empty"}});
    COMPARE(data.train.size(), size_t(3));
    COMPARE(data.train[0].source.line, int64_t(2));
    COMPARE(data.train[1].source.line, int64_t(5));
    COMPARE(data.train[2].source.line, int64_t(11));
}

CAPSULE_TEST(fileLevelProblemsThrowNamingTheFile) {
    TempDir folder;
    VERIFY_THROWS(loadGpt2(folder.file("missing.jsonl")), "missing.jsonl: no such file");
    writeFile(folder.file("weird.bin"), "\x01\x02");
    VERIFY_THROWS(loadGpt2(folder.file("weird.bin")), "unknown dataset file type '.bin'");
    writeFile(folder.file("allbad.jsonl"), "{nope\n{nope\n");
    VERIFY_THROWS(loadGpt2(folder.file("allbad.jsonl")), "allbad.jsonl: no readable record");
    writeFile(folder.file("one.csv"), "text,label\nonly,a\n");
    VERIFY_THROWS(loadGpt2(folder.file("one.csv")), "classification needs at least 2 labels");
    DatasetOptions packing;
    packing.packing = true;
    packing.maxLengthTokens = 32;
    writeFile(folder.file("mc.jsonl"), "{\"question\": \"q\", \"choices\": [\"a\", \"b\"], \"answer\": 0}\n");
    VERIFY_THROWS(loadGpt2(folder.file("mc.jsonl"), packing), "'packing': cannot be used with multiple-choice");
}

CAPSULE_TEST(lengthStatisticsAndHistogram) {
    std::vector<int64_t> lengths(20);
    for (int64_t i = 0; i < 20; ++i) lengths[static_cast<size_t>(i)] = 20 - i;  // 20..1, unsorted on purpose
    const LengthStats stats = computeLengthStats(lengths);
    COMPARE(stats.count, int64_t(20));
    COMPARE(stats.minTokens, int64_t(1));
    COMPARE(stats.maxTokens, int64_t(20));
    COMPARE_NEAR(stats.meanTokens, 10.5, 1e-12);
    COMPARE_NEAR(stats.medianTokens, 10.5, 1e-12);
    COMPARE(stats.p95Tokens, int64_t(19));  // nearest rank: ceil(0.95 * 20) = 19th value
    COMPARE(computeLengthStats({7, 3, 5}).medianTokens, 5.0);

    const std::vector<HistogramBin> bins = lengthHistogram({0, 5, 9, 10, 19, 20, 95}, 10);
    COMPARE(bins.size(), size_t(10));
    COMPARE(bins[0].lowerTokens, int64_t(0));
    COMPARE(bins[0].upperTokens, int64_t(10));
    COMPARE(bins[0].count, int64_t(3));
    COMPARE(bins[1].count, int64_t(2));
    COMPARE(bins[2].count, int64_t(1));
    COMPARE(bins[9].lowerTokens, int64_t(90));
    COMPARE(bins[9].count, int64_t(1));
    VERIFY(lengthHistogram({}, 10).empty());

    // In a loaded dataset: the lengths are the examples' token counts (text + EOS).
    TempDir folder;
    const std::vector<std::string> texts = {"a", "a b c d", "one two three", "x y", "hello there world again"};
    std::string lines;
    std::vector<int64_t> expected;
    for (const std::string& text : texts) {
        lines += "{\"text\": \"" + text + "\"}\n";
        expected.push_back(static_cast<int64_t>(fixtureTokenizer("gpt2").encode(text, false).size()) + 1);
    }
    writeFile(folder.file("t.jsonl"), lines);
    const LoadedDataset data = loadGpt2(folder.file("t.jsonl"));
    COMPARE(data.summary.lengths.count, int64_t(5));
    COMPARE(data.summary.lengths.minTokens, *std::min_element(expected.begin(), expected.end()));
    COMPARE(data.summary.lengths.maxTokens, *std::max_element(expected.begin(), expected.end()));
    COMPARE_NEAR(data.summary.lengths.meanTokens,
                 static_cast<double>(std::accumulate(expected.begin(), expected.end(), int64_t{0})) / 5.0, 1e-12);
    int64_t binned = 0;
    for (const HistogramBin& bin : data.summary.histogram) binned += bin.count;
    COMPARE(binned, int64_t(5));
    const nlohmann::json json = toJson(data.summary);
    COMPARE(json["format"].get<std::string>(), std::string("text"));
    COMPARE(json["train_examples"].get<int64_t>(), int64_t(5));
    COMPARE(json["histogram"].size(), data.summary.histogram.size());
    VERIFY(data.summary.describe().find("rows 5, valid 5, skipped 0") != std::string::npos);
}

CAPSULE_TEST(splitIsSeededDeterministicAndThreadIndependent) {
    const SplitIndices a = splitTrainValidation(100, 0.2, 7);
    const SplitIndices b = splitTrainValidation(100, 0.2, 7);
    const SplitIndices c = splitTrainValidation(100, 0.2, 8);
    COMPARE(a.validation.size(), size_t(20));
    COMPARE(a.train.size(), size_t(80));
    COMPARE(a.validation, b.validation);
    VERIFY(a.validation != c.validation);
    std::set<size_t> all(a.train.begin(), a.train.end());
    all.insert(a.validation.begin(), a.validation.end());
    COMPARE(all.size(), size_t(100));
    VERIFY(std::is_sorted(a.validation.begin(), a.validation.end()));
    COMPARE(splitTrainValidation(3, 0.01, 1).validation.size(), size_t(1));  // a fraction > 0 keeps one
    COMPARE(splitTrainValidation(1, 0.5, 1).validation.size(), size_t(0));   // never all rows
    COMPARE(splitTrainValidation(10, 0.0, 1).validation.size(), size_t(0));
    // The sequence is fixed by the algorithm, not by the standard library: pin the first picks.
    const SplitIndices pinned = splitTrainValidation(10, 0.3, 42);
    COMPARE(pinned.validation.size(), size_t(3));
    COMPARE(pinned.validation, splitTrainValidation(10, 0.3, 42).validation);

    TempDir folder;
    std::string lines;
    for (int i = 0; i < 60; ++i) lines += "{\"text\": \"row number " + std::to_string(i) + "\"}\n";
    writeFile(folder.file("t.jsonl"), lines);
    DatasetOptions options;
    options.validationFraction = 0.25;
    options.seed = 11;
    options.threadCount = 1;
    const LoadedDataset one = loadGpt2(folder.file("t.jsonl"), options);
    options.threadCount = 3;
    const LoadedDataset three = loadGpt2(folder.file("t.jsonl"), options);
    COMPARE(one.validation.size(), size_t(15));
    COMPARE(one.train.size(), size_t(45));
    COMPARE(one.summary.validationExamples, int64_t(15));
    COMPARE(one.train.size(), three.train.size());
    COMPARE(one.validation.size(), three.validation.size());
    for (size_t i = 0; i < one.train.size(); ++i) COMPARE(one.train[i].inputIds, three.train[i].inputIds);
    for (size_t i = 0; i < one.validation.size(); ++i) {
        COMPARE(one.validation[i].source.line, three.validation[i].source.line);
        // Row k sits on line k + 1 and its text says so: the example really is that row.
        const std::string text = fixtureTokenizer("gpt2").decode(one.validation[i].inputIds, true);
        COMPARE(text, "row number " + std::to_string(one.validation[i].source.line - 1));
    }
    const SplitIndices reference = splitTrainValidation(60, 0.25, 11);
    for (size_t i = 0; i < reference.validation.size(); ++i)
        COMPARE(one.validation[i].source.line, static_cast<int64_t>(reference.validation[i]) + 1);
}

CAPSULE_TEST(validationFileReplacesTheFraction) {
    TempDir folder;
    writeFile(folder.file("train.jsonl"), "{\"text\": \"a\"}\n{\"text\": \"b\"}\n{\"text\": \"c\"}\n");
    writeFile(folder.file("val.jsonl"), "{\"text\": \"d\"}\n{\"text\": 3}\n");
    DatasetOptions options;
    options.validationFile = folder.file("val.jsonl");
    options.validationFraction = 0.5;  // ignored
    const LoadedDataset data = loadGpt2(folder.file("train.jsonl"), options);
    COMPARE(data.train.size(), size_t(3));
    COMPARE(data.validation.size(), size_t(1));
    COMPARE(data.validation[0].source.file, folder.file("val.jsonl"));
    COMPARE(data.summary.rows, int64_t(5));
    compareIssues(data.summary.issues, folder.file("val.jsonl"),
                  {{2, RowProblem::WrongType, "field 'text' must be a string, got number"}});
}
