// config.json parsing: every family's fields, defaults, aliases, RoPE variants and error messages.
#include "capsule_test.h"

#include "model/model_config.h"

#include <fstream>

using capsule::model::ModelConfig;
using capsule::model::parseModelConfig;

namespace {

ModelConfig parse(const std::string& text) {
    return parseModelConfig(text, "config.json");
}

}  // namespace

CAPSULE_TEST(gpt2HubConfigUsesGpt2KeyNamesAndDefaults) {
    // The shape of openai-community/gpt2's config.json (n_ctx legacy field included).
    const ModelConfig config = parse(R"({
        "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
        "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024, "n_embd": 768, "n_head": 12,
        "n_layer": 12, "n_positions": 1024, "resid_pdrop": 0.1, "vocab_size": 50257})");
    COMPARE(config.modelType, std::string("gpt2"));
    COMPARE(config.architectures.at(0), std::string("GPT2LMHeadModel"));
    COMPARE(config.hiddenSize, int64_t{768});
    COMPARE(config.numHiddenLayers, int64_t{12});
    COMPARE(config.numAttentionHeads, int64_t{12});
    COMPARE(config.numKeyValueHeads, int64_t{12});
    COMPARE(config.headDim, int64_t{64});
    COMPARE(config.intermediateSize, int64_t{3072});  // n_inner null -> 4 * n_embd
    COMPARE(config.maxPositionEmbeddings, int64_t{1024});
    COMPARE(config.vocabSize, int64_t{50257});
    COMPARE(config.hiddenActivation, std::string("gelu_new"));
    COMPARE_NEAR(config.normEpsilon, 1e-5, 1e-12);
    VERIFY(config.tieWordEmbeddings);  // inherited PretrainedConfig default
    VERIFY(!config.tieWordEmbeddingsExplicit);
    COMPARE(config.eosTokenIds, std::vector<int64_t>{50256});
    COMPARE(*config.bosTokenId, int64_t{50256});
    COMPARE_NEAR(config.residualDropout, 0.1, 1e-12);
    VERIFY(config.scaleAttentionWeights);
    VERIFY(!config.slidingWindow);
    COMPARE(config.layerUsesSlidingWindow.size(), size_t{12});
}

CAPSULE_TEST(gpt2AcceptsHiddenSizeAliasesAndNInner) {
    const ModelConfig config = parse(R"({"model_type": "gpt2", "hidden_size": 64, "num_attention_heads": 4,
        "num_hidden_layers": 3, "max_position_embeddings": 128, "n_inner": 100, "tie_word_embeddings": false})");
    COMPARE(config.hiddenSize, int64_t{64});
    COMPARE(config.headDim, int64_t{16});
    COMPARE(config.numHiddenLayers, int64_t{3});
    COMPARE(config.maxPositionEmbeddings, int64_t{128});
    COMPARE(config.intermediateSize, int64_t{100});
    VERIFY(!config.tieWordEmbeddings);
    VERIFY(config.tieWordEmbeddingsExplicit);
}

CAPSULE_TEST(llamaGqaHeadDimBiasesAndEosList) {
    const ModelConfig config = parse(R"({"model_type": "llama", "architectures": ["LlamaForCausalLM"],
        "vocab_size": 128256, "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16,
        "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128, "rms_norm_eps": 1e-05,
        "rope_theta": 500000.0, "tie_word_embeddings": true, "attention_bias": true, "mlp_bias": true,
        "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "torch_dtype": "bfloat16",
        "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                         "original_max_position_embeddings": 8192, "rope_type": "llama3"},
        "max_position_embeddings": 131072})");
    COMPARE(config.numKeyValueHeads, int64_t{8});
    COMPARE(config.headDim, int64_t{128});  // != 2048 / 32
    VERIFY(config.queryKeyValueBias);
    VERIFY(config.outputProjectionBias);
    VERIFY(config.mlpBias);
    VERIFY(config.tieWordEmbeddings);
    COMPARE(config.eosTokenIds, (std::vector<int64_t>{128001, 128008, 128009}));
    COMPARE(config.storedDtype, std::string("bfloat16"));
    COMPARE_NEAR(config.ropeTheta, 500000.0, 1e-6);
    COMPARE(config.ropeScaling.type, std::string("llama3"));
    COMPARE_NEAR(config.ropeScaling.factor, 32.0, 1e-12);
    COMPARE(*config.ropeScaling.originalMaxPositionEmbeddings, int64_t{8192});
    COMPARE_NEAR(config.ropeScaling.highFrequencyFactor, 4.0, 1e-12);
    COMPARE(config.hiddenActivation, std::string("silu"));
}

CAPSULE_TEST(llamaDefaultsWithoutOptionalFields) {
    const ModelConfig config = parse(R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4,
        "num_hidden_layers": 2, "intermediate_size": 128, "vocab_size": 100})");
    COMPARE(config.numKeyValueHeads, int64_t{4});  // null -> num_attention_heads
    COMPARE(config.headDim, int64_t{16});
    VERIFY(!config.tieWordEmbeddings);  // LlamaConfig default false
    VERIFY(!config.tieWordEmbeddingsExplicit);
    COMPARE(config.eosTokenIds, std::vector<int64_t>{2});
    COMPARE_NEAR(config.ropeTheta, 10000.0, 1e-9);
    COMPARE(config.ropeScaling.type, std::string("default"));
    COMPARE_NEAR(config.normEpsilon, 1e-6, 1e-15);
    COMPARE(config.maxPositionEmbeddings, int64_t{2048});
    VERIFY(!config.queryKeyValueBias);
}

CAPSULE_TEST(qwen2HasQkvBiasAndPerLayerSlidingWindow) {
    const ModelConfig config = parse(R"({"model_type": "qwen2", "hidden_size": 64, "num_attention_heads": 4,
        "num_key_value_heads": 2, "num_hidden_layers": 4, "intermediate_size": 128, "vocab_size": 100,
        "use_sliding_window": true, "sliding_window": 32, "max_window_layers": 2, "dtype": "float16",
        "tie_word_embeddings": true, "eos_token_id": 151643, "rope_theta": 1000000.0})");
    VERIFY(config.queryKeyValueBias);
    VERIFY(!config.outputProjectionBias);
    VERIFY(!config.mlpBias);
    VERIFY(config.tieWordEmbeddings);
    COMPARE(config.storedDtype, std::string("float16"));  // `dtype` (transformers >= 4.56)
    COMPARE(*config.slidingWindow, int64_t{32});
    COMPARE(config.layerUsesSlidingWindow, (std::vector<bool>{false, false, true, true}));
    COMPARE(config.eosTokenIds, std::vector<int64_t>{151643});
    VERIFY(!config.bosTokenId);  // Qwen2 has none by default

    // use_sliding_window false: sliding_window is ignored (transformers forces it to null).
    const ModelConfig noWindow = parse(R"({"model_type": "qwen2", "hidden_size": 64, "num_attention_heads": 4,
        "num_hidden_layers": 2, "intermediate_size": 128, "vocab_size": 100, "use_sliding_window": false,
        "sliding_window": 32, "max_window_layers": 0})");
    VERIFY(!noWindow.slidingWindow);
    COMPARE(noWindow.layerUsesSlidingWindow, (std::vector<bool>{false, false}));

    // layer_types, when given, decides per layer.
    const ModelConfig typed = parse(R"({"model_type": "qwen2", "hidden_size": 64, "num_attention_heads": 4,
        "num_hidden_layers": 3, "intermediate_size": 128, "vocab_size": 100, "use_sliding_window": true,
        "sliding_window": 8, "layer_types": ["sliding_attention", "full_attention", "sliding_attention"]})");
    COMPARE(typed.layerUsesSlidingWindow, (std::vector<bool>{true, false, true}));
}

CAPSULE_TEST(mistralSlidingWindowOnEveryLayerAndGqaDefault) {
    const ModelConfig config = parse(R"({"model_type": "mistral", "hidden_size": 64, "num_attention_heads": 8,
        "num_hidden_layers": 2, "intermediate_size": 128, "vocab_size": 100, "sliding_window": 4096})");
    COMPARE(config.numKeyValueHeads, int64_t{8});  // default 8 = num_attention_heads here
    COMPARE(*config.slidingWindow, int64_t{4096});
    COMPARE(config.layerUsesSlidingWindow, (std::vector<bool>{true, true}));
    VERIFY(!config.queryKeyValueBias);
    const ModelConfig noWindow = parse(R"({"model_type": "mistral", "hidden_size": 64, "num_attention_heads": 8,
        "num_key_value_heads": 2, "num_hidden_layers": 2, "intermediate_size": 128, "vocab_size": 100,
        "sliding_window": null})");
    VERIFY(!noWindow.slidingWindow);
    COMPARE(noWindow.numKeyValueHeads, int64_t{2});
}

CAPSULE_TEST(ropeScalingVariantsAndBothTypeKeys) {
    const std::string base = R"("model_type": "llama", "hidden_size": 64, "num_attention_heads": 4,
        "num_hidden_layers": 1, "intermediate_size": 128, "vocab_size": 100, )";
    const ModelConfig linear = parse("{" + base + R"("rope_scaling": {"type": "linear", "factor": 2.0}})");
    COMPARE(linear.ropeScaling.type, std::string("linear"));
    COMPARE_NEAR(linear.ropeScaling.factor, 2.0, 1e-12);
    const ModelConfig dynamic = parse("{" + base + R"("rope_scaling": {"rope_type": "dynamic", "factor": 4}})");
    COMPARE(dynamic.ropeScaling.type, std::string("dynamic"));
    const ModelConfig yarn = parse("{" + base + R"("rope_scaling": {"type": "yarn", "factor": 4.0,
        "original_max_position_embeddings": 32768, "beta_fast": 16, "attention_factor": 1.5}})");
    COMPARE(yarn.ropeScaling.type, std::string("yarn"));
    COMPARE_NEAR(yarn.ropeScaling.betaFast, 16.0, 1e-12);
    COMPARE_NEAR(yarn.ropeScaling.betaSlow, 1.0, 1e-12);
    COMPARE_NEAR(*yarn.ropeScaling.attentionFactor, 1.5, 1e-12);
    COMPARE(*yarn.ropeScaling.originalMaxPositionEmbeddings, int64_t{32768});
    const ModelConfig none = parse("{" + base + R"("rope_scaling": {"rope_type": "default"}})");
    COMPARE(none.ropeScaling.type, std::string("default"));

    VERIFY_THROWS(parse("{" + base + R"("rope_scaling": {"type": "longrope", "factor": 2}})"),
                  "rope_scaling type 'longrope' is not supported (supported: default, linear, dynamic, yarn, llama3)");
    VERIFY_THROWS(parse("{" + base + R"("rope_scaling": {"type": "linear"}})"), "'rope_scaling.factor' is required");
    VERIFY_THROWS(parse("{" + base + R"("rope_scaling": {"rope_type": "llama3", "factor": 8}})"),
                  "original_max_position_embeddings");
}

CAPSULE_TEST(ropeParametersOfTransformersV5) {
    const ModelConfig config = parse(R"({"model_type": "qwen2", "hidden_size": 64, "num_attention_heads": 4,
        "num_hidden_layers": 1, "intermediate_size": 128, "vocab_size": 100,
        "rope_parameters": {"rope_type": "yarn", "rope_theta": 1000000.0, "factor": 4.0}})");
    COMPARE_NEAR(config.ropeTheta, 1e6, 1e-6);
    COMPARE(config.ropeScaling.type, std::string("yarn"));
    COMPARE_NEAR(config.ropeScaling.factor, 4.0, 1e-12);
    // Nested per layer type: the full-attention entry.
    const ModelConfig nested = parse(R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4,
        "num_hidden_layers": 1, "intermediate_size": 128, "vocab_size": 100, "rope_parameters":
        {"full_attention": {"rope_type": "default", "rope_theta": 50000.0},
         "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}}})");
    COMPARE_NEAR(nested.ropeTheta, 50000.0, 1e-9);
    COMPARE(nested.ropeScaling.type, std::string("default"));
}

CAPSULE_TEST(unsupportedModelTypeListsTheSupportedOnes) {
    VERIFY_THROWS(parse(R"({"model_type": "t5", "d_model": 512})"),
                  "config.json: unsupported model_type 't5' (supported: gpt2, llama, qwen2, mistral)");
    VERIFY_THROWS(parse(R"({"hidden_size": 64})"), "no 'model_type' field");
}

CAPSULE_TEST(malformedFieldsNameTheFieldAndFile) {
    VERIFY_THROWS(parse("{not json"), "config.json: invalid JSON");
    VERIFY_THROWS(parse("[1, 2]"), "config.json: expected a JSON object");
    VERIFY_THROWS(parse(R"({"model_type": "llama", "hidden_size": "big"})"),
                  "config.json: field 'hidden_size' must be an integer, got \"big\"");
    VERIFY_THROWS(parse(R"({"model_type": "llama", "hidden_size": 64.5})"), "field 'hidden_size' must be an integer");
    VERIFY_THROWS(parse(R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4,
        "num_key_value_heads": 3})"), "num_key_value_heads");
    VERIFY_THROWS(parse(R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 6})"),
                  "must be divisible by num_attention_heads");
    VERIFY_THROWS(parse(R"({"model_type": "gpt2", "n_embd": 64, "n_head": 5})"), "must be divisible by n_head");
    VERIFY_THROWS(parse(R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "head_dim": 15})"),
                  "'head_dim' must be even");
    VERIFY_THROWS(parse(R"({"model_type": "llama", "hidden_size": -1})"), "'hidden_size' must be in [1,");
    VERIFY_THROWS(parse(R"({"model_type": "llama", "vocab_size": 99999999999})"), "'vocab_size' must be in");
    VERIFY_THROWS(parse(R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4,
        "eos_token_id": "x"})"), "'eos_token_id' must be an integer or a list of integers");
    VERIFY_THROWS(parse(R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4,
        "hidden_act": "mish"})"), "unsupported activation 'mish'");
    VERIFY_THROWS(parse(R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4,
        "tie_word_embeddings": 1})"), "'tie_word_embeddings' must be true or false");
}

CAPSULE_TEST(loadsConfigJsonFromAFolder) {
    capsule::test::TempDir folder;
    capsule::test::writeFile(folder.file("config.json"),
                             R"({"model_type": "mistral", "hidden_size": 32, "num_attention_heads": 4, "num_key_value_heads": 2,
                                 "num_hidden_layers": 1, "intermediate_size": 64, "vocab_size": 50})");
    const ModelConfig config = capsule::model::loadModelConfig(folder.path());
    COMPARE(config.modelType, std::string("mistral"));
    COMPARE(config.sourcePath, folder.file("config.json"));
    VERIFY_THROWS(capsule::model::loadModelConfig(folder.file("missing")), "cannot open");
}
