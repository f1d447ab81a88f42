// capsule-cli forward --model DIR [--adapter DIR] [--dtype float32] --input IDS.json
//                     --output LOGITS.safetensors
// IDS.json: a JSON array of arrays of token ids. The output holds one F32 tensor `logits.<i>` of
// shape [len_i, vocab] per input sequence (real tokens only). Each sequence runs on its own (no
// padding), so results do not depend on how sequences are grouped.
#include "command.h"

#include "io/safetensors_writer.h"
#include "model/model_loader.h"
#include "peft/adapter.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace capsule::cli {
namespace {

std::vector<std::vector<int64_t>> readIdSequences(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(path + ": cannot open the input file");
    std::ostringstream text;
    text << file.rdbuf();
    nlohmann::json root;
    try {
        root = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::parse_error& error) {
        throw std::runtime_error(path + ": invalid JSON: " + error.what());
    }
    if (!root.is_array()) throw std::runtime_error(path + ": expected a JSON array of arrays of token ids");
    std::vector<std::vector<int64_t>> sequences;
    for (size_t i = 0; i < root.size(); ++i) {
        const nlohmann::json& item = root[i];
        if (!item.is_array())
            throw std::runtime_error(path + ": item " + std::to_string(i) + " is not an array of token ids");
        std::vector<int64_t> ids;
        for (size_t j = 0; j < item.size(); ++j) {
            if (!item[j].is_number_integer())
                throw std::runtime_error(path + ": item " + std::to_string(i) + ", position " + std::to_string(j) +
                                         ": " + item[j].dump() + " is not an integer token id");
            ids.push_back(item[j].get<int64_t>());
        }
        sequences.push_back(std::move(ids));
    }
    return sequences;
}

int forwardUnchecked(const Arguments& arguments) {
    if (!arguments.positional().empty()) throw UsageError("unexpected argument '" + arguments.positional()[0] + "'");
    const std::string modelFolder = arguments.required("model");
    const std::string inputPath = arguments.required("input");
    const std::string outputPath = arguments.required("output");
    model::LoadOptions options;
    try {
        options.dtype = model::parseComputeDtype(arguments.valueOr("dtype", "float32"));
    } catch (const std::invalid_argument& error) {
        throw UsageError(std::string("--dtype: ") + error.what());
    }
    try {
        options.device = model::parseDevice(arguments.valueOr("device", "auto"));
    } catch (const std::invalid_argument& error) {
        throw UsageError(std::string("--device: ") + error.what());
    }

    const std::vector<std::vector<int64_t>> sequences = readIdSequences(inputPath);
    const std::shared_ptr<model::CausalLM> network = model::loadModel(modelFolder, options);
    // Any PEFT adapter loadAdapter() knows; prompt-learning adapters add virtual tokens that
    // forwardLogits() drops again (the output covers the real tokens only).
    std::unique_ptr<peft::AdapterMethod> adapter;
    if (arguments.has("adapter")) adapter = peft::loadAdapter(*network, arguments.valueOr("adapter", ""));
    const int64_t vocab = network->vocabSize();
    for (size_t i = 0; i < sequences.size(); ++i)
        for (size_t j = 0; j < sequences[i].size(); ++j)
            if (sequences[i][j] < 0 || sequences[i][j] >= vocab)
                throw std::runtime_error(inputPath + ": item " + std::to_string(i) + ", position " + std::to_string(j) +
                                         ": token id " + std::to_string(sequences[i][j]) +
                                         " is outside the model's vocabulary (" + std::to_string(vocab) + ")");

    c10::InferenceMode inferenceMode;
    io::NamedTensors outputs;
    for (size_t i = 0; i < sequences.size(); ++i) {
        const std::vector<int64_t>& ids = sequences[i];
        torch::Tensor logits;  // [T, V] float32 CPU
        if (ids.empty()) {
            logits = torch::zeros({0, vocab}, torch::kFloat);
        } else {
            model::ForwardInput input;
            input.inputIds = torch::tensor(ids, torch::kLong).view({1, -1});
            try {
                logits = peft::forwardLogits(*network, adapter.get(), input)
                             .squeeze(0)
                             .to(torch::kCPU, torch::kFloat)
                             .contiguous();
            } catch (const std::invalid_argument& error) {
                throw std::runtime_error(inputPath + ": item " + std::to_string(i) + ": " + error.what());
            }
        }
        outputs.emplace_back("logits." + std::to_string(i), logits);
        std::cerr << "\rforward: " << i + 1 << "/" << sequences.size() << " sequences" << std::flush;
    }
    if (!sequences.empty()) std::cerr << "\n";
    io::writeSafetensors(outputPath, outputs);
    return 0;
}

/// LibTorch errors carry a multi-line backtrace in what(); the CLI prints one line.
int runForward(const Arguments& arguments) {
    try {
        return forwardUnchecked(arguments);
    } catch (const c10::Error& error) {
        throw std::runtime_error(error.what_without_backtrace());
    }
}

}  // namespace

Command forwardCommand() {
    return {"forward",
            "--model DIR [--adapter DIR] [--dtype float32] --input IDS.json --output LOGITS.safetensors",
            "run a model on token ids and write the logits (one F32 tensor logits.<i> per sequence)",
            {{"model", true, "DIR", "model folder (config.json + safetensors)"},
             {"adapter", true, "DIR", "PEFT adapter folder to apply"},
             {"dtype", true, "DTYPE", "compute dtype: float32 (default), bfloat16 or float16"},
             {"device", true, "DEVICE", "cpu, cuda or cuda:N (default: CUDA when available)"},
             {"input", true, "IDS.json", "JSON array of arrays of token ids"},
             {"output", true, "LOGITS.safetensors", "where to write the logits"}},
            &runForward};
}

}  // namespace capsule::cli
