// capsule-cli generate --model DIR [--adapter DIR] --prompt TEXT [--max-new-tokens N]
//                      [--temperature T] [--top-p P] [--top-k K] [--seed S] [--dtype D]
// Tokenizes the prompt with the model folder's tokenizer (special tokens as its post-processor
// adds them), generates with a KV cache and prints the continuation to stdout as tokens arrive.
// Temperature 0 (the default) is greedy. Statistics go to stderr.
#include "command.h"

#include "model/generation.h"
#include "model/model_loader.h"
#include "peft/adapter.h"
#include "tokenizer/text_streamer.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <iostream>

namespace capsule::cli {
namespace {

int generateUnchecked(const Arguments& arguments) {
    if (!arguments.positional().empty()) throw UsageError("unexpected argument '" + arguments.positional()[0] + "'");
    const std::string modelFolder = arguments.required("model");
    const std::string prompt = arguments.required("prompt");

    model::GenerationOptions options;
    options.maxNewTokens = arguments.integerOr("max-new-tokens", 64);
    options.temperature = arguments.numberOr("temperature", 0.0);
    options.topP = arguments.numberOr("top-p", 1.0);
    options.topK = arguments.integerOr("top-k", 0);
    const long long seed = arguments.integerOr("seed", 0);
    if (options.maxNewTokens < 0) throw UsageError("option --max-new-tokens must be >= 0");
    if (options.temperature < 0.0) throw UsageError("option --temperature must be >= 0");
    if (!(options.topP > 0.0) || options.topP > 1.0) throw UsageError("option --top-p must be in (0, 1]");
    if (options.topK < 0) throw UsageError("option --top-k must be >= 0");
    if (seed < 0) throw UsageError("option --seed must be >= 0");
    options.seed = static_cast<uint64_t>(seed);
    model::LoadOptions loadOptions;
    try {
        loadOptions.dtype = model::parseComputeDtype(arguments.valueOr("dtype", "float32"));
        loadOptions.device = model::parseDevice(arguments.valueOr("device", "auto"));
    } catch (const std::invalid_argument& error) {
        throw UsageError(error.what());
    }

    const tokenizer::Tokenizer tokenizer = tokenizer::Tokenizer::fromDirectory(modelFolder);
    const std::vector<int64_t> promptIds = tokenizer.encode(prompt, /*addSpecialTokens=*/true);
    if (promptIds.empty()) throw std::runtime_error("--prompt: the prompt encodes to no tokens");
    const std::shared_ptr<model::CausalLM> network = model::loadModel(modelFolder, loadOptions);
    // Weight adapters change the layers; prompt-learning adapters hook the prefill (hooks below).
    std::unique_ptr<peft::AdapterMethod> adapter;
    if (arguments.has("adapter")) adapter = peft::loadAdapter(*network, arguments.valueOr("adapter", ""));

    options.eosTokenIds = tokenizer::mergeStopTokenIds(network->config().eosTokenIds, tokenizer.specialTokens());

    tokenizer::TextStreamer streamer(tokenizer);
    const model::GenerationResult result = model::generate(*network, promptIds, options, [&](int64_t token) {
        std::cout << streamer.add(token) << std::flush;
        return true;
    }, adapter ? adapter->generationHooks() : model::GenerationHooks{});
    std::cout << streamer.finish();
    std::cout << std::endl;
    const double tokensPerSecond =
        result.decodeSeconds > 0.0 ? static_cast<double>(result.tokens.size()) / result.decodeSeconds : 0.0;
    std::cerr << "generate: " << promptIds.size() << " prompt tokens, " << result.tokens.size() << " new tokens, "
              << static_cast<int64_t>(tokensPerSecond * 10.0) / 10.0 << " tokens/s, stop: "
              << model::stopReasonName(result.stopReason) << std::endl;
    return 0;
}

/// LibTorch errors carry a multi-line backtrace in what(); the CLI prints one line.
int runGenerate(const Arguments& arguments) {
    try {
        return generateUnchecked(arguments);
    } catch (const c10::Error& error) {
        throw std::runtime_error(error.what_without_backtrace());
    }
}

}  // namespace

Command generateCommand() {
    return {"generate",
            "--model DIR [--adapter DIR] --prompt TEXT [--max-new-tokens N] [--temperature T] [--seed S]",
            "continue a prompt with a model, streaming the text to stdout",
            {{"model", true, "DIR", "model folder (config.json, safetensors, tokenizer files)"},
             {"adapter", true, "DIR", "PEFT adapter folder to apply"},
             {"prompt", true, "TEXT", "the text to continue"},
             {"max-new-tokens", true, "N", "maximum number of generated tokens (default 64)"},
             {"temperature", true, "T", "sampling temperature; 0 = greedy (default 0)"},
             {"top-p", true, "P", "nucleus sampling threshold in (0, 1] (default 1)"},
             {"top-k", true, "K", "sample among the K most likely tokens; 0 = all (default 0)"},
             {"seed", true, "S", "random seed for sampling (default 0)"},
             {"dtype", true, "DTYPE", "compute dtype: float32 (default), bfloat16 or float16"},
             {"device", true, "DEVICE", "cpu, cuda or cuda:N (default: CUDA when available)"}},
            &runGenerate};
}

}  // namespace capsule::cli
