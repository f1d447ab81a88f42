// capsule-cli tokenize: texts to token ids with a model's tokenizer (Hugging Face parity), for
// scripts and parity checks. TEXTS.json is a JSON array of strings; IDS.json receives a JSON array
// of id arrays in the same order, written atomically (temp file + rename): never a partial file.
#include "command.h"

#include "io/atomic_file.h"
#include "io/json_reader.h"
#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <stdexcept>

namespace capsule::cli {
namespace {

int runTokenize(const Arguments& arguments) {
    if (!arguments.positional().empty())
        throw UsageError("unexpected argument '" + arguments.positional().front() + "'");
    const std::string tokenizerFolder = arguments.required("tokenizer");
    const std::string inputPath = arguments.required("input");
    const std::string outputPath = arguments.required("output");
    const bool addSpecialTokens = arguments.has("add-special-tokens");

    const nlohmann::json texts = io::readJsonFile(inputPath);
    if (!texts.is_array()) throw std::runtime_error(inputPath + ": expected a JSON array of strings");
    for (size_t i = 0; i < texts.size(); ++i)
        if (!texts[i].is_string())
            throw std::runtime_error(inputPath + ": item " + std::to_string(i) + " is not a string");

    const tokenizer::Tokenizer tokenizer = tokenizer::Tokenizer::fromDirectory(tokenizerFolder);
    std::string output = "[";
    for (size_t i = 0; i < texts.size(); ++i) {
        std::vector<int64_t> ids;
        try {
            ids = tokenizer.encode(texts[i].get_ref<const std::string&>(), addSpecialTokens);
        } catch (const std::exception& error) {
            throw std::runtime_error(inputPath + ": item " + std::to_string(i) + ": " + error.what());
        }
        output += i ? ",\n[" : "\n[";
        for (size_t k = 0; k < ids.size(); ++k) {
            if (k) output += ',';
            output += std::to_string(ids[k]);
        }
        output += ']';
    }
    output += texts.empty() ? "]\n" : "\n]\n";
    io::writeFileAtomically(outputPath, output);
    std::cerr << "tokenized " << texts.size() << " text(s) -> " << outputPath << "\n";
    return 0;
}

}  // namespace

Command tokenizeCommand() {
    return {"tokenize",
            "--tokenizer DIR --input TEXTS.json --output IDS.json [--add-special-tokens]",
            "encode a JSON array of texts to token ids with a model's tokenizer",
            {{"tokenizer", true, "DIR", "folder with tokenizer.json (or vocab.json + merges.txt) and its configs"},
             {"input", true, "TEXTS.json", "JSON array of strings"},
             {"output", true, "IDS.json", "receives a JSON array of id arrays, in input order"},
             {"add-special-tokens", false, "", "apply the tokenizer's post-processor (BOS/EOS)"}},
            &runTokenize};
}

}  // namespace capsule::cli
