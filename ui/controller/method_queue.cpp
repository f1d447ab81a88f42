#include "controller/method_queue.h"

#include <QTimer>

#include <algorithm>

namespace capsule::ui {

MethodQueue::MethodQueue(TrainingController* controller, QObject* parent)
    : QObject(parent), controller_(controller) {
    connect(controller_, &TrainingController::finished, this,
            [this](RunState state, const QString&, const QString&) { onRunFinished(state); });
}

QVector<TrainingRequest> MethodQueue::requestsFor(const TrainingRequest& base, const QStringList& methods) {
    QVector<TrainingRequest> requests;
    QStringList seen;
    const auto& known = train::methodNames();
    for (const QString& method : methods) {
        const std::string name = method.toStdString();
        if (seen.contains(method) || std::find(known.begin(), known.end(), name) == known.end()) continue;
        seen << method;
        TrainingRequest request = base;
        const QString out = QString::fromStdString(base.config.out) + QLatin1Char('-') + method;
        if (!base.demoFolder.isEmpty()) {
            // The demo's settings are tuned per method; keep what the user chose for the budget.
            train::TrainingConfig config = TrainingController::demoConfig(method, base.config.maxSteps, out);
            config.model = base.config.model;
            config.data = base.config.data;
            config.evalEvery = base.config.evalEvery;
            config.evalAtStart = base.config.evalAtStart;
            config.logEvery = base.config.logEvery;
            config.seed = base.config.seed;
            config.store = base.config.store;
            config.threads = base.config.threads;
            config.device = base.config.device;
            request.config = config;
        } else {
            request.config.method = name;
            request.config.out = out.toStdString();
            if (method != QString::fromStdString(base.config.method)) request.config.lr = 0;  // the method's default
        }
        const std::string baseName = base.config.runName.empty() ? std::string("compare") : base.config.runName;
        request.config.runName = baseName + "-" + name;
        request.config.resume.clear();
        requests << request;
    }
    return requests;
}

bool MethodQueue::start(const TrainingRequest& base, const QStringList& methods) {
    if (active_ || controller_->isRunning()) return false;
    requests_ = requestsFor(base, methods);
    if (requests_.isEmpty()) return false;
    runIds_.clear();
    next_ = 0;
    cancelled_ = false;
    active_ = true;
    startNext();
    return active_;
}

void MethodQueue::cancelPending() {
    if (!active_) return;
    cancelled_ = true;
    requests_.resize(std::min<int>(int(requests_.size()), next_));
}

void MethodQueue::startNext() {
    if (next_ >= requests_.size()) {
        active_ = false;
        Q_EMIT queueFinished(runIds_, !cancelled_);
        return;
    }
    const int index = next_++;
    Q_EMIT runStarting(index, int(requests_.size()), requests_[index]);
    if (!controller_->start(requests_[index])) {
        active_ = false;
        Q_EMIT queueFinished(runIds_, false);
    }
}

void MethodQueue::onRunFinished(RunState state) {
    if (!active_) return;
    if (controller_->runId() >= 0 && !runIds_.contains(controller_->runId())) runIds_ << controller_->runId();
    // A stopped run stops the queue (the user asked); a failed one does not hold up the others.
    if (state == RunState::Cancelled) {
        active_ = false;
        Q_EMIT queueFinished(runIds_, false);
        return;
    }
    // Next turn of the event loop: every other receiver of finished() sees the run end first.
    QTimer::singleShot(0, this, [this] {
        if (active_) startNext();
    });
}

}  // namespace capsule::ui
