#pragma once
// Learning-rate schedules as pure functions of the optimizer step (so a resumed run gets exactly
// the rates of an uninterrupted one), matching transformers' get_*_schedule_with_warmup:
//   warmup (step < warmup):  base · step / warmup
//   constant:                base
//   linear:                  base · max(0, (total − step) / (total − warmup))
//   cosine:                  base · max(0, ½ (1 + cos(π · (step − warmup) / (total − warmup))))
// `step` counts optimizer steps already taken (0 for the first update). No LibTorch here.
#include <cstdint>
#include <string>

namespace capsule::train {

enum class ScheduleKind { Constant, Linear, Cosine };

/// "constant", "linear", "cosine"; throws std::invalid_argument for other names.
ScheduleKind parseSchedule(const std::string& name);

struct ScheduleSettings {
    ScheduleKind kind = ScheduleKind::Linear;
    double baseLearningRate = 1e-4;
    int64_t warmupSteps = 0;
    int64_t totalSteps = 1;
};

/// The learning rate for the update that follows `step` completed optimizer steps.
double learningRateAt(const ScheduleSettings& settings, int64_t step);

/// Warmup steps from an explicit count or a ratio of the total (ceil, as transformers).
int64_t resolveWarmupSteps(int64_t warmupSteps, double warmupRatio, int64_t totalSteps);

}  // namespace capsule::train
