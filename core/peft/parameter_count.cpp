#include "peft/parameter_count.h"

#include <cstdio>
#include <set>

namespace capsule::peft {

ParameterCounts countTrainableParameters(const torch::nn::Module& module) {
    ParameterCounts counts;
    std::set<const void*> seen;
    for (const auto& parameter : module.parameters(/*recurse=*/true)) {
        if (!seen.insert(parameter.unsafeGetTensorImpl()).second) continue;
        counts.all += parameter.numel();
        if (parameter.requires_grad()) counts.trainable += parameter.numel();
    }
    return counts;
}

std::string withThousandsSeparators(int64_t value) {
    std::string digits = std::to_string(value);
    const bool negative = !digits.empty() && digits[0] == '-';
    if (negative) digits.erase(0, 1);
    std::string text;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
        text += digits[i];
    }
    return negative ? "-" + text : text;
}

std::string formatTrainableParameters(const ParameterCounts& counts) {
    char percent[64];
    const double ratio = counts.all > 0 ? 100.0 * static_cast<double>(counts.trainable) / static_cast<double>(counts.all)
                                        : 0.0;
    std::snprintf(percent, sizeof percent, "%.4f", ratio);
    return "trainable params: " + withThousandsSeparators(counts.trainable) +
           " || all params: " + withThousandsSeparators(counts.all) + " || trainable%: " + percent;
}

}  // namespace capsule::peft
