// End to end: the built capsule-cli's info / forward / generate on a tiny GPT-2 checkpoint that
// uses the real GPT-2 tokenizer (tests/fixtures/tokenizers/gpt2), checked against the float64
// reference and against the library calls.
#include "capsule_test.h"
#include "cli_runner.h"
#include "model_test_support.h"

#include "io/checkpoint_reader.h"
#include "model/generation.h"
#include "model/model_loader.h"
#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <filesystem>
#include <iostream>

using namespace capsule;
using capsule::test::TinyConfig;

using capsule::test::runCli;

namespace {

TinyConfig gpt2WithRealVocabulary() {
    TinyConfig config;
    config.modelType = "gpt2";
    config.vocab = 50257;  // the fixture tokenizer's vocabulary
    config.hidden = 8;
    config.layers = 1;
    config.heads = 2;
    config.kvHeads = 2;
    config.headDim = 4;
    config.intermediate = 16;
    config.maxPositions = 64;
    config.tied = true;
    return config;
}

/// A model folder with weights, config and the GPT-2 tokenizer files; returns the stored weights.
std::map<std::string, torch::Tensor> makeModelFolder(const std::string& folder, const TinyConfig& config) {
    const auto weights = test::writeCheckpoint(folder, config, test::randomWeights(config, 31, 0.5));
    for (const char* name : {"tokenizer.json", "vocab.json", "merges.txt"})
        std::filesystem::copy_file(test::fixturesDir() + "/tokenizers/gpt2/" + name, folder + "/" + name);
    return weights;
}

}  // namespace

CAPSULE_TEST(infoListsArchitectureParametersAndTargets) {
    test::TempDir scratch, folder;
    const TinyConfig config = gpt2WithRealVocabulary();
    const auto weights = makeModelFolder(folder.path(), config);
    const test::CliResult json = runCli(scratch, {"info", folder.path(), "--json"});
    COMPARE(json.exitCode, 0);
    const auto info = nlohmann::json::parse(json.out);
    int64_t parameters = 0;
    for (const auto& [name, tensor] : weights) parameters += tensor.numel();
    COMPARE(info.at("model_type").get<std::string>(), std::string("gpt2"));
    COMPARE(info.at("architecture").get<std::string>(), std::string("GPT2LMHeadModel"));
    COMPARE(info.at("parameter_count").get<int64_t>(), parameters);
    COMPARE(info.at("dtype").get<std::string>(), std::string("float32"));
    COMPARE(info.at("num_layers").get<int64_t>(), int64_t{1});
    COMPARE(info.at("linear_modules").get<std::vector<std::string>>(),
            (std::vector<std::string>{"transformer.h.0.attn.c_attn", "transformer.h.0.attn.c_proj",
                                      "transformer.h.0.mlp.c_fc", "transformer.h.0.mlp.c_proj", "lm_head"}));
    const auto& targets = info.at("target_modules");
    COMPARE(targets.size(), size_t{5});
    COMPARE(targets[0].at("name").get<std::string>(), std::string("c_attn"));
    COMPARE(targets[0].at("pattern").get<std::string>(), std::string("transformer.h.{i}.attn.c_attn"));
    COMPARE(targets[0].at("out_features").get<int64_t>(), int64_t{24});
    VERIFY(targets[0].at("fan_in_fan_out").get<bool>());
    VERIFY(targets[4].at("tied_to_embedding").get<bool>());
    VERIFY(info.at("checkpoint_problems").empty());

    const test::CliResult text = runCli(scratch, {"info", folder.path()});
    COMPARE(text.exitCode, 0);
    VERIFY(text.out.find("GPT2LMHeadModel") != std::string::npos);
    VERIFY(text.out.find("c_attn") != std::string::npos);
    VERIFY(text.out.find("Conv1D") != std::string::npos);
}

CAPSULE_TEST(infoReportsCheckpointProblems) {
    test::TempDir scratch, folder;
    TinyConfig config = gpt2WithRealVocabulary();
    config.vocab = 30;
    auto weights = test::randomWeights(config, 2);
    weights["h.0.mlp.c_fc.weight"] = torch::zeros({16, 8}, torch::kDouble);
    test::writeCheckpoint(folder.path(), config, weights);
    const test::CliResult result = runCli(scratch, {"info", folder.path()});
    COMPARE(result.exitCode, 1);
    VERIFY(result.err.find("tensor h.0.mlp.c_fc.weight: expected [8, 16], got [16, 8]") != std::string::npos);
    COMPARE(std::count(result.err.begin(), result.err.end(), '\n'), 1L);  // one line
    const test::CliResult missing = runCli(scratch, {"info", folder.file("nowhere")});
    VERIFY(missing.exitCode != 0);
    VERIFY(missing.err.find("nowhere") != std::string::npos);
}

CAPSULE_TEST(forwardWritesOneLogitsTensorPerSequence) {
    test::TempDir scratch, folder;
    const TinyConfig config = gpt2WithRealVocabulary();
    const auto weights = makeModelFolder(folder.path(), config);
    const std::vector<std::vector<int64_t>> sequences = {{15496, 995, 0}, {464, 2068, 7586, 21831, 18045, 50256}, {}};
    test::writeFile(scratch.file("ids.json"), nlohmann::json(sequences).dump());
    const std::string output = scratch.file("logits.safetensors");
    const test::CliResult result =
        runCli(scratch, {"forward", "--model", folder.path(), "--input", scratch.file("ids.json"), "--output", output});
    COMPARE(result.exitCode, 0);
    const io::CheckpointReader logits(output);
    COMPARE(logits.names(), (std::vector<std::string>{"logits.0", "logits.1", "logits.2"}));
    for (size_t i = 0; i < sequences.size(); ++i) {
        const std::string name = "logits." + std::to_string(i);
        COMPARE(logits.info(name).dtype, std::string("F32"));
        COMPARE(logits.info(name).shape, (std::vector<int64_t>{int64_t(sequences[i].size()), config.vocab}));
        if (sequences[i].empty()) continue;
        const double difference = test::maxAbsDiff(logits.tensor(name), test::referenceLogits(config, weights, sequences[i]));
        std::cout << "   capsule-cli forward vs float64 reference, sequence " << i << ": max |diff| = " << difference << "\n";
        VERIFY(difference < 2e-4);
    }

    // bfloat16 compute: written as F32, close to the reference.
    const test::CliResult bf16 = runCli(scratch, {"forward", "--model", folder.path(), "--dtype", "bfloat16", "--input",
                                            scratch.file("ids.json"), "--output", scratch.file("bf16.safetensors")});
    COMPARE(bf16.exitCode, 0);
    const io::CheckpointReader bf16Logits(scratch.file("bf16.safetensors"));
    COMPARE(bf16Logits.info("logits.1").dtype, std::string("F32"));
    const torch::Tensor expected = test::referenceLogits(config, weights, sequences[1]);
    VERIFY(test::maxAbsDiff(bf16Logits.tensor("logits.1"), expected) < 0.05 * expected.abs().max().item<double>() + 0.05);
}

CAPSULE_TEST(forwardErrorsAreOneLineAndLeaveNoOutput) {
    test::TempDir scratch, folder;
    const TinyConfig config = gpt2WithRealVocabulary();
    makeModelFolder(folder.path(), config);
    test::writeFile(scratch.file("ids.json"), "[[1, 2, 3]]");
    const std::string output = scratch.file("out.safetensors");

    const test::CliResult adapter = runCli(scratch, {"forward", "--model", folder.path(), "--adapter", scratch.path(), "--input",
                                               scratch.file("ids.json"), "--output", output});
    VERIFY(adapter.exitCode != 0);
    VERIFY(adapter.err.find("no adapter_config.json (not a PEFT adapter folder)") != std::string::npos);

    test::writeFile(scratch.file("bad.json"), "[[1, 2], [3, 60000]]");
    const test::CliResult outside = runCli(scratch, {"forward", "--model", folder.path(), "--input", scratch.file("bad.json"),
                                               "--output", output});
    VERIFY(outside.exitCode != 0);
    VERIFY(outside.err.find("bad.json: item 1, position 1: token id 60000 is outside the model's vocabulary (50257)") !=
           std::string::npos);
    COMPARE(std::count(outside.err.begin(), outside.err.end(), '\n'), 1L);

    test::writeFile(scratch.file("text.json"), R"(["not ids"])");
    const test::CliResult notIds = runCli(scratch, {"forward", "--model", folder.path(), "--input", scratch.file("text.json"),
                                              "--output", output});
    VERIFY(notIds.err.find("text.json: item 0 is not an array of token ids") != std::string::npos);

    const test::CliResult dtype = runCli(scratch, {"forward", "--model", folder.path(), "--dtype", "int8", "--input",
                                             scratch.file("ids.json"), "--output", output});
    COMPARE(dtype.exitCode, 2);
    VERIFY(dtype.err.find("--dtype") != std::string::npos);

    VERIFY(!std::filesystem::exists(output));
}

CAPSULE_TEST(generatePrintsTheGreedyContinuation) {
    test::TempDir scratch, folder;
    const TinyConfig config = gpt2WithRealVocabulary();
    makeModelFolder(folder.path(), config);
    const test::CliResult first =
        runCli(scratch, {"generate", "--model", folder.path(), "--prompt", "Hello world", "--max-new-tokens", "6"});
    COMPARE(first.exitCode, 0);
    VERIFY(first.err.find("new tokens") != std::string::npos);

    // The same as the library: tokenizer + generate + decode.
    const auto tokenizer = tokenizer::Tokenizer::fromDirectory(folder.path());
    const auto network = model::loadModel(folder.path(), {torch::kFloat, torch::Device(torch::kCPU)});
    model::GenerationOptions options;
    options.maxNewTokens = 6;
    options.eosTokenIds = {1, 50256};
    const auto result = model::generate(*network, tokenizer.encode("Hello world", true), options);
    COMPARE(first.out, tokenizer.decode(result.tokens, true) + "\n");

    const std::vector<std::string> sampled = {"generate", "--model", folder.path(), "--prompt", "Hello world",
                                              "--max-new-tokens", "8", "--temperature", "1.2", "--top-p", "0.95",
                                              "--seed", "42"};
    const test::CliResult sampleOne = runCli(scratch, sampled);
    const test::CliResult sampleTwo = runCli(scratch, sampled);
    COMPARE(sampleOne.exitCode, 0);
    COMPARE(sampleOne.out, sampleTwo.out);

    const test::CliResult adapter = runCli(scratch, {"generate", "--model", folder.path(), "--adapter", scratch.path(),
                                               "--prompt", "Hi"});
    VERIFY(adapter.exitCode != 0);
    VERIFY(adapter.err.find("no adapter_config.json (not a PEFT adapter folder)") != std::string::npos);
}
