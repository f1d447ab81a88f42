#pragma once
// Runs body(i) for i in [0, count) on up to `threadCount` std::threads (0: the hardware's count),
// handing out indices in small chunks so uneven work still spreads. Results must go to slots
// indexed by i, which keeps the output independent of the thread count and timing. The first
// exception a body throws is rethrown after every thread has joined (the rest are dropped).
#include <cstddef>
#include <functional>

namespace capsule::data {

void parallelFor(size_t count, int threadCount, const std::function<void(size_t)>& body);

/// threadCount itself when > 0, otherwise std::thread::hardware_concurrency() (at least 1).
int resolveThreadCount(int threadCount);

}  // namespace capsule::data
