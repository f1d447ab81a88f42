#pragma once
// LibTorch's CUDA caching allocator (c10/cuda/CUDACachingAllocator.h), where this LibTorch is a
// CUDA build: CAPSULE_HAVE_C10_CUDA is 1 then, 0 otherwise. Debian's CPU-only LibTorch ships the
// c10/cuda headers but neither the header a CUDA build generates (cuda_cmake_macros.h) nor
// libc10_cuda, so the test is for both, and for the CUDA runtime's headers that the c10/cuda
// headers include. For the benchmarks and GPU tests (peak statistics, a memory cap); the engine
// itself needs none of it (train/device_memory.h asks the runtime directly).
#if __has_include(<c10/cuda/CUDACachingAllocator.h>) && __has_include(<c10/cuda/impl/cuda_cmake_macros.h>) && \
    __has_include(<cuda_runtime_api.h>) && __has_include(<cuda.h>)
#include <c10/cuda/CUDACachingAllocator.h>
#define CAPSULE_HAVE_C10_CUDA 1
#else
#define CAPSULE_HAVE_C10_CUDA 0
#endif
