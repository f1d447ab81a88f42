#include "model/dropout.h"

#include "model/vector_math.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>

namespace capsule::model {
namespace {

constexpr int64_t kGrain = 32768;  // elements per parallel chunk

/// 32-bit avalanche hash of an element index (murmur3's finaliser over a seeded Weyl sequence).
CAPSULE_ALWAYS_INLINE uint32_t hashIndex(uint32_t index, uint32_t seedLow, uint32_t seedHigh) {
    uint32_t h = index * 0x9E3779B1u + seedLow;
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= seedHigh;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

/// mask[i] = keep ? scale : 0 with P(keep) = 1 − threshold / 2^24.
template <typename T, T (*store)(float)>
CAPSULE_ALWAYS_INLINE void fillMask(T* mask, int64_t begin, int64_t end, uint32_t threshold, float scale,
                                    uint32_t seedLow, uint32_t seedHigh) {
    const T kept = store(scale), dropped = store(0.0f);
    for (int64_t i = begin; i < end; ++i)
        mask[i - begin] = (hashIndex(static_cast<uint32_t>(i), seedLow, seedHigh) >> 8) >= threshold ? kept : dropped;
}

CAPSULE_VECTOR_CLONES void fillMaskFloat(float* mask, int64_t begin, int64_t end, uint32_t threshold, float scale,
                                         uint32_t seedLow, uint32_t seedHigh) {
    fillMask<float, vec::storeFloat>(mask, begin, end, threshold, scale, seedLow, seedHigh);
}

CAPSULE_VECTOR_CLONES void fillMaskBfloat16(uint16_t* mask, int64_t begin, int64_t end, uint32_t threshold,
                                            float scale, uint32_t seedLow, uint32_t seedHigh) {
    fillMask<uint16_t, vec::storeBfloat16>(mask, begin, end, threshold, scale, seedLow, seedHigh);
}

uint64_t drawSeed() {
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    return at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
}

}  // namespace

torch::Tensor dropout(const torch::Tensor& x, double p, bool training) {
    if (!training || p == 0.0) return x;
    if (!(p > 0.0 && p <= 1.0)) throw std::invalid_argument("dropout: probability " + std::to_string(p) + " is outside [0, 1]");
    const bool fused = x.device().is_cpu() && (x.scalar_type() == torch::kFloat || x.scalar_type() == torch::kBFloat16) &&
                       x.numel() < (int64_t{1} << 32);
    if (!fused || p == 1.0) return torch::dropout(x, p, true);
    const uint64_t seed = drawSeed();
    const uint32_t seedLow = static_cast<uint32_t>(seed), seedHigh = static_cast<uint32_t>(seed >> 32);
    const uint32_t threshold = static_cast<uint32_t>(std::lround(p * 16777216.0));  // p · 2^24
    const float scale = static_cast<float>(1.0 / (1.0 - p));
    torch::Tensor mask = torch::empty(x.sizes(), x.options().requires_grad(false));  // contiguous, x's shape
    const bool bf16 = x.scalar_type() == torch::kBFloat16;
    at::parallel_for(0, mask.numel(), kGrain, [&](int64_t begin, int64_t end) {
        if (bf16) fillMaskBfloat16(reinterpret_cast<uint16_t*>(mask.data_ptr()) + begin, begin, end, threshold, scale, seedLow, seedHigh);
        else fillMaskFloat(mask.data_ptr<float>() + begin, begin, end, threshold, scale, seedLow, seedHigh);
    });
    return x * mask;
}

}  // namespace capsule::model
