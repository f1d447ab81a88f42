#pragma once
// The tokenizer and dataset of a training config, loaded exactly as a training run loads them:
// the model's tokenizer, its chat template when it has a recognised one, the config's format,
// column mapping, template, max length, packing and train/validation split with its seed. The
// trainer and the in-context-learning baseline (icl_baseline.h) both load through here, so the
// baseline is scored on the very validation examples the runs are evaluated on.
#include "data/dataset_loader.h"
#include "data/dataset_options.h"
#include "tokenizer/tokenizer.h"
#include "train/training_config.h"

#include <memory>
#include <string>
#include <vector>

namespace capsule::train {

/// config's dataset settings as core/data options (column_mapping entries were checked by
/// TrainingConfig::validate()).
data::DatasetOptions datasetOptionsFor(const TrainingConfig& config);

struct RunDataset {
    std::unique_ptr<tokenizer::Tokenizer> tokenizer;
    data::LoadedDataset dataset;
    /// Problems that did not stop loading (an unreadable chat template that was ignored).
    std::vector<std::string> warnings;
};

/// Loads config.model's tokenizer and config.data. Throws what Tokenizer::fromDirectory and
/// data::loadDataset throw (messages name the file).
RunDataset loadRunDataset(const TrainingConfig& config);

}  // namespace capsule::train
