#pragma once
// Exporting and checking adapter folders in the Hugging Face PEFT layout (adapter_io.h):
// capsule-cli export and the studio's Export / Import share these.
#include <cstdint>
#include <string>

namespace capsule::peft {

/// What an adapter folder holds, read without a model (cheap: the config and the safetensors header).
struct AdapterFolderSummary {
    std::string peftType;          // "LORA", "ADALORA", "IA3", "PROMPT_TUNING", ...
    std::string baseModel;         // base_model_name_or_path; "" when absent
    int64_t tensorCount = 0;       // tensors in adapter_model.safetensors
    int64_t parameterCount = 0;    // their elements
    bool canMerge = false;         // LoRA, AdaLoRA and IA3 fold into the base weights
};

/// Checks `folder`: adapter_config.json parses as the config of a peft_type Capsule loads, and
/// adapter_model.safetensors has a valid header with at least one tensor. Throws
/// std::runtime_error naming the file at fault (a legacy adapter_model.bin is named as such).
AdapterFolderSummary inspectAdapterFolder(const std::string& folder);

/// Copies adapter_config.json and adapter_model.safetensors of `adapterFolder` into `outputFolder`
/// through a temporary sibling folder that replaces it once both copies are verified (same size,
/// same bytes, the copy inspects as an adapter). Refuses to replace a non-empty folder that is not
/// an adapter folder. On error nothing is left at `outputFolder` that was not there before.
void exportAdapterFolder(const std::string& adapterFolder, const std::string& outputFolder);

}  // namespace capsule::peft
