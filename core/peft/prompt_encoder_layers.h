#pragma once
// The layers of PEFT's prompt encoders (nn.Embedding, nn.Linear, nn.LSTM, nn.Sequential), with
// PyTorch's parameter names, shapes and default initialisations, allocated directly on the
// target device. torch::nn modules allocate on the CPU and move with to(), which cannot reach the
// meta device (shape-only models for parameter counts) and costs a copy on CUDA.
//
//   embedding table  N(0, 1)                        (nn.Embedding.reset_parameters)
//   linear           weight, bias ~ U(±1/√in)       (kaiming_uniform(a=√5) and its bias rule)
//   LSTM             every tensor ~ U(±1/√hidden)   (nn.LSTM.reset_parameters)
//
// All draws use the global LibTorch generator of the device (torch::manual_seed on the CPU).
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace capsule::peft {

/// A [rows, width] float32 table ~ N(0, 1) on `device`, wrapped in torch::nn::Embedding
/// (parameter "weight").
torch::nn::Embedding makeEmbedding(int64_t rows, int64_t width, const torch::Device& device);

/// nn.Linear: parameters "weight" [out, in] and "bias" [out].
class EncoderLinearImpl : public torch::nn::Module {
public:
    EncoderLinearImpl(int64_t inFeatures, int64_t outFeatures, const torch::Device& device);
    torch::Tensor forward(const torch::Tensor& x);  // [..., in] -> [..., out]

    torch::Tensor weight;  // [out, in] float32
    torch::Tensor bias;    // [out] float32
};
TORCH_MODULE(EncoderLinear);

/// nn.Sequential(Linear, act, Linear, act, ..., Linear): the linears are children "0", "2", "4",
/// ... (the activations have no parameters), so the names match PyTorch's.
class EncoderMlpImpl : public torch::nn::Module {
public:
    enum class Activation { Relu, Tanh };
    /// `widths` = {in, hidden..., out}: widths.size() − 1 linears.
    EncoderMlpImpl(const std::vector<int64_t>& widths, Activation activation, const torch::Device& device);
    torch::Tensor forward(torch::Tensor x);  // [..., in] -> [..., out]

    std::vector<EncoderLinear> linears;

private:
    Activation activation_;
};
TORCH_MODULE(EncoderMlp);

/// nn.LSTM(input, hidden, num_layers, dropout, bidirectional=True, batch_first=True): parameters
/// weight_ih_l{k}[_reverse] [4h, in_k], weight_hh_l{k}[_reverse] [4h, h], bias_ih_l{k}[_reverse],
/// bias_hh_l{k}[_reverse] [4h] (gates i, f, g, o); in_0 = input, in_k = 2h. Dropout between
/// layers in training mode only.
class EncoderLstmImpl : public torch::nn::Module {
public:
    EncoderLstmImpl(int64_t inputSize, int64_t hiddenSize, int64_t numLayers, double dropout,
                    const torch::Device& device);
    torch::Tensor forward(const torch::Tensor& x);  // [B, n, input] -> [B, n, 2h]

private:
    int64_t hiddenSize_;
    int64_t numLayers_;
    double dropout_;
    std::vector<torch::Tensor> flatWeights_;  // PyTorch's _flat_weights order
};
TORCH_MODULE(EncoderLstm);

}  // namespace capsule::peft
