#include "train/training_control.h"

#include "train/training_observer.h"

namespace capsule::train {

void TrainingControl::requestCancel() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        cancel_ = true;
    }
    wake_.notify_all();
}

void TrainingControl::requestPause() { pause_ = true; }

void TrainingControl::resume() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pause_ = false;
    }
    wake_.notify_all();
}

bool TrainingControl::waitWhilePaused() {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait(lock, [this] { return !pause_.load() || cancel_.load(); });
    return !cancel_.load();
}

std::string toString(TrainingStatus status) {
    switch (status) {
    case TrainingStatus::Started: return "started";
    case TrainingStatus::Paused: return "paused";
    case TrainingStatus::Resumed: return "resumed";
    case TrainingStatus::Finished: return "finished";
    case TrainingStatus::Failed: return "failed";
    case TrainingStatus::Cancelled: return "cancelled";
    }
    return "unknown";
}

}  // namespace capsule::train
