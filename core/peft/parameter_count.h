#pragma once
// Trainable-parameter counts exactly as PEFT's print_trainable_parameters() reports them:
// every parameter of the model once (a tied LM head counts once, as torch's named_parameters
// de-duplicates), including frozen adapter bookkeeping such as AdaLoRA's ranknum; trainable =
// requires_grad. Works on meta-device models (only shapes are read).
#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace capsule::peft {

struct ParameterCounts {
    int64_t trainable = 0;
    int64_t all = 0;
};

/// PEFT's get_nb_trainable_parameters() over `module` and its children.
ParameterCounts countTrainableParameters(const torch::nn::Module& module);

/// "trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364"
std::string formatTrainableParameters(const ParameterCounts& counts);

/// 1234567 -> "1,234,567" (Python's format spec ",d").
std::string withThousandsSeparators(int64_t value);

}  // namespace capsule::peft
