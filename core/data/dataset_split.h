#pragma once
// Seeded train/validation split of row indices: a fixed-seed permutation (SeededRandom) decides
// which rows go to validation; both lists come back in file order. The same seed and the same
// rows always give the same split, on any machine.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace capsule::data {

struct SplitIndices {
    std::vector<size_t> train;       // ascending
    std::vector<size_t> validation;  // ascending
};

/// round(count * validationFraction) rows go to validation, at least 1 when the fraction is > 0
/// and there are 2 rows or more, and never all of them. Throws std::invalid_argument when the
/// fraction is outside [0, 1).
SplitIndices splitTrainValidation(size_t count, double validationFraction, uint64_t seed);

}  // namespace capsule::data
