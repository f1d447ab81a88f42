// Golden outputs from the real Hugging Face libraries: tiny random checkpoints written by
// transformers' save_pretrained and adapters written by PEFT's save_pretrained, with the logits
// Python computes for them (tests/golden/make_hf_golden.py, run in a Debian sid root for the
// transformers half or on the device machine for both halves; committed under tests/fixtures/hf-golden). capsule-cli forward must reproduce them: this is the test that
// config.json parsing, RoPE variants, weight layouts and every adapter format match the reference,
// not only our reading of the spec. Greedy generation with the KV cache must give the tokens
// transformers' generate() gives (dynamic RoPE past its original context, a sliding window).
//
// CAPSULE_HF_GOLDEN_DIR overrides the fixture folder; CAPSULE_HF_GOLDEN_DEVICE (default cpu) picks
// the device capsule-cli computes on.
#include "cli_runner.h"

#include "io/safetensors.h"
#include "model/generation.h"
#include "model/model_loader.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

using namespace capsule;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// float32 on both sides; differences come from summation order alone.
constexpr double kRelativeTolerance = 1e-4;

std::string goldenDir() {
    const char* override = std::getenv("CAPSULE_HF_GOLDEN_DIR");
    return override && *override ? std::string(override) : test::fixturesDir() + "/hf-golden";
}

std::string goldenDevice() {
    const char* device = std::getenv("CAPSULE_HF_GOLDEN_DEVICE");
    return device && *device ? std::string(device) : std::string("cpu");
}

struct Golden {
    std::string dir = goldenDir();
    json manifest;
    std::string idsFile;
    test::TempDir scratch;

    Golden() {
        const std::string path = dir + "/manifest.json";
        if (!fs::exists(path)) SKIP_TEST("no golden fixtures at " + path + " (tests/golden/README.md)");
        manifest = json::parse(test::readFile(path));
        idsFile = scratch.file("ids.json");
        test::writeFile(idsFile, manifest.at("inputs").dump());
        std::cout << "    fixtures from " << manifest.at("versions").dump() << "\n";
        for (const json& failure : manifest.value("failures", json::array()))
            std::cout << "    (not generated: " << failure.dump().substr(0, 200) << ")\n";
    }

    /// max over inputs of max|ours − theirs| / max(1, max|theirs|); "" or the problem.
    std::string compare(const std::string& name, const std::string& expectedFile,
                        const std::vector<std::string>& extraArguments, double& worst) {
        const std::string output = scratch.file(name + ".safetensors");
        std::vector<std::string> arguments = {"forward", "--device", goldenDevice(), "--input", idsFile, "--output", output};
        arguments.insert(arguments.end(), extraArguments.begin(), extraArguments.end());
        const test::CliResult run = test::runCli(scratch, arguments);
        if (run.exitCode != 0) return "capsule-cli forward failed: " + run.err;
        const auto ours = io::SafetensorsFile::open(output);
        const auto theirs = io::SafetensorsFile::open(dir + "/" + expectedFile);
        worst = 0;
        for (size_t i = 0; i < manifest.at("inputs").size(); ++i) {
            const std::string key = "logits." + std::to_string(i);
            const torch::Tensor a = ours->tensor(key).to(torch::kDouble);    // [len_i, V]
            const torch::Tensor b = theirs->tensor(key).to(torch::kDouble);  // [len_i, V]
            if (a.sizes() != b.sizes()) return key + ": shape " + test::describe(a.sizes()) + " vs " + test::describe(b.sizes());
            const double scale = std::max(1.0, b.abs().max().item<double>());
            worst = std::max(worst, (a - b).abs().max().item<double>() / scale);
        }
        return worst < kRelativeTolerance ? "" : "max relative difference " + std::to_string(worst);
    }
};

}  // namespace

CAPSULE_TEST(every_transformers_checkpoint_gives_the_reference_logits) {
    Golden golden;
    std::vector<std::string> failures;
    for (const json& model : golden.manifest.at("models")) {
        const std::string name = model.at("name");
        double worst = 0;
        const std::string problem = golden.compare(name, model.at("expected"), {"--model", golden.dir + "/" + model.at("folder").get<std::string>()}, worst);
        std::cout << "    " << name << " (" << model.value("covers", "") << "): " << (problem.empty() ? "ok" : "FAIL")
                  << ", max relative difference " << worst << "\n";
        if (!problem.empty()) failures.push_back(name + ": " + problem);
    }
    for (const std::string& failure : failures) std::cout << "    failed: " << failure << "\n";
    VERIFY(!golden.manifest.at("models").empty());
    VERIFY(failures.empty());
}

CAPSULE_TEST(every_transformers_checkpoint_generates_the_reference_tokens) {
    Golden golden;
    std::vector<std::string> failures;
    size_t checked = 0;
    for (const json& model : golden.manifest.at("models")) {
        if (!model.contains("generation")) continue;
        const json& reference = model.at("generation");
        const std::string name = model.at("name");
        model::LoadOptions options;
        options.device = model::parseDevice(goldenDevice());
        const auto network = model::loadModel(golden.dir + "/" + model.at("folder").get<std::string>(), options);
        model::GenerationOptions greedy;
        greedy.maxNewTokens = reference.at("max_new_tokens");
        greedy.eosTokenIds = reference.at("eos_token_ids").get<std::vector<int64_t>>();
        const std::vector<int64_t> expected = reference.at("tokens");
        const std::vector<double> gaps = reference.at("gaps");
        const std::vector<int64_t> prompt = reference.at("prompt");
        const std::vector<int64_t> ours = model::generate(*network, prompt, greedy).tokens;
        // Compared up to (not including) the first token chosen from a near tie of the two best
        // logits, where summation order may decide; after a differing token the rest may differ too.
        size_t compared = 0;
        while (compared < expected.size() && gaps.at(compared) >= 1e-3) ++compared;
        const bool same = ours.size() >= compared && std::equal(expected.begin(), expected.begin() + compared, ours.begin()) &&
                          (compared < expected.size() || ours.size() == expected.size());
        std::cout << "    " << name << ": " << (same ? "ok" : "FAIL") << ", " << compared << " of " << expected.size()
                  << " tokens compared\n";
        if (!same) failures.push_back(name + ": ours " + test::describe(ours) + ", transformers " + test::describe(expected));
        ++checked;
    }
    for (const std::string& failure : failures) std::cout << "    failed: " << failure << "\n";
    VERIFY(checked > 0);
    VERIFY(failures.empty());
}

CAPSULE_TEST(every_python_peft_adapter_gives_peft_s_logits) {
    Golden golden;
    if (golden.manifest.at("versions").value("peft", json()).is_null())
        SKIP_TEST("these fixtures were made without peft (transformers only): no adapter fixtures to compare");
    std::vector<std::string> failures;
    for (const json& adapter : golden.manifest.at("adapters")) {
        const std::string name = adapter.at("name");
        const std::string base = adapter.at("base");
        double worst = 0;
        const std::string problem = golden.compare(
            name, adapter.at("expected"),
            {"--model", golden.dir + "/models/" + base, "--adapter", golden.dir + "/" + adapter.at("folder").get<std::string>()},
            worst);
        std::cout << "    " << name << " (" << adapter.value("peft_type", "") << " on " << base
                  << "): " << (problem.empty() ? "ok" : "FAIL") << ", max relative difference " << worst << "\n";
        if (!problem.empty()) failures.push_back(name + ": " + problem);
    }
    for (const std::string& failure : failures) std::cout << "    failed: " << failure << "\n";
    VERIFY(!golden.manifest.at("adapters").empty());
    VERIFY(failures.empty());
}
