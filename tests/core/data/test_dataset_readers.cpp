// Dataset files as users have them: CSV/TSV (RFC 4180 quoting, embedded newlines, BOM), JSON
// arrays and JSON Lines with per-record line numbers, plain text documents; format detection for
// every format (with its reason), column mapping, overrides, and the options' JSON form.
#include "capsule_test.h"

#include "data/dataset_options.h"
#include "data/delimited_reader.h"
#include "data/format_detection.h"
#include "data/record_content.h"
#include "data/record_reader.h"

#include <nlohmann/json.hpp>

using namespace capsule::data;
using capsule::test::TempDir;
using capsule::test::writeFile;

namespace {

RecordFile readParsed(const std::string& path) {
    RecordFile file = readRecordFile(path);
    for (RawRecord& record : file.records) parseRecord(record, path);
    return file;
}

FormatDetection detectFile(const TempDir& folder, const std::string& name, const std::string& content,
                           const DatasetOptions& options = {}) {
    writeFile(folder.file(name), content);
    return detectFormat(readParsed(folder.file(name)), options);
}

}  // namespace

CAPSULE_TEST(csvFollowsRfc4180WithBomAndEmbeddedNewlines) {
    const std::string text =
        "\xEF\xBB\xBFtext,label\r\n"
        "\"Hello, \"\"world\"\"\",pos\r\n"
        "\"multi\nline\r\nfield\",neg\n"
        "\n"
        "plain,pos\n"
        "trailing,\n"
        "\"\",empty";
    const std::vector<DelimitedRecord> records = parseDelimited(text, ',');
    COMPARE(records.size(), size_t(6));
    COMPARE(records[0].fields, (std::vector<std::string>{"text", "label"}));  // BOM gone
    COMPARE(records[0].line, int64_t(1));
    COMPARE(records[1].fields, (std::vector<std::string>{"Hello, \"world\"", "pos"}));
    COMPARE(records[1].line, int64_t(2));
    COMPARE(records[2].fields, (std::vector<std::string>{"multi\nline\r\nfield", "neg"}));
    COMPARE(records[2].line, int64_t(3));
    COMPARE(records[3].fields, (std::vector<std::string>{"plain", "pos"}));
    COMPARE(records[3].line, int64_t(7));  // lines 3-5 hold the quoted field, 6 is empty
    COMPARE(records[4].fields, (std::vector<std::string>{"trailing", ""}));
    COMPARE(records[5].fields, (std::vector<std::string>{"", "empty"}));
    COMPARE(records[5].line, int64_t(9));
    for (const DelimitedRecord& record : records) VERIFY(record.error.empty());
}

CAPSULE_TEST(csvUnterminatedQuoteAndLenientTsv) {
    const std::vector<DelimitedRecord> broken = parseDelimited("a,b\n1,2\n\"open,3\n4,5\n", ',');
    COMPARE(broken.size(), size_t(3));
    VERIFY(broken[2].error.find("the quote opens on line 3") != std::string::npos);
    COMPARE(broken[2].line, int64_t(3));
    // Hand-written TSV: quotes inside unquoted text stay literal; text after a closing quote is kept.
    const std::vector<DelimitedRecord> tsv = parseDelimited("text\tlabel\nHe said \"hi\"\t1\n\"Hi\" there\t0\n", '\t');
    COMPARE(tsv.size(), size_t(3));
    COMPARE(tsv[1].fields, (std::vector<std::string>{"He said \"hi\"", "1"}));
    COMPARE(tsv[2].fields, (std::vector<std::string>{"Hi there", "0"}));
    COMPARE(quoteDelimitedField("a,\"b\"", ','), std::string("\"a,\"\"b\"\"\""));
    COMPARE(quoteDelimitedField("plain", ','), std::string("plain"));
}

CAPSULE_TEST(csvRowsBecomeObjectsWithLineNumbersAndFieldCountChecks) {
    TempDir folder;
    writeFile(folder.file("d.csv"), "text, label\n\"a\nb\",x\nc,y,extra\nd,z\n");
    const RecordFile file = readParsed(folder.file("d.csv"));
    COMPARE(file.kind, FileKind::Csv);
    COMPARE(file.columns, (std::vector<std::string>{"text", "label"}));  // header names trimmed
    COMPARE(file.records.size(), size_t(3));
    COMPARE(file.records[0].fields["text"].get<std::string>(), std::string("a\nb"));
    COMPARE(file.records[1].line, int64_t(4));
    VERIFY(file.records[1].issue.has_value());
    COMPARE(file.records[1].issue->problem, RowProblem::MalformedRow);
    COMPARE(file.records[1].issue->message, std::string("has 3 fields, the header has 2"));
    COMPARE(file.records[2].line, int64_t(5));
    COMPARE(file.records[2].fields["label"].get<std::string>(), std::string("z"));
    writeFile(folder.file("dup.csv"), "text,text\na,b\n");
    VERIFY_THROWS(readRecordFile(folder.file("dup.csv")), "dup.csv:1: header names column 'text' twice");
}

CAPSULE_TEST(jsonArrayElementsKeepTheirOwnLines) {
    TempDir folder;
    writeFile(folder.file("d.json"),
              "[\n"
              "  {\"text\": \"one, [two] {three}\"},\n"
              "  {\"text\": \"escaped \\\" quote\"},\n"
              "  {\"text\": },\n"
              "  {\n"
              "    \"text\": \"four\"\n"
              "  },\n"
              "  [1, 2]\n"
              "]\n");
    const RecordFile file = readParsed(folder.file("d.json"));
    COMPARE(file.kind, FileKind::JsonArray);
    COMPARE(file.records.size(), size_t(5));
    COMPARE(file.records[0].line, int64_t(2));
    COMPARE(file.records[0].fields["text"].get<std::string>(), std::string("one, [two] {three}"));
    COMPARE(file.records[1].fields["text"].get<std::string>(), std::string("escaped \" quote"));
    COMPARE(file.records[2].line, int64_t(4));
    VERIFY(file.records[2].issue.has_value());
    COMPARE(file.records[2].issue->problem, RowProblem::InvalidJson);
    VERIFY(file.records[2].issue->message.find("invalid JSON (line 4, column ") == 0);
    VERIFY(file.records[2].issue->message.find("syntax error while parsing value") != std::string::npos);
    COMPARE(file.records[3].line, int64_t(5));
    COMPARE(file.records[3].fields["text"].get<std::string>(), std::string("four"));
    COMPARE(file.records[4].line, int64_t(8));
    COMPARE(file.records[4].issue->problem, RowProblem::WrongType);

    writeFile(folder.file("open.json"), "[\n{\"text\": \"a\"},\n{\"text\": \"b\n");
    VERIFY_THROWS(readRecordFile(folder.file("open.json")), "open.json:1: invalid JSON: the array that starts here is never closed");
    writeFile(folder.file("after.json"), "[{\"text\": \"a\"}]\n\n{}");
    VERIFY_THROWS(readRecordFile(folder.file("after.json")), "after.json:3: invalid JSON: content after the end");
}

CAPSULE_TEST(jsonLinesSkipBlankLinesAndBom) {
    TempDir folder;
    writeFile(folder.file("d.jsonl"), "\xEF\xBB\xBF{\"text\": \"a\"}\r\n\n   \n{\"text\": \"b\"}\n{\"text\": \"c\"");
    const RecordFile file = readParsed(folder.file("d.jsonl"));
    COMPARE(file.records.size(), size_t(3));
    COMPARE(file.records[0].line, int64_t(1));
    VERIFY(!file.records[0].issue);
    COMPARE(file.records[1].line, int64_t(4));
    COMPARE(file.records[2].line, int64_t(5));
    COMPARE(file.records[2].issue->problem, RowProblem::InvalidJson);
    // A .json file that holds JSON Lines reads as JSON Lines.
    writeFile(folder.file("lines.json"), "{\"text\": \"a\"}\n{\"text\": \"b\"}\n");
    COMPARE(readParsed(folder.file("lines.json")).kind, FileKind::JsonLines);
    COMPARE(readParsed(folder.file("lines.json")).records.size(), size_t(2));
}

CAPSULE_TEST(plainTextSplitsOnBlankLines) {
    TempDir folder;
    writeFile(folder.file("book.txt"), "First para\nstill first.\n\n \t \nSecond.\r\n\r\n\r\nThird\n");
    const RecordFile file = readParsed(folder.file("book.txt"));
    COMPARE(file.kind, FileKind::PlainText);
    COMPARE(file.records.size(), size_t(3));
    COMPARE(file.records[0].fields["text"].get<std::string>(), std::string("First para\nstill first."));
    COMPARE(file.records[1].line, int64_t(5));
    COMPARE(file.records[1].fields["text"].get<std::string>(), std::string("Second."));
    COMPARE(file.records[2].line, int64_t(8));
}

CAPSULE_TEST(detectsEveryFormatWithAReason) {
    TempDir folder;
    const auto detect = [&](const std::string& name, const std::string& content) {
        return detectFile(folder, name, content);
    };
    FormatDetection alpaca = detect("a.jsonl", R"({"instruction": "Say hi", "input": "", "output": "hi"})");
    COMPARE(alpaca.format, DatasetFormat::Alpaca);
    VERIFY(alpaca.reason.find("'instruction' and 'output'") != std::string::npos);
    VERIFY(alpaca.reason.find("JSON Lines") != std::string::npos);
    COMPARE(detect("c.json", R"([{"messages": [{"role": "user", "content": "hi"}]}])").format, DatasetFormat::Chat);
    COMPARE(detect("s.jsonl", R"({"conversations": [{"from": "human", "value": "hi"}]})").format, DatasetFormat::ShareGpt);
    COMPARE(detect("s2.jsonl", R"({"messages": [{"from": "human", "value": "hi"}]})").format, DatasetFormat::ShareGpt);
    COMPARE(detect("t.jsonl", R"({"text": "hello"})").format, DatasetFormat::Text);
    COMPARE(detect("p.jsonl", R"({"prompt": "2+2=", "completion": "4"})").format, DatasetFormat::PromptCompletion);
    COMPARE(detect("m.jsonl", R"({"question": "q", "choices": ["a", "b"], "answer": 1})").format,
            DatasetFormat::MultipleChoice);
    COMPARE(detect("m.csv", "question,A,B,C,D,answer\nq,a,b,c,d,B\n").format, DatasetFormat::MultipleChoice);
    FormatDetection csv = detect("k.csv", "text,label\ngood,1\n");
    COMPARE(csv.format, DatasetFormat::Classification);
    COMPARE(csv.reason, std::string("the header of the CSV file has 'text' and 'label'"));
    COMPARE(detect("k.tsv", "text\tlabel\ngood\t1\n").format, DatasetFormat::Classification);
    COMPARE(detect("x.txt", "some words\n").format, DatasetFormat::PlainText);
    // The first readable record decides; a broken first line does not.
    COMPARE(detect("late.jsonl", "{oops\n{\"prompt\": \"a\", \"completion\": \"b\"}\n").format,
            DatasetFormat::PromptCompletion);
    VERIFY_THROWS(detect("u.jsonl", R"({"foo": 1, "bar": 2})"), "has fields 'bar', 'foo'");
}

CAPSULE_TEST(columnMappingAndOverrides) {
    TempDir folder;
    DatasetOptions options;
    options.columnMapping = {{"instruction", "question"}, {"output", "answer"}};
    const FormatDetection detection =
        detectFile(folder, "qa.jsonl", R"({"question": "Capital of France?", "answer": "Paris"})", options);
    COMPARE(detection.format, DatasetFormat::Alpaca);
    const RecordContent content =
        extractContent(nlohmann::json::parse(R"({"question": "Q", "answer": "A"})"), DatasetFormat::Alpaca, options);
    COMPARE(content.instruction, std::string("Q"));
    COMPARE(content.output, std::string("A"));
    VERIFY_THROWS(extractContent(nlohmann::json::parse(R"({"question": "Q"})"), DatasetFormat::Alpaca, options),
                  "missing field 'output' (column 'answer')");

    DatasetOptions csvOptions;
    csvOptions.columnMapping = {{"text", "sentence"}, {"label", "sentiment"}};
    COMPARE(detectFile(folder, "sst.csv", "sentence,sentiment\nnice,1\n", csvOptions).format,
            DatasetFormat::Classification);

    DatasetOptions forced;
    forced.format = DatasetFormat::Text;
    const FormatDetection overridden = detectFile(folder, "f.jsonl", R"({"text": "a", "label": "b"})", forced);
    COMPARE(overridden.format, DatasetFormat::Text);
    COMPARE(overridden.reason, std::string("set in the options"));
    VERIFY_THROWS(detectFile(folder, "f.txt", "words", forced), "cannot be read from a plain text file");
}

CAPSULE_TEST(recordContentChecksTypesAndAnswers) {
    const DatasetOptions options;
    const auto mc = [&](const char* json) {
        return extractContent(nlohmann::json::parse(json), DatasetFormat::MultipleChoice, options);
    };
    COMPARE(mc(R"({"question": "q", "choices": ["x", "y", "z"], "answer": 2})").answerIndex, int64_t(2));
    COMPARE(mc(R"({"question": "q", "choices": ["x", "y", "z"], "answer": "B"})").answerIndex, int64_t(1));
    COMPARE(mc(R"({"question": "q", "choices": ["x", "y", "z"], "answer": "z"})").answerIndex, int64_t(2));
    COMPARE(mc(R"({"question": "q", "choices": ["x", "y", "z"], "answer": "1"})").answerIndex, int64_t(1));
    COMPARE(mc(R"({"question": "q", "choices": "[\"x\", \"y\"]", "answer": 0})").choices.size(), size_t(2));
    COMPARE(mc(R"({"question": "q", "A": "x", "B": "y", "answer": "B"})").choices,
            (std::vector<std::string>{"x", "y"}));
    VERIFY_THROWS(mc(R"({"question": "q", "choices": ["x", "y"], "answer": 2})"), "answer' 2 is out of range (2 choices: 0-1)");
    VERIFY_THROWS(mc(R"({"question": "q", "choices": ["x", "y"], "answer": -1})"), "out of range");
    VERIFY_THROWS(mc(R"({"question": "q", "choices": ["x", "y"], "answer": "E"})"), "'E' is out of range");
    VERIFY_THROWS(mc(R"({"question": "q", "choices": ["x", "y"], "answer": "maybe"})"), "neither a choice");
    VERIFY_THROWS(mc(R"({"question": "q", "choices": ["x"], "answer": 0})"), "at least 2 choices");

    const auto chat = [&](const char* json) {
        return extractContent(nlohmann::json::parse(json), DatasetFormat::Chat, options);
    };
    VERIFY_THROWS(chat(R"({"messages": [{"role": "bot", "content": "x"}]})"), "'messages[0]'.role is 'bot'");
    VERIFY_THROWS(chat(R"({"messages": [{"role": "user", "content": "x"}]})"), "no assistant turn");
    VERIFY_THROWS(chat(R"({"messages": [{"role": "user", "content": 3}]})"), "content must be a string, got number");
    VERIFY_THROWS(chat(R"({"messages": "hi"})"), "must be a list of turns");
    const RecordContent shareGpt = extractContent(
        nlohmann::json::parse(R"({"conversations": [{"from": "system", "value": "s"}, {"from": "human", "value": "h"},
                                                    {"from": "gpt", "value": "g"}]})"),
        DatasetFormat::ShareGpt, options);
    COMPARE(shareGpt.messages.size(), size_t(3));
    COMPARE(shareGpt.messages[1].role, std::string("user"));
    COMPARE(shareGpt.messages[2].role, std::string("assistant"));
    COMPARE(extractContent(nlohmann::json::parse(R"({"text": "t", "label": 1})"), DatasetFormat::Classification, options)
                .label,
            std::string("1"));
}

CAPSULE_TEST(optionsFromJsonRoundTripAndErrors) {
    const nlohmann::json json = nlohmann::json::parse(R"({
        "format": "classification", "text_column": "sentence", "label_column": "y", "template": "chatml",
        "max_length": 256, "validation_fraction": 0.1, "seed": 7, "bad_rows": "stop",
        "label_words": {"0": "negative", "1": "positive"}, "threads": 2})");
    const DatasetOptions options = datasetOptionsFromJson(json);
    COMPARE(*options.format, DatasetFormat::Classification);
    COMPARE(options.columnFor("text"), std::string("sentence"));
    COMPARE(options.columnFor("label"), std::string("y"));
    COMPARE(options.columnFor("question"), std::string("question"));
    COMPARE(options.maxLengthTokens, int64_t(256));
    COMPARE(options.seed, uint64_t(7));
    COMPARE(options.badRows, BadRowPolicy::Stop);
    COMPARE(options.labelWords.size(), size_t(2));
    COMPARE(options.labelWords[1].second, std::string("positive"));
    const DatasetOptions again = datasetOptionsFromJson(toJson(options));
    COMPARE(again.columnMapping, options.columnMapping);
    COMPARE(again.labelWords, options.labelWords);
    COMPARE(formatName(*again.format), std::string("classification"));

    VERIFY_THROWS(datasetOptionsFromJson(nlohmann::json::parse(R"({"max_lenght": 5})")), "'max_lenght': unknown option");
    VERIFY_THROWS(datasetOptionsFromJson(nlohmann::json::parse(R"({"format": "csv"})")), "valid: alpaca, chat, sharegpt");
    VERIFY_THROWS(datasetOptionsFromJson(nlohmann::json::parse(R"({"validation_fraction": 1.5})")), "[0, 1)");
    VERIFY_THROWS(datasetOptionsFromJson(nlohmann::json::parse(R"({"packing": true, "max_length": 0})")),
                  "'packing': needs a max_length");
    VERIFY_THROWS(datasetOptionsFromJson(nlohmann::json::parse(R"({"bad_rows": "ignore"})")), "\"skip\" or \"stop\"");
    VERIFY_THROWS(datasetOptionsFromJson(nlohmann::json::parse(R"({"column_mapping": {"outptu": "x"}})")),
                  "unknown field 'outptu'");
    VERIFY_THROWS(datasetOptionsFromJson(nlohmann::json::parse(R"({"label_words": {"0": "yes", "1": "yes"}})")),
                  "word 'yes' is used for two labels");
    COMPARE(datasetFormatNames().size(), size_t(8));
    COMPARE(parseDatasetFormat("prompt-completion"), DatasetFormat::PromptCompletion);
}

namespace {

// `text` (ASCII or BMP code points given as UTF-8) as UTF-16 in the given byte order, with a BOM
// when asked: what PowerShell's `>` and Notepad's "Unicode" / "UTF-16 BE" write.
std::string utf16(const std::u16string& text, bool bigEndian, bool bom) {
    std::string bytes;
    auto put = [&](char16_t unit) {
        const char high = static_cast<char>(unit >> 8), low = static_cast<char>(unit & 0xFF);
        bytes += bigEndian ? high : low;
        bytes += bigEndian ? low : high;
    };
    if (bom) put(0xFEFF);
    for (char16_t unit : text) put(unit);
    return bytes;
}

}  // namespace

CAPSULE_TEST(utf16FilesAreReadAsTheTextTheyHold) {
    TempDir folder;
    // "é" (U+00E9), "€" (U+20AC) and "😀" (U+1F600, a surrogate pair) survive the conversion.
    const std::u16string text = u"{\"text\": \"caf\u00e9 \u20ac\"}\r\n\r\n{\"text\": \"\U0001F600\"}\r\n";
    const struct {
        const char* name;
        bool bigEndian, bom;
        TextEncoding encoding;
    } cases[] = {{"le.jsonl", false, true, TextEncoding::Utf16LE},
                 {"be.jsonl", true, true, TextEncoding::Utf16BE},
                 {"le-no-bom.jsonl", false, false, TextEncoding::Utf16LE},
                 {"be-no-bom.jsonl", true, false, TextEncoding::Utf16BE}};
    for (const auto& c : cases) {
        writeFile(folder.file(c.name), utf16(text, c.bigEndian, c.bom));
        const RecordFile file = readParsed(folder.file(c.name));
        COMPARE(file.encoding, c.encoding);
        COMPARE(file.records.size(), size_t(2));
        VERIFY(!file.records[0].issue);
        COMPARE(file.records[0].fields["text"].get<std::string>(), std::string("caf\xC3\xA9 \xE2\x82\xAC"));
        COMPARE(file.records[1].line, int64_t(3));  // lines are those of the file
        COMPARE(file.records[1].fields["text"].get<std::string>(), std::string("\xF0\x9F\x98\x80"));
    }
    COMPARE(textEncodingName(TextEncoding::Utf16LE), std::string("UTF-16 LE"));
    // Excel's "Unicode Text" is UTF-16 LE with tabs; CSV in UTF-16 reads the same way.
    writeFile(folder.file("sheet.tsv"), utf16(u"text\tlabel\nbien\tpos\n", false, true));
    const RecordFile sheet = readParsed(folder.file("sheet.tsv"));
    COMPARE(sheet.columns, (std::vector<std::string>{"text", "label"}));
    COMPARE(sheet.records.size(), size_t(1));
    COMPARE(sheet.records[0].fields["label"].get<std::string>(), std::string("pos"));
    // UTF-8 files are untouched.
    writeFile(folder.file("plain.jsonl"), "{\"text\": \"a\"}\n");
    COMPARE(readParsed(folder.file("plain.jsonl")).encoding, TextEncoding::Utf8);
}

CAPSULE_TEST(brokenUtf16NamesTheLine) {
    TempDir folder;
    std::u16string text = u"{\"text\": \"a\"}\n{\"text\": \"";
    text += char16_t(0xD83D);  // a high surrogate with no low one after it
    text += u"\"}\n";
    writeFile(folder.file("lone.jsonl"), utf16(text, false, true));
    VERIFY_THROWS(readRecordFile(folder.file("lone.jsonl")),
                  "lone.jsonl:2: not valid UTF-16 LE: unpaired surrogate 0xD83D at byte 50");
    writeFile(folder.file("odd.jsonl"), utf16(u"{\"text\": \"a\"}\n", false, true) + "x");
    VERIFY_THROWS(readRecordFile(folder.file("odd.jsonl")),
                  "odd.jsonl:2: not valid UTF-16 LE: the file ends in the middle of a character (31 bytes)");
    // A folder is not a dataset file, and the message says so.
    VERIFY_THROWS(readRecordFile(folder.path()), "is a folder, not a dataset file");
}
