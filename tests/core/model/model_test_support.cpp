#include "model_test_support.h"

#include "io/safetensors_writer.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <random>
#include <stdexcept>

namespace capsule::test {
namespace {

constexpr double kPi = 3.14159265358979323846;

using Weights = std::map<std::string, torch::Tensor>;

torch::Tensor weightOf(const Weights& weights, const std::string& name) {
    const auto found = weights.find(name);
    if (found == weights.end()) throw std::runtime_error("reference: no weight " + name);
    return found->second;
}

torch::Tensor optionalWeight(const Weights& weights, const std::string& name) {
    const auto found = weights.find(name);
    return found == weights.end() ? torch::Tensor() : found->second;
}

// ---- elementary pieces, written from the formulas ----

/// (x − mean) / sqrt(biased var + eps) · w + b, per row of x [T, H].
torch::Tensor layerNorm(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias, double eps) {
    torch::Tensor out = torch::empty_like(x);
    const int64_t rows = x.size(0), width = x.size(1);
    auto xa = x.accessor<double, 2>();
    auto oa = out.accessor<double, 2>();
    auto wa = weight.accessor<double, 1>();
    auto ba = bias.accessor<double, 1>();
    for (int64_t r = 0; r < rows; ++r) {
        double mean = 0.0;
        for (int64_t c = 0; c < width; ++c) mean += xa[r][c];
        mean /= static_cast<double>(width);
        double variance = 0.0;
        for (int64_t c = 0; c < width; ++c) variance += (xa[r][c] - mean) * (xa[r][c] - mean);
        variance /= static_cast<double>(width);
        for (int64_t c = 0; c < width; ++c) oa[r][c] = (xa[r][c] - mean) / std::sqrt(variance + eps) * wa[c] + ba[c];
    }
    return out;
}

/// x / sqrt(mean(x²) + eps) · w, per row of x [T, H].
torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
    torch::Tensor out = torch::empty_like(x);
    auto xa = x.accessor<double, 2>();
    auto oa = out.accessor<double, 2>();
    auto wa = weight.accessor<double, 1>();
    for (int64_t r = 0; r < x.size(0); ++r) {
        double meanSquare = 0.0;
        for (int64_t c = 0; c < x.size(1); ++c) meanSquare += xa[r][c] * xa[r][c];
        meanSquare /= static_cast<double>(x.size(1));
        for (int64_t c = 0; c < x.size(1); ++c) oa[r][c] = xa[r][c] / std::sqrt(meanSquare + eps) * wa[c];
    }
    return out;
}

double geluNew(double x) {
    return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / kPi) * (x + 0.044715 * x * x * x)));
}

double silu(double x) {
    return x / (1.0 + std::exp(-x));
}

torch::Tensor mapElements(const torch::Tensor& x, double (*function)(double)) {
    torch::Tensor out = x.contiguous().clone();
    double* data = out.data_ptr<double>();
    for (int64_t i = 0; i < out.numel(); ++i) data[i] = function(data[i]);
    return out;
}

/// Plain causal attention for one head: q [T, D], k/v [T, D]; key j visible to query i when
/// j <= i and (window == 0 or i − j < window).
torch::Tensor attendOneHead(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale,
                            int64_t window) {
    const int64_t length = q.size(0), dim = q.size(1);
    torch::Tensor out = torch::zeros({length, dim}, torch::kDouble);
    auto qa = q.accessor<double, 2>();
    auto ka = k.accessor<double, 2>();
    auto va = v.accessor<double, 2>();
    auto oa = out.accessor<double, 2>();
    for (int64_t i = 0; i < length; ++i) {
        std::vector<double> scores;
        std::vector<int64_t> keys;
        for (int64_t j = 0; j <= i; ++j) {
            if (window > 0 && i - j >= window) continue;
            double dot = 0.0;
            for (int64_t d = 0; d < dim; ++d) dot += qa[i][d] * ka[j][d];
            scores.push_back(dot * scale);
            keys.push_back(j);
        }
        double maximum = scores[0];
        for (double s : scores) maximum = std::max(maximum, s);
        double total = 0.0;
        for (double& s : scores) total += (s = std::exp(s - maximum));
        for (size_t n = 0; n < keys.size(); ++n)
            for (int64_t d = 0; d < dim; ++d) oa[i][d] += scores[n] / total * va[keys[n]][d];
    }
    return out;
}

/// x·Wᵀ + b (nn.Linear layout).
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
    torch::Tensor out = x.matmul(weight.t());
    if (bias.defined()) out = out + bias;
    return out;
}

/// Rotates pairs (j, j + D/2) of each head row x [T, D] by angle position·inverse[j].
torch::Tensor rotate(const torch::Tensor& x, const torch::Tensor& inverse, double attentionFactor) {
    torch::Tensor out = x.clone();
    const int64_t length = x.size(0), half = x.size(1) / 2;
    auto xa = x.accessor<double, 2>();
    auto oa = out.accessor<double, 2>();
    auto ia = inverse.accessor<double, 1>();
    for (int64_t t = 0; t < length; ++t) {
        for (int64_t j = 0; j < half; ++j) {
            const double angle = static_cast<double>(t) * ia[j];
            const double c = std::cos(angle) * attentionFactor, s = std::sin(angle) * attentionFactor;
            const double first = xa[t][j], second = xa[t][j + half];
            oa[t][j] = first * c - second * s;
            oa[t][j + half] = second * c + first * s;
        }
    }
    return out;
}

torch::Tensor gpt2Logits(const TinyConfig& config, const Weights& w, const std::vector<int64_t>& ids) {
    const int64_t length = static_cast<int64_t>(ids.size()), hidden = config.hidden;
    const int64_t headDim = hidden / config.heads;
    torch::Tensor x = torch::zeros({length, hidden}, torch::kDouble);
    const torch::Tensor wte = weightOf(w, "wte.weight"), wpe = weightOf(w, "wpe.weight");
    for (int64_t t = 0; t < length; ++t) x[t] = wte[ids[static_cast<size_t>(t)]] + wpe[t];
    for (int64_t layer = 0; layer < config.layers; ++layer) {
        const std::string p = "h." + std::to_string(layer) + ".";
        const torch::Tensor a = layerNorm(x, weightOf(w, p + "ln_1.weight"), weightOf(w, p + "ln_1.bias"), config.epsilon);
        // Conv1D: x @ W + b with W [in, out]; q, k, v in that order.
        const torch::Tensor qkv = a.matmul(weightOf(w, p + "attn.c_attn.weight")) + weightOf(w, p + "attn.c_attn.bias");
        torch::Tensor merged = torch::zeros({length, hidden}, torch::kDouble);
        for (int64_t h = 0; h < config.heads; ++h) {
            const torch::Tensor q = qkv.slice(1, h * headDim, (h + 1) * headDim).contiguous();
            const torch::Tensor k = qkv.slice(1, hidden + h * headDim, hidden + (h + 1) * headDim).contiguous();
            const torch::Tensor v = qkv.slice(1, 2 * hidden + h * headDim, 2 * hidden + (h + 1) * headDim).contiguous();
            merged.slice(1, h * headDim, (h + 1) * headDim) = attendOneHead(q, k, v, 1.0 / std::sqrt(double(headDim)), 0);
        }
        x = x + merged.matmul(weightOf(w, p + "attn.c_proj.weight")) + weightOf(w, p + "attn.c_proj.bias");
        const torch::Tensor m = layerNorm(x, weightOf(w, p + "ln_2.weight"), weightOf(w, p + "ln_2.bias"), config.epsilon);
        const torch::Tensor inner = mapElements(m.matmul(weightOf(w, p + "mlp.c_fc.weight")) + weightOf(w, p + "mlp.c_fc.bias"), &geluNew);
        x = x + inner.matmul(weightOf(w, p + "mlp.c_proj.weight")) + weightOf(w, p + "mlp.c_proj.bias");
    }
    x = layerNorm(x, weightOf(w, "ln_f.weight"), weightOf(w, "ln_f.bias"), config.epsilon);
    const torch::Tensor head = config.tied ? wte : weightOf(w, "lm_head.weight");
    return x.matmul(head.t());
}

torch::Tensor llamaLogits(const TinyConfig& config, const Weights& w, const std::vector<int64_t>& ids) {
    const int64_t length = static_cast<int64_t>(ids.size());
    const int64_t d = config.headDim, groups = config.heads / config.kvHeads;
    const torch::Tensor embed = weightOf(w, "model.embed_tokens.weight");
    torch::Tensor x = torch::zeros({length, config.hidden}, torch::kDouble);
    for (int64_t t = 0; t < length; ++t) x[t] = embed[ids[static_cast<size_t>(t)]];
    const torch::Tensor inverse = referenceInverseFrequencies(config, length);
    const double attentionFactor = referenceAttentionFactor(config);
    for (int64_t layer = 0; layer < config.layers; ++layer) {
        const std::string p = "model.layers." + std::to_string(layer) + ".";
        const torch::Tensor a = rmsNorm(x, weightOf(w, p + "input_layernorm.weight"), config.epsilon);
        const torch::Tensor q = linear(a, weightOf(w, p + "self_attn.q_proj.weight"), optionalWeight(w, p + "self_attn.q_proj.bias"));
        const torch::Tensor k = linear(a, weightOf(w, p + "self_attn.k_proj.weight"), optionalWeight(w, p + "self_attn.k_proj.bias"));
        const torch::Tensor v = linear(a, weightOf(w, p + "self_attn.v_proj.weight"), optionalWeight(w, p + "self_attn.v_proj.bias"));
        const int64_t window = config.layerSlides(layer) ? *config.slidingWindow : 0;
        torch::Tensor merged = torch::zeros({length, config.heads * d}, torch::kDouble);
        for (int64_t h = 0; h < config.heads; ++h) {
            const int64_t kvHead = h / groups;  // each kv head serves `groups` consecutive query heads
            const torch::Tensor qh = rotate(q.slice(1, h * d, (h + 1) * d).contiguous(), inverse, attentionFactor);
            const torch::Tensor kh = rotate(k.slice(1, kvHead * d, (kvHead + 1) * d).contiguous(), inverse, attentionFactor);
            const torch::Tensor vh = v.slice(1, kvHead * d, (kvHead + 1) * d).contiguous();
            merged.slice(1, h * d, (h + 1) * d) = attendOneHead(qh, kh, vh, 1.0 / std::sqrt(double(d)), window);
        }
        x = x + linear(merged, weightOf(w, p + "self_attn.o_proj.weight"), optionalWeight(w, p + "self_attn.o_proj.bias"));
        const torch::Tensor m = rmsNorm(x, weightOf(w, p + "post_attention_layernorm.weight"), config.epsilon);
        const torch::Tensor gate = mapElements(linear(m, weightOf(w, p + "mlp.gate_proj.weight"), optionalWeight(w, p + "mlp.gate_proj.bias")), &silu);
        const torch::Tensor up = linear(m, weightOf(w, p + "mlp.up_proj.weight"), optionalWeight(w, p + "mlp.up_proj.bias"));
        x = x + linear(gate * up, weightOf(w, p + "mlp.down_proj.weight"), optionalWeight(w, p + "mlp.down_proj.bias"));
    }
    x = rmsNorm(x, weightOf(w, "model.norm.weight"), config.epsilon);
    const torch::Tensor head = config.tied ? embed : weightOf(w, "lm_head.weight");
    return x.matmul(head.t());
}

}  // namespace

bool TinyConfig::layerSlides(int64_t layer) const {
    if (!slidingWindow) return false;
    if (modelType == "mistral") return true;
    if (modelType == "qwen2") return layer >= maxWindowLayers;
    return false;
}

TinyConfig tinyConfig(const std::string& type, int64_t vocab, int64_t maxPositions) {
    TinyConfig config;
    config.modelType = type;
    config.vocab = vocab;
    config.hidden = 16;
    config.layers = 2;
    config.heads = 4;
    config.kvHeads = type == "gpt2" ? 4 : 2;
    config.headDim = 4;
    config.intermediate = 24;
    config.maxPositions = maxPositions;
    config.tied = type == "gpt2";
    return config;
}

TinyConfig tinyGpt2() { return tinyConfig("gpt2", 41, 32); }

TinyConfig tinyLlama() { return tinyConfig("llama", 43, 64); }

TinyConfig tinyQwen2() {
    TinyConfig config = tinyLlama();
    config.modelType = "qwen2";  // q/k/v biases
    config.tied = true;
    config.ropeTheta = 1e6;
    return config;
}

TinyConfig tinyGenerationConfig(const std::string& type, int64_t maxPositions) {
    return tinyConfig(type, 29, maxPositions);
}

std::string configJson(const TinyConfig& c) {
    nlohmann::json j;
    j["model_type"] = c.modelType;
    if (c.isGpt2()) {
        j["architectures"] = {"GPT2LMHeadModel"};
        j["vocab_size"] = c.vocab;
        j["n_positions"] = c.maxPositions;
        j["n_ctx"] = c.maxPositions;
        j["n_embd"] = c.hidden;
        j["n_layer"] = c.layers;
        j["n_head"] = c.heads;
        j["n_inner"] = c.intermediate;
        j["activation_function"] = c.activation.empty() ? "gelu_new" : c.activation;
        j["layer_norm_epsilon"] = c.epsilon;
        j["resid_pdrop"] = 0.1;
        j["bos_token_id"] = 0;
        j["eos_token_id"] = 1;
        if (!c.tied) j["tie_word_embeddings"] = false;
        j["torch_dtype"] = "float32";
        return j.dump(2);
    }
    j["architectures"] = {c.modelType == "qwen2" ? "Qwen2ForCausalLM"
                                                 : (c.modelType == "mistral" ? "MistralForCausalLM" : "LlamaForCausalLM")};
    j["vocab_size"] = c.vocab;
    j["hidden_size"] = c.hidden;
    j["intermediate_size"] = c.intermediate;
    j["num_hidden_layers"] = c.layers;
    j["num_attention_heads"] = c.heads;
    j["num_key_value_heads"] = c.kvHeads;
    if (c.headDim * c.heads != c.hidden) j["head_dim"] = c.headDim;
    j["max_position_embeddings"] = c.maxPositions;
    j["rms_norm_eps"] = c.epsilon;
    j["hidden_act"] = c.activation.empty() ? "silu" : c.activation;
    j["tie_word_embeddings"] = c.tied;
    j["bos_token_id"] = 1;
    j["eos_token_id"] = nlohmann::json::array({2, 3});
    j["dtype"] = "bfloat16";
    if (c.modelType == "llama") {
        j["attention_bias"] = c.attentionBias;
        j["mlp_bias"] = c.mlpBias;
    }
    nlohmann::json scaling = nullptr;
    if (c.ropeType != "default") {
        scaling = nlohmann::json::object();
        scaling[c.ropeType == "yarn" ? "type" : "rope_type"] = c.ropeType;  // both spellings are accepted
        scaling["factor"] = c.ropeFactor;
        if (c.originalMaxPositions) scaling["original_max_position_embeddings"] = *c.originalMaxPositions;
        if (c.ropeType == "llama3") {
            scaling["low_freq_factor"] = c.lowFrequencyFactor;
            scaling["high_freq_factor"] = c.highFrequencyFactor;
        }
    }
    if (c.ropeParametersV5) {
        nlohmann::json parameters = scaling.is_null() ? nlohmann::json::object() : scaling;
        if (!parameters.contains("rope_type")) parameters["rope_type"] = c.ropeType;
        parameters.erase("type");
        parameters["rope_theta"] = c.ropeTheta;
        j["rope_parameters"] = parameters;
    } else {
        j["rope_theta"] = c.ropeTheta;
        j["rope_scaling"] = scaling;
    }
    if (c.modelType == "qwen2") {
        j["use_sliding_window"] = c.slidingWindow.has_value();
        j["sliding_window"] = c.slidingWindow ? nlohmann::json(*c.slidingWindow) : nlohmann::json(nullptr);
        j["max_window_layers"] = c.maxWindowLayers;
    }
    if (c.modelType == "mistral")
        j["sliding_window"] = c.slidingWindow ? nlohmann::json(*c.slidingWindow) : nlohmann::json(nullptr);
    return j.dump(2);
}

std::map<std::string, torch::Tensor> randomWeights(const TinyConfig& c, uint64_t seed, double scale) {
    torch::manual_seed(seed);
    auto options = torch::TensorOptions().dtype(torch::kDouble);
    auto random = [&](std::vector<int64_t> shape) { return torch::randn(shape, options) * scale; };
    auto normWeight = [&](int64_t size) { return 1.0 + 0.1 * torch::randn({size}, options); };
    Weights w;
    if (c.isGpt2()) {
        const int64_t e = c.hidden, inner = c.intermediate;
        w["wte.weight"] = random({c.vocab, e});
        w["wpe.weight"] = random({c.maxPositions, e});
        for (int64_t i = 0; i < c.layers; ++i) {
            const std::string p = "h." + std::to_string(i) + ".";
            w[p + "ln_1.weight"] = normWeight(e);
            w[p + "ln_1.bias"] = random({e});
            w[p + "attn.c_attn.weight"] = random({e, 3 * e});
            w[p + "attn.c_attn.bias"] = random({3 * e});
            w[p + "attn.c_proj.weight"] = random({e, e});
            w[p + "attn.c_proj.bias"] = random({e});
            w[p + "ln_2.weight"] = normWeight(e);
            w[p + "ln_2.bias"] = random({e});
            w[p + "mlp.c_fc.weight"] = random({e, inner});
            w[p + "mlp.c_fc.bias"] = random({inner});
            w[p + "mlp.c_proj.weight"] = random({inner, e});
            w[p + "mlp.c_proj.bias"] = random({e});
        }
        w["ln_f.weight"] = normWeight(e);
        w["ln_f.bias"] = random({e});
        if (!c.tied) w["lm_head.weight"] = random({c.vocab, e});
        return w;
    }
    const int64_t h = c.hidden, d = c.headDim;
    w["model.embed_tokens.weight"] = random({c.vocab, h});
    for (int64_t i = 0; i < c.layers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        w[p + "input_layernorm.weight"] = normWeight(h);
        w[p + "self_attn.q_proj.weight"] = random({c.heads * d, h});
        w[p + "self_attn.k_proj.weight"] = random({c.kvHeads * d, h});
        w[p + "self_attn.v_proj.weight"] = random({c.kvHeads * d, h});
        w[p + "self_attn.o_proj.weight"] = random({h, c.heads * d});
        if (c.hasQkvBias()) {
            w[p + "self_attn.q_proj.bias"] = random({c.heads * d});
            w[p + "self_attn.k_proj.bias"] = random({c.kvHeads * d});
            w[p + "self_attn.v_proj.bias"] = random({c.kvHeads * d});
        }
        if (c.hasOutputBias()) w[p + "self_attn.o_proj.bias"] = random({h});
        w[p + "post_attention_layernorm.weight"] = normWeight(h);
        w[p + "mlp.gate_proj.weight"] = random({c.intermediate, h});
        w[p + "mlp.up_proj.weight"] = random({c.intermediate, h});
        w[p + "mlp.down_proj.weight"] = random({h, c.intermediate});
        if (c.mlpBias) {
            w[p + "mlp.gate_proj.bias"] = random({c.intermediate});
            w[p + "mlp.up_proj.bias"] = random({c.intermediate});
            w[p + "mlp.down_proj.bias"] = random({h});
        }
    }
    w["model.norm.weight"] = normWeight(h);
    if (!c.tied) w["lm_head.weight"] = random({c.vocab, h});
    return w;
}

std::map<std::string, torch::Tensor> writeCheckpoint(const std::string& folder, const TinyConfig& config,
                                                     const std::map<std::string, torch::Tensor>& weights,
                                                     torch::ScalarType dtype, int64_t maxShardBytes,
                                                     const std::map<std::string, torch::Tensor>& extra) {
    {
        std::ofstream file(folder + "/config.json");
        file << configJson(config);
        if (!file) throw std::runtime_error("cannot write " + folder + "/config.json");
    }
    io::NamedTensors tensors;
    Weights stored;
    for (const auto& [name, tensor] : weights) {
        const torch::Tensor converted = tensor.to(dtype).contiguous();
        tensors.emplace_back(name, converted);
        stored[name] = converted.to(torch::kDouble);
    }
    for (const auto& [name, tensor] : extra) tensors.emplace_back(name, tensor.contiguous());
    if (maxShardBytes > 0) io::writeShardedSafetensors(folder, tensors, maxShardBytes);
    else io::writeSafetensors(folder + "/model.safetensors", tensors);
    return stored;
}

std::map<std::string, torch::Tensor> writeTwoBf16Shards(const std::string& folder, const TinyConfig& config,
                                                        const std::map<std::string, torch::Tensor>& weights) {
    auto shardCount = [&](int64_t limit) {
        int64_t shards = 1, used = 0;
        for (const auto& [name, tensor] : weights) {
            const int64_t bytes = tensor.numel() * 2;
            if (used > 0 && used + bytes > limit) {
                ++shards;
                used = 0;
            }
            used += bytes;
        }
        return shards;
    };
    int64_t limit = 64;
    while (shardCount(limit) > 2) limit += 64;
    return writeCheckpoint(folder, config, weights, torch::kBFloat16, limit);
}

torch::Tensor referenceLogits(const TinyConfig& config, const std::map<std::string, torch::Tensor>& weights,
                              const std::vector<int64_t>& ids) {
    torch::NoGradGuard noGrad;
    return config.isGpt2() ? gpt2Logits(config, weights, ids) : llamaLogits(config, weights, ids);
}

torch::Tensor referenceInverseFrequencies(const TinyConfig& c, int64_t sequenceLength) {
    const int64_t dim = c.headDim, half = dim / 2;
    std::vector<double> inverse(static_cast<size_t>(half));
    double theta = c.ropeTheta;
    if (c.ropeType == "dynamic") {
        const double trained = static_cast<double>(c.originalMaxPositions.value_or(c.maxPositions));
        if (sequenceLength > trained)
            theta *= std::pow(c.ropeFactor * sequenceLength / trained - (c.ropeFactor - 1.0), double(dim) / double(dim - 2));
    }
    for (int64_t j = 0; j < half; ++j) inverse[size_t(j)] = 1.0 / std::pow(theta, 2.0 * double(j) / double(dim));
    if (c.ropeType == "linear") {
        for (double& value : inverse) value /= c.ropeFactor;
    } else if (c.ropeType == "llama3") {
        const double original = static_cast<double>(*c.originalMaxPositions);
        const double lowWavelength = original / c.lowFrequencyFactor, highWavelength = original / c.highFrequencyFactor;
        for (double& value : inverse) {
            const double wavelength = 2.0 * kPi / value;
            if (wavelength < highWavelength) continue;  // high frequency: unchanged
            if (wavelength > lowWavelength) {
                value /= c.ropeFactor;  // low frequency: interpolated
            } else {
                const double smooth = (original / wavelength - c.lowFrequencyFactor) /
                                      (c.highFrequencyFactor - c.lowFrequencyFactor);
                value = (1.0 - smooth) * value / c.ropeFactor + smooth * value;
            }
        }
    } else if (c.ropeType == "yarn") {
        const double maxPositions = static_cast<double>(c.originalMaxPositions.value_or(c.maxPositions));
        auto correctionDim = [&](double rotations) {
            return double(dim) * std::log(maxPositions / (2.0 * kPi * rotations)) / (2.0 * std::log(c.ropeTheta));
        };
        const double low = std::max(0.0, std::floor(correctionDim(32.0)));
        double high = std::min(double(dim - 1), std::ceil(correctionDim(1.0)));
        if (high == low) high += 0.001;
        for (int64_t j = 0; j < half; ++j) {
            const double ramp = std::min(1.0, std::max(0.0, (double(j) - low) / (high - low)));
            const double extrapolationWeight = 1.0 - ramp;
            const double extrapolated = inverse[size_t(j)];
            inverse[size_t(j)] = extrapolated / c.ropeFactor * (1.0 - extrapolationWeight) + extrapolated * extrapolationWeight;
        }
    }
    return torch::tensor(inverse, torch::kDouble);
}

double referenceAttentionFactor(const TinyConfig& c) {
    if (c.ropeType != "yarn" || c.ropeFactor <= 1.0) return 1.0;
    return 0.1 * std::log(c.ropeFactor) + 1.0;
}

PaddedBatch padBatch(const std::vector<std::vector<int64_t>>& sequences, int64_t width, bool leftPadding,
                     int64_t padId) {
    const int64_t rows = static_cast<int64_t>(sequences.size());
    PaddedBatch batch;
    batch.ids = torch::full({rows, width}, padId, torch::kLong);
    batch.mask = torch::zeros({rows, width}, torch::kLong);
    for (int64_t b = 0; b < rows; ++b) {
        const auto& sequence = sequences[size_t(b)];
        const int64_t length = int64_t(sequence.size()), start = leftPadding ? width - length : 0;
        batch.ids[b].slice(0, start, start + length).copy_(torch::tensor(sequence, torch::kLong));
        batch.mask[b].slice(0, start, start + length).fill_(1);
        batch.starts.push_back(start);
        batch.lengths.push_back(length);
    }
    return batch;
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kDouble).cpu() - b.to(torch::kDouble).cpu()).abs().max().item<double>();
}

std::vector<int64_t> randomIds(int64_t length, int64_t vocab, uint64_t seed) {
    std::mt19937_64 engine(seed);
    std::uniform_int_distribution<int64_t> distribution(0, vocab - 1);
    std::vector<int64_t> ids(static_cast<size_t>(length));
    for (auto& id : ids) id = distribution(engine);
    return ids;
}

}  // namespace capsule::test
