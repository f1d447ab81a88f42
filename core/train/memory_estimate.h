#pragma once
// How much memory a training run needs, before it starts: the setup page shows it next to the
// model so that a user sees "this will not fit" before pressing Start, not after an OOM.
//
// The parts, in bytes:
//   weights     every base parameter at the compute dtype (the loader casts to it; frozen),
//   adapter     each trainable parameter in fp32 with its gradient and AdamW's two moments (16 B),
//   activations what backward keeps per transformer layer; Korthikanti et al. 2022 ("Reducing
//               activation recomputation in large transformer models", eq. 2) count
//               s·b·h·(34 + 5·a·s/h) bytes for 16-bit activations with a 4h MLP: 11·s·b·h for the
//               attention block's linears and dropouts, 4·s·b·h for the two norms, 5·a·s²·b for the score/softmax/dropout
//               matrices (no fused attention in LibTorch 1.13), 19·s·b·h for the MLP. The MLP
//               term scales with the intermediate width (and ×1.5 for gated SiLU MLPs with three
//               matrices); fp32 doubles everything.
//   logits      b·s·V fp32 logits, their log-softmax and its gradient (3 × 4 B each).
// An estimate of the tensors, not of the allocator: LibTorch's caching, OpenBLAS buffers and the
// process itself come on top (measured in the closing notes of the training-engine issue).
// Plain data, no LibTorch.
#include "model/model_config.h"

#include <cstdint>
#include <string>

namespace capsule::train {

struct MemoryEstimate {
    int64_t weightBytes = 0;
    int64_t adapterBytes = 0;      // trainable parameters + gradients + AdamW moments
    int64_t activationBytes = 0;   // all layers, one micro-batch
    int64_t logitsBytes = 0;
    int64_t sequenceLength = 0;    // tokens per row the estimate assumed (max length + virtual tokens)
    std::string computeDtype;      // canonical name, e.g. "float32"
    int64_t totalBytes() const { return weightBytes + adapterBytes + activationBytes + logitsBytes; }
};

/// Bytes per element of a canonical dtype name ("float32" 4, "bfloat16"/"float16" 2); 4 otherwise.
int64_t bytesPerElement(const std::string& computeDtype);

/// The estimate for one micro-batch of `batchSize` rows of `sequenceLength` tokens (prompt-learning
/// methods add their virtual tokens to it before calling). `baseParameters` are the model's own
/// parameters, `trainableParameters` the adapter's (as peft::countTrainableParameters gives them).
MemoryEstimate estimateTrainingMemory(const model::ModelConfig& config, int64_t baseParameters,
                                      int64_t trainableParameters, int64_t batchSize, int64_t sequenceLength,
                                      const std::string& computeDtype);

/// "1.5 GiB", "312 MiB", "48 KiB", "512 B" (binary units, one decimal above MiB).
std::string formatBytes(int64_t bytes);

}  // namespace capsule::train
