#pragma once
// The training loop: loads model, tokenizer and data, attaches the PEFT method, trains with AdamW
// under a learning-rate schedule, evaluates, checkpoints and saves the adapter (HF PEFT layout).
//
// Trainer::run() is a blocking call that knows nothing about threads: progress goes to the
// observer (on the calling thread), cancellation and pause come through a TrainingControl checked
// before every micro-batch. It never throws for training problems: a bad config, a bad batch,
// NaN/Inf loss or running out of memory end the run with status Failed and a reason that says
// what to change.
#include "train/training_config.h"
#include "train/training_control.h"
#include "train/training_observer.h"

#include <cstdint>
#include <optional>
#include <string>

namespace capsule::train {

struct TrainingResult {
    TrainingStatus status = TrainingStatus::Failed;
    std::string reason;             // failure reason, or why it finished (max steps, early stopping)
    int64_t steps = 0;              // optimizer steps done (including resumed ones)
    std::string adapterFolder;      // the final adapter (empty when none was written)
    std::string lastCheckpoint;     // the newest checkpoint folder written or resumed from
    std::optional<EvalMetrics> lastEval;
    std::optional<double> bestMetric;
    std::string bestMetricName;
    int64_t trainableParameters = 0;
};

/// The compute dtype `requested` ("auto", "float32", "bfloat16", ...) resolves to on a device:
/// auto -> bf16 on CUDA (fp16 on CUDA device `cudaDevice` when its compute capability is below 8),
/// bf16 on CPUs with native bf16 (AVX512-BF16 or AMX), else float32. Returns the canonical name.
std::string resolveComputeDtype(const std::string& requested, bool cuda, int cudaDevice = 0);
/// True when /proc/cpuinfo lists avx512_bf16 or amx_bf16.
bool cpuHasNativeBfloat16();

class Trainer {
public:
    /// Runs (or, with config.resume, continues) a training run. `control` may be null.
    static TrainingResult run(const TrainingConfig& config, TrainingObserver& observer, TrainingControl* control = nullptr);
};

}  // namespace capsule::train
