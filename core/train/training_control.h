#pragma once
// Cancellation and pause for a running Trainer::run(), set from any thread. The trainer checks it
// before every micro-batch, so both act within one step. No LibTorch here.
#include <atomic>
#include <condition_variable>
#include <mutex>

namespace capsule::train {

class TrainingControl {
public:
    /// Thread-safe. The run stops after the current micro-batch and writes a checkpoint.
    void requestCancel();
    /// Thread-safe. The run waits before its next micro-batch until resume() or requestCancel().
    void requestPause();
    void resume();

    bool cancelRequested() const { return cancel_.load(); }
    bool pauseRequested() const { return pause_.load(); }
    /// Training thread: blocks while paused; returns false when cancelled meanwhile.
    bool waitWhilePaused();

private:
    std::atomic<bool> cancel_{false};
    std::atomic<bool> pause_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
};

}  // namespace capsule::train
