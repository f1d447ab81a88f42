// (IA)³ (peft-spec.md §5): ones init is a no-op, output scaling after the bias for attention
// layers and input scaling for feedforward layers, the §5.3 keys and shapes, merge / unmerge
// (bias scaled for non-feedforward layers, Conv1D transposed), save -> load, gradients.
#include "peft_test_support.h"

#include "io/safetensors.h"
#include "peft/ia3.h"

#include <iostream>
#include <map>
#include <set>

using namespace capsule;
using namespace capsule::peft;

namespace {

std::unique_ptr<Ia3Adapter> applyIa3(model::CausalLM& model, Ia3Config config = {}) {
    auto adapter = std::make_unique<Ia3Adapter>(std::move(config));
    adapter->apply(model, WeightInit::Fresh);
    return adapter;
}

std::map<std::string, std::vector<int64_t>> stateShapes(AdapterMethod& adapter) {
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& [key, tensor] : adapter.stateDict()) shapes[key] = tensor.sizes().vec();
    return shapes;
}

std::shared_ptr<Ia3Layer> layerOf(Ia3Adapter& adapter, const std::string& name) {
    for (const auto& slot : adapter.slots())
        if (slot.name == name) return std::static_pointer_cast<Ia3Layer>(slot.layer);
    throw std::runtime_error("no IA3 layer " + name);
}

}  // namespace

CAPSULE_TEST(onesInitIsANoOp) {
    for (const auto& config : {test::tinyGpt2(), test::tinyLlamaConfig()}) {
        auto model = test::tinyModel(config);
        const torch::Tensor ids = test::tinyInputIds(2, 6, config.vocab);
        const torch::Tensor before = test::logitsOf(*model, ids);
        auto adapter = applyIa3(*model);
        COMPARE(test::maxDifference(test::logitsOf(*model, ids), before), 0.0);
    }
}

CAPSULE_TEST(gpt2DefaultKeysAndShapes) {
    // §5.3: c_attn non-FF [3d, 1] (scales Q, K and V), mlp.c_proj FF [1, inner].
    auto model = test::tinyModel(test::tinyGpt2());
    auto adapter = applyIa3(*model);
    std::map<std::string, std::vector<int64_t>> expected;
    for (int i = 0; i < 2; ++i) {
        const std::string p = "base_model.model.transformer.h." + std::to_string(i) + ".";
        expected[p + "attn.c_attn.ia3_l"] = {48, 1};
        expected[p + "mlp.c_proj.ia3_l"] = {1, 24};
    }
    VERIFY(stateShapes(*adapter) == expected);
    VERIFY(!layerOf(*adapter, "transformer.h.0.attn.c_attn")->isFeedforward());
    VERIFY(layerOf(*adapter, "transformer.h.0.mlp.c_proj")->isFeedforward());
    const std::string json = adapter->configJson(ConfigProfile::Compatible);
    VERIFY(json.find("\"feedforward_modules\": [\n    \"mlp.c_proj\"\n  ]") != std::string::npos);
    VERIFY(json.find("\"target_modules\": [\n    \"c_attn\",\n    \"mlp.c_proj\"\n  ]") != std::string::npos);
    VERIFY(json.find("\"fan_in_fan_out\": true") != std::string::npos);
    VERIFY(json.find("\"peft_type\": \"IA3\"") != std::string::npos);
}

CAPSULE_TEST(llamaAndQwen2DefaultKeysAndShapes) {
    auto llama = test::tinyModel(test::tinyLlamaConfig());
    auto adapter = applyIa3(*llama);
    std::map<std::string, std::vector<int64_t>> expected;
    for (int i = 0; i < 2; ++i) {
        const std::string p = "base_model.model.model.layers." + std::to_string(i) + ".";
        expected[p + "self_attn.k_proj.ia3_l"] = {8, 1};  // Hkv·hd
        expected[p + "self_attn.v_proj.ia3_l"] = {8, 1};
        expected[p + "mlp.down_proj.ia3_l"] = {1, 24};    // [1, I]
    }
    VERIFY(stateShapes(*adapter) == expected);

    test::TinyConfig qwenConfig = test::tinyLlamaConfig();
    qwenConfig.modelType = "qwen2";
    auto qwen = test::tinyModel(qwenConfig);
    auto qwenAdapter = applyIa3(*qwen);
    const auto shapes = stateShapes(*qwenAdapter);
    VERIFY(shapes.at("base_model.model.model.layers.0.self_attn.q_proj.ia3_l") == (std::vector<int64_t>{16, 1}));
    VERIFY(!shapes.count("base_model.model.model.layers.0.self_attn.k_proj.ia3_l"));
}

CAPSULE_TEST(forwardScalesOutputAfterBiasOrInput) {
    auto model = test::tinyModel(test::tinyGpt2());
    auto adapter = applyIa3(*model);
    test::randomize(adapter->trainableParameters(), 4, 0.5);
    torch::NoGradGuard noGrad;
    {
        auto layer = layerOf(*adapter, "transformer.h.0.attn.c_attn");
        model::LinearImpl& base = *adapter->slots()[0].linear.ptr();
        const torch::Tensor x = torch::randn({2, 3, 16});
        const torch::Tensor expected = (x.matmul(base.weight) + base.bias) * layer->vector.view({-1});
        VERIFY(test::maxDifference(base.forward(x), expected) < 1e-5);
    }
    {
        auto layer = layerOf(*adapter, "transformer.h.0.mlp.c_proj");
        model::LinearImpl& base = *adapter->slots()[1].linear.ptr();
        const torch::Tensor x = torch::randn({2, 3, 24});
        const torch::Tensor expected = (x * layer->vector.view({-1})).matmul(base.weight) + base.bias;
        VERIFY(test::maxDifference(base.forward(x), expected) < 1e-5);
    }
}

CAPSULE_TEST(mergeEqualsUnmergedAndScalesBias) {
    for (const auto& config : {test::tinyGpt2(), test::tinyLlamaConfig()}) {
        auto model = test::tinyModel(config);
        const torch::Tensor ids = test::tinyInputIds(2, 7, config.vocab);
        auto adapter = applyIa3(*model);
        test::randomize(adapter->trainableParameters(), 8, 0.4);
        {
            torch::NoGradGuard noGrad;  // keep the vectors away from zero so unmerge is well conditioned
            for (auto& parameter : adapter->trainableParameters()) parameter.add_(1.0);
        }
        const torch::Tensor unmerged = test::logitsOf(*model, ids);
        std::vector<torch::Tensor> before;
        for (const auto& slot : adapter->slots()) {
            before.push_back(slot.linear->weight.detach().clone());
            if (slot.linear->bias.defined()) before.push_back(slot.linear->bias.detach().clone());
        }
        adapter->merge();
        const double difference = test::maxDifference(test::logitsOf(*model, ids), unmerged);
        std::cout << "    " << config.modelType << ": max |merged - unmerged| logits = " << difference << "\n";
        VERIFY(difference < 1e-4);
        if (config.modelType == "gpt2") {
            // Non-FF Conv1D: columns of W [in, out] and the bias scale by l; FF: rows (inputs).
            const auto& slot = adapter->slots()[0];
            auto layer = std::static_pointer_cast<Ia3Layer>(slot.layer);
            VERIFY(test::maxDifference(slot.linear->bias, before[1] * layer->vector.view({-1})) < 1e-6);
            VERIFY(test::maxDifference(slot.linear->weight, before[0] * layer->vector.view({1, -1})) < 1e-6);
            const auto& feedforward = adapter->slots()[1];
            auto feedforwardLayer = std::static_pointer_cast<Ia3Layer>(feedforward.layer);
            VERIFY(test::maxDifference(feedforward.linear->weight, before[2] * feedforwardLayer->vector.view({-1, 1})) < 1e-6);
            VERIFY(test::maxDifference(feedforward.linear->bias, before[3]) == 0.0);  // FF: bias untouched
        }
        adapter->unmerge();
        VERIFY(test::maxDifference(test::logitsOf(*model, ids), unmerged) < 1e-4);
    }
}

CAPSULE_TEST(saveLoadAndGradients) {
    test::TempDir directory;
    const torch::Tensor ids = test::tinyInputIds(2, 6, 37);
    torch::Tensor expected;
    {
        auto model = test::tinyModel(test::tinyLlamaConfig());
        auto adapter = applyIa3(*model);
        // Only the vectors train.
        std::set<const void*> vectors;
        for (const auto& parameter : adapter->trainableParameters()) vectors.insert(parameter.unsafeGetTensorImpl());
        COMPARE(vectors.size(), size_t(6));
        for (const auto& parameter : model->parameters())
            COMPARE(parameter.requires_grad(), vectors.count(parameter.unsafeGetTensorImpl()) > 0);
        model::ForwardInput input;
        input.inputIds = ids;
        model->forward(input).sum().backward();
        for (const auto& parameter : adapter->trainableParameters()) VERIFY(parameter.grad().defined());
        test::randomize(adapter->trainableParameters(), 17, 0.3);
        expected = test::logitsOf(*model, ids);
        saveAdapter(*adapter, directory.path());
    }
    auto model = test::tinyModel(test::tinyLlamaConfig());
    auto loaded = loadAdapter(*model, directory.path());
    COMPARE(loaded->peftType(), std::string("IA3"));
    COMPARE(test::maxDifference(test::logitsOf(*model, ids), expected), 0.0);
    const auto file = io::SafetensorsFile::open(directory.file("adapter_model.safetensors"));
    VERIFY(file->has("base_model.model.model.layers.1.mlp.down_proj.ia3_l"));  // no `.weight` (§13.2)
}

CAPSULE_TEST(randomInitWhenAsked) {
    auto model = test::tinyModel(test::tinyLlamaConfig());
    Ia3Config config;
    config.initIa3Weights = false;
    auto adapter = applyIa3(*model, config);
    VERIFY((adapter->trainableParameters()[0] - 1.0).abs().max().item<double>() > 0.1);
}
