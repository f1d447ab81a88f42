#pragma once
// Exporting a model with its adapter merged in as a plain Hugging Face model folder that
// transformers loads with from_pretrained (no PEFT needed):
//
//   config.json                         copied from the base model folder
//   model.safetensors                   or model-0000i-of-0000n.safetensors + index above the
//                                       shard limit (5 GB by default, as save_pretrained)
//   tokenizer / generation files        copied when the base folder has them
//
// Tensor names are the HF names of the base model; GPT-2 Conv1D weights stay [in, out]; a tied
// lm_head is not written (transformers re-ties it). The merge is computed out of place: the
// model and its adapter are left as they were.
#include "model/causal_lm.h"
#include "peft/adapter.h"

#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace capsule::peft {

struct MergedExportOptions {
    int64_t maxShardBytes = 5'000'000'000;
    /// Dtype of the written weights; default: the model's.
    std::optional<torch::ScalarType> dtype;
};

/// The files copied next to the weights when present in the base folder.
const std::vector<std::string>& modelSideFiles();

/// The model's parameters as transformers names them, with `adapter`'s merge applied (adapter
/// parameters excluded, tied weights once). `adapter` may be null (plain export).
std::vector<std::pair<std::string, torch::Tensor>> mergedModelTensors(model::CausalLM& model, AdapterMethod* adapter);

/// Writes the merged model to `outputFolder` (through a temporary sibling folder that replaces
/// it). `baseModelFolder` supplies config.json and the tokenizer files. Refuses to replace an
/// existing non-empty folder that is not a model folder (has no config.json). Throws
/// std::runtime_error naming the folder; for adapters that cannot merge (prompt learning) the
/// message says so.
void exportMergedModel(model::CausalLM& model, AdapterMethod* adapter, const std::string& baseModelFolder,
                       const std::string& outputFolder, const MergedExportOptions& options = {});

}  // namespace capsule::peft
