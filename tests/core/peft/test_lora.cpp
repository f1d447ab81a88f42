// LoRA (peft-spec.md §3): no-op init, forward against an independent float64 formula, merge /
// unmerge / disable, gradients reach only the adapter, HF-PEFT files (key names and shapes of
// §3.6 / §3.7, adapter_config.json of §3.8 byte for byte), save -> load -> identical logits, bias
// modes, rank / alpha patterns, modules_to_save and the loader's error messages.
#include "peft_test_support.h"

#include "io/safetensors.h"
#include "io/safetensors_writer.h"
#include "peft/adapter_io.h"
#include "peft/lora.h"

#include <filesystem>
#include <iostream>
#include <map>
#include <set>

using namespace capsule;
using namespace capsule::peft;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<LoraAdapter> applyLora(model::CausalLM& model, LoraConfig config = {}) {
    auto adapter = std::make_unique<LoraAdapter>(std::move(config));
    adapter->apply(model, WeightInit::Fresh);
    return adapter;
}

std::vector<torch::Tensor> loraBs(LoraAdapter& adapter) {
    std::vector<torch::Tensor> tensors;
    for (const auto& slot : adapter.slots()) tensors.push_back(std::static_pointer_cast<LoraLayer>(slot.layer)->loraB);
    return tensors;
}

std::map<std::string, std::vector<int64_t>> savedShapes(const std::string& folder) {
    std::map<std::string, std::vector<int64_t>> shapes;
    const auto file = io::SafetensorsFile::open(folder + "/adapter_model.safetensors");
    for (const auto& info : file->tensors()) shapes[info.name] = info.shape;
    return shapes;
}

model::LinearImpl& linearNamed(model::CausalLM& model, const std::string& name) {
    for (auto& [linearName, linear] : model.namedLinears())
        if (linearName == name) return *linear.ptr();
    throw std::runtime_error("no linear " + name);
}

}  // namespace

CAPSULE_TEST(zeroInitAdapterLeavesLogitsUnchanged) {
    for (const auto& config : {test::tinyGpt2(), test::tinyLlamaConfig()}) {
        auto model = test::tinyModel(config);
        const torch::Tensor ids = test::tinyInputIds(2, 7, config.vocab);
        const torch::Tensor before = test::logitsOf(*model, ids);
        LoraConfig lora;
        lora.targetModules = ModuleSelector::fromRegex("all-linear");
        auto adapter = applyLora(*model, lora);
        COMPARE(test::maxDifference(test::logitsOf(*model, ids), before), 0.0);
    }
}

CAPSULE_TEST(forwardMatchesTheFormulaForLinearAndConv1D) {
    // y = x W^T + b + s · x A^T B^T, written in float64 from the spec (Conv1D: x W + b).
    for (const auto& config : {test::tinyGpt2(), test::tinyLlamaConfig()}) {
        auto model = test::tinyModel(config);
        LoraConfig lora;
        lora.r = 4;
        lora.loraAlpha = 6;
        auto adapter = applyLora(*model, lora);
        test::randomize(loraBs(*adapter), 11);
        const auto& slot = adapter->slots().front();
        auto layer = std::static_pointer_cast<LoraLayer>(slot.layer);
        model::LinearImpl& base = *slot.linear.ptr();
        const torch::Tensor x = torch::randn({3, 5, base.inFeatures()});
        torch::Tensor actual;
        {
            torch::NoGradGuard noGrad;
            actual = base.forward(x);
        }
        const torch::Tensor xd = x.to(torch::kDouble);
        const torch::Tensor w = base.weight.detach().to(torch::kDouble);
        torch::Tensor expected = base.fanInFanOut() ? xd.matmul(w) : xd.matmul(w.t());
        if (base.bias.defined()) expected = expected + base.bias.detach().to(torch::kDouble);
        expected = expected + 1.5 * xd.matmul(layer->loraA.detach().to(torch::kDouble).t())
                                      .matmul(layer->loraB.detach().to(torch::kDouble).t());
        COMPARE(layer->scaling(), 1.5);  // alpha / r
        VERIFY(test::maxDifference(actual, expected) < 1e-5);
    }
}

CAPSULE_TEST(mergeEqualsUnmergedForwardAndUnmergeRestores) {
    for (const auto& config : {test::tinyGpt2(), test::tinyLlamaConfig()}) {
        auto model = test::tinyModel(config);
        const torch::Tensor ids = test::tinyInputIds(2, 9, config.vocab);
        LoraConfig lora;
        lora.targetModules = ModuleSelector::fromRegex("all-linear");
        auto adapter = applyLora(*model, lora);
        test::randomize(loraBs(*adapter), 5);
        std::vector<torch::Tensor> weightsBefore;
        for (const auto& slot : adapter->slots()) weightsBefore.push_back(slot.linear->weight.detach().clone());
        const torch::Tensor unmerged = test::logitsOf(*model, ids);
        adapter->merge();
        VERIFY(adapter->isMerged());
        const torch::Tensor merged = test::logitsOf(*model, ids);
        const double mergeDifference = test::maxDifference(merged, unmerged);
        std::cout << "    " << config.modelType << ": max |merged - unmerged| logits = " << mergeDifference << "\n";
        VERIFY(mergeDifference < 1e-4);
        VERIFY(test::maxDifference(merged, test::logitsOf(*model, ids)) == 0.0);  // deterministic
        adapter->unmerge();
        double weightDifference = 0.0;
        for (size_t i = 0; i < weightsBefore.size(); ++i)
            weightDifference = std::max(weightDifference,
                                        test::maxDifference(adapter->slots()[i].linear->weight, weightsBefore[i]));
        VERIFY(weightDifference < 1e-6);
        VERIFY(test::maxDifference(test::logitsOf(*model, ids), unmerged) < 1e-4);
    }
}

CAPSULE_TEST(mergedWeightIsTheTransposedDeltaForConv1D) {
    auto model = test::tinyModel(test::tinyGpt2());
    auto adapter = applyLora(*model);
    test::randomize(loraBs(*adapter), 8);
    const auto& slot = adapter->slots().front();
    auto layer = std::static_pointer_cast<LoraLayer>(slot.layer);
    const torch::Tensor before = slot.linear->weight.detach().clone();  // [in, out]
    adapter->merge();
    const torch::Tensor expected = before + (layer->loraB.detach().mm(layer->loraA.detach())).t() * layer->scaling();
    VERIFY(test::maxDifference(slot.linear->weight, expected) < 1e-6);
    COMPARE(slot.linear->weight.sizes().vec(), (std::vector<int64_t>{16, 48}));  // layout kept
}

CAPSULE_TEST(disabledAdapterGivesTheBaseOutput) {
    auto model = test::tinyModel(test::tinyLlamaConfig());
    const torch::Tensor ids = test::tinyInputIds(1, 6, 37);
    const torch::Tensor base = test::logitsOf(*model, ids);
    auto adapter = applyLora(*model);
    test::randomize(loraBs(*adapter), 2);
    const torch::Tensor adapted = test::logitsOf(*model, ids);
    VERIFY(test::maxDifference(adapted, base) > 1e-3);
    {
        AdapterDisabledScope disabled(*adapter);
        COMPARE(test::maxDifference(test::logitsOf(*model, ids), base), 0.0);
    }
    VERIFY(test::maxDifference(test::logitsOf(*model, ids), adapted) == 0.0);
    adapter->merge();
    {
        AdapterDisabledScope disabled(*adapter);  // unmerges first, as PEFT
        VERIFY(!adapter->isMerged());
        VERIFY(test::maxDifference(test::logitsOf(*model, ids), base) < 1e-5);
    }
    VERIFY(adapter->isMerged());
    VERIFY(test::maxDifference(test::logitsOf(*model, ids), adapted) < 1e-4);
}

CAPSULE_TEST(gradientsFlowOnlyToAdapterParameters) {
    auto model = test::tinyModel(test::tinyGpt2());
    auto adapter = applyLora(*model);
    model->train();
    std::set<const void*> adapterParameters;
    const std::vector<torch::Tensor> trainable = adapter->trainableParameters();
    for (const auto& parameter : trainable) adapterParameters.insert(parameter.unsafeGetTensorImpl());
    COMPARE(trainable.size(), size_t(4));  // 2 layers x (A, B)
    // Every other parameter of the model is frozen and never handed to the optimizer.
    for (const auto& item : model->named_parameters()) {
        const bool isAdapter = adapterParameters.count(item.value().unsafeGetTensorImpl()) > 0;
        COMPARE(item.value().requires_grad(), isAdapter);
    }
    torch::optim::SGD optimizer(trainable, torch::optim::SGDOptions(0.1));
    const torch::Tensor ids = test::tinyInputIds(2, 8, 41);
    model::ForwardInput input;
    input.inputIds = ids;
    const torch::Tensor logits = model->forward(input);  // [B, T, V]
    const torch::Tensor loss = torch::nn::functional::cross_entropy(
        logits.slice(1, 0, -1).reshape({-1, 41}), ids.slice(1, 1).reshape({-1}));
    loss.backward();
    for (const auto& item : model->named_parameters()) {
        const bool isAdapter = adapterParameters.count(item.value().unsafeGetTensorImpl()) > 0;
        if (isAdapter) VERIFY(item.value().grad().defined());
        else VERIFY(!item.value().grad().defined());
    }
    // B starts at zero, so A's gradient is zero at step 0 but B's is not.
    auto layer = std::static_pointer_cast<LoraLayer>(adapter->slots().front().layer);
    VERIFY(layer->loraB.grad().abs().sum().item<double>() > 0.0);
    std::vector<torch::Tensor> baseBefore;
    for (const auto& item : model->named_parameters())
        if (!adapterParameters.count(item.value().unsafeGetTensorImpl())) baseBefore.push_back(item.value().clone());
    optimizer.step();
    size_t index = 0;
    for (const auto& item : model->named_parameters())
        if (!adapterParameters.count(item.value().unsafeGetTensorImpl()))
            VERIFY(test::maxDifference(item.value(), baseBefore[index++]) == 0.0);
    VERIFY(layer->loraB.abs().sum().item<double>() > 0.0);
}

CAPSULE_TEST(saveThenLoadGivesIdenticalLogits) {
    for (const auto& config : {test::tinyGpt2(), test::tinyLlamaConfig()}) {
        test::TempDir directory;
        const torch::Tensor ids = test::tinyInputIds(2, 8, config.vocab);
        torch::Tensor expected;
        {
            auto model = test::tinyModel(config, 21);
            LoraConfig lora;
            lora.r = 4;
            lora.loraAlpha = 16;
            lora.targetModules = ModuleSelector::fromRegex("all-linear");
            auto adapter = applyLora(*model, lora);
            test::randomize(adapter->trainableParameters(), 9, 0.2);
            expected = test::logitsOf(*model, ids);
            saveAdapter(*adapter, directory.file("adapter"));
        }
        auto model = test::tinyModel(config, 21);
        const torch::Tensor base = test::logitsOf(*model, ids);
        std::vector<std::string> warnings;
        AdapterLoadOptions options;
        options.onWarning = [&](const std::string& line) { warnings.push_back(line); };
        auto loaded = loadAdapter(*model, directory.file("adapter"), options);
        COMPARE(loaded->peftType(), std::string("LORA"));
        VERIFY(warnings.empty());
        COMPARE(test::maxDifference(test::logitsOf(*model, ids), expected), 0.0);
        VERIFY(test::maxDifference(base, expected) > 1e-3);
        VERIFY(loaded->trainableParameters().empty());  // inference mode, as is_trainable=False
        const auto file = io::SafetensorsFile::open(directory.file("adapter/adapter_model.safetensors"));
        COMPARE(file->metadata().at("format"), std::string("pt"));
        for (const auto& info : file->tensors()) COMPARE(info.dtype, std::string("F32"));
    }
}

CAPSULE_TEST(gpt2KeysAndShapesFollowTheSpecTable) {
    // §3.6 with the tiny dims (d = 16, inner 24): A [r, in], B [out, r]; Conv1D in/out from [in, out].
    auto model = test::tinyModel(test::tinyGpt2());
    LoraConfig lora;
    lora.targetModules = ModuleSelector::fromList({"c_attn", "c_proj", "c_fc"});
    auto adapter = applyLora(*model, lora);
    test::TempDir directory;
    saveAdapter(*adapter, directory.path());
    std::map<std::string, std::vector<int64_t>> expected;
    for (int i = 0; i < 2; ++i) {
        const std::string p = "base_model.model.transformer.h." + std::to_string(i) + ".";
        expected[p + "attn.c_attn.lora_A.weight"] = {8, 16};
        expected[p + "attn.c_attn.lora_B.weight"] = {48, 8};
        expected[p + "attn.c_proj.lora_A.weight"] = {8, 16};
        expected[p + "attn.c_proj.lora_B.weight"] = {16, 8};
        expected[p + "mlp.c_fc.lora_A.weight"] = {8, 16};
        expected[p + "mlp.c_fc.lora_B.weight"] = {24, 8};
        expected[p + "mlp.c_proj.lora_A.weight"] = {8, 24};
        expected[p + "mlp.c_proj.lora_B.weight"] = {16, 8};
    }
    COMPARE(savedShapes(directory.path()).size(), expected.size());
    VERIFY(savedShapes(directory.path()) == expected);
    VERIFY(adapter->config().fanInFanOut);  // forced true for Conv1D (§3.4)
}

CAPSULE_TEST(llamaKeysAndShapesFollowTheSpecTable) {
    // §3.7: q_proj B [H·hd, r], v_proj B [Hkv·hd, r] (GQA: 2 kv heads of 4 dims -> 8).
    auto model = test::tinyModel(test::tinyLlamaConfig());
    auto adapter = applyLora(*model);  // default targets q_proj, v_proj
    test::TempDir directory;
    saveAdapter(*adapter, directory.path());
    std::map<std::string, std::vector<int64_t>> expected;
    for (int i = 0; i < 2; ++i) {
        const std::string p = "base_model.model.model.layers." + std::to_string(i) + ".self_attn.";
        expected[p + "q_proj.lora_A.weight"] = {8, 16};
        expected[p + "q_proj.lora_B.weight"] = {16, 8};
        expected[p + "v_proj.lora_A.weight"] = {8, 16};
        expected[p + "v_proj.lora_B.weight"] = {8, 8};
    }
    VERIFY(savedShapes(directory.path()) == expected);
    VERIFY(!adapter->config().fanInFanOut);
    COMPARE(adapter->config().targetModules.names, (std::vector<std::string>{"q_proj", "v_proj"}));
}

CAPSULE_TEST(adapterConfigEqualsTheSpecExampleByteForByte) {
    // §3.8: LoRA, GPT-2, CAUSAL_LM, compatibility profile, defaults.
    auto model = test::tinyModel(test::tinyGpt2());
    auto adapter = std::make_unique<LoraAdapter>(LoraConfig{});
    adapter->setBaseModelNameOrPath("gpt2");
    adapter->apply(*model, WeightInit::Fresh);
    const std::string expected = R"({
  "alpha_pattern": {},
  "auto_mapping": null,
  "base_model_name_or_path": "gpt2",
  "bias": "none",
  "fan_in_fan_out": true,
  "inference_mode": true,
  "init_lora_weights": true,
  "layer_replication": null,
  "layers_pattern": null,
  "layers_to_transform": null,
  "loftq_config": {},
  "lora_alpha": 8,
  "lora_dropout": 0.0,
  "megatron_config": null,
  "megatron_core": "megatron.core",
  "modules_to_save": null,
  "peft_type": "LORA",
  "r": 8,
  "rank_pattern": {},
  "revision": null,
  "target_modules": [
    "c_attn"
  ],
  "task_type": "CAUSAL_LM",
  "use_dora": false,
  "use_rslora": false
})";
    COMPARE(adapter->configJson(ConfigProfile::Compatible), expected);
    test::TempDir directory;
    saveAdapter(*adapter, directory.path());
    COMPARE(test::readFile(directory.file("adapter_config.json")), expected);
}

CAPSULE_TEST(autoMappingWhenTaskTypeIsNull) {
    auto model = test::tinyModel(test::tinyLlamaConfig());
    LoraConfig lora;
    lora.taskType.reset();
    auto adapter = applyLora(*model, lora);
    const std::string text = adapter->configJson(ConfigProfile::Compatible);
    VERIFY(text.find("\"base_model_class\": \"LlamaForCausalLM\"") != std::string::npos);
    VERIFY(text.find("\"parent_library\": \"transformers.models.llama.modeling_llama\"") != std::string::npos);
    VERIFY(text.find("\"task_type\": null") != std::string::npos);
}

CAPSULE_TEST(rankPatternAlphaPatternAndRsLora) {
    auto model = test::tinyModel(test::tinyGpt2());
    LoraConfig lora;
    lora.r = 8;
    lora.loraAlpha = 16;
    lora.rankPattern = {{"h.0.attn.c_attn", 4}};
    lora.alphaPattern = {{"h.1.attn.c_attn", 4}};
    auto adapter = applyLora(*model, lora);
    auto first = std::static_pointer_cast<LoraLayer>(adapter->slots()[0].layer);
    auto second = std::static_pointer_cast<LoraLayer>(adapter->slots()[1].layer);
    COMPARE(first->rank(), int64_t(4));
    COMPARE(first->scaling(), 4.0);   // 16 / 4
    COMPARE(second->rank(), int64_t(8));
    COMPARE(second->scaling(), 0.5);  // 4 / 8
    COMPARE(first->loraA.sizes().vec(), (std::vector<int64_t>{4, 16}));

    auto rsModel = test::tinyModel(test::tinyGpt2());
    LoraConfig rs;
    rs.r = 16;
    rs.loraAlpha = 8;
    rs.useRslora = true;
    auto rsAdapter = applyLora(*rsModel, rs);
    COMPARE(std::static_pointer_cast<LoraLayer>(rsAdapter->slots()[0].layer)->scaling(), 2.0);  // 8 / sqrt(16)
}

CAPSULE_TEST(initialisationModes) {
    test::TinyConfig config = test::tinyGpt2();
    config.hidden = 64;
    config.intermediate = 96;
    torch::manual_seed(1);
    {
        auto model = test::tinyModel(config);
        auto adapter = applyLora(*model);
        auto layer = std::static_pointer_cast<LoraLayer>(adapter->slots()[0].layer);
        const double bound = 1.0 / std::sqrt(64.0);  // Kaiming-uniform(a=√5) = U(±1/√in)
        VERIFY(layer->loraA.abs().max().item<double>() <= bound);
        VERIFY(layer->loraA.abs().max().item<double>() > 0.9 * bound);
        COMPARE(layer->loraB.abs().max().item<double>(), 0.0);
    }
    {
        auto model = test::tinyModel(config);
        LoraConfig lora;
        lora.initLoraWeights = "gaussian";
        auto adapter = applyLora(*model, lora);
        auto layer = std::static_pointer_cast<LoraLayer>(adapter->slots()[0].layer);
        COMPARE_NEAR(layer->loraA.std().item<double>(), 1.0 / 8.0, 0.01);  // N(0, 1/r), 512 samples
        COMPARE(layer->loraB.abs().max().item<double>(), 0.0);
    }
    {
        auto model = test::tinyModel(config);
        LoraConfig lora;
        lora.initLoraWeights = "false";
        auto adapter = applyLora(*model, lora);
        auto layer = std::static_pointer_cast<LoraLayer>(adapter->slots()[0].layer);
        const double bound = 1.0 / std::sqrt(8.0);  // B: nn.Linear(r, out) default init
        VERIFY(layer->loraB.abs().max().item<double>() <= bound);
        VERIFY(layer->loraB.abs().max().item<double>() > 0.5 * bound);
    }
    auto model = test::tinyModel(config);
    LoraConfig pissa;
    pissa.initLoraWeights = "pissa";
    VERIFY_THROWS(applyLora(*model, pissa), "init_lora_weights 'pissa'");
}

CAPSULE_TEST(dropoutOnlyInTrainingMode) {
    auto model = test::tinyModel(test::tinyLlamaConfig());
    LoraConfig lora;
    lora.loraDropout = 0.5;
    auto adapter = applyLora(*model, lora);
    test::randomize(loraBs(*adapter), 4);
    const torch::Tensor ids = test::tinyInputIds(1, 6, 37);
    const torch::Tensor first = test::logitsOf(*model, ids);
    COMPARE(test::maxDifference(test::logitsOf(*model, ids), first), 0.0);
    model->train();
    torch::manual_seed(3);
    const torch::Tensor trainingA = test::logitsOf(*model, ids);
    const torch::Tensor trainingB = test::logitsOf(*model, ids);
    VERIFY(test::maxDifference(trainingA, trainingB) > 1e-4);
}

CAPSULE_TEST(bfloat16BaseKeepsFloat32Adapter) {
    auto model = test::tinyModel(test::tinyLlamaConfig(), 7, torch::kBFloat16);
    auto adapter = applyLora(*model);
    auto layer = std::static_pointer_cast<LoraLayer>(adapter->slots()[0].layer);
    COMPARE(layer->loraA.scalar_type(), torch::kFloat);
    test::randomize(loraBs(*adapter), 4);
    const torch::Tensor logits = test::logitsOf(*model, test::tinyInputIds(1, 4, 37));
    COMPARE(logits.scalar_type(), torch::kBFloat16);
    adapter->merge();
    COMPARE(adapter->slots()[0].linear->weight.scalar_type(), torch::kBFloat16);
}

CAPSULE_TEST(bfloat16BaseTrainsInMixedPrecision) {
    // Training on a bf16 base runs the adapter's matmuls in bf16 (as torch.autocast); its
    // parameters, and their gradients, stay float32; the base gets no gradient.
    auto model = test::tinyModel(test::tinyLlamaConfig(), 7, torch::kBFloat16);
    auto adapter = applyLora(*model);
    test::randomize(loraBs(*adapter), 4);
    const torch::Tensor ids = test::tinyInputIds(1, 6, 37);
    model->eval();
    const torch::Tensor inference = test::logitsOf(*model, ids).to(torch::kFloat);  // float32 adapter path (PEFT)
    model->train();
    model::ForwardInput input;
    input.inputIds = ids;
    const torch::Tensor training = model->logits(model->hidden(input)).to(torch::kFloat);
    // The same function up to bf16 rounding of the adapter's intermediate products.
    VERIFY(test::maxDifference(training, inference) < 0.05 * inference.abs().max().item<double>());
    training.pow(2).mean().backward();
    for (const auto& slot : adapter->slots()) {
        auto layer = std::static_pointer_cast<LoraLayer>(slot.layer);
        COMPARE(layer->loraA.grad().scalar_type(), torch::kFloat);
        VERIFY(layer->loraA.grad().abs().sum().item<double>() > 0.0);
        VERIFY(layer->loraB.grad().abs().sum().item<double>() > 0.0);
        VERIFY(!slot.linear->weight.grad().defined());
    }
}

CAPSULE_TEST(biasAllTrainsAndSavesEveryBias) {
    test::TempDir directory;
    const torch::Tensor ids = test::tinyInputIds(1, 5, 41);
    torch::Tensor expected;
    {
        auto model = test::tinyModel(test::tinyGpt2());
        LoraConfig lora;
        lora.bias = "all";
        auto adapter = applyLora(*model, lora);
        const auto named = adapter->namedTrainableParameters();
        std::set<std::string> keys;
        for (const auto& [key, tensor] : named) keys.insert(key);
        // Targeted layers keep the base_layer path component; the rest are plain model paths.
        VERIFY(keys.count("base_model.model.transformer.h.0.attn.c_attn.base_layer.bias"));
        VERIFY(keys.count("base_model.model.transformer.h.0.attn.c_proj.bias"));
        VERIFY(keys.count("base_model.model.transformer.h.1.ln_2.bias"));
        VERIFY(keys.count("base_model.model.transformer.ln_f.bias"));
        VERIFY(!keys.count("base_model.model.transformer.h.0.attn.c_attn.bias"));
        COMPARE(keys.size(), size_t(4 + 2 * 6 + 1));  // 2x(A,B) + 2 layers x 6 biases + ln_f
        test::randomize(adapter->trainableParameters(), 12, 0.1);
        expected = test::logitsOf(*model, ids);
        saveAdapter(*adapter, directory.path());
    }
    auto model = test::tinyModel(test::tinyGpt2());
    auto loaded = loadAdapter(*model, directory.path());
    COMPARE(test::maxDifference(test::logitsOf(*model, ids), expected), 0.0);
}

CAPSULE_TEST(biasLoraOnlyTrainsTheTargetedBiases) {
    auto model = test::tinyModel(test::tinyGpt2());
    LoraConfig lora;
    lora.bias = "lora_only";
    auto adapter = applyLora(*model, lora);
    std::set<std::string> keys;
    for (const auto& [key, tensor] : adapter->namedTrainableParameters()) keys.insert(key);
    COMPARE(keys.size(), size_t(6));
    VERIFY(keys.count("base_model.model.transformer.h.1.attn.c_attn.base_layer.bias"));
    VERIFY(!linearNamed(*model, "transformer.h.0.attn.c_proj").bias.requires_grad());
}

CAPSULE_TEST(loraBiasIsSavedAndMerged) {
    auto model = test::tinyModel(test::tinyGpt2());
    LoraConfig lora;
    lora.loraBias = true;
    auto adapter = applyLora(*model, lora);
    std::set<std::string> keys;
    for (const auto& [key, tensor] : adapter->stateDict()) keys.insert(key);
    VERIFY(keys.count("base_model.model.transformer.h.0.attn.c_attn.lora_B.bias"));
    test::randomize(adapter->trainableParameters(), 6, 0.3);
    const torch::Tensor ids = test::tinyInputIds(1, 6, 41);
    const torch::Tensor unmerged = test::logitsOf(*model, ids);
    adapter->merge();
    VERIFY(test::maxDifference(test::logitsOf(*model, ids), unmerged) < 1e-4);
    VERIFY(adapter->configJson(ConfigProfile::Compatible).find("\"lora_bias\": true") != std::string::npos);
}

CAPSULE_TEST(modulesToSaveTrainsACopy) {
    test::TempDir directory;
    const torch::Tensor ids = test::tinyInputIds(1, 5, 37);
    torch::Tensor expected;
    {
        auto model = test::tinyModel(test::tinyLlamaConfig());
        LoraConfig lora;
        lora.modulesToSave = std::vector<std::string>{"lm_head"};
        auto adapter = applyLora(*model, lora);
        std::set<std::string> keys;
        for (const auto& [key, tensor] : adapter->namedTrainableParameters()) keys.insert(key);
        VERIFY(keys.count("base_model.model.lm_head.weight"));
        COMPARE(keys.size(), size_t(9));  // 4 layers' A and B + the head copy
        const torch::Tensor original = linearNamed(*model, "lm_head").weight.detach().clone();
        test::randomize(adapter->trainableParameters(), 13, 0.2);
        COMPARE(test::maxDifference(linearNamed(*model, "lm_head").weight, original), 0.0);  // base untouched
        expected = test::logitsOf(*model, ids);
        saveAdapter(*adapter, directory.path());
        VERIFY(test::readFile(directory.file("adapter_config.json")).find("\"modules_to_save\": [\n    \"lm_head\"") !=
               std::string::npos);
    }
    auto model = test::tinyModel(test::tinyLlamaConfig());
    auto loaded = loadAdapter(*model, directory.path());
    COMPARE(test::maxDifference(test::logitsOf(*model, ids), expected), 0.0);

    auto tied = test::tinyModel(test::tinyGpt2());
    LoraConfig onTied;
    onTied.modulesToSave = std::vector<std::string>{"lm_head"};
    VERIFY_THROWS(applyLora(*tied, onTied), "tied");
}

CAPSULE_TEST(loadingNamesTheBadTensorAndFile) {
    test::TempDir directory;
    const std::string folder = directory.file("adapter");
    {
        auto model = test::tinyModel(test::tinyLlamaConfig());
        auto adapter = applyLora(*model);
        saveAdapter(*adapter, folder);
    }
    const std::string weights = folder + "/adapter_model.safetensors";
    auto file = io::SafetensorsFile::open(weights);
    io::NamedTensors tensors;
    for (const auto& name : file->names()) tensors.emplace_back(name, file->tensor(name).clone());
    file.reset();
    auto rewrite = [&](const io::NamedTensors& list) { io::writeSafetensors(weights, list); };

    auto freshModel = [] { return test::tinyModel(test::tinyLlamaConfig()); };
    auto isClean = [](model::CausalLM& model) {
        for (auto& [name, linear] : model.namedLinears())
            if (linear->adapter) return false;
        return true;
    };

    // Missing tensor.
    io::NamedTensors missing(tensors.begin() + 1, tensors.end());
    rewrite(missing);
    {
        auto model = freshModel();
        VERIFY_THROWS(loadAdapter(*model, folder), "missing tensor '" + tensors.front().first + "'");
        VERIFY_THROWS(loadAdapter(*model, folder), "adapter_model.safetensors");
        VERIFY(isClean(*model));  // a failed load leaves the model as it was
    }
    // Wrong shape.
    io::NamedTensors wrongShape = tensors;
    wrongShape[0].second = torch::zeros({3, 3});
    rewrite(wrongShape);
    {
        auto model = freshModel();
        VERIFY_THROWS(loadAdapter(*model, folder), "tensor '" + tensors.front().first + "': expected shape [");
    }
    // A tensor for a module the config does not target.
    io::NamedTensors extra = tensors;
    extra.emplace_back("base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight", torch::zeros({8, 16}));
    rewrite(extra);
    {
        auto model = freshModel();
        VERIFY_THROWS(loadAdapter(*model, folder), "unexpected tensor 'base_model.model.model.layers.0.self_attn.k_proj");
    }
    // Integer data.
    io::NamedTensors integer = tensors;
    integer[0].second = torch::zeros(tensors[0].second.sizes(), torch::kLong);
    rewrite(integer);
    {
        auto model = freshModel();
        VERIFY_THROWS(loadAdapter(*model, folder), "is not a floating type");
    }
    // A config for another architecture.
    rewrite(tensors);
    {
        auto gpt2 = test::tinyModel(test::tinyGpt2());
        VERIFY_THROWS(loadAdapter(*gpt2, folder), "Target modules [q_proj, v_proj] not found");
    }
    // Truncated safetensors file.
    {
        const std::string bytes = test::readFile(weights);
        test::writeFile(weights, bytes.substr(0, bytes.size() / 2));
        auto model = freshModel();
        VERIFY_THROWS(loadAdapter(*model, folder), weights);
        VERIFY(isClean(*model));
        rewrite(tensors);
    }
    // Folder-level problems.
    {
        auto model = freshModel();
        VERIFY_THROWS(loadAdapter(*model, directory.file("nowhere")), "not a folder");
        fs::create_directories(directory.file("empty"));
        VERIFY_THROWS(loadAdapter(*model, directory.file("empty")), "no adapter_config.json");
        fs::create_directories(directory.file("pickle"));
        test::writeFile(directory.file("pickle/adapter_config.json"), test::readFile(folder + "/adapter_config.json"));
        test::writeFile(directory.file("pickle/adapter_model.bin"), "PK");
        VERIFY_THROWS(loadAdapter(*model, directory.file("pickle")), "adapter_model.bin (a Python pickle)");
        fs::create_directories(directory.file("prompt"));
        test::writeFile(directory.file("prompt/adapter_config.json"), R"({"peft_type": "LOHA"})");
        VERIFY_THROWS(loadAdapter(*model, directory.file("prompt")), "peft_type 'LOHA' is not supported by Capsule yet");
        test::writeFile(directory.file("prompt/adapter_config.json"), R"({"peft_type": "SPARKLE"})");
        VERIFY_THROWS(loadAdapter(*model, directory.file("prompt")), "unknown peft_type 'SPARKLE'");
        VERIFY(isClean(*model));
    }
}

CAPSULE_TEST(saveIsAtomicAndKeepsOtherFiles) {
    test::TempDir directory;
    auto model = test::tinyModel(test::tinyLlamaConfig());
    auto adapter = applyLora(*model);
    const std::string folder = directory.file("run");
    fs::create_directories(folder + "/checkpoints/step-10");
    test::writeFile(folder + "/checkpoints/step-10/state.bin", "x");
    saveAdapter(*adapter, folder);
    VERIFY(fs::exists(folder + "/checkpoints/step-10/state.bin"));
    VERIFY(fs::exists(folder + "/adapter_model.safetensors"));
    // Replacing an adapter-only folder swaps it whole; no temporary folders are left behind.
    const std::string adapterOnly = directory.file("adapter");
    saveAdapter(*adapter, adapterOnly);
    saveAdapter(*adapter, adapterOnly);
    size_t entries = 0;
    for (const auto& entry : fs::directory_iterator(directory.path())) {
        (void)entry;
        ++entries;
    }
    COMPARE(entries, size_t(2));
    COMPARE(savedShapes(adapterOnly).size(), size_t(8));
}

CAPSULE_TEST(removeDetachesTheAdapter) {
    auto model = test::tinyModel(test::tinyLlamaConfig());
    const torch::Tensor ids = test::tinyInputIds(1, 5, 37);
    const torch::Tensor base = test::logitsOf(*model, ids);
    const size_t parametersBefore = model->parameters().size();
    auto adapter = applyLora(*model);
    test::randomize(loraBs(*adapter), 3);
    adapter->merge();
    adapter->remove();
    COMPARE(model->parameters().size(), parametersBefore);
    VERIFY(test::maxDifference(test::logitsOf(*model, ids), base) < 1e-5);
    auto again = applyLora(*model);  // a fresh adapter can be attached afterwards
    VERIFY_THROWS(applyLora(*model), "already has an adapter");
}
