// capsule-cli tokenize end to end: the CLI contract's flags, output shape, atomic output and
// one-line errors, against ids from the Hugging Face fixtures' expected.json.
#include "capsule_test.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sys/wait.h>

namespace {

const std::string kCli = std::string(CAPSULE_BINARY_DIR) + "/app/capsule-cli";

struct Run {
    int exitCode;
    std::string errors;
};

Run runCli(const std::string& arguments, const capsule::test::TempDir& folder) {
    const std::string errorFile = folder.file("stderr.txt");
    const std::string command = "'" + kCli + "' tokenize " + arguments + " 2>'" + errorFile + "'";
    const int status = std::system(command.c_str());
    std::string errors;
    if (std::filesystem::exists(errorFile)) errors = capsule::test::readFile(errorFile);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, errors};
}

}  // namespace

CAPSULE_TEST(tokenizeMatchesExpectedIds) {
    VERIFY(std::filesystem::exists(kCli));  // built first: the test depends on capsule-cli
    const std::string fixture = capsule::test::fixturesDir() + "/tokenizers/sp-bpe";
    const nlohmann::json expected = nlohmann::json::parse(capsule::test::readFile(fixture + "/expected.json"));
    nlohmann::json texts = nlohmann::json::array();
    for (const auto& testCase : expected["cases"]) texts.push_back(testCase["text"]);
    capsule::test::TempDir folder;
    capsule::test::writeFile(folder.file("texts.json"), texts.dump());

    for (const bool special : {false, true}) {
        const std::string output = folder.file(special ? "with.json" : "without.json");
        const Run run = runCli("--tokenizer '" + fixture + "' --input '" + folder.file("texts.json") + "' --output '" + output +
                                   "'" + (special ? " --add-special-tokens" : ""),
                               folder);
        COMPARE(run.exitCode, 0);
        const nlohmann::json ids = nlohmann::json::parse(capsule::test::readFile(output));
        COMPARE(ids.size(), texts.size());
        for (size_t i = 0; i < texts.size(); ++i)
            COMPARE(ids[i].get<std::vector<int64_t>>(),
                    expected["cases"][i][special ? "ids_with_special" : "ids"].get<std::vector<int64_t>>());
    }
    // Nothing but the outputs and the inputs is left in the folder (no temporary files).
    size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder.path())) files += entry.is_regular_file() ? 1 : 0;
    COMPARE(files, size_t{4});  // texts.json, without.json, with.json, stderr.txt
}

CAPSULE_TEST(tokenizeErrorsAreOneLineAndLeaveNoOutput) {
    VERIFY(std::filesystem::exists(kCli));  // built first: the test depends on capsule-cli
    const std::string fixture = capsule::test::fixturesDir() + "/tokenizers/gpt2";
    capsule::test::TempDir folder;
    capsule::test::writeFile(folder.file("bad.json"), "[\"ok\", 3]");
    Run run = runCli("--tokenizer '" + fixture + "' --input '" + folder.file("bad.json") + "' --output '" +
                         folder.file("out.json") + "'",
                     folder);
    COMPARE(run.exitCode, 1);
    VERIFY(run.errors.find("item 1 is not a string") != std::string::npos);
    COMPARE(std::count(run.errors.begin(), run.errors.end(), '\n'), std::ptrdiff_t{1});
    VERIFY(!std::filesystem::exists(folder.file("out.json")));

    capsule::test::writeFile(folder.file("good.json"), "[\"ok\"]");
    run = runCli("--tokenizer '" + folder.path() + "' --input '" + folder.file("good.json") + "' --output '" +
                     folder.file("out.json") + "'",
                 folder);
    COMPARE(run.exitCode, 1);
    VERIFY(run.errors.find("no tokenizer.json") != std::string::npos);

    run = runCli("--input x.json --output y.json", folder);
    COMPARE(run.exitCode, 2);
    VERIFY(run.errors.find("tokenizer") != std::string::npos);
}
