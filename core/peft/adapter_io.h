#pragma once
// Files of a Hugging Face PEFT adapter folder (peft-spec.md §1):
//
//   adapter_config.json        the method's config (peft_config.h writes / parses it)
//   adapter_model.safetensors  the adapter tensors under their saved keys, F32, with
//                              "__metadata__": {"format": "pt"}
//   adapter_model.bin          legacy pickle: not read (the error says to convert it)
//
// saveAdapter() / loadAdapter() (adapter.h) are built from these pieces.
#include "peft/adapter.h"

#include <string>
#include <vector>

namespace capsule::peft {

inline constexpr const char* kAdapterConfigFile = "adapter_config.json";
inline constexpr const char* kAdapterWeightsFile = "adapter_model.safetensors";
inline constexpr const char* kAdapterPickleFile = "adapter_model.bin";

/// The text of `folder`/adapter_config.json. Throws std::runtime_error naming the folder when it
/// is missing or unreadable.
std::string readAdapterConfigText(const std::string& folder);

/// Writes the two files of an adapter folder (see saveAdapter() for the atomicity rules).
/// Tensors are written as contiguous CPU copies in their own dtype.
void writeAdapterFolder(const std::string& folder, const std::string& configJson, const NamedTensorList& tensors);

/// Copies the tensors of `weightsPath` into `targets` (saved key -> live tensor) after checking
/// that every target is present with exactly its shape and a floating dtype. Keys of the file that
/// are not targets are offered to `model` as base-model parameters (base_model.model.<name>, with
/// `.base_layer` removed); anything else is an error. All problems are reported in one
/// std::runtime_error, one per line, each naming the tensor and the file.
void loadAdapterTensors(const std::string& weightsPath, const NamedTensorList& targets, model::CausalLM& model);

/// peft_type values Capsule knows of but cannot load (yet), for messages.
bool isKnownPeftType(const std::string& peftType);

}  // namespace capsule::peft
