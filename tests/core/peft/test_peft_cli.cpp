// End to end: the built capsule-cli applies LoRA, AdaLoRA and IA3 adapters saved by core/peft
// (`forward --adapter`, `generate --adapter`) and gives the same logits as the in-process model.
#include "cli_runner.h"
#include "peft_test_support.h"

#include "io/safetensors.h"
#include "peft/adalora.h"
#include "peft/adapter.h"
#include "peft/ia3.h"
#include "peft/lora.h"
#include "tokenizer/tokenizer.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

using namespace capsule;
using namespace capsule::peft;
namespace fs = std::filesystem;

using capsule::test::runCli;

namespace {

model::LoadOptions cpuFloat() {
    return model::LoadOptions{torch::kFloat, torch::Device(torch::kCPU)};
}

}  // namespace

CAPSULE_TEST(forwardWithEachAdapterTypeMatchesInProcess) {
    if (!fs::exists(CAPSULE_BINARY_DIR "/app/capsule-cli")) SKIP_TEST("capsule-cli is not built");
    test::TempDir scratch;
    const test::TinyConfig config = test::tinyGpt2();
    const std::string base = scratch.file("base");
    fs::create_directories(base);
    test::writeCheckpoint(base, config, test::randomWeights(config, 3));
    const std::vector<std::vector<int64_t>> sequences = {{1, 5, 9, 2, 7}, {3, 3, 8}};
    test::writeFile(scratch.file("ids.json"), "[[1, 5, 9, 2, 7], [3, 3, 8]]");

    for (const std::string method : {"LORA", "ADALORA", "IA3"}) {
        auto model = model::loadModel(base, cpuFloat());
        std::unique_ptr<AdapterMethod> adapter;
        if (method == "LORA") {
            adapter = std::make_unique<LoraAdapter>(LoraConfig{});
        } else if (method == "ADALORA") {
            AdaLoraConfig ada;
            ada.totalStep = 10;
            adapter = std::make_unique<AdaLoraAdapter>(ada);
        } else {
            adapter = std::make_unique<Ia3Adapter>(Ia3Config{});
        }
        adapter->apply(*model, WeightInit::Fresh);
        test::randomize(adapter->trainableParameters(), 5, 0.4);
        const std::string folder = scratch.file("adapter-" + method);
        saveAdapter(*adapter, folder);

        const std::string output = scratch.file("logits-" + method + ".safetensors");
        const test::CliResult run = runCli(scratch, {"forward", "--model", base, "--adapter", folder, "--device", "cpu",
                                               "--input", scratch.file("ids.json"), "--output", output});
        if (run.exitCode != 0) std::cerr << run.err;
        COMPARE(run.exitCode, 0);
        const auto file = io::SafetensorsFile::open(output);
        for (size_t i = 0; i < sequences.size(); ++i) {
            const torch::Tensor ids = torch::tensor(sequences[i], torch::kLong).view({1, -1});
            const torch::Tensor expected = test::logitsOf(*model, ids).squeeze(0);
            const double difference = test::maxDifference(file->tensor("logits." + std::to_string(i)), expected);
            std::cout << "    " << method << " sequence " << i << ": max |cli - in-process| = " << difference << "\n";
            VERIFY(difference < 1e-5);
        }
        // The adapter changes the output (the test would pass vacuously otherwise).
        const test::CliResult plain = runCli(scratch, {"forward", "--model", base, "--device", "cpu", "--input",
                                                 scratch.file("ids.json"), "--output", scratch.file("plain.safetensors")});
        COMPARE(plain.exitCode, 0);
        VERIFY(test::maxDifference(io::SafetensorsFile::open(scratch.file("plain.safetensors"))->tensor("logits.0"),
                                   file->tensor("logits.0")) > 1e-3);
    }
}

CAPSULE_TEST(generateWithAdapterMatchesInProcess) {
    if (!fs::exists(CAPSULE_BINARY_DIR "/app/capsule-cli")) SKIP_TEST("capsule-cli is not built");
    test::TempDir scratch;
    test::TinyConfig config = test::tinyGpt2();
    config.vocab = 50257;  // the fixture tokenizer's vocabulary
    const std::string base = scratch.file("base");
    fs::create_directories(base);
    test::writeCheckpoint(base, config, test::randomWeights(config, 4));
    for (const char* name : {"tokenizer.json", "vocab.json", "merges.txt"})
        fs::copy_file(test::fixturesDir() + "/tokenizers/gpt2/" + name, base + "/" + name);

    auto model = model::loadModel(base, cpuFloat());
    LoraConfig lora;
    lora.targetModules = ModuleSelector::fromRegex("all-linear");
    LoraAdapter adapter(lora);
    adapter.apply(*model, WeightInit::Fresh);
    test::randomize(adapter.trainableParameters(), 6, 0.5);
    saveAdapter(adapter, scratch.file("adapter"));

    const auto tokenizer = tokenizer::Tokenizer::fromDirectory(base);
    model::GenerationOptions options;
    options.maxNewTokens = 6;
    const auto result = model::generate(*model, tokenizer.encode("Hello world", true), options);
    const test::CliResult run = runCli(scratch, {"generate", "--model", base, "--adapter", scratch.file("adapter"), "--device",
                                           "cpu", "--prompt", "Hello world", "--max-new-tokens", "6"});
    if (run.exitCode != 0) std::cerr << run.err;
    COMPARE(run.exitCode, 0);
    COMPARE(run.out, tokenizer.decode(result.tokens, true) + "\n");
    // Without the adapter the continuation differs (random LoRA weights of this size change it).
    const test::CliResult plain =
        runCli(scratch, {"generate", "--model", base, "--device", "cpu", "--prompt", "Hello world", "--max-new-tokens", "6"});
    COMPARE(plain.exitCode, 0);
    VERIFY(plain.out != run.out);
}

CAPSULE_TEST(adapterErrorsAreOneLine) {
    if (!fs::exists(CAPSULE_BINARY_DIR "/app/capsule-cli")) SKIP_TEST("capsule-cli is not built");
    test::TempDir scratch;
    const test::TinyConfig config = test::tinyGpt2();
    const std::string base = scratch.file("base");
    fs::create_directories(base);
    test::writeCheckpoint(base, config, test::randomWeights(config, 3));
    test::writeFile(scratch.file("ids.json"), "[[1, 2]]");
    // A Llama adapter on a GPT-2 model.
    {
        auto llama = test::tinyModel(test::tinyLlamaConfig());
        LoraAdapter adapter{LoraConfig{}};
        adapter.apply(*llama, WeightInit::Fresh);
        saveAdapter(adapter, scratch.file("llama-adapter"));
    }
    const test::CliResult run = runCli(scratch, {"forward", "--model", base, "--adapter", scratch.file("llama-adapter"),
                                           "--device", "cpu", "--input", scratch.file("ids.json"), "--output",
                                           scratch.file("out.safetensors")});
    VERIFY(run.exitCode != 0);
    VERIFY(run.err.find("Target modules [q_proj, v_proj] not found") != std::string::npos);
    VERIFY(!fs::exists(scratch.file("out.safetensors")));
}
