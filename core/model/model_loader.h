#pragma once
// Loading a Hugging Face model folder (config.json + safetensors, sharded or not) into a CausalLM.
//
// Shape-checked (llama.cpp style): every parameter the config implies must be in the checkpoint
// with exactly its shape, and every checkpoint tensor must belong to the model, except the known
// buffers (GPT-2 `h.N.attn.bias` / `attn.masked_bias`, `rotary_emb.inv_freq`). All problems are
// reported at once in one line, separated by "; ": "tensor X: expected [..], got [..]", "missing tensor X",
// "unexpected tensor X". Weights are converted tensor by tensor from the memory-mapped file into
// the model's preallocated parameters (no second full copy in memory).
#include "model/causal_lm.h"

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace capsule::io {
class CheckpointReader;
}

namespace capsule::model {

struct LoadOptions {
    /// Compute dtype the weights are converted to: float32, bfloat16 or float16.
    torch::ScalarType dtype = torch::kFloat;
    /// Where the model lives; default: CUDA when available, else the CPU.
    std::optional<torch::Device> device;
};

/// "float32" / "fp32" / "float", "bfloat16" / "bf16", "float16" / "fp16" / "half".
/// Throws std::invalid_argument listing the accepted names.
torch::ScalarType parseComputeDtype(const std::string& name);
/// "float32", "bfloat16", "float16", ...
std::string computeDtypeName(torch::ScalarType dtype);
/// CUDA device 0 when LibTorch sees a GPU, else the CPU.
torch::Device defaultDevice();
/// "auto" (nullopt: defaultDevice()), "cpu", "cuda", "cuda:N". Throws std::invalid_argument for
/// other names and when CUDA is asked for but not available.
std::optional<torch::Device> parseDevice(const std::string& name);

/// Reads `folder`'s config.json and weights and returns the model in eval mode with frozen
/// weights (requires_grad false; PEFT trains its own parameters). Throws std::runtime_error naming
/// the folder and every mismatching tensor. When a Llama-family config leaves
/// tie_word_embeddings unset and the checkpoint has no lm_head.weight, the head is tied.
std::shared_ptr<CausalLM> loadModel(const std::string& folder, const LoadOptions& options = {});

/// Copies the checkpoint into `model`'s parameters after checking names and shapes (see above).
/// Tied parameters are loaded once; a stored lm_head.weight of a tied model is shape-checked and
/// ignored, as transformers does.
void loadWeights(CausalLM& model, const io::CheckpointReader& checkpoint);

/// The same checks without copying: one line per problem, empty when the checkpoint fits.
std::vector<std::string> checkpointProblems(CausalLM& model, const io::CheckpointReader& checkpoint);

/// `folder`'s config.json as loadModel uses it: a Llama-family config that leaves
/// tie_word_embeddings unset with no lm_head.weight in the checkpoint gets a tied head.
ModelConfig effectiveModelConfig(const std::string& folder, const io::CheckpointReader& checkpoint);

/// Parameters with their HF names, each tensor once (a tied LM head is listed under the
/// embedding's name only), in module order.
std::vector<std::pair<std::string, torch::Tensor>> uniqueNamedParameters(CausalLM& model);

/// Total element count of the unique parameters (transformers' num_parameters()).
int64_t countParameters(CausalLM& model);

/// Random weights for tests and benchmarks: norms 1, biases 0, everything else N(0, initializer
/// range), drawn from a CPU generator seeded with `seed` (same values on every device).
void initializeRandomWeights(CausalLM& model, uint64_t seed);

}  // namespace capsule::model
