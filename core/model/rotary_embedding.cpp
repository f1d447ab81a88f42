#include "model/rotary_embedding.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace capsule::model {
namespace {

constexpr double kPi = 3.14159265358979323846;

/// 1 / θ^(2j/D), j = 0..D/2−1, in float32 as transformers computes it.
torch::Tensor defaultInverseFrequencies(int64_t dim, double theta) {
    const torch::Tensor exponents = torch::arange(0, dim, 2, torch::kLong).to(torch::kFloat) / static_cast<double>(dim);
    return 1.0 / torch::pow(theta, exponents);  // [D/2]
}

double yarnMscale(double scale, double mscale) {
    if (scale <= 1.0) return 1.0;
    return 0.1 * mscale * std::log(scale) + 1.0;
}

}  // namespace

RotaryEmbedding::RotaryEmbedding(const ModelConfig& config)
    : dim_(config.headDim),
      theta_(config.ropeTheta),
      maxPositionEmbeddings_(config.maxPositionEmbeddings),
      scaling_(config.ropeScaling) {
    if (dim_ <= 0 || dim_ % 2 != 0) throw std::invalid_argument("RotaryEmbedding: head_dim must be positive and even");
    if (scaling_.type == "yarn") {
        if (scaling_.attentionFactor) {
            attentionScaling_ = *scaling_.attentionFactor;
        } else if (scaling_.mscale && scaling_.mscaleAllDim && *scaling_.mscale != 0.0 && *scaling_.mscaleAllDim != 0.0) {
            attentionScaling_ = yarnMscale(scaling_.factor, *scaling_.mscale) / yarnMscale(scaling_.factor, *scaling_.mscaleAllDim);
        } else {
            attentionScaling_ = yarnMscale(scaling_.factor, 1.0);
        }
    }
    if (scaling_.type != "dynamic") staticInverseFrequencies_ = computeInverseFrequencies(maxPositionEmbeddings_);
}

torch::Tensor RotaryEmbedding::computeInverseFrequencies(int64_t sequenceLength) const {
    torch::NoGradGuard noGrad;
    const std::string& type = scaling_.type;
    if (type == "default") return defaultInverseFrequencies(dim_, theta_);
    if (type == "linear") return defaultInverseFrequencies(dim_, theta_) / scaling_.factor;
    if (type == "dynamic") {
        const int64_t trained = scaling_.originalMaxPositionEmbeddings.value_or(maxPositionEmbeddings_);
        if (sequenceLength <= trained) return defaultInverseFrequencies(dim_, theta_);
        const double ratio = scaling_.factor * static_cast<double>(sequenceLength) / static_cast<double>(trained) -
                             (scaling_.factor - 1.0);
        const double base = theta_ * std::pow(ratio, static_cast<double>(dim_) / static_cast<double>(dim_ - 2));
        return defaultInverseFrequencies(dim_, base);
    }
    if (type == "llama3") {
        const torch::Tensor inverse = defaultInverseFrequencies(dim_, theta_);  // [D/2]
        const double original = static_cast<double>(*scaling_.originalMaxPositionEmbeddings);
        const double lowWavelength = original / scaling_.lowFrequencyFactor;
        const double highWavelength = original / scaling_.highFrequencyFactor;
        const torch::Tensor wavelength = 2.0 * kPi / inverse;  // [D/2]
        // Long wavelengths (low frequencies) are interpolated, short ones kept, the band between blended.
        torch::Tensor scaled = torch::where(wavelength > lowWavelength, inverse / scaling_.factor, inverse);
        const torch::Tensor smooth = (original / wavelength - scaling_.lowFrequencyFactor) /
                                     (scaling_.highFrequencyFactor - scaling_.lowFrequencyFactor);
        const torch::Tensor smoothed = (1.0 - smooth) * scaled / scaling_.factor + smooth * scaled;
        const torch::Tensor isMedium = wavelength.ge(highWavelength).logical_and(wavelength.le(lowWavelength));
        return torch::where(isMedium, smoothed, scaled);
    }
    if (type == "yarn") {
        // The correction range is measured against the trained context length.
        const double trained = static_cast<double>(scaling_.originalMaxPositionEmbeddings.value_or(maxPositionEmbeddings_));
        const torch::Tensor positionFrequencies =
            torch::pow(theta_, torch::arange(0, dim_, 2, torch::kLong).to(torch::kFloat) / static_cast<double>(dim_));
        const torch::Tensor extrapolation = 1.0 / positionFrequencies;                      // [D/2]
        const torch::Tensor interpolation = 1.0 / (scaling_.factor * positionFrequencies);  // [D/2]
        auto correctionDim = [&](double rotations) {
            return (static_cast<double>(dim_) * std::log(trained / (rotations * 2.0 * kPi))) / (2.0 * std::log(theta_));
        };
        double low = std::max(std::floor(correctionDim(scaling_.betaFast)), 0.0);
        double high = std::min(std::ceil(correctionDim(scaling_.betaSlow)), static_cast<double>(dim_ - 1));
        if (low == high) high += 0.001;  // avoid a zero-width ramp
        const torch::Tensor ramp =
            ((torch::arange(dim_ / 2, torch::kLong).to(torch::kFloat) - low) / (high - low)).clamp(0.0, 1.0);
        const torch::Tensor extrapolationWeight = 1.0 - ramp;  // [D/2]
        return interpolation * (1.0 - extrapolationWeight) + extrapolation * extrapolationWeight;
    }
    throw std::invalid_argument("RotaryEmbedding: unsupported rope type '" + type + "'");
}

torch::Tensor RotaryEmbedding::inverseFrequencies(int64_t sequenceLength) const {
    if (staticInverseFrequencies_.defined()) return staticInverseFrequencies_;
    return computeInverseFrequencies(sequenceLength);
}

std::pair<torch::Tensor, torch::Tensor> RotaryEmbedding::cosSin(const torch::Tensor& positionIds,
                                                                torch::ScalarType dtype) const {
    torch::Tensor inverse;
    if (dependsOnSequenceLength()) {
        const int64_t sequenceLength = positionIds.numel() == 0 ? 0 : positionIds.max().item<int64_t>() + 1;
        inverse = computeInverseFrequencies(sequenceLength).to(positionIds.device());
    } else {
        std::lock_guard<std::mutex> lock(deviceCacheMutex_);
        if (!deviceInverseFrequencies_.defined() || deviceInverseFrequencies_.device() != positionIds.device())
            deviceInverseFrequencies_ = staticInverseFrequencies_.to(positionIds.device());
        inverse = deviceInverseFrequencies_;
    }
    const torch::Tensor angles = positionIds.to(torch::kFloat).unsqueeze(-1) * inverse;  // [B, T, D/2]
    const torch::Tensor doubled = torch::cat({angles, angles}, -1);                      // [B, T, D]
    torch::Tensor cos = doubled.cos();
    torch::Tensor sin = doubled.sin();
    if (attentionScaling_ != 1.0) {
        cos = cos * attentionScaling_;
        sin = sin * attentionScaling_;
    }
    return {cos.to(dtype), sin.to(dtype)};
}

torch::Tensor rotateHalf(const torch::Tensor& x) {
    const int64_t half = x.size(-1) / 2;
    return torch::cat({-x.slice(-1, half), x.slice(-1, 0, half)}, -1);
}

torch::Tensor applyRotaryEmbedding(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
    const torch::Tensor cosPerHead = cos.unsqueeze(1);  // [B, 1, T, D]
    const torch::Tensor sinPerHead = sin.unsqueeze(1);  // [B, 1, T, D]
    return x * cosPerHead + rotateHalf(x) * sinPerHead;
}

}  // namespace capsule::model
