#include "peft/prompt_encoder_layers.h"

#include "peft/random_init.h"

#include <cmath>
#include <stdexcept>

namespace capsule::peft {
namespace {

torch::TensorOptions floatOn(const torch::Device& device) {
    return torch::TensorOptions().dtype(torch::kFloat).device(device);
}

/// float32 U(±bound) of `shape` on `device`, drawn on the CPU generator (peft/random_init.h).
torch::Tensor uniformOn(torch::IntArrayRef shape, double bound, const torch::Device& device) {
    torch::Tensor values = torch::empty(shape, floatOn(device));
    fillFromCpu(values, [bound](torch::Tensor& t) { t.uniform_(-bound, bound); });
    return values;
}

}  // namespace

torch::nn::Embedding makeEmbedding(int64_t rows, int64_t width, const torch::Device& device) {
    torch::Tensor table = torch::empty({rows, width}, floatOn(device));  // [rows, width]
    fillFromCpu(table, [](torch::Tensor& t) { t.normal_(0.0, 1.0); });
    return torch::nn::Embedding(torch::nn::EmbeddingOptions(rows, width)._weight(table));
}

EncoderLinearImpl::EncoderLinearImpl(int64_t inFeatures, int64_t outFeatures, const torch::Device& device) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(inFeatures));
    torch::NoGradGuard noGrad;
    weight = register_parameter("weight", uniformOn({outFeatures, inFeatures}, bound, device));
    bias = register_parameter("bias", uniformOn({outFeatures}, bound, device));
}

torch::Tensor EncoderLinearImpl::forward(const torch::Tensor& x) {
    return torch::linear(x, weight, bias);  // [..., out]
}

EncoderMlpImpl::EncoderMlpImpl(const std::vector<int64_t>& widths, Activation activation, const torch::Device& device)
    : activation_(activation) {
    if (widths.size() < 2) throw std::invalid_argument("EncoderMlp: needs at least an input and an output width");
    for (size_t i = 0; i + 1 < widths.size(); ++i)
        linears.push_back(register_module(std::to_string(2 * i), EncoderLinear(widths[i], widths[i + 1], device)));
}

torch::Tensor EncoderMlpImpl::forward(torch::Tensor x) {
    for (size_t i = 0; i < linears.size(); ++i) {
        x = linears[i]->forward(x);
        if (i + 1 < linears.size()) x = activation_ == Activation::Relu ? torch::relu(x) : torch::tanh(x);
    }
    return x;
}

EncoderLstmImpl::EncoderLstmImpl(int64_t inputSize, int64_t hiddenSize, int64_t numLayers, double dropout,
                                 const torch::Device& device)
    : hiddenSize_(hiddenSize), numLayers_(numLayers), dropout_(dropout) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(hiddenSize));
    torch::NoGradGuard noGrad;
    for (int64_t layer = 0; layer < numLayers; ++layer) {
        const int64_t layerInput = layer == 0 ? inputSize : 2 * hiddenSize;
        for (const std::string suffix : {"", "_reverse"}) {
            const std::string tail = "_l" + std::to_string(layer) + suffix;
            auto uniform = [&](std::vector<int64_t> shape) { return uniformOn(shape, bound, device); };
            flatWeights_.push_back(register_parameter("weight_ih" + tail, uniform({4 * hiddenSize, layerInput})));
            flatWeights_.push_back(register_parameter("weight_hh" + tail, uniform({4 * hiddenSize, hiddenSize})));
            flatWeights_.push_back(register_parameter("bias_ih" + tail, uniform({4 * hiddenSize})));
            flatWeights_.push_back(register_parameter("bias_hh" + tail, uniform({4 * hiddenSize})));
        }
    }
}

torch::Tensor EncoderLstmImpl::forward(const torch::Tensor& x) {
    const torch::Tensor zeros = torch::zeros({2 * numLayers_, x.size(0), hiddenSize_}, x.options());  // [2L, B, h]
    const auto result = torch::lstm(x, {zeros, zeros}, flatWeights_, /*has_biases=*/true, numLayers_, dropout_,
                                    is_training(), /*bidirectional=*/true, /*batch_first=*/true);
    return std::get<0>(result);  // [B, n, 2h]
}

}  // namespace capsule::peft
