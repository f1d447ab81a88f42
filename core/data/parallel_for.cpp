#include "data/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace capsule::data {

int resolveThreadCount(int threadCount) {
    if (threadCount > 0) return threadCount;
    return std::max(1u, std::thread::hardware_concurrency());
}

void parallelFor(size_t count, int threadCount, const std::function<void(size_t)>& body) {
    constexpr size_t kChunk = 32;
    const size_t workers = std::min<size_t>(static_cast<size_t>(resolveThreadCount(threadCount)),
                                            (count + kChunk - 1) / kChunk);
    if (workers <= 1) {
        for (size_t i = 0; i < count; ++i) body(i);
        return;
    }
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr firstError;
    std::mutex errorMutex;
    const auto work = [&]() {
        try {
            while (!failed.load(std::memory_order_relaxed)) {
                const size_t begin = next.fetch_add(kChunk);
                if (begin >= count) break;
                const size_t end = std::min(count, begin + kChunk);
                for (size_t i = begin; i < end; ++i) body(i);
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(errorMutex);
            if (!firstError) firstError = std::current_exception();
            failed = true;
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(workers - 1);
    for (size_t t = 1; t < workers; ++t) threads.emplace_back(work);
    work();  // the calling thread works too
    for (std::thread& thread : threads) thread.join();
    if (firstError) std::rethrow_exception(firstError);
}

}  // namespace capsule::data
