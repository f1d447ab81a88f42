#pragma once
// Training checkpoints: everything needed to continue a run exactly where it stopped.
//
//   <folder>/adapter/               the adapter in HF PEFT layout (usable on its own)
//   <folder>/trainer_state.json     format version, step, data position, best eval, full config
//   <folder>/trainable.pt           the trainable tensors, exact values, in trainableParameters() order
//   <folder>/optimizer.pt           AdamW state (moments, step counts)
//   <folder>/rng.pt                 the CPU generator state (dropout draws)
//
// The folder is written to a temporary sibling first and then renamed into place
// (io::atomicReplaceDirectory), so a crash never leaves a half-written checkpoint.
#include "peft/adapter.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>

namespace capsule::train {

inline constexpr int kCheckpointFormatVersion = 1;

/// The trainer's own counters at a checkpoint.
struct CheckpointState {
    int64_t step = 0;                     // optimizer steps done
    int64_t epoch = 0;                    // data position: next batch
    int64_t batchIndex = 0;
    std::optional<double> bestMetric;     // best eval value so far (see bestMetricName)
    std::string bestMetricName;           // "accuracy" (higher is better) or "eval_loss"
    int64_t bestStep = 0;
    int64_t evaluationsWithoutImprovement = 0;
    std::optional<double> lossScale;      // float16 dynamic loss scale (absent: no scaler)
    int64_t lossScaleFiniteSteps = 0;     // finite steps since the scale last changed
    nlohmann::json config;                // toJson(TrainingConfig) of the run
};

/// Writes a checkpoint folder atomically (replacing an existing one).
void writeCheckpoint(const std::string& folder, peft::AdapterMethod& adapter, torch::optim::Optimizer& optimizer,
                     const CheckpointState& state);

/// Reads trainer_state.json; throws std::runtime_error naming the file for a missing file, a
/// newer format version or missing fields.
CheckpointState readCheckpointState(const std::string& folder);

/// Restores trainable values, optimizer state and the CPU generator from `folder` into an adapter
/// built and applied from the same config. Throws std::runtime_error naming the file and tensor
/// when counts or shapes differ.
void restoreCheckpoint(const std::string& folder, peft::AdapterMethod& adapter, torch::optim::Optimizer& optimizer);

/// `out`/checkpoints/step-N.
std::string checkpointFolder(const std::string& out, int64_t step);

}  // namespace capsule::train
