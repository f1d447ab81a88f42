// Trainable-parameter counts on the real GPT-2 small and Llama-2-7B shapes (built on the meta
// device: shapes only, no memory), against peft-spec.md §12 and PEFT's print_trainable_parameters.
#include "peft_test_support.h"

#include "peft/adalora.h"
#include "peft/ia3.h"
#include "peft/lora.h"
#include "peft/parameter_count.h"

#include <iostream>
#include <map>

using namespace capsule;
using namespace capsule::peft;

namespace {

// GPT-2 small without adapters: wte 50257·768 + wpe 1024·768 + 12 blocks
// (2 LayerNorms 4·768, c_attn 768·2304+2304, c_proj 768·768+768, c_fc 768·3072+3072,
// c_proj 3072·768+768) + ln_f 2·768; the tied lm_head counts once.
constexpr int64_t kGpt2SmallParameters = 124'439'808;
// Llama-2-7B: embed 32000·4096 + 32·(4·4096² + 3·4096·11008 + 2·4096) + 4096 + lm_head 32000·4096.
constexpr int64_t kLlama2_7bParameters = 6'738'415'616;

}  // namespace

CAPSULE_TEST(baseCountsMatchThePublishedSizes) {
    auto gpt2 = test::metaModel(test::gpt2SmallConfigJson());
    COMPARE(countTrainableParameters(*gpt2).all, kGpt2SmallParameters);
    auto llama = test::metaModel(test::llama2_7bConfigJson());
    COMPARE(countTrainableParameters(*llama).all, kLlama2_7bParameters);
}

CAPSULE_TEST(loraGpt2SmallCAttn) {
    auto model = test::metaModel(test::gpt2SmallConfigJson());
    LoraAdapter adapter(LoraConfig{});
    adapter.apply(*model, WeightInit::Fresh);
    const ParameterCounts counts = countTrainableParameters(*model);
    COMPARE(counts.trainable, int64_t(294'912));  // 12·(8·768 + 2304·8)
    COMPARE(counts.all, kGpt2SmallParameters + 294'912);
    const std::string line = formatTrainableParameters(counts);
    std::cout << "    " << line << "\n";
    COMPARE(line, std::string("trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364"));
    int64_t optimizerElements = 0;
    for (const auto& parameter : adapter.trainableParameters()) optimizerElements += parameter.numel();
    COMPARE(optimizerElements, counts.trainable);
}

CAPSULE_TEST(loraLlama2_7bQv) {
    auto model = test::metaModel(test::llama2_7bConfigJson());
    LoraAdapter adapter(LoraConfig{});
    adapter.apply(*model, WeightInit::Fresh);
    const ParameterCounts counts = countTrainableParameters(*model);
    COMPARE(counts.trainable, int64_t(4'194'304));  // 32·4·8·4096
    const std::string line = formatTrainableParameters(counts);
    std::cout << "    " << line << "\n";
    COMPARE(line, std::string("trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622"));
}

CAPSULE_TEST(adaLoraGpt2SmallBeforePruning) {
    auto model = test::metaModel(test::gpt2SmallConfigJson());
    AdaLoraConfig config;
    config.totalStep = 1000;
    AdaLoraAdapter adapter(config);
    adapter.apply(*model, WeightInit::Fresh);
    const ParameterCounts counts = countTrainableParameters(*model);
    COMPARE(counts.trainable, int64_t(442'512));  // 12·(9216 + 27648 + 12)
    // ranknum is a frozen Parameter in PEFT too: one element per adapted layer in "all params".
    COMPARE(counts.all, kGpt2SmallParameters + 442'512 + 12);
    std::cout << "    " << formatTrainableParameters(counts) << "\n";
}

CAPSULE_TEST(ia3Gpt2SmallAndLlama2_7b) {
    {
        auto model = test::metaModel(test::gpt2SmallConfigJson());
        Ia3Adapter adapter(Ia3Config{});
        adapter.apply(*model, WeightInit::Fresh);
        COMPARE(countTrainableParameters(*model).trainable, int64_t(64'512));  // 12·(2304 + 3072)
        std::cout << "    " << formatTrainableParameters(countTrainableParameters(*model)) << "\n";
    }
    {
        auto model = test::metaModel(test::llama2_7bConfigJson());
        Ia3Adapter adapter(Ia3Config{});
        adapter.apply(*model, WeightInit::Fresh);
        COMPARE(countTrainableParameters(*model).trainable, int64_t(614'400));  // 32·(4096 + 4096 + 11008)
        std::cout << "    " << formatTrainableParameters(countTrainableParameters(*model)) << "\n";
    }
}

CAPSULE_TEST(formattingFollowsPython) {
    COMPARE(withThousandsSeparators(0), std::string("0"));
    COMPARE(withThousandsSeparators(999), std::string("999"));
    COMPARE(withThousandsSeparators(1000), std::string("1,000"));
    COMPARE(withThousandsSeparators(-1234567), std::string("-1,234,567"));
    COMPARE(formatTrainableParameters({1, 3}), std::string("trainable params: 1 || all params: 3 || trainable%: 33.3333"));
}

namespace {

std::map<std::string, std::vector<int64_t>> shapesOf(AdapterMethod& adapter) {
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& [key, tensor] : adapter.stateDict()) shapes[key] = tensor.sizes().vec();
    return shapes;
}

}  // namespace

CAPSULE_TEST(savedKeysAndShapesAtRealSizes) {
    // The spec tables with the published dimensions (§3.6, §3.7, §4.6, §5.3).
    auto gpt2 = test::metaModel(test::gpt2SmallConfigJson());
    {
        LoraAdapter adapter(LoraConfig{});
        adapter.apply(*gpt2, WeightInit::Fresh);
        const auto shapes = shapesOf(adapter);
        COMPARE(shapes.size(), size_t(24));
        for (int i = 0; i < 12; ++i) {
            const std::string p = "base_model.model.transformer.h." + std::to_string(i) + ".attn.c_attn.";
            VERIFY(shapes.at(p + "lora_A.weight") == (std::vector<int64_t>{8, 768}));
            VERIFY(shapes.at(p + "lora_B.weight") == (std::vector<int64_t>{2304, 8}));
        }
        adapter.remove();
    }
    {
        AdaLoraConfig config;
        config.totalStep = 100;
        AdaLoraAdapter adapter(config);
        adapter.apply(*gpt2, WeightInit::Fresh);
        const auto shapes = shapesOf(adapter);
        COMPARE(shapes.size(), size_t(36));
        VERIFY(shapes.at("base_model.model.transformer.h.11.attn.c_attn.lora_A") == (std::vector<int64_t>{12, 768}));
        VERIFY(shapes.at("base_model.model.transformer.h.11.attn.c_attn.lora_B") == (std::vector<int64_t>{2304, 12}));
        VERIFY(shapes.at("base_model.model.transformer.h.11.attn.c_attn.lora_E") == (std::vector<int64_t>{12, 1}));
        adapter.remove();
    }
    {
        Ia3Adapter adapter(Ia3Config{});
        adapter.apply(*gpt2, WeightInit::Fresh);
        const auto shapes = shapesOf(adapter);
        COMPARE(shapes.size(), size_t(24));
        VERIFY(shapes.at("base_model.model.transformer.h.0.attn.c_attn.ia3_l") == (std::vector<int64_t>{2304, 1}));
        VERIFY(shapes.at("base_model.model.transformer.h.0.mlp.c_proj.ia3_l") == (std::vector<int64_t>{1, 3072}));
    }
    auto llama = test::metaModel(test::llama2_7bConfigJson());
    {
        LoraAdapter adapter(LoraConfig{});
        adapter.apply(*llama, WeightInit::Fresh);
        const auto shapes = shapesOf(adapter);
        COMPARE(shapes.size(), size_t(128));
        const std::string p = "base_model.model.model.layers.31.self_attn.";
        VERIFY(shapes.at(p + "q_proj.lora_A.weight") == (std::vector<int64_t>{8, 4096}));
        VERIFY(shapes.at(p + "q_proj.lora_B.weight") == (std::vector<int64_t>{4096, 8}));
        VERIFY(shapes.at(p + "v_proj.lora_B.weight") == (std::vector<int64_t>{4096, 8}));
        adapter.remove();
    }
    {
        Ia3Adapter adapter(Ia3Config{});
        adapter.apply(*llama, WeightInit::Fresh);
        const auto shapes = shapesOf(adapter);
        COMPARE(shapes.size(), size_t(96));
        VERIFY(shapes.at("base_model.model.model.layers.0.self_attn.k_proj.ia3_l") == (std::vector<int64_t>{4096, 1}));
        VERIFY(shapes.at("base_model.model.model.layers.0.self_attn.v_proj.ia3_l") == (std::vector<int64_t>{4096, 1}));
        VERIFY(shapes.at("base_model.model.model.layers.0.mlp.down_proj.ia3_l") == (std::vector<int64_t>{1, 11008}));
    }
    // TinyLlama (GQA, 4 kv heads of 64): v_proj.lora_B is [256, 8] (§3.7).
    auto tinyLlama = test::metaModel(R"({"model_type": "llama", "vocab_size": 32000, "hidden_size": 2048,
        "intermediate_size": 5632, "num_hidden_layers": 22, "num_attention_heads": 32, "num_key_value_heads": 4,
        "max_position_embeddings": 2048, "rms_norm_eps": 1e-05, "hidden_act": "silu"})");
    LoraAdapter adapter(LoraConfig{});
    adapter.apply(*tinyLlama, WeightInit::Fresh);
    VERIFY(shapesOf(adapter).at("base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight") ==
           (std::vector<int64_t>{256, 8}));
}
