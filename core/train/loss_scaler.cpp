#include "train/loss_scaler.h"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace capsule::train {
namespace {

/// A positive finite number written in full ("65536", "1024.0", "1e4"), or nothing.
std::optional<double> parseScale(const std::string& setting) {
    if (setting.empty()) return std::nullopt;
    char* end = nullptr;
    const double value = std::strtod(setting.c_str(), &end);
    if (end != setting.c_str() + setting.size() || !std::isfinite(value) || value <= 0) return std::nullopt;
    return value;
}

}  // namespace

bool LossScaler::isValidSetting(const std::string& setting) {
    return setting == "auto" || setting == "off" || setting == "dynamic" || parseScale(setting).has_value();
}

std::string LossScaler::invalidSettingMessage(const std::string& setting) {
    return "option --loss-scale: '" + setting + "' is not auto, off, dynamic or a positive number";
}

std::optional<LossScaler> LossScaler::fromSetting(const std::string& setting, bool float16Compute) {
    if (!isValidSetting(setting)) throw std::invalid_argument(invalidSettingMessage(setting));
    if (setting == "off" || (setting == "auto" && !float16Compute)) return std::nullopt;
    if (setting == "auto" || setting == "dynamic") return LossScaler();
    return LossScaler(*parseScale(setting));
}

LossScaler::LossScaler(double initialScale, int64_t growthInterval)
    : scale_(initialScale), growthInterval_(growthInterval) {}

bool LossScaler::update(bool gradientsFinite) {
    if (!gradientsFinite) {
        scale_ *= 0.5;
        finiteSteps_ = 0;
        return false;
    }
    if (++finiteSteps_ >= growthInterval_) {
        scale_ *= 2.0;
        finiteSteps_ = 0;
    }
    return true;
}

void LossScaler::restore(double scale, int64_t finiteSteps) {
    scale_ = scale;
    finiteSteps_ = finiteSteps;
}

}  // namespace capsule::train
