#pragma once
// A small random generator whose sequence is fixed by its seed on every platform and standard
// library (std::shuffle and std::uniform_int_distribution are not: their algorithms are left to
// the implementation). SplitMix64 for the bits, rejection sampling for unbiased ranges,
// Fisher-Yates for shuffles. Used for the train/validation split and per-epoch batch order, so a
// run resumes on the same order. Not thread-safe (one per user).
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace capsule::data {

class SeededRandom {
public:
    explicit SeededRandom(uint64_t seed) : state_(seed) {}
    /// A generator for one purpose (e.g. epoch 3 of the batch order) derived from a seed.
    static SeededRandom forStream(uint64_t seed, uint64_t stream);

    uint64_t next();
    /// Uniform in [0, bound); bound must be > 0.
    uint64_t below(uint64_t bound);

    template <typename T>
    void shuffle(std::vector<T>& values) {
        for (size_t i = values.size(); i > 1; --i) {
            const size_t j = static_cast<size_t>(below(i));
            std::swap(values[i - 1], values[j]);
        }
    }

private:
    uint64_t state_;
};

}  // namespace capsule::data
