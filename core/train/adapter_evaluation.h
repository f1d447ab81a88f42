#pragma once
// An adapter folder as a run: scored on a dataset's validation split exactly as the trainer
// evaluates (evaluation.h: token loss, rank-classification accuracy), and, for AdaLoRA, its final
// rank allocation read from adapter_config.json's rank_pattern, so an adapter made by HF PEFT in
// Python (or exported earlier) can be evaluated and charted like a run trained here.
#include "peft/rank_snapshot.h"
#include "train/icl_baseline.h"
#include "train/training_config.h"
#include "train/training_observer.h"

#include <cstdint>
#include <optional>
#include <string>

namespace capsule::train {

/// Scores the adapter in `adapterFolder` on config's model and data (its validation split, the
/// trainer's settings: batch size, dtype, device, length norm). `progress` as for the baseline.
/// Throws std::runtime_error naming the file: no validation examples, a model / adapter mismatch
/// ("tensor X: expected [..], got [..]"), unreadable files.
EvalMetrics evaluateAdapterFolder(const TrainingConfig& config, const std::string& adapterFolder,
                                  const IclProgress& progress = {});

/// AdaLoRA's allocation as saved: per `<module>.lora_E` key of rank_pattern, the kept count of
/// its init_r booleans. nullopt for other peft types or an AdaLoRA adapter saved before any
/// masking (rank_pattern null). Importance scores are not saved by PEFT: they stay empty.
/// Throws std::runtime_error naming the file when adapter_config.json is unreadable.
std::optional<peft::RankSnapshot> savedRankAllocation(const std::string& adapterFolder);

/// Adds an evaluation to run `runId` of the store: eval_loss, eval_perplexity (and accuracy) at
/// `step`, the best eval when it is the run's first or better, and an event naming the data.
void recordEvaluation(const std::string& storePath, int64_t runId, const EvalMetrics& metrics, const std::string& dataset,
                      int64_t step = 0);

/// Stores savedRankAllocation(adapterFolder) as run `runId`'s rank snapshot (step 0) when there is
/// one; returns whether it did.
bool recordSavedRankAllocation(const std::string& storePath, int64_t runId, const std::string& adapterFolder);

}  // namespace capsule::train
