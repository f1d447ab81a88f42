// Merged-model export: the written folder is a plain HF model (loaded back by the model loader)
// whose logits equal the adapted model's; GPT-2 Conv1D weights keep [in, out]; a tied lm_head
// is not written; config and tokenizer files are copied; sharding; the live model is untouched.
#include "peft_test_support.h"

#include "io/checkpoint_reader.h"
#include "peft/adalora.h"
#include "peft/ia3.h"
#include "peft/lora.h"
#include "peft/merged_export.h"

#include <filesystem>
#include <iostream>

using namespace capsule;
using namespace capsule::peft;
namespace fs = std::filesystem;

namespace {

/// Writes a tiny random checkpoint (plus a tokenizer file) and loads it.
std::shared_ptr<model::CausalLM> baseModelIn(const std::string& folder, const test::TinyConfig& config) {
    fs::create_directories(folder);
    test::writeCheckpoint(folder, config, test::randomWeights(config, 5));
    test::writeFile(folder + "/tokenizer.json", "{\"model\": {}}");
    test::writeFile(folder + "/generation_config.json", "{}");
    return model::loadModel(folder, model::LoadOptions{torch::kFloat, torch::Device(torch::kCPU)});
}

double exportAndCompare(model::CausalLM& model, AdapterMethod& adapter, const std::string& baseFolder,
                        const std::string& outFolder, int64_t vocab, const MergedExportOptions& options = {}) {
    const torch::Tensor ids = test::tinyInputIds(2, 7, vocab);
    const torch::Tensor adapted = test::logitsOf(model, ids);
    exportMergedModel(model, &adapter, baseFolder, outFolder, options);
    VERIFY(!adapter.isMerged());
    COMPARE(test::maxDifference(test::logitsOf(model, ids), adapted), 0.0);  // the live model is untouched
    auto reloaded = model::loadModel(outFolder, model::LoadOptions{torch::kFloat, torch::Device(torch::kCPU)});
    return test::maxDifference(test::logitsOf(*reloaded, ids), adapted);
}

}  // namespace

CAPSULE_TEST(loraIntoTiedGpt2) {
    test::TempDir directory;
    const test::TinyConfig config = test::tinyGpt2();
    auto model = baseModelIn(directory.file("base"), config);
    LoraConfig lora;
    lora.targetModules = ModuleSelector::fromList({"c_attn", "c_proj", "c_fc"});
    auto adapter = std::make_unique<LoraAdapter>(lora);
    adapter->apply(*model, WeightInit::Fresh);
    test::randomize(adapter->trainableParameters(), 3, 0.3);
    const double difference = exportAndCompare(*model, *adapter, directory.file("base"), directory.file("merged"), config.vocab);
    std::cout << "    GPT-2 LoRA: max |reloaded merged - adapted| logits = " << difference << "\n";
    VERIFY(difference < 1e-4);

    const io::CheckpointReader merged(directory.file("merged"));
    VERIFY(!merged.has("lm_head.weight"));  // tied: written once, as the embedding
    VERIFY(merged.has("transformer.wte.weight"));
    VERIFY(merged.info("transformer.h.0.attn.c_attn.weight").shape == (std::vector<int64_t>{16, 48}));  // Conv1D [in, out]
    for (const auto& name : merged.names()) VERIFY(name.find("lora") == std::string::npos);
    COMPARE(merged.names().size(), size_t(2 + 2 * 12 + 2));
    COMPARE(test::readFile(directory.file("merged/config.json")), test::readFile(directory.file("base/config.json")));
    VERIFY(fs::exists(directory.file("merged/tokenizer.json")));
    VERIFY(fs::exists(directory.file("merged/generation_config.json")));
}

CAPSULE_TEST(ia3IntoLlamaWithShards) {
    test::TempDir directory;
    const test::TinyConfig config = test::tinyLlamaConfig();
    auto model = baseModelIn(directory.file("base"), config);
    Ia3Adapter adapter(Ia3Config{});
    adapter.apply(*model, WeightInit::Fresh);
    test::randomize(adapter.trainableParameters(), 4, 0.5);
    MergedExportOptions options;
    options.maxShardBytes = 4096;
    const double difference = exportAndCompare(*model, adapter, directory.file("base"), directory.file("merged"),
                                               config.vocab, options);
    std::cout << "    Llama IA3: max |reloaded merged - adapted| logits = " << difference << "\n";
    VERIFY(difference < 1e-4);
    VERIFY(fs::exists(directory.file("merged/model.safetensors.index.json")));
    VERIFY(io::CheckpointReader(directory.file("merged")).has("lm_head.weight"));  // untied
}

CAPSULE_TEST(adaLoraIntoLlama) {
    test::TempDir directory;
    const test::TinyConfig config = test::tinyLlamaConfig();
    auto model = baseModelIn(directory.file("base"), config);
    AdaLoraConfig ada;
    ada.totalStep = 10;
    ada.lora.targetModules = ModuleSelector::fromRegex("all-linear");
    AdaLoraAdapter adapter(ada);
    adapter.apply(*model, WeightInit::Fresh);
    std::vector<torch::Tensor> singularValues;
    for (const auto& slot : adapter.slots()) singularValues.push_back(std::static_pointer_cast<AdaLoraLayer>(slot.layer)->loraE);
    test::randomize(singularValues, 6, 1.0);
    const double difference = exportAndCompare(*model, adapter, directory.file("base"), directory.file("merged"), config.vocab);
    std::cout << "    Llama AdaLoRA: max |reloaded merged - adapted| logits = " << difference << "\n";
    VERIFY(difference < 1e-4);
    for (const auto& name : io::CheckpointReader(directory.file("merged")).names())
        VERIFY(name.find("ranknum") == std::string::npos && name.find("lora_") == std::string::npos);
}

CAPSULE_TEST(alreadyMergedAdapterExportsTheSameWeights) {
    test::TempDir directory;
    auto model = baseModelIn(directory.file("base"), test::tinyLlamaConfig());
    LoraAdapter adapter(LoraConfig{});
    adapter.apply(*model, WeightInit::Fresh);
    test::randomize(adapter.trainableParameters(), 9, 0.3);
    exportMergedModel(*model, &adapter, directory.file("base"), directory.file("a"));
    adapter.merge();
    exportMergedModel(*model, &adapter, directory.file("base"), directory.file("b"));
    const io::CheckpointReader a(directory.file("a")), b(directory.file("b"));
    double difference = 0.0;
    for (const auto& name : a.names()) difference = std::max(difference, test::maxDifference(a.tensor(name), b.tensor(name)));
    VERIFY(difference < 1e-6);
}

CAPSULE_TEST(refusesToReplaceAFolderThatIsNotAModel) {
    test::TempDir directory;
    auto model = baseModelIn(directory.file("base"), test::tinyLlamaConfig());
    LoraAdapter adapter(LoraConfig{});
    adapter.apply(*model, WeightInit::Fresh);
    fs::create_directories(directory.file("documents"));
    test::writeFile(directory.file("documents/thesis.txt"), "precious");
    VERIFY_THROWS(exportMergedModel(*model, &adapter, directory.file("base"), directory.file("documents")),
                  "is not a model folder");
    VERIFY(fs::exists(directory.file("documents/thesis.txt")));
    VERIFY_THROWS(exportMergedModel(*model, &adapter, directory.file("nowhere"), directory.file("out")), "no config.json");
    // A previous export is replaced whole.
    exportMergedModel(*model, &adapter, directory.file("base"), directory.file("out"));
    exportMergedModel(*model, &adapter, directory.file("base"), directory.file("out"), MergedExportOptions{4096, {}});
    VERIFY(fs::exists(directory.file("out/model.safetensors.index.json")));
}
