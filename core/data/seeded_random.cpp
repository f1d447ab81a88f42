#include "data/seeded_random.h"

namespace capsule::data {

SeededRandom SeededRandom::forStream(uint64_t seed, uint64_t stream) {
    // Mix the stream into the seed through one SplitMix64 step so nearby streams are unrelated.
    SeededRandom mixer(seed ^ (stream * 0xD1B54A32D192ED03ull));
    return SeededRandom(mixer.next());
}

uint64_t SeededRandom::next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t SeededRandom::below(uint64_t bound) {
    if (bound <= 1) return 0;
    // Reject the top partial range so every value is equally likely.
    const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t value = next();
    while (value >= limit) value = next();
    return value % bound;
}

}  // namespace capsule::data
