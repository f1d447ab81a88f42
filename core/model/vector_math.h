#pragma once
// Element-wise float math for the fused CPU kernels (cross-entropy, tanh-GELU, dropout masks):
// branch-free inline functions that GCC vectorises inside loops compiled per instruction set
// (CAPSULE_VECTOR_CLONES). Debian's LibTorch 1.13 runs float32 exp/tanh/GELU element by element
// on this path (exp: ~2.2 ns per element on 2 cores) and its bfloat16 GELU backward is slower still;
// a vectorised loop is 10-20x faster.
#include <torch/torch.h>

#include <cstdint>
#include <cstring>

namespace capsule::model::vec {

// One clone per instruction set, picked at load time (ifunc): AVX-512, AVX2 or baseline x86-64.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CAPSULE_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define CAPSULE_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define CAPSULE_VECTOR_CLONES
#define CAPSULE_ALWAYS_INLINE inline
#endif
// Everything a clone calls must be inlined into it: an out-of-line callee is compiled once, for
// the baseline instruction set, and the loop around the call does not vectorise.

CAPSULE_ALWAYS_INLINE float bitsToFloat(uint32_t bits) {
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

CAPSULE_ALWAYS_INLINE uint32_t floatToBits(float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
}

/// bfloat16 (raw bits) -> float: the high half of a float32.
CAPSULE_ALWAYS_INLINE float bfloat16ToFloat(uint16_t raw) {
    return bitsToFloat(static_cast<uint32_t>(raw) << 16);
}

/// float -> bfloat16 (raw bits), round to nearest even as c10::BFloat16 does; NaN stays NaN.
CAPSULE_ALWAYS_INLINE uint16_t floatToBfloat16(float value) {
    const uint32_t bits = floatToBits(value);
    const uint32_t rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
    const bool nan = (bits & 0x7FFFFFFFu) > 0x7F800000u;
    return static_cast<uint16_t>(nan ? ((bits >> 16) | 0x40u) : rounded);
}

/// Independent accumulators for the kernels' row reductions (max, sum): with 16 lanes the loops
/// vectorise without -ffast-math (which would reassociate everything else too).
constexpr int64_t kLanes = 16;

/// Σ values[j] over `count` floats, in kLanes partial sums.
CAPSULE_ALWAYS_INLINE float laneSum(const float* values, int64_t count) {
    float lanes[kLanes] = {};
    int64_t j = 0;
    for (; j + kLanes <= count; j += kLanes)
        for (int64_t l = 0; l < kLanes; ++l) lanes[l] += values[j + l];
    float total = 0.0f;
    for (; j < count; ++j) total += values[j];
    for (float lane : lanes) total += lane;
    return total;
}

/// max(lowest, values[0..count)) in kLanes partial maxima.
CAPSULE_ALWAYS_INLINE float laneMax(const float* values, int64_t count, float lowest) {
    float lanes[kLanes];
    for (float& lane : lanes) lane = lowest;
    int64_t j = 0;
    for (; j + kLanes <= count; j += kLanes)
        for (int64_t l = 0; l < kLanes; ++l) lanes[l] = values[j + l] > lanes[l] ? values[j + l] : lanes[l];
    float largest = lowest;
    for (; j < count; ++j) largest = values[j] > largest ? values[j] : largest;
    for (float lane : lanes) largest = lane > largest ? lane : largest;
    return largest;
}

/// Element loads and stores for kernels templated on the storage type (float or raw bfloat16).
CAPSULE_ALWAYS_INLINE float loadFloat(float value) { return value; }
CAPSULE_ALWAYS_INLINE float loadBfloat16(uint16_t raw) { return bfloat16ToFloat(raw); }
CAPSULE_ALWAYS_INLINE float storeFloat(float value) { return value; }
CAPSULE_ALWAYS_INLINE uint16_t storeBfloat16(float value) { return floatToBfloat16(value); }

/// A tensor's storage as T* (uint16_t for bfloat16), for the kernels' raw loops.
template <typename T>
T* raw(const torch::Tensor& tensor) {
    return reinterpret_cast<T*>(tensor.data_ptr());
}

/// e^x in float32 (Cephes' expf: within 2 ulp) on [-87.3, 88]; 0 below, e^88 (finite) above.
/// Cody-Waite range reduction x = n·ln2 + r, |r| <= ln2/2, and a degree-7 polynomial for e^r.
CAPSULE_ALWAYS_INLINE float exp(float x) {
    const bool underflow = x <= -87.33654f;
    x = x < -87.33654f ? -87.33654f : x;
    x = x > 88.0f ? 88.0f : x;
    const float n = __builtin_rintf(x * 1.44269504088896341f);
    const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;  // ln2 split: hi + lo
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const float result = p * bitsToFloat(static_cast<uint32_t>(static_cast<int32_t>(n) + 127) << 23);
    return underflow ? 0.0f : result;
}

}  // namespace capsule::model::vec
