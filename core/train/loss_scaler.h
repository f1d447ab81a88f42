#pragma once
// Dynamic loss scaling for float16 training. float16's 5-bit exponent flushes gradients below
// ~6e-8 to zero and overflows above 65504, so (as torch.cuda.amp.GradScaler does) the loss is
// multiplied by a scale S before backward and the gradients divided by S before the optimizer;
// a step whose gradients overflowed is skipped and S halved; after `growthInterval` finite steps
// in a row S doubles. Powers of two keep scaling exact: with finite gradients a scaled step
// gives bit-identical updates to an unscaled one.
//
// The trainer enables it for float16 compute ("auto"); bfloat16 and float32 have float32's
// exponent range and need none. Pure logic, no tensors: the trainer applies the scale.
#include <cstdint>
#include <optional>
#include <string>

namespace capsule::train {

class LossScaler {
public:
    static constexpr double kDefaultInitialScale = 65536.0;  // 2^16, GradScaler's init_scale
    static constexpr int64_t kDefaultGrowthInterval = 2000;  // GradScaler's growth_interval
    /// Below this the run gives up: the forward pass itself overflows float16.
    static constexpr double kSmallestScale = 1.0 / 16777216.0;  // 2^-24

    /// The scaler a `loss_scale` setting asks for: "auto" (dynamic for float16, none otherwise),
    /// "off", "dynamic" (from 2^16), or a positive number (dynamic, starting there). Throws
    /// std::invalid_argument for anything else.
    static std::optional<LossScaler> fromSetting(const std::string& setting, bool float16Compute);
    /// Whether `setting` is one fromSetting accepts.
    static bool isValidSetting(const std::string& setting);
    /// The error for a setting isValidSetting rejects (names the option and the accepted values).
    static std::string invalidSettingMessage(const std::string& setting);

    explicit LossScaler(double initialScale = kDefaultInitialScale, int64_t growthInterval = kDefaultGrowthInterval);

    double scale() const { return scale_; }
    int64_t finiteSteps() const { return finiteSteps_; }
    /// Records one step's outcome: finite gradients → true (apply the step; maybe grow S);
    /// overflow → false (skip the step; S halves).
    bool update(bool gradientsFinite);
    /// True once S fell below kSmallestScale.
    bool exhausted() const { return scale_ < kSmallestScale; }
    /// State from a checkpoint.
    void restore(double scale, int64_t finiteSteps);

private:
    double scale_;
    int64_t growthInterval_;
    int64_t finiteSteps_ = 0;  // finite steps since the last change of S
};

}  // namespace capsule::train
