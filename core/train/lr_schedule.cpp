#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace capsule::train {

ScheduleKind parseSchedule(const std::string& name) {
    if (name == "constant") return ScheduleKind::Constant;
    if (name == "linear") return ScheduleKind::Linear;
    if (name == "cosine") return ScheduleKind::Cosine;
    throw std::invalid_argument("unknown schedule '" + name + "' (expected constant, linear or cosine)");
}

double learningRateAt(const ScheduleSettings& settings, int64_t step) {
    const double base = settings.baseLearningRate;
    const int64_t warmup = std::max<int64_t>(0, settings.warmupSteps);
    if (step < warmup) return base * static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, warmup));
    if (settings.kind == ScheduleKind::Constant) return base;
    const double decaySteps = static_cast<double>(std::max<int64_t>(1, settings.totalSteps - warmup));
    const double progress = static_cast<double>(step - warmup) / decaySteps;
    if (settings.kind == ScheduleKind::Linear) return base * std::max(0.0, 1.0 - progress);
    constexpr double pi = 3.14159265358979323846;
    return base * std::max(0.0, 0.5 * (1.0 + std::cos(pi * progress)));
}

int64_t resolveWarmupSteps(int64_t warmupSteps, double warmupRatio, int64_t totalSteps) {
    if (warmupSteps > 0) return warmupSteps;
    if (warmupRatio <= 0) return 0;
    return static_cast<int64_t>(std::ceil(warmupRatio * static_cast<double>(totalSteps)));
}

}  // namespace capsule::train
