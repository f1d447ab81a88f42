#include "data/dataset_split.h"

#include "data/seeded_random.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace capsule::data {

SplitIndices splitTrainValidation(size_t count, double validationFraction, uint64_t seed) {
    if (!(validationFraction >= 0.0 && validationFraction < 1.0))
        throw std::invalid_argument("validation_fraction must be in [0, 1), got " + std::to_string(validationFraction));
    size_t validationCount = static_cast<size_t>(std::llround(static_cast<double>(count) * validationFraction));
    if (validationFraction > 0.0 && count >= 2) validationCount = std::max<size_t>(validationCount, 1);
    if (count > 0) validationCount = std::min(validationCount, count - 1);
    else validationCount = 0;

    std::vector<size_t> order(count);
    std::iota(order.begin(), order.end(), size_t{0});
    SeededRandom random = SeededRandom::forStream(seed, /*stream=*/0x5B1170ull);
    random.shuffle(order);

    SplitIndices split;
    split.validation.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(validationCount));
    split.train.assign(order.begin() + static_cast<std::ptrdiff_t>(validationCount), order.end());
    std::sort(split.validation.begin(), split.validation.end());
    std::sort(split.train.begin(), split.train.end());
    return split;
}

}  // namespace capsule::data
